package jsonval

// stack is the scratch of one call: the elements of the arrays and objects
// being decoded, innermost last. Its first chunk is part of the decoder,
// which stays on the goroutine's stack, so a small document needs no heap
// scratch; then it grows by heap chunks that never move, so a call
// allocates about as much scratch as the most elements open at once (a
// slice grown by append would allocate several times that, in copies).
type stack[T any] struct {
	first  [firstChunk]T
	nfirst int
	more   [][]T // chunks 1, 2...; those after top are empty, kept for reuse
	top    int   // the chunk being filled
}

// Chunk capacities: the heap chunks double from 2*firstChunk, up to
// maxChunk, so that a huge array costs no more than one chunk of waste.
const (
	firstChunk = 16
	maxChunk   = 4096
)

// mark is a position in a stack: where an array or object starts.
type mark struct{ chunk, off int }

// chunk returns the values of chunk i.
func (s *stack[T]) chunk(i int) []T {
	if i == 0 {
		return s.first[:s.nfirst]
	}
	return s.more[i-1]
}

func (s *stack[T]) mark() mark {
	return mark{s.top, len(s.chunk(s.top))}
}

func (s *stack[T]) push(v T) {
	if s.top == 0 && s.nfirst < len(s.first) {
		s.first[s.nfirst] = v
		s.nfirst++
		return
	}
	if s.top == 0 || len(s.more[s.top-1]) == cap(s.more[s.top-1]) {
		s.top++
		if s.top > len(s.more) {
			size := 2 * firstChunk
			if s.top > 1 {
				size = min(2*cap(s.more[s.top-2]), maxChunk)
			}
			s.more = append(s.more, make([]T, 0, size))
		}
	}
	s.more[s.top-1] = append(s.more[s.top-1], v)
}

// since returns how many values were pushed after m.
func (s *stack[T]) since(m mark) int {
	n := -m.off
	for i := m.chunk; i <= s.top; i++ {
		n += len(s.chunk(i))
	}
	return n
}

// part returns the values of chunk i (m.chunk <= i <= s.top) pushed
// after m.
func (s *stack[T]) part(m mark, i int) []T {
	if i == m.chunk {
		return s.chunk(i)[m.off:]
	}
	return s.chunk(i)
}

// popTo drops the values pushed after m. It does not clear them: the
// stack lives no longer than the call, and the values are in its result.
func (s *stack[T]) popTo(m mark) {
	for i := m.chunk + 1; i <= s.top; i++ {
		s.more[i-1] = s.more[i-1][:0]
	}
	if m.chunk == 0 {
		s.nfirst = m.off
	} else {
		s.more[m.chunk-1] = s.more[m.chunk-1][:m.off]
	}
	s.top = m.chunk
}
