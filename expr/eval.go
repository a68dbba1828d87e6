package expr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Resolver supplies the values runtime expressions read. Lookup returns the
// value the expression names before its Pointer is applied (the whole body,
// the whole output, the header value, ...); ok is false when the value is
// absent. The expr package never modifies what Lookup returns.
type Resolver interface {
	Lookup(e *Expr) (v any, ok bool)
}

// ResolverFunc adapts a function to the Resolver interface.
type ResolverFunc func(e *Expr) (any, bool)

// Lookup calls f(e).
func (f ResolverFunc) Lookup(e *Expr) (any, bool) { return f(e) }

// EvalError reports a value that cannot be evaluated, such as a body that is
// not JSON when a JSON pointer must be applied to it.
type EvalError struct {
	Expr string // the expression's text
	Msg  string
	Err  error // underlying error, if any
}

func (e *EvalError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Expr, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Expr, e.Msg)
}

// Unwrap returns the underlying error.
func (e *EvalError) Unwrap() error { return e.Err }

// Eval looks e up with r and applies its JSON pointer. It reports false,
// with a nil error, when the value is absent, when the pointer names a
// missing member or element, or when the pointer runs through a value that
// is not an object or array. A body or payload (KindRequestBody,
// KindResponseBody, KindMessagePayload) that Lookup returns as a string or
// []byte is decoded as JSON before a non-empty pointer is applied; if it is
// not JSON, Eval returns an *EvalError. Other []byte values are decoded the
// same way.
//
// Eval does not allocate when Lookup does not and no decoding is needed.
func (e *Expr) Eval(r Resolver) (any, bool, error) {
	v, ok := r.Lookup(e)
	if !ok {
		return nil, false, nil
	}
	if len(e.Pointer) == 0 {
		return v, true, nil
	}
	switch b := v.(type) {
	case []byte:
		d, err := decodeJSON(b)
		if err != nil {
			return nil, false, &EvalError{Expr: e.String(), Msg: "cannot apply a JSON pointer: the value is not JSON", Err: err}
		}
		v = d
	case string:
		if !e.Kind.isBody() {
			return nil, false, nil
		}
		d, err := decodeJSON([]byte(b))
		if err != nil {
			return nil, false, &EvalError{Expr: e.String(), Msg: "cannot apply a JSON pointer: the body is not JSON", Err: err}
		}
		v = d
	}
	got, ok := e.Pointer.Get(v)
	if !ok {
		return nil, false, nil
	}
	return got, true, nil
}

func decodeJSON(b []byte) (any, error) {
	var v any
	err := json.Unmarshal(b, &v)
	return v, err
}

// Stringify returns the form in which a value is embedded in a string
// template: strings as they are, numbers in JSON form (as encoding/json
// writes them: 7, 2.5, 1e+21), true and false, "null" for nil, and objects
// and arrays serialized as JSON (without HTML escaping). A []byte is taken
// as text.
func Stringify(v any) string {
	s, err := stringify(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}

func stringify(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "null", nil
	case string:
		return x, nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case float64:
		return formatFloat(x, 64), nil
	case float32:
		return formatFloat(float64(x), 32), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case uint:
		return strconv.FormatUint(uint64(x), 10), nil
	case uint32:
		return strconv.FormatUint(uint64(x), 10), nil
	case json.Number:
		return string(x), nil
	case []byte:
		return string(x), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// formatFloat writes f the way encoding/json does: plain decimal notation
// for magnitudes in [1e-6, 1e21), exponent notation otherwise, with the
// shortest representation that round-trips. NaN and infinities, which JSON
// cannot represent, are written as strconv does.
func formatFloat(f float64, bits int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	var a [32]byte
	b := strconv.AppendFloat(a[:0], f, format, -1, bits)
	if format == 'e' {
		// Shorten a two-digit negative exponent: 1e-07 -> 1e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b)
}

// LookupName finds name in m, resolving dots by the longest defined name
// (decision D3): if m has the member name it is returned; otherwise the
// longest prefix of name, cut before a "." or "[", that is a member of m is
// taken, and the rest is navigated as ".member" and "[index]" steps, with
// the same longest-name rule applied in every nested object. There is no
// backtracking: once a prefix is found, a failure further down means absent.
//
// So with inputs {"customer": {"firstName": "Ada"}}, the expression
// $inputs.customer.firstName (whose Name is "customer.firstName") finds
// "Ada", and a member literally named "customer.firstName" would win.
func LookupName(m map[string]any, name string) (any, bool) {
	if m == nil {
		return nil, false
	}
	return nameLookup(m, name)
}

func nameLookup(m map[string]any, path string) (any, bool) {
	if v, ok := m[path]; ok {
		return v, true
	}
	for i := len(path) - 1; i > 0; i-- {
		if c := path[i]; c != '.' && c != '[' {
			continue
		}
		if v, ok := m[path[:i]]; ok {
			return nameNavigate(v, path[i:])
		}
	}
	return nil, false
}

// nameNavigate follows rest, which starts with "." or "[", from v.
func nameNavigate(v any, rest string) (any, bool) {
	for rest != "" {
		switch rest[0] {
		case '.':
			m, ok := v.(map[string]any)
			if !ok || len(rest) == 1 {
				return nil, false
			}
			return nameLookup(m, rest[1:])
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			a, ok := v.([]any)
			if !ok {
				return nil, false
			}
			i, ok := nameIndex(rest[1:end], len(a))
			if !ok {
				return nil, false
			}
			v = a[i]
			rest = rest[end+1:]
		default:
			return nil, false
		}
	}
	return v, true
}

// nameIndex parses a decimal array index below n.
func nameIndex(s string, n int) (int, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	i := 0
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
		if i >= n {
			return 0, false
		}
	}
	return i, true
}
