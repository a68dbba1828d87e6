package upgrade

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// sub replaces value[a:b] of a scalar with text.
type sub struct {
	a, b int
	text string
}

// errOverlap is an internal error: two edits touch the same bytes.
var errOverlap = errors.New("overlapping edits")

// apply returns src with the edits made (sorted by start; they must not
// overlap).
func apply(src []byte, edits []edit) ([]byte, error) {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b bytes.Buffer
	b.Grow(len(src) + 64)
	last := 0
	for _, e := range edits {
		if e.start < last || e.end < e.start || e.end > len(src) {
			return nil, errOverlap
		}
		b.Write(src[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.Write(src[last:])
	return b.Bytes(), nil
}

// shift maps an offset of the original text to the upgraded text.
func shift(edits []edit, off int) int {
	d := 0
	for _, e := range edits {
		switch {
		case e.end <= off && e.start < off:
			d += len(e.text) - (e.end - e.start)
		case e.start <= off && off < e.end:
			return e.start + d + min(off-e.start, len(e.text))
		}
	}
	return off + d
}

// applySubs returns v with the substitutions made.
func applySubs(v string, subs []sub) string {
	var b strings.Builder
	last := 0
	for _, s := range subs {
		b.WriteString(v[last:s.a])
		b.WriteString(s.text)
		last = s.b
	}
	b.WriteString(v[last:])
	return b.String()
}

// scalarEdits are the edits that rewrite scalar n's value with subs:
// each substitution in place when the style allows it, so that the rest of
// the scalar stays as written (escapes, folding, comments around it), else
// the whole scalar, in its style or the plainest safe one.
func (s *source) scalarEdits(n *yaml.Node, subs []sub) ([]edit, error) {
	t, err := s.scalar(n)
	if err != nil {
		return nil, err
	}
	v := n.Value
	nv := applySubs(v, subs)
	if edits, ok := s.inPlace(n, t, subs, nv); ok {
		return edits, nil
	}
	if t.end < 0 {
		return nil, errLocate // a block scalar is only edited in place
	}
	return []edit{{start: t.start, end: t.end, text: s.render(n, nv)}}, nil
}

// inPlace makes one edit per substitution, each covering the bytes it
// changes and one unchanged byte on each side (which locates an insertion),
// when those bytes were written as they are and the new text fits the
// scalar's style.
func (s *source) inPlace(n *yaml.Node, t *scalarText, subs []sub, nv string) ([]edit, bool) {
	v := n.Value
	for _, sb := range subs {
		if !s.fits(n, sb.text) {
			return nil, false
		}
	}
	if !s.json && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && !plainSafe(nv, s.flow[n]) {
		return nil, false
	}
	var out []edit
	for _, sb := range subs {
		a0, b0 := sb.a, sb.b
		if a0 > 0 {
			a0--
		}
		if b0 < len(v) {
			b0++
		}
		if a0 == b0 {
			return nil, false
		}
		for k := a0; k < b0; k++ {
			if t.at[k] < 0 || k > a0 && t.at[k] != t.at[k-1]+1 {
				return nil, false
			}
		}
		out = append(out, edit{start: t.at[a0], end: t.at[b0-1] + 1, text: v[a0:sb.a] + sb.text + v[sb.b:b0]})
	}
	for i := 1; i < len(out); i++ {
		if out[i].start < out[i-1].end {
			return nil, false
		}
	}
	return out, true
}

// fits reports whether text may be written as it is inside scalar n.
func (s *source) fits(n *yaml.Node, text string) bool {
	if !utf8.ValidString(text) || strings.ContainsAny(text, "\n\r") {
		return false
	}
	for _, r := range text {
		if !printable(r) || r == '\t' {
			return false
		}
	}
	switch {
	case s.json || n.Style&yaml.DoubleQuotedStyle != 0:
		return !strings.ContainsAny(text, "\"\\") && !strings.ContainsRune(text, '\u2028') && !strings.ContainsRune(text, '\u2029')
	case n.Style&yaml.SingleQuotedStyle != 0:
		return !strings.Contains(text, "'")
	}
	return true
}

// render writes value v as a scalar in the style of n when it can hold v,
// else in the plainest style that can.
func (s *source) render(n *yaml.Node, v string) string {
	switch {
	case s.json:
		return jsonQuote(v)
	case n.Style&yaml.DoubleQuotedStyle != 0:
	case n.Style&yaml.SingleQuotedStyle != 0 && singleSafe(v):
		return singleQuote(v)
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && plainSafe(v, s.flow[n]):
		return v
	case singleSafe(v):
		return singleQuote(v)
	}
	return jsonQuote(v) // a JSON string is a YAML double-quoted scalar
}

func jsonQuote(v string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

func singleQuote(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// singleSafe reports whether v can be written single-quoted on one line.
func singleSafe(v string) bool {
	if !utf8.ValidString(v) || strings.ContainsAny(v, "\n\r") {
		return false
	}
	for _, r := range v {
		if !printable(r) {
			return false
		}
	}
	return !strings.HasPrefix(v, " ") && !strings.HasSuffix(v, " ")
}

// printable reports whether r is in YAML's printable set.
func printable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r == 0x85 || r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF || r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// plainSafe reports whether v can be written as a plain scalar (in a flow
// collection when flow) and read back as the same string.
func plainSafe(v string, flow bool) bool {
	if v == "" || !singleSafe(v) || strings.ContainsAny(v, "\t") {
		return false
	}
	if strings.ContainsAny(v[:1], ",[]{}#&*!|>'\"%@`") {
		return false
	}
	if strings.ContainsAny(v[:1], "-?:") && (len(v) == 1 || v[1] == ' ') {
		return false
	}
	if strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.HasSuffix(v, ":") {
		return false
	}
	if flow && strings.ContainsAny(v, ",[]{}") {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(v), &n); err != nil || n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
		return false
	}
	c := n.Content[0]
	return c.Kind == yaml.ScalarNode && c.Style == 0 && c.ShortTag() == "!!str" && c.Value == v
}

// lineBounds returns the offsets where the line holding off starts and
// where it ends (after its line break, or at the end of the text).
func lineBounds(src []byte, off int) (start, end int) {
	start = bytes.LastIndexByte(src[:off], '\n') + 1
	end = bytes.IndexByte(src[off:], '\n')
	if end < 0 {
		return start, len(src)
	}
	return start, off + end + 1
}

// deletePair returns the edit that removes the pair i (key and scalar
// value) of mapping m, with the separator and the line it is on when it
// has one to itself.
func (s *source) deletePair(m *yaml.Node, i int) (edit, error) {
	k, v := m.Content[2*i], m.Content[2*i+1]
	vt, err := s.scalar(v)
	if err != nil || vt.end < 0 {
		return edit{}, errLocate
	}
	ks, ve := s.start(k), vt.end
	pairs := len(m.Content) / 2
	if s.json || s.flow[m] {
		if i > 0 {
			// From the comma after the previous value.
			j := ks - 1
			for j >= 0 && isSpace(s.src[j]) {
				j--
			}
			if j < 0 || s.src[j] != ',' {
				return edit{}, errLocate
			}
			return edit{start: j, end: ve}, nil
		}
		if pairs > 1 {
			return edit{start: ks, end: s.start(m.Content[2])}, nil
		}
		return edit{}, errLocate
	}
	ls, _ := lineBounds(s.src, ks)
	_, le := lineBounds(s.src, max(ve-1, ks))
	before := strings.TrimLeft(string(s.src[ls:ks]), " ")
	after := strings.TrimSpace(string(s.src[ve:le]))
	if before == "" && (after == "" || strings.HasPrefix(after, "#")) {
		return edit{start: ls, end: le}, nil
	}
	if i+1 < pairs {
		return edit{start: ks, end: s.start(m.Content[2*i+2])}, nil
	}
	return edit{}, errLocate
}
