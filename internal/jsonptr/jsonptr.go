package jsonptr

import (
	"fmt"
	"strings"
)

// Pointer is a parsed JSON Pointer: its reference tokens, unescaped. The
// empty (or nil) Pointer designates the whole document.
type Pointer []string

// SyntaxError reports a malformed pointer. Offset is the byte offset of the
// problem in the text given to Parse or ParseFragment.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Error reports a failed Set. Token is the index in the pointer of the token
// where the problem was found.
type Error struct {
	Pointer string
	Token   int
	Msg     string
}

func (e *Error) Error() string { return fmt.Sprintf("json pointer %q: %s", e.Pointer, e.Msg) }

// Parse parses the string form of a JSON Pointer: either "" (the whole
// document) or a sequence of "/"-prefixed reference tokens in which "~0"
// stands for "~" and "~1" for "/". Any other use of "~" is an error.
func Parse(s string) (Pointer, error) {
	if s == "" {
		return Pointer{}, nil
	}
	if s[0] != '/' {
		return nil, &SyntaxError{0, `a JSON pointer must be empty or start with "/"`}
	}
	p := make(Pointer, 0, strings.Count(s, "/"))
	start := 1
	for i := 1; i <= len(s); i++ {
		if i < len(s) && s[i] != '/' {
			continue
		}
		tok, err := unescape(s[start:i], start)
		if err != nil {
			return nil, err
		}
		p = append(p, tok)
		start = i + 1
	}
	return p, nil
}

// unescape decodes ~0 and ~1 in tok; base is tok's offset for errors. It
// returns tok itself (no allocation) when there is nothing to decode.
func unescape(tok string, base int) (string, error) {
	i := strings.IndexByte(tok, '~')
	if i < 0 {
		return tok, nil
	}
	var b strings.Builder
	b.Grow(len(tok))
	b.WriteString(tok[:i])
	for ; i < len(tok); i++ {
		c := tok[i]
		if c != '~' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(tok) {
			return "", &SyntaxError{base + i, `"~" at the end of a token (only "~0" and "~1" are allowed)`}
		}
		switch tok[i+1] {
		case '0':
			b.WriteByte('~')
		case '1':
			b.WriteByte('/')
		default:
			return "", &SyntaxError{base + i, fmt.Sprintf("invalid escape %q (only \"~0\" and \"~1\" are allowed)", tok[i:i+2])}
		}
		i++
	}
	return b.String(), nil
}

// ParseFragment parses the URI fragment form of a JSON Pointer (RFC 6901
// §6): an optional leading "#", then the string form in which any byte may be
// percent-encoded. Offsets in errors refer to s.
func ParseFragment(s string) (Pointer, error) {
	base := 0
	if strings.HasPrefix(s, "#") {
		base = 1
		s = s[1:]
	}
	if strings.IndexByte(s, '%') < 0 {
		p, err := Parse(s)
		if err != nil {
			err.(*SyntaxError).Offset += base
		}
		return p, err
	}
	// Percent-decode token by token so that "%2F" stays inside its token.
	if s != "" && s[0] != '/' {
		return nil, &SyntaxError{base, `a JSON pointer must be empty or start with "/"`}
	}
	p := make(Pointer, 0, strings.Count(s, "/"))
	start := 1
	for i := 1; i <= len(s); i++ {
		if i < len(s) && s[i] != '/' {
			continue
		}
		raw := s[start:i]
		dec, err := percentDecode(raw, base+start)
		if err != nil {
			return nil, err
		}
		tok, err := unescape(dec, base+start)
		if err != nil {
			// Offsets inside a decoded token are approximate; point at the token.
			err.(*SyntaxError).Offset = base + start
			return nil, err
		}
		p = append(p, tok)
		start = i + 1
	}
	return p, nil
}

func percentDecode(s string, base int) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
			return "", &SyntaxError{base + i, "invalid percent-encoding"}
		}
		b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
		i += 2
	}
	return string(b), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// MustParse is Parse that panics on error; for constants in tests and
// examples.
func MustParse(s string) Pointer {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the string form of p ("" for the whole document).
func (p Pointer) String() string {
	n := 0
	for _, t := range p {
		n += 1 + len(t)
	}
	var b strings.Builder
	b.Grow(n)
	for _, t := range p {
		b.WriteByte('/')
		if !strings.ContainsAny(t, "~/") {
			b.WriteString(t)
			continue
		}
		for i := 0; i < len(t); i++ {
			switch t[i] {
			case '~':
				b.WriteString("~0")
			case '/':
				b.WriteString("~1")
			default:
				b.WriteByte(t[i])
			}
		}
	}
	return b.String()
}

// Get returns the value p designates in doc. It reports false when a member
// or element is missing, or when the path runs through a value that is not
// an object or array.
func (p Pointer) Get(doc any) (any, bool) {
	cur := doc
	for _, tok := range p {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, ok := Index(tok, len(c))
			if !ok || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Index parses tok as an RFC 6901 array index: "0" or a decimal number with
// no leading zero, sign or other characters. It reports false for anything
// else, including "-", and for values larger than max (so that huge numbers
// never overflow).
func Index(tok string, max int) (int, bool) {
	if tok == "" || len(tok) > 1 && tok[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}

// Set returns a copy of doc in which the location p designates holds value.
// doc itself is never modified: the objects and arrays along the path are
// shallow-copied and everything else is shared with doc. The empty pointer
// replaces the whole document. A missing final object member is added; an
// array index must address an existing element, and "-" appends. A missing
// parent, or a parent that is not an object or array, is an error.
func (p Pointer) Set(doc any, value any) (any, error) {
	return p.set(doc, value, 0, false)
}

// SetCreate is Set that also creates what is missing along the path: a
// missing member, or a null, before the last token becomes an empty object,
// so that "/a/b/c" can be set in {} (or in nil). Array indexes must still
// be in range.
func (p Pointer) SetCreate(doc any, value any) (any, error) {
	return p.set(doc, value, 0, true)
}

func (p Pointer) set(cur any, value any, depth int, create bool) (any, error) {
	if depth == len(p) {
		return value, nil
	}
	tok := p[depth]
	last := depth == len(p)-1
	if cur == nil && create {
		cur = map[string]any{}
	}
	switch c := cur.(type) {
	case map[string]any:
		child, ok := c[tok]
		if !ok && !last && !create {
			return nil, p.errAt(depth, fmt.Sprintf("member %q does not exist", tok))
		}
		nv, err := p.set(child, value, depth+1, create)
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(c)+1)
		for k, v := range c {
			m[k] = v
		}
		m[tok] = nv
		return m, nil
	case []any:
		if tok == "-" {
			if !last {
				return nil, p.errAt(depth, `"-" (past the last element) has no members`)
			}
			s := make([]any, len(c), len(c)+1)
			copy(s, c)
			return append(s, value), nil
		}
		i, ok := Index(tok, len(c))
		if !ok {
			return nil, p.errAt(depth, fmt.Sprintf("%q is not an array index", tok))
		}
		if i >= len(c) {
			return nil, p.errAt(depth, fmt.Sprintf("index %d out of range (length %d)", i, len(c)))
		}
		nv, err := p.set(c[i], value, depth+1, create)
		if err != nil {
			return nil, err
		}
		s := make([]any, len(c))
		copy(s, c)
		s[i] = nv
		return s, nil
	case nil:
		return nil, p.errAt(depth, "parent is null")
	default:
		return nil, p.errAt(depth, fmt.Sprintf("parent is a %s, not an object or array", typeName(cur)))
	}
}

func (p Pointer) errAt(tok int, msg string) *Error {
	if tok > len(p) {
		tok = len(p)
	}
	return &Error{Pointer: p.String(), Token: tok, Msg: msg}
}

func typeName(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64, float32, int, int64, int32, uint, uint64, uint32:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// Lookup returns the value the pointer text ptr designates in doc; false
// when ptr does not parse or designates nothing.
func Lookup(doc any, ptr string) (any, bool) {
	p, err := Parse(ptr)
	if err != nil {
		return nil, false
	}
	return p.Get(doc)
}

// EscapeToken escapes one reference token: "~" as "~0", "/" as "~1".
func EscapeToken(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}
