package diag

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a source file. Line and Column are 1-based (Column
// counts bytes); Byte is the 0-based byte offset. The zero Pos is unknown.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// IsValid reports whether p names a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Range is a span of a source file. End is exclusive and may be the zero Pos
// when only the start is known.
type Range struct {
	File  string `json:"file,omitempty"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end"`
}

// String renders r as "file:line:col" (or fewer parts when unknown).
func (r Range) String() string {
	switch {
	case r.File == "" && !r.Start.IsValid():
		return "<unknown>"
	case !r.Start.IsValid():
		return r.File
	case r.File == "":
		return fmt.Sprintf("%d:%d", r.Start.Line, r.Start.Column)
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Start.Line, r.Start.Column)
}

// Severity ranks a diagnostic.
type Severity uint8

const (
	// Error means the document cannot be run as written.
	Error Severity = iota
	// Warning flags something suspicious that does not prevent running.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// MarshalText renders the severity as "error" or "warning".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses "error" or "warning".
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	default:
		return fmt.Errorf("diag: unknown severity %q", b)
	}
	return nil
}

// Diagnostic is one finding about a document.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	// Code is a stable, kebab-case identifier of the rule (e.g.
	// "duplicate-step-id"); tools and tests match on it.
	Code    string `json:"code"`
	Message string `json:"message"`
	Range   Range  `json:"range"`
}

// Error renders "file:line:col: severity: message [code]".
func (d *Diagnostic) Error() string {
	var b strings.Builder
	if d.Range.File != "" || d.Range.Start.IsValid() {
		b.WriteString(d.Range.String())
		b.WriteString(": ")
	}
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	b.WriteString(d.Message)
	if d.Code != "" {
		b.WriteString(" [")
		b.WriteString(d.Code)
		b.WriteString("]")
	}
	return b.String()
}

// Is matches another *Diagnostic by code, so errors.Is(err, &diag.Diagnostic{Code: "x"}) works.
func (d *Diagnostic) Is(target error) bool {
	t, ok := target.(*Diagnostic)
	return ok && t.Code != "" && t.Code == d.Code
}

// Diagnostics is an ordered list of findings. It implements error.
type Diagnostics []*Diagnostic

// Errorf appends an error diagnostic.
func (ds *Diagnostics) Errorf(r Range, code, format string, args ...any) {
	*ds = append(*ds, &Diagnostic{Severity: Error, Code: code, Message: fmt.Sprintf(format, args...), Range: r})
}

// Warnf appends a warning diagnostic.
func (ds *Diagnostics) Warnf(r Range, code, format string, args ...any) {
	*ds = append(*ds, &Diagnostic{Severity: Warning, Code: code, Message: fmt.Sprintf(format, args...), Range: r})
}

// Extend appends other to ds and returns the result.
func (ds Diagnostics) Extend(other Diagnostics) Diagnostics { return append(ds, other...) }

// HasErrors reports whether any diagnostic is an Error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the error diagnostics.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Err returns ds as an error when it holds at least one Error, else nil.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}

// Error joins the diagnostics, one per line.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Unwrap exposes each diagnostic to errors.Is and errors.As.
func (ds Diagnostics) Unwrap() []error {
	out := make([]error, len(ds))
	for i, d := range ds {
		out[i] = d
	}
	return out
}

// Sort orders diagnostics by file, line and column, keeping the original
// order between equal positions.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Range, ds[j].Range
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Start.Line != b.Start.Line {
			return a.Start.Line < b.Start.Line
		}
		return a.Start.Column < b.Start.Column
	})
}

// HasCode reports whether any diagnostic carries code.
func (ds Diagnostics) HasCode(code string) bool {
	return errors.Is(ds, &Diagnostic{Code: code})
}

// WithCode returns the diagnostics that carry code.
func (ds Diagnostics) WithCode(code string) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Code == code {
			out = append(out, d)
		}
	}
	return out
}

// Text output limits of Format: a source line is shown in a window of
// MaxSnippetWidth columns around the caret, a message up to MaxMessageBytes.
const (
	MaxSnippetWidth = 160
	MaxMessageBytes = 2000
)

// Format renders d with the offending source line and a caret under the
// column, as compilers do. src is the content of d.Range.File; when it is nil
// or the line is out of range only the header line is written.
//
// Format is for terminals: control characters and invalid UTF-8 in the
// message and the line are escaped (\x1b, never an escape sequence), a
// long line is cut to a window of MaxSnippetWidth columns around the caret
// and a long message to MaxMessageBytes, each cut marked with "…".
func Format(d *Diagnostic, src []byte) string {
	head, _ := escape(d.Error(), -1)
	if len(head) > MaxMessageBytes {
		cut := MaxMessageBytes
		for cut > 0 && !utf8.RuneStart(head[cut]) {
			cut--
		}
		head = fmt.Sprintf("%s… (%d more bytes)", head[:cut], len(head)-cut)
	}
	line := d.Range.Start.Line
	if src == nil || line <= 0 {
		return head
	}
	text, ok := sourceLine(src, line)
	if !ok {
		return head
	}
	col := d.Range.Start.Column
	if col < 1 {
		col = 1
	}
	shown, caretAt := escape(text, col-1)
	shown, caretAt = window(shown, caretAt, MaxSnippetWidth)
	num := fmt.Sprint(line)
	pad := strings.Repeat(" ", len(num))
	// Keep tabs in the caret line so it lines up under the source.
	var caret strings.Builder
	n := 0
	for _, r := range shown {
		if n >= caretAt {
			break
		}
		if r == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
		n++
	}
	return fmt.Sprintf("%s\n %s | %s\n %s | %s^", head, num, shown, pad, caret.String())
}

// escape makes text safe for a terminal: control characters (but tab),
// DEL, C1 controls and invalid UTF-8 bytes are written as \xNN or \u00NN.
// It also returns the rune index in the result of byte offset at in text
// (-1: not asked).
func escape(text string, at int) (string, int) {
	var b strings.Builder
	runeAt, runes := -1, 0
	for i := 0; i < len(text); {
		if i >= at && runeAt < 0 && at >= 0 {
			runeAt = runes
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		var piece string
		switch {
		case r == utf8.RuneError && size <= 1:
			piece = fmt.Sprintf("\\x%02x", text[i])
		case r == '\t':
			piece = "\t"
		case r < 0x20 || r == 0x7f:
			piece = fmt.Sprintf("\\x%02x", r)
		case r >= 0x80 && r < 0xa0, r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			// C1 controls, line separators and bidirectional overrides.
			piece = fmt.Sprintf("\\u%04x", r)
		default:
			piece = text[i : i+size]
		}
		b.WriteString(piece)
		runes += utf8.RuneCountInString(piece)
		i += size
	}
	if runeAt < 0 && at >= 0 {
		runeAt = runes
	}
	return b.String(), runeAt
}

// window cuts text (of runes) to width runes around at, marking the cuts
// with "…", and returns at's new index.
func window(text string, at, width int) (string, int) {
	rs := []rune(text)
	if len(rs) <= width {
		return text, at
	}
	start := max(0, at-width/2)
	end := min(len(rs), start+width)
	start = max(0, end-width)
	out := string(rs[start:end])
	if start > 0 {
		out = "…" + out
		at = at - start + 1
	}
	if end < len(rs) {
		out += "…"
	}
	return out, at
}
func sourceLine(src []byte, line int) (string, bool) {
	n := 1
	start := 0
	for i := 0; i < len(src) && n < line; i++ {
		if src[i] == '\n' {
			n++
			start = i + 1
		}
	}
	if n != line || start > len(src) {
		return "", false
	}
	end := start
	for end < len(src) && src[end] != '\n' {
		end++
	}
	return strings.TrimRight(string(src[start:end]), "\r"), true
}
