// Package redisstore keeps masuk's hot, expiring state in Redis: attempt
// counters and locks now; captcha challenges, one-time tokens and
// sessions later.
package redisstore
