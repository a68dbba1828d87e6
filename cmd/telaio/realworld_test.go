package main

import (
	"strings"
	"testing"
)

// TestRealWorldRows runs every row of the real-world reproductions
// (testdata/realworld, copied from the shared set: lenient/, strict/ and
// mock/) through the command line: validate, validate --strict and, where
// the row says so, run --mock.
func TestRealWorldRows(t *testing.T) {
	const root = "testdata/realworld"
	tests := []struct {
		file string
		// code and codes: validate's exit code and the diagnostic codes it
		// must print; strict: validate --strict's exit code.
		code, strict int
		codes        []string
		// mock: run --mock --all must exit 0 and print these.
		mock []string
		// say: validate's output must contain these.
		say []string
	}{
		{file: "lenient/dot-navigation.arazzo.yaml", code: 0, strict: 1, codes: []string{"nonstandard-expression"},
			say: []string{"$response.body#/name"}, mock: []string{`name: "golf"`}},
		{file: "lenient/cond-dot.arazzo.yaml", code: 0, strict: 0, mock: []string{"completed"}},
		{file: "lenient/jsonpath-goessner-form.arazzo.yaml", code: 0, strict: 1, codes: []string{"nonstandard-jsonpath"},
			say: []string{"draft-goessner-dispatch-jsonpath-00"}, mock: []string{"completed"}},
		{file: "lenient/operation-path-short.arazzo.yaml", code: 0, strict: 1, codes: []string{"nonstandard-operation-path"},
			say: []string{"{$sourceDescriptions.api.url}#/paths/"}, mock: []string{"completed"}},
		// ids with spaces are a SHOULD (warning); the expression naming
		// "get pet" cannot be parsed (D26: ids in expressions are
		// [A-Za-z0-9_-]+), an error that says why.
		{file: "lenient/fp-id-with-space.arazzo.yaml", code: 1, strict: 1, codes: []string{"invalid-id", "invalid-expression"},
			say: []string{"no runtime expression can", "rename the step, e.g. get-pet"}},
		{file: "lenient/fp-header-case.arazzo.yaml", code: 0, strict: 1, codes: []string{"header-case"}, mock: []string{"completed"}},
		{file: "lenient/fp-oas32.arazzo.yaml", code: 0, strict: 0, mock: []string{"completed"}},
		{file: "lenient/d25-statuscode-workflow-step.arazzo.yaml", code: 0, strict: 1, codes: []string{"no-response-in-scope"},
			mock: []string{"2 passed, 0 failed"}},
		{file: "strict/fn-outputs-in-op-step.arazzo.yaml", code: 1, strict: 1, codes: []string{"outputs-out-of-scope"}},
		{file: "strict/fn-inputs-required-true.arazzo.yaml", code: 1, strict: 1, codes: []string{"invalid-schema"},
			say: []string{"required"}},
		{file: "strict/hint-array-index.arazzo.yaml", code: 0, strict: 1, codes: []string{"nonstandard-expression"},
			say: []string{"$response.body#/data/0/id"}},
		{file: "mock/const-in-oneof.arazzo.yaml", code: 0, strict: 0, mock: []string{"4 passed, 0 failed"}},
		{file: "mock/error-media-type.arazzo.yaml", code: 0, strict: 1, codes: []string{"type-missing-body-property"},
			mock: []string{"completed"}},
		{file: "mock/oauth2-placeholder.arazzo.yaml", code: 0, strict: 0, mock: []string{"completed"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			file := root + "/" + tt.file
			code, out, errOut := runCLIRoot(t, root, "validate", file)
			all := out + errOut
			if code != tt.code {
				t.Fatalf("validate: exit %d, want %d\n%s", code, tt.code, all)
			}
			for _, c := range tt.codes {
				if !strings.Contains(all, "["+c+"]") {
					t.Errorf("validate: no [%s] diagnostic\n%s", c, all)
				}
			}
			for _, s := range tt.say {
				if !strings.Contains(all, s) {
					t.Errorf("validate: output does not say %q\n%s", s, all)
				}
			}
			if code, _, errOut := runCLIRoot(t, root, "validate", "--strict", file); code != tt.strict {
				t.Errorf("validate --strict: exit %d, want %d\n%s", code, tt.strict, errOut)
			}
			if tt.mock == nil {
				return
			}
			code, out, errOut = runCLIRoot(t, root, "run", "--mock", "--all", file)
			if code != 0 {
				t.Fatalf("run --mock: exit %d\n%s%s", code, out, errOut)
			}
			for _, s := range tt.mock {
				if !strings.Contains(out, s) {
					t.Errorf("run --mock: output does not contain %q\n%s", s, out)
				}
			}
		})
	}
}
