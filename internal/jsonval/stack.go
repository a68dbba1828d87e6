package jsonval

// stack is the scratch of one call: the elements of the arrays and objects
// being decoded, innermost last. It grows by chunks that never move, so a
// call allocates about as much scratch as the most elements open at once
// (a slice grown by append would allocate several times that, in copies).
type stack[T any] struct {
	chunks [][]T // those after top are empty, kept for reuse
	top    int   // the chunk being filled
}

// Chunk capacities: small for small documents, capped so that a huge
// array costs no more than one chunk of waste.
const (
	firstChunk = 32
	maxChunk   = 4096
)

// mark is a position in a stack: where an array or object starts.
type mark struct{ chunk, off int }

func (s *stack[T]) mark() mark {
	if len(s.chunks) == 0 {
		return mark{}
	}
	return mark{s.top, len(s.chunks[s.top])}
}

func (s *stack[T]) push(v T) {
	if len(s.chunks) == 0 {
		s.chunks = append(s.chunks, make([]T, 0, firstChunk))
	}
	c := s.chunks[s.top]
	if len(c) == cap(c) {
		s.top++
		if s.top == len(s.chunks) {
			s.chunks = append(s.chunks, make([]T, 0, min(2*cap(c), maxChunk)))
		}
		c = s.chunks[s.top]
	}
	s.chunks[s.top] = append(c, v)
}

// since returns how many values were pushed after m.
func (s *stack[T]) since(m mark) int {
	if len(s.chunks) == 0 {
		return 0
	}
	n := -m.off
	for i := m.chunk; i <= s.top; i++ {
		n += len(s.chunks[i])
	}
	return n
}

// part returns the values of chunk i (m.chunk <= i <= s.top) pushed
// after m.
func (s *stack[T]) part(m mark, i int) []T {
	if i == m.chunk {
		return s.chunks[i][m.off:]
	}
	return s.chunks[i]
}

// popTo drops the values pushed after m. It does not clear them: the
// stack lives no longer than the call, and the values are in its result.
func (s *stack[T]) popTo(m mark) {
	if len(s.chunks) == 0 {
		return
	}
	for i := m.chunk + 1; i <= s.top; i++ {
		s.chunks[i] = s.chunks[i][:0]
	}
	s.chunks[m.chunk] = s.chunks[m.chunk][:m.off]
	s.top = m.chunk
}
