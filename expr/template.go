package expr

import (
	"strings"
)

// Template is a string with embedded "{$...}" runtime expressions, such as
// "Bearer {$steps.login.outputs.token}". It is immutable after ParseTemplate
// and safe for concurrent use.
type Template struct {
	// Raw is the template text.
	Raw string
	// Parts are the literal texts and expressions of Raw, in order. Adjacent
	// literal text is merged into one part.
	Parts []Part

	suspicious []Part
}

// Part is a piece of a Template: exactly one of Lit and Expr is set. A part
// returned by Suspicious has Lit (the literal "{$...}" text) and Err.
type Part struct {
	// Lit is literal text.
	Lit string
	// Expr is an embedded expression (the text between the braces).
	Expr *Expr
	// Offset is the byte offset of the part in the template's Raw; for an
	// expression (and for a Suspicious part) it is the offset of its '$'.
	Offset int
	// Err is set only in parts returned by Suspicious: why the text between
	// the braces is not an expression. Its Offset is relative to the '$', so
	// the problem is at byte Offset+Err.Offset of Raw.
	Err *SyntaxError
}

// ParseTemplate scans s for embedded expressions (decision D27). The scanner
// is lenient because Arazzo 1.0.x defines no template grammar and no escape,
// and JSON payload templates contain literal braces: it finds each "{$",
// reads up to the next "}", and makes the text in between an expression if
// it parses as one. Otherwise the text stays literal (and is reported by
// Suspicious), and scanning resumes just after that "{", so a later "{$"
// inside it is still found. A substituted value is never re-scanned.
//
// Every string is a valid template; ParseTemplate never fails.
func ParseTemplate(s string) *Template {
	t := &Template{Raw: s}
	lit := 0 // start of pending literal text
	i := 0
	for {
		k := strings.Index(s[i:], "{$")
		if k < 0 {
			break
		}
		k += i
		closing := strings.IndexByte(s[k+2:], '}')
		if closing < 0 {
			inner := s[k+1:]
			t.suspicious = append(t.suspicious, Part{Lit: s[k:], Offset: k + 1,
				Err: &SyntaxError{Offset: len(inner), Msg: `no closing "}" for "{$"`, Expr: inner}})
			break
		}
		end := k + 2 + closing // index of '}'
		inner := s[k+1 : end]
		e, err := Parse(inner)
		if err != nil {
			if !strings.Contains(inner[1:], "{$") {
				t.suspicious = append(t.suspicious, Part{Lit: s[k : end+1], Offset: k + 1, Err: err.(*SyntaxError)})
			}
			i = k + 1
			continue
		}
		if k > lit {
			t.Parts = append(t.Parts, Part{Lit: s[lit:k], Offset: lit})
		}
		t.Parts = append(t.Parts, Part{Expr: e, Offset: k + 1})
		lit = end + 1
		i = lit
	}
	if lit < len(s) {
		t.Parts = append(t.Parts, Part{Lit: s[lit:], Offset: lit})
	}
	return t
}

// HasExprs reports whether t embeds at least one expression.
func (t *Template) HasExprs() bool {
	for _, p := range t.Parts {
		if p.Expr != nil {
			return true
		}
	}
	return false
}

// Exprs returns the embedded expressions in order.
func (t *Template) Exprs() []*Expr {
	var out []*Expr
	for _, p := range t.Parts {
		if p.Expr != nil {
			out = append(out, p.Expr)
		}
	}
	return out
}

// Suspicious returns the "{$...}" segments whose inside is not an
// expression, with the reason in Err, so that a validator can warn about
// typos such as "{$input.id}" or "{$statusCode == 401}" that are kept as
// literal text. Segments that contain another "{$" are not reported (the
// inner one is scanned on its own).
func (t *Template) Suspicious() []Part {
	return append([]Part(nil), t.suspicious...)
}

// Render substitutes every embedded expression with the string form of its
// value (see Stringify: strings as they are, numbers in JSON form, objects
// and arrays as JSON, null as "null"). An absent value renders as the empty
// string and makes complete false. err is the first evaluation error.
func (t *Template) Render(r Resolver) (s string, complete bool, err error) {
	return t.render(r, nil)
}

func (t *Template) render(r Resolver, onAbsent func(*Expr)) (string, bool, error) {
	complete := true
	switch len(t.Parts) {
	case 0:
		return "", true, nil
	case 1:
		p := t.Parts[0]
		if p.Expr == nil {
			return p.Lit, true, nil
		}
		v, ok, err := p.Expr.Eval(r)
		if err != nil {
			return "", false, err
		}
		if !ok {
			if onAbsent != nil {
				onAbsent(p.Expr)
			}
			return "", false, nil
		}
		s, err := stringify(v)
		if err != nil {
			return "", false, &EvalError{Expr: p.Expr.Raw, Msg: "cannot embed the value in a string", Err: err}
		}
		return s, true, nil
	}
	var b strings.Builder
	b.Grow(len(t.Raw))
	for _, p := range t.Parts {
		if p.Expr == nil {
			b.WriteString(p.Lit)
			continue
		}
		v, ok, err := p.Expr.Eval(r)
		if err != nil {
			return "", false, err
		}
		if !ok {
			complete = false
			if onAbsent != nil {
				onAbsent(p.Expr)
			}
			continue
		}
		s, err := stringify(v)
		if err != nil {
			return "", false, &EvalError{Expr: p.Expr.Raw, Msg: "cannot embed the value in a string", Err: err}
		}
		b.WriteString(s)
	}
	return b.String(), complete, nil
}
