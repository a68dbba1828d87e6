package expr

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type mapResolver map[string]any

func (m mapResolver) Lookup(e *Expr) (any, bool) {
	v, ok := m[e.Name]
	return v, ok
}

// TestMaxBytes: a value is measured as it is built, shared parts counted
// each time, and stops at the limit (issue 15 #2).
func TestMaxBytes(t *testing.T) {
	big := strings.Repeat("x", 1000)
	// A tree that doubles at each level shares its halves: 2^40 leaves
	// logically, a few pointers in memory.
	var dag any = big
	for range 40 {
		dag = map[string]any{"a": dag, "b": dag}
	}
	r := mapResolver{"big": big, "dag": dag}
	cases := []struct {
		name  string
		value any
		fits  bool
	}{
		{"small template", "{$inputs.big}", true},
		{"template over", "{$inputs.big}{$inputs.big}{$inputs.big}", false},
		{"object", map[string]any{"a": "$inputs.big", "b": "$inputs.big"}, true},
		{"object over", map[string]any{"a": "$inputs.big", "b": "$inputs.big", "c": "$inputs.big"}, false},
		{"shared tree", "$inputs.dag", false},
	}
	for _, c := range cases {
		v := CompileValue(c.value)
		_, _, err := v.EvalContext(context.Background(), r, MaxBytes(2500))
		var le *LimitError
		if c.fits != (err == nil) || !c.fits && (!errors.As(err, &le) || le.Code != CodeValueTooLarge) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	if n, ok := JSONSize(dag, 1<<20); ok || n > 1<<20+2000 {
		t.Errorf("JSONSize of the shared tree = %d, %v: must stop near the limit", n, ok)
	}
}
