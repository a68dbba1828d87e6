package expr

import (
	"strings"
	"unicode/utf8"
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
// inside it is still found. A substituted value is never re-scanned. Text
// between "{$" and "}" longer than MaxExpressionLength stays literal (its
// Suspicious part has a *LimitError in Err.Err). The scan takes time linear
// in the length of s.
//
// Every string is a valid template; ParseTemplate never fails.
func ParseTemplate(s string, opts ...Option) *Template {
	return parseTemplateG(s, grammarOf(opts))
}

// parseTemplate is ParseTemplate with the expression length limit given.
func parseTemplate(s string, max int) *Template {
	return parseTemplateG(s, grammar{max: max})
}

// parseTemplateG is ParseTemplate with the grammar given.
//
// Several "{$" may share the same closing "}" ("{$a{$b}"). Parsing the text
// after each of them in full would take quadratic time, so the scan keeps
// what it learns about each run: the next "{$" and "}" are searched for
// once, and of the candidates that contain a later "{$" only a body pointer
// ("$response.body#/{$...", the one place an expression may hold a brace)
// can parse; whether it does is read from facts about the run found in one
// pass (see bodyRun). In the 1.1 grammar no expression holds a brace, so
// none of them parses. FuzzTemplate checks the result against the plain
// quadratic scan.
func parseTemplateG(s string, g grammar) *Template {
	max := g.max
	t := &Template{Raw: s}
	lit := 0 // start of pending literal text
	i := 0
	open, end := -1, -1 // cached positions of the next "{$" and "}" (-2: none left)
	var run bodyRun
	for {
		k := open
		if k != -2 && k < i {
			if k = strings.Index(s[i:], "{$"); k >= 0 {
				k += i
			} else {
				k = -2
			}
		}
		if k == -2 {
			break
		}
		if end != -2 && end < k+2 {
			if end = strings.IndexByte(s[k+2:], '}'); end >= 0 {
				end += k + 2
			} else {
				end = -2
			}
		}
		if end == -2 {
			inner := s[k+1:]
			t.suspicious = append(t.suspicious, Part{Lit: s[k:], Offset: k + 1,
				Err: &SyntaxError{Offset: len(inner), Msg: `no closing "}" for "{$"`, Expr: inner}})
			break
		}
		// The next "{$" after this one, and whether it is inside the braces.
		if open = strings.Index(s[k+1:], "{$"); open >= 0 {
			open += k + 1
		} else {
			open = -2
		}
		nested := open >= 0 && open+2 <= end
		inner := s[k+1 : end]
		var e *Expr
		var err error
		switch {
		case len(inner) > max:
			err = tooLong(CodeExpressionTooLong, "the embedded expression", inner, max)
		case nested && (g.v11 || !run.mayParse(s, k, end)):
			err = errNested
		default:
			e, err = parseG(inner, g)
		}
		if err != nil {
			if !nested {
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

// errNested stands for the parse error of a candidate that holds another
// "{$" and cannot parse; it is never reported.
var errNested = &SyntaxError{Msg: "nested"}

// bodyRun holds facts about the text up to one "}", gathered the first time
// a candidate holding another "{$" ends there.
type bodyRun struct {
	end, from int // the facts are about s[from:end]; end is 0 before the first run
	badUTF8   int // start of the last invalid UTF-8 sequence, or -1
	badEscape int // position of the last "~" not followed by "0" or "1", or -1
}

// mayParse reports whether s[k+1:end], which holds another "{$", parses as
// a runtime expression. Only "$request.body#" and "$response.body#" take a
// brace (in the pointer, which runs to the end); the rest must then be valid
// UTF-8 and a valid JSON pointer: empty or starting with "/", every "~"
// followed by "0" or "1".
func (r *bodyRun) mayParse(s string, k, end int) bool {
	inner := s[k+1 : end]
	var ptr int
	switch {
	case strings.HasPrefix(inner, "$response.body#"):
		ptr = k + 1 + len("$response.body#")
	case strings.HasPrefix(inner, "$request.body#"):
		ptr = k + 1 + len("$request.body#")
	default:
		return false
	}
	if ptr < end && s[ptr] != '/' {
		return false
	}
	if r.end != end || r.from > k+1 {
		r.scan(s, k+1, end)
	}
	return r.badUTF8 < k+1 && r.badEscape < ptr
}

// scan gathers the facts about s[from:end]. Since s[from] is ASCII, UTF-8
// decoding from there passes through every later ASCII byte, so the facts
// hold for any later start that is an ASCII byte.
func (r *bodyRun) scan(s string, from, end int) {
	r.end, r.from = end, from
	r.badUTF8, r.badEscape = -1, -1
	for j := from; j < end; {
		c := s[j]
		if c < utf8.RuneSelf {
			if c == '~' && (j+1 >= end || s[j+1] != '0' && s[j+1] != '1') {
				r.badEscape = j
			}
			j++
			continue
		}
		rn, n := utf8.DecodeRuneInString(s[j:end])
		if rn == utf8.RuneError && n <= 1 {
			r.badUTF8 = j
		}
		j += n
	}
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
	return t.render(r, nil, nil)
}

// render renders the template. room, when not nil, is the number of bytes
// the result may still take: it is checked after each piece and decreased
// by the result's length; going over is a *LimitError (CodeValueTooLarge).
func (t *Template) render(r Resolver, onAbsent func(*Expr), room *int64) (string, bool, error) {
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
		if err := take(room, int64(len(s))); err != nil {
			return "", false, err
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
		if room != nil && int64(b.Len()+len(s)) > *room {
			return "", false, valueTooLarge(*room)
		}
		b.WriteString(s)
	}
	if err := take(room, int64(b.Len())); err != nil {
		return "", false, err
	}
	return b.String(), complete, nil
}

// take subtracts n from *room; going below zero is CodeValueTooLarge.
func take(room *int64, n int64) error {
	if room == nil {
		return nil
	}
	if n > *room {
		return valueTooLarge(*room)
	}
	*room -= n
	return nil
}
