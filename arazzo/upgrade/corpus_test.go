package upgrade

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files of this package's tests")

// corpusDoc is one Arazzo document of the repository and the root its
// sources are read under.
type corpusDoc struct {
	file, root string
}

// corpus lists every Arazzo 1.0 document of the repository: the Stytch
// seeds, the OAI examples (arazzo/testdata/examples, Apache-2.0), the
// conformance cases and the real-world reproductions, and this package's
// own test documents.
func corpus(t *testing.T) []corpusDoc {
	t.Helper()
	var out []corpusDoc
	add := func(pattern, root string) {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("no documents match %s", pattern)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), "arazzo") || strings.Contains(filepath.Base(f), "openapi") {
				continue
			}
			r := root
			if r == "" {
				r = filepath.Dir(f)
			}
			out = append(out, corpusDoc{f, r})
		}
	}
	add("../../specs/stytch/arazzo/*.yml", "../..")
	add("../testdata/examples/*.yaml", "")
	add("../../conformance/testdata/cases/*/*arazzo.yaml", "")
	add("../testdata/realworld/*/*.arazzo.yaml", "../testdata/realworld")
	add("testdata/*.arazzo.*", "")
	return out
}

// outcome describes an upgrade for the golden file: the refusal with its
// error codes, or the rules of the changes, the codes of the manual fixes,
// and the strict findings of the upgraded document (all of its own file).
func outcome(res *Result, err error, strict diag.Diagnostics) string {
	var invalid *InvalidError
	switch {
	case errors.As(err, &invalid):
		return "refused " + codes(invalid.Diagnostics.Errors())
	case err != nil:
		return "error " + err.Error()
	case res.Already:
		return "already"
	}
	rules := map[string]int{}
	for _, c := range res.Changes {
		rules[c.Rule]++
	}
	keys := make([]string, 0, len(rules))
	for k, n := range rules {
		keys = append(keys, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(keys)
	return fmt.Sprintf("changes %s; manual %s; strict %s", strings.Join(keys, ","), codes(res.Manual), codes(strict))
}

// codes lists the codes of ds with their lines, sorted: "code@line ...",
// or "-".
func codes(ds diag.Diagnostics) string {
	if len(ds) == 0 {
		return "-"
	}
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s@%d", d.Code, d.Range.Start.Line))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func ownErrors(ds diag.Diagnostics, file string) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range ds {
		if d.Severity == diag.Error && (d.Range.File == "" || d.Range.File == file) {
			out = append(out, d)
		}
	}
	return out
}

// TestCorpus upgrades every Arazzo 1.0 document of the repository, read
// with its sources (Load) and alone (Parse), and checks the result against
// testdata/corpus.golden (go test -update rewrites it): which are refused
// and why, what was changed, what is left to fix by hand, and which
// findings the upgraded document still has under arazzo.Strict(); a
// refused document is also upgraded with Force, and its 1.0 errors must
// come back as manual fixes. For
// every upgraded document it also checks that the upgrade adds no strict
// finding: the strict findings after are those before, less the lenient
// forms it rewrote.
func TestCorpus(t *testing.T) {
	var lines []string
	for _, cd := range corpus(t) {
		for _, mode := range []string{"load", "parse"} {
			var doc *arazzo.Document
			var opts []Option
			if mode == "load" {
				d, ds := arazzo.Load(context.Background(), cd.file, arazzo.WithRoot(cd.root))
				doc, opts = d, []Option{WithLoadDiagnostics(ds)}
			} else {
				src, err := os.ReadFile(cd.file)
				if err != nil {
					t.Fatal(err)
				}
				doc, _ = arazzo.Parse(src, cd.file)
			}
			if doc == nil {
				t.Fatalf("%s: does not parse", cd.file)
			}
			res, err := Document(doc, opts...)
			var strict diag.Diagnostics
			if err == nil && !res.Already {
				strict = ownErrors(arazzo.Validate(res.Document, arazzo.Strict()), cd.file)
				checkNoNewFinding(t, cd.file+" ("+mode+")", arazzo.Validate(doc), res)
				checkUpgraded(t, cd.file, doc, res)
			}
			line := fmt.Sprintf("%s [%s]: %s", strings.TrimPrefix(cd.file, "../"), mode, outcome(res, err, strict))
			var invalid *InvalidError
			if errors.As(err, &invalid) {
				forced, err := Document(doc, append(opts, Force())...)
				if err != nil {
					t.Fatalf("%s (%s): forced: %v", cd.file, mode, err)
				}
				checkCarried(t, cd.file+" ("+mode+")", invalid.Diagnostics.Errors(), forced)
				checkUpgraded(t, cd.file, doc, forced)
				line += "; forced: " + outcome(forced, nil, ownErrors(arazzo.Validate(forced.Document, arazzo.Strict()), cd.file))
			}
			lines = append(lines, line)
		}
	}
	golden(t, "testdata/corpus.golden", strings.Join(lines, "\n")+"\n")
}

// checkCarried: under Force, every 1.0 error that refused the document is
// a manual fix, by code, on the same line (no edit adds or removes a line
// in these documents before it).
func checkCarried(t *testing.T, name string, refused diag.Diagnostics, res *Result) {
	t.Helper()
	manual := map[string]bool{}
	for _, d := range res.Manual {
		manual[fmt.Sprint(d.Code, "@", d.Range.Start.Line)] = true
	}
	for _, d := range refused {
		if !manual[fmt.Sprint(d.Code, "@", d.Range.Start.Line)] {
			t.Errorf("%s: forced: the 1.0 error %v is not a manual fix: %v", name, d, res.Manual)
		}
	}
}

// checkNoNewFinding: every diagnostic of the upgraded document (errors
// and warnings) was one of the original (by code, at most as many), or is
// a manual fix. (Strict findings cannot be compared: under Strict the
// original's lenient forms are errors, which skip the type check.)
func checkNoNewFinding(t *testing.T, name string, before diag.Diagnostics, res *Result) {
	t.Helper()
	after := res.Diagnostics
	count := map[string]int{}
	for _, d := range before {
		count[d.Code]++
	}
	manual := map[string]bool{}
	for _, d := range res.Manual {
		manual[fmt.Sprint(d.Range.Start.Line, d.Range.Start.Column)] = true
	}
	for _, d := range after {
		if manual[fmt.Sprint(d.Range.Start.Line, d.Range.Start.Column)] {
			continue
		}
		if count[d.Code] == 0 {
			t.Errorf("%s: the upgrade adds a finding: %v", name, d)
			continue
		}
		count[d.Code]--
	}
}

// checkUpgraded checks what holds for every upgraded document: it
// declares 1.1.0, every change is listed, upgrading it again does
// nothing, and lines are only changed where a change is listed (or
// removed, for a flat version).
func checkUpgraded(t *testing.T, file string, doc *arazzo.Document, res *Result) {
	t.Helper()
	if res.Document == nil || res.Document.Arazzo != TargetVersion {
		t.Fatalf("%s: the upgraded document does not declare %s", file, TargetVersion)
	}
	if len(res.Changes) == 0 || res.Changes[0].Rule != RuleVersion {
		t.Errorf("%s: the first change must be the version: %v", file, res.Changes)
	}
	again, err := Document(res.Document)
	if err != nil || !again.Already || string(again.Text) != string(res.Text) {
		t.Errorf("%s: upgrading the upgraded document must do nothing: %v", file, err)
	}
	changed := map[int]bool{}
	for _, c := range res.Changes {
		changed[c.Range.Start.Line] = true
	}
	for _, l := range lineDiff(string(doc.Src), string(res.Text)) {
		if l.op == '+' && !changed[l.line] {
			t.Errorf("%s: line %d changed but no change is listed there: %q", file, l.line, l.text)
		}
	}
}

// golden compares got with the file, or rewrites it with -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		var diff []string
		for _, l := range lineDiff(string(want), got) {
			diff = append(diff, fmt.Sprintf("%c %s", l.op, l.text))
		}
		t.Errorf("%s differs (want -, got +; go test -update rewrites it):\n%s", file, strings.Join(diff, "\n"))
	}
}

// diffLine is one line of a line diff: '-' a line of the first text, '+'
// a line of the second; line is its number in its text.
type diffLine struct {
	op   byte
	line int
	text string
}

// lineDiff is the line diff of a and b (longest common subsequence).
func lineDiff(a, b string) []diffLine {
	x, y := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	n, m := len(x), len(y)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []diffLine
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, diffLine{'-', i + 1, strings.TrimSuffix(x[i], "\n")})
			i++
		default:
			out = append(out, diffLine{'+', j + 1, strings.TrimSuffix(y[j], "\n")})
			j++
		}
	}
	return out
}

// TestGoldenDiff: the line diff between each document and its upgrade
// holds exactly the intended edits (testdata/golden/*.diff; go test
// -update rewrites them): the two Stytch seeds, whose only change is the
// version, and the documents that exercise every rewrite, in YAML and in
// JSON.
func TestGoldenDiff(t *testing.T) {
	for _, f := range []string{
		"../../specs/stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml",
		"../../specs/stytch/arazzo/stytch-b2b-totp-enrollment-workflow.yml",
		"testdata/every-rewrite.arazzo.yaml",
		"testdata/every-rewrite.arazzo.json",
	} {
		t.Run(filepath.Base(f), func(t *testing.T) {
			root := filepath.Dir(f)
			if strings.Contains(f, "stytch") {
				root = "../.."
			}
			doc, ds := arazzo.Load(context.Background(), f, arazzo.WithRoot(root))
			if doc == nil {
				t.Fatal(ds)
			}
			res, err := Document(doc, WithLoadDiagnostics(ds))
			if err != nil {
				t.Fatal(err)
			}
			if !res.Clean() {
				t.Errorf("manual fixes left: %v", res.Manual)
			}
			var b strings.Builder
			for _, l := range lineDiff(string(doc.Src), string(res.Text)) {
				fmt.Fprintf(&b, "%c%d: %s\n", l.op, l.line, l.text)
			}
			b.WriteString("changes:\n")
			for _, c := range res.Changes {
				fmt.Fprintf(&b, "  %d:%d %s: %s -> %s\n", c.Range.Start.Line, c.Range.Start.Column, c.Rule, c.Old, c.New)
			}
			golden(t, filepath.Join("testdata/golden", filepath.Base(f)+".diff"), b.String())
		})
	}
}
