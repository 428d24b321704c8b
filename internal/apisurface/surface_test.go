// Package apisurface holds the tests that keep masuk's exported surface the
// shape issue 16 gave it: small types, and imports that point the way
// DESIGN.md says.
package apisurface

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxMethods is the most exported methods an exported type may have.
const maxMethods = 15

// backends implement every store role, so they are exempt from the
// method budget: their size is the store contract's, not their own.
var backends = map[string]bool{
	"store/memstore":   true,
	"store/sqlstore":   true,
	"store/redisstore": true,
}

// root is the repository's root, two directories up from this package.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "go.mod"))
	require.NoError(t, err, "the repository root holds go.mod")
	return dir
}

// exportedMethods counts, per exported type of every library package
// (the module's packages outside internal, examples and the backends),
// the exported methods declared on it or its pointer, and the methods of
// exported interface types.
func exportedMethods(t *testing.T, dir string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "internal" || rel == "examples" || rel == "docs" || backends[rel] || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(rel))
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil || !d.Name.IsExported() {
					continue
				}
				typ := d.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if idx, ok := typ.(*ast.IndexExpr); ok {
					typ = idx.X
				}
				if id, ok := typ.(*ast.Ident); ok && id.IsExported() {
					counts[pkg+"."+id.Name]++
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() {
						continue
					}
					if it, ok := ts.Type.(*ast.InterfaceType); ok {
						for _, m := range it.Methods.List {
							for _, n := range m.Names {
								if n.IsExported() {
									counts[pkg+"."+ts.Name.Name]++
								}
							}
						}
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	return counts
}

// TestNoTypeHasMoreThan15Methods: a type that does everything is a type
// whose every method any caller can reach (v1's Authenticator had 37, and a
// public handler could call Disable). The store roles are small interfaces;
// only the backends, which implement all of them, are exempt.
func TestNoTypeHasMoreThan15Methods(t *testing.T) {
	counts := exportedMethods(t, root(t))
	require.Contains(t, counts, "auth.Authenticator", "the walk finds the library's types")
	var over []string
	for typ, n := range counts {
		if n > maxMethods {
			over = append(over, typ)
		}
	}
	sort.Strings(over)
	for _, typ := range over {
		t.Errorf("%s has %d exported methods; at most %d", typ, counts[typ], maxMethods)
	}
}

// TestMethodCountSeesMethods checks the counter itself, on a type whose
// methods are known, so the budget above cannot pass by counting nothing.
func TestMethodCountSeesMethods(t *testing.T) {
	counts := exportedMethods(t, root(t))
	// store.Store embeds the roles and declares none of its own; the
	// Accounts role declares its methods.
	assert.GreaterOrEqual(t, counts["store.Accounts"], 4)
	assert.GreaterOrEqual(t, counts["auth.Authenticator"], 6)
	assert.Greater(t, counts["auth.Accounts"], 5)
}

// deps lists the packages pkg imports, directly or not.
func deps(t *testing.T, dir, pkg string) []string {
	t.Helper()
	gobin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	cmd := exec.Command(gobin, "list", "-deps", "-f", "{{.ImportPath}}", pkg)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Skipf("go list is not available here: %v", err)
	}
	return strings.Fields(string(out))
}

// TestImportsPointTheRightWay: reset holds only reset and needs no TOTP;
// auth checks captchas through plain values and links no image or audio
// rendering; nothing in the library needs a browser or an example's
// dependencies.
func TestImportsPointTheRightWay(t *testing.T) {
	dir := root(t)
	const mod = "github.com/masuk-id/masuk/"
	cases := []struct {
		pkg       string
		forbidden []string
	}{
		{"./reset", []string{mod + "totp", mod + "auth", mod + "captcha"}},
		{"./totp", []string{mod + "reset", mod + "auth"}},
		{"./secret", []string{mod + "reset", mod + "totp", mod + "auth"}},
		// auth draws the QR code of a TOTP enrollment (image/png), but no
		// captcha: the fonts, the noise and the audio live in captcha.
		{"./auth", []string{mod + "captcha", "golang.org/x/image", "github.com/chromedp"}},
		{"./auth/httpauth", []string{mod + "captcha", "golang.org/x/image"}},
		// httpapi serves captcha media, so it imports captcha; kin-openapi
		// checks it against its document in tests only.
		{"./auth/httpapi", []string{"github.com/getkin", "github.com/gorilla", "github.com/stretchr", mod + "auth/authtest", mod + "store/memstore", "github.com/chromedp"}},
		{"./store", []string{mod + "auth", mod + "store/sqlstore", mod + "store/redisstore", "github.com/jackc/pgx/v5", "github.com/redis/go-redis/v9"}},
	}
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			got := deps(t, dir, c.pkg)
			require.NotEmpty(t, got)
			for _, d := range got {
				for _, f := range c.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s imports %s", c.pkg, d)
					}
				}
			}
		})
	}
}

// TestRootModuleNeedsNoBrowser: the library's go.mod lists only what
// importers need; the browser driver and the examples' dependencies live
// in the examples module.
func TestRootModuleNeedsNoBrowser(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root(t), "go.mod"))
	require.NoError(t, err)
	for _, m := range []string{"chromedp", "cdproto", "gobwas", "sqlite3"} {
		assert.NotContains(t, string(b), m)
	}
	assert.Contains(t, string(b), "module github.com/masuk-id/masuk\n")
}
