package sqlstore

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// GooseFS returns the migrations of [MigrationSQL], rendered for the
// dialect and table prefix, as a file system that github.com/pressly/goose
// reads: one file per step in its root, NNNN_name.sql, with the step under
// "-- +goose Up" and its revert under "-- +goose Down", each run as one
// statement in goose's transaction. Give it to goose.NewProvider with a
// version table of masuk's own (goose.WithTableName), so that the steps'
// versions never meet the host's.
func GooseFS(d Dialect, prefix string) (fs.FS, error) {
	ms, err := MigrationSQL(d, prefix)
	if err != nil {
		return nil, err
	}
	files := make(memFS, len(ms))
	for _, m := range ms {
		files[fmt.Sprintf("%04d_%s.sql", m.Version, m.Name)] = "-- +goose Up\n-- +goose StatementBegin\n" + m.SQL +
			"-- +goose StatementEnd\n\n-- +goose Down\n-- +goose StatementBegin\n" + m.Down + "-- +goose StatementEnd\n"
	}
	return files, nil
}

// GolangMigrateFS returns the migrations of [MigrationSQL], rendered for
// the dialect and table prefix, as a file system that
// github.com/golang-migrate/migrate reads (through its source/iofs, path
// "."): two files per step in its root, NNNN_name.up.sql and
// NNNN_name.down.sql. Migrate them with a version table of masuk's own
// (the drivers' MigrationsTable, x-migrations-table in a URL), so that
// the steps' versions never meet the host's.
func GolangMigrateFS(d Dialect, prefix string) (fs.FS, error) {
	ms, err := MigrationSQL(d, prefix)
	if err != nil {
		return nil, err
	}
	files := make(memFS, 2*len(ms))
	for _, m := range ms {
		files[fmt.Sprintf("%04d_%s.up.sql", m.Version, m.Name)] = m.SQL
		files[fmt.Sprintf("%04d_%s.down.sql", m.Version, m.Name)] = m.Down
	}
	return files, nil
}

// memFS is a read-only file system of one directory, the root, that holds
// a file for each name, with its text.
type memFS map[string]string

var (
	_ fs.FS         = memFS(nil)
	_ fs.ReadDirFS  = memFS(nil)
	_ fs.ReadFileFS = memFS(nil)
)

// Open opens the root or one of its files.
func (m memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &memDir{entries: m.entries()}, nil
	}
	text, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{Reader: strings.NewReader(text), info: memInfo{name: name, size: int64(len(text))}}, nil
}

// ReadDir lists the root, sorted by name.
func (m memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		if _, ok := m[name]; ok {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
		}
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return m.entries(), nil
}

// ReadFile returns a file's text.
func (m memFS) ReadFile(name string) ([]byte, error) {
	text, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrNotExist}
	}
	return []byte(text), nil
}

func (m memFS) entries() []fs.DirEntry {
	entries := make([]fs.DirEntry, 0, len(m))
	for name, text := range m {
		entries = append(entries, fs.FileInfoToDirEntry(memInfo{name: name, size: int64(len(text))}))
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries
}

// memFile is an open file of a memFS.
type memFile struct {
	*strings.Reader
	info memInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

// memDir is the open root of a memFS.
type memDir struct {
	entries []fs.DirEntry
	read    int // how many entries ReadDir has returned
}

func (d *memDir) Stat() (fs.FileInfo, error) { return memInfo{name: ".", dir: true}, nil }
func (d *memDir) Close() error               { return nil }

func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: fs.ErrInvalid}
}

// ReadDir returns the next n entries, or all that are left when n <= 0.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	left := d.entries[d.read:]
	if n <= 0 {
		d.read = len(d.entries)
		return left, nil
	}
	if len(left) == 0 {
		return nil, io.EOF
	}
	left = left[:min(n, len(left))]
	d.read += len(left)
	return left, nil
}

// memInfo describes a file or the root of a memFS.
type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }

func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
