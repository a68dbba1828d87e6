package expr

import (
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

func compileRegex(cond string) (*regexCriterion, error) {
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
