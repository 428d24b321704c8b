// Package captcha makes captcha challenges: answers, their images and
// their spoken audio, and verifies tokens of hosted captcha services.
package captcha
