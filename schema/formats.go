package schema

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// extraFormats are the OpenAPI data-type formats the JSON Schema library
// does not know. Formats nobody knows (e.g. "password") are ignored.
var extraFormats = []*jsonschema.Format{
	{Name: "int32", Validate: intRange(math.MinInt32, math.MaxInt32)},
	{Name: "int64", Validate: intRange(math.MinInt64, math.MaxInt64)},
	{Name: "float", Validate: finite},
	{Name: "double", Validate: finite},
	{Name: "byte", Validate: base64Text},
}

var errFormat = errors.New("invalid")

// asRat converts a JSON number to an exact rational; ok is false for
// non-numbers.
func asRat(v any) (*big.Rat, bool) {
	r := new(big.Rat)
	switch n := v.(type) {
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, false
		}
		return r.SetFloat64(n), true
	case float32:
		return asRat(float64(n))
	case int:
		return r.SetInt64(int64(n)), true
	case int8:
		return r.SetInt64(int64(n)), true
	case int16:
		return r.SetInt64(int64(n)), true
	case int32:
		return r.SetInt64(int64(n)), true
	case int64:
		return r.SetInt64(n), true
	case uint:
		return r.SetUint64(uint64(n)), true
	case uint8:
		return r.SetUint64(uint64(n)), true
	case uint16:
		return r.SetUint64(uint64(n)), true
	case uint32:
		return r.SetUint64(uint64(n)), true
	case uint64:
		return r.SetUint64(n), true
	case json.Number:
		if _, ok := r.SetString(string(n)); ok {
			return r, true
		}
	}
	return nil, false
}

func intRange(lo, hi int64) func(any) error {
	min, max := big.NewRat(lo, 1), big.NewRat(hi, 1)
	return func(v any) error {
		r, ok := asRat(v)
		if !ok {
			return nil // applies to numbers only
		}
		if !r.IsInt() || r.Cmp(min) < 0 || r.Cmp(max) > 0 {
			return errFormat
		}
		return nil
	}
}

func finite(v any) error {
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return errFormat
	}
	return nil
}

// base64Text accepts RFC 4648 base64 in the standard or URL alphabet, with
// or without padding.
func base64Text(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	encs := []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding}
	if strings.HasSuffix(s, "=") {
		encs = []*base64.Encoding{base64.StdEncoding, base64.URLEncoding}
	}
	for _, enc := range encs {
		if _, err := enc.DecodeString(s); err == nil {
			return nil
		}
	}
	return errFormat
}
