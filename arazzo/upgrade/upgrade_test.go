package upgrade

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

// upgradeText parses src (named t.yaml, without sources) and upgrades it.
func upgradeText(t *testing.T, src string) (*Result, error) {
	t.Helper()
	doc, ds := arazzo.Parse([]byte(src), "t.yaml")
	if doc == nil {
		t.Fatalf("does not parse: %v", ds)
	}
	return Document(doc)
}

func mustUpgrade(t *testing.T, src string) *Result {
	t.Helper()
	res, err := upgradeText(t, src)
	if err != nil {
		var invalid *InvalidError
		if errors.As(err, &invalid) {
			t.Fatalf("%v:\n%v", err, invalid.Diagnostics)
		}
		t.Fatal(err)
	}
	return res
}

// doc10 is a 1.0 document with one step whose body is given.
func doc10(step string) string {
	return `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions: [{name: api, url: ./openapi.yaml, type: openapi}]
workflows:
  - workflowId: w
    inputs:
      type: object
      properties:
        a: {type: object}
        a.b: {type: string}
    steps:
      - stepId: s
        operationId: op
` + step
}

// manualCodes lists "code@line:col" for each manual fix.
func manualCodes(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s@%d:%d", d.Code, d.Range.Start.Line, d.Range.Start.Column))
	}
	return out
}

func TestAlreadyEleven(t *testing.T) {
	src := strings.Replace(doc10("        outputs: {x: $response.body.a}\n"), "1.0.1", "1.1.0", 1)
	res := mustUpgrade(t, src)
	if !res.Already || string(res.Text) != src || len(res.Changes) != 0 || !res.Clean() || res.From != "1.1.0" {
		t.Errorf("a 1.1 document must come back unchanged: %+v", res)
	}
}

func TestRefusesInvalid10(t *testing.T) {
	_, err := upgradeText(t, doc10("        outputs: {x: $steps.nope.outputs.y}\n"))
	var invalid *InvalidError
	if !errors.As(err, &invalid) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want an *InvalidError", err)
	}
	if !invalid.Diagnostics.HasCode(arazzo.CodeUnknownStep) || invalid.File != "t.yaml" {
		t.Errorf("diagnostics = %v, want unknown-step", invalid.Diagnostics)
	}
	if _, err := Document(nil); !errors.Is(err, ErrNoSource) {
		t.Errorf("Document(nil) = %v, want ErrNoSource", err)
	}
}

// TestE1_ElevenFeaturesUpgrade: the 1.1 fields of a 1.0 document are
// errors in 1.0 that point to the upgrade (E1); they do not block it, and
// are valid once the document is 1.1.
func TestE1_ElevenFeaturesUpgrade(t *testing.T) {
	src := doc10("        timeout: 5000\n        outputs: {x: $response.body#/a}\n")
	doc, ds := arazzo.Parse([]byte(src), "t.yaml")
	if ds = append(ds, arazzo.Validate(doc)...); !ds.HasCode(arazzo.CodeRequires11) {
		t.Fatalf("the 1.0 document should have a requires-arazzo-1.1 error: %v", ds)
	}
	res := mustUpgrade(t, src)
	if !res.Clean() || res.Diagnostics.HasErrors() {
		t.Errorf("manual %v, diagnostics %v", res.Manual, res.Diagnostics)
	}
}

func TestFlatVersionUpgrades(t *testing.T) {
	res := mustUpgrade(t, doc10(`        successCriteria:
          - context: $response.body
            condition: $.a
            type: jsonpath # the type
            version: draft-goessner-dispatch-jsonpath-00 # the version
          - condition: $statusCode == 200
`))
	want := `          - context: $response.body
            condition: $.a
            type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00} # the type
          - condition: $statusCode == 200
`
	if !strings.HasSuffix(string(res.Text), want) || !res.Clean() {
		t.Errorf("got:\n%s\nmanual %v", res.Text, res.Manual)
	}
	if len(res.Changes) != 2 || res.Changes[1].Rule != RuleExpressionType {
		t.Errorf("changes = %v", res.Changes)
	}
	// A flat version on a type that takes none stays an unknown field.
	_, err := upgradeText(t, doc10("        successCriteria:\n          - {context: $response.body, condition: a, type: regex, version: x}\n"))
	var invalid *InvalidError
	if !errors.As(err, &invalid) || !invalid.Diagnostics.HasCode(arazzo.CodeUnknownField) {
		t.Errorf("err = %v, want the unknown field", err)
	}
}

// TestDottedNamesKept: a dotted name is rewritten as navigation only when
// no input or output has the whole name, where it is written.
func TestDottedNamesKept(t *testing.T) {
	res := mustUpgrade(t, doc10(`        outputs:
          x: $response.body#/x
          x.y: $response.body#/x
          kept: $inputs.a.b
          nav: $inputs.a.c
          out: $steps.s.outputs.x.y
          outNav: $steps.s.outputs.x.z
`))
	var got []string
	for _, c := range res.Changes[1:] {
		got = append(got, c.Old+" -> "+c.New)
	}
	want := []string{"$inputs.a.c -> $inputs.a#/c", "$steps.s.outputs.x.z -> $steps.s.outputs.x#/z"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("changes = %q, want %q", got, want)
	}
	if !res.Clean() {
		t.Errorf("manual: %v", res.Manual)
	}
}

// TestE34_PinsOnlyGoessner: a plain type: jsonpath criterion gets the
// Goessner version only when its condition is not RFC 9535 and is the
// Goessner comparison form; an explicit version and other types stay.
func TestE34_PinsOnlyGoessner(t *testing.T) {
	tests := []struct {
		criterion string
		pinned    bool
	}{
		{"{context: $response.body, condition: $.items, type: jsonpath}", false},
		{"{context: $response.body, condition: '$[?@.id == 1]', type: jsonpath}", false},
		{"{context: $response.body, condition: $.items.length > 0, type: jsonpath}", true},
		{"{context: $response.body, condition: \"$.status == 'ok'\", type: jsonpath}", true},
		{"{context: $response.body, condition: $.items.length > 0, type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}}", false},
		{"{context: $response.body, condition: //a, type: xpath}", false},
		{"{context: $response.body, condition: ^a, type: regex}", false},
	}
	for _, tt := range tests {
		t.Run(tt.criterion, func(t *testing.T) {
			res := mustUpgrade(t, doc10("        successCriteria:\n          - "+tt.criterion+"\n"))
			pinned := bytes.Contains(res.Text, []byte("type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}}")) &&
				!strings.Contains(tt.criterion, "version")
			if pinned != tt.pinned || !res.Clean() {
				t.Errorf("pinned = %v, want %v:\n%s\nmanual %v", pinned, tt.pinned, res.Text, res.Manual)
			}
			if tt.pinned && res.Changes[1].Rule != RuleJSONPathVersion {
				t.Errorf("changes = %v", res.Changes)
			}
		})
	}
}

// TestE20_SelectorShapedLiteral: an object with the keys of a Selector
// Object in a value is read as a selector by 1.1: a manual fix, left as
// written.
func TestE20_SelectorShapedLiteral(t *testing.T) {
	src := doc10(`        requestBody:
          contentType: application/json
          payload:
            filter: {context: $response.body, selector: $.id, type: jsonpath}
            other: {expression: $response.body, selector: $.id}
            plain: {context: x, type: y}
`)
	res := mustUpgrade(t, src)
	want := []string{"upgrade-selector-literal@17:21", "upgrade-selector-literal@18:20"}
	got := manualCodes(res.Manual)
	if len(got) < 2 || fmt.Sprint(got[:2]) != fmt.Sprint(want) {
		t.Errorf("manual = %v, want %v first", got, want)
	}
	if !bytes.Contains(res.Text, []byte("filter: {context: $response.body, selector: $.id, type: jsonpath}")) {
		t.Errorf("the object must stay as written:\n%s", res.Text)
	}
}

// TestConditionExpressions: a regex, jsonpath or xpath condition that
// embeds expressions changes meaning in 1.1 (they are substituted): a
// manual fix, with the lenient forms inside rewritten.
func TestConditionExpressions(t *testing.T) {
	res := mustUpgrade(t, doc10(`        successCriteria:
          - context: $response.body
            condition: '^{$response.body.prefix}'
            type: regex
`))
	if got := manualCodes(res.Manual); fmt.Sprint(got) != "[upgrade-condition-expressions@16:25]" {
		t.Errorf("manual = %v", got)
	}
	if !bytes.Contains(res.Text, []byte("condition: '^{$response.body#/prefix}'")) {
		t.Errorf("the embedded expression must be rewritten:\n%s", res.Text)
	}
}

// TestAnchoredValues: a value under an anchor that an alias reuses is not
// edited (every use would change): a manual fix.
func TestAnchoredValues(t *testing.T) {
	src := doc10(`        outputs:
          a: &v $response.body.a
          b: *v
`)
	res := mustUpgrade(t, src)
	if got := manualCodes(res.Manual); len(got) == 0 || got[0] != "upgrade-anchored@15:14" {
		t.Errorf("manual = %v", got)
	}
	if !bytes.Contains(res.Text, []byte("a: &v $response.body.a\n")) {
		t.Errorf("the anchored value must stay:\n%s", res.Text)
	}
}

// TestScalarStyles: an expression is rewritten inside its scalar, in the
// scalar's style; a style that cannot hold the new text is changed to the
// plainest one that can.
func TestScalarStyles(t *testing.T) {
	tests := []struct {
		name, value, want string
		manual            string
	}{
		{"plain", "$response.body.a", "$response.body#/a", ""},
		{"single", "'$response.body.a'", "'$response.body#/a'", ""},
		{"double", `"$response.body.a"`, `"$response.body#/a"`, ""},
		{"escape kept", `"\t{$response.body.a} \u00e9"`, `"\t{$response.body#/a} \u00e9"`, ""},
		{"escape inside", `"{$response.body.caf\u00e9}"`, `"{$response.body#/café}"`, ""},
		{"doubled quote kept", `'it''s {$response.body.a}'`, `'it''s {$response.body#/a}'`, ""},
		{"tag", "!!str $response.body.a", "!!str $response.body#/a", ""},
		{"literal", "|\n              Bearer {$response.body.a}\n", "|\n              Bearer {$response.body#/a}\n", ""},
		{"folded", ">-\n              Bearer\n              {$response.body.a}\n", ">-\n              Bearer\n              {$response.body#/a}\n", ""},
		{"multi-line plain", "Bearer\n              {$response.body.a}\n", "Bearer\n              {$response.body#/a}\n", ""},
		{"multi-line double", "\"Bearer\n              {$response.body.a}\"", "\"Bearer\n              {$response.body#/a}\"", ""},
		{"trailing spaces", "Bearer   \n              {$response.body.a}\n", "Bearer   \n              {$response.body.a}\n", "upgrade-not-rewritten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := doc10("        parameters:\n          - name: p\n            in: header\n            value: ")
			res := mustUpgrade(t, head+tt.value+"\n")
			got := strings.TrimRight(strings.TrimPrefix(string(res.Text), strings.Replace(head, "1.0.1", "1.1.0", 1)), "\n")
			if got != strings.TrimRight(tt.want, "\n") {
				t.Errorf("value written as\n%s\nwant\n%s", got, tt.want)
			}
			codes := manualCodes(res.Manual)
			if tt.manual == "" && len(codes) > 0 || tt.manual != "" && (len(codes) == 0 || !strings.HasPrefix(codes[0], tt.manual)) {
				t.Errorf("manual = %v, want %q", codes, tt.manual)
			}
		})
	}
}

// TestLineEndings: CRLF line ends and a byte order mark are kept.
func TestLineEndings(t *testing.T) {
	src := "\ufeff" + strings.ReplaceAll(doc10("        outputs:\n          x: $response.body.a # note\n"), "\n", "\r\n")
	res := mustUpgrade(t, src)
	want := strings.ReplaceAll(strings.ReplaceAll(src, "1.0.1", "1.1.0"), "$response.body.a", "$response.body#/a")
	if string(res.Text) != want {
		t.Errorf("got %q\nwant %q", res.Text, want)
	}
}

// TestOperationPathStyles: the standard operationPath starts with "{", so
// a plain one is quoted; a quoted one keeps its quotes.
func TestOperationPathStyles(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"$sourceDescriptions.api#/paths/~1a/get", "'{$sourceDescriptions.api.url}#/paths/~1a/get'"},
		{`"$sourceDescriptions.api#/paths/~1a/get"`, `"{$sourceDescriptions.api.url}#/paths/~1a/get"`},
		{"{context: x, operationPath: $sourceDescriptions.api#/paths/~1a/get}", "{context: x, operationPath: '{$sourceDescriptions.api.url}#/paths/~1a/get'}"},
	} {
		src := strings.Replace(doc10(""), "        operationId: op\n", "        operationPath: "+tt.in+"\n", 1)
		if strings.HasPrefix(tt.in, "{") {
			// In a flow mapping: the step itself.
			src = strings.Replace(doc10(""), "      - stepId: s\n        operationId: op\n", "      - {stepId: s, operationPath: $sourceDescriptions.api#/paths/~1a/get}\n", 1)
			tt.want = "{stepId: s, operationPath: '{$sourceDescriptions.api.url}#/paths/~1a/get'}"
		}
		res := mustUpgrade(t, src)
		if !bytes.Contains(res.Text, []byte(tt.want)) || !res.Clean() {
			t.Errorf("%s: got\n%s\nmanual %v", tt.in, res.Text, res.Manual)
		}
	}
}

func TestDoesNotModifyInput(t *testing.T) {
	src, err := os.ReadFile("testdata/every-rewrite.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := arazzo.Parse(src, "every.yaml")
	keep := append([]byte(nil), doc.Src...)
	out := doc.Workflows[0].Steps[0].Outputs[0].Expression
	if _, err := Document(doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(keep, doc.Src) || doc.Workflows[0].Steps[0].Outputs[0].Expression != out || doc.Arazzo != "1.0.1" {
		t.Error("Document modified its input")
	}
}

// TestManualFixes pins every manual fix of testdata/manual.arazzo.yaml:
// the upgrade's own, then what the 1.1 validation reports that they do
// not already cover.
func TestManualFixes(t *testing.T) {
	src, err := os.ReadFile("testdata/manual.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := mustUpgrade(t, string(src))
	want := []string{
		"upgrade-grammar@19:31",          // $inputs.café
		"upgrade-grammar@22:36",          // {$inputs.café}
		"upgrade-selector-literal@25:20", // E20
		"upgrade-grammar@27:35",          // a simple condition
		"upgrade-anchored@32:18",         // &tok
	}
	if got := manualCodes(res.Manual); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("manual =\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestValidationFindingsAreManual: what 1.1 rejects and 1.0 accepted is a
// manual fix with the validator's code (here a step that reads the
// outputs of a later one, checklist-1.1 5.6).
func TestValidationFindingsAreManual(t *testing.T) {
	src := doc10(`        outputs: {x: $steps.t.outputs.y}
      - stepId: t
        operationId: op
        outputs: {y: $response.body#/y}
`)
	res := mustUpgrade(t, src)
	if !res.Manual.HasCode(arazzo.CodeForwardReference) {
		t.Errorf("manual = %v, want forward-reference", res.Manual)
	}
}

// TestVerifyCatchesUnplannedEdit: the read-back check fails when the text
// holds an edit that was not planned.
func TestVerifyCatchesUnplannedEdit(t *testing.T) {
	src := []byte(doc10("        outputs: {x: $response.body.a}\n"))
	doc, _ := arazzo.Parse(src, "t.yaml")
	s, err := readSource(src)
	if err != nil {
		t.Fatal(err)
	}
	u := newUpgrader(doc, s)
	u.run()
	text, err := apply(src, u.edits)
	if err != nil {
		t.Fatal(err)
	}
	text = bytes.Replace(text, []byte("title: t"), []byte("title: u"), 1)
	err = u.verify(text)
	var ve *VerifyError
	if !errors.As(err, &ve) || !errors.Is(err, ErrVerify) || ve.Detail != "/info/title" {
		t.Errorf("verify = %v, want a VerifyError at /info/title", err)
	}
}

// TestForceCarriesErrors: with Force, a document that is not valid 1.0 is
// upgraded all the same, and each of its 1.0 errors is a manual fix at its
// position in the upgraded text (moved by the edits before it).
func TestForceCarriesErrors(t *testing.T) {
	src := doc10(`        successCriteria:
          - context: $response.body
            condition: $.a
            type: jsonpath
            version: draft-goessner-dispatch-jsonpath-00
        outputs: {x: $steps.nope.outputs.y}
`)
	doc, _ := arazzo.Parse([]byte(src), "t.yaml")
	res, err := Document(doc, Force())
	if err != nil {
		t.Fatal(err)
	}
	// The flat version's line is removed: the error moves up a line.
	if got := manualCodes(res.Manual); fmt.Sprint(got) != "[unknown-step@18:22]" {
		t.Errorf("manual = %v, want [unknown-step@18:22]", got)
	}
	if res.Document.Arazzo != TargetVersion || !strings.Contains(string(res.Text), "outputs: {x: $steps.nope.outputs.y}") {
		t.Errorf("got:\n%s", res.Text)
	}
	// A 1.0 error that the 1.1 validation cannot see again (a source that
	// could not be read, given by WithLoadDiagnostics) is carried as it was.
	load := diag.Diagnostics{{Severity: diag.Error, Code: arazzo.CodeSourceUnavailable, Message: "cannot read",
		Range: diag.Range{File: "t.yaml", Start: diag.Pos{Line: 3, Column: 22}}}}
	_, err = Document(doc, WithLoadDiagnostics(load))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("without Force: %v, want ErrInvalid", err)
	}
	res, err = Document(doc, WithLoadDiagnostics(load), Force())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Manual.HasCode(arazzo.CodeSourceUnavailable) {
		t.Errorf("manual = %v, want source-unavailable", res.Manual)
	}
}
