package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	yaml "github.com/pb33f/go-yaml"
	"github.com/pb33f/jsonpath/pkg/jsonpath"
	"github.com/pb33f/jsonpath/pkg/jsonpath/config"
)

// jsonPathCriterion is a compiled jsonpath condition (D6). The context value
// is the root node $; the criterion passes when the query selects at least
// one node. In the draft-goessner-dispatch-jsonpath-00 dialect the condition
// may instead be a comparison, "<path>[.length] <op> <literal>" (see
// criterion_doc.go).
type jsonPathCriterion struct {
	path  *jsonpath.JSONPath
	shape queryShape

	compare bool  // the comparison form
	length  bool  // the path ended in .length
	op      cmpOp // comparison operator
	lit     any   // literal to compare with
}

var jsonPathErrRe = regexp.MustCompile(`^Error at line (\d+), column (\d+): ([^\n]*)`)

func compileJSONPath(cond string, goessner bool, lim limits) (*jsonPathCriterion, error) {
	if goessner {
		if c, ok, err := compileJSONPathCompare(cond, lim); ok || err != nil {
			return c, err
		}
	}
	p, err := newJSONPath(cond, goessner)
	if err != nil {
		se := jsonPathSyntaxError(cond, 0, err)
		if !goessner {
			if _, _, found := topLevelComparison(cond); found {
				se.Msg += " (a comparison outside a filter is not RFC 9535: write a filter such as $[?@.status == 'ok'], or use the draft-goessner-dispatch-jsonpath-00 version for \"<path> <op> <literal>\")"
			}
		}
		return nil, se
	}
	c := &jsonPathCriterion{path: p}
	if err := c.readShape(cond, 0, cond, lim); err != nil {
		return nil, err
	}
	return c, nil
}

// readShape reads the shape of query q, which is at offset base of cond,
// and refuses a query over the limits whatever its context.
func (c *jsonPathCriterion) readShape(q string, base int, cond string, lim limits) error {
	shape, off, le := readJSONPathShape(q, lim.maxRegex)
	if le == nil {
		le = shape.checkCost(1, 0, lim.maxQuery)
	}
	if le != nil {
		return &SyntaxError{Offset: base + off, Msg: le.Msg, Expr: cond, Err: le}
	}
	c.shape = shape
	return nil
}

// newJSONPath compiles a query; the library's panics become errors.
func newJSONPath(q string, goessner bool) (p *jsonpath.JSONPath, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("JSONPath parser failed: %v", r)
		}
	}()
	if goessner {
		return jsonpath.NewPath(q, config.WithLazyContextTracking())
	}
	return jsonpath.NewPath(q, config.WithStrictRFC9535(), config.WithLazyContextTracking())
}

// jsonPathSyntaxError converts the library's error (which gives a line and
// a column) to a *SyntaxError with an offset into cond; base is the offset of
// the query in cond.
func jsonPathSyntaxError(cond string, base int, err error) *SyntaxError {
	se := &SyntaxError{Offset: base, Msg: "invalid JSONPath query: " + err.Error(), Expr: cond}
	m := jsonPathErrRe.FindStringSubmatch(err.Error())
	if m == nil {
		return se
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	off := base
	for l := 1; l < line; l++ {
		i := strings.IndexByte(cond[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	off += col
	if off > len(cond) {
		off = len(cond)
	}
	se.Offset = off
	se.Msg = "invalid JSONPath query: " + m[3]
	return se
}

// topLevelComparison finds a comparison operator outside quotes, brackets and
// parentheses. It returns the operator's range.
func topLevelComparison(s string) (start, end int, found bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case '=', '!', '<', '>':
			if depth != 0 {
				continue
			}
			if i+1 < len(s) && s[i+1] == '=' {
				return i, i + 2, true
			}
			if c == '<' || c == '>' {
				return i, i + 1, true
			}
			if c == '=' {
				return i, i + 1, true
			}
		}
	}
	return 0, 0, false
}

// compileJSONPathCompare recognises "<path>[.length] <op> <literal>". ok is
// false when cond has no top-level comparison.
func compileJSONPathCompare(cond string, lim limits) (c *jsonPathCriterion, ok bool, err error) {
	start, end, found := topLevelComparison(cond)
	if !found {
		return nil, false, nil
	}
	opText := cond[start:end]
	var op cmpOp
	switch opText {
	case "==":
		op = opEq
	case "!=":
		op = opNe
	case "<":
		op = opLt
	case "<=":
		op = opLe
	case ">":
		op = opGt
	case ">=":
		op = opGe
	default:
		return nil, true, &SyntaxError{Offset: start, Msg: fmt.Sprintf("%q is not a comparison operator: use ==", opText), Expr: cond}
	}
	if end < len(cond) && cond[end] == '=' {
		return nil, true, &SyntaxError{Offset: start, Msg: fmt.Sprintf("%q is not a comparison operator: use %s (comparisons are loose)", opText+"=", opText), Expr: cond}
	}
	left := strings.TrimRight(cond[:start], " \t\r\n")
	lstart := len(left) - len(strings.TrimLeft(left, " \t\r\n"))
	left = left[lstart:]
	if left == "" {
		return nil, true, &SyntaxError{Offset: start, Msg: "a JSONPath query is expected before " + opText, Expr: cond}
	}
	c = &jsonPathCriterion{compare: true, op: op}
	if strings.HasSuffix(left, ".length") && len(left) > len(".length") {
		c.length = true
		left = left[:len(left)-len(".length")]
	}
	p, err := newJSONPath(left, true)
	if err != nil {
		return nil, true, jsonPathSyntaxError(cond, lstart, err)
	}
	c.path = p
	if err := c.readShape(left, lstart, cond, lim); err != nil {
		return nil, true, err
	}
	rstart := end
	for rstart < len(cond) && isSpace(cond[rstart]) {
		rstart++
	}
	right := strings.TrimRight(cond[rstart:], " \t\r\n")
	lit, msg := parseJSONPathLiteral(right)
	if msg != "" {
		return nil, true, &SyntaxError{Offset: rstart, Msg: msg, Expr: cond}
	}
	c.lit = lit
	return c, true, nil
}

// parseJSONPathLiteral parses the literal of the comparison form: a simple
// condition literal, or a double-quoted JSON string.
func parseJSONPathLiteral(s string) (v any, msg string) {
	if s == "" {
		return nil, "a literal (number, 'string', true, false or null) is expected after the comparison operator"
	}
	if s[0] == '"' {
		var str string
		if err := json.Unmarshal([]byte(s), &str); err != nil {
			return nil, "invalid double-quoted string"
		}
		return str, ""
	}
	node, _, err := parseCondition(s)
	if err != nil {
		return nil, "a literal (number, 'string', true, false or null) is expected after the comparison operator"
	}
	if t, ok := node.(*truthNode); ok && t.x.expr == nil {
		return t.x.lit, ""
	}
	return nil, "only a literal (number, 'string', true, false or null) may follow the comparison operator"
}

// eval runs the query over the context value v.
func (c *jsonPathCriterion) eval(v any, r Resolver, lim limits, b *budget) (bool, error) {
	nodes, err := c.run(v, r, lim, b)
	if err != nil {
		return false, err
	}
	if !c.compare {
		return len(nodes) > 0, nil
	}
	var x any
	switch len(nodes) {
	case 0:
	case 1:
		if c.length {
			x = nodeLength(nodes[0])
		} else {
			x = nodeValue(nodes[0], 0)
		}
	default:
		return false, fmt.Errorf("the query selects %d nodes; the comparison form needs at most one", len(nodes))
	}
	switch c.op {
	case opEq:
		return looseEq(x, c.lit), nil
	case opNe:
		return looseNe(x, c.lit), nil
	case opLt:
		return looseLt(x, c.lit), nil
	case opLe:
		return looseLe(x, c.lit), nil
	case opGt:
		return looseGt(x, c.lit), nil
	}
	return looseGe(x, c.lit), nil
}

// run converts v to the library's node tree (once per value with a
// Memoizer), checks the query's estimated cost over it against MaxQueryCost
// and the budget, and runs the query.
func (c *jsonPathCriterion) run(v any, r Resolver, lim limits, b *budget) ([]*yaml.Node, error) {
	jr, err := jsonPathRoot(v, r, lim.maxNodes, b)
	if err != nil {
		return nil, err
	}
	if le := c.shape.checkCost(jr.count, jr.depth, lim.maxQuery); le != nil {
		return nil, le
	}
	cost := c.shape.cost(jr.count, jr.depth)
	if err := b.need(cost, "the JSONPath query"); err != nil {
		return nil, err
	}
	return c.queryWithin(jr.node, b, cost)
}

// asyncJSONPathCost is the estimated cost above which a query runs on its
// own goroutine (a few milliseconds of work).
const asyncJSONPathCost = 1 << 16

// queryWithin runs the query over root, returning as soon as b's context
// ends. The library cannot be interrupted, so a query that may take more
// than a few milliseconds (by its estimated cost) runs on a goroutine of
// its own, and is abandoned when the context ends: it finishes in the
// background, its work bounded by MaxQueryCost, and its result is dropped.
func (c *jsonPathCriterion) queryWithin(root *yaml.Node, b *budget, cost float64) ([]*yaml.Node, error) {
	if err := b.stopped(); err != nil {
		return nil, err
	}
	if cost <= asyncJSONPathCost || b.done == nil {
		return c.query(root)
	}
	type result struct {
		nodes []*yaml.Node
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		nodes, err := c.query(root)
		ch <- result{nodes, err}
	}()
	select {
	case res := <-ch:
		return res.nodes, res.err
	case <-b.done:
		return nil, b.stopped()
	}
}

// query runs the path; the library's panics become errors.
func (c *jsonPathCriterion) query(root *yaml.Node) (nodes []*yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			nodes, err = nil, fmt.Errorf("JSONPath evaluation failed: %v", r)
		}
	}()
	return c.path.Query(root), nil
}

// nodeLength is the length of an array, string (in characters) or object
// (members). An object with a "length" member yields that member, as the
// JavaScript-based Goessner implementations do.
func nodeLength(n *yaml.Node) any {
	switch n.Kind {
	case yaml.SequenceNode:
		return float64(len(n.Content))
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "length" {
				return nodeValue(n.Content[i+1], 0)
			}
		}
		return float64(len(n.Content) / 2)
	case yaml.ScalarNode:
		if n.Tag == "!!str" {
			return float64(utf8.RuneCountInString(n.Value))
		}
	}
	return nil
}

// nodeValue converts a node built by valueNode back to a value.
func nodeValue(n *yaml.Node, depth int) any {
	if depth > maxEqualDepth {
		return nil
	}
	switch n.Kind {
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, c := range n.Content {
			a[i] = nodeValue(c, depth+1)
		}
		return a
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(n.Content[i+1], depth+1)
		}
		return m
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return n.Value
		case "!!bool":
			return n.Value == "true"
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				return n.Value
			}
			return f
		}
	}
	return nil
}

// jsonRoot is a context value converted to the library's node tree, with
// its number of values and its depth (0 for a scalar).
type jsonRoot struct {
	node         *yaml.Node
	count, depth int
}

// memoKey identifies a value by identity for a Memoizer.
type memoKey struct {
	kind uint8
	p    unsafe.Pointer
	n    int
}

const (
	memoJSONPath uint8 = iota + 1
	memoXML
	memoJSONDecode
)

// identityKey returns a key identifying v by identity, or false for values
// that have none (scalars), which are converted every time.
func identityKey(kind uint8, v any) (memoKey, bool) {
	switch x := v.(type) {
	case string:
		if len(x) == 0 {
			return memoKey{}, false
		}
		return memoKey{kind, unsafe.Pointer(unsafe.StringData(x)), len(x)}, true
	case []byte:
		if len(x) == 0 {
			return memoKey{}, false
		}
		return memoKey{kind, unsafe.Pointer(unsafe.SliceData(x)), len(x)}, true
	case map[string]any:
		if x == nil {
			return memoKey{}, false
		}
		return memoKey{kind, reflect.ValueOf(x).UnsafePointer(), len(x)}, true
	case []any:
		if len(x) == 0 {
			return memoKey{}, false
		}
		return memoKey{kind, unsafe.Pointer(unsafe.SliceData(x)), len(x)}, true
	}
	return memoKey{}, false
}

var errTooLarge = errors.New("context value too large")

// jsonPathRoot returns the node tree of v, converting it once per value when
// r is a Memoizer. The conversion stops when b's context ends.
func jsonPathRoot(v any, r Resolver, maxNodes int, b *budget) (*jsonRoot, error) {
	build := func() (any, error) {
		if b, ok := v.([]byte); ok {
			var decoded any
			if err := json.Unmarshal(b, &decoded); err != nil {
				return nil, fmt.Errorf("context is not JSON: %v", err)
			}
			v = decoded
		}
		vc := valueConv{budget: maxNodes, b: b}
		n, err := vc.node(v, 0)
		if err != nil {
			if err == errTooLarge {
				return nil, contextTooLarge("the context value has more than %d JSON values (MaxContextNodes)", maxNodes, 0)
			}
			return nil, err
		}
		return &jsonRoot{node: n, count: maxNodes - vc.budget, depth: vc.depth}, nil
	}
	var x any
	var err error
	m, isMemo := r.(Memoizer)
	key, hasKey := identityKey(memoJSONPath, v)
	if isMemo && hasKey {
		x, err = m.Memo(key, build)
	} else {
		x, err = build()
	}
	if err != nil {
		return nil, err
	}
	jr, ok := x.(*jsonRoot)
	if !ok {
		return nil, fmt.Errorf("memoizer returned %T for a JSONPath context", x)
	}
	if jr.count > maxNodes {
		return nil, contextTooLarge("the context value has %d JSON values, more than the limit of %d (MaxContextNodes)", maxNodes, jr.count)
	}
	return jr, nil
}

// contextTooLarge returns the *LimitError for a context over MaxContextNodes;
// format takes the size (when known) and the limit.
func contextTooLarge(format string, limit, size int) *LimitError {
	var msg string
	if size > 0 {
		msg = fmt.Sprintf(format, size, limit)
	} else {
		msg = fmt.Sprintf(format, limit)
	}
	return &LimitError{Code: CodeContextTooLarge, Limit: limit, Size: size, Msg: msg}
}

// valueConv converts values of the data model to a node tree, charging one
// unit of budget per value and recording the depth reached.
type valueConv struct {
	budget, depth int
	b             *budget // whose context ends the conversion; may be nil
	// locs, when not nil, records where each node is, and holders the
	// object or array each container node was converted from (for
	// replacement targets).
	locs    map[*yaml.Node]nodeLoc
	holders map[*yaml.Node]any
}

// node converts v, at the given depth.
func (vc *valueConv) node(v any, depth int) (*yaml.Node, error) {
	vc.budget--
	if vc.budget < 0 {
		return nil, errTooLarge
	}
	if vc.budget%4096 == 0 && vc.b != nil {
		if err := vc.b.stopped(); err != nil {
			return nil, err
		}
	}
	vc.depth = max(vc.depth, depth)
	if depth > 10000 {
		return nil, errors.New("context value nested too deeply")
	}
	scalar := func(tag, val string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: val}
	}
	switch x := v.(type) {
	case nil:
		return scalar("!!null", "null"), nil
	case bool:
		return scalar("!!bool", strconv.FormatBool(x)), nil
	case string:
		return scalar("!!str", x), nil
	case json.Number:
		if f, ok := numericString(string(x)); ok {
			return numberNode(f), nil
		}
		return scalar("!!str", string(x)), nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, len(x))}
		vc.hold(n, x)
		for i, e := range x {
			c, err := vc.node(e, depth+1)
			if err != nil {
				return nil, err
			}
			if vc.locs != nil {
				vc.locs[c] = nodeLoc{parent: n, index: i}
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(x))}
		vc.hold(n, x)
		for _, k := range keys {
			c, err := vc.node(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			if vc.locs != nil {
				vc.locs[c] = nodeLoc{parent: n, key: k}
			}
			n.Content = append(n.Content, scalar("!!str", k), c)
		}
		return n, nil
	}
	if f, ok := asNumber(v); ok {
		return numberNode(f), nil
	}
	// Other Go values (typed slices and maps, structs): through JSON.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("context value of type %T is not JSON data: %v", v, err)
	}
	var decoded any
	if err := json.Unmarshal(b, &decoded); err != nil {
		return nil, fmt.Errorf("context value of type %T is not JSON data: %v", v, err)
	}
	vc.budget++
	return vc.node(decoded, depth)
}

// hold records that container node n was converted from x, when locations
// are recorded.
func (vc *valueConv) hold(n *yaml.Node, x any) {
	if vc.locs == nil {
		return
	}
	if vc.holders == nil {
		vc.holders = map[*yaml.Node]any{}
	}
	vc.holders[n] = x
}

// numberNode is an !!int node for integral values within ±2^53 and a !!float
// node otherwise, so that filters compare numbers as RFC 9535 says.
func numberNode(f float64) *yaml.Node {
	if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(int64(f), 10)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'g', -1, 64)}
}
