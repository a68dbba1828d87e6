package upgrade

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/internal/yamlx"
)

// TargetVersion is the version an upgraded document declares.
const TargetVersion = "1.1.0"

// The rules of a Change.
const (
	// RuleVersion: arazzo: 1.0.x becomes 1.1.0.
	RuleVersion = "version"
	// RuleExpression: a lenient runtime expression (arazzo's
	// nonstandard-expression) becomes its standard form, such as
	// $response.body.a[0] -> $response.body#/a/0 (E29).
	RuleExpression = "standard-expression"
	// RuleOperationPath: operationPath $sourceDescriptions.x#/paths/...
	// becomes {$sourceDescriptions.x.url}#/paths/...
	// (nonstandard-operation-path).
	RuleOperationPath = "operation-path"
	// RuleJSONPathVersion: a type: jsonpath criterion whose condition is
	// not RFC 9535 but is the Goessner draft's <path> <op> <literal> form
	// declares that version, type: {type: jsonpath, version:
	// draft-goessner-dispatch-jsonpath-00}, so its meaning does not change
	// (E34; arazzo's nonstandard-jsonpath).
	RuleJSONPathVersion = "jsonpath-version"
	// RuleExpressionType: the 1.0 schema's flat type: jsonpath (or xpath)
	// with a sibling version becomes the Expression Type Object.
	RuleExpressionType = "expression-type-object"
)

// Codes of the manual fixes this package finds; the others are
// arazzo.Validate's codes, reported by the validation of the upgraded
// document.
const (
	// CodeGrammar: a runtime expression, embedded expression or simple
	// condition that Arazzo 1.0 reads and the strict 1.1 grammar does not,
	// with no standard rewrite (such as $inputs.café, or a pointer holding
	// a brace).
	CodeGrammar = "upgrade-grammar"
	// CodeSelectorLiteral: an object in a parameter value, payload or
	// replacement value with the keys of a Selector Object, which 1.1 reads
	// as a selector where 1.0 read a literal object (E20).
	CodeSelectorLiteral = "upgrade-selector-literal"
	// CodeConditionExpressions: a regex, jsonpath or xpath condition that
	// embeds {$...} expressions, which 1.1 substitutes before evaluating.
	CodeConditionExpressions = "upgrade-condition-expressions"
	// CodeAnchored: a value to rewrite is under a YAML anchor that an
	// alias reuses elsewhere.
	CodeAnchored = "upgrade-anchored"
	// CodeNotRewritten: a value to rewrite is written in a form this
	// package does not edit in place (such as a plain scalar with trailing
	// spaces before a line break).
	CodeNotRewritten = "upgrade-not-rewritten"
)

// Change is one rewrite the upgrade made.
type Change struct {
	// Rule is one of the Rule constants.
	Rule string
	// Range is where the rewritten text starts in Result.Text.
	Range diag.Range
	// Old and New are the value (or, for a templated value, the embedded
	// expression) before and after.
	Old, New string
}

// String renders the change as "file:line:col: old -> new [rule]".
func (c Change) String() string {
	return fmt.Sprintf("%s: %s -> %s [%s]", c.Range, c.Old, c.New, c.Rule)
}

// Result is the upgrade of one document.
type Result struct {
	// From is the version the document declared.
	From string
	// Text is the upgraded document: the original bytes with the changes
	// made in place, so comments, key order, quoting and layout stay as
	// written. When Already is set, it is the original text.
	Text []byte
	// Already reports a document that declares Arazzo 1.1 (or later):
	// nothing was changed.
	Already bool
	// Changes are the rewrites made, in document order.
	Changes []Change
	// Manual lists what needs a manual fix, at positions of Text: what the
	// upgrade could not rewrite without changing its meaning (the Code*
	// constants), then what the validation of the upgraded document as
	// Arazzo 1.1 reports as an error or a nonstandard-* form. Empty when
	// the upgrade is clean.
	Manual diag.Diagnostics
	// Document is Text parsed, with the input document's loaded sources;
	// Diagnostics is its validation as 1.1 (its own file's, warnings
	// included).
	Document    *arazzo.Document
	Diagnostics diag.Diagnostics
}

// Clean reports whether no manual fix remains.
func (r *Result) Clean() bool { return len(r.Manual) == 0 }

// ErrInvalid is wrapped by the *InvalidError for a document that does not
// validate as Arazzo 1.0.
var ErrInvalid = errors.New("the document is not a valid Arazzo 1.0 document")

// InvalidError refuses a document that does not validate as Arazzo 1.0:
// Diagnostics are its diagnostics (warnings included), without the errors
// the upgrade would fix.
type InvalidError struct {
	File        string
	Diagnostics diag.Diagnostics
}

func (e *InvalidError) Error() string {
	n := len(e.Diagnostics.Errors())
	return fmt.Sprintf("upgrade: %s: %v (%d error(s))", e.File, ErrInvalid, n)
}

// Unwrap returns ErrInvalid.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// ErrNoSource is returned for a nil document or one without its text
// (Document.Src).
var ErrNoSource = errors.New("upgrade: the document has no source text")

// ErrVerify is wrapped by a *VerifyError: the upgraded text does not read
// back as the data the upgrade meant to write. It is a bug of this
// package; the original document is untouched.
var ErrVerify = errors.New("upgrade: the upgraded text does not read back as planned")

// VerifyError says what did not read back.
type VerifyError struct{ Detail string }

func (e *VerifyError) Error() string { return ErrVerify.Error() + ": " + e.Detail }

// Unwrap returns ErrVerify.
func (e *VerifyError) Unwrap() error { return ErrVerify }

// Option configures Document.
type Option func(*config)

type config struct {
	check []arazzo.CheckOption
	load  diag.Diagnostics
	force bool
}

// WithCheckOptions passes options to both validations (the document as
// 1.0, the upgraded one as 1.1), such as arazzo.NoTypeCheck().
func WithCheckOptions(opts ...arazzo.CheckOption) Option {
	return func(c *config) { c.check = append(c.check, opts...) }
}

// WithLoadDiagnostics adds the diagnostics arazzo.Load returned for the
// document (sources that could not be read, for instance) to what decides
// whether it is a valid 1.0 document.
func WithLoadDiagnostics(ds diag.Diagnostics) Option {
	return func(c *config) { c.load = append(c.load, ds...) }
}

// Force upgrades a document that does not validate as Arazzo 1.0 rather
// than refusing it: its 1.0 errors are not fixed, and each comes back in
// Result.Manual (as the 1.1 validation of the upgraded document reports
// it, or else as it was reported in 1.0, at its position in Result.Text).
func Force() Option {
	return func(c *config) { c.force = true }
}

// Document upgrades an Arazzo 1.0 document, as returned by arazzo.Parse or
// arazzo.Load (with its sources, when validation should check
// operations), to Arazzo 1.1. It does not modify doc.
//
// A document that declares 1.1 or later comes back unchanged with
// Already set. A document that does not validate as 1.0 is refused with
// an *InvalidError (unless Force is given), except for the problems the
// upgrade fixes or that 1.1 allows: 1.1 features (requires-arazzo-1.1,
// E1) and the flat criterion version. Otherwise the Result holds the upgraded text, what
// was changed, and what needs a manual fix.
func Document(doc *arazzo.Document, opts ...Option) (*Result, error) {
	if doc == nil || doc.Src == nil {
		return nil, ErrNoSource
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	res := &Result{From: doc.Arazzo}
	if doc.Is11() {
		res.Already, res.Text, res.Document = true, doc.Src, doc
		return res, nil
	}
	s, err := readSource(doc.Src)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %s: %w", doc.File, err)
	}
	u := newUpgrader(doc, s)
	u.run()

	if ds := u.check10(&cfg); ds.HasErrors() {
		if !cfg.force {
			return nil, &InvalidError{File: doc.File, Diagnostics: ds}
		}
		u.carried = ds.Errors()
	}

	sort.SliceStable(u.edits, func(i, j int) bool { return u.edits[i].start < u.edits[j].start })
	text, err := apply(doc.Src, u.edits)
	if err != nil {
		return nil, &VerifyError{Detail: err.Error()}
	}
	if err := u.verify(text); err != nil {
		return nil, err
	}
	res.Text = text
	if err := u.validate11(res, &cfg); err != nil {
		return nil, err
	}
	return res, nil
}

// check10 returns the diagnostics of the document as 1.0 (its own file's)
// without the errors the upgrade removes, so HasErrors reports what blocks
// it.
func (u *upgrader) check10(cfg *config) diag.Diagnostics {
	_, parsed := arazzo.Parse(u.doc.Src, u.doc.File)
	all := append(parsed, arazzo.Validate(u.doc, cfg.check...)...)
	all = append(all, cfg.load...) // Load's include Parse's: duplicates go below
	var out diag.Diagnostics
	dup := map[string]bool{}
	for _, d := range all {
		if d.Range.File != "" && d.Range.File != u.doc.File || dup[d.Error()] {
			continue
		}
		dup[d.Error()] = true
		if d.Severity == diag.Error && u.fixed(d) {
			continue
		}
		out = append(out, d)
	}
	out.Sort()
	return out
}

// fixed reports whether a 1.0 error is one the upgrade removes: a 1.1
// feature, or a flat criterion version it folds into the type.
func (u *upgrader) fixed(d *diag.Diagnostic) bool {
	if d.Code == arazzo.CodeRequires11 || strings.Contains(d.Message, "is Arazzo 1.1") {
		return true
	}
	if d.Code != arazzo.CodeUnknownField {
		return false
	}
	for off := range u.flatVersions {
		line, col := pos(u.s.lineStarts, off)
		if d.Range.Start.Line == line && d.Range.Start.Column == col {
			return true
		}
	}
	return false
}

// verify checks that text reads back as the original document with the
// planned changes, and nothing else.
func (u *upgrader) verify(text []byte) error {
	for _, m := range u.mutate {
		m()
	}
	want, err := yamlx.Value(u.s.root)
	if err != nil {
		return &VerifyError{Detail: err.Error()}
	}
	s2, err := readSource(text)
	if err != nil {
		return &VerifyError{Detail: "the upgraded text does not parse: " + err.Error()}
	}
	if s2.json != u.s.json {
		return &VerifyError{Detail: "the upgraded text changed format"}
	}
	got, err := yamlx.Value(s2.root)
	if err != nil {
		return &VerifyError{Detail: err.Error()}
	}
	if !reflect.DeepEqual(want, got) {
		return &VerifyError{Detail: firstDifference("", want, got)}
	}
	return nil
}

// firstDifference names the first JSON pointer where a and b differ.
func firstDifference(at string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return at
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !reflect.DeepEqual(x[k], y[k]) {
				return firstDifference(at+"/"+k, x[k], y[k])
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return at
		}
		for i := range x {
			if !reflect.DeepEqual(x[i], y[i]) {
				return firstDifference(fmt.Sprintf("%s/%d", at, i), x[i], y[i])
			}
		}
	}
	if at == "" {
		return "/"
	}
	return at
}

// validate11 parses the upgraded text, validates it as 1.1 with the
// input's sources, and fills the result's changes and manual fixes.
func (u *upgrader) validate11(res *Result, cfg *config) error {
	file := u.doc.File
	up, parsed := arazzo.Parse(res.Text, file)
	if up == nil {
		return &VerifyError{Detail: "the upgraded text is not a document: " + parsed.Error()}
	}
	up.URL = u.doc.URL
	if u.doc.Sources != nil {
		up.Sources = map[string]*arazzo.Source{}
		for name, src := range u.doc.Sources {
			c := *src
			if sd := up.SourceDescription(name); sd != nil {
				c.Description = sd
			}
			up.Sources[name] = &c
		}
	}
	var ds diag.Diagnostics
	for _, d := range append(parsed, arazzo.Validate(up, cfg.check...)...) {
		if d.Range.File == "" || d.Range.File == file {
			ds = append(ds, d)
		}
	}
	ds.Sort()
	res.Document, res.Diagnostics = up, ds

	lines := []int{0}
	for i, c := range res.Text {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	at := func(off int) diag.Range {
		n := shift(u.edits, off)
		line, col := pos(lines, n)
		return diag.Range{File: file, Start: diag.Pos{Line: line, Column: col, Byte: n}}
	}
	sort.SliceStable(u.changes, func(i, j int) bool { return u.changes[i].off < u.changes[j].off })
	for _, c := range u.changes {
		res.Changes = append(res.Changes, Change{Rule: c.rule, Range: at(c.off), Old: c.old, New: c.new})
	}
	mine := map[[2]int]bool{}
	for _, m := range u.manual {
		r := at(m.off)
		mine[[2]int{r.Start.Line, r.Start.Column}] = true
		res.Manual = append(res.Manual, &diag.Diagnostic{Severity: diag.Error, Code: m.code, Message: m.msg, Range: r})
	}
	reported := map[string]bool{}
	for _, d := range ds {
		if mine[[2]int{d.Range.Start.Line, d.Range.Start.Column}] {
			continue
		}
		if d.Severity == diag.Error || strings.HasPrefix(d.Code, "nonstandard-") {
			c := *d
			c.Severity = diag.Error
			res.Manual = append(res.Manual, &c)
			reported[fmt.Sprint(c.Code, c.Range.Start.Line, c.Range.Start.Column)] = true
		}
	}
	// Under Force, the 1.0 errors the 1.1 validation does not report again
	// (a source that could not be read, for instance), moved to Text.
	for _, d := range u.carried {
		c := *d
		if p := d.Range.Start; p.IsValid() && p.Line <= len(u.s.lineStarts) {
			c.Range = at(u.s.lineStarts[p.Line-1] + p.Column - 1)
		}
		key := fmt.Sprint(c.Code, c.Range.Start.Line, c.Range.Start.Column)
		if !reported[key] {
			reported[key] = true
			res.Manual = append(res.Manual, &c)
		}
	}
	res.Manual.Sort()
	return nil
}
