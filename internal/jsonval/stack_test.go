package jsonval

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The chunked stack behaves as one slice: random nested pushes and pops,
// crossing chunk boundaries at every offset, give the same contents.
func TestStack_BehavesAsASlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s stack[int]
	var model []int
	var marks []mark
	var starts []int
	next := 0
	for step := range 200000 {
		switch r := rng.IntN(100); {
		case r < 70:
			s.push(next)
			model = append(model, next)
			next++
		case r < 85 || len(marks) == 0:
			marks = append(marks, s.mark())
			starts = append(starts, len(model))
		default:
			m, start := marks[len(marks)-1], starts[len(starts)-1]
			marks, starts = marks[:len(marks)-1], starts[:len(starts)-1]
			if n := s.since(m); n != len(model)-start {
				t.Fatalf("step %d: since = %d, want %d", step, n, len(model)-start)
			}
			var got []int
			for i := m.chunk; i <= s.top; i++ {
				got = append(got, s.part(m, i)...)
			}
			if !slices.Equal(got, model[start:]) {
				t.Fatalf("step %d: values %v, want %v", step, got, model[start:])
			}
			s.popTo(m)
			model = model[:start]
		}
	}
}
