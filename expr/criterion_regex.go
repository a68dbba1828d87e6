package expr

import (
	"fmt"
	"io"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// regexCriterion is a compiled regex condition (D5): Go RE2 syntax, search
// semantics (the pattern may match anywhere; anchors are written
// explicitly), applied to the context value as a string.
type regexCriterion struct {
	re   *regexp.Regexp
	prog int64 // instructions of the program: the cost of a step over one character
}

// compileRegex compiles a regex condition whose program has at most
// maxInsts instructions.
func compileRegex(cond string, maxInsts int) (*regexCriterion, error) {
	insts, _, perr := regexProgram(cond)
	if perr == nil && insts > maxInsts {
		le := &LimitError{Code: CodeRegexTooComplex, Limit: maxInsts, Size: insts,
			Msg: fmt.Sprintf("the regular expression compiles to %d instructions, more than the limit of %d", insts, maxInsts)}
		return nil, &SyntaxError{Offset: 0, Msg: le.Msg, Expr: cond, Err: le}
	}
	re, err := regexp.Compile(cond)
	if err != nil {
		se := &SyntaxError{Msg: "invalid regular expression (Go RE2 syntax): " + err.Error(), Expr: cond}
		if re2, ok := err.(*syntax.Error); ok {
			se.Msg = "invalid regular expression (Go RE2 syntax): " + re2.Code.String()
			if re2.Expr != "" {
				se.Msg += ": " + re2.Expr
				if i := strings.Index(cond, re2.Expr); i >= 0 {
					se.Offset = i
				}
			}
			switch re2.Code {
			case syntax.ErrInvalidPerlOp, syntax.ErrInvalidRepeatOp, syntax.ErrInvalidNamedCapture:
				if strings.Contains(cond, "(?=") || strings.Contains(cond, "(?!") || strings.Contains(cond, "(?<=") || strings.Contains(cond, "(?<!") {
					se.Msg += " (lookaround assertions are not supported by RE2)"
				}
			case syntax.ErrInvalidEscape:
				if strings.Contains(re2.Expr, `\1`) || strings.Contains(re2.Expr, `\2`) {
					se.Msg += " (backreferences are not supported by RE2)"
				}
			}
		}
		return nil, se
	}
	return &regexCriterion{re: re, prog: int64(max(insts, 1))}, nil
}

// eval matches the pattern against v, stringified: strings and bytes as they
// are, numbers and booleans in their JSON form, objects and arrays as JSON.
func (c *regexCriterion) eval(v any, b *budget) (bool, error) {
	switch s := v.(type) {
	case string:
		return c.match(s, nil, b)
	case []byte:
		return c.match("", s, b)
	}
	return c.match(Stringify(v), nil, b)
}

// directRegexCost is the largest estimated cost (program size times input
// length) of a match run directly, without metering: a few milliseconds.
const directRegexCost = 1 << 20

// match matches s, or bs when not nil, charging b. Go's regexp cannot be
// interrupted, and matching costs up to the program size per character
// (the pike VM runs every live thread over every character), so a small
// match runs directly and is charged its bound, and a larger one reads its
// input through a runeReader that charges the program size per character
// and, when the budget or the context runs out, ends the input early: the
// match then stops at once and its result is discarded. A match that
// succeeds early costs only the characters it read.
func (c *regexCriterion) match(s string, bs []byte, b *budget) (bool, error) {
	n := len(s) + len(bs)
	if cost := int64(n+1) * c.prog; cost <= directRegexCost {
		if err := b.spend(cost); err != nil {
			return false, err
		}
		if bs != nil {
			return c.re.Match(bs), nil
		}
		return c.re.MatchString(s), nil
	}
	rr := &runeReader{s: s, bs: bs, b: b, cost: c.prog}
	ok := c.re.MatchReader(rr)
	if rr.err != nil {
		return false, rr.err
	}
	return ok, nil
}

// runeReader reads the runes of s (or bs), charging cost per rune to b; it
// reports the end of the input once b has run out, and records why.
type runeReader struct {
	s    string
	bs   []byte
	i    int
	b    *budget
	cost int64
	err  error
}

func (r *runeReader) ReadRune() (rune, int, error) {
	if r.err != nil {
		return 0, 0, io.EOF
	}
	if err := r.b.spend(r.cost); err != nil {
		r.err = err
		return 0, 0, io.EOF
	}
	var c rune
	var w int
	if r.bs != nil {
		if r.i >= len(r.bs) {
			return 0, 0, io.EOF
		}
		if c = rune(r.bs[r.i]); c < utf8.RuneSelf {
			w = 1
		} else {
			c, w = utf8.DecodeRune(r.bs[r.i:])
		}
	} else {
		if r.i >= len(r.s) {
			return 0, 0, io.EOF
		}
		if c = rune(r.s[r.i]); c < utf8.RuneSelf {
			w = 1
		} else {
			c, w = utf8.DecodeRuneInString(r.s[r.i:])
		}
	}
	r.i += w
	return c, w, nil
}

// regexProgram compiles pattern as regexp.Compile does and returns the
// number of instructions of its program, and its weight: the instructions
// plus half the rune-range bounds they hold, which tracks the memory and the
// work of building it.
func regexProgram(pattern string) (insts, weight int, err error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return 0, 0, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0, 0, err
	}
	for _, in := range prog.Inst {
		weight += 1 + len(in.Rune)/2
	}
	return len(prog.Inst), weight, nil
}
