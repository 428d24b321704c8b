package breach

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
)

// DirConfig configures a [Dir].
type DirConfig struct {
	// FS holds the range files: one per prefix, named by its 5 upper-case
	// hex digits and ".txt" (00000.txt to FFFFF.txt), each holding what
	// the range API answers for it. Required; os.DirFS(path) for a
	// directory. See "Offline corpus" in the package doc for how to make
	// one.
	FS fs.FS
	// MinCount is how many times a password must have been seen to count
	// as breached. Zero means 1.
	MinCount int
	// FailClosed makes a failed lookup (a missing, unreadable or malformed
	// range file) an error; false, the default, logs it and lets the
	// password through. See "Failures" in the package doc.
	FailClosed bool
	// Logger receives a warning for each failed lookup when FailClosed is
	// false. Nil means slog.Default().
	Logger *slog.Logger
}

// Dir looks passwords up in a downloaded copy of the Pwned Passwords
// corpus: a directory of range files, one per 5-digit prefix, of which a
// lookup reads one. Nothing leaves the machine. It is a
// password.BreachChecker, safe for concurrent use; create it with
// [NewDir].
type Dir struct {
	fsys  fs.FS
	judge judge
}

// NewDir returns a Dir for cfg, or an error when FS is nil or not a
// readable directory, or a setting is out of bounds. It does not look for
// every range file: one that is missing fails the lookups that need it.
func NewDir(cfg DirConfig) (*Dir, error) {
	if cfg.FS == nil {
		return nil, errors.New("breach: DirConfig.FS is nil")
	}
	fi, err := fs.Stat(cfg.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("breach: range files: %w", err)
	}
	if !fi.IsDir() {
		return nil, errors.New("breach: range files: not a directory")
	}
	j, err := newJudge(cfg.MinCount, cfg.FailClosed, cfg.Logger, "range file")
	if err != nil {
		return nil, err
	}
	return &Dir{fsys: cfg.FS, judge: j}, nil
}

// Breached returns how many times password appears in the corpus, 0 when
// it does not or was seen fewer than MinCount times. It reads the range
// file of the password's SHA-1 and looks for the rest of the hash in it.
// A lookup that fails is an error (a *[LookupError]) when the Dir fails
// closed, or when ctx has ended; otherwise it is logged and returns 0.
func (d *Dir) Breached(ctx context.Context, password string) (int, error) {
	prefix, suffix := rangeKey(password)
	n, err := d.lookup(ctx, prefix, suffix)
	return d.judge.result(ctx, n, err)
}

func (d *Dir) lookup(ctx context.Context, prefix, suffix string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	fail := func(err error) (int, error) {
		// A *fs.PathError names the file, which is the prefix: keep only
		// its cause.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
		}
		return 0, &LookupError{source: "range file", Err: err}
	}
	f, err := d.fsys.Open(prefix + ".txt")
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	body, err := readRange(f)
	if err != nil {
		return fail(err)
	}
	n, err := parseRange(body, suffix)
	if err != nil {
		return fail(err)
	}
	return n, nil
}
