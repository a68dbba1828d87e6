package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the parser of simple conditions (the grammar is in
// criterion_doc.go). It produces a small syntax tree that condition.go
// compiles to an expr-lang program.

// maxConditionDepth caps the nesting of parentheses and "!" in a simple
// condition, so a hostile condition cannot exhaust the stack of the parser
// or of expr-lang's parser.
const maxConditionDepth = 64

// condNode is a node of a parsed simple condition.
type condNode interface{ condNode() }

type (
	// orNode is x || y || ...
	orNode struct{ terms []condNode }
	// andNode is x && y && ...
	andNode struct{ terms []condNode }
	// notNode is !x, where x is a group or a single operand.
	notNode struct{ x condNode }
	// cmpNode is a comparison of two operands.
	cmpNode struct {
		op   cmpOp
		l, r *operand
	}
	// truthNode is a bare operand, tested for truthiness (D4).
	truthNode struct{ x *operand }
)

func (*orNode) condNode()    {}
func (*andNode) condNode()   {}
func (*notNode) condNode()   {}
func (*cmpNode) condNode()   {}
func (*truthNode) condNode() {}

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

var cmpOpText = [...]string{opEq: "==", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">="}

// cmpOpFunc names the comparison functions in the expr-lang environment.
var cmpOpFunc = [...]string{opEq: "eq", opNe: "ne", opLt: "lt", opLe: "le", opGt: "gt", opGe: "ge"}

// operand is a literal or a runtime expression followed by optional
// property de-reference and index navigation.
type operand struct {
	off, end int    // byte range in the condition
	lit      any    // literal value: nil, bool, float64 or string (when expr is nil)
	expr     *Expr  // runtime expression, or nil for a literal
	nav      []step // navigation applied to the runtime expression's value
	slot     int    // index among the condition's runtime-expression operands
}

// step is one navigation step: ".name" or "[index]".
type step struct {
	name  string
	index int
	isIdx bool
}

// token kinds of simple conditions.
type tokKind uint8

const (
	tEOF tokKind = iota
	tOr
	tAnd
	tNot
	tCmp
	tLParen
	tRParen
	tOperand
)

type token struct {
	kind     tokKind
	off, end int
	op       cmpOp    // tCmp
	opd      *operand // tOperand
}

type condParser struct {
	g     grammar // of the runtime-expression operands
	src   string
	pos   int
	tok   token
	depth int
	slots int
}

// parseCondition parses a simple condition. Errors are *SyntaxError with the
// offset into src.
func parseCondition(src string) (node condNode, nslots int, err error) {
	return parseConditionG(src, defaultGrammar)
}

// parseConditionG is parseCondition with the grammar of the operands.
func parseConditionG(src string, g grammar) (node condNode, nslots int, err error) {
	p := &condParser{src: src, g: g}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			node, nslots, err = nil, 0, se
		}
	}()
	if !utf8.ValidString(src) {
		for i := 0; i < len(src); {
			r, n := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && n <= 1 {
				p.fail(i, "invalid UTF-8")
			}
			i += n
		}
	}
	p.next()
	if p.tok.kind == tEOF {
		p.fail(p.tok.off, "empty condition")
	}
	node = p.parseOr()
	if p.tok.kind != tEOF {
		p.unexpected("")
	}
	return node, p.slots, nil
}

// fail aborts parsing with a *SyntaxError at off.
func (p *condParser) fail(off int, format string, args ...any) {
	panic(&SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...), Expr: p.src})
}

func (p *condParser) text(t token) string { return p.src[t.off:t.end] }

// unexpected reports the current token as out of place; want says what was
// expected there, if anything.
func (p *condParser) unexpected(want string) {
	t := p.tok
	var what string
	switch t.kind {
	case tEOF:
		if want == "" {
			want = "more"
		}
		p.fail(t.off, "unexpected end of condition: expected %s", want)
	case tRParen:
		if p.depth == 0 {
			p.fail(t.off, "unbalanced \")\"")
		}
		what = "\")\""
	case tOperand:
		what = "operand " + condQuote(p.text(t))
		if want == "" {
			p.fail(t.off, "unexpected %s: operands must be joined by a comparison operator (== != < <= > >=) or by && and ||", what)
		}
	default:
		what = strconv.Quote(p.text(t))
	}
	if want == "" {
		p.fail(t.off, "unexpected %s", what)
	}
	p.fail(t.off, "unexpected %s: expected %s", what, want)
}

func (p *condParser) enter(off int) {
	p.depth++
	if p.depth > maxConditionDepth {
		p.fail(off, "condition nested too deeply (more than %d levels)", maxConditionDepth)
	}
}

// parseOr: and *( "||" and )
func (p *condParser) parseOr() condNode {
	x := p.parseAnd()
	if p.tok.kind != tOr {
		return x
	}
	n := &orNode{terms: []condNode{x}}
	for p.tok.kind == tOr {
		p.next()
		n.terms = append(n.terms, p.parseAnd())
	}
	return n
}

// parseAnd: basic *( "&&" basic )
func (p *condParser) parseAnd() condNode {
	x := p.parseBasic()
	if p.tok.kind != tAnd {
		return x
	}
	n := &andNode{terms: []condNode{x}}
	for p.tok.kind == tAnd {
		p.next()
		n.terms = append(n.terms, p.parseBasic())
	}
	return n
}

// parseBasic: "(" or ")" | "!" ( "(" or ")" | operand ) | operand [ cmp operand ]
func (p *condParser) parseBasic() condNode {
	switch p.tok.kind {
	case tLParen:
		return p.parseGroup()
	case tNot:
		notOff := p.tok.off
		p.next()
		switch p.tok.kind {
		case tNot:
			p.fail(p.tok.off, "double negation \"!!\" is not allowed")
		case tLParen:
			return &notNode{x: p.parseGroup()}
		case tOperand:
			opd := p.tok.opd
			p.next()
			if p.tok.kind == tCmp {
				p.fail(notOff, "\"!\" applies only to a parenthesised group or a single operand: write !(%s %s ...)",
					p.src[opd.off:opd.end], cmpOpText[p.tok.op])
			}
			return &notNode{x: &truthNode{x: opd}}
		}
		p.unexpected("\"(\" or an operand after \"!\"")
	case tOperand:
		l := p.tok.opd
		p.next()
		if p.tok.kind != tCmp {
			return &truthNode{x: l}
		}
		op := p.tok.op
		p.next()
		switch p.tok.kind {
		case tOperand:
		case tLParen:
			p.fail(p.tok.off, "parentheses group logical expressions, not operands: remove the parentheses around the operand")
		case tNot:
			p.fail(p.tok.off, "\"!\" cannot be an operand of %s: write !(...) around a whole comparison", cmpOpText[op])
		default:
			p.unexpected("an operand after " + strconv.Quote(cmpOpText[op]))
		}
		r := p.tok.opd
		p.next()
		if p.tok.kind == tCmp {
			p.fail(p.tok.off, "comparisons do not chain: write (a %s b) && (b %s c) instead of a %s b %s c",
				cmpOpText[op], cmpOpText[p.tok.op], cmpOpText[op], cmpOpText[p.tok.op])
		}
		return &cmpNode{op: op, l: l, r: r}
	case tCmp:
		p.fail(p.tok.off, "comparison %s needs an operand on its left", strconv.Quote(cmpOpText[p.tok.op]))
	}
	p.unexpected("an operand, \"!\" or \"(\"")
	return nil
}

// parseGroup: "(" or ")"; the current token is "(".
func (p *condParser) parseGroup() condNode {
	open := p.tok.off
	p.enter(open)
	p.next()
	x := p.parseOr()
	if p.tok.kind != tRParen {
		if p.tok.kind == tEOF {
			p.fail(open, "unclosed \"(\"")
		}
		p.unexpected("\")\"")
	}
	p.depth--
	p.next()
	if p.tok.kind == tCmp {
		p.fail(p.tok.off, "parentheses group logical expressions, not operands: a group cannot be compared with %s", cmpOpText[p.tok.op])
	}
	return x
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// operandStop reports whether c ends a runtime-expression operand: whitespace
// and the characters ! & ( ) < = > { | }.
func operandStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '!', '&', '(', ')', '<', '=', '>', '{', '|', '}':
		return true
	}
	return false
}

func isWordChar(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '_'
}

// next scans the next token into p.tok.
func (p *condParser) next() {
	s := p.src
	i := p.pos
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	t := token{off: i, end: i}
	if i == len(s) {
		p.tok, p.pos = t, i
		return
	}
	two := ""
	if i+1 < len(s) {
		two = s[i : i+2]
	}
	switch c := s[i]; {
	case two == "||":
		t.kind, t.end = tOr, i+2
	case two == "&&":
		t.kind, t.end = tAnd, i+2
	case two == "==" || two == "!=":
		if i+2 < len(s) && s[i+2] == '=' {
			p.fail(i, "%q is not an operator: use %q (comparisons are loose)", two+"=", two)
		}
		t.kind, t.end, t.op = tCmp, i+2, opEq
		if c == '!' {
			t.op = opNe
		}
	case two == "<=" || two == ">=":
		t.kind, t.end, t.op = tCmp, i+2, opLe
		if c == '>' {
			t.op = opGe
		}
	case c == '<' || c == '>':
		if two == "<>" {
			p.fail(i, "\"<>\" is not an operator: use \"!=\"")
		}
		t.kind, t.end, t.op = tCmp, i+1, opLt
		if c == '>' {
			t.op = opGt
		}
	case c == '!':
		t.kind, t.end = tNot, i+1
	case c == '(':
		t.kind, t.end = tLParen, i+1
	case c == ')':
		t.kind, t.end = tRParen, i+1
	case c == '=':
		if two == "=>" {
			p.fail(i, "\"=>\" is not an operator: use \">=\"")
		}
		p.fail(i, "\"=\" is not an operator: use \"==\" to compare")
	case c == '&':
		p.fail(i, "\"&\" is not an operator: use \"&&\"")
	case c == '|':
		p.fail(i, "\"|\" is not an operator: use \"||\"")
	case c == '{' || c == '}':
		if c == '{' && strings.HasPrefix(s[i:], "{$") {
			p.fail(i, "a condition is not a template: remove the braces around the runtime expression")
		}
		p.fail(i, "unexpected %q: braces are not part of simple conditions", c)
	case c == '"':
		p.fail(i, "strings are enclosed in single quotes ('...'), not double quotes")
	case c == '\'':
		t = p.scanString(i)
	case c == '$':
		t = p.scanExpr(i)
	case c == '-' || '0' <= c && c <= '9':
		t = p.scanNumber(i)
	case c == '+':
		p.fail(i, "a number cannot start with \"+\"")
	case c == '.':
		if i+1 < len(s) && '0' <= s[i+1] && s[i+1] <= '9' {
			p.fail(i, "a number needs a digit before the decimal point: write 0%s", numberRun(s[i:]))
		}
		p.fail(i, "unexpected \".\": property de-reference must follow a runtime expression")
	case c == '[' || c == ']':
		p.fail(i, "unexpected %q: index navigation must follow a runtime expression", c)
	case c == '#':
		p.fail(i, "unexpected \"#\": a JSON pointer must follow a runtime expression such as $response.body")
	case isWordChar(c):
		t = p.scanWord(i)
	default:
		r, _ := utf8.DecodeRuneInString(s[i:])
		p.fail(i, "unexpected character %q", r)
	}
	p.tok, p.pos = t, t.end
}

// numberRun returns the run of number characters at the start of s.
func numberRun(s string) string {
	k := 0
	for k < len(s) && (s[k] == '.' || '0' <= s[k] && s[k] <= '9') {
		k++
	}
	return s[:k]
}

// scanWord scans true, false, null or reports a misplaced word.
func (p *condParser) scanWord(i int) token {
	s := p.src
	k := i
	for k < len(s) && isWordChar(s[k]) {
		k++
	}
	w := s[i:k]
	t := token{kind: tOperand, off: i, end: k}
	opd := &operand{off: i, end: k}
	switch w {
	case "true":
		opd.lit = true
	case "false":
		opd.lit = false
	case "null":
		opd.lit = nil
	case "and", "AND":
		p.fail(i, "%q is not an operator: use \"&&\"", w)
	case "or", "OR":
		p.fail(i, "%q is not an operator: use \"||\"", w)
	case "not", "NOT":
		p.fail(i, "%q is not an operator: use \"!\"", w)
	default:
		switch strings.ToLower(w) {
		case "true", "false", "null":
			p.fail(i, "%q: the literals true, false and null are lower-case", w)
		}
		p.fail(i, "unexpected word %q: strings are enclosed in single quotes and runtime expressions start with \"$\"", w)
	}
	t.opd = opd
	return t
}

// scanString scans a single-quoted string with ” as the escaped quote.
func (p *condParser) scanString(i int) token {
	s := p.src
	var b strings.Builder
	k := i + 1
	start := k
	for {
		j := strings.IndexByte(s[k:], '\'')
		if j < 0 {
			p.fail(i, "unterminated string: a string ends with a single quote")
		}
		k += j
		if k+1 < len(s) && s[k+1] == '\'' {
			b.WriteString(s[start : k+1])
			k += 2
			start = k
			continue
		}
		b.WriteString(s[start:k])
		k++
		break
	}
	return token{kind: tOperand, off: i, end: k, opd: &operand{off: i, end: k, lit: b.String()}}
}

// scanNumber scans a JSON number: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
func (p *condParser) scanNumber(i int) token {
	s := p.src
	k := i
	digits := func() int {
		n := 0
		for k < len(s) && '0' <= s[k] && s[k] <= '9' {
			k++
			n++
		}
		return n
	}
	if s[k] == '-' {
		k++
		if k == len(s) || s[k] < '0' || s[k] > '9' {
			if k < len(s) && s[k] == '.' {
				p.fail(i, "a number needs a digit before the decimal point")
			}
			p.fail(i, "\"-\" must be followed by a digit (there is no arithmetic in conditions)")
		}
	}
	if s[k] == '0' {
		k++
		if k < len(s) && (s[k] == 'x' || s[k] == 'X') {
			p.fail(i, "hexadecimal numbers are not supported")
		}
		if k < len(s) && '0' <= s[k] && s[k] <= '9' {
			p.fail(i, "a number cannot have a leading zero")
		}
	} else {
		digits()
	}
	if k < len(s) && s[k] == '.' {
		k++
		if digits() == 0 {
			p.fail(k-1, "a decimal point must be followed by a digit")
		}
	}
	if k < len(s) && (s[k] == 'e' || s[k] == 'E') {
		k++
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if digits() == 0 {
			p.fail(i, "an exponent needs digits")
		}
	}
	if k < len(s) && !operandStop(s[k]) && s[k] != '\'' {
		p.fail(k, "unexpected %s after the number %s", condQuote(s[k:]), s[i:k])
	}
	f, err := strconv.ParseFloat(s[i:k], 64)
	if err != nil || math.IsInf(f, 0) {
		p.fail(i, "number %s is out of range", s[i:k])
	}
	return token{kind: tOperand, off: i, end: k, opd: &operand{off: i, end: k, lit: f}}
}

// scanExpr scans a runtime-expression operand: it runs to whitespace or to
// one of ! & ( ) < = > { | }. The longest prefix that parses as a runtime
// expression, at a "." or "[" boundary, is the expression; the rest must be
// property de-reference (.name) and index ([n]) navigation.
func (p *condParser) scanExpr(i int) token {
	s := p.src
	k := i
	for k < len(s) && !operandStop(s[k]) {
		k++
	}
	text := s[i:k]
	opd := &operand{off: i, end: k}
	t := token{kind: tOperand, off: i, end: k, opd: opd}

	e, wholeErr := parseG(text, p.g)
	if wholeErr == nil {
		opd.expr = e
		opd.slot = p.slots
		p.slots++
		return t
	}
	if strings.HasPrefix(text, "$.") || strings.HasPrefix(text, "$[") || text == "$" {
		p.fail(i, "%s looks like a JSONPath query, which is not a simple condition: use type jsonpath with a context", condQuote(text))
	}
	for j := len(text) - 1; j > 0; j-- {
		if text[j] != '.' && text[j] != '[' {
			continue
		}
		e, err := parseG(text[:j], p.g)
		if err != nil {
			continue
		}
		nav, off, msg := parseNav(text[j:])
		if msg != "" {
			p.fail(i+j+off, "%s", msg)
		}
		opd.expr, opd.nav = e, nav
		opd.slot = p.slots
		p.slots++
		return t
	}
	se, ok := wholeErr.(*SyntaxError)
	if !ok {
		p.fail(i, "%v", wholeErr)
	}
	p.fail(i+se.Offset, "%s", se.Msg)
	return t
}

// parseNav parses navigation steps: *( "." name / "[" 1*DIGIT "]" ). On error
// it returns the offset in s and a message.
func parseNav(s string) (nav []step, off int, msg string) {
	for k := 0; k < len(s); {
		switch s[k] {
		case '.':
			j := k + 1
			for j < len(s) && s[j] != '.' && s[j] != '[' && s[j] != ']' {
				j++
			}
			if j == k+1 {
				return nil, k, "empty property name after \".\""
			}
			if j < len(s) && s[j] == ']' {
				return nil, j, "unexpected \"]\""
			}
			nav = append(nav, step{name: s[k+1 : j]})
			k = j
		case '[':
			j := k + 1
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			if j == k+1 {
				if j < len(s) && (s[j] == '\'' || s[j] == '"') {
					return nil, k, "bracket member access is not supported: use .name navigation or a JSON pointer"
				}
				if j < len(s) && s[j] == '-' {
					return nil, k, "an index must be a non-negative integer"
				}
				return nil, k, "\"[\" must be followed by an index (digits) and \"]\""
			}
			if j == len(s) || s[j] != ']' {
				return nil, j, "an index must be digits followed by \"]\""
			}
			n, err := strconv.Atoi(s[k+1 : j])
			if err != nil || (j-k-1 > 1 && s[k+1] == '0') {
				return nil, k + 1, "invalid index " + s[k+1:j]
			}
			nav = append(nav, step{index: n, isIdx: true})
			k = j + 1
		default:
			return nil, k, fmt.Sprintf("unexpected %s: expected .name or [index] navigation", condQuote(s[k:]))
		}
	}
	return nav, 0, ""
}

// condQuote quotes the start of s for an error message.
func condQuote(s string) string {
	const max = 24
	if len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "..."
	}
	return strconv.Quote(s)
}
