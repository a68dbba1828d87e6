package arazzo_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/specs"
)

// want is one expected diagnostic, read from a "# want:" comment.
type want struct {
	line, col int // col 0: any column
	code      string
	sev       string // "" : any severity
	substr    string
}

var wantItemRE = regexp.MustCompile(`^([a-z-]+)(?:@(\d+))?(?:\s+(error|warning))?(?:\s+("(?:[^"\\]|\\.)*"))?$`)

// readWants parses the "# want:" annotations of a test document: on the line
// they end, "code[@column] [severity] ["substring"]", several separated by
// " | ".
func readWants(t *testing.T, file string) []want {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []want
	for i, line := range strings.Split(string(src), "\n") {
		k := strings.Index(line, "# want: ")
		if k < 0 {
			continue
		}
		for _, item := range strings.Split(line[k+len("# want: "):], " | ") {
			m := wantItemRE.FindStringSubmatch(strings.TrimSpace(item))
			if m == nil {
				t.Fatalf("%s:%d: bad want %q", file, i+1, item)
			}
			w := want{line: i + 1, code: m[1], sev: m[3]}
			if m[2] != "" {
				w.col, _ = strconv.Atoi(m[2])
			}
			if m[4] != "" {
				w.substr, err = strconv.Unquote(m[4])
				if err != nil {
					t.Fatalf("%s:%d: bad substring %s", file, i+1, m[4])
				}
			}
			out = append(out, w)
		}
	}
	return out
}

func (w want) matches(d *diag.Diagnostic) bool {
	return d.Code == w.code && d.Range.Start.Line == w.line &&
		(w.col == 0 || d.Range.Start.Column == w.col) &&
		(w.sev == "" || d.Severity.String() == w.sev) &&
		strings.Contains(d.Message, w.substr)
}

// checkWants compares diagnostics with the wants: each want matches one
// diagnostic, and no diagnostic is left over.
func checkWants(t *testing.T, ds diag.Diagnostics, wants []want) {
	t.Helper()
	used := make([]bool, len(ds))
	for _, w := range wants {
		found := false
		for i, d := range ds {
			if !used[i] && w.matches(d) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing: line %d: %s@%d %s %q", w.line, w.code, w.col, w.sev, w.substr)
		}
	}
	for i, d := range ds {
		if !used[i] {
			t.Errorf("unexpected: %v", d)
		}
	}
}

func loadTypecheck(t testing.TB, file string, opts ...arazzo.LoadOption) *arazzo.Document {
	t.Helper()
	opts = append([]arazzo.LoadOption{arazzo.WithRoot("..")}, opts...)
	doc, ds := arazzo.Load(context.Background(), file, opts...)
	if doc == nil || ds.HasErrors() {
		t.Fatalf("load %s: %v", file, ds)
	}
	return doc
}

// TestTypeCheckRules runs each document of testdata/typecheck against its
// "# want:" annotations.
func TestTypeCheckRules(t *testing.T) {
	files, err := filepath.Glob("testdata/typecheck/*.arazzo.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no test documents", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			doc := loadTypecheck(t, file)
			ds := arazzo.TypeCheck(doc)
			checkWants(t, ds, readWants(t, file))
			for _, d := range ds {
				if !strings.HasPrefix(d.Code, "type-") {
					t.Errorf("code %q has no type- prefix", d.Code)
				}
				if d.Range.File != file || !d.Range.Start.IsValid() {
					t.Errorf("no position: %v", d)
				}
			}
		})
	}
}

// TestTypeCheckStytchSeeds: the bundled workflows check clean.
func TestTypeCheckStytchSeeds(t *testing.T) {
	for _, name := range specs.Workflows() {
		doc, ds := arazzo.LoadFS(context.Background(), specs.FS, name)
		if len(ds) > 0 {
			t.Fatalf("%s: %v", name, ds)
		}
		if ds := arazzo.TypeCheck(doc, arazzo.Strict()); len(ds) > 0 {
			t.Errorf("%s:\n%v", name, ds)
		}
	}
}

// TestTypeCheckStytchMutations: mutated copies of the Stytch workflows give
// the right diagnostic at the right place, with a suggestion.
func TestTypeCheckStytchMutations(t *testing.T) {
	tests := []struct {
		file string
		want []string // "severity code line:col substring"
	}{
		{"pointer-typo.yml", []string{
			`error type-response-pointer 80:37 did you mean "session_token"?`,
		}},
		{"missing-body-field.yml", []string{
			`error type-missing-body-property 70:7 (add code: $inputs.code)`,
		}},
		{"path-param-renamed.yml", []string{
			`error type-missing-parameter 84:5 (add {name: organization_id, in: path, value: $inputs.organization_id})`,
			`error type-unknown-path-parameter 85:13 did you mean "organization_id"?`,
		}},
		{"integer-input.yml", []string{
			`warning type-mismatch 54:20 (declare input "member_id" with type: string)`,
			`warning type-mismatch 71:20 (declare input "member_id" with type: string)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := loadTypecheck(t, filepath.Join("testdata/typecheck/stytch", tt.file))
			ds := arazzo.TypeCheck(doc)
			if len(ds) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%v", len(ds), len(tt.want), ds)
			}
			for i, d := range ds {
				got := fmt.Sprintf("%s %s %d:%d", d.Severity, d.Code, d.Range.Start.Line, d.Range.Start.Column)
				w := strings.SplitN(tt.want[i], " ", 4)
				if got != strings.Join(w[:3], " ") || !strings.Contains(d.Message, w[3]) {
					t.Errorf("got  %s %s\nwant %s", got, d.Message, tt.want[i])
				}
			}
		})
	}
}

// TestTypeCheckSpecExamples: the spec's examples give the mistakes they
// really contain (each judged by hand, see the comments) and nothing else.
func TestTypeCheckSpecExamples(t *testing.T) {
	bnplAPI, err := os.ReadFile("testdata/examples/bnpl-openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts []arazzo.LoadOption
		want []string // "code line:col"
	}{
		// animals.yaml is not published: nothing resolves.
		{name: "ExtendedParametersExample.arazzo.yaml"},
		// The Token operation's required Content-Type header parameter is
		// ignored, as OpenAPI says; operationId PAR does not resolve.
		{name: "FAPI-PAR.arazzo.yaml"},
		// The source is remote and not loaded.
		{name: "LoginAndRetrievePets.arazzo.yaml"},
		// refresh-token-flow posts grant_type and refresh_token, but the
		// form requires client_id and declares no refresh_token.
		{name: "oauth.arazzo.yaml", want: []string{"type-missing-body-property 59:11", "type-unknown-body-property 61:13"}},
		// find-pet sends pet_tags where findPetsByTags takes tags;
		// find-coupons sends path parameter pet_id where the path has
		// {petId}, so petId is missing.
		{name: "pet-coupons.arazzo.yaml", want: []string{"type-unknown-parameter 26:19", "type-missing-parameter 39:9",
			"type-unknown-path-parameter 40:19"}},
		// The remote source is not loaded: nothing resolves.
		{name: "bnpl-arazzo.yaml"},
		// With the published description: the eligibility response has
		// productCodes, not products; getAuthorization takes
		// AuthorizationToken, not redirectAuthToken; the status update sends
		// loanStatus where the closed schema requires status.
		{name: "bnpl-arazzo.yaml", opts: []arazzo.LoadOption{arazzo.WithSourceOverride("BnplApi", bnplAPI)},
			want: []string{"type-response-pointer 133:41", "type-missing-parameter 228:5", "type-unknown-parameter 229:15",
				"type-missing-body-property 256:7", "type-unknown-body-property 256:18"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, _ := arazzo.Load(context.Background(), filepath.Join("testdata/examples", tt.name), tt.opts...)
			if doc == nil {
				t.Fatal("not loaded")
			}
			var got []string
			for _, d := range arazzo.TypeCheck(doc) {
				got = append(got, fmt.Sprintf("%s %d:%d", d.Code, d.Range.Start.Line, d.Range.Start.Column))
			}
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTypeCheckOptions(t *testing.T) {
	doc := loadTypecheck(t, "testdata/typecheck/stytch/path-param-renamed.yml")
	count := func(ds diag.Diagnostics, sev diag.Severity) int {
		n := 0
		for _, d := range ds {
			if d.Severity == sev {
				n++
			}
		}
		return n
	}
	if ds := arazzo.TypeCheck(doc); count(ds, diag.Error) != 2 {
		t.Fatalf("default: %v", ds)
	}
	ds := arazzo.TypeCheck(doc, arazzo.CheckOff(arazzo.CodeTypeMissingParameter))
	if len(ds) != 1 || ds[0].Code != arazzo.CodeTypeUnknownPathParameter {
		t.Errorf("CheckOff: %v", ds)
	}
	ds = arazzo.TypeCheck(doc, arazzo.CheckSeverity(arazzo.CodeTypeUnknownPathParameter, diag.Warning))
	if count(ds, diag.Warning) != 1 || count(ds, diag.Error) != 1 {
		t.Errorf("CheckSeverity: %v", ds)
	}
	ds = arazzo.TypeCheck(doc, arazzo.CheckSeverity(arazzo.CodeTypeUnknownPathParameter, diag.Warning), arazzo.Strict())
	if count(ds, diag.Error) != 2 {
		t.Errorf("Strict: %v", ds)
	}
	mut := loadTypecheck(t, "testdata/typecheck/stytch/integer-input.yml")
	if ds := arazzo.TypeCheck(mut, arazzo.Strict()); count(ds, diag.Error) != 2 || count(ds, diag.Warning) != 0 {
		t.Errorf("Strict warnings: %v", ds)
	}
	for code, sev := range arazzo.TypeCheckCodes() {
		if !strings.HasPrefix(code, "type-") || (sev != diag.Error && sev != diag.Warning) {
			t.Errorf("code %q: %v", code, sev)
		}
	}
}

// TestTypeCheckUnloaded: documents without loaded sources, or with
// unresolvable targets, are skipped without panicking.
func TestTypeCheckUnloaded(t *testing.T) {
	if ds := arazzo.TypeCheck(nil); ds != nil {
		t.Errorf("nil: %v", ds)
	}
	src, err := os.ReadFile("testdata/typecheck/pointers.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := arazzo.Parse(src, "pointers.arazzo.yaml")
	if ds := arazzo.TypeCheck(doc); len(ds) != 0 {
		t.Errorf("parsed only: %v", ds)
	}
}

// TestTypeCheckJSON: positions in a JSON document.
func TestTypeCheckJSON(t *testing.T) {
	doc := loadTypecheck(t, "testdata/typecheck/json/pointer.arazzo.json")
	var got []string
	for _, d := range arazzo.TypeCheck(doc) {
		got = append(got, fmt.Sprintf("%d:%d %s", d.Range.Start.Line, d.Range.Start.Column, d.Code))
	}
	want := []string{"10:64 type-mismatch", "11:44 type-response-pointer"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestValidateTypeChecks: Validate runs the type checker once the document
// is structurally sound; NoTypeCheck skips it and Strict escalates warnings.
func TestValidateTypeChecks(t *testing.T) {
	doc := loadTypecheck(t, "testdata/typecheck/stytch/path-param-renamed.yml")
	ds := arazzo.Validate(doc)
	if len(ds) != 2 || ds[0].Code != arazzo.CodeTypeMissingParameter || ds[1].Code != arazzo.CodeTypeUnknownPathParameter {
		t.Errorf("Validate: %v", ds)
	}
	if ds := arazzo.Validate(doc, arazzo.NoTypeCheck()); len(ds) != 0 {
		t.Errorf("NoTypeCheck: %v", ds)
	}
	if ds := arazzo.Validate(doc, arazzo.CheckOff(arazzo.CodeTypeMissingParameter)); len(ds) != 1 {
		t.Errorf("CheckOff: %v", ds)
	}
	mut := loadTypecheck(t, "testdata/typecheck/stytch/integer-input.yml")
	ds = arazzo.Validate(mut)
	if len(ds) != 2 || ds.HasErrors() {
		t.Errorf("warnings: %v", ds)
	}
	ds = arazzo.Validate(mut, arazzo.Strict())
	if len(ds) != 2 || len(ds.Errors()) != 2 {
		t.Errorf("Strict: %v", ds)
	}
	// A structural error stops before type checking: its findings would be
	// noise on a document that does not hold together.
	broken := loadTypecheck(t, "testdata/typecheck/stytch/path-param-renamed.yml")
	broken.Workflows[0].Steps[0].StepID = broken.Workflows[0].Steps[1].StepID
	for _, d := range arazzo.Validate(broken) {
		if strings.HasPrefix(d.Code, "type-") {
			t.Errorf("type check ran on a broken document: %v", d)
		}
	}
	for _, name := range specs.Workflows() {
		doc, _ := arazzo.LoadFS(context.Background(), specs.FS, name)
		if ds := arazzo.Validate(doc, arazzo.Strict()); len(ds) > 0 {
			t.Errorf("%s:\n%v", name, ds)
		}
	}
}
