package expr

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	exprlang "github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// This file compiles parsed simple conditions to expr-lang programs and
// holds the comparison semantics (D2, D4), which the JSONPath comparison form
// reuses.
//
// The program is built from generated source in which every operand is
// replaced: a runtime expression becomes get(<slot>), a string or number
// literal becomes an identifier that a patcher turns into a constant node, so
// no text of the condition ever reaches expr-lang's lexer. Comparisons become
// calls eq, ne, lt, le, gt, ge and a bare operand truthy(x). All of these are
// env functions of the typed shapes func(any) any and func(any, any) bool,
// which expr-lang calls without allocating; the env map and the VM come from
// a pool, so an evaluation allocates nothing of its own.

// condition is a compiled simple condition. It is immutable apart from its
// pool, and safe for concurrent use.
type condition struct {
	src      string
	operands []*operand // runtime-expression operands, by slot
	program  *vm.Program
	pool     sync.Pool // of *condState
}

// condState is the per-evaluation state: a VM, the env map whose get entry is
// bound to this state, and the resolver of the evaluation in progress.
type condState struct {
	vm  vm.VM
	env map[string]any
	c   *condition
	r   Resolver
	err error
}

// The typed shapes of the env functions. expr-lang has fast, allocation-free
// call paths for exactly these signatures.
type (
	getFunc  = func(any) any
	cmpFunc  = func(any, any) bool
	testFunc = func(any) bool
)

// compileEnv types the env for expr-lang's checker.
var compileEnv = map[string]any{
	"get":    getFunc(nil),
	"eq":     cmpFunc(nil),
	"ne":     cmpFunc(nil),
	"lt":     cmpFunc(nil),
	"le":     cmpFunc(nil),
	"gt":     cmpFunc(nil),
	"ge":     cmpFunc(nil),
	"truthy": testFunc(nil),
}

// compileCondition compiles a simple condition whose runtime-expression
// operands follow the grammar g.
func compileCondition(src string, gr grammar) (*condition, error) {
	root, nslots, err := parseConditionG(src, gr)
	if err != nil {
		return nil, err
	}
	c := &condition{src: src, operands: make([]*operand, nslots)}
	g := &condGen{c: c}
	g.node(root)
	program, err := exprlang.Compile(g.b.String(),
		exprlang.Env(compileEnv),
		exprlang.AsBool(),
		exprlang.DisableAllBuiltins(),
		exprlang.MaxNodes(uint(g.b.Len())+64),
		exprlang.Patch(litPatcher(g.lits)),
	)
	if err != nil {
		// The generated program is valid by construction; this is a bug.
		return nil, &SyntaxError{Offset: 0, Msg: "internal error compiling the condition: " + err.Error(), Expr: src}
	}
	c.program = program
	c.pool.New = func() any { return c.newState() }
	return c, nil
}

func (c *condition) newState() *condState {
	s := &condState{c: c}
	s.env = map[string]any{
		"get":    getFunc(s.get),
		"eq":     cmpFunc(looseEq),
		"ne":     cmpFunc(looseNe),
		"lt":     cmpFunc(looseLt),
		"le":     cmpFunc(looseLe),
		"gt":     cmpFunc(looseGt),
		"ge":     cmpFunc(looseGe),
		"truthy": testFunc(truthy),
	}
	return s
}

// eval runs the program. An error resolving an operand makes the result
// false and is returned.
func (c *condition) eval(r Resolver) (bool, error) {
	s := c.pool.Get().(*condState)
	s.r = r
	out, err := s.vm.Run(c.program, s.env)
	operandErr := s.err
	s.r, s.err = nil, nil
	c.pool.Put(s)
	if operandErr != nil {
		return false, operandErr
	}
	if err != nil {
		return false, &CriterionError{Condition: c.src, Err: err}
	}
	b, _ := out.(bool)
	return b, nil
}

// get resolves the runtime-expression operand in slot i and applies its
// navigation. A missing value is nil (null).
func (s *condState) get(i any) any {
	if s.err != nil {
		return nil
	}
	slot, _ := i.(int)
	if slot < 0 || slot >= len(s.c.operands) {
		return nil
	}
	opd := s.c.operands[slot]
	v, ok, err := opd.expr.Eval(s.r)
	if err != nil {
		s.err = &CriterionError{Condition: s.c.src, Offset: opd.off, Err: err}
		return nil
	}
	if !ok {
		return nil
	}
	if len(opd.nav) > 0 {
		if v, err = decodeBodyForNav(opd.expr, v); err != nil {
			s.err = &CriterionError{Condition: s.c.src, Offset: opd.off, Err: err}
			return nil
		}
	}
	for _, st := range opd.nav {
		v = navigate(v, st)
	}
	return v
}

// decodeBodyForNav decodes a request or response body that the resolver
// returns undecoded (a string or []byte) so that navigation can apply to it,
// as a JSON pointer would.
func decodeBodyForNav(e *Expr, v any) (any, error) {
	if !e.Kind.isBody() || e.HasPointer {
		return v, nil
	}
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return v, nil
	}
	var d any
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, &EvalError{Expr: e.String(), Msg: "cannot navigate into the body: it is not JSON", Err: err}
	}
	return d, nil
}

// navigate applies one ".name" or "[n]" step; anything that is not there is
// nil.
func navigate(v any, st step) any {
	if st.isIdx {
		switch a := v.(type) {
		case []any:
			if st.index < len(a) {
				return a[st.index]
			}
		case []string:
			if st.index < len(a) {
				return a[st.index]
			}
		}
		return nil
	}
	switch m := v.(type) {
	case map[string]any:
		return m[st.name]
	case map[string]string:
		if x, ok := m[st.name]; ok {
			return x
		}
	}
	return nil
}

// condGen generates the expr-lang source of a condition.
type condGen struct {
	c    *condition
	b    strings.Builder
	lits []any
}

func (g *condGen) node(n condNode) {
	switch n := n.(type) {
	case *orNode:
		g.join(n.terms, " || ")
	case *andNode:
		g.join(n.terms, " && ")
	case *notNode:
		g.b.WriteString("!(")
		g.node(n.x)
		g.b.WriteByte(')')
	case *cmpNode:
		g.b.WriteString(cmpOpFunc[n.op])
		g.b.WriteByte('(')
		g.operand(n.l)
		g.b.WriteString(", ")
		g.operand(n.r)
		g.b.WriteByte(')')
	case *truthNode:
		g.b.WriteString("truthy(")
		g.operand(n.x)
		g.b.WriteByte(')')
	}
}

func (g *condGen) join(terms []condNode, sep string) {
	for i, t := range terms {
		if i > 0 {
			g.b.WriteString(sep)
		}
		g.b.WriteByte('(')
		g.node(t)
		g.b.WriteByte(')')
	}
}

func (g *condGen) operand(o *operand) {
	if o.expr != nil {
		g.c.operands[o.slot] = o
		g.b.WriteString("get(")
		g.b.WriteString(strconv.Itoa(o.slot))
		g.b.WriteByte(')')
		return
	}
	switch v := o.lit.(type) {
	case nil:
		g.b.WriteString("nil")
	case bool:
		g.b.WriteString(strconv.FormatBool(v))
	default:
		g.b.WriteString("lit")
		g.b.WriteString(strconv.Itoa(len(g.lits)))
		g.lits = append(g.lits, v)
	}
}

// litPatcher replaces the identifiers lit<n> by constant nodes.
type litPatcher []any

func (p litPatcher) Visit(node *ast.Node) {
	id, ok := (*node).(*ast.IdentifierNode)
	if !ok || !strings.HasPrefix(id.Value, "lit") {
		return
	}
	n, err := strconv.Atoi(id.Value[3:])
	if err != nil || n < 0 || n >= len(p) {
		return
	}
	ast.Patch(node, &ast.ConstantNode{Value: p[n]})
}

// Comparison semantics (D2): see criterion_doc.go.

func looseEq(a, b any) bool { return looseEqual(a, b, 0) }
func looseNe(a, b any) bool { return !looseEqual(a, b, 0) }
func looseLt(a, b any) bool { c, ok := looseCompare(a, b); return ok && c < 0 }
func looseLe(a, b any) bool { c, ok := looseCompare(a, b); return ok && c <= 0 }
func looseGt(a, b any) bool { c, ok := looseCompare(a, b); return ok && c > 0 }
func looseGe(a, b any) bool { c, ok := looseCompare(a, b); return ok && c >= 0 }

// truthy is the truthiness of a bare operand (D4): true unless null or false.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}

// maxEqualDepth bounds the recursion of looseEqual into arrays and objects.
const maxEqualDepth = 128

func looseEqual(a, b any, depth int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := asNumber(a); ok {
		return equalNumber(x, b)
	}
	if y, ok := asNumber(b); ok {
		return equalNumber(y, a)
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && strings.EqualFold(x, y)
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || depth >= maxEqualDepth {
			return false
		}
		for i := range x {
			if !looseEqual(x[i], y[i], depth+1) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) || depth >= maxEqualDepth {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !looseEqual(xv, yv, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// equalNumber compares the number x with b: a number, or a numeric string.
func equalNumber(x float64, b any) bool {
	if y, ok := asNumber(b); ok {
		return x == y
	}
	if s, ok := b.(string); ok {
		y, ok := numericString(s)
		return ok && x == y
	}
	return false
}

// looseCompare orders a and b: two numbers, a number and a numeric string,
// or two strings (case-insensitively). Anything else is unordered.
func looseCompare(a, b any) (int, bool) {
	if a == nil || b == nil {
		return 0, false
	}
	x, xn := asNumber(a)
	y, yn := asNumber(b)
	switch {
	case xn && yn:
	case xn:
		s, ok := b.(string)
		if !ok {
			return 0, false
		}
		if y, yn = numericString(s); !yn {
			return 0, false
		}
	case yn:
		s, ok := a.(string)
		if !ok {
			return 0, false
		}
		if x, xn = numericString(s); !xn {
			return 0, false
		}
	default:
		sa, ok1 := a.(string)
		sb, ok2 := b.(string)
		if !ok1 || !ok2 {
			return 0, false
		}
		return compareFold(sa, sb), true
	}
	switch {
	case math.IsNaN(x) || math.IsNaN(y):
		return 0, false
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

// compareFold orders two strings case-insensitively, consistent with
// strings.EqualFold for equality.
func compareFold(a, b string) int {
	if strings.EqualFold(a, b) {
		return 0
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
		if la != lb {
			if la < lb {
				return -1
			}
			return 1
		}
		i += na
		j += nb
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return strings.Compare(a, b)
}

// asNumber reports whether v is a number of the data model, or one a caller
// may pass (Go integer and float types, json.Number).
func asNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float32:
		return float64(x), true
	case int32:
		return float64(x), true
	case int16:
		return float64(x), true
	case int8:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint8:
		return float64(x), true
	case json.Number:
		return numericString(string(x))
	}
	return 0, false
}

// numericString parses s as a JSON number, ignoring surrounding ASCII
// whitespace. Other spellings that strconv accepts (hex, "Inf", "1_000",
// a leading "+") are not numeric strings.
func numericString(s string) (float64, bool) {
	s = strings.TrimFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if !isJSONNumber(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// isJSONNumber reports whether s is exactly a JSON number.
func isJSONNumber(s string) bool {
	k := 0
	digits := func() int {
		n := 0
		for k < len(s) && '0' <= s[k] && s[k] <= '9' {
			k++
			n++
		}
		return n
	}
	if k < len(s) && s[k] == '-' {
		k++
	}
	if k < len(s) && s[k] == '0' {
		k++
	} else if digits() == 0 {
		return false
	}
	if k < len(s) && s[k] == '.' {
		k++
		if digits() == 0 {
			return false
		}
	}
	if k < len(s) && (s[k] == 'e' || s[k] == 'E') {
		k++
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if digits() == 0 {
			return false
		}
	}
	return k == len(s)
}
