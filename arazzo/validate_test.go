package arazzo_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

// wants reads the "# want: CODE LINE:COL" lines at the top of a test
// document: the exact diagnostics (all severities) it must produce.
func wants(t *testing.T, file string) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "# want: ") {
			break
		}
		out = append(out, strings.TrimPrefix(line, "# want: "))
	}
	return out
}

func summarize(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %d:%d", d.Code, d.Range.Start.Line, d.Range.Start.Column))
	}
	return out
}

func loadAndValidate(t *testing.T, file string) diag.Diagnostics {
	t.Helper()
	doc, ds := arazzo.Load(context.Background(), file, arazzo.WithRoot("testdata"))
	if doc != nil {
		ds = append(ds, arazzo.Validate(doc)...)
	}
	ds.Sort()
	return ds
}

// TestDocuments checks every document under testdata/valid and
// testdata/invalid against its "# want" header.
func TestDocuments(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, file := range files {
		if strings.Contains(file, "examples") {
			continue
		}
		t.Run(file, func(t *testing.T) {
			ds := loadAndValidate(t, file)
			got, want := summarize(ds), wants(t, file)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("diagnostics:\n got %q\nwant %q\n%v", got, want, ds)
			}
			if strings.Contains(file, "invalid") && !ds.HasErrors() {
				t.Error("an invalid document must have an error")
			}
		})
	}
}

// TestSpecExamples validates the official example documents: only the real
// errata listed in section 21 of the checklist may be reported.
func TestSpecExamples(t *testing.T) {
	want := map[string][]string{
		"ExtendedParametersExample.arazzo.yaml": {"source-unavailable 8:10"},
		// operationId PAR: the description's operation is "Par" (ids are case sensitive).
		"FAPI-PAR.arazzo.yaml":             {"unknown-operation 102:22"},
		"LoginAndRetrievePets.arazzo.yaml": {"source-not-loaded 10:8", "invalid-operation-path 46:20"},
		"oauth.arazzo.yaml":                nil,
		// 21.9: $statusCode in the criteria of steps that call a workflow.
		"pet-coupons.arazzo.yaml": {"no-response-in-scope 56:24", "no-response-in-scope 91:24"},
		// 21.8: a step reading its own undefined output, an output the step
		// never defines (twice), and a $steps expression without .outputs.
		"bnpl-arazzo.yaml": {"source-not-loaded 9:10", "unknown-output 231:16", "unknown-output 242:16",
			"unknown-output 253:16", "invalid-expression 260:63"},
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			ds := loadAndValidate(t, filepath.Join("testdata/examples", name))
			got := summarize(ds)
			slices.Sort(got)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("diagnostics:\n got %q\nwant %q\n%v", got, w, ds)
			}
		})
	}
}
