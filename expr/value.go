package expr

import (
	"sort"
	"strings"
)

type valueKind uint8

const (
	valLiteral valueKind = iota
	valExpr
	valTemplate
	valObject
	valArray
)

// Value is a compiled "Any | {expression}" value of a document: a parameter
// value, a request body payload, a payload replacement value. It is
// immutable and safe for concurrent use.
type Value struct {
	kind  valueKind
	raw   any       // the value given to CompileValue
	expr  *Expr     // valExpr
	tmpl  *Template // valTemplate
	keys  []string  // valObject, sorted
	elems []*Value  // valObject (parallel to keys) and valArray
	exprs []*Expr   // every expression inside, in document order (keys sorted)
}

// CompileValue compiles v, a value in the JSON data model, walking objects
// ([map[string]any]) and arrays ([]any). Each string in it becomes
//
//   - an expression, if the whole string parses as one ("$inputs.count"):
//     evaluation preserves the type of the referenced value;
//   - a template, if it embeds at least one "{$...}" expression (see
//     ParseTemplate): evaluation gives a string;
//   - literal text otherwise, so "$.items[*]" or "price in $" stay as they
//     are (decision D27).
//
// Object keys are never expressions. Other values are literal. The options
// set MaxExpressionLength: a longer string is literal text (it may still
// embed shorter expressions).
func CompileValue(v any, opts ...Option) *Value {
	return compileValue(v, grammarOf(opts))
}

func compileValue(v any, g grammar) *Value {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "$") {
			if e, err := parseG(x, g); err == nil {
				return &Value{kind: valExpr, raw: v, expr: e, exprs: []*Expr{e}}
			}
		}
		if strings.Contains(x, "{$") {
			if t := parseTemplateG(x, g); t.HasExprs() {
				return &Value{kind: valTemplate, raw: v, tmpl: t, exprs: t.Exprs()}
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := &Value{kind: valObject, raw: v, keys: keys, elems: make([]*Value, len(keys))}
		literal := true
		for i, k := range keys {
			c := compileValue(x[k], g)
			out.elems[i] = c
			if c.kind != valLiteral {
				literal = false
				out.exprs = append(out.exprs, c.exprs...)
			}
		}
		if literal {
			return &Value{kind: valLiteral, raw: v}
		}
		return out
	case []any:
		out := &Value{kind: valArray, raw: v, elems: make([]*Value, len(x))}
		literal := true
		for i, e := range x {
			c := compileValue(e, g)
			out.elems[i] = c
			if c.kind != valLiteral {
				literal = false
				out.exprs = append(out.exprs, c.exprs...)
			}
		}
		if literal {
			return &Value{kind: valLiteral, raw: v}
		}
		return out
	}
	return &Value{kind: valLiteral, raw: v}
}

// Raw returns the value given to CompileValue. Callers must not modify it.
func (v *Value) Raw() any { return v.raw }

// IsLiteral reports whether v contains no expression, so that Eval always
// returns Raw.
func (v *Value) IsLiteral() bool { return v.kind == valLiteral }

// Exprs returns every expression inside v (whole-value expressions and
// those embedded in templates), objects walked in sorted key order. The
// slice is a fresh copy; the expressions are shared and must not be
// modified.
func (v *Value) Exprs() []*Expr {
	return append([]*Expr(nil), v.exprs...)
}

// Eval evaluates v: (value, present, err).
//
// A whole-value expression gives the referenced value with its type, and
// present is false when it is absent. A template gives a string, in which
// an absent expression renders as "" (the value is still present), except
// that a template made of one embedded expression and nothing else
// ("{$inputs.token}") is absent when its expression is. In
// objects and arrays, a member or element whose expression is absent is
// omitted, never turned into null; JSON nulls that are present are kept.
//
// The result shares structure with the compiled document and with the
// values Lookup returned: a fully literal value returns Raw itself, and
// literal parts of an object or array are not copied. Callers must treat
// the result as read-only (copy before modifying; jsonptr.Set copies what
// it changes). Eval does not allocate for a literal value or for a
// whole-value expression whose Lookup does not allocate.
func (v *Value) Eval(r Resolver) (any, bool, error) {
	return v.eval(r, nil)
}

// EvalWith is Eval that also calls onAbsent (when not nil) for every
// expression found absent, including those rendered as "" in templates, so
// that a caller can warn about them.
func (v *Value) EvalWith(r Resolver, onAbsent func(e *Expr)) (any, bool, error) {
	return v.eval(r, onAbsent)
}

func (v *Value) eval(r Resolver, onAbsent func(*Expr)) (any, bool, error) {
	switch v.kind {
	case valLiteral:
		return v.raw, true, nil
	case valExpr:
		x, ok, err := v.expr.Eval(r)
		if err != nil {
			return nil, false, err
		}
		if !ok && onAbsent != nil {
			onAbsent(v.expr)
		}
		return x, ok, nil
	case valTemplate:
		s, complete, err := v.tmpl.render(r, onAbsent)
		if err != nil {
			return nil, false, err
		}
		if !complete && len(v.tmpl.Parts) == 1 {
			// "{$inputs.x}" alone: absent like the bare expression.
			return nil, false, nil
		}
		return s, true, nil
	case valObject:
		m := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			x, ok, err := v.elems[i].eval(r, onAbsent)
			if err != nil {
				return nil, false, err
			}
			if ok {
				m[k] = x
			}
		}
		return m, true, nil
	case valArray:
		a := make([]any, 0, len(v.elems))
		for _, e := range v.elems {
			x, ok, err := e.eval(r, onAbsent)
			if err != nil {
				return nil, false, err
			}
			if ok {
				a = append(a, x)
			}
		}
		return a, true, nil
	}
	return nil, false, nil
}
