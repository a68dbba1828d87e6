package jsonval

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
	in := map[string]any{
		"i": 7, "i64": int64(-2), "u8": uint8(3), "f32": float32(0.1), "num": json.Number("1.5"),
		"strs": []string{"a"}, "yaml": map[any]any{1: true, "k": []any{int32(4)}}, "t": struct{}{},
	}
	want := map[string]any{
		"i": 7.0, "i64": -2.0, "u8": 3.0, "f32": 0.1, "num": 1.5,
		"strs": []any{"a"}, "yaml": map[string]any{"1": true, "k": []any{4.0}}, "t": struct{}{},
	}
	got := Normalize(in)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	// The argument is copied, not changed.
	if _, ok := in["yaml"].(map[any]any)["k"].([]any)[0].(int32); !ok {
		t.Error("Normalize changed its argument")
	}
}
