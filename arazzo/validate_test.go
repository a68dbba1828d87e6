package arazzo_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

var dump = flag.Bool("dump", false, "print every diagnostic of the test documents (to write their want lines)")

// wants reads the expected diagnostics of a test document: the exact set,
// all severities, one "CODE LINE:COL" per line, or "CODE FILE:LINE:COL" for
// a diagnostic in another document (FILE relative to testdata). A YAML
// document lists them in "# want: " comment lines at its top; a JSON
// document, which cannot hold comments, in a sidecar file NAME.want.
func wants(t *testing.T, file string) []string {
	t.Helper()
	if strings.HasSuffix(file, ".json") {
		src, err := os.ReadFile(file + ".want")
		if err != nil {
			t.Fatalf("a JSON test document needs a sidecar %s.want: %v", file, err)
		}
		var out []string
		for _, line := range strings.Split(string(src), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
		return out
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if !strings.HasPrefix(line, "# want: ") {
			break
		}
		out = append(out, strings.TrimPrefix(line, "# want: "))
	}
	return out
}

// summarize renders diagnostics as want lines, relative to the document
// file.
func summarize(ds diag.Diagnostics, file string) []string {
	var out []string
	for _, d := range ds {
		where := fmt.Sprintf("%d:%d", d.Range.Start.Line, d.Range.Start.Column)
		if d.Range.File != file {
			rel, err := filepath.Rel("testdata", d.Range.File)
			if err != nil {
				rel = d.Range.File
			}
			where = filepath.ToSlash(rel) + ":" + where
		}
		out = append(out, d.Code+" "+where)
	}
	return out
}

func loadAndValidate(t *testing.T, file string, check []arazzo.CheckOption, opts ...arazzo.LoadOption) diag.Diagnostics {
	t.Helper()
	opts = append([]arazzo.LoadOption{arazzo.WithRoot("testdata")}, opts...)
	doc, ds := arazzo.Load(context.Background(), file, opts...)
	if doc != nil {
		ds = append(ds, arazzo.Validate(doc, check...)...)
	}
	ds.Sort()
	return ds
}

// testDocuments lists the documents under testdata/valid and
// testdata/invalid.
func testDocuments(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"valid", "invalid"} {
		for _, ext := range []string{"yaml", "yml", "json"} {
			m, err := filepath.Glob(filepath.Join("testdata", dir, "*."+ext))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, m...)
		}
	}
	if len(files) == 0 {
		t.Fatal("no test documents")
	}
	return files
}

// TestDocuments checks every document under testdata/valid and
// testdata/invalid against its wanted diagnostics. A valid document may have
// warnings but no error; an invalid one must have an error.
func TestDocuments(t *testing.T) {
	for _, file := range testDocuments(t) {
		t.Run(file, func(t *testing.T) {
			// These documents test the structural pass; testdata/typecheck
			// holds the type checker's.
			ds := loadAndValidate(t, file, []arazzo.CheckOption{arazzo.NoTypeCheck()})
			if *dump {
				for _, d := range ds {
					t.Logf("%s %s: %s", summarize(diag.Diagnostics{d}, file)[0], d.Severity, d.Message)
				}
			}
			got, want := summarize(ds, file), wants(t, file)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("diagnostics:\n got %q\nwant %q\n%v", got, want, ds)
			}
			invalid := strings.Contains(file, "invalid")
			if invalid && !ds.HasErrors() {
				t.Error("an invalid document must have an error")
			}
			if !invalid && ds.HasErrors() {
				t.Error("a valid document must have no error")
			}
		})
	}
}

// TestSpecExamples validates the official example documents: only the real
// errata listed in section 21 of the checklist may be reported.
func TestSpecExamples(t *testing.T) {
	bnplAPI, err := os.ReadFile("testdata/examples/bnpl-openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts []arazzo.LoadOption
		want []string
	}{
		// The example's ./animals.yaml is not published with it.
		{name: "ExtendedParametersExample.arazzo.yaml", want: []string{"source-unavailable 8:10"}},
		// operationId PAR: the description's operation is "Par" (ids are case sensitive).
		{name: "FAPI-PAR.arazzo.yaml", want: []string{"unknown-operation 102:22"}},
		// 21.7: operationPath points to a path item (D32); the source is remote.
		{name: "LoginAndRetrievePets.arazzo.yaml", want: []string{"source-not-loaded 10:8", "invalid-operation-path 46:20"}},
		// The refresh step posts a payload without the client_id its
		// operation requires, and a refresh_token the schema does not declare
		// (the type checker's findings, see TestTypeCheckSpecExamples).
		{name: "oauth.arazzo.yaml", want: []string{"type-missing-body-property 59:11", "type-unknown-body-property 61:13"}},
		// 21.9: $statusCode in the criteria of steps that call a workflow.
		// Type checking: pet_tags is not a parameter of findPetsByTags, and
		// find-coupons passes pet_id where the path has {petId}.
		{name: "pet-coupons.arazzo.yaml", want: []string{"no-response-in-scope 56:24", "no-response-in-scope 91:24",
			"type-unknown-parameter 26:19", "type-missing-parameter 39:9", "type-unknown-path-parameter 40:19"}},
		// 21.8: a step reading its own undefined output, an output the step
		// never defines (twice), and a $steps expression without .outputs.
		// The source is remote, so operations are not checked.
		{name: "bnpl-arazzo.yaml", want: []string{"source-not-loaded 9:10", "unknown-output 231:16", "unknown-output 242:16",
			"unknown-output 253:16", "invalid-expression 260:63"}},
		// The same, with the published OpenAPI description in place of the
		// remote one: every operationId resolves.
		{name: "bnpl-arazzo.yaml", opts: []arazzo.LoadOption{arazzo.WithSourceOverride("BnplApi", bnplAPI)},
			want: []string{"unknown-output 231:16", "unknown-output 242:16", "unknown-output 253:16", "invalid-expression 260:63"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join("testdata/examples", tt.name)
			ds := loadAndValidate(t, file, nil, tt.opts...)
			got := summarize(ds, file)
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("diagnostics:\n got %q\nwant %q\n%v", got, tt.want, ds)
			}
		})
	}
}
