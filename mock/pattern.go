package mock

import (
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"unicode"
)

// maxPatternLen bounds a string built from a pattern.
const maxPatternLen = 4096

// patternString builds a string matching the regular expression p (Go RE2
// syntax, as package schema enforces patterns). Each unbounded repetition
// is taken grow times more than its minimum (bounded ones up to their
// maximum); alternations take their first branch; character classes a
// letter or digit when they have one. ok is false when p does not parse or
// matches nothing.
func patternString(p string, grow int, rnd *rand.Rand) (string, bool) {
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !emit(&b, re.Simplify(), grow, rnd, 0) {
		return "", false
	}
	return b.String(), true
}

func emit(b *strings.Builder, re *syntax.Regexp, grow int, rnd *rand.Rand, depth int) bool {
	if depth > 1000 || b.Len() > maxPatternLen {
		return b.Len() <= maxPatternLen
	}
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			b.WriteRune(r)
		}
		return true
	case syntax.OpCharClass:
		r, ok := classRune(re.Rune, rnd)
		if ok {
			b.WriteRune(r)
		}
		return ok
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte('x')
		return true
	case syntax.OpCapture:
		return emit(b, re.Sub[0], grow, rnd, depth+1)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, -1
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
		}
		n := lo + grow
		if hi >= 0 {
			n = min(n, hi)
		}
		for range min(n, maxPatternLen) {
			if !emit(b, re.Sub[0], grow, rnd, depth+1) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !emit(b, sub, grow, rnd, depth+1) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			var alt strings.Builder
			if emit(&alt, sub, grow, rnd, depth+1) {
				b.WriteString(alt.String())
				return true
			}
		}
		return false
	}
	return false
}

// classRune picks a rune of a character class (pairs of inclusive ranges):
// a lower-case letter, else an upper-case one, else a digit, else the first
// printable rune.
func classRune(ranges []rune, rnd *rand.Rand) (rune, bool) {
	for _, want := range [][2]rune{{'a', 'z'}, {'A', 'Z'}, {'0', '9'}} {
		var in []rune
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := max(ranges[i], want[0]), min(ranges[i+1], want[1])
			for r := lo; r <= hi; r++ {
				in = append(in, r)
			}
		}
		if len(in) > 0 {
			return in[rnd.IntN(len(in))], true
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r-ranges[i] < 256; r++ {
			if unicode.IsPrint(r) {
				return r, true
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0], true
	}
	return 0, false
}
