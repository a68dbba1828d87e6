package expr

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// xpathCriterion is a compiled xpath condition (D6): checked to be XPath 1.0
// that the engine evaluates faithfully (criterion_xpath_parse.go), then
// evaluated by antchfx/xpath over the context parsed as XML. The criterion
// passes on the effective boolean value of the result.
type xpathCriterion struct {
	src   string
	shape queryShape
	// unsupported is why a condition in XPath 2.0+ syntax cannot be
	// evaluated (E23): evaluating it fails with this error.
	unsupported error
	// antchfx/xpath expressions keep evaluation state, so each goroutine
	// takes its own from the pool.
	pool sync.Pool
}

// compileXPath compiles an XPath condition or selector. With deferred,
// syntax of XPath 2.0 and later compiles into a criterion whose every
// evaluation fails (E23, criteria); without, it is a *SyntaxError.
func compileXPath(cond, version string, deferred bool) (*xpathCriterion, error) {
	shape, err := checkXPath(cond, version)
	if ue, ok := err.(*xpathUnsupportedError); ok && deferred {
		// E23: valid XPath 2.0+, an evaluation error at run time.
		return &xpathCriterion{src: cond, unsupported: &ue.SyntaxError}, nil
	}
	if ue, ok := err.(*xpathUnsupportedError); ok {
		return nil, &ue.SyntaxError
	}
	if err != nil {
		return nil, err
	}
	if _, err := compileXPathEngine(cond); err != nil {
		return nil, &SyntaxError{Offset: 0, Msg: "XPath engine: " + err.Error(), Expr: cond}
	}
	c := &xpathCriterion{src: cond, shape: shape}
	c.pool.New = func() any {
		e, err := compileXPathEngine(cond)
		if err != nil {
			return nil
		}
		return e
	}
	return c, nil
}

// compileXPathEngine compiles with the engine; its panics become errors.
func compileXPathEngine(cond string) (e *xpath.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return xpath.Compile(cond)
}

// eval parses the context value as XML (once per value with a Memoizer) and
// evaluates the expression; it passes on the effective boolean value.
func (c *xpathCriterion) eval(v any, r Resolver, lim limits, b *budget) (bool, error) {
	if c.unsupported != nil {
		return false, c.unsupported
	}
	d, err := xmlRoot(v, r, lim.maxNodes, b)
	if err != nil {
		return false, err
	}
	if le := c.shape.checkCost(d.count, d.depth, lim.maxQuery); le != nil {
		return false, le
	}
	var ok bool
	err = c.evaluate(d.root, b, func(res any) error {
		switch x := res.(type) {
		case bool:
			ok = x
		case float64:
			ok = x != 0 && !math.IsNaN(x)
		case string:
			ok = x != ""
		case *xpath.NodeIterator:
			ok = x.MoveNext()
		case nil:
		default:
			return fmt.Errorf("XPath engine returned an unexpected %T", x)
		}
		return nil
	})
	return ok, err
}

// evaluate runs the expression over doc with a navigator that charges b,
// and passes the result to use, which may walk a node-set (its work is
// charged too). When b stops the engine, evaluate returns why: a
// *StoppedError or a *LimitError. The engine's own panics become errors.
// An expression whose evaluation did not complete is not reused.
func (c *xpathCriterion) evaluate(doc *xmlquery.Node, b *budget, use func(any) error) (err error) {
	e, _ := c.pool.Get().(*xpath.Expr)
	if e == nil {
		return fmt.Errorf("XPath engine failed to compile %q", c.src)
	}
	defer func() {
		r := recover()
		if r == nil {
			c.pool.Put(e)
			return
		}
		if a, ok := r.(evalAbort); ok && a.b == b {
			err = b.err
			return
		}
		err = fmt.Errorf("XPath evaluation failed: %v", r)
	}()
	return use(e.Evaluate(newXNav(doc, b)))
}

// xmlDoc is a parsed XML context, with its number of nodes (and
// attributes) and its depth.
type xmlDoc struct {
	root         *xmlquery.Node
	count, depth int
}

// xmlRoot returns the parsed XML document of v, a string or []byte. Parsing
// stops when b's context ends.
func xmlRoot(v any, r Resolver, maxNodes int, b *budget) (*xmlDoc, error) {
	switch v.(type) {
	case string, []byte:
	default:
		return nil, fmt.Errorf("an xpath criterion needs an XML context (a string or bytes), but the context value is %s", jsonKind(v))
	}
	build := func() (any, error) {
		var rd io.Reader
		switch x := v.(type) {
		case string:
			rd = strings.NewReader(x)
		case []byte:
			rd = bytes.NewReader(x)
		}
		doc, err := parseXML(&ctxReader{r: rd, b: b})
		if err != nil {
			if b.err != nil {
				return nil, b.err
			}
			return nil, fmt.Errorf("the context is not well-formed XML: %v", err)
		}
		n, depth, hasElement := countXML(doc)
		if !hasElement {
			return nil, fmt.Errorf("the context is not an XML document (it has no root element)")
		}
		return &xmlDoc{root: doc, count: n, depth: depth}, nil
	}
	var x any
	var err error
	m, isMemo := r.(Memoizer)
	key, hasKey := identityKey(memoXML, v)
	if isMemo && hasKey {
		x, err = m.Memo(key, build)
	} else {
		x, err = build()
	}
	if err != nil {
		return nil, err
	}
	d, ok := x.(*xmlDoc)
	if !ok {
		return nil, fmt.Errorf("memoizer returned %T for an XML context", x)
	}
	if d.count > maxNodes {
		return nil, contextTooLarge("the XML context has %d nodes, more than the limit of %d (MaxContextNodes)", maxNodes, d.count)
	}
	return d, nil
}

// ctxReader reads from r until b's context ends.
type ctxReader struct {
	r io.Reader
	b *budget
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.b.stopped(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func parseXML(rd io.Reader) (doc *xmlquery.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("XML parser failed: %v", r)
		}
	}()
	return xmlquery.Parse(rd)
}

// countXML counts the nodes and attributes of a document, measures its
// depth, and reports whether it has an element at the top.
func countXML(doc *xmlquery.Node) (n, depth int, hasElement bool) {
	for c := doc.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			hasElement = true
		}
	}
	// Depth-first, without recursion.
	x, d := doc, 0
	for x != nil {
		n += 1 + len(x.Attr)
		depth = max(depth, d)
		if x.FirstChild != nil {
			x = x.FirstChild
			d++
			continue
		}
		for x != nil && x != doc && x.NextSibling == nil {
			x = x.Parent
			d--
		}
		if x == nil || x == doc {
			break
		}
		x = x.NextSibling
	}
	return n, depth, hasElement
}

// jsonKind names the JSON type of v for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a JSON object"
	case []any:
		return "a JSON array"
	}
	if _, ok := asNumber(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
