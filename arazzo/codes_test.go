package arazzo_test

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
)

// validationFiles are the source files of Parse, Load and Validate, whose
// codes the test documents must cover. (TypeCheck's codes are tested with
// TypeCheck.)
var validationFiles = []string{"codes.go", "parse.go", "load.go", "validate.go", "validate_expr.go"}

// declaredCodes reads the Code* string constants of validationFiles.
func declaredCodes(t *testing.T) map[string]string {
	t.Helper()
	codes := map[string]string{} // value -> constant name
	fset := token.NewFileSet()
	for _, file := range validationFiles {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes[v] = name.Name
				}
			}
		}
	}
	if len(codes) < 40 {
		t.Fatalf("found only %d codes: is the parser reading the right files?", len(codes))
	}
	return codes
}

// codesTestedInGo are the codes no test document can produce, with the Go
// test that covers each.
var codesTestedInGo = map[string]string{
	arazzo.CodeDocumentTooLarge: "TestParseLimits",
	arazzo.CodeUnreadable:       "TestLoadUnreadable",
	arazzo.CodeSourceTimeout:    "TestLoadFetchTimeout",
	arazzo.CodeRedirectRefused:  "TestLoadRedirects",
	arazzo.CodeTooManySources:   "TestLoadMaxSources",
	arazzo.CodeExternalRef:      "TestLoadExternalRefs",
}

// TestEveryCodeIsTested checks that every diagnostic code the package
// declares is produced by at least one test document (or, for the few that
// cannot be, a named Go test).
func TestEveryCodeIsTested(t *testing.T) {
	covered := map[string][]string{}
	for _, file := range testDocuments(t) {
		for _, w := range wants(t, file) {
			code, _, _ := strings.Cut(w, " ")
			covered[code] = append(covered[code], file)
		}
	}
	for code, name := range declaredCodes(t) {
		if len(covered[code]) > 0 {
			continue
		}
		if test, ok := codesTestedInGo[code]; ok {
			t.Logf("%s (%s) is covered by %s", code, name, test)
			continue
		}
		t.Errorf("no test document produces %s (%q): add one under testdata/invalid or testdata/valid", name, code)
	}
}

func TestParseLimits(t *testing.T) {
	big := bytes.Repeat([]byte("# padding\n"), arazzo.MaxDocumentBytes/10+1)
	doc, ds := arazzo.Parse(big, "big.yaml")
	if doc != nil || len(ds) != 1 || ds[0].Code != arazzo.CodeDocumentTooLarge {
		t.Fatalf("Parse(%d bytes) = %v, %v; want nil and one %s", len(big), doc, ds, arazzo.CodeDocumentTooLarge)
	}
}

func TestLoadUnreadable(t *testing.T) {
	for _, file := range []string{"testdata/no-such-file.yaml", "testdata/valid"} {
		doc, ds := arazzo.Load(context.Background(), file)
		if doc != nil || !ds.HasCode(arazzo.CodeUnreadable) {
			t.Errorf("Load(%s) = %v, %v; want nil and %s", file, doc, ds, arazzo.CodeUnreadable)
		}
	}
}
