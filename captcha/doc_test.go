package captcha_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/masuk-id/masuk/captcha"
)

func ExampleNormalize() {
	for _, typed := range []string{"123456", " 12 34 56\n", "ace479", "", "   ", "12-34", "１２３４"} {
		answer, ok := captcha.Normalize(typed)
		fmt.Printf("%q → %q %v\n", typed, answer, ok)
	}
	// Output:
	// "123456" → "123456" true
	// " 12 34 56\n" → "123456" true
	// "ace479" → "ACE479" true
	// "" → "" false
	// "   " → "" false
	// "12-34" → "" false
	// "１２３４" → "" false
}

// A fixed random source makes answers reproducible, for tests of a
// portal's own code. Each byte picks a character (its remainder by the
// alphabet's size); bytes of 250 and above are skipped for Digits, so that
// every digit is equally likely.
func ExampleGenerator_Answer() {
	src := bytes.NewReader([]byte{3, 1, 4, 251, 1, 5, 9, 2, 6, 5, 3, 5})
	g, err := captcha.NewGenerator(captcha.Config{Rand: src})
	if err != nil {
		log.Fatal(err)
	}
	answer, err := g.Answer()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(answer)
	// Output: 314159
}

// One challenge's media: the image and the audio in both languages, all
// of one answer.
func ExampleGenerator_Image() {
	g, err := captcha.NewGenerator(captcha.Config{Alphabet: captcha.DigitsLetters})
	if err != nil {
		log.Fatal(err)
	}
	answer, err := g.Answer()
	if err != nil {
		log.Fatal(err)
	}
	var img bytes.Buffer
	if err := g.Image(&img, answer); err != nil {
		log.Fatal(err)
	}
	fmt.Println(http.DetectContentType(img.Bytes()))
	for _, lang := range captcha.AudioLanguages() {
		var wav bytes.Buffer
		if err := g.Audio(&wav, answer, lang); err != nil {
			log.Fatal(err)
		}
		fmt.Println(lang, http.DetectContentType(wav.Bytes()))
	}
	// Output:
	// image/png
	// id audio/wave
	// en audio/wave
}

// A login handler checks the Turnstile widget's token before anything
// else, and refuses the login when the check fails for any reason.
func ExampleNewTurnstile() {
	verifier := captcha.NewTurnstile("0x4AAAAAAA-secret-key",
		captcha.HostedHostnames("lpse.example.go.id"),
		captcha.HostedAction("login"),
		captcha.HostedTimeout(3*time.Second))

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		err := verifier.Verify(r.Context(), r.PostFormValue("cf-turnstile-response"), r.RemoteAddr)
		switch {
		case errors.Is(err, captcha.ErrHostedRejected):
			http.Error(w, "Selesaikan captcha lagi. / Please solve the captcha again.", http.StatusForbidden)
			return
		case err != nil: // ErrHostedUnavailable: fail closed
			log.Printf("captcha: %v", err)
			http.Error(w, "Coba lagi sebentar. / Please try again shortly.", http.StatusServiceUnavailable)
			return
		}
		// ... check the password
	})
}
