package drv

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/telaio/telaio/transport"
)

// String reads b[key] as a string; ok is false when absent or null.
func String(b map[string]any, key string) (v string, ok bool, err error) {
	raw, ok := b[key]
	if !ok || raw == nil {
		return "", false, nil
	}
	s, isStr := raw.(string)
	if !isStr {
		return "", false, bindErr(key, raw, "a string")
	}
	return s, true, nil
}

// Bool reads b[key] as a boolean.
func Bool(b map[string]any, key string) (v bool, ok bool, err error) {
	raw, ok := b[key]
	if !ok || raw == nil {
		return false, false, nil
	}
	x, isBool := raw.(bool)
	if !isBool {
		return false, false, bindErr(key, raw, "a boolean")
	}
	return x, true, nil
}

// Int reads b[key] as an integer in [lo, hi]. JSON numbers decoded as
// float64 or json.Number and Go integers are accepted.
func Int(b map[string]any, key string, lo, hi int64) (v int64, ok bool, err error) {
	raw, ok := b[key]
	if !ok || raw == nil {
		return 0, false, nil
	}
	var n int64
	switch x := raw.(type) {
	case float64:
		if x != math.Trunc(x) || x < -(1<<53) || x > 1<<53 {
			return 0, false, bindErr(key, raw, "an integer")
		}
		n = int64(x)
	case float32:
		return Int(map[string]any{key: float64(x)}, key, lo, hi)
	case int:
		n = int64(x)
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint8:
		n = int64(x)
	case uint16:
		n = int64(x)
	case uint32:
		n = int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return 0, false, bindErr(key, raw, "an integer")
		}
		n = int64(x)
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, false, bindErr(key, raw, "an integer")
		}
		n = int64(x)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return 0, false, bindErr(key, raw, "an integer")
		}
		n = i
	default:
		return 0, false, bindErr(key, raw, "an integer")
	}
	if n < lo || n > hi {
		return 0, false, fmt.Errorf("%w: %s is %d, want %d to %d", transport.ErrBinding, key, n, lo, hi)
	}
	return n, true, nil
}

// Map reads b[key] as an object.
func Map(b map[string]any, key string) (v map[string]any, ok bool, err error) {
	raw, ok := b[key]
	if !ok || raw == nil {
		return nil, false, nil
	}
	m, isMap := raw.(map[string]any)
	if !isMap {
		return nil, false, bindErr(key, raw, "an object")
	}
	return m, true, nil
}

func bindErr(key string, v any, want string) error {
	return fmt.Errorf("%w: %s is %s, want %s", transport.ErrBinding, key, typeName(v), want)
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case float64, float32, int, int64, int32, json.Number:
		return "a number"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", v), "*")
}
