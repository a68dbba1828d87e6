package expr

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// CriterionSpec is a Criterion Object as written in a document: the
// condition, the context runtime expression, and the type. Type is "",
// "simple", "regex", "jsonpath" or "xpath". Version is the version of a
// Criterion Expression Type Object ("draft-goessner-dispatch-jsonpath-00",
// "xpath-30", "xpath-20" or "xpath-10"; with ArazzoVersion 1.1 also
// "rfc9535" and "xpath-31"), or "" when the type is given as a plain
// string.
type CriterionSpec struct {
	Condition string
	Context   string
	Type      string
	Version   string
}

// The criterion types.
const (
	CriterionSimple   = "simple"
	CriterionRegex    = "regex"
	CriterionJSONPath = "jsonpath"
	CriterionXPath    = "xpath"
)

// The selector types of an Expression Type Object (Arazzo 1.1): a Selector
// Object or a replacement target may be of any of them, a criterion of the
// first two only (E22).
const (
	SelectorJSONPath    = "jsonpath"
	SelectorXPath       = "xpath"
	SelectorJSONPointer = "jsonpointer"
)

// The versions an Expression Type Object may name. Arazzo 1.0.x allows only
// the goessner draft and xpath-30, -20 and -10 (in a Criterion Expression
// Type Object); 1.1 adds the explicit defaults rfc9535 and xpath-31, and
// rfc6901 for jsonpointer.
const (
	VersionGoessnerJSONPath = "draft-goessner-dispatch-jsonpath-00"
	VersionRFC9535          = "rfc9535"
	VersionXPath31          = "xpath-31"
	VersionXPath30          = "xpath-30"
	VersionXPath20          = "xpath-20"
	VersionXPath10          = "xpath-10"
	VersionRFC6901          = "rfc6901"
)

// checkVersion11 checks the version v of the Arazzo 1.1 Expression Type
// Object of type kind ("jsonpath", "xpath" or, when pointerOK, "jsonpointer";
// typ is the type as written).
func checkVersion11(kind, typ, v string, pointerOK bool) error {
	var allowed []string
	switch kind {
	case SelectorJSONPath:
		allowed = []string{VersionRFC9535, VersionGoessnerJSONPath}
	case SelectorXPath:
		allowed = []string{VersionXPath31, VersionXPath30, VersionXPath20, VersionXPath10}
	case SelectorJSONPointer:
		if pointerOK {
			allowed = []string{VersionRFC6901}
		}
	}
	if allowed == nil {
		return &CriterionTypeError{Type: typ, Version: v, Msg: fmt.Sprintf("a %s criterion takes no version (an expression type object is only for jsonpath and xpath)", kind)}
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	list := strings.Join(allowed[:len(allowed)-1], ", ") + " and " + allowed[len(allowed)-1]
	if len(allowed) == 1 {
		list = allowed[0]
		return &CriterionTypeError{Type: typ, Version: v, Msg: fmt.Sprintf("unknown %s version %q: the only allowed version is %s", kind, v, list)}
	}
	return &CriterionTypeError{Type: typ, Version: v, Msg: fmt.Sprintf("unknown %s version %q: the allowed versions are %s", kind, v, list)}
}

// Memoizer is an optional interface of a Resolver. A jsonpath or xpath
// criterion converts its context value (to a node tree, or by parsing XML)
// once per value when the resolver implements it: Memo returns the value
// cached under key, calling build to make it the first time. Keys are
// comparable values private to this package; they keep the value they
// identify alive, so a Memoizer should live no longer than the values it is
// asked about (typically one step's response). build may fail because the
// evaluation was stopped (its context ended): a Memoizer must not cache
// errors.
type Memoizer interface {
	Memo(key any, build func() (any, error)) (any, error)
}

// Criterion is a compiled Criterion Object. It is immutable and safe for
// concurrent use by several goroutines.
type Criterion struct {
	spec    CriterionSpec
	kind    string // one of the Criterion* constants
	version string
	cfg     limits
	context *Expr
	exprs   []*Expr

	lenient string // see Lenient

	cond *condition      // simple
	re   *regexCriterion // regex
	jp   *jsonPathCriterion
	xp   *xpathCriterion

	// tpl is a 1.1 regex, jsonpath or xpath condition with embedded {$...}
	// expressions (checklist-1.1 8.3): rendered at each evaluation, the
	// result compiled (and kept in subst) before it is applied.
	tpl   *Template
	subst *substCache
}

// CompileCriterion checks and compiles a criterion. Errors are a
// *SyntaxError whose Offset is a byte offset into spec.Condition (with a
// *LimitError inside for a condition over a limit), a *ContextError for the
// context field, or a *CriterionTypeError for the type and version. The
// options set the limits (MaxConditionLength, MaxExpressionLength,
// MaxContextNodes, MaxRegexProgram, MaxQueryCost).
func CompileCriterion(spec CriterionSpec, opts ...CriterionOption) (*Criterion, error) {
	cfg := newLimits(opts)
	c := &Criterion{spec: spec, version: spec.Version, cfg: cfg}
	if err := c.checkType(); err != nil {
		return nil, err
	}
	if spec.Context == "" {
		if c.kind != CriterionSimple {
			return nil, &ContextError{Msg: fmt.Sprintf("a %s criterion needs a context (the runtime expression its condition is applied to, such as $response.body)", c.kind)}
		}
	} else {
		e, err := ParseWith(spec.Context, opts...)
		if err != nil {
			ce := &ContextError{Context: spec.Context, Msg: err.Error(), Err: err}
			if se, ok := err.(*SyntaxError); ok {
				ce.Offset, ce.Msg = se.Offset, se.Msg
			}
			return nil, ce
		}
		c.context = e
	}
	cond := spec.Condition
	if len(cond) > cfg.maxCond {
		return nil, tooLong(CodeConditionTooLong, "the condition", cond, cfg.maxCond)
	}
	if strings.TrimSpace(cond) == "" {
		return nil, &SyntaxError{Offset: 0, Msg: "empty condition", Expr: cond}
	}
	var err error
	switch c.kind {
	case CriterionSimple:
		// Operands are parsed strictly (dot navigation is part of the
		// condition grammar), with the default length limit: the condition
		// has its own.
		c.cond, err = compileCondition(cond, grammar{max: DefaultMaxExpressionLength, v11: cfg.v11})
		if err == nil {
			for _, o := range c.cond.operands {
				c.exprs = append(c.exprs, o.expr)
			}
		}
	case CriterionRegex:
		c.re, err = compileRegex(cond, cfg.maxRegex)
	case CriterionJSONPath:
		goessner := c.version == VersionGoessnerJSONPath
		c.jp, err = compileJSONPath(cond, goessner, cfg)
		if err != nil && !goessner && cfg.lenient {
			// "$.status == 'ok'" under plain jsonpath: what the
			// Goessner-era tools accepted, and what it meant there.
			if jp, ok, cerr := compileJSONPathCompare(cond, cfg); ok && cerr == nil {
				c.jp, err, c.lenient = jp, nil, VersionGoessnerJSONPath
			}
		}
	case CriterionXPath:
		c.xp, err = compileXPath(cond, c.xpathVersion(), cfg.v11) // E23 is a 1.1 rule
	}
	if cfg.v11 && c.kind != CriterionSimple && strings.Contains(cond, "{$") {
		// Embedded expressions (1.1, checklist-1.1 8.3): the condition
		// need only be valid once they are substituted; check it with
		// each replaced by a plain value.
		if t := ParseTemplate(cond, opts...); t.HasExprs() {
			var b strings.Builder
			for _, p := range t.Parts {
				if p.Expr != nil {
					b.WriteString("x")
				} else {
					b.WriteString(p.Lit)
				}
			}
			if _, cerr := c.compileKind(b.String()); cerr != nil {
				if err == nil {
					err = fmt.Errorf("with each embedded expression replaced by a value: %w", cerr)
				}
			} else {
				err = nil
				c.tpl, c.subst = t, &substCache{m: map[string]*Criterion{}}
				c.exprs = append(c.exprs, t.Exprs()...)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if c.context != nil {
		c.exprs = append(c.exprs, c.context)
	}
	return c, nil
}

// checkType validates Type and Version (the Criterion Expression Type
// Object) and sets c.kind.
func (c *Criterion) checkType() error {
	t, v := c.spec.Type, c.spec.Version
	switch t {
	case "", CriterionSimple:
		c.kind = CriterionSimple
	case CriterionRegex, CriterionJSONPath, CriterionXPath:
		c.kind = t
	case SelectorJSONPointer:
		// E22: the Expression Type Object allows it, the Criterion Object
		// does not define it.
		return &CriterionTypeError{Type: t, Version: v, Msg: "a criterion cannot be of type jsonpointer (E22): the jsonpointer expression type is for Selector Objects and replacement targets; test a location with a simple condition such as $response.body#/id != null"}
	default:
		msg := fmt.Sprintf("unknown criterion type %q: the allowed types are simple, regex, jsonpath and xpath", t)
		if l := strings.ToLower(t); l != t && (l == CriterionSimple || l == CriterionRegex || l == CriterionJSONPath || l == CriterionXPath) {
			msg = fmt.Sprintf("unknown criterion type %q: types are lower-case (%s)", t, l)
		}
		return &CriterionTypeError{Type: t, Version: v, Msg: msg}
	}
	if v == "" {
		return nil
	}
	if c.cfg.v11 {
		return checkVersion11(c.kind, t, v, false)
	}
	switch c.kind {
	case CriterionJSONPath:
		if v == VersionGoessnerJSONPath {
			return nil
		}
		msg := fmt.Sprintf("unknown jsonpath version %q: the only allowed version is %s (omit the expression type object for RFC 9535)", v, VersionGoessnerJSONPath)
		if v == "rfc9535" {
			msg = fmt.Sprintf("jsonpath version %q is Arazzo 1.1; in 1.0.x omit the expression type object for RFC 9535 (the only allowed version is %s)", v, VersionGoessnerJSONPath)
		}
		return &CriterionTypeError{Type: t, Version: v, Msg: msg}
	case CriterionXPath:
		switch v {
		case VersionXPath30, VersionXPath20, VersionXPath10:
			return nil
		}
		msg := fmt.Sprintf("unknown xpath version %q: the allowed versions are %s, %s and %s (omit the expression type object for XPath 3.1)", v, VersionXPath30, VersionXPath20, VersionXPath10)
		if v == "xpath-31" {
			msg = fmt.Sprintf("xpath version %q is Arazzo 1.1; in 1.0.x omit the expression type object for XPath 3.1 (the allowed versions are %s, %s and %s)", v, VersionXPath30, VersionXPath20, VersionXPath10)
		}
		return &CriterionTypeError{Type: t, Version: v, Msg: msg}
	}
	return &CriterionTypeError{Type: t, Version: v, Msg: fmt.Sprintf("a %s criterion takes no version (an expression type object is only for jsonpath and xpath)", c.kind)}
}

// Eval evaluates the criterion: it is EvalContext with a context that never
// ends (the work is still bounded by MaxEvalCost).
func (c *Criterion) Eval(r Resolver) (bool, error) {
	return c.EvalContext(context.Background(), r)
}

// EvalContext evaluates the criterion. It reports whether the criterion
// passes. An evaluation error (an operand that cannot be resolved, a context
// of the wrong kind, a query over the cost limit) makes the criterion fail:
// EvalContext then returns false and the error, for reporting (D7).
//
// The evaluation stops, within milliseconds, when ctx is canceled or its
// deadline passes: the error then wraps ctx.Err() (in a *StoppedError), so
// that errors.Is(err, context.Canceled) or errors.Is(err,
// context.DeadlineExceeded) tells a stopped evaluation from a criterion that
// is not met. Its work is bounded by MaxEvalCost: going over it is an error
// holding a *LimitError of code CodeEvalTooCostly.
func (c *Criterion) EvalContext(ctx context.Context, r Resolver) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, c.fail(&StoppedError{Err: err})
	}
	if c.kind == CriterionSimple {
		return c.cond.eval(r)
	}
	if err := c.Unsupported(); err != nil {
		return false, c.fail(err)
	}
	v, ok, err := c.context.Eval(r)
	if err != nil {
		return false, c.fail(err)
	}
	if !ok || v == nil {
		// An absent or null context fails the criterion (1.1 rule).
		return false, nil
	}
	m := c
	if c.tpl != nil {
		// 1.1: evaluate the embedded expressions, substitute their string
		// forms, then evaluate the condition that results.
		cond, _, err := c.tpl.Render(r)
		if err != nil {
			return false, c.fail(err)
		}
		if m, err = c.subst.get(c, cond); err != nil {
			return false, c.fail(err)
		}
	}
	b := newBudget(ctx, c.cfg.maxEval)
	switch c.kind {
	case CriterionRegex:
		ok, err = m.re.eval(v, b)
	case CriterionJSONPath:
		ok, err = m.jp.eval(v, r, c.cfg, b)
	default:
		ok, err = m.xp.eval(v, r, c.cfg, b)
	}
	if err != nil {
		return false, c.fail(err)
	}
	return ok, nil
}

// xpathVersion is the version compileXPath takes ("" for the default).
func (c *Criterion) xpathVersion() string {
	if c.version == VersionXPath31 {
		return ""
	}
	return c.version
}

// compileKind compiles cond as a condition of c's type (not simple) into a
// new Criterion holding only the compiled matcher.
func (c *Criterion) compileKind(cond string) (*Criterion, error) {
	if len(cond) > c.cfg.maxCond {
		return nil, tooLong(CodeConditionTooLong, "the condition", cond, c.cfg.maxCond)
	}
	m := &Criterion{kind: c.kind}
	var err error
	switch c.kind {
	case CriterionRegex:
		m.re, err = compileRegex(cond, c.cfg.maxRegex)
	case CriterionJSONPath:
		goessner := c.version == VersionGoessnerJSONPath || c.lenient == VersionGoessnerJSONPath
		if c.lenient != "" {
			m.jp, _, err = compileJSONPathCompare(cond, c.cfg)
		} else {
			m.jp, err = compileJSONPath(cond, goessner, c.cfg)
		}
	case CriterionXPath:
		m.xp, err = compileXPath(cond, c.xpathVersion(), true)
		if err == nil && m.xp.unsupported != nil {
			err = m.xp.unsupported
		}
	}
	return m, err
}

// substCache keeps the compiled forms of the conditions a criterion with
// embedded expressions rendered (most runs render the same few).
type substCache struct {
	mu sync.Mutex
	m  map[string]*Criterion
}

// maxSubstCache bounds a substCache: past it, the cache starts over.
const maxSubstCache = 64

func (sc *substCache) get(c *Criterion, cond string) (*Criterion, error) {
	sc.mu.Lock()
	m, ok := sc.m[cond]
	sc.mu.Unlock()
	if ok {
		return m, nil
	}
	m, err := c.compileKind(cond)
	if err != nil {
		return nil, fmt.Errorf("the condition after substitution, %q: %w", cond, err)
	}
	sc.mu.Lock()
	if len(sc.m) >= maxSubstCache {
		clear(sc.m)
	}
	sc.m[cond] = m
	sc.mu.Unlock()
	return m, nil
}

// fail wraps err in a *CriterionError.
func (c *Criterion) fail(err error) error {
	return &CriterionError{Condition: c.spec.Condition, Context: c.spec.Context, Err: err}
}

// Exprs returns every runtime expression the criterion references: the
// operands of a simple condition, in order, then the context. The caller
// must not modify them.
func (c *Criterion) Exprs() []*Expr { return c.exprs }

// Lenient reports a criterion accepted only because of the Lenient option:
// it returns the version of the Expression Type Object that the document
// should declare for the condition to be standard, with the meaning it was
// compiled with, and "" for a standard criterion. Today that is a jsonpath
// criterion without a version whose condition is not RFC 9535 but has the
// form "<path> <op> <literal>" ($.status == 'ok'): it is compiled with the
// draft-goessner-dispatch-jsonpath-00 semantics, and Lenient returns
// VersionGoessnerJSONPath, to be declared as
//
//	type:
//	  type: jsonpath
//	  version: draft-goessner-dispatch-jsonpath-00
//
// (in Arazzo 1.0.x documents, the flat type and version of the 1.0
// schema). Such a criterion evaluates as if so declared (E34).
func (c *Criterion) Lenient() string { return c.lenient }

// Unsupported returns why the criterion, valid as written, cannot be
// evaluated by Telaio (a condition declared XPath 2.0 or later that uses
// syntax of those versions, E23), or nil. Such a criterion compiles, and
// each evaluation fails with this error: the criterion does not hold.
func (c *Criterion) Unsupported() error {
	if c.xp != nil && c.xp.unsupported != nil {
		return c.xp.unsupported
	}
	return nil
}

// Type returns the criterion type: "simple", "regex", "jsonpath" or "xpath".
func (c *Criterion) Type() string { return c.kind }

// Spec returns the specification the criterion was compiled from.
func (c *Criterion) Spec() CriterionSpec { return c.spec }

// String returns the condition, prefixed for a typed criterion by the type,
// version and context, as in "jsonpath $response.body: $[?@.id]".
func (c *Criterion) String() string {
	if c.kind == CriterionSimple && c.spec.Context == "" {
		return c.spec.Condition
	}
	var b strings.Builder
	b.WriteString(c.kind)
	if c.version != "" {
		b.WriteString(" (")
		b.WriteString(c.version)
		b.WriteByte(')')
	}
	if c.spec.Context != "" {
		b.WriteByte(' ')
		b.WriteString(c.spec.Context)
	}
	b.WriteString(": ")
	b.WriteString(c.spec.Condition)
	return b.String()
}

// ContextError reports a missing or invalid context field.
type ContextError struct {
	// Context is the context field as written ("" when missing).
	Context string
	// Offset is the byte offset into Context of the problem.
	Offset int
	// Msg describes the problem.
	Msg string
	// Err is the underlying *SyntaxError, if any.
	Err error
}

func (e *ContextError) Error() string {
	if e.Context == "" {
		return "context: " + e.Msg
	}
	return fmt.Sprintf("context: offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns the underlying error.
func (e *ContextError) Unwrap() error { return e.Err }

// CriterionTypeError reports an unknown type or version.
type CriterionTypeError struct {
	Type, Version string
	Msg           string
}

func (e *CriterionTypeError) Error() string { return e.Msg }

// CriterionError reports why a criterion could not be evaluated; the
// criterion fails (D7).
type CriterionError struct {
	// Condition is the condition of the criterion.
	Condition string
	// Context is the context field, if any.
	Context string
	// Offset is the byte offset into Condition of the operand that failed,
	// for a simple condition.
	Offset int
	// Err is the cause.
	Err error
}

func (e *CriterionError) Error() string {
	if e.Context != "" {
		return fmt.Sprintf("criterion %q (context %s): %v", e.Condition, e.Context, e.Err)
	}
	return fmt.Sprintf("criterion %q: offset %d: %v", e.Condition, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *CriterionError) Unwrap() error { return e.Err }
