package expr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"

	yaml "github.com/pb33f/go-yaml"

	"github.com/telaio/telaio/internal/jsonptr"
)

// TargetSpec is the target of a Payload Replacement Object: the target
// text, its type (targetSelectorType, Arazzo 1.1) and the media type of the
// request body, which gives the type when none is set.
type TargetSpec struct {
	// Target is a JSON pointer, a JSONPath query or an XPath expression.
	Target string
	// Type is "jsonpointer", "jsonpath", "xpath", or "" for the type the
	// media type implies (E26).
	Type string
	// Version is the version of an Expression Type Object given as
	// targetSelectorType, or "".
	Version string
	// ContentType is the request body's media type, such as
	// "application/json" ("" when the request body names none).
	ContentType string
}

// Target is a compiled replacement target. It is immutable and safe for
// concurrent use.
type Target struct {
	spec    TargetSpec
	kind    string // SelectorJSONPointer, SelectorJSONPath or SelectorXPath
	version string
	cfg     limits
	ptr     jsonptr.Pointer    // jsonpointer
	jp      *jsonPathCriterion // jsonpath
}

// ErrXPathTarget is the error Target.Set returns for an XPath target, which
// applies to an XML payload and is the caller's to apply (the executor does,
// on the parsed XML).
var ErrXPathTarget = errors.New("an XPath target applies to an XML payload, not to JSON data")

// CompileTarget checks and compiles a replacement target. The type is
// spec.Type, or, when it is empty, the one the media type implies (Arazzo
// 1.1, E26): JSON Pointer for application/json and any +json type, for form
// data (application/x-www-form-urlencoded, multipart/form-data: the payload
// is an object) and for a request body without a media type (which the
// executor sends as JSON); XPath for application/xml, text/xml and any
// +xml type. Any other media type needs an explicit type with the 1.1
// grammar; with the 1.0 grammar it gets JSON Pointer, as before (D29).
//
// Errors are a *CriterionTypeError for the type and version, or a
// *SyntaxError whose Offset is a byte offset into spec.Target. An XPath
// target is checked as an xpath criterion's condition is (E23). The options
// set the grammar (ArazzoVersion) and the limits (MaxConditionLength for the
// target text, MaxContextNodes, MaxQueryCost and MaxEvalCost for a JSONPath
// target's evaluation).
func CompileTarget(spec TargetSpec, opts ...Option) (*Target, error) {
	cfg := newLimits(opts)
	t := &Target{spec: spec, cfg: cfg}
	if spec.Type == "" {
		k, err := targetTypeOf(spec.ContentType, cfg.v11)
		if err != nil {
			return nil, err
		}
		t.kind = k
	} else {
		k, err := selectorType(spec.Type, spec.Version, "replacement target")
		if err != nil {
			return nil, err
		}
		t.kind = k
	}
	t.version = spec.Version
	if t.version == "" {
		t.version = defaultVersion(t.kind)
	}
	tgt := spec.Target
	if len(tgt) > cfg.maxCond {
		return nil, tooLong(CodeConditionTooLong, "the target", tgt, cfg.maxCond)
	}
	switch t.kind {
	case SelectorJSONPointer:
		p, err := jsonptr.Parse(tgt)
		if err != nil {
			jse := err.(*jsonptr.SyntaxError)
			msg := "invalid JSON pointer: " + jse.Msg
			if strings.HasPrefix(tgt, "$") {
				msg += " (a JSONPath target needs targetSelectorType: jsonpath)"
			}
			return nil, &SyntaxError{Offset: jse.Offset, Msg: msg, Expr: tgt}
		}
		t.ptr = p
	case SelectorJSONPath:
		if strings.TrimSpace(tgt) == "" {
			return nil, &SyntaxError{Msg: "empty target", Expr: tgt}
		}
		p, err := newJSONPath(tgt, t.version == VersionGoessnerJSONPath)
		if err != nil {
			return nil, jsonPathSyntaxError(tgt, 0, err)
		}
		t.jp = &jsonPathCriterion{path: p}
		if err := t.jp.readShape(tgt, 0, tgt, cfg); err != nil {
			return nil, err
		}
	case SelectorXPath:
		if strings.TrimSpace(tgt) == "" {
			return nil, &SyntaxError{Msg: "empty target", Expr: tgt}
		}
		v := t.version
		if v == VersionXPath31 {
			v = ""
		}
		if _, err := compileXPath(tgt, v, false); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// targetTypeOf is the target type a media type implies (E26).
func targetTypeOf(contentType string, v11 bool) (string, error) {
	if strings.TrimSpace(contentType) == "" {
		return SelectorJSONPointer, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"),
		mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data":
		return SelectorJSONPointer, nil
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return SelectorXPath, nil
	}
	if !v11 {
		return SelectorJSONPointer, nil
	}
	return "", &CriterionTypeError{Msg: fmt.Sprintf("the target type cannot be inferred from the media type %q (only JSON, form data and XML imply one): set targetSelectorType (E26)", mt)}
}

// Set returns doc, a value of the JSON data model, with value stored at the
// target. doc itself is never modified. A JSON pointer target follows
// jsonptr: the parent must exist, a missing last member is added, "-"
// appends. A JSONPath target sets value at every node it selects (E27),
// except that a node inside another selected node is left alone (the outer
// one is replaced whole); a target that selects nothing is an error (a
// JSONPath query cannot create). For an XPath target Set returns
// ErrXPathTarget. Errors are *TargetError; like Criterion.EvalContext, Set
// stops when ctx ends and its work is bounded by MaxEvalCost.
func (t *Target) Set(ctx context.Context, doc, value any) (any, error) {
	return t.set(ctx, doc, value, false)
}

// SetCreate is Set for a request body that had no payload (E28): doc nil
// starts as {}, and a JSON pointer target creates the missing objects along
// its path. A JSONPath target cannot create, so SetCreate is Set for it.
func (t *Target) SetCreate(ctx context.Context, doc, value any) (any, error) {
	return t.set(ctx, doc, value, true)
}

func (t *Target) set(ctx context.Context, doc, value any, create bool) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, t.fail(&StoppedError{Err: err})
	}
	if create && doc == nil {
		doc = map[string]any{}
	}
	switch t.kind {
	case SelectorJSONPointer:
		var out any
		var err error
		if create {
			out, err = t.ptr.SetCreate(doc, value)
		} else {
			out, err = t.ptr.Set(doc, value)
		}
		if err != nil {
			return nil, t.fail(err)
		}
		return out, nil
	case SelectorJSONPath:
		out, err := t.setJSONPath(doc, value, newBudget(ctx, t.cfg.maxEval))
		if err != nil {
			return nil, t.fail(err)
		}
		return out, nil
	}
	return nil, t.fail(ErrXPathTarget)
}

// setJSONPath copies doc, converts the copy to the library's tree recording
// where each node is, runs the query, and stores value in the copy at
// every node selected.
func (t *Target) setJSONPath(doc, value any, b *budget) (any, error) {
	cp, err := copyJSON(doc, b, t.cfg.maxNodes)
	if err != nil {
		return nil, err
	}
	vc := valueConv{budget: t.cfg.maxNodes, b: b, locs: map[*yaml.Node]nodeLoc{}}
	root, err := vc.node(cp, 0)
	if err != nil {
		if err == errTooLarge {
			return nil, contextTooLarge("the payload has more than %d JSON values (MaxContextNodes)", t.cfg.maxNodes, 0)
		}
		return nil, err
	}
	count := t.cfg.maxNodes - vc.budget
	if le := t.jp.shape.checkCost(count, vc.depth, t.cfg.maxQuery); le != nil {
		return nil, le
	}
	cost := t.jp.shape.cost(count, vc.depth)
	if err := b.need(cost, "the JSONPath target"); err != nil {
		return nil, err
	}
	nodes, err := t.jp.queryWithin(root, b, cost)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("the JSONPath target selects nothing in the payload, and a JSONPath query cannot create a location (E27)")
	}
	selected := make(map[*yaml.Node]bool, len(nodes))
	for _, n := range nodes {
		if n == root {
			return value, nil
		}
		selected[n] = true
	}
	for _, n := range nodes {
		inner := false
		for p := vc.locs[n].parent; p != nil && !inner; p = vc.locs[p].parent {
			inner = selected[p]
		}
		if inner {
			continue
		}
		loc, ok := vc.locs[n]
		if !ok {
			return nil, fmt.Errorf("the JSONPath target selected a node outside the payload")
		}
		switch c := vc.holders[loc.parent].(type) {
		case map[string]any:
			c[loc.key] = value
		case []any:
			c[loc.index] = value
		}
	}
	return cp, nil
}

// nodeLoc is where a node of a converted tree sits: in its parent's
// container under key (an object) or at index (an array).
type nodeLoc struct {
	parent *yaml.Node
	key    string
	index  int
}

// copyJSON returns a deep copy of v in the JSON data model: objects and
// arrays copied, scalars as they are, other Go values through
// encoding/json. It charges b a unit per value, and stops past maxNodes
// values.
func copyJSON(v any, b *budget, maxNodes int) (any, error) {
	n := 0
	var cp func(v any, depth int) (any, error)
	cp = func(v any, depth int) (any, error) {
		n++
		if n > maxNodes {
			return nil, contextTooLarge("the payload has more than %d JSON values (MaxContextNodes)", maxNodes, 0)
		}
		if depth > 10000 {
			return nil, errors.New("the payload is nested too deeply")
		}
		if err := b.spend(1); err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case map[string]any:
			m := make(map[string]any, len(x))
			for k, e := range x {
				c, err := cp(e, depth+1)
				if err != nil {
					return nil, err
				}
				m[k] = c
			}
			return m, nil
		case []any:
			a := make([]any, len(x))
			for i, e := range x {
				c, err := cp(e, depth+1)
				if err != nil {
					return nil, err
				}
				a[i] = c
			}
			return a, nil
		case nil, bool, string, float64, json.Number:
			return v, nil
		}
		if _, ok := asNumber(v); ok {
			return v, nil
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("the payload holds a %T, which is not JSON data: %v", v, err)
		}
		var d any
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, err
		}
		n--
		return cp(d, depth)
	}
	return cp(v, 0)
}

// Type returns the target type: "jsonpointer", "jsonpath" or "xpath"
// (inferred from the media type when the spec has none).
func (t *Target) Type() string { return t.kind }

// Version returns the version of the Expression Type Object, or the
// default of the type.
func (t *Target) Version() string { return t.version }

// Spec returns the specification the target was compiled from.
func (t *Target) Spec() TargetSpec { return t.spec }

// Pointer returns the pointer of a JSON pointer target, for a type checker.
func (t *Target) Pointer() (jsonptr.Pointer, bool) {
	return t.ptr, t.kind == SelectorJSONPointer
}

// String returns the target as "jsonpath: $.items[*].qty".
func (t *Target) String() string { return t.kind + ": " + t.spec.Target }

func (t *Target) fail(err error) error { return &TargetError{Target: t.spec.Target, Err: err} }

// TargetError reports why a replacement could not be applied.
type TargetError struct {
	// Target is the target as written.
	Target string
	// Err is the cause: a *jsonptr.Error, ErrXPathTarget, a *StoppedError,
	// a *LimitError, or a description.
	Err error
}

func (e *TargetError) Error() string {
	return fmt.Sprintf("replacement target %q: %v", e.Target, e.Err)
}

// Unwrap returns the cause.
func (e *TargetError) Unwrap() error { return e.Err }
