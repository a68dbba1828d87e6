package arazzo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/specs"
)

// FuzzParse checks that no input makes Parse, Load or Validate panic, and
// that every diagnostic has a code and a position inside the document.
// Set ARAZZO_FUZZ_SLOW (a duration, e.g. 2s) to also fail on slow inputs.
// Seeds: every test document, the spec examples and the Stytch workflows,
// plus the corpus in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"testdata/*/*.yaml", "testdata/*/*.json", "testdata/examples/*.arazzo.yaml", "testdata/examples/bnpl-arazzo.yaml",
		"testdata/spec11/*/*.yaml", "testdata/realworld/*/*.arazzo.yaml"} {
		m, _ := filepath.Glob(pattern)
		seeds = append(seeds, m...)
	}
	for _, file := range seeds {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, name := range specs.Workflows() {
		src, err := fs.ReadFile(specs.FS, name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	petstore, err := os.ReadFile("testdata/petstore.openapi.yaml")
	if err != nil {
		f.Fatal(err)
	}
	flows, err := os.ReadFile("testdata/sources/flows.arazzo.yaml")
	if err != nil {
		f.Fatal(err)
	}
	orders, err := os.ReadFile("testdata/sources/orders.asyncapi.yaml")
	if err != nil {
		f.Fatal(err)
	}
	slow := time.Duration(0)
	if v := os.Getenv("ARAZZO_FUZZ_SLOW"); v != "" {
		slow, _ = time.ParseDuration(v)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if slow > 0 {
			start := time.Now()
			defer func() {
				if d := time.Since(start); d > slow {
					t.Errorf("slow input: %v for %d bytes", d, len(src))
				}
			}()
		}
		doc, ds := arazzo.Parse(src, "fuzz.yaml")
		if doc != nil {
			ds = append(ds, arazzo.Validate(doc)...)
		}
		checkDiagnostics(t, src, ds)
		checkJSONModel(t, src, doc)

		// The same document loaded next to an OpenAPI description and an
		// Arazzo source, as the test documents use them (and as itself,
		// for documents that name their own file).
		fsys := fstest.MapFS{
			"valid/doc.yaml":               {Data: src},
			"petstore.openapi.yaml":        {Data: petstore},
			"sources/flows.arazzo.yaml":    {Data: flows},
			"sources/store.openapi.yaml":   {Data: petstore},
			"sources/cycle-b.arazzo.yaml":  {Data: src},
			"sources/back.arazzo.yaml":     {Data: src},
			"sources/orders.asyncapi.yaml": {Data: orders},
		}
		doc, _ = arazzo.LoadFS(context.Background(), fsys, "valid/doc.yaml")
		if doc != nil {
			_ = arazzo.Validate(doc)
			for _, w := range doc.Workflows {
				if w == nil {
					continue
				}
				if order := w.ExecutionOrder(); order != nil && len(order) != len(w.Steps) {
					t.Errorf("workflow %q: execution order %v for %d steps", w.WorkflowID, order, len(w.Steps))
				}
				for _, s := range w.Steps {
					if s != nil {
						_ = s.Dependencies()
						_ = doc.StepKind(s)
					}
				}
			}
		}
	})
}

// checkDiagnostics checks the invariants of the diagnostics of src.
func checkDiagnostics(t *testing.T, src []byte, ds diag.Diagnostics) {
	t.Helper()
	lines := strings.Count(string(src), "\n") + 1
	for _, d := range ds {
		if d.Code == "" || d.Message == "" {
			t.Errorf("diagnostic without code or message: %#v", d)
		}
		if d.Range.File != "fuzz.yaml" {
			continue
		}
		if d.Range.Start.Line < 1 || d.Range.Start.Line > lines || d.Range.Start.Column < 1 {
			t.Errorf("diagnostic outside the document (%d lines): %v", lines, d)
		}
	}
}

// checkJSONModel checks that a JSON object parses to the same data model as
// encoding/json decodes (Parse has its own JSON decoder, for positions).
func checkJSONModel(t *testing.T, src []byte, doc *arazzo.Document) {
	t.Helper()
	trimmed := bytes.TrimLeft(src, " \t\r\n")
	if doc == nil || len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(src) {
		return
	}
	var want any
	if err := json.Unmarshal(src, &want); err != nil {
		return // numbers out of range: Parse reports them too
	}
	if !reflect.DeepEqual(doc.Raw, want) {
		t.Errorf("JSON decoded differently:\n got %#v\nwant %#v", doc.Raw, want)
	}
}
