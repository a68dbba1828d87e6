package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file checks that an xpath condition is an XPath 1.0 expression that
// the engine (antchfx/xpath, an XPath 1.0 implementation) evaluates
// faithfully, and explains the constructs of XPath 2.0 and later that it
// cannot evaluate. The engine's own parser ignores trailing input and
// accepts some 2.0 syntax with wrong results, so every condition is parsed
// here first, completely.

// xpTok is a token kind of XPath 1.0.
type xpTok uint8

const (
	xpEOF xpTok = iota
	xpLParen
	xpRParen
	xpLBracket
	xpRBracket
	xpDot
	xpDotDot
	xpAt
	xpComma
	xpColonColon
	xpLiteral
	xpNumber
	xpStar
	xpSlash
	xpSlashSlash
	xpPipe
	xpPlus
	xpMinus
	xpEq
	xpNe
	xpLt
	xpLe
	xpGt
	xpGe
	xpName // QName or prefix:*
	xpVar
)

type xpToken struct {
	kind     xpTok
	off, end int
	text     string
}

// xpStatic is what the checker knows of an expression's type. It is used,
// for XPath 2.0 and later, to reject the comparisons and arithmetic whose
// meaning differs from XPath 1.0's.
type xpStatic uint8

const (
	xsUnknown   xpStatic = iota // a node-set, or not known
	xsStringLit                 // a string literal
	xsNumberLit                 // a number literal
	xsString                    // a string-valued function call
	xsNumber                    // a numeric expression other than a literal
	xsBool                      // a boolean expression
)

func (s xpStatic) isString() bool  { return s == xsStringLit || s == xsString }
func (s xpStatic) isNumeric() bool { return s == xsNumberLit || s == xsNumber }

// xpFuncTypes are the result types of the accepted functions.
var xpFuncTypes = map[string]xpStatic{
	"last": xsNumber, "position": xsNumber, "count": xsNumber, "string-length": xsNumber, "number": xsNumber,
	"sum": xsNumber, "floor": xsNumber, "ceiling": xsNumber, "round": xsNumber,
	"local-name": xsString, "namespace-uri": xsString, "name": xsString, "string": xsString, "concat": xsString,
	"substring-before": xsString, "substring-after": xsString, "substring": xsString, "normalize-space": xsString,
	"translate": xsString, "lower-case": xsString, "string-join": xsString,
	"starts-with": xsBool, "contains": xsBool, "ends-with": xsBool, "boolean": xsBool, "not": xsBool,
	"true": xsBool, "false": xsBool,
}

type xpChecker struct {
	src     string
	toks    []xpToken
	i       int
	version string // "" (3.1), xpath-30, xpath-20, xpath-10
	depth   int
	preds   int        // enclosing predicates
	shape   queryShape // for the cost estimate
}

// xpFunc is the arity of a function the engine implements faithfully.
type xpFunc struct {
	min, max int  // max < 0: variadic
	v2       bool // XPath 2.0 and later only
}

var xpFuncs = map[string]xpFunc{
	"last": {0, 0, false}, "position": {0, 0, false}, "count": {1, 1, false},
	"local-name": {0, 1, false}, "namespace-uri": {0, 1, false}, "name": {0, 1, false},
	"string": {0, 1, false}, "concat": {2, -1, false}, "starts-with": {2, 2, false},
	"contains": {2, 2, false}, "substring-before": {2, 2, false}, "substring-after": {2, 2, false},
	"substring": {2, 3, false}, "string-length": {1, 1, false}, "normalize-space": {0, 1, false},
	"translate": {3, 3, false}, "boolean": {1, 1, false}, "not": {1, 1, false},
	"true": {0, 0, false}, "false": {0, 0, false}, "number": {0, 1, false},
	"sum": {1, 1, false}, "floor": {1, 1, false}, "ceiling": {1, 1, false}, "round": {1, 1, false},
	"lower-case": {1, 1, true}, "ends-with": {2, 2, true}, "string-join": {2, 2, true},
}

var xpAxes = map[string]bool{
	"ancestor": true, "ancestor-or-self": true, "attribute": true, "child": true, "descendant": true,
	"descendant-or-self": true, "following": true, "following-sibling": true, "namespace": true,
	"parent": true, "preceding": true, "preceding-sibling": true, "self": true,
}

// xpKindTests2 are the kind tests of XPath 2.0 and later.
var xpKindTests2 = map[string]bool{
	"element": true, "attribute": true, "document-node": true, "schema-element": true,
	"schema-attribute": true, "item": true, "empty-sequence": true, "namespace-node": true,
}

// xpOperatorWords2 are the keywords of XPath 2.0 and later that stand between
// two operands.
var xpOperatorWords2 = map[string]string{
	"eq": "the value comparison \"eq\" (use \"=\")", "ne": "the value comparison \"ne\" (use \"!=\")",
	"lt": "the value comparison \"lt\" (use \"<\")", "le": "the value comparison \"le\" (use \"<=\")",
	"gt": "the value comparison \"gt\" (use \">\")", "ge": "the value comparison \"ge\" (use \">=\")",
	"is": "the node comparison \"is\"", "to": "the range expression \"to\"",
	"idiv": "the integer division \"idiv\"", "union": "\"union\" (use \"|\")",
	"intersect": "\"intersect\"", "except": "\"except\"", "instance": "\"instance of\"",
	"treat": "\"treat as\"", "castable": "\"castable as\"", "cast": "\"cast as\"",
	"satisfies": "a quantified expression (\"satisfies\")", "return": "a for expression (\"return\")",
	"then": "an if expression (\"then\")", "else": "an if expression (\"else\")",
	"in": "a for or quantified expression (\"in\")", "otherwise": "\"otherwise\"",
}

// xpLeadingWords2 are the keywords of XPath 2.0 and later that start an
// expression, when followed by "$" or "(".
var xpLeadingWords2 = map[string]string{
	"for": "a for expression (\"for ... return\")", "some": "a quantified expression (\"some ... satisfies\")",
	"every": "a quantified expression (\"every ... satisfies\")", "let": "a let expression",
	"if": "an if expression (\"if ... then ... else\")", "function": "an inline function",
	"map": "a map constructor", "array": "an array constructor",
}

// checkXPath validates cond for the given version and returns the shape of
// its cost. Errors are *SyntaxError.
func checkXPath(cond, version string) (shape queryShape, err error) {
	c := &xpChecker{src: cond, version: version, shape: queryShape{fanout: 1, lang: "XPath expression"}}
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case *SyntaxError:
				err = e
			case *xpathUnsupportedError:
				err = e
			default:
				panic(r)
			}
		}
	}()
	c.tokenize()
	c.expr()
	if t := c.peek(); t.kind != xpEOF {
		c.unexpected(t)
	}
	return c.shape, nil
}

func (c *xpChecker) fail(off int, format string, args ...any) {
	panic(&SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...), Expr: c.src})
}

// fail2 reports a construct of XPath 2.0 and later.
func (c *xpChecker) fail2(off int, what string) {
	if c.version == VersionXPath10 {
		c.fail(off, "%s is not XPath 1.0", what)
	}
	panic(&xpathUnsupportedError{SyntaxError{Offset: off, Expr: c.src,
		Msg: fmt.Sprintf("%s is XPath 2.0+ syntax, which the XPath 1.0 engine cannot evaluate; only expressions that are also valid XPath 1.0 are supported", what)}})
}

// xpathUnsupportedError is a construct of XPath 2.0 and later in a
// condition declared as such (E23): valid, but not evaluable here.
type xpathUnsupportedError struct{ SyntaxError }

func (c *xpChecker) peek() xpToken { return c.toks[c.i] }

func (c *xpChecker) peekAt(k int) xpToken {
	if c.i+k < len(c.toks) {
		return c.toks[c.i+k]
	}
	return c.toks[len(c.toks)-1]
}

func (c *xpChecker) take() xpToken {
	t := c.toks[c.i]
	if t.kind != xpEOF {
		c.i++
	}
	return t
}

func (c *xpChecker) expect(k xpTok, what string) xpToken {
	t := c.peek()
	if t.kind != k {
		c.unexpectedWant(t, what)
	}
	return c.take()
}

// unexpected reports a token that cannot continue the expression.
func (c *xpChecker) unexpected(t xpToken) { c.unexpectedWant(t, "") }

func (c *xpChecker) unexpectedWant(t xpToken, want string) {
	switch t.kind {
	case xpEOF:
		if want == "" {
			want = "more"
		}
		c.fail(t.off, "unexpected end of the XPath expression: expected %s", want)
	case xpName:
		if d, ok := xpOperatorWords2[t.text]; ok {
			c.fail2(t.off, d)
		}
	case xpComma:
		if c.depth == 0 {
			c.fail2(t.off, "a sequence (\",\" outside a function call)")
		}
	case xpLBracket:
		c.fail2(t.off, "an array constructor \"[...]\"")
	}
	if want != "" {
		c.fail(t.off, "unexpected %s in the XPath expression: expected %s", strconv.Quote(t.text), want)
	}
	c.fail(t.off, "unexpected %s in the XPath expression", strconv.Quote(t.text))
}

func (c *xpChecker) enter(off int) {
	c.depth++
	if c.depth > maxConditionDepth {
		c.fail(off, "XPath expression nested too deeply (more than %d levels)", maxConditionDepth)
	}
}

func xpNameStart(r rune) bool {
	return r == '_' || unicode.IsLetter(r)
}

func xpNameChar(r rune) bool {
	return xpNameStart(r) || r == '-' || r == '.' || unicode.IsDigit(r) || r == '\u00B7' ||
		unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// ncname returns the end of the NCName starting at i, or i.
func (c *xpChecker) ncname(i int) int {
	s := c.src
	if i >= len(s) {
		return i
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if !xpNameStart(r) {
		return i
	}
	i += n
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !xpNameChar(r) {
			break
		}
		i += n
	}
	return i
}

func (c *xpChecker) tokenize() {
	s := c.src
	i := 0
	add := func(k xpTok, end int) {
		c.toks = append(c.toks, xpToken{kind: k, off: i, end: end, text: s[i:end]})
		i = end
	}
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			c.toks = append(c.toks, xpToken{kind: xpEOF, off: i, end: i})
			return
		}
		two := ""
		if i+1 < len(s) {
			two = s[i : i+2]
		}
		switch ch := s[i]; {
		case two == "(:":
			c.fail2(i, "a comment \"(: ... :)\"")
		case two == "::":
			add(xpColonColon, i+2)
		case two == "..":
			add(xpDotDot, i+2)
		case two == "//":
			add(xpSlashSlash, i+2)
		case two == "!=":
			add(xpNe, i+2)
		case two == "<=":
			add(xpLe, i+2)
		case two == ">=":
			add(xpGe, i+2)
		case two == "||":
			c.fail2(i, "the string concatenation operator \"||\"")
		case two == "=>":
			c.fail2(i, "the arrow operator \"=>\"")
		case two == "<<" || two == ">>":
			c.fail2(i, fmt.Sprintf("the node order comparison %q", two))
		case two == ":=":
			c.fail2(i, "a let binding \":=\"")
		case ch == '!':
			c.fail2(i, "the simple map operator \"!\"")
		case ch == '#':
			c.fail2(i, "a named function reference \"#\"")
		case ch == '?':
			c.fail2(i, "the lookup operator \"?\"")
		case ch == '{' || ch == '}':
			c.fail2(i, "a map, array or function constructor \"{...}\"")
		case ch == '(':
			add(xpLParen, i+1)
		case ch == ')':
			add(xpRParen, i+1)
		case ch == '[':
			add(xpLBracket, i+1)
		case ch == ']':
			add(xpRBracket, i+1)
		case ch == '@':
			add(xpAt, i+1)
		case ch == ',':
			add(xpComma, i+1)
		case ch == '*':
			add(xpStar, i+1)
		case ch == '/':
			add(xpSlash, i+1)
		case ch == '|':
			add(xpPipe, i+1)
		case ch == '+':
			add(xpPlus, i+1)
		case ch == '-':
			add(xpMinus, i+1)
		case ch == '=':
			add(xpEq, i+1)
		case ch == '<':
			add(xpLt, i+1)
		case ch == '>':
			add(xpGt, i+1)
		case ch == '"' || ch == '\'':
			j := strings.IndexByte(s[i+1:], ch)
			if j < 0 {
				c.fail(i, "unterminated string literal")
			}
			end := i + 1 + j + 1
			if end < len(s) && s[end] == ch {
				c.fail2(end-1, "a doubled quote inside a string literal")
			}
			add(xpLiteral, end)
		case ch == '.' || '0' <= ch && ch <= '9':
			j := i
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			if j < len(s) && s[j] == '.' {
				j++
				for j < len(s) && '0' <= s[j] && s[j] <= '9' {
					j++
				}
			}
			if j == i+1 && ch == '.' {
				add(xpDot, i+1)
				continue
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && '0' <= s[k] && s[k] <= '9' {
					c.fail2(i, "a number with an exponent")
				}
			}
			add(xpNumber, j)
		case ch == '$':
			j := c.ncname(i + 1)
			if j == i+1 {
				c.fail(i, "\"$\" must be followed by a variable name")
			}
			if j < len(s) && s[j] == ':' && c.ncname(j+1) > j+1 {
				j = c.ncname(j + 1)
			}
			add(xpVar, j)
		default:
			j := c.ncname(i)
			if j == i {
				r, _ := utf8.DecodeRuneInString(s[i:])
				c.fail(i, "unexpected character %q in the XPath expression", r)
			}
			if j+1 < len(s) && s[j] == ':' && s[j+1] != ':' {
				if s[j+1] == '*' {
					j += 2
				} else if k := c.ncname(j + 1); k > j+1 {
					j = k
				}
			} else if ch == 'Q' && j == i+1 && j < len(s) && s[j] == '{' {
				c.fail2(i, "a URI-qualified name Q{...}")
			}
			add(xpName, j)
		}
	}
}

// expr: or
func (c *xpChecker) expr() xpStatic {
	t := c.peek()
	c.enter(t.off)
	defer func() { c.depth-- }()
	return c.or()
}

func (c *xpChecker) or() xpStatic {
	s := c.and()
	for c.isOperatorName("or") {
		c.take()
		c.and()
		s = xsBool
	}
	return s
}

func (c *xpChecker) and() xpStatic {
	s := c.comparison()
	for c.isOperatorName("and") {
		c.take()
		c.comparison()
		s = xsBool
	}
	return s
}

func (c *xpChecker) isOperatorName(w string) bool {
	t := c.peek()
	return t.kind == xpName && t.text == w
}

func isXPComparison(k xpTok) bool {
	switch k {
	case xpEq, xpNe, xpLt, xpLe, xpGt, xpGe:
		return true
	}
	return false
}

// comparison: EqualityExpr and RelationalExpr of XPath 1.0. For XPath 2.0
// and later it rejects what means something else there: chained comparisons
// (a syntax error), comparisons of a string or boolean with a number (type
// errors, where 1.0 converts), and relational comparisons where no side is a
// number (2.0 compares strings, 1.0 numbers).
func (c *xpChecker) comparison() xpStatic {
	l := c.additive()
	n := 0
	for isXPComparison(c.peek().kind) {
		op := c.take()
		n++
		if n > 1 && c.version != VersionXPath10 {
			c.fail(op.off, "comparisons do not chain in XPath 2.0+ (a = b = c is valid only in XPath 1.0, with a different meaning): use parentheses or \"and\"")
		}
		r := c.additive()
		if c.version != VersionXPath10 {
			c.checkComparison(op, l, r)
		}
		l = xsBool
	}
	return l
}

func (c *xpChecker) checkComparison(op xpToken, l, r xpStatic) {
	mixed := func(a, b xpStatic) bool {
		return a.isString() && (b.isNumeric() || b == xsBool) || a.isNumeric() && b == xsBool
	}
	if mixed(l, r) || mixed(r, l) {
		c.fail(op.off, "comparing values of different types (string, number, boolean) is a type error in XPath 2.0+, while XPath 1.0 converts them; convert one side with number(), string() or boolean()")
	}
	if op.kind == xpEq || op.kind == xpNe {
		return
	}
	if !(l.isNumeric() && (r.isNumeric() || r == xsUnknown) || r.isNumeric() && l == xsUnknown) {
		c.fail(op.off, "%q compares strings in XPath 2.0+ but numbers in XPath 1.0 unless one side is a number: wrap a side in number(...)", op.text)
	}
}

func (c *xpChecker) additive() xpStatic {
	l := c.multiplicative()
	for k := c.peek().kind; k == xpPlus || k == xpMinus; k = c.peek().kind {
		op := c.take()
		r := c.multiplicative()
		c.checkArith(op, l, r)
		l = xsNumber
	}
	return l
}

func (c *xpChecker) multiplicative() xpStatic {
	l := c.unary()
	for {
		t := c.peek()
		if t.kind != xpStar && !(t.kind == xpName && (t.text == "div" || t.text == "mod")) {
			return l
		}
		c.take()
		r := c.unary()
		c.checkArith(t, l, r)
		l = xsNumber
	}
}

func (c *xpChecker) checkArith(op xpToken, l, r xpStatic) {
	if c.version != VersionXPath10 && (l.isString() || r.isString() || l == xsBool || r == xsBool) {
		c.fail(op.off, "arithmetic on a string or boolean is a type error in XPath 2.0+, while XPath 1.0 converts it to a number: use number(...)")
	}
}

func (c *xpChecker) unary() xpStatic {
	if c.peek().kind == xpMinus {
		t := c.take()
		c.enter(t.off)
		s := c.unary()
		c.depth--
		c.checkArith(t, s, xsUnknown)
		return xsNumber
	}
	return c.union()
}

func (c *xpChecker) union() xpStatic {
	s := c.path()
	for c.peek().kind == xpPipe {
		c.take()
		c.path()
		s = xsUnknown
	}
	return s
}

// path: LocationPath | FilterExpr (("/" | "//") RelativeLocationPath)?
func (c *xpChecker) path() xpStatic {
	t := c.peek()
	switch t.kind {
	case xpSlash:
		c.take()
		c.absolutePath()
		if c.canStartStep() {
			c.relativePath()
		}
		return xsUnknown
	case xpSlashSlash:
		c.take()
		c.absolutePath()
		c.shape.descendants++
		c.relativePath()
		return xsUnknown
	case xpVar, xpLParen, xpLiteral, xpNumber:
		s := c.filter()
		if k := c.peek().kind; k == xpSlash || k == xpSlashSlash {
			c.slash(c.take())
			c.relativePath()
			s = xsUnknown
		}
		return s
	case xpName:
		next := c.peekAt(1)
		if next.kind == xpLParen && !isNodeType(t.text) {
			if xpKindTests2[t.text] {
				c.fail2(t.off, fmt.Sprintf("the kind test %s()", t.text))
			}
			if _, ok := xpLeadingWords2[t.text]; ok && !strings.Contains(t.text, ":") {
				c.fail2(t.off, xpLeadingWords2[t.text])
			}
			s := c.filter()
			if k := c.peek().kind; k == xpSlash || k == xpSlashSlash {
				c.slash(c.take())
				c.relativePath()
				s = xsUnknown
			}
			return s
		}
		if d, ok := xpLeadingWords2[t.text]; ok && next.kind == xpVar {
			c.fail2(t.off, d)
		}
		c.relativePath()
		return xsUnknown
	}
	if c.canStartStep() {
		c.relativePath()
		return xsUnknown
	}
	c.unexpectedWant(t, "an operand")
	return xsUnknown
}

func isNodeType(name string) bool {
	switch name {
	case "comment", "text", "processing-instruction", "node":
		return true
	}
	return false
}

func (c *xpChecker) canStartStep() bool {
	switch c.peek().kind {
	case xpName, xpStar, xpAt, xpDot, xpDotDot:
		return true
	}
	return false
}

func (c *xpChecker) relativePath() {
	c.step()
	for k := c.peek().kind; k == xpSlash || k == xpSlashSlash; k = c.peek().kind {
		c.slash(c.take())
		c.step()
	}
}

// absolutePath counts, for the cost estimate, an absolute path: inside a
// predicate it runs from the root for every node tested.
func (c *xpChecker) absolutePath() {
	if c.preds > 0 {
		c.shape.absolute++
	}
}

// slash counts a "//" between steps for the cost estimate.
func (c *xpChecker) slash(t xpToken) {
	if t.kind == xpSlashSlash {
		c.shape.descendants++
	}
}

// step: AxisSpecifier NodeTest Predicate* | "." | ".."
func (c *xpChecker) step() {
	t := c.peek()
	switch t.kind {
	case xpDot, xpDotDot:
		c.take()
		if c.peek().kind == xpLBracket {
			c.fail2(c.peek().off, "a predicate after \".\" or \"..\"")
		}
		return
	case xpAt:
		c.take()
	case xpName:
		if c.peekAt(1).kind == xpColonColon {
			if !xpAxes[t.text] {
				c.fail(t.off, "unknown axis %q", t.text)
			}
			switch t.text {
			case "descendant", "descendant-or-self", "ancestor", "ancestor-or-self":
				c.shape.descendants++
			case "following", "preceding", "following-sibling", "preceding-sibling":
				c.shape.absolute++
			}
			c.take()
			c.take()
		}
	}
	c.nodeTest()
	for c.peek().kind == xpLBracket {
		c.predicate()
	}
}

func (c *xpChecker) nodeTest() {
	t := c.peek()
	switch t.kind {
	case xpStar:
		c.take()
		return
	case xpName:
		c.take()
		if c.peek().kind != xpLParen {
			return
		}
		open := c.take()
		switch {
		case t.text == "processing-instruction":
			if c.peek().kind == xpLiteral {
				c.take()
			}
		case isNodeType(t.text):
		case xpKindTests2[t.text]:
			c.fail2(t.off, fmt.Sprintf("the kind test %s()", t.text))
		default:
			c.fail(open.off, "%q is not a node test", t.text+"()")
		}
		c.expect(xpRParen, "\")\"")
		return
	}
	c.unexpectedWant(t, "a node test")
}

func (c *xpChecker) predicate() {
	open := c.take()
	c.enter(open.off)
	c.preds++
	if c.peek().kind == xpRBracket {
		c.fail(c.peek().off, "empty predicate \"[]\"")
	}
	c.expr()
	c.expect(xpRBracket, "\"]\"")
	c.preds--
	c.depth--
}

// filter: PrimaryExpr Predicate*
func (c *xpChecker) filter() xpStatic {
	s := c.primary()
	for c.peek().kind == xpLBracket {
		c.predicate()
		s = xsUnknown
	}
	return s
}

func (c *xpChecker) primary() xpStatic {
	t := c.take()
	switch t.kind {
	case xpVar:
		c.fail(t.off, "variable references such as %s are not supported: a criterion has no variable bindings", t.text)
	case xpLiteral:
		return xsStringLit
	case xpNumber:
		return xsNumberLit
	case xpLParen:
		c.enter(t.off)
		if c.peek().kind == xpRParen {
			c.fail2(t.off, "the empty sequence \"()\"")
		}
		s := c.expr()
		if c.peek().kind == xpComma {
			c.fail2(c.peek().off, "a sequence \"(a, b)\"")
		}
		c.expect(xpRParen, "\")\"")
		c.depth--
		return s
	case xpName:
		c.call(t)
		return xpFuncTypes[t.text]
	}
	c.unexpectedWant(t, "an operand")
	return xsUnknown
}

// call checks a function call; the current token is "(".
func (c *xpChecker) call(name xpToken) {
	fn, ok := xpFuncs[name.text]
	switch {
	case !ok && strings.HasPrefix(name.text, "fn:"):
		c.fail2(name.off, "the namespace prefix \"fn:\" on a function name")
	case !ok && (name.text == "id" || name.text == "lang"):
		c.fail(name.off, "the XPath 1.0 function %s() is not supported by the XPath engine", name.text)
	case !ok:
		c.fail(name.off, "the function %s() is not supported (the engine implements the XPath 1.0 core functions and lower-case, ends-with, string-join)", name.text)
	case fn.v2 && c.version == VersionXPath10:
		c.fail(name.off, "%s() is not an XPath 1.0 function", name.text)
	}
	open := c.take()
	c.enter(open.off)
	n := 0
	if c.peek().kind != xpRParen {
		for {
			c.expr()
			n++
			if c.peek().kind != xpComma {
				break
			}
			c.take()
		}
	}
	c.expect(xpRParen, "\",\" or \")\"")
	c.depth--
	if n < fn.min || fn.max >= 0 && n > fn.max {
		want := strconv.Itoa(fn.min)
		switch {
		case fn.max < 0:
			want = "at least " + want
		case fn.max != fn.min:
			want = fmt.Sprintf("%d to %d", fn.min, fn.max)
		}
		c.fail(name.off, "%s() takes %s argument(s), not %d", name.text, want, n)
	}
}
