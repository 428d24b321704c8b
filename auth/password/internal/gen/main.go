// Command gen writes the blocklists that package password embeds. Run it
// from auth/password with
//
//	go generate
//
// It needs npm and the npm registry. It writes, under data/:
//
//   - zxcvbn.txt.gz: the "passwords" frequency list of the zxcvbn npm
//     package, version 4.4.2 (30,000 common passwords, most frequent
//     first, which zxcvbn credits to Mark Burnett's 10M password corpus),
//     read from lib/frequency_lists.js
//     of the tarball that `npm pack zxcvbn@4.4.2` fetches, after checking
//     the tarball against the integrity the registry publishes;
//   - zxcvbn-LICENSE.txt: that package's MIT license, copied as is;
//   - indonesian.txt: the hand-written Indonesian base words in
//     internal/gen/indonesian.txt, each with every suffix in [suffixes].
//
// -tarball reads a zxcvbn-4.4.2.tgz already on disk instead of running npm.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

const (
	pkg = "zxcvbn@4.4.2"
	// integrity is the registry's dist.integrity of zxcvbn 4.4.2.
	integrity = "sha512-Bq0B+ixT/DMyG8kgX2xWcI5jUvCwqrMxSFam7m0lAf78nf04hv6lNCsyLYdyYTrCVMqNDY/206K7eExYCeSyUQ=="
	// wantPasswords is the length of zxcvbn's passwords list.
	wantPasswords = 30000
)

// suffixes are appended to every Indonesian base word: nothing, the digit
// runs people add to satisfy "must contain a digit" (1, 12, 123...), their
// reversals, 17 and 45 and 1945 (Independence Day, 17 August 1945), double
// digits, a few recent years, and "!" and "@123" for "must contain a
// symbol".
var suffixes = []string{
	"", "1", "12", "123", "1234", "12345", "123456", "321", "01", "007",
	"11", "17", "45", "1945", "00", "88", "99",
	"2019", "2020", "2021", "2022", "2023", "2024", "2025",
	"!", "123!", "@123",
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	tarball := flag.String("tarball", "", "read this zxcvbn-4.4.2.tgz instead of running npm pack")
	out := flag.String("out", "data", "output directory")
	words := flag.String("words", filepath.Join("internal", "gen", "indonesian.txt"), "Indonesian base words")
	flag.Parse()

	tgz, err := readTarball(*tarball)
	if err != nil {
		log.Fatal(err)
	}
	passwords, license, err := extract(tgz)
	if err != nil {
		log.Fatal(err)
	}
	if err := writeGzip(filepath.Join(*out, "zxcvbn.txt.gz"), lines(passwords)); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*out, "zxcvbn-LICENSE.txt"), license, 0o644); err != nil {
		log.Fatal(err)
	}
	base, err := os.ReadFile(*words)
	if err != nil {
		log.Fatal(err)
	}
	indonesian := expand(string(base))
	if err := os.WriteFile(filepath.Join(*out, "indonesian.txt"), lines(indonesian), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d zxcvbn and %d Indonesian passwords", len(passwords), len(indonesian))
}

// readTarball returns the tarball at path, or runs npm pack for it, and
// checks it against integrity.
func readTarball(path string) ([]byte, error) {
	if path == "" {
		dir, err := os.MkdirTemp("", "zxcvbn")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("npm", "pack", pkg, "--pack-destination", dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("npm pack %s: %w", pkg, err)
		}
		path = filepath.Join(dir, "zxcvbn-4.4.2.tgz")
	}
	tgz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
		return nil, fmt.Errorf("%s: integrity %s, want %s", path, got, integrity)
	}
	return tgz, nil
}

var passwordsRE = regexp.MustCompile(`(?m)^\s*passwords: "([^"]*)"`)

// extract returns the passwords list and the license of the tarball.
func extract(tgz []byte) (passwords []string, license []byte, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, nil, err
	}
	tr := tar.NewReader(zr)
	var js []byte
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch hdr.Name {
		case "package/lib/frequency_lists.js":
			js, err = io.ReadAll(tr)
		case "package/LICENSE.txt":
			license, err = io.ReadAll(tr)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if js == nil || license == nil {
		return nil, nil, errors.New("tarball lacks lib/frequency_lists.js or LICENSE.txt")
	}
	m := passwordsRE.FindSubmatch(js)
	if m == nil {
		return nil, nil, errors.New("no passwords list in lib/frequency_lists.js")
	}
	passwords = strings.Split(string(m[1]), ",")
	if len(passwords) != wantPasswords {
		return nil, nil, fmt.Errorf("%d passwords, want %d", len(passwords), wantPasswords)
	}
	for _, p := range passwords {
		if p == "" || p != strings.ToLower(p) || strings.ContainsAny(p, "\n\r") {
			return nil, nil, fmt.Errorf("unexpected entry %q", p)
		}
	}
	return passwords, license, nil
}

// expand returns every base word of src (one a line, # starts a comment)
// with every suffix, lowercased, deduplicated and sorted.
func expand(src string) []string {
	seen := map[string]bool{}
	var out []string
	for line := range strings.Lines(src) {
		line, _, _ = strings.Cut(line, "#")
		word := strings.ToLower(strings.TrimSpace(line))
		if word == "" {
			continue
		}
		for _, s := range suffixes {
			if w := word + s; !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}

func lines(words []string) []byte {
	return []byte(strings.Join(words, "\n") + "\n")
}

// writeGzip writes data compressed, with no name or time in the header,
// so that the output depends on the input alone.
func writeGzip(path string, data []byte) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
