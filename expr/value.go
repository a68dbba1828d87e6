package expr

import (
	"context"
	"errors"
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
	valSelector
)

// Value is a compiled "Any | {expression}" value of a document: a parameter
// value, a request body payload, a payload replacement value. It is
// immutable and safe for concurrent use.
type Value struct {
	kind  valueKind
	raw   any       // the value given to CompileValue
	expr  *Expr     // valExpr
	tmpl  *Template // valTemplate
	sel   *Selector // valSelector; nil when it did not compile (then err)
	err   error     // valSelector: why the Selector Object did not compile
	keys  []string  // valObject, sorted
	elems []*Value  // valObject (parallel to keys) and valArray
	exprs []*Expr   // every expression inside, in document order (keys sorted)
	sels  []*Selector
	errs  []error
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
// set MaxExpressionLength (a longer string is literal text; it may still
// embed shorter expressions) and the grammar (ArazzoVersion, Lenient).
//
// With the Arazzo 1.1 grammar, an object anywhere in v whose keys are
// exactly context, selector and type, plus any x- extensions, whose context
// and selector are strings, and whose type is a valid selector type (the
// string jsonpath, xpath or jsonpointer, or an Expression Type Object with
// one of them and a valid version) is a Selector Object (E20); any other
// object is literal. A Selector Object that then does not compile (a bad
// context or selector) is reported by Err, and evaluating it gives that
// error. With the 1.0 grammar such objects are literal.
func CompileValue(v any, opts ...Option) *Value {
	if len(opts) == 0 {
		return compileValue(v, defaultGrammar, nil)
	}
	l := newLimits(opts)
	return compileValue(v, l.grammar(), &l)
}

// compileValue compiles v with the grammar g; l holds the options when some
// were given (for the selectors).
func compileValue(v any, g grammar, l *limits) *Value {
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
		if g.v11 {
			if spec, ok := selectorShape(x); ok {
				return compileSelectorValue(v, spec, l)
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := &Value{kind: valObject, raw: v, keys: keys, elems: make([]*Value, len(keys))}
		literal := true
		for i, k := range keys {
			c := compileValue(x[k], g, l)
			out.elems[i] = c
			if c.kind != valLiteral {
				literal = false
				out.adopt(c)
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
			c := compileValue(e, g, l)
			out.elems[i] = c
			if c.kind != valLiteral {
				literal = false
				out.adopt(c)
			}
		}
		if literal {
			return &Value{kind: valLiteral, raw: v}
		}
		return out
	}
	return &Value{kind: valLiteral, raw: v}
}

// adopt records in v what its part c holds.
func (v *Value) adopt(c *Value) {
	v.exprs = append(v.exprs, c.exprs...)
	v.sels = append(v.sels, c.sels...)
	v.errs = append(v.errs, c.errs...)
}

// selectorShape reports whether m is a Selector Object by E20, and returns
// it.
func selectorShape(m map[string]any) (SelectorSpec, bool) {
	var spec SelectorSpec
	n := 0
	for k, x := range m {
		switch k {
		case "context", "selector":
			s, ok := x.(string)
			if !ok {
				return spec, false
			}
			if k == "context" {
				spec.Context = s
			} else {
				spec.Selector = s
			}
			n++
		case "type":
			t, v, ok := expressionType(x)
			if !ok {
				return spec, false
			}
			spec.Type, spec.Version = t, v
			n++
		default:
			if !strings.HasPrefix(k, "x-") {
				return spec, false
			}
		}
	}
	return spec, n == 3
}

// expressionType reads a selector type: a string, or an Expression Type
// Object (type, an optional version, x- extensions). ok is false unless the
// type and version are valid.
func expressionType(x any) (typ, version string, ok bool) {
	switch t := x.(type) {
	case string:
		typ = t
	case map[string]any:
		for k, f := range t {
			s, isString := f.(string)
			switch {
			case k == "type" && isString:
				typ = s
			case k == "version" && isString:
				version = s
			case strings.HasPrefix(k, "x-"):
			default:
				return "", "", false
			}
		}
	default:
		return "", "", false
	}
	if _, err := selectorType(typ, version, "selector"); err != nil {
		return "", "", false
	}
	return typ, version, true
}

// compileSelectorValue compiles a Selector Object found in a value.
func compileSelectorValue(raw any, spec SelectorSpec, l *limits) *Value {
	var opts []Option
	if l != nil {
		lim := *l
		opts = []Option{func(c *limits) { *c = lim }}
	} else {
		opts = []Option{ArazzoVersion("1.1")}
	}
	out := &Value{kind: valSelector, raw: raw}
	sel, err := CompileSelector(spec, opts...)
	if err != nil {
		out.err = &SelectorError{Selector: spec.Selector, Context: spec.Context, Err: err}
		out.errs = []error{out.err}
		return out
	}
	out.sel = sel
	out.exprs = sel.Exprs()
	out.sels = []*Selector{sel}
	return out
}

// Err reports the Selector Objects in v that did not compile (E20: an
// object of that shape is a Selector, so a bad context or selector is an
// error, not a literal), joined; nil when there are none.
func (v *Value) Err() error { return errors.Join(v.errs...) }

// Selectors returns the Selector Objects in v, objects walked in sorted key
// order. The slice is a fresh copy; the selectors are shared.
func (v *Value) Selectors() []*Selector {
	return append([]*Selector(nil), v.sels...)
}

// Raw returns the value given to CompileValue. Callers must not modify it.
func (v *Value) Raw() any { return v.raw }

// IsLiteral reports whether v contains no expression, so that Eval always
// returns Raw.
func (v *Value) IsLiteral() bool { return v.kind == valLiteral }

// Exprs returns every expression inside v (whole-value expressions, those
// embedded in templates, and the contexts of Selector Objects), objects
// walked in sorted key order. The slice is a fresh copy; the expressions
// are shared and must not be modified.
func (v *Value) Exprs() []*Expr {
	return append([]*Expr(nil), v.exprs...)
}

// Eval evaluates v: (value, present, err). It is EvalContext with
// context.Background().
//
// A whole-value expression gives the referenced value with its type, and
// present is false when it is absent. A template gives a string, in which
// an absent expression renders as "" (the value is still present), except
// that a template made of one embedded expression and nothing else
// ("{$inputs.token}") is absent when its expression is. A Selector Object
// gives its Selection's value (E25), and is absent when its context is. In
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
	st := valueEval{r: r}
	return v.eval(&st)
}

// EvalWith is Eval that also calls onAbsent (when not nil) for every
// expression found absent, including those rendered as "" in templates, so
// that a caller can warn about them.
func (v *Value) EvalWith(r Resolver, onAbsent func(e *Expr)) (any, bool, error) {
	st := valueEval{r: r, onAbsent: onAbsent}
	return v.eval(&st)
}

// EvalContext is Eval for values that may hold Selector Objects: their
// evaluation stops when ctx ends (the error wraps ctx.Err()), and the work
// of all of them together is bounded by MaxEvalCost. The options ask to be
// told of absent expressions (OnAbsent) and of selectors that select
// nothing (OnEmptySelection).
func (v *Value) EvalContext(ctx context.Context, r Resolver, opts ...EvalOption) (any, bool, error) {
	st := valueEval{r: r, ctx: ctx}
	for _, o := range opts {
		if o != nil {
			o(&st)
		}
	}
	if err := ctx.Err(); err != nil && len(v.sels) > 0 {
		return nil, false, &StoppedError{Err: err}
	}
	return v.eval(&st)
}

// EvalOption asks Value.EvalContext to report something.
type EvalOption func(*valueEval)

// OnAbsent calls f for every expression found absent (as EvalWith does),
// including the context of a Selector Object.
func OnAbsent(f func(e *Expr)) EvalOption { return func(st *valueEval) { st.onAbsent = f } }

// MaxBytes bounds the size of the value an evaluation builds: the JSON text
// it would encode to (strings count their bytes, shared parts count every
// time they appear). The size is checked as the value is built, so a value
// that doubles at each step of a loop stops at the limit rather than
// exhausting memory; going over is an error holding a *LimitError with Code
// CodeValueTooLarge. n <= 0 means no bound.
func MaxBytes(n int64) EvalOption {
	return func(st *valueEval) {
		if n > 0 {
			st.room = &n
		}
	}
}

// OnEmptySelection calls f for every Selector Object that selects no node
// (its value is then null), so that the caller can warn (E25).
func OnEmptySelection(f func(s *Selector)) EvalOption {
	return func(st *valueEval) { st.onEmpty = f }
}

// valueEval is the state of one evaluation of a Value.
type valueEval struct {
	r        Resolver
	ctx      context.Context // nil: never ends
	onAbsent func(*Expr)
	onEmpty  func(*Selector)
	b        *budget // shared by the selectors, made by the first one
	// room is what the value may still take, in bytes (MaxBytes), or nil.
	room *int64
}

// account counts a value an expression or selector gave against MaxBytes.
func (st *valueEval) account(x any) error {
	if st.room == nil {
		return nil
	}
	n, ok := JSONSize(x, *st.room)
	if !ok {
		return valueTooLarge(*st.room)
	}
	*st.room -= n
	return nil
}

func (v *Value) eval(st *valueEval) (any, bool, error) {
	switch v.kind {
	case valLiteral:
		if err := st.account(v.raw); err != nil {
			return nil, false, err
		}
		return v.raw, true, nil
	case valExpr:
		x, ok, err := v.expr.Eval(st.r)
		if err != nil {
			return nil, false, err
		}
		if !ok && st.onAbsent != nil {
			st.onAbsent(v.expr)
		}
		if ok {
			if err := st.account(x); err != nil {
				return nil, false, err
			}
		}
		return x, ok, nil
	case valTemplate:
		s, complete, err := v.tmpl.render(st.r, st.onAbsent, st.room)
		if err != nil {
			return nil, false, err
		}
		if !complete && len(v.tmpl.Parts) == 1 {
			// "{$inputs.x}" alone: absent like the bare expression.
			return nil, false, nil
		}
		return s, true, nil
	case valSelector:
		return v.evalSelector(st)
	case valObject:
		m := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			x, ok, err := v.elems[i].eval(st)
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
			x, ok, err := e.eval(st)
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

func (v *Value) evalSelector(st *valueEval) (any, bool, error) {
	if v.sel == nil {
		return nil, false, v.err
	}
	if st.b == nil {
		ctx := st.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		st.b = newBudget(ctx, v.sel.cfg.maxEval)
	}
	sel, err := v.sel.selectB(st.r, st.b)
	if err != nil {
		return nil, false, v.sel.fail(err)
	}
	if !sel.Present {
		if st.onAbsent != nil {
			st.onAbsent(v.sel.context)
		}
		return nil, false, nil
	}
	if sel.Nodes == 0 && st.onEmpty != nil {
		st.onEmpty(v.sel)
	}
	if err := st.account(sel.Value); err != nil {
		return nil, false, err
	}
	return sel.Value, true, nil
}
