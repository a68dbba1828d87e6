package expr

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
	yaml "github.com/pb33f/go-yaml"

	"github.com/telaio/telaio/internal/jsonptr"
)

// SelectorSpec is an Arazzo 1.1 Selector Object as written in a document:
// a runtime expression for the context, a selector, and its type, with the
// version of an Expression Type Object when the type is given as one.
type SelectorSpec struct {
	// Context is the runtime expression whose value the selector applies
	// to, such as "$response.body".
	Context string
	// Selector is a JSONPath query, an XPath expression or a JSON pointer.
	Selector string
	// Type is "jsonpath", "xpath" or "jsonpointer".
	Type string
	// Version is the version of the Expression Type Object ("rfc9535",
	// "draft-goessner-dispatch-jsonpath-00", "xpath-31", "xpath-30",
	// "xpath-20", "xpath-10", "rfc6901"), or "" for the type's default.
	Version string
}

// Selector is a compiled Selector Object. It is immutable and safe for
// concurrent use.
type Selector struct {
	spec    SelectorSpec
	kind    string // SelectorJSONPath, SelectorXPath or SelectorJSONPointer
	version string // spec.Version, or the default of kind
	cfg     limits
	context *Expr

	ptr jsonptr.Pointer    // jsonpointer
	jp  *jsonPathCriterion // jsonpath (never the comparison form)
	xp  *xpathCriterion    // xpath

	static    jsonptr.Pointer // see Pointer
	hasStatic bool
}

// Selection is the result of a Selector, with what a caller needs to warn.
type Selection struct {
	// Value is the value selected (E25): for jsonpointer the value at the
	// pointer; for jsonpath null when no node is selected, the node's value
	// for one, an array of the values (in nodelist order) for more; for
	// xpath an atomic result as it is (string, number, boolean), and for a
	// node-set null when empty, the node's value for one, an array of the
	// values for more, where the value of a node is its string value,
	// except that an element (or the document) with element children is
	// serialized as XML.
	Value any
	// Present is false when the context is absent: then nothing was
	// selected and Value is nil.
	Present bool
	// Nodes is the number of nodes selected: 1 for jsonpointer and for an
	// atomic xpath result. Nodes 0 (Value null) deserves a warning.
	Nodes int
}

// CompileSelector checks and compiles a Selector Object (Arazzo 1.1). Errors
// are a *CriterionTypeError for the type and version, a *ContextError for
// the context (parsed with the grammar the options select, as for a
// criterion), and a *SyntaxError whose Offset is a byte offset into
// spec.Selector. The options set the grammar (ArazzoVersion, Lenient) and
// the limits: MaxConditionLength applies to the selector text,
// MaxContextNodes, MaxQueryCost and MaxEvalCost to evaluation.
//
// A jsonpath selector is an RFC 9535 query (the default, rfc9535), or a
// query of the library's non-strict mode for
// draft-goessner-dispatch-jsonpath-00; the comparison form that the latter
// allows in criteria is not a selector. An xpath selector is checked as an
// xpath criterion's condition is (XPath 1.0 that the engine evaluates
// faithfully, E23); a jsonpointer selector is an RFC 6901 pointer.
func CompileSelector(spec SelectorSpec, opts ...Option) (*Selector, error) {
	cfg := newLimits(opts)
	s := &Selector{spec: spec, cfg: cfg}
	if err := s.checkType(); err != nil {
		return nil, err
	}
	if spec.Context == "" {
		return nil, &ContextError{Msg: "a Selector Object needs a context (the runtime expression its selector applies to, such as $response.body)"}
	}
	e, err := parseG(spec.Context, cfg.grammar())
	if err != nil {
		ce := &ContextError{Context: spec.Context, Msg: err.Error(), Err: err}
		if se, ok := err.(*SyntaxError); ok {
			ce.Offset, ce.Msg = se.Offset, se.Msg
		}
		return nil, ce
	}
	s.context = e
	sel := spec.Selector
	if len(sel) > cfg.maxCond {
		return nil, tooLong(CodeConditionTooLong, "the selector", sel, cfg.maxCond)
	}
	if strings.TrimSpace(sel) == "" && s.kind != SelectorJSONPointer {
		return nil, &SyntaxError{Offset: 0, Msg: "empty selector", Expr: sel}
	}
	switch s.kind {
	case SelectorJSONPointer:
		p, err := jsonptr.Parse(sel)
		if err != nil {
			jse := err.(*jsonptr.SyntaxError)
			msg := "invalid JSON pointer: " + jse.Msg
			if strings.HasPrefix(sel, "#") {
				msg += " (write the pointer without \"#\", such as /items/0/id)"
			}
			return nil, &SyntaxError{Offset: jse.Offset, Msg: msg, Expr: sel}
		}
		s.ptr = p
		s.static, s.hasStatic = p, true
	case SelectorJSONPath:
		goessner := s.version == VersionGoessnerJSONPath
		p, err := newJSONPath(sel, goessner)
		if err != nil {
			se := jsonPathSyntaxError(sel, 0, err)
			if _, _, found := topLevelComparison(sel); found {
				se.Msg += " (a selector selects nodes; a comparison belongs in a criterion)"
			}
			return nil, se
		}
		s.jp = &jsonPathCriterion{path: p}
		if err := s.jp.readShape(sel, 0, sel, cfg); err != nil {
			return nil, err
		}
		s.static, s.hasStatic = staticJSONPath(sel, goessner)
	case SelectorXPath:
		v := s.version
		if v == VersionXPath31 {
			v = ""
		}
		s.xp, err = compileXPath(sel, v, false)
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// checkType validates Type and Version and sets kind and version.
func (s *Selector) checkType() error {
	t, v := s.spec.Type, s.spec.Version
	k, err := selectorType(t, v, "selector")
	if err != nil {
		return err
	}
	s.kind, s.version = k, v
	if v == "" {
		s.version = defaultVersion(k)
	}
	return nil
}

// selectorType checks the type t and version v of a Selector Object or a
// replacement target (what names it in messages).
func selectorType(t, v, what string) (string, error) {
	switch t {
	case SelectorJSONPath, SelectorXPath, SelectorJSONPointer:
	case "":
		return "", &CriterionTypeError{Type: t, Version: v, Msg: fmt.Sprintf("a %s needs a type: jsonpath, xpath or jsonpointer", what)}
	case CriterionSimple, CriterionRegex:
		return "", &CriterionTypeError{Type: t, Version: v, Msg: fmt.Sprintf("%s is a criterion type, not a %s type (jsonpath, xpath or jsonpointer)", t, what)}
	default:
		msg := fmt.Sprintf("unknown %s type %q: the allowed types are jsonpath, xpath and jsonpointer", what, t)
		if l := strings.ToLower(t); l != t && (l == SelectorJSONPath || l == SelectorXPath || l == SelectorJSONPointer) {
			msg = fmt.Sprintf("unknown %s type %q: types are lower-case (%s)", what, t, l)
		}
		return "", &CriterionTypeError{Type: t, Version: v, Msg: msg}
	}
	if v != "" {
		if err := checkVersion11(t, t, v, true); err != nil {
			return "", err
		}
	}
	return t, nil
}

// defaultVersion is the version an Expression Type Object of type kind has
// when it is not given (Arazzo 1.1: "the default version for the selector
// type MUST be used").
func defaultVersion(kind string) string {
	switch kind {
	case SelectorJSONPath:
		return VersionRFC9535
	case SelectorXPath:
		return VersionXPath31
	}
	return VersionRFC6901
}

// staticJSONPath returns the JSON pointer that a singular query made of
// member names and non-negative indexes denotes ($.a.b[0] is /a/b/0).
func staticJSONPath(q string, goessner bool) (jsonptr.Pointer, bool) {
	p, err := newJSONPath(q, goessner)
	if err != nil || !p.IsSingular() {
		return nil, false
	}
	segs, err := p.GetSegmentInfo()
	if err != nil {
		return nil, false
	}
	ptr := make(jsonptr.Pointer, 0, len(segs))
	for _, sg := range segs {
		switch {
		case sg.HasIndex:
			if sg.Index < 0 {
				return nil, false
			}
			ptr = append(ptr, fmt.Sprint(sg.Index))
		default:
			ptr = append(ptr, sg.Key)
		}
	}
	return ptr, true
}

// Eval evaluates the selector: (value, present, err), where present is
// false when the context is absent. It is Select without the node count;
// see Selection for the result shapes (E25). Like Criterion.EvalContext, it
// stops when ctx ends (the error wraps ctx.Err()) and its work is bounded
// by MaxEvalCost.
func (s *Selector) Eval(ctx context.Context, r Resolver) (v any, present bool, err error) {
	sel, err := s.Select(ctx, r)
	return sel.Value, sel.Present, err
}

// Select evaluates the selector and reports how many nodes it selected, so
// that a caller can warn about an empty selection (whose value is null).
// Errors: the context is not structured data of the selector's kind (a
// string context is parsed as XML for xpath, as JSON for jsonpath and
// jsonpointer), a JSON pointer selects nothing, an XPath number that is not
// finite, a limit, or the end of ctx. All are *SelectorError.
func (s *Selector) Select(ctx context.Context, r Resolver) (Selection, error) {
	if err := ctx.Err(); err != nil {
		return Selection{}, s.fail(&StoppedError{Err: err})
	}
	var b *budget // a JSON pointer costs next to nothing
	if s.kind != SelectorJSONPointer {
		b = newBudget(ctx, s.cfg.maxEval)
	}
	sel, err := s.selectB(r, b)
	if err != nil {
		return Selection{}, s.fail(err)
	}
	return sel, nil
}

// selectB is Select with the budget given (shared by the selectors of a
// Value; nil for a jsonpointer selector); its errors are not wrapped.
func (s *Selector) selectB(r Resolver, b *budget) (Selection, error) {
	v, ok, err := s.context.Eval(r)
	if err != nil {
		return Selection{}, err
	}
	if !ok {
		return Selection{}, nil
	}
	if err := b.stopped(); err != nil {
		return Selection{}, err
	}
	switch s.kind {
	case SelectorJSONPointer:
		d, err := jsonContext(v, r)
		if err != nil {
			return Selection{}, err
		}
		x, ok := s.ptr.Get(d)
		if !ok {
			return Selection{}, fmt.Errorf("the JSON pointer %q selects nothing in the context", s.spec.Selector)
		}
		return Selection{Value: x, Present: true, Nodes: 1}, nil
	case SelectorJSONPath:
		d, err := jsonContext(v, r)
		if err != nil {
			return Selection{}, err
		}
		nodes, err := s.jp.run(d, r, s.cfg, b)
		if err != nil {
			return Selection{}, err
		}
		out := Selection{Present: true, Nodes: len(nodes)}
		switch len(nodes) {
		case 0:
		case 1:
			out.Value, err = nodeToValue(nodes[0], b)
		default:
			a := make([]any, len(nodes))
			for i, n := range nodes {
				if a[i], err = nodeToValue(n, b); err != nil {
					break
				}
			}
			out.Value = a
		}
		if err != nil {
			return Selection{}, err
		}
		return out, nil
	}
	return s.selectXPath(v, r, b)
}

// selectXPath evaluates an xpath selector over v, an XML document as a
// string or []byte.
func (s *Selector) selectXPath(v any, r Resolver, b *budget) (Selection, error) {
	switch v.(type) {
	case string, []byte:
	default:
		return Selection{}, fmt.Errorf("an xpath selector needs an XML context (a string or bytes), but the context value is %s", jsonKind(v))
	}
	d, err := xmlRoot(v, r, s.cfg.maxNodes, b)
	if err != nil {
		return Selection{}, err
	}
	if le := s.xp.shape.checkCost(d.count, d.depth, s.cfg.maxQuery); le != nil {
		return Selection{}, le
	}
	out := Selection{Present: true}
	err = s.xp.evaluate(d.root, b, func(res any) error {
		switch x := res.(type) {
		case bool, string:
			out.Value, out.Nodes = x, 1
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("the XPath expression gives %v, which is not a JSON number", x)
			}
			out.Value, out.Nodes = x, 1
		case *xpath.NodeIterator:
			var vals []any
			for x.MoveNext() {
				n, ok := x.Current().(*xnav)
				if !ok {
					return fmt.Errorf("XPath engine returned a %T node", x.Current())
				}
				vals = append(vals, xmlNodeValue(n, b))
			}
			switch out.Nodes = len(vals); len(vals) {
			case 0:
			case 1:
				out.Value = vals[0]
			default:
				out.Value = vals
			}
		case nil:
		default:
			return fmt.Errorf("XPath engine returned an unexpected %T", x)
		}
		return nil
	})
	if err != nil {
		return Selection{}, err
	}
	return out, nil
}

// xmlNodeValue is the value of a selected node (E25): an attribute's value,
// a text, CDATA or comment node's text, an element's string value, or, for
// an element or the document with element children, the node serialized as
// XML.
func xmlNodeValue(n *xnav, b *budget) any {
	if n.attr != -1 {
		return n.curr.Attr[n.attr].Value
	}
	x := n.curr
	switch x.Type {
	case xmlquery.ElementNode, xmlquery.DocumentNode:
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			b.charge(1)
			if c.Type == xmlquery.ElementNode {
				chargeSubtree(x, b)
				if x.Type == xmlquery.DocumentNode {
					return strings.TrimSpace(x.OutputXML(false))
				}
				return x.OutputXML(true)
			}
		}
		return innerText(x, b)
	}
	b.charge(1 + int64(len(x.Data))/16)
	return x.Data
}

// chargeSubtree charges b for serializing the subtree of n: a unit per node
// and attribute, and one per 16 bytes of text.
func chargeSubtree(n *xmlquery.Node, b *budget) {
	x := n
	for x != nil {
		b.charge(1 + int64(len(x.Attr)) + int64(len(x.Data))/16)
		if x.FirstChild != nil {
			x = x.FirstChild
			continue
		}
		for x != n && x.NextSibling == nil {
			x = x.Parent
		}
		if x == n {
			return
		}
		x = x.NextSibling
	}
}

// jsonDecoded is a string or []byte context decoded as JSON, memoized.
type jsonDecoded struct{ v any }

// jsonContext returns v as JSON data: a string or []byte is decoded (once
// per value with a Memoizer); an error if it is not JSON (E25).
func jsonContext(v any, r Resolver) (any, error) {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return v, nil
	}
	build := func() (any, error) {
		var d any
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("the context is a string that is not JSON: %v", err)
		}
		return &jsonDecoded{d}, nil
	}
	var x any
	var err error
	m, isMemo := r.(Memoizer)
	key, hasKey := identityKey(memoJSONDecode, v)
	if isMemo && hasKey {
		x, err = m.Memo(key, build)
	} else {
		x, err = build()
	}
	if err != nil {
		return nil, err
	}
	d, ok := x.(*jsonDecoded)
	if !ok {
		return nil, fmt.Errorf("memoizer returned %T for a JSON context", x)
	}
	return d.v, nil
}

// nodeToValue converts a node of the library's tree back to a value of the
// data model, charging b a unit per node.
func nodeToValue(n *yaml.Node, b *budget) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(evalAbort)
			if !ok || a.b != b {
				panic(r)
			}
			v, err = nil, b.err
		}
	}()
	return convertNode(n, b), nil
}

func convertNode(n *yaml.Node, b *budget) any {
	b.charge(1)
	switch n.Kind {
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, c := range n.Content {
			a[i] = convertNode(c, b)
		}
		return a
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = convertNode(n.Content[i+1], b)
		}
		return m
	}
	return nodeValue(n, 0)
}

// Exprs returns the runtime expressions the selector references: its
// context. The caller must not modify it.
func (s *Selector) Exprs() []*Expr { return []*Expr{s.context} }

// Context returns the parsed context expression.
func (s *Selector) Context() *Expr { return s.context }

// Pointer returns the JSON pointer, relative to the context value, that the
// selector denotes when it is known statically: for jsonpointer the
// pointer, for jsonpath a singular query of member names and non-negative
// indexes ($.user.emails[0] is /user/emails/0; $ is the empty pointer). A
// type checker can append it to the context's own pointer and check the
// location as it checks "$response.body#/...". The two differ on absence:
// the jsonpath selector then gives null, the pointer an error.
func (s *Selector) Pointer() (jsonptr.Pointer, bool) { return s.static, s.hasStatic }

// Type returns the selector type: "jsonpath", "xpath" or "jsonpointer".
func (s *Selector) Type() string { return s.kind }

// Version returns the version of the Expression Type Object, or the
// default of the type ("rfc9535", "xpath-31", "rfc6901") when none was
// given.
func (s *Selector) Version() string { return s.version }

// Spec returns the specification the selector was compiled from.
func (s *Selector) Spec() SelectorSpec { return s.spec }

// String returns the selector as "jsonpath $response.body: $.a", with the
// version when one was given.
func (s *Selector) String() string {
	var b strings.Builder
	b.WriteString(s.kind)
	if s.spec.Version != "" {
		b.WriteString(" (")
		b.WriteString(s.spec.Version)
		b.WriteByte(')')
	}
	b.WriteByte(' ')
	b.WriteString(s.spec.Context)
	b.WriteString(": ")
	b.WriteString(s.spec.Selector)
	return b.String()
}

func (s *Selector) fail(err error) error {
	return &SelectorError{Selector: s.spec.Selector, Context: s.spec.Context, Err: err}
}

// SelectorError reports why a selector could not be evaluated.
type SelectorError struct {
	// Selector and Context are the fields of the Selector Object.
	Selector, Context string
	// Err is the cause: a *StoppedError, a *LimitError, an *EvalError, or
	// a description.
	Err error
}

func (e *SelectorError) Error() string {
	return fmt.Sprintf("selector %q (context %s): %v", e.Selector, e.Context, e.Err)
}

// Unwrap returns the cause.
func (e *SelectorError) Unwrap() error { return e.Err }
