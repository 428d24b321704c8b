// Command login measures what issue 2 asks of the credential check, as
// ratios taken in one run on one machine:
//
//   - ratio: login through auth.Authenticator against a raw argon2id hash at
//     the same parameters (throughput), and logins for an unknown username
//     against a known one (median latency). Samples interleave, so drift of
//     a shared machine hits every series alike.
//   - flood: n concurrent logins at production parameters with the hashing
//     limit on (2 × GOMAXPROCS) and effectively off (n running at once);
//     each mode runs in a child process of its own so its peak RSS (VmHWM)
//     is its own.
//
// Usage:
//
//	go run ./internal/bench/login -mode ratio -n 200
//	go run ./internal/bench/login -mode flood -n 500
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store/memstore"
)

const (
	realm = "bench"
	user  = "pengguna"
	pw    = "kata sandi untuk pengukuran"
)

func main() {
	mode := flag.String("mode", "ratio", "ratio, flood, or flood-child")
	n := flag.Int("n", 200, "samples per series (ratio) or concurrent logins (flood)")
	limit := flag.Int("limit", 0, "flood-child: hashes running at once (0 = the default, 2 × GOMAXPROCS)")
	flag.Parse()
	var err error
	switch *mode {
	case "ratio":
		err = ratio(*n)
	case "flood":
		err = flood(*n)
	case "flood-child":
		err = floodChild(*n, *limit)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func newAuth(cfg password.Config) (*auth.Authenticator, error) {
	h, err := password.New(cfg)
	if err != nil {
		return nil, err
	}
	// Lockout is off: these measurements are of the credential check and
	// the hasher's limit, and the flood logs one account in 500 times at
	// once, which lockout rightly refuses past the fifth.
	off := lockout.Rule{Off: true}
	a, err := auth.New(auth.Config{Store: memstore.New(), Hasher: h,
		Realm: auth.Realm{Lockout: lockout.Policy{Account: off, Address: off, SecondFactor: off}}})
	if err != nil {
		return nil, err
	}
	_, err = a.Accounts().Register(context.Background(), auth.Registration{Realm: realm, Username: user, Password: pw})
	return a, err
}

func ratio(n int) error {
	ctx := context.Background()
	a, err := newAuth(password.Config{})
	if err != nil {
		return err
	}
	logins := a.Logins()
	p := password.Argon2Params{Memory: 19456, Time: 2, Threads: 1, SaltLength: 16, KeyLength: 32}
	salt := make([]byte, p.SaltLength)
	series := map[string][]time.Duration{}
	timed := func(name string, f func() error) error {
		start := time.Now()
		if err := f(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		series[name] = append(series[name], time.Since(start))
		return nil
	}
	raw := func() error { argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLength); return nil }
	known := func() error {
		_, err := logins.Login(ctx, auth.LoginRequest{Realm: realm, Username: user, Password: pw})
		return err
	}
	wrong := func() error {
		_, err := logins.Login(ctx, auth.LoginRequest{Realm: realm, Username: user, Password: "salah"})
		return expect(err, auth.ErrInvalidCredentials)
	}
	unknown := func() error {
		_, err := logins.Login(ctx, auth.LoginRequest{Realm: realm, Username: "tidak-ada", Password: "salah"})
		return expect(err, auth.ErrInvalidCredentials)
	}
	order := []struct {
		name string
		f    func() error
	}{{"raw argon2id", raw}, {"login (success)", known}, {"login (wrong password)", wrong}, {"login (unknown user)", unknown}}
	for i := range n + 5 {
		for j := range order {
			o := order[(i+j)%len(order)] // rotate who goes first
			if err := timed(o.name, o.f); err != nil {
				return err
			}
		}
		if i == 4 { // warm-up done
			clear(series)
		}
	}
	fmt.Printf("GOMAXPROCS=%d, %d samples per series, argon2id m=%d t=%d p=%d\n\n", runtime.GOMAXPROCS(0), n, p.Memory, p.Time, p.Threads)
	fmt.Println("| series | median | mean | throughput (/s, from mean) |")
	fmt.Println("|---|---|---|---|")
	stats := map[string][2]time.Duration{}
	for _, o := range order {
		med, mean := median(series[o.name]), meanOf(series[o.name])
		stats[o.name] = [2]time.Duration{med, mean}
		fmt.Printf("| %s | %v | %v | %.2f |\n", o.name, med.Round(10*time.Microsecond), mean.Round(10*time.Microsecond), float64(time.Second)/float64(mean))
	}
	fmt.Printf("\nlogin throughput / raw argon2id throughput: %.2f%% (goal ≥ 99%%)\n",
		100*float64(stats["raw argon2id"][1])/float64(stats["login (success)"][1]))
	fmt.Printf("median unknown user / median wrong password: %+.2f%% (goal within ±3%%)\n",
		100*(float64(stats["login (unknown user)"][0])/float64(stats["login (wrong password)"][0])-1))
	fmt.Printf("median unknown user / median successful login: %+.2f%%\n",
		100*(float64(stats["login (unknown user)"][0])/float64(stats["login (success)"][0])-1))
	return nil
}

func expect(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	return fmt.Errorf("got %v, want %v", err, want)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func meanOf(d []time.Duration) time.Duration {
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return sum / time.Duration(len(d))
}

// flood runs one child process per mode and prints their reports.
func flood(n int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("%d concurrent logins, argon2id at the defaults, GOMAXPROCS=%d\n\n", n, runtime.GOMAXPROCS(0))
	fmt.Println("| hashing limit | peak RSS (VmHWM) | wall time | logins/s | busy answers |")
	fmt.Println("|---|---|---|---|---|")
	goal := 64 + 2*runtime.GOMAXPROCS(0)*19
	for _, run := range []struct {
		limit    int
		memLimit string
	}{{0, ""}, {0, fmt.Sprintf("%dMiB", goal-24)}, {n, ""}} {
		cmd := exec.Command(self, "-mode", "flood-child", "-n", strconv.Itoa(n), "-limit", strconv.Itoa(run.limit))
		cmd.Env = append(os.Environ(), "GOMEMLIMIT="+run.memLimit)
		if run.memLimit == "" {
			cmd.Env = append(os.Environ(), "GOMEMLIMIT=off")
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("child: %v\n%s", err, out)
		}
		fmt.Print(string(out))
	}
	fmt.Printf("\ngoal: RSS with the limit on ≤ 64 MiB + limit × 19 MiB = %d MiB; throughput within 5%%\n", goal)
	fmt.Printf("(GOMEMLIMIT bounds the heap only: the row that uses it leaves 24 MiB for stacks and the runtime)\n")
	return nil
}

func floodChild(n, limit int) error {
	cfg := password.Config{MaxWaiting: n}
	label := fmt.Sprintf("on (%d running)", 2*runtime.GOMAXPROCS(0))
	if ml := os.Getenv("GOMEMLIMIT"); ml != "off" && ml != "" {
		label += ", GOMEMLIMIT=" + ml
	}
	if limit > 0 {
		cfg.MaxConcurrent = limit
		label = fmt.Sprintf("off (%d running)", limit)
	}
	a, err := newAuth(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	busy, failed := 0, 0
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			_, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: realm, Username: user, Password: pw})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, password.ErrBusy):
				busy++
			case err != nil:
				failed++
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	wall := time.Since(t0)
	if failed > 0 {
		return fmt.Errorf("%d logins failed", failed)
	}
	hwm, err := peakRSS()
	if err != nil {
		return err
	}
	fmt.Printf("| %s | %d MiB | %v | %.1f | %d |\n", label, hwm>>10, wall.Round(time.Millisecond), float64(n-busy)/wall.Seconds(), busy)
	return nil
}

// peakRSS returns the process's peak resident set size in KiB.
func peakRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}
