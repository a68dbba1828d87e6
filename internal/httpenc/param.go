package httpenc

import (
	"strings"
)

// Param describes how one OpenAPI parameter is serialized.
type Param struct {
	Name string
	// In is path, query, header or cookie. It is informational: each
	// method (Path, Query, Header, Cookie) applies its own location's rules.
	In string
	// Style is the OpenAPI style; "" means the location's default (path and
	// header: simple; query and cookie: form).
	Style string
	// Explode nil means the style's default (true for form, else false).
	Explode *bool
	// AllowReserved keeps RFC 3986 reserved characters unescaped in query
	// names and values (EncodeQuery).
	AllowReserved bool
}

// Styles.
const (
	StyleMatrix         = "matrix"
	StyleLabel          = "label"
	StyleSimple         = "simple"
	StyleForm           = "form"
	StyleSpaceDelimited = "spaceDelimited"
	StylePipeDelimited  = "pipeDelimited"
	StyleDeepObject     = "deepObject"
)

func (p Param) style(def string) string {
	if p.Style == "" {
		return def
	}
	return p.Style
}

func (p Param) explode(style string) bool {
	if p.Explode != nil {
		return *p.Explode
	}
	return style == StyleForm
}

func (p Param) err(op, reason string, err error) *Error {
	return &Error{Op: op, Param: p.Name, Reason: reason, Err: err}
}

// Path returns the text that replaces "{name}" in a path template,
// percent-escaped (everything but RFC 3986 unreserved characters is escaped
// inside names, values, keys; the style's delimiters are literal). Styles:
// simple (default), label, matrix.
//
// A nil value, "", [] and {} are "empty": simple gives "", label ".",
// matrix ";name". AllowReserved is ignored: a path segment never carries
// reserved characters unescaped.
func (p Param) Path(v any) (string, error) {
	style := p.style(StyleSimple)
	f, err := flatten(v)
	if err != nil {
		return "", p.err("path", "cannot serialize value", err)
	}
	explode := p.explode(style)
	esc := pathEscape
	if f.shape != shapeEmpty && len(f.items) == 0 && len(f.members) == 0 && f.shape != shapePrimitive {
		f.shape = shapeEmpty
	}
	var sb strings.Builder
	switch style {
	case StyleSimple:
		writeList(&sb, f, ",", explode, esc)
	case StyleLabel:
		sb.WriteByte('.')
		sep := ","
		if explode {
			sep = "."
		}
		writeList(&sb, f, sep, explode, esc)
	case StyleMatrix:
		name := esc(p.Name)
		switch {
		case f.shape == shapeEmpty:
			sb.WriteString(";" + name)
		case f.shape == shapePrimitive:
			sb.WriteString(";" + name)
			if f.prim != "" {
				sb.WriteString("=" + esc(f.prim))
			}
		case explode && f.shape == shapeArray:
			for _, it := range f.items {
				sb.WriteString(";" + name + "=" + esc(it))
			}
		case explode: // object
			for _, m := range f.members {
				sb.WriteString(";" + esc(m.key) + "=" + esc(m.val))
			}
		default:
			sb.WriteString(";" + name + "=")
			writeList(&sb, f, ",", false, esc)
		}
	default:
		return "", p.err("path", "style "+quote(style)+" is not allowed in a path (simple, label, matrix)", nil)
	}
	return sb.String(), nil
}

// writeList writes a primitive, the items of an array or the members of an
// object joined by sep; exploded objects write key=value.
func writeList(sb *strings.Builder, f flat, sep string, explode bool, esc func(string) string) {
	switch f.shape {
	case shapePrimitive:
		sb.WriteString(esc(f.prim))
	case shapeArray:
		for i, it := range f.items {
			if i > 0 {
				sb.WriteString(sep)
			}
			sb.WriteString(esc(it))
		}
	case shapeObject:
		for i, m := range f.members {
			if i > 0 {
				sb.WriteString(sep)
			}
			sb.WriteString(esc(m.key))
			if explode {
				sb.WriteByte('=')
			} else {
				sb.WriteString(sep)
			}
			sb.WriteString(esc(m.val))
		}
	}
}

// QueryPair is one name=value pair of a query string, unescaped. Pass pairs
// to EncodeQuery to build the query string.
type QueryPair struct {
	Name  string
	Value string
	// AllowReserved is copied from the Param.
	AllowReserved bool
	// parts, when set, are the items Value joins with sep; EncodeQuery
	// escapes each item and writes sep as a delimiter.
	parts []string
	sep   byte
}

// Query serializes a query parameter into name/value pairs (unescaped).
// Styles: form (default; explode default true), spaceDelimited,
// pipeDelimited, deepObject.
//
//   - form: a primitive (nil and "" included) gives name=value; an array
//     gives name=a&name=b (explode) or name=a,b; an object gives k=v&k2=v2
//     (explode) or name=k,v,k2,v2. An empty array or object gives no pair
//     when exploded, name= otherwise.
//   - spaceDelimited / pipeDelimited: arrays and objects joined with " " or
//     "|" (explode false, the spec's case); exploded, they behave like form;
//     a primitive is a one-item list.
//   - deepObject: an object gives name[k]=v (explode is ignored); nested
//     objects nest brackets (name[k][k2]=v) and nested arrays repeat the
//     pair; nil gives no pair; a primitive or array is an error.
//
// Object members are in sorted key order. Items and member values that are
// arrays or objects are JSON-serialized (except under deepObject).
func (p Param) Query(v any) ([]QueryPair, error) {
	style := p.style(StyleForm)
	if style == StyleDeepObject {
		return p.deepObject(v)
	}
	f, err := flatten(v)
	if err != nil {
		return nil, p.err("query", "cannot serialize value", err)
	}
	explode := p.explode(style)
	var sep byte
	switch style {
	case StyleForm:
		sep = ','
	case StyleSpaceDelimited:
		sep = ' '
	case StylePipeDelimited:
		sep = '|'
	default:
		return nil, p.err("query", "style "+quote(style)+" is not allowed in a query (form, spaceDelimited, pipeDelimited, deepObject)", nil)
	}
	pair := func(name, value string) QueryPair {
		return QueryPair{Name: name, Value: value, AllowReserved: p.AllowReserved}
	}
	list := func(parts []string) []QueryPair {
		qp := pair(p.Name, strings.Join(parts, string(sep)))
		qp.parts, qp.sep = parts, sep
		return []QueryPair{qp}
	}
	switch f.shape {
	case shapeEmpty:
		return []QueryPair{pair(p.Name, "")}, nil
	case shapePrimitive:
		return []QueryPair{pair(p.Name, f.prim)}, nil
	case shapeArray:
		if explode {
			out := make([]QueryPair, len(f.items))
			for i, it := range f.items {
				out[i] = pair(p.Name, it)
			}
			return out, nil
		}
		return list(f.items), nil
	default:
		if explode {
			out := make([]QueryPair, len(f.members))
			for i, m := range f.members {
				out[i] = pair(m.key, m.val)
			}
			return out, nil
		}
		parts := make([]string, 0, 2*len(f.members))
		for _, m := range f.members {
			parts = append(parts, m.key, m.val)
		}
		return list(parts), nil
	}
}

func (p Param) deepObject(v any) ([]QueryPair, error) {
	v = normalize(v)
	if v == nil {
		return nil, nil
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, p.err("query", "style deepObject needs an object value", nil)
	}
	var out []QueryPair
	var walk func(prefix string, v any, depth int) error
	walk = func(prefix string, v any, depth int) error {
		if depth > 64 {
			return p.err("query", "value nested too deeply", nil)
		}
		switch x := normalize(v).(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				if err := walk(prefix+"["+k+"]", x[k], depth+1); err != nil {
					return err
				}
			}
		case []any:
			for _, e := range x {
				s, err := text(normalize(e))
				if err != nil {
					return p.err("query", "cannot serialize value", err)
				}
				out = append(out, QueryPair{Name: prefix, Value: s, AllowReserved: p.AllowReserved})
			}
		default:
			s, ok, err := scalar(x)
			if err != nil || !ok {
				return p.err("query", "cannot serialize value", err)
			}
			out = append(out, QueryPair{Name: prefix, Value: s, AllowReserved: p.AllowReserved})
		}
		return nil
	}
	if err := walk(p.Name, v, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// EncodeQuery joins pairs into a query string (without "?"), escaping names
// and values per RFC 3986: everything but unreserved characters is
// percent-encoded (space as %20). With AllowReserved, reserved characters
// and existing %XX escapes are kept, except "#", which would end the query.
// The delimiters of form (","), spaceDelimited ("%20") and pipeDelimited
// ("%7C") lists are written as delimiters, so a delimiter inside an item
// stays escaped.
func EncodeQuery(pairs []QueryPair) string {
	var sb strings.Builder
	for i, qp := range pairs {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(queryEscape(qp.Name, qp.AllowReserved))
		sb.WriteByte('=')
		if qp.parts == nil {
			sb.WriteString(queryEscape(qp.Value, qp.AllowReserved))
			continue
		}
		sep := string(qp.sep)
		switch qp.sep {
		case ' ':
			sep = "%20"
		case '|':
			sep = "%7C"
		}
		for j, part := range qp.parts {
			if j > 0 {
				sb.WriteString(sep)
			}
			sb.WriteString(queryEscape(part, qp.AllowReserved))
		}
	}
	return sb.String()
}

// Header serializes a header parameter (style simple): a primitive as is,
// an array as a,b, an object as k,v,k2,v2 or, exploded, k=v,k2=v2. Nothing
// is percent-encoded. nil gives "". A value containing CR, LF or NUL is an
// error (header injection).
func (p Param) Header(v any) (string, error) {
	style := p.style(StyleSimple)
	if style != StyleSimple {
		return "", p.err("header", "style "+quote(style)+" is not allowed in a header (simple)", nil)
	}
	f, err := flatten(v)
	if err != nil {
		return "", p.err("header", "cannot serialize value", err)
	}
	var sb strings.Builder
	writeList(&sb, f, ",", p.explode(style), identity)
	s := sb.String()
	if strings.ContainsAny(s, "\r\n\x00") {
		return "", p.err("header", "value contains a line break or NUL", nil)
	}
	return s, nil
}

// Cookie serializes a cookie parameter (style form, explode default true)
// into cookie-pair text for the Cookie header: name=value; an array gives
// name=a; name=b (explode) or name=a,b; an object k=v; k2=v2 (explode) or
// name=k,v,k2,v2. Characters outside RFC 6265 cookie-octet, "%" and ","
// inside names, values and items are percent-encoded; the "," delimiter is
// written as is (as OpenAPI's form style does). nil gives "name=".
func (p Param) Cookie(v any) (string, error) {
	style := p.style(StyleForm)
	if style != StyleForm {
		return "", p.err("cookie", "style "+quote(style)+" is not allowed in a cookie (form)", nil)
	}
	if p.Name == "" || strings.ContainsFunc(p.Name, func(r rune) bool { return !isTokenChar(r) }) {
		return "", p.err("cookie", "the name is not a valid cookie name", nil)
	}
	f, err := flatten(v)
	if err != nil {
		return "", p.err("cookie", "cannot serialize value", err)
	}
	explode := p.explode(style)
	esc := cookieEscape
	var sb strings.Builder
	switch {
	case explode && f.shape == shapeArray:
		for i, it := range f.items {
			if i > 0 {
				sb.WriteString("; ")
			}
			sb.WriteString(p.Name + "=" + esc(it))
		}
	case explode && f.shape == shapeObject:
		for i, m := range f.members {
			if i > 0 {
				sb.WriteString("; ")
			}
			sb.WriteString(esc(m.key) + "=" + esc(m.val))
		}
	default:
		sb.WriteString(p.Name + "=")
		writeList(&sb, f, ",", false, esc)
	}
	return sb.String(), nil
}

func identity(s string) string { return s }

func quote(s string) string { return "\"" + s + "\"" }

const upperhex = "0123456789ABCDEF"

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isReserved(c byte) bool {
	return strings.IndexByte(":/?#[]@!$&'()*+,;=", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func escape(s string, keep func(s string, i int) bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s, i) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(s, i) {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(upperhex[c>>4])
		sb.WriteByte(upperhex[c&15])
	}
	return sb.String()
}

func pathEscape(s string) string {
	return escape(s, func(s string, i int) bool { return isUnreserved(s[i]) })
}

func queryEscape(s string, allowReserved bool) string {
	if !allowReserved {
		return escape(s, func(s string, i int) bool { return isUnreserved(s[i]) })
	}
	return escape(s, func(s string, i int) bool {
		c := s[i]
		switch {
		case isUnreserved(c):
			return true
		case c == '#':
			return false
		case isReserved(c):
			return true
		case c == '%':
			return i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
		}
		return false
	})
}

// cookieEscape keeps RFC 6265 cookie-octets except "%" (the escape
// character).
func cookieEscape(s string) string {
	return escape(s, func(s string, i int) bool {
		c := s[i]
		return c == 0x21 || (c >= 0x23 && c <= 0x2B && c != '%') || (c >= 0x2D && c <= 0x3A) ||
			(c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)
	})
}

func isTokenChar(r rune) bool {
	if r < 0x21 || r > 0x7E {
		return false
	}
	return !strings.ContainsRune("()<>@,;:\\\"/[]?={}", r)
}
