package mock

import (
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendJSON appends v (JSON data model) as compact JSON with sorted object
// keys and no HTML escaping, the bytes encoding/json with SetEscapeHTML(false)
// produces, but without reflection. Where p has an edit, the edited string
// replaces the value (see echoBody).
func appendJSON(b []byte, v any, p *patch) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		return appendString(b, x)
	case float64:
		return appendFloat(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e, p.child(i))
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			if s, ok := p.edit(k); ok {
				b = appendString(b, s)
				continue
			}
			b = appendJSON(b, x[k], p.child(k))
		}
		return append(b, '}')
	}
	// Not JSON data model (cannot happen after normalize): encode as a string.
	return appendString(b, "")
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, "null"...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 -> e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// patch is a tree of string edits applied while encoding.
type patch struct {
	edits    map[string]string
	children map[any]*patch
}

func (p *patch) child(k any) *patch {
	if p == nil {
		return nil
	}
	return p.children[k]
}

func (p *patch) edit(k string) (string, bool) {
	if p == nil {
		return "", false
	}
	s, ok := p.edits[k]
	return s, ok
}

func (p *patch) set(path []any, key, value string) {
	n := p
	for _, k := range path {
		c := n.children[k]
		if c == nil {
			c = &patch{}
			if n.children == nil {
				n.children = map[any]*patch{}
			}
			n.children[k] = c
		}
		n = c
	}
	if n.edits == nil {
		n.edits = map[string]string{}
	}
	n.edits[key] = value
}

// apply returns v with p's edits, copying only the objects and arrays on
// the edited paths (v is not modified).
func (p *patch) apply(v any) any {
	if p == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = p.child(k).apply(e)
		}
		for k, s := range p.edits {
			if _, ok := out[k]; ok {
				out[k] = s
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = p.child(i).apply(e)
		}
		return out
	}
	return v
}
