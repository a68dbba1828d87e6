package yamlx

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestValue(t *testing.T) {
	tests := []struct {
		name, in string
		want     any
	}{
		{"scalars", "a: 1\nb: true\nc: x\nd: null\ne: 1.5", map[string]any{"a": 1.0, "b": true, "c": "x", "d": nil, "e": 1.5}},
		{"alias", "a: &x [1]\nb: *x", map[string]any{"a": []any{1.0}, "b": []any{1.0}}},
		{"merge", "base: &b {x: 1, y: 2}\nm: {<<: *b, y: 3}", map[string]any{"base": map[string]any{"x": 1.0, "y": 2.0}, "m": map[string]any{"x": 1.0, "y": 3.0}}},
		{"merge list", "a: &a {x: 1}\nb: &b {y: 2}\nm: {<<: [*a, *b]}", map[string]any{"a": map[string]any{"x": 1.0}, "b": map[string]any{"y": 2.0}, "m": map[string]any{"x": 1.0, "y": 2.0}}},
		{"merge inline", "m: {<<: {x: 1}}", map[string]any{"m": map[string]any{"x": 1.0}}},
		{"anchor reused after its end", "a: &a {x: 1}\nb: {<<: *a, c: *a}", map[string]any{"a": map[string]any{"x": 1.0}, "b": map[string]any{"x": 1.0, "c": map[string]any{"x": 1.0}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestValue_AliasCycleIsAnError: an alias to a node that contains it,
// through a merge key or a plain value, is an error at the alias; it used to
// recurse until the stack overflowed (the merge key) or until the depth
// limit (the value).
func TestValue_AliasCycleIsAnError(t *testing.T) {
	tests := []struct {
		name, in  string
		line, col int
	}{
		{"merge of its own anchor", "openapi: 3.1.0\ninfo: &a {<<: *a}\n", 2, 15},
		{"merge through a list", "info: &a\n  <<: [*a]\n", 2, 8},
		{"merge one level down", "info: &a\n  x:\n    <<: *a\n", 3, 9},
		{"sequence of itself", "a: &a [*a]\n", 1, 8},
		{"mapping of itself", "a: &a {b: *a}\n", 1, 11},
		{"two anchors", "a: &a {b: &b {<<: *a}}\n", 1, 19},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Msg != msgCycle || e.Line != tt.line || e.Column != tt.col {
				t.Errorf("err = %v, want %d:%d: %s", e, tt.line, tt.col, msgCycle)
			}
		})
	}
}

// TestValue_MergeChainsCountAgainstTheBudget: mappings that only merge two
// aliases of the previous one double the work at each link without producing
// a value of their own; they used to escape the node budget (2^60 steps).
func TestValue_MergeChainsCountAgainstTheBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 {}\n")
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&b, "a%d: &a%d {<<: [*a%d, *a%d]}\n", i, i, i-1, i-1)
	}
	_, err := Decode([]byte(b.String()))
	var e *Error
	if !errors.As(err, &e) || e.Msg != msgBudget {
		t.Fatalf("err = %v, want the budget error", err)
	}
}

// TestValue_AliasBomb: the classic billion laughs stops at the budget.
func TestValue_AliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x]\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	_, err := Decode([]byte(b.String()))
	var e *Error
	if !errors.As(err, &e) || e.Msg != msgBudget {
		t.Fatalf("err = %v, want the budget error", err)
	}
}

func TestValue_Deep(t *testing.T) {
	in := strings.Repeat("[", maxDepth+10) + strings.Repeat("]", maxDepth+10)
	_, err := Decode([]byte(in))
	if err == nil {
		t.Fatal("no error")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"a: 1", "info: &a {<<: *a}", "a: &a [*a]", "a: &a {x: 1}\nb: {<<: [*a, *a]}",
		"{\"a\": [1, 2, {\"b\": null}]}", "a: !!binary aGk=", "? [a]\n: b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n, v, err := DecodeNode(src)
		if err != nil {
			return
		}
		_ = Keys(n)
		_ = Lookup(n, []string{"a", "0"})
		_ = v
	})
}

// TestLinesPos: the YAML library counts columns in characters and does not
// count a byte order mark; Pos gives byte columns and offsets.
func TestLinesPos(t *testing.T) {
	src := []byte("\ufeffa: 1\nné: é2\nb: 3")
	l := NewLines(src)
	tests := []struct{ line, col, wantCol, wantOff int }{
		{1, 1, 4, 3},   // after the BOM
		{2, 1, 1, 8},   // "né"
		{2, 5, 6, 13},  // "é2": n, é (2 bytes), :, space
		{3, 4, 4, 20},  // "3"
		{9, 2, 2, 0},   // outside: as given
		{2, 99, 9, 16}, // past the end of the line: its end
	}
	for _, tt := range tests {
		c, off := l.Pos(tt.line, tt.col)
		if c != tt.wantCol || off != tt.wantOff {
			t.Errorf("Pos(%d, %d) = %d, %d; want %d, %d", tt.line, tt.col, c, off, tt.wantCol, tt.wantOff)
		}
	}
	n, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	v := Lookup(n, []string{"né"})
	if c, off := l.Pos(v.Line, v.Column); string(src[off:off+3]) != "é2" || c != 6 {
		t.Errorf("the node of né is at byte column %d (%q)", c, src[off:])
	}
}
