package arazzo

// Type checking of what Arazzo 1.1 adds: AsyncAPI steps (headers, channel
// parameters and payloads against the message schemas, $message
// references), Selector Objects (read like the pointers they denote),
// action parameters (against the target workflow's inputs) and the
// lenient forms (read as their standard form). See the decisions in
// typecheck.go and the package documentation.

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/jsonptr"
)

func (c *typeChecker) asyncRoot(d *asyncapi.Document) *tcRoot {
	r := c.asyncRoots[d]
	if r == nil {
		r = &tcRoot{raw: d.Raw, refs: map[string]tcRef{}}
		c.asyncRoots[d] = r
	}
	return r
}

// messageRoots lists the payload (or headers) schemas of the messages a
// step may send or receive; known is false when one of them has none, or
// one package schema cannot read (not a JSON Schema format).
func (c *typeChecker) messageRoots(sc *tcScope, headers bool) (roots []tcNode, known bool) {
	if !sc.async || len(sc.msgs) == 0 {
		return nil, false
	}
	for _, m := range sc.msgs {
		if m == nil {
			return nil, false
		}
		s, format := m.Payload, m.SchemaFormat
		if headers {
			s, format = m.Headers, m.HeadersSchemaFormat
		}
		if s == nil || !asyncapi.IsJSONSchemaFormat(format) {
			return nil, false
		}
		roots = append(roots, tcNode{s: s, root: c.asyncRoot(sc.adoc)})
	}
	return roots, true
}

// messagesName names the messages of a step for diagnostics.
func messagesName(sc *tcScope) string {
	names := make([]string, 0, len(sc.msgs))
	for _, m := range sc.msgs {
		names = append(names, messageName(m))
	}
	if len(names) == 1 {
		return "message " + names[0]
	}
	return "messages " + strings.Join(names, ", ")
}

// messageStep checks a step that sends or receives an AsyncAPI message.
func (c *typeChecker) messageStep(sc *tcScope) {
	s := sc.step
	ctx := tcCtx{sc: sc}
	c.messageParameters(sc)
	if s.Action == StepSend && s.RequestBody != nil {
		var target []tcNode
		if roots, known := c.messageRoots(sc, false); known {
			target = roots
		}
		c.bodyAgainst(sc, s.RequestBody, target, "the payload of "+messagesName(sc))
	}
	for _, cr := range s.SuccessCriteria {
		c.criterion(ctx, cr)
	}
	c.actions(ctx, s.OnSuccess)
	c.actions(ctx, s.OnFailure)
	c.outputs(tcCtx{sc: sc, inOutputs: true}, s.Outputs)
}

// messageParameters checks the parameters of a message step: headers
// against the messages' headers schemas, channel (and path) parameters
// against the channel address.
func (c *typeChecker) messageParameters(sc *tcScope) {
	params := c.suppliedParams(sc, true)
	headers, headersKnown := c.messageRoots(sc, true)
	send := sc.step.Action == StepSend
	ctx := tcCtx{sc: sc}
	for _, p := range params {
		tg := tcTarget{param: true}
		switch p.in {
		case "header":
			if !headersKnown {
				break
			}
			name := c.headerName(headers, p.name)
			var lk tcLookup
			for _, n := range headers {
				c.member(n, name, &lk)
			}
			switch {
			case !lk.exists():
				if p.step {
					c.report(p.at, CodeTypeUnknownParameter, diag.Warning, "header %q is not declared by the headers of %s%s",
						p.name, messagesName(sc), didYouMean(p.name, c.namesAt(headers)))
				}
			case lk.found && !lk.open:
				tg.nodes = tcCap(lk.children)
				tg.what = fmt.Sprintf("header %q of %s", name, messagesName(sc))
			}
		case "channel", "path":
			if sc.channel == nil || !p.step || sc.channel.Parameter(p.name) != nil {
				break
			}
			var names []string
			for _, cp := range sc.channel.Parameters {
				names = append(names, cp.Name)
			}
			c.report(p.at, CodeTypeUnknownParameter, diag.Warning, "channel parameter %q is not a parameter of the address %q of channel %q%s",
				p.name, sc.channel.Address, sc.channel.Key, didYouMean(p.name, names))
		}
		c.value(ctx, p.value, p.node, p.meta, tg)
	}
	if send && headersKnown {
		for _, req := range c.requiredNames(headers) {
			supplied := false
			for _, p := range params {
				if p.in == "header" && strings.EqualFold(p.name, req) {
					supplied = true
					break
				}
			}
			if !supplied {
				c.report(tcMissingAt(sc.step, "parameters"), CodeTypeMissingParameter, diag.Error,
					"step %q does not supply the required header %q of %s (add {name: %s, in: header, value: ...})", sc.step.StepID, req, messagesName(sc), req)
			}
		}
	}
	if sc.channel != nil && sc.channel.Address != "" {
		names, err := asyncapi.TemplateNames(sc.channel.Address)
		if err != nil {
			return
		}
		for _, name := range names {
			cp := sc.channel.Parameter(name)
			if cp != nil && cp.HasDefault {
				continue
			}
			supplied := false
			for _, p := range params {
				if (p.in == "channel" || p.in == "path") && p.name == name {
					supplied = true
					break
				}
			}
			if !supplied {
				c.report(tcMissingAt(sc.step, "parameters"), CodeTypeMissingParameter, diag.Error,
					"step %q does not supply the parameter %q of the address %q of channel %q, which has no default (add {name: %s, in: channel, value: ...})",
					sc.step.StepID, name, sc.channel.Address, sc.channel.Key, name)
			}
		}
	}
}

// headerName is name, or the header the schemas declare under another case
// (header names are case-insensitive; E33).
func (c *typeChecker) headerName(headers []tcNode, name string) string {
	var lk tcLookup
	for _, n := range headers {
		c.member(n, name, &lk)
	}
	if lk.found {
		return name
	}
	for _, n := range c.namesAt(headers) {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return name
}

// messageHeader types $message.header.X and reports a header no message of
// the step declares.
func (c *typeChecker) messageHeader(ctx tcCtx, e *expr.Expr, at func(int) diag.Range) tcType {
	headers, known := c.messageRoots(ctx.sc, true)
	if !known {
		return tcUnknown
	}
	name := c.headerName(headers, e.Name)
	var lk tcLookup
	for _, n := range headers {
		c.member(n, name, &lk)
	}
	switch {
	case !lk.exists():
		if at != nil {
			c.report(at(0), CodeTypeUnknownMessageHeader, diag.Warning, "%s: the headers of %s declare no header %q%s",
				e.Raw, messagesName(ctx.sc), e.Name, didYouMean(e.Name, c.namesAt(headers)))
		}
		return tcUnknown
	case lk.open || !lk.found:
		return tcUnknown
	}
	return c.typed(tcCap(lk.children))
}

// messagePayload types $message.payload[#pointer], reporting a pointer
// that no message's payload can have.
func (c *typeChecker) messagePayload(ctx tcCtx, raw string, toks []tcTok, at func(int) diag.Range) tcType {
	roots, known := c.messageRoots(ctx.sc, false)
	if !known {
		return tcUnknown
	}
	return c.navigate(raw, roots, toks, at, func() (string, string) {
		verb := "has"
		if len(ctx.sc.msgs) > 1 {
			verb = "have"
		}
		return "the payload of " + messagesName(ctx.sc), verb
	})
}

// actionParameters checks the parameters of goto and retry actions that
// transfer to a workflow against its inputs (E21: they are its only
// inputs, so a required input they do not supply is missing).
func (c *typeChecker) actionParameters(ctx tcCtx, list []*Action) {
	for _, a := range list {
		if a == nil || a.Reusable != nil || a.WorkflowID == "" || !a.Meta.Has("parameters") || a.Type == ActionEnd {
			continue
		}
		cd, cw, err := ctx.sc.doc.ResolveWorkflow(a.WorkflowID)
		if err != nil || cw == nil {
			continue
		}
		var params []tcParam
		for _, p := range a.Parameters {
			if tp, ok := tcResolveParam(ctx.sc.doc, p, true); ok {
				params = append(params, tp)
			}
		}
		c.inputs(ctx, cw, cd, params, a.KeyRange("parameters"), fmt.Sprintf("action %q", a.Name))
	}
}

// selectorType types a Selector Object as the pointer it denotes (its
// context's pointer, then the selector's, when the selector is a JSON
// pointer or a singular JSONPath query), reporting a location that cannot
// exist at at (offsets are ignored).
func (c *typeChecker) selectorType(ctx tcCtx, spec expr.SelectorSpec, at func(int) diag.Range) tcType {
	sel, err := expr.CompileSelector(spec, ctx.sc.doc.opts()...)
	if err != nil {
		return tcUnknown
	}
	ptr, ok := sel.Pointer()
	if !ok {
		return tcUnknown
	}
	ce := sel.Context()
	e := *ce
	e.Pointer = append(append(jsonptr.Pointer{}, ce.Pointer...), ptr...)
	e.HasPointer = true
	raw := fmt.Sprintf("selector %q on %s", spec.Selector, ce.Raw)
	return c.typeOfText(ctx, &e, raw, nil, at)
}

// selectorSpecOf reads a Selector Object given as a value, or false.
func selectorSpecOf(m map[string]any) (expr.SelectorSpec, bool) {
	var spec expr.SelectorSpec
	var ok1, ok2 bool
	spec.Context, ok1 = m["context"].(string)
	spec.Selector, ok2 = m["selector"].(string)
	if !ok1 || !ok2 {
		return spec, false
	}
	switch t := m["type"].(type) {
	case string:
		spec.Type = t
	case map[string]any:
		spec.Type, _ = t["type"].(string)
		spec.Version, _ = t["version"].(string)
	default:
		return spec, false
	}
	return spec, true
}

// valueSelector types a Selector Object written as a value at node.
func (c *typeChecker) valueSelector(ctx tcCtx, v map[string]any, node *yaml.Node, m *Meta) (tcType, bool) {
	if !ctx.sc.doc.Is11() || !isSelectorMap(v) {
		return tcUnknown, false
	}
	spec, ok := selectorSpecOf(v)
	if !ok {
		return tcUnknown, true
	}
	at := func(int) diag.Range {
		if n := mapValue(node, "selector"); n != nil && m != nil {
			return m.offsetIn(n, 0)
		}
		return tcRangeOf(m, node)
	}
	return c.selectorType(ctx, spec, at), true
}

// standardName returns the standard form of a lenient name expression
// ($inputs.a.b read as $inputs.a#/b) when the whole name is not defined,
// else e.
func (c *typeChecker) standardName(ctx tcCtx, e *expr.Expr) *expr.Expr {
	if !e.Lenient || e.Standard == "" || e.HasPointer {
		return e
	}
	sc := ctx.sc
	defined := false
	switch e.Kind {
	case expr.KindInputs:
		if sc.wf != nil {
			names, _ := inputNames(sc.doc, sc.wf.Inputs)
			defined = containsName(names, e.Name)
		}
	case expr.KindSteps:
		if sc.wf != nil {
			if st := sc.wf.Step(e.ID); st != nil {
				defined = containsName(outputNames(st.Outputs), e.Name)
			}
		}
	case expr.KindOutputs:
		switch {
		case ctx.inOutputs && sc.callee != nil:
			defined = containsName(outputNames(sc.callee.Outputs), e.Name)
		case sc.wf != nil:
			defined = containsName(outputNames(sc.wf.Outputs), e.Name)
		}
	case expr.KindWorkflows:
		if w := sc.doc.Workflow(e.ID); w != nil {
			if e.Field == "inputs" {
				names, _ := inputNames(sc.doc, w.Inputs)
				defined = containsName(names, e.Name)
			} else {
				defined = containsName(outputNames(w.Outputs), e.Name)
			}
		}
	default:
		return e
	}
	if defined {
		return e
	}
	std, err := sc.doc.parseExpr(e.Standard)
	if err != nil || std.Kind != e.Kind {
		return e
	}
	return std
}

// tcToks lists the pointer tokens of e with their offsets in raw, the
// text the expression was written as: after its "#", or, for a lenient
// form written with dots ($response.body.a.b[0]), where each name is.
func tcToks(e *expr.Expr, raw string) []tcTok {
	if len(e.Pointer) == 0 {
		return nil
	}
	if strings.IndexByte(raw, '#') >= 0 {
		return tcPointerToksIn(e, raw)
	}
	out := make([]tcTok, len(e.Pointer))
	pos := len(e.Kind.String())
	if pos > len(raw) || !strings.HasPrefix(raw, e.Kind.String()) {
		pos = 0
	}
	for i, t := range e.Pointer {
		j := strings.Index(raw[pos:], t)
		if j < 0 {
			out[i] = tcTok{name: t, off: pos}
			continue
		}
		out[i] = tcTok{name: t, off: pos + j}
		pos += j + len(t)
	}
	return out
}
