package expr

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// regexCriterion is a compiled regex condition (D5): Go RE2 syntax, search
// semantics (the pattern may match anywhere; anchors are written
// explicitly), applied to the context value as a string.
type regexCriterion struct {
	re *regexp.Regexp
}

// compileRegex compiles a regex condition whose program has at most max
// instructions.
func compileRegex(cond string, max int) (*regexCriterion, error) {
	if n, _, err := regexProgram(cond); err == nil && n > max {
		le := &LimitError{Code: CodeRegexTooComplex, Limit: max, Size: n,
			Msg: fmt.Sprintf("the regular expression compiles to %d instructions, more than the limit of %d", n, max)}
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
	return &regexCriterion{re: re}, nil
}

// eval matches the pattern against v, stringified: strings and bytes as they
// are, numbers and booleans in their JSON form, objects and arrays as JSON.
func (c *regexCriterion) eval(v any) bool {
	switch s := v.(type) {
	case string:
		return c.re.MatchString(s)
	case []byte:
		return c.re.Match(s)
	}
	return c.re.MatchString(Stringify(v))
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
