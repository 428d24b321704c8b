package password

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen

// The embedded blocklists, one lowercase password a line; see data/README.md
// for their sources and licenses.
var (
	//go:embed data/zxcvbn.txt.gz
	zxcvbnGz []byte
	//go:embed data/indonesian.txt
	indonesianList string
)

// embeddedBlocklist loads the embedded lists into a set, once, when the
// first Policy that uses them is created.
var embeddedBlocklist = sync.OnceValues(func() (map[string]struct{}, error) {
	zr, err := gzip.NewReader(bytes.NewReader(zxcvbnGz))
	if err != nil {
		return nil, fmt.Errorf("password: embedded blocklist: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("password: embedded blocklist: %w", err)
	}
	// One string backs every key: the map holds no copies.
	english := string(raw)
	set := make(map[string]struct{}, strings.Count(english, "\n")+strings.Count(indonesianList, "\n"))
	for _, list := range [...]string{english, indonesianList} {
		for line := range strings.Lines(list) {
			if w := strings.TrimSuffix(line, "\n"); w != "" {
				set[w] = struct{}{}
			}
		}
	}
	return set, nil
})
