package conformance

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The runner must not pass vacuously: these tests check that it reports
// mismatches precisely.

func TestDiffValues(t *testing.T) {
	tests := []struct {
		name      string
		want, got any
		diffs     []string
	}{
		{"equal", map[string]any{"a": 1.0, "b": []any{"x"}}, map[string]any{"a": 1.0, "b": []any{"x"}}, nil},
		{"type", map[string]any{"id": 7.0}, map[string]any{"id": "7"}, []string{`x.id: want 7, got "7"`}},
		{"missing and extra", map[string]any{"a": 1.0}, map[string]any{"b": 1.0},
			[]string{"x.a: missing (want 1)", "x.b: unexpected (got 1)"}},
		{"nested", map[string]any{"a": []any{map[string]any{"b": true}}}, map[string]any{"a": []any{map[string]any{"b": false}}},
			[]string{"x.a[0].b: want true, got false"}},
		{"length", []any{1.0, 2.0}, []any{1.0}, []string{"x: want [1,2], got [1]"}},
		{"null vs absent", map[string]any{"a": nil}, map[string]any{}, []string{"x.a: missing (want null)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got problems
			diffValues("x", tt.want, tt.got, &got)
			if !reflect.DeepEqual([]string(got), tt.diffs) {
				t.Errorf("diffs = %q, want %q", got, tt.diffs)
			}
		})
	}
}

// copyCase copies a case directory so that a test can change its files.
func copyCase(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join(casesDir, name)
	dst := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestRunnerReportsMismatches(t *testing.T) {
	dir := copyCase(t, "flow-steps-in-order")
	expect := `status: ended
outputs: {a: "1", b: 2}
steps: [a, c]
sleeps: [1s]
requests:
  - {method: GET, path: /a, headers: {X-Missing: v}}
  - {method: POST, path: /b, rawQuery: x=1}
`
	if err := os.WriteFile(filepath.Join(dir, fileExpect), []byte(expect), 0o644); err != nil {
		t.Fatal(err)
	}
	tc, err := loadCase(dir)
	if err != nil {
		t.Fatal(err)
	}
	probs, detail := tc.run(t.Context())
	want := []string{
		"result.status: want ended, got completed",
		`result.outputs.a: want "1", got 1`,
		"result.steps: want [a c], got [a b c]",
		"sleeps: want [1s], got []",
		"requests: want 2, got 3",
		`requests[0](GET /a).headers.X-Missing: missing (want "v")`,
		"requests[1](GET /b).method: want POST, got GET",
		`requests[1](GET /b).rawQuery: want "x=1", got ""`,
	}
	all := strings.Join(probs, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q; got:\n%s", w, all)
		}
	}
	if len(probs) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(probs), len(want), all)
	}
	if !strings.Contains(detail, "requests received:") || !strings.Contains(detail, "step b: success=true") {
		t.Errorf("trace lacks the run:\n%s", detail)
	}
}

func TestRunnerRejectsUnknownFields(t *testing.T) {
	dir := copyCase(t, "flow-steps-in-order")
	if err := os.WriteFile(filepath.Join(dir, fileExpect), []byte("status: completed\nstatuss: ended\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadCase(dir); err == nil || !strings.Contains(err.Error(), "statuss") {
		t.Errorf("loadCase = %v, want an error naming the unknown field", err)
	}
}

func TestRunnerReportsUnroutedRequests(t *testing.T) {
	dir := copyCase(t, "flow-steps-in-order")
	if err := os.WriteFile(filepath.Join(dir, fileServer), []byte("- {method: GET, path: /a, responses: [{body: {v: 1}}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tc, err := loadCase(dir)
	if err != nil {
		t.Fatal(err)
	}
	probs, _ := tc.run(t.Context())
	if !strings.Contains(strings.Join(probs, "\n"), "server: no route in server.yaml for GET /b") {
		t.Errorf("problems = %q", probs)
	}
}

// TestRunnerExpectedErrors: a case listing errors passes only when
// validation rejects the document with those codes.
func TestRunnerExpectedErrors(t *testing.T) {
	tests := []struct {
		name, caseDir, expect string
		want                  []string // problems, in order; none: the case passes
		loadErr               string   // loadCase must fail with this
	}{
		{name: "rejected as expected", caseDir: "flow-timeout-invalid-rejected-E12", expect: "errors: [invalid-timeout]\n"},
		{name: "other code", caseDir: "flow-timeout-invalid-rejected-E12", expect: "errors: [dependency-cycle]\n",
			want: []string{`errors: want an error "dependency-cycle", got others (below)`}},
		{name: "document valid", caseDir: "flow-steps-in-order", expect: "errors: [invalid-timeout]\n",
			want: []string{"errors: want the document rejected with [invalid-timeout], it validated"}},
		{name: "run expectations beside errors", caseDir: "flow-timeout-invalid-rejected-E12", expect: "errors: [invalid-timeout]\nstatus: failed\n",
			loadErr: "errors means the workflow is not run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyCase(t, tt.caseDir)
			if err := os.WriteFile(filepath.Join(dir, fileExpect), []byte(tt.expect), 0o644); err != nil {
				t.Fatal(err)
			}
			tc, err := loadCase(dir)
			if tt.loadErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.loadErr) {
					t.Fatalf("loadCase = %v, want an error containing %q", err, tt.loadErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			probs, _ := tc.run(t.Context())
			if !reflect.DeepEqual([]string(probs), tt.want) {
				t.Errorf("problems = %q, want %q", probs, tt.want)
			}
		})
	}
}
