package jsonptr

import (
	"encoding/json"
	"testing"
)

// TestSetCreate: missing members and nulls along the path become objects;
// arrays are not invented, and indexes must still be in range.
func TestSetCreate(t *testing.T) {
	tests := []struct {
		doc, ptr, want string // JSON; want "" = error
	}{
		{`null`, "/a/b/c", `{"a":{"b":{"c":1}}}`},
		{`{}`, "/a/b", `{"a":{"b":1}}`},
		{`{"a":null}`, "/a/b", `{"a":{"b":1}}`},
		{`{"a":{"x":2}}`, "/a/b", `{"a":{"b":1,"x":2}}`},
		{`{"a":[null]}`, "/a/0/b", `{"a":[{"b":1}]}`},
		{`{"a":[0]}`, "/a/0/b", ``},
		{`{"a":[0]}`, "/a/1/b", ``},
		{`{"a":"s"}`, "/a/b", ``},
		{`null`, "", `1`},
		{`{"a":[]}`, "/a/-", `{"a":[1]}`},
	}
	for _, tc := range tests {
		var doc any
		if err := json.Unmarshal([]byte(tc.doc), &doc); err != nil {
			t.Fatal(err)
		}
		got, err := MustParse(tc.ptr).SetCreate(doc, 1.0)
		if tc.want == "" {
			if err == nil {
				t.Errorf("SetCreate(%s, %q) = %v, want an error", tc.doc, tc.ptr, got)
			}
			continue
		}
		b, _ := json.Marshal(got)
		if err != nil || string(b) != tc.want {
			t.Errorf("SetCreate(%s, %q) = %s, %v; want %s", tc.doc, tc.ptr, b, err, tc.want)
		}
		// Set refuses what SetCreate creates.
		if _, err := MustParse(tc.ptr).Set(doc, 1.0); err == nil && tc.doc == "null" && tc.ptr != "" {
			t.Errorf("Set(%s, %q) succeeded", tc.doc, tc.ptr)
		}
	}
}
