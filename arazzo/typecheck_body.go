package arazzo

// Request bodies and values: the type checker's walk of what a step sends
// (see the decisions in typecheck.go).

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/oas"
)

// ---- request bodies ----

func (c *typeChecker) requestBody(sc *tcScope) {
	op, s := sc.op, sc.step
	b := s.RequestBody
	if b == nil {
		if op.Body != nil && op.Body.Required && op.Method != "GET" && op.Method != "HEAD" {
			c.report(tcMissingAt(s, "requestBody"), CodeTypeMissingRequestBody, diag.Error,
				"%s requires a request body and step %q sends none", tcOpName(op), s.StepID)
		}
		return
	}
	var target []tcNode
	what := "the request body of " + tcOpName(op)
	if op.Body != nil {
		var mt *oas.MediaType
		if b.ContentType != "" {
			mt = op.Body.MediaType(b.ContentType)
		} else {
			for _, m := range op.Body.Content {
				if m.Schema != nil {
					mt = m
					break
				}
			}
		}
		if mt != nil && mt.Schema != nil {
			target = []tcNode{{s: mt.Schema, root: c.oasRoot(op.Doc)}}
		}
	}
	c.bodyAgainst(sc, b, target, what)
}

// bodyAgainst checks a request body (of an operation) or message payload
// (of an AsyncAPI send step) against the target schemas (nil when
// unknown); what names it in messages.
func (c *typeChecker) bodyAgainst(sc *tcScope, b *RequestBody, target []tcNode, what string) {
	var replaced []jsonptr.Pointer
	for _, r := range b.Replacements {
		if r == nil || !strings.HasPrefix(r.Target, "/") {
			continue
		}
		if p, err := jsonptr.Parse(r.Target); err == nil {
			replaced = append(replaced, p)
		}
	}
	ctx := tcCtx{sc: sc}
	if s, ok := b.Payload.(string); ok && b.HasPayload && !tcIsExpr(sc.doc, s) {
		// Raw body text: only its embedded expressions are checked.
		c.value(ctx, s, tcDeref(b.valueNode("payload")), &b.Meta, tcTarget{})
	} else if b.HasPayload {
		pc := &tcPayload{c: c, ctx: ctx, replaced: replaced, what: what}
		pc.check(b.Payload, tcDeref(b.valueNode("payload")), &b.Meta, target, nil, b.KeyRange("payload"), 0)
	}
	for _, r := range b.Replacements {
		if r == nil {
			continue
		}
		tg := tcTarget{}
		if p, err := jsonptr.Parse(r.Target); err == nil && strings.HasPrefix(r.Target, "/") && target != nil {
			nodes := target
			for _, tok := range p {
				var lk tcLookup
				for _, n := range nodes {
					c.member(n, tok, &lk)
				}
				if !lk.exists() {
					sev := diag.Warning
					if lk.closed {
						sev = diag.Error
					}
					c.report(r.ValueRange("target"), CodeTypeUnknownBodyProperty, sev, "replacement target %s: %s declares no property %q%s",
						r.Target, what, tok, didYouMean(tok, c.namesAt(nodes)))
					nodes = nil
					break
				}
				if lk.open || !lk.found {
					nodes = nil
					break
				}
				nodes = tcCap(lk.children)
			}
			if nodes != nil {
				tg.nodes = nodes
				tg.what = fmt.Sprintf("%s at %s", what, r.Target)
			}
		}
		c.value(ctx, r.Value, tcDeref(r.valueNode("value")), &r.Meta, tg)
	}
}

// tcPayload checks a literal payload against a request schema.
type tcPayload struct {
	c        *typeChecker
	ctx      tcCtx
	replaced []jsonptr.Pointer
	what     string
}

// check walks value (written at node) against the target schemas. path is
// the JSON pointer of value inside the payload; missingAt is where a
// missing required member of value is reported.
func (p *tcPayload) check(value any, node *yaml.Node, m *Meta, target []tcNode, path jsonptr.Pointer, missingAt diag.Range, depth int) {
	c := p.c
	if depth > tcMaxDepth {
		return
	}
	switch v := value.(type) {
	case map[string]any:
		if p.ctx.sc.doc.Is11() && isSelectorMap(v) {
			c.value(p.ctx, value, node, m, tcTarget{nodes: target, what: p.describe(path)})
			return
		}
		if target != nil && c.kindsOf(target)&tkObject == 0 {
			c.value(p.ctx, value, node, m, tcTarget{nodes: target, what: p.describe(path)})
			return
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			keyNode, valNode := tcMapEntry(node, k)
			keyAt := tcRangeOf(m, keyNode)
			if keyNode == nil {
				keyAt = tcRangeOf(m, node)
			}
			var children []tcNode
			if target != nil {
				var lk tcLookup
				for _, n := range target {
					c.member(n, k, &lk)
				}
				switch {
				case !lk.exists():
					sev := diag.Warning
					extra := ""
					if lk.closed {
						sev, extra = diag.Error, " and allows no others (additionalProperties: false)"
					}
					c.report(keyAt, CodeTypeUnknownBodyProperty, sev, "%s declares no property %q%s%s",
						p.describe(path), k, extra, didYouMean(k, c.namesAt(target)))
				case lk.found && !lk.open:
					children = tcCap(lk.children)
				}
			}
			p.check(v[k], valNode, m, children, append(path[:len(path):len(path)], k), keyAt, depth+1)
		}
		if target == nil {
			return
		}
		for _, req := range c.requiredNames(target) {
			if _, ok := v[req]; ok {
				continue
			}
			if p.isReplaced(append(path[:len(path):len(path)], req)) || c.readOnly(target, req) {
				continue
			}
			hint := didYouMean(req, keys)
			if hint == "" {
				if in := tcCloseInput(c, p.ctx.sc, req); in != "" {
					hint = fmt.Sprintf(" (add %s: $inputs.%s)", req, in)
				}
			}
			c.report(missingAt, CodeTypeMissingBodyProperty, diag.Error, "the payload is missing the required property %q of %s%s",
				req, p.describe(path), hint)
		}
	case []any:
		if target != nil && c.kindsOf(target)&tkArray == 0 {
			c.value(p.ctx, value, node, m, tcTarget{nodes: target, what: p.describe(path)})
			return
		}
		for i, e := range v {
			var elemNode *yaml.Node
			if node != nil && node.Kind == yaml.SequenceNode && i < len(node.Content) {
				elemNode = tcDeref(node.Content[i])
			}
			var children []tcNode
			tok := strconv.Itoa(i)
			if target != nil {
				var lk tcLookup
				for _, n := range target {
					c.member(n, tok, &lk)
				}
				if lk.found && !lk.open {
					children = tcCap(lk.children)
				}
			}
			at := missingAt
			if elemNode != nil {
				at = tcRangeOf(m, elemNode)
			}
			p.check(e, elemNode, m, children, append(path[:len(path):len(path)], tok), at, depth+1)
		}
	default:
		tg := tcTarget{nodes: target}
		if target != nil {
			tg.what = p.describe(path)
		}
		c.value(p.ctx, value, node, m, tg)
	}
}

func (p *tcPayload) describe(path jsonptr.Pointer) string {
	if len(path) == 0 {
		return p.what
	}
	return fmt.Sprintf("%s at %s", p.what, path.String())
}

func (p *tcPayload) isReplaced(path jsonptr.Pointer) bool {
	for _, r := range p.replaced {
		if len(r) > len(path) {
			continue
		}
		prefix := true
		for i := range r {
			if r[i] != path[i] {
				prefix = false
				break
			}
		}
		if prefix {
			return true
		}
	}
	return false
}

// tcMapEntry finds the key and value nodes of key in a mapping node.
func tcMapEntry(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	n = tcDeref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := tcDeref(n.Content[i]); k != nil && k.Value == key {
			return n.Content[i], tcDeref(n.Content[i+1])
		}
	}
	return nil, nil
}

// tcRangeOf is where node was written, or the object's position when the
// node is unknown.
func tcRangeOf(m *Meta, n *yaml.Node) diag.Range {
	if m == nil {
		return diag.Range{}
	}
	if n == nil {
		return m.Range
	}
	return m.rangeOf(n)
}

func tcDeref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// ---- values ----

// tcTarget is the field a value is given to: its schemas (nil when
// unknown), whether it is a parameter (sent as text), and a description for
// messages.
type tcTarget struct {
	nodes []tcNode
	param bool
	what  string
}

// value types an "Any | expression" value written at node, reports bad
// pointers in its expressions, and compares its type with the target's.
func (c *typeChecker) value(ctx tcCtx, v any, node *yaml.Node, m *Meta, tg tcTarget) {
	node = tcDeref(node)
	at := func(base int) func(int) diag.Range {
		return func(off int) diag.Range {
			if m == nil || node == nil {
				return tcRangeOf(m, node)
			}
			return m.offsetIn(node, base+off)
		}
	}
	var src tcKinds
	var desc, hint string
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "$") {
			if e, err := ctx.sc.doc.parseExpr(x); err == nil {
				t := c.typeOf(ctx, e, nil, at(0))
				src = t.kinds
				desc = e.Raw
				if e.Kind == expr.KindInputs && !e.HasPointer && src != tkAll {
					hint = fmt.Sprintf(" (declare input %q with type: %s)", e.Name, c.kindsOf(tg.nodes).String())
				}
				break
			}
		}
		if strings.HasPrefix(x, "$") && !strings.Contains(x, "{$") {
			// A broken expression (Validate reports it) or "$" text: not
			// judged.
			return
		}
		if strings.Contains(x, "{$") {
			t := expr.ParseTemplate(x, ctx.sc.doc.opts()...)
			if t.HasExprs() {
				for _, part := range t.Parts {
					if part.Expr != nil {
						c.typeOf(ctx, part.Expr, nil, at(part.Offset))
					}
				}
				src, desc = tkString, "the template "+strconv.Quote(tcShort(x))
				break
			}
		}
		src, desc = tkString, strconv.Quote(tcShort(x))
		if tg.param {
			src |= tcTextKinds(x)
		} else if tcTextKinds(x)&c.kindsOf(tg.nodes) != 0 {
			hint = " (remove the quotes)"
		}
	case map[string]any, []any:
		if mm, ok := x.(map[string]any); ok {
			if t, isSel := c.valueSelector(ctx, mm, node, m); isSel {
				src, desc = t.kinds, "the Selector Object's value"
				break
			}
		}
		c.embedded(ctx, v, node, m, 0)
		src = tcValueKinds(v)
	case nil:
		src, desc = tkNull, "null"
	default:
		src = tcValueKinds(v)
		desc = tcLiteral(v)
	}
	if tg.nodes == nil || src == tkAll || src == 0 || node == nil {
		// Without a written value (reported by Validate) there is nothing
		// to compare.
		return
	}
	want := c.kindsOf(tg.nodes)
	if want == tkAll || want == 0 {
		return
	}
	declared := want
	if tg.param {
		if want&tkString != 0 {
			want |= tkBool | tkInteger | tkNumber
		}
		if want&tkArray != 0 {
			want |= tkBool | tkInteger | tkNumber | tkString
		}
	}
	if src&want != 0 {
		return
	}
	r := tcRangeOf(m, node)
	if m != nil && node != nil {
		r = m.offsetIn(node, 0)
	}
	if desc == "" {
		c.report(r, CodeTypeMismatch, diag.Warning, "%s is given, but %s is %s%s", src.article(), tg.what, declared.article(), hint)
		return
	}
	c.report(r, CodeTypeMismatch, diag.Warning, "%s is %s, but %s is %s%s",
		desc, src.article(), tg.what, declared.article(), hint)
}

// embedded reports bad pointers in expressions inside a literal object or
// array that is not walked against a schema.
func (c *typeChecker) embedded(ctx tcCtx, v any, node *yaml.Node, m *Meta, depth int) {
	if depth > tcMaxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if _, isSel := c.valueSelector(ctx, x, node, m); isSel {
			return
		}
		for k, e := range x {
			_, vn := tcMapEntry(node, k)
			c.embedded(ctx, e, vn, m, depth+1)
		}
	case []any:
		for i, e := range x {
			var en *yaml.Node
			if node != nil && node.Kind == yaml.SequenceNode && i < len(node.Content) {
				en = tcDeref(node.Content[i])
			}
			c.embedded(ctx, e, en, m, depth+1)
		}
	case string:
		if strings.Contains(x, "$") {
			c.value(ctx, x, node, m, tcTarget{})
		}
	}
}

// tcIsExpr reports whether s is a whole-value runtime expression.
func tcIsExpr(d *Document, s string) bool {
	if !strings.HasPrefix(s, "$") {
		return false
	}
	_, err := d.parseExpr(s)
	return err == nil
}

func tcShort(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

func tcLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// tcTextKinds is what a string's text can stand for once sent as text.
func tcTextKinds(s string) tcKinds {
	switch s {
	case "true", "false":
		return tkBool
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && strings.TrimSpace(s) == s {
		if f == math.Trunc(f) {
			return tkInteger
		}
		return tkNumber
	}
	return 0
}
