package arazzo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

// TestRealWorld checks the validate side of each line of the real-world
// reproductions (testdata/realworld, copied from shared/realworld): the
// exact diagnostics of Load and Validate, that the lenient forms are
// warnings, and that Strict rejects them. The run side (run --mock) is the
// executor's.
func TestRealWorld(t *testing.T) {
	tests := []struct {
		file string
		// want lists every diagnostic: "severity code line:col substring".
		want []string
		// strictOK: Validate with Strict still reports no error.
		strictOK bool
	}{
		{file: "lenient/dot-navigation.arazzo.yaml", want: []string{
			"warning nonstandard-expression 12:17 It is read as $response.body#/name: write that",
		}},
		{file: "lenient/cond-dot.arazzo.yaml", strictOK: true},
		{file: "lenient/jsonpath-goessner-form.arazzo.yaml", want: []string{
			"warning nonstandard-jsonpath 12:24 declare them with the Criterion Expression Type Object type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}",
		}},
		{file: "lenient/operation-path-short.arazzo.yaml", want: []string{
			"warning nonstandard-operation-path 8:24 {$sourceDescriptions.api.url}#/paths/~1pets~1{petId}/get",
			`warning prefer-operation-id 8:24 operationId "getPet"`,
		}},
		// The ids are warnings. The output that names the step cannot be
		// parsed (no runtime expression can name "get pet"): an error that
		// says why.
		{file: "lenient/fp-id-with-space.arazzo.yaml", want: []string{
			`warning invalid-id 5:17 no runtime expression can reference a workflow whose id has other characters (write Find-Pet)`,
			`warning invalid-id 7:17 no runtime expression can reference a step whose id has other characters (write get-pet)`,
			`error invalid-expression 11:29 step "get pet" exists, but no runtime expression can name an id with characters outside [A-Za-z0-9_-]`,
		}},
		{file: "lenient/fp-header-case.arazzo.yaml", want: []string{
			`warning type-unknown-parameter 11:20 header parameter "X-Trace" is not declared by getPet`,
			`warning header-case 12:13 only one header X-Trace is sent`,
			`warning type-unknown-parameter 12:20 header parameter "x-trace" is not declared by getPet`,
		}},
		{file: "lenient/d25-statuscode-workflow-step.arazzo.yaml", want: []string{
			"warning no-response-in-scope 9:39 reads the last HTTP exchange of the called workflow",
		}},
		{file: "strict/fn-outputs-in-op-step.arazzo.yaml", want: []string{
			`error outputs-out-of-scope 11:23 $outputs reads the outputs of a called workflow, and step "s" calls an operation`,
		}},
		{file: "strict/fn-inputs-required-true.arazzo.yaml", want: []string{
			"error invalid-schema 9:41 is not a valid JSON Schema: at /properties/petId/required: got boolean, want array (required is a list of property names",
		}},
		{file: "strict/hint-array-index.arazzo.yaml", want: []string{
			"warning nonstandard-expression 10:20 It is read as $response.body#/data/0/id: write that",
		}},
		// A deliberate negative test: the missing required property is a
		// warning.
		{file: "mock/error-media-type.arazzo.yaml", want: []string{
			`warning type-missing-body-property 10:54 missing the required property "name" of the request body of register (a warning: the step's successCriteria accept an error status`,
			`warning type-unknown-body-property 10:64 declares no property "other"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			file := filepath.Join("testdata/realworld", tt.file)
			doc, ds := arazzo.Load(context.Background(), file, arazzo.WithRoot("testdata/realworld"))
			if doc == nil {
				t.Fatal(ds)
			}
			ds = append(ds, arazzo.Validate(doc)...)
			ds.Sort()
			checkExact(t, ds, tt.want)
			strict := arazzo.Validate(doc, arazzo.Strict())
			if tt.strictOK == strict.HasErrors() {
				t.Errorf("with Strict: has errors %v, want %v\n%v", strict.HasErrors(), !tt.strictOK, strict)
			}
		})
	}
}

// checkExact compares diagnostics with "severity code line:col substring"
// lines, in order.
func checkExact(t *testing.T, ds diag.Diagnostics, want []string) {
	t.Helper()
	if len(ds) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%v", len(ds), len(want), ds)
	}
	for i, d := range ds {
		w := strings.SplitN(want[i], " ", 4)
		got := fmt.Sprintf("%s %s %d:%d", d.Severity, d.Code, d.Range.Start.Line, d.Range.Start.Column)
		if got != strings.Join(w[:3], " ") || (len(w) == 4 && !strings.Contains(d.Message, w[3])) {
			t.Errorf("got  %s %s\nwant %s", got, d.Message, want[i])
		}
	}
}

// TestRealWorldOAS32Validates: an OpenAPI 3.2 source loads and the
// document validates clean (load_refs_run_test.go runs it).
func TestRealWorldOAS32Validates(t *testing.T) {
	file := "testdata/realworld/lenient/fp-oas32.arazzo.yaml"
	doc, ds := arazzo.Load(context.Background(), file, arazzo.WithRoot("testdata/realworld"))
	if doc == nil {
		t.Fatal(ds)
	}
	ds = append(ds, arazzo.Validate(doc)...)
	if len(ds) > 0 {
		t.Errorf("an OpenAPI 3.2 source must load and validate clean:\n%v", ds)
	}
}

// TestRealWorldShortOperationPath: the resolver reads the lenient
// operationPath as its standard form.
func TestRealWorldShortOperationPath(t *testing.T) {
	doc, ds := arazzo.Load(context.Background(), "testdata/realworld/lenient/operation-path-short.arazzo.yaml", arazzo.WithRoot("testdata/realworld"))
	if doc == nil || ds.HasErrors() {
		t.Fatal(ds)
	}
	_, op, err := doc.ResolveOperation(doc.Workflows[0].Steps[0])
	if err != nil || op == nil || op.ID != "getPet" {
		t.Fatalf("ResolveOperation = %v, %v; want getPet", op, err)
	}
}
