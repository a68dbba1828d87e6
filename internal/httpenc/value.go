package httpenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
)

// Error reports a value that cannot be serialized as asked. It never
// contains the value itself.
type Error struct {
	Op     string // "path", "query", "header", "cookie", "json", "form", "multipart", "xml"
	Param  string // parameter name, "" for bodies
	Reason string
	Err    error
}

func (e *Error) Error() string {
	s := "httpenc: " + e.Op
	if e.Param != "" {
		s += fmt.Sprintf(" parameter %q", e.Param)
	} else {
		s += " body"
	}
	s += ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// shape is the OpenAPI view of a value: empty, primitive, array or object.
type shape int

const (
	shapeEmpty shape = iota
	shapePrimitive
	shapeArray
	shapeObject
)

type member struct{ key, val string }

// flat is a value reduced to strings for parameter serialization. Items
// and member values that are themselves arrays or objects are
// JSON-serialized.
type flat struct {
	shape   shape
	prim    string
	items   []string
	members []member // sorted by key
}

// normalize converts Go slices and string-keyed maps of any element type to
// []any and map[string]any (one level).
func normalize(v any) any {
	switch v.(type) {
	case nil, string, bool, []any, map[string]any, json.Number, []byte,
		float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		if rv.IsNil() {
			return nil
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[it.Key().String()] = it.Value().Interface()
		}
		return out
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface())
	}
	return v
}

// scalar renders a primitive: strings as is, numbers in JSON form
// (integers without a fraction: 7, not 7.0), booleans as true/false, nil as
// "". ok is false for arrays and objects.
func scalar(v any) (s string, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return "", true, nil
	case string:
		return x, true, nil
	case []byte:
		return string(x), true, nil
	case bool:
		return strconv.FormatBool(x), true, nil
	case float64:
		return formatFloat(x, 64)
	case float32:
		return formatFloat(float64(x), 32)
	case int:
		return strconv.FormatInt(int64(x), 10), true, nil
	case int8:
		return strconv.FormatInt(int64(x), 10), true, nil
	case int16:
		return strconv.FormatInt(int64(x), 10), true, nil
	case int32:
		return strconv.FormatInt(int64(x), 10), true, nil
	case int64:
		return strconv.FormatInt(x, 10), true, nil
	case uint:
		return strconv.FormatUint(uint64(x), 10), true, nil
	case uint8:
		return strconv.FormatUint(uint64(x), 10), true, nil
	case uint16:
		return strconv.FormatUint(uint64(x), 10), true, nil
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true, nil
	case uint64:
		return strconv.FormatUint(x, 10), true, nil
	case json.Number:
		return string(x), true, nil
	}
	return "", false, nil
}

// formatFloat formats like encoding/json: shortest representation,
// exponent form only below 1e-6 or from 1e21.
func formatFloat(f float64, bits int) (string, bool, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", true, fmt.Errorf("%v is not a JSON number", f)
	}
	abs := math.Abs(f)
	fmtc := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		fmtc = 'e'
	}
	b := strconv.AppendFloat(nil, f, fmtc, -1, bits)
	if fmtc == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b), true, nil
}

// text renders any value as a string: scalars by scalar, arrays and objects
// as JSON.
func text(v any) (string, error) {
	s, ok, err := scalar(v)
	if err != nil {
		return "", err
	}
	if ok {
		return s, nil
	}
	b, err := marshalJSON(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func flatten(v any) (flat, error) {
	v = normalize(v)
	switch x := v.(type) {
	case nil:
		return flat{shape: shapeEmpty}, nil
	case []any:
		items := make([]string, len(x))
		for i, e := range x {
			s, err := text(normalize(e))
			if err != nil {
				return flat{}, err
			}
			items[i] = s
		}
		return flat{shape: shapeArray, items: items}, nil
	case map[string]any:
		keys := sortedKeys(x)
		ms := make([]member, len(keys))
		for i, k := range keys {
			s, err := text(normalize(x[k]))
			if err != nil {
				return flat{}, err
			}
			ms[i] = member{k, s}
		}
		return flat{shape: shapeObject, members: ms}, nil
	}
	s, ok, err := scalar(v)
	if err != nil {
		return flat{}, err
	}
	if !ok {
		return flat{}, fmt.Errorf("unsupported Go type %T", v)
	}
	return flat{shape: shapePrimitive, prim: s}, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// marshalJSON encodes without HTML escaping and without a trailing newline.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
