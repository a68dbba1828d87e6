package executor

import (
	"testing"

	"github.com/telaio/telaio/schema"
)

// TestMessageHeadersReadByTheirSchema: a message header is text. A header
// property of type string keeps "1" (it is not read as a number); one of
// type integer accepts "42" read as a number; text that breaks either
// stays invalid.
func TestMessageHeadersReadByTheirSchema(t *testing.T) {
	raw := map[string]any{"properties": map[string]any{
		"id":    map[string]any{"type": "string"},
		"count": map[string]any{"type": "integer"},
	}}
	s, err := schema.Compile(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	valid := func(h map[string]string) bool { return s.Validate(headerValues(s, h)) == nil }
	for _, tt := range []struct {
		h    map[string]string
		want bool
	}{
		{map[string]string{"id": "1"}, true},
		{map[string]string{"id": "r1"}, true},
		{map[string]string{"count": "42"}, true},
		{map[string]string{"count": "many"}, false},
		{map[string]string{"count": "4.5"}, false},
		{map[string]string{"id": "1", "count": "42"}, true}, // each header read as its own property says
	} {
		if got := valid(tt.h); got != tt.want {
			t.Errorf("%v: valid = %v, want %v", tt.h, got, tt.want)
		}
	}
	if v := headerValue("r42"); v != "r42" {
		t.Errorf("headerValue(r42) = %#v", v)
	}
	if v := headerValue("true"); v != true {
		t.Errorf("headerValue(true) = %#v", v)
	}
}
