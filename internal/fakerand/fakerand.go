// Package fakerand holds random sources for masuk's own tests that are
// anything but random, so that a test can know the answer a mechanism drew.
package fakerand

// Repeat is a random source whose every byte is the same: a captcha
// Generator drawing digits from Repeat(3) always answers "333333".
type Repeat byte

// Read fills p with the byte.
func (r Repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
