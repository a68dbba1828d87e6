package diag

import (
	"strings"
	"testing"
)

func TestFormatCaret(t *testing.T) {
	src := []byte("a: 1\n  stepId: lsit\n")
	d := &Diagnostic{Severity: Error, Code: "unknown-step", Message: `no step "lsit"`, Range: Range{File: "f.yaml", Start: Pos{Line: 2, Column: 11}}}
	want := "f.yaml:2:11: error: no step \"lsit\" [unknown-step]\n 2 |   stepId: lsit\n   |           ^"
	if got := Format(d, src); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestFormatEscapesControls: terminal escape sequences in a document or a
// message never reach the terminal (issue 15).
func TestFormatEscapesControls(t *testing.T) {
	src := []byte("title: \x1b]0;pwned\x07\x1b[2J x\n")
	d := &Diagnostic{Message: "bad \x1b[31mred\x1b[0m \xff", Range: Range{File: "f", Start: Pos{Line: 1, Column: 23}}}
	got := Format(d, src)
	if strings.ContainsAny(got, "\x1b\x07") || strings.Contains(got, "\xff") {
		t.Fatalf("raw control bytes in %q", got)
	}
	if !strings.Contains(got, `\x1b]0;pwned\x07`) || !strings.Contains(got, `bad \x1b[31mred`) || !strings.Contains(got, `\xff`) {
		t.Errorf("escaped forms missing: %q", got)
	}
	lines := strings.Split(got, "\n")
	// The caret stays under the byte the column names ("x" after the escapes).
	caret := strings.Index(lines[2], "^") - strings.Index(lines[2], "|") - 2
	srcLine := lines[1][strings.Index(lines[1], "|")+2:]
	if r := []rune(srcLine); caret >= len(r) || r[caret] != 'x' {
		t.Errorf("caret at %d under %q", caret, srcLine)
	}
}

// TestFormatCutsLongLines: a 5 MB line prints as a window around the caret.
func TestFormatCutsLongLines(t *testing.T) {
	line := strings.Repeat("a", 5<<20) + "X" + strings.Repeat("b", 1000)
	d := &Diagnostic{Message: strings.Repeat("m", 10000), Range: Range{File: "f", Start: Pos{Line: 1, Column: 5<<20 + 1}}}
	got := Format(d, []byte(line))
	if len(got) > MaxMessageBytes+3*MaxSnippetWidth+200 {
		t.Fatalf("output is %d bytes", len(got))
	}
	lines := strings.Split(got, "\n")
	if !strings.Contains(lines[0], "more bytes") || !strings.HasPrefix(lines[1][strings.Index(lines[1], "|")+2:], "…") {
		t.Errorf("cuts not marked: %.300q", got)
	}
	caret := strings.Index(lines[2], "^") - strings.Index(lines[2], "|") - 2
	if r := []rune(lines[1][strings.Index(lines[1], "|")+2:]); r[caret] != 'X' {
		t.Errorf("caret under %q", r[caret])
	}
}
