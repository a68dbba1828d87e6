package arazzo

// Validation of what Arazzo 1.1 adds (checklist-1.1 §2-§13): $self,
// AsyncAPI steps, step dependencies, querystring parameters, action
// parameters, Selector Objects, replacement targets, and the leniencies.
// The decisions (E-numbers) are in the package documentation.

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/oas"
	"github.com/telaio/telaio/schema"
	"github.com/telaio/telaio/transport/mqtt"
)

// operationKind decides whether an operationId names an OpenAPI or an
// AsyncAPI operation (checklist 3.3).
func operationKind(d *Document, s *Step) StepKind {
	guess := StepOperation
	if s.Meta.Has("action") || s.Meta.Has("correlationId") {
		guess = StepMessage
	}
	if strings.HasPrefix(s.OperationID, "$") {
		e, err := expr.Parse(s.OperationID)
		if err != nil || e.Kind != expr.KindSourceDescriptions {
			return StepOperation
		}
		switch sourceKind(d, e.ID) {
		case SourceAsyncAPI:
			return StepMessage
		case "":
			return guess
		}
		return StepOperation
	}
	var oas, async, unknown int
	for _, sd := range d.SourceDescriptions {
		switch sourceKind(d, sd.Name) {
		case SourceOpenAPI:
			oas++
		case SourceAsyncAPI:
			async++
		case SourceArazzo:
		default:
			unknown++
		}
	}
	switch {
	case async > 0 && oas == 0 && unknown == 0:
		return StepMessage
	case oas > 0 && async == 0:
		return StepOperation
	case oas > 0 && async > 0:
		return StepUnknown // ambiguous: operationID reports it
	}
	return guess
}

// asyncSources lists the AsyncAPI sources (declared or loaded).
func asyncSources(d *Document) []string {
	var out []string
	for _, sd := range d.SourceDescriptions {
		if sourceKind(d, sd.Name) == SourceAsyncAPI {
			out = append(out, sd.Name)
		}
	}
	return out
}

// self checks $self: a URI reference without a fragment.
func (v *validator) self(d *Document) {
	if !d.Is11() {
		return // Parse reported it (E1)
	}
	r := d.ValueRange("$self")
	if i := strings.IndexByte(d.Self, '#'); i >= 0 {
		v.errorf(d.OffsetRange("$self", i), CodeInvalidSelf, "$self must not have a fragment: write %q", d.Self[:i])
		return
	}
	if _, err := url.Parse(d.Self); err != nil || d.Self == "" {
		v.errorf(r, CodeInvalidSelf, "$self %q is not a URI reference", d.Self)
	}
}

// standardID is id with the characters a runtime expression cannot name
// replaced by "-".
func standardID(id string) string {
	var b strings.Builder
	dash := false
	for i := 0; i < len(id); i++ {
		if isIDByte(id[i]) {
			b.WriteByte(id[i])
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		return "an id of letters, digits, _ and -"
	}
	return out
}

// idHint explains why an expression naming a step or workflow whose id is
// outside [A-Za-z0-9_-] does not parse.
func idHint(sc *scope, text string) string {
	if sc == nil || sc.doc == nil {
		return ""
	}
	switch {
	case strings.HasPrefix(text, "$steps.") && sc.wf != nil:
		rest := text[len("$steps."):]
		for _, s := range sc.wf.Steps {
			if s != nil && !idRE.MatchString(s.StepID) && s.StepID != "" && strings.HasPrefix(rest, s.StepID) {
				return fmt.Sprintf(" (step %q exists, but no runtime expression can name an id with characters outside [A-Za-z0-9_-]: rename the step, e.g. %s)", s.StepID, standardID(s.StepID))
			}
		}
	case strings.HasPrefix(text, "$workflows."):
		rest := text[len("$workflows."):]
		for _, w := range sc.doc.Workflows {
			if w != nil && !idRE.MatchString(w.WorkflowID) && w.WorkflowID != "" && strings.HasPrefix(rest, w.WorkflowID) {
				return fmt.Sprintf(" (workflow %q exists, but no runtime expression can name an id with characters outside [A-Za-z0-9_-]: rename the workflow, e.g. %s)", w.WorkflowID, standardID(w.WorkflowID))
			}
		}
	}
	return ""
}

// parses11 reports whether text is a runtime expression of the 1.1
// grammar (so that, in a 1.0 document, it is a 1.1 feature: E1).
func parses11(text string) bool {
	_, err := expr.ParseWith(text, expr.ArazzoVersion("1.1.0"), expr.Lenient())
	return err == nil
}

// stepFields11 checks the step fields of Arazzo 1.1 that do not depend on
// the target's kind, and action and correlationId on steps that do not
// target an AsyncAPI operation or channel.
func (v *validator) stepFields11(sc *scope, kind StepKind) {
	s := sc.step
	if s.Timeout != nil && *s.Timeout <= 0 {
		v.errorf(s.ValueRange("timeout"), CodeInvalidTimeout, "timeout must be a positive number of milliseconds, not %d (E12)", *s.Timeout)
	}
	if s.Timeout != nil && int64(*s.Timeout) > MaxTimeoutMillis {
		v.errorf(s.ValueRange("timeout"), CodeInvalidTimeout, "timeout %d is out of range: it must be an integer number of milliseconds from 1 to %d", *s.Timeout, MaxTimeoutMillis)
	}
	if kind == StepOperation || kind == StepWorkflow {
		what := "this step calls a workflow"
		if kind == StepOperation {
			what = "this step calls an OpenAPI operation"
		}
		if s.Meta.Has("action") {
			v.errorf(s.KeyRange("action"), CodeStepAction, "action only applies to a step that targets an AsyncAPI operation or channel, and %s", what)
		}
		if s.Meta.Has("correlationId") {
			v.errorf(s.KeyRange("correlationId"), CodeCorrelationID, "correlationId only applies to a step that receives an AsyncAPI message, and %s", what)
		}
	}
	if s.Meta.Has("correlationId") {
		v.valueNode(sc, s.valueNode("correlationId"), &s.Meta)
	}
}

// messageStep checks a step that targets an AsyncAPI operation or channel.
func (v *validator) messageStep(sc *scope) {
	s := sc.step
	src, op, ch := v.asyncTarget(sc)
	sc.channel = ch
	target := "an AsyncAPI channel"
	if s.Meta.Has("operationId") {
		target = fmt.Sprintf("AsyncAPI operation %q", s.OperationID)
	}
	switch {
	case !s.Meta.Has("action"):
		at := s.Range
		for _, f := range []string{"operationId", "channelPath", "operationPath"} {
			if s.Meta.Has(f) {
				at = s.ValueRange(f)
				break
			}
		}
		v.errorf(at, CodeStepAction, "step %q targets %s: it needs action: send or action: receive (E10)", s.StepID, target)
	case !isString(&s.Meta, "action"):
	case s.Action != StepSend && s.Action != StepReceive:
		v.errorf(s.ValueRange("action"), CodeStepAction, "action %q must be send or receive%s", s.Action, didYouMean(s.Action, []string{StepSend, StepReceive}))
	case op != nil && op.Action == s.Action && sc.doc.ReplyOf(sc.wf, s) == nil:
		v.warnf(s.ValueRange("action"), CodeActionPerspective,
			"action %s is also the action of AsyncAPI operation %q, which %s describes from the point of view of its application: this step plays that application's role; if the workflow is its peer, write action: %s (E10)",
			s.Action, op.ID, src.Description.Name, peerAction(s.Action))
	}
	if s.Meta.Has("correlationId") && isString(&s.Meta, "action") && s.Action != StepReceive && (s.Action == StepSend) {
		v.errorf(s.KeyRange("correlationId"), CodeCorrelationID, "correlationId only applies to a step with action: receive (it says which received message answers this workflow; E11)")
	}
	if s.Meta.Has("correlationId") && s.Action == StepReceive {
		v.correlation(sc, op, ch)
	}
	if s.Action == StepReceive && s.RequestBody != nil {
		v.warnf(s.KeyRange("requestBody"), CodeRequestBodyMisplaced, "requestBody has no effect on a step that receives a message (E14)")
	}
}

func peerAction(a string) string {
	if a == StepSend {
		return StepReceive
	}
	return StepSend
}

// asyncTarget resolves the AsyncAPI operation or channel of a message
// step, reporting what does not resolve. Each result may be nil.
func (v *validator) asyncTarget(sc *scope) (*Source, *asyncapi.Operation, *asyncapi.Channel) {
	d, s := sc.doc, sc.step
	switch {
	case s.Meta.Has("operationPath"):
		fix := "operationId: $sourceDescriptions.<name>.<operationId>"
		if name, ptr, _, ok := splitSourcePointer(s.OperationPath); ok {
			if id, ok := strings.CutPrefix(ptr, "/operations/"); ok && !strings.Contains(id, "/") {
				fix = fmt.Sprintf("operationId: $sourceDescriptions.%s.%s", name, unescapeToken(id))
			}
		} else if strings.HasPrefix(s.OperationPath, "$sourceDescriptions.") {
			fix = "operationId: " + s.OperationPath
		}
		v.errorf(s.ValueRange("operationPath"), CodeInvalidOperationPath, "operationPath cannot target an AsyncAPI operation: write %s (E9)", fix)
		return nil, nil, nil
	case s.Meta.Has("channelPath"):
		return v.channelPath(sc)
	}
	r := s.ValueRange("operationId")
	name, id := "", s.OperationID
	if strings.HasPrefix(id, "$") {
		e, err := d.parseExpr(id)
		if err != nil || e.Kind != expr.KindSourceDescriptions {
			v.errorf(r, CodeInvalidExpression, "operationId %q must be an operationId or $sourceDescriptions.<name>.<operationId>", id)
			return nil, nil, nil
		}
		if d.SourceDescription(e.ID) == nil {
			v.errorf(r, CodeUnknownSource, "operationId %q names no source description %q%s", id, e.ID, didYouMean(e.ID, sourceNames(d)))
			return nil, nil, nil
		}
		name, id = e.ID, e.Name
	} else if names := asyncSources(d); len(names) == 1 {
		name = names[0]
	} else if len(names) > 1 {
		v.errorf(r, CodeAmbiguousOperation, "operationId %q must be qualified as $sourceDescriptions.<name>.%s: the document has %d AsyncAPI sources", id, id, len(names))
		return nil, nil, nil
	}
	src := d.Sources[name]
	if src == nil || src.AsyncAPI == nil {
		return src, nil, nil
	}
	op, err := src.AsyncAPI.OperationByID(id)
	if err != nil || op == nil {
		v.errorf(r, CodeUnknownOperation, "source %q has no AsyncAPI operation %q%s", name, id, didYouMean(id, src.AsyncAPI.OperationIDs()))
		return src, nil, nil
	}
	return src, op, op.Channel
}

// channelPath resolves {$sourceDescriptions.<name>.url}#/channels/<key>.
func (v *validator) channelPath(sc *scope) (*Source, *asyncapi.Operation, *asyncapi.Channel) {
	d, s := sc.doc, sc.step
	r := s.ValueRange("channelPath")
	name, ptr, lenient, ok := splitSourcePointer(s.ChannelPath)
	if !ok || lenient {
		hint := ""
		if len(asyncSources(d)) == 0 {
			hint = "; and the document has no asyncapi source description: channelPath targets a channel of an AsyncAPI description"
		}
		v.errorf(r, CodeInvalidChannelPath, "channelPath %q must be {$sourceDescriptions.<name>.url}#/channels/<channel key>%s", s.ChannelPath, hint)
		return nil, nil, nil
	}
	if d.SourceDescription(name) == nil {
		v.errorf(r, CodeUnknownSource, "channelPath names no source description %q%s", name, didYouMean(name, sourceNames(d)))
		return nil, nil, nil
	}
	if kind := sourceKind(d, name); kind != "" && kind != SourceAsyncAPI {
		v.errorf(r, CodeInvalidChannelPath, "channelPath names source %q, an %s description: channelPath targets a channel of an AsyncAPI description (use operationId or operationPath for an OpenAPI operation)", name, describeKind(kind))
		return nil, nil, nil
	}
	toks := strings.Split(ptr, "/")
	if len(toks) != 3 || toks[0] != "" || toks[1] != "channels" || toks[2] == "" {
		v.errorf(r, CodeInvalidChannelPath, "channelPath fragment %q must be #/channels/<channel key>", "#"+ptr)
		return nil, nil, nil
	}
	src := d.Sources[name]
	if src == nil || src.AsyncAPI == nil {
		return src, nil, nil
	}
	ch, err := src.AsyncAPI.ChannelByPointer(ptr)
	if err != nil || ch == nil {
		key := unescapeToken(toks[2])
		v.errorf(r, CodeUnknownChannel, "source %q has no channel %q%s", name, key, didYouMean(key, src.AsyncAPI.ChannelKeys()))
		return src, nil, nil
	}
	var ops []*asyncapi.Operation
	for _, op := range src.AsyncAPI.Operations() {
		if op.Channel == ch && op.ID != "" {
			ops = append(ops, op)
		}
	}
	if len(ops) == 1 {
		v.warnf(r, CodePreferOperationID, "channel %q is the channel of AsyncAPI operation %q only, which should be preferred: operationId: $sourceDescriptions.%s.%s", ch.Key, ops[0].ID, name, ops[0].ID)
	}
	return src, nil, ch
}

func describeKind(kind string) string {
	switch kind {
	case SourceOpenAPI:
		return "OpenAPI"
	case SourceArazzo:
		return "Arazzo"
	case SourceAsyncAPI:
		return "AsyncAPI"
	}
	return kind
}

// correlation checks the correlationId of a receive step against the
// AsyncAPI messages it may receive (E11).
func (v *validator) correlation(sc *scope, op *asyncapi.Operation, ch *asyncapi.Channel) {
	s := sc.step
	var msgs []*asyncapi.Message
	what := ""
	switch r := sc.doc.ReplyOf(sc.wf, s); {
	case r != nil:
		// The reply rule (E10): the step receives the reply.
		msgs, what, ch = r.Messages, fmt.Sprintf("the reply of operation %q", op.ID), r.Channel
	case op != nil:
		msgs, what = op.Messages, fmt.Sprintf("operation %q", op.ID)
	case ch != nil:
		msgs, what = ch.Messages, fmt.Sprintf("channel %q", ch.Key)
	default:
		return
	}
	if len(msgs) == 0 {
		return
	}
	var located []*asyncapi.Message
	for _, m := range msgs {
		if m != nil && m.CorrelationID != nil && m.CorrelationID.Location != nil {
			located = append(located, m)
		}
	}
	r := s.ValueRange("correlationId")
	if len(located) == 0 {
		var ids []string
		for _, m := range msgs {
			ids = append(ids, messageName(m))
		}
		v.errorf(r, CodeCorrelationID, "correlationId: the messages of %s (%s) define no correlationId.location, so no received message can be compared with it (E11): add correlationId: {location: $message.header#/<name>} to the message, or remove correlationId",
			what, strings.Join(ids, ", "))
		return
	}
	if ch == nil {
		return
	}
	reported := map[*asyncapi.Server]bool{}
	for _, m := range located {
		loc := m.CorrelationID.Location
		if loc.Source != asyncapi.SourceHeader {
			continue
		}
		for _, srv := range ch.AvailableServers() {
			if reported[srv] || !isMQTT(srv.Protocol) || mqtt.SupportsHeaders(srv.ProtocolVersion) {
				continue
			}
			reported[srv] = true
			version := srv.ProtocolVersion
			if version == "" {
				version = "3.1.1 (the default)"
			}
			v.errorf(r, CodeCorrelationID, "correlationId: message %s carries its correlation id in a header (%s), but server %q speaks MQTT %s, which has no message headers: use MQTT 5 (protocolVersion: 5) or a correlationId.location in the payload",
				messageName(m), loc, srv.Name, version)
		}
	}
}

func isMQTT(protocol string) bool {
	p := strings.ToLower(protocol)
	return p == "mqtt" || p == "mqtts" || p == "secure-mqtt"
}

func messageName(m *asyncapi.Message) string {
	switch {
	case m == nil:
		return "?"
	case m.ID != "":
		return m.ID
	case m.Name != "":
		return m.Name
	}
	return m.Pointer
}

// effParam is a parameter as it applies to a step: the parameter written
// (or the Reusable), the effective one, and its value.
type effParam struct {
	written *Parameter
	eff     *Parameter
	value   any
	// workflow marks a workflow-level parameter.
	workflow bool
}

// effectiveParams lists a step's parameters, then the workflow-level ones
// with "in" that the step does not override.
func effectiveParams(d *Document, w *Workflow, s *Step) []effParam {
	var out []effParam
	add := func(p *Parameter, workflow bool) {
		eff := effectiveParameter(d, p)
		if eff == nil {
			return
		}
		val := eff.Value
		if p.Reusable != nil && p.Reusable.HasValue {
			val = p.Reusable.Value
		}
		out = append(out, effParam{written: p, eff: eff, value: val, workflow: workflow})
	}
	for _, p := range s.Parameters {
		add(p, false)
	}
	n := len(out)
	for _, p := range w.Parameters {
		eff := effectiveParameter(d, p)
		if eff == nil || eff.In == "" {
			continue
		}
		overridden := false
		for _, o := range out[:n] {
			if o.eff.In == eff.In && (o.eff.Name == eff.Name || (eff.In == "header" && strings.EqualFold(o.eff.Name, eff.Name))) {
				overridden = true
			}
		}
		if !overridden {
			add(p, true)
		}
	}
	return out
}

// querystring checks the in: querystring parameters of a step that calls
// an OpenAPI operation (op, when resolved): a string value, no in: query
// beside it, one at most, and an operation that declares one (E17).
func (v *validator) querystring(sc *scope, op *oas.Operation) {
	params := effectiveParams(sc.doc, sc.wf, sc.step)
	var qs *effParam
	for i := range params {
		p := &params[i]
		if p.eff.In != "querystring" {
			continue
		}
		at := p.written.Range
		if qs != nil {
			v.errorf(at, CodeInvalidQuerystring, "parameter %q: a request has one query string, and parameter %q is already in: querystring (E17)", p.eff.Name, qs.eff.Name)
			continue
		}
		qs = p
		if p.written.Reusable == nil && !p.written.Meta.Has("value") {
			continue // Parse reported it
		}
		switch val := p.value.(type) {
		case string:
		case map[string]any:
			if !isSelectorMap(val) {
				v.errorf(at, CodeInvalidQuerystring, "the value of querystring parameter %q must be a string, the whole query string (such as \"a=1&b=2\"), not an object (E17)", p.eff.Name)
			}
		default:
			v.errorf(at, CodeInvalidQuerystring, "the value of querystring parameter %q must be a string, the whole query string (such as \"a=1&b=2\"), not %s (E17)", p.eff.Name, jsonKind(val))
		}
	}
	if qs == nil {
		return
	}
	for _, p := range params {
		switch {
		case p.eff.In != "query":
		case p.workflow:
			v.errorf(qs.written.Range, CodeInvalidQuerystring, "querystring parameter %q cannot be used with the workflow's query parameter %q, which applies to this step: an operation takes the whole query string or query parameters, not both (E17)", qs.eff.Name, p.eff.Name)
		default:
			v.errorf(p.written.Range, CodeInvalidQuerystring, "in: query cannot be used beside the querystring parameter %q: an operation takes the whole query string or query parameters, not both (E17)", qs.eff.Name)
		}
	}
	if op == nil {
		return
	}
	declared := op.QueryString
	switch {
	case declared == nil:
		version := ""
		if op.Doc != nil && op.Doc.Version != "" && !strings.HasPrefix(op.Doc.Version, "3.2") {
			version = fmt.Sprintf(" (its description is OpenAPI %s; in: querystring is OpenAPI 3.2)", op.Doc.Version)
		}
		v.errorf(qs.written.Range, CodeInvalidQuerystring, "parameter %q is in: querystring, but %s declares no querystring parameter%s (E17)", qs.eff.Name, opName(op), version)
	case declared.Name != qs.eff.Name:
		v.errorf(qs.written.Range, CodeInvalidQuerystring, "parameter %q is in: querystring, but the querystring parameter of %s is %q (E17)", qs.eff.Name, opName(op), declared.Name)
	}
}

func opName(op *oas.Operation) string {
	if op.ID != "" {
		return fmt.Sprintf("operation %q", op.ID)
	}
	return "operation " + op.Method + " " + op.Path
}

// jsonKind names the JSON type of a value, with its article.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, int, int64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a value"
}

// isSelectorMap is isSelectorAttempt for a decoded value.
func isSelectorMap(m map[string]any) bool {
	_, sel := m["selector"]
	_, ctx := m["context"]
	_, exp := m["expression"]
	return sel && (ctx || exp)
}

// actionParameters checks the parameters of a success or failure action
// (E21): they go to the workflow a goto or retry action transfers to.
func (v *validator) actionParameters(sc *scope, a *Action) {
	if !a.Meta.Has("parameters") || !sc.doc.Is11() {
		return
	}
	switch {
	case a.Type == ActionEnd:
		v.errorf(a.KeyRange("parameters"), CodeActionParameters, "an end action transfers to no workflow, so its parameters have no recipient (E21)")
	case a.WorkflowID == "":
		v.errorf(a.KeyRange("parameters"), CodeActionParameters, "parameters are the inputs of the workflow a goto or retry action transfers to, and action %q has no workflowId (E21)", a.Name)
	}
	v.parameterList(sc, a.Parameters, "action")
}

// selectorAt checks a Selector Object written at n (a mapping; m is the
// object whose positions it shares): its type, its selector's syntax, and
// its context expression, each at its position (E20, E25).
func (v *validator) selectorAt(sc *scope, m *Meta, n *yaml.Node) {
	n = deref(n)
	ctxN, selN, typeN := mapValue(n, "context"), mapValue(n, "selector"), mapValue(n, "type")
	if !isStr(selN) || typeN == nil {
		return // Parse reported it
	}
	spec := expr.SelectorSpec{Selector: selN.Value}
	if isStr(ctxN) {
		spec.Context = ctxN.Value
	} else {
		// Parse reported the missing context (or E24's expression): still
		// check the type and the selector, against a stand-in context.
		ctxN, spec.Context = nil, "$response.body"
	}
	switch typeN.Kind {
	case yaml.ScalarNode:
		spec.Type = typeN.Value
	case yaml.MappingNode:
		t, ver := mapValue(typeN, "type"), mapValue(typeN, "version")
		if !isStr(t) || !isStr(ver) {
			return
		}
		spec.Type, spec.Version = t.Value, ver.Value
	default:
		return
	}
	sel, err := expr.CompileSelector(spec, sc.doc.opts()...)
	if err != nil {
		var ce *expr.ContextError
		var te *expr.CriterionTypeError
		var se *expr.SyntaxError
		switch {
		case errors.As(err, &ce) && ctxN == nil:
		case errors.As(err, &ce):
			v.errorf(m.offsetIn(ctxN, ce.Offset), limitCode(err, CodeInvalidExpression), "invalid selector context %q: %s%s", spec.Context, ce.Msg, idHint(sc, spec.Context))
		case errors.As(err, &te):
			v.errorf(m.rangeOf(typeN), CodeInvalidSelector, "invalid Selector Object type: %s", te.Msg)
		case errors.As(err, &se):
			v.errorf(m.offsetIn(selN, se.Offset), limitCode(err, CodeInvalidSelector), "invalid %s selector %q: %s", spec.Type, spec.Selector, se.Msg)
		default:
			v.errorf(m.rangeOf(n), CodeInvalidSelector, "invalid Selector Object: %v", err)
		}
		return
	}
	if ctxN != nil {
		v.checkExpr(sc, sel.Context(), m.offsetIn(ctxN, 0))
	}
}

// mapValue is the value node of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

func isStr(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

// lenientExpr warns about an expression read in a lenient form, with the
// standard form to write. A name holding "." is standard when the whole
// name is defined (an input or output literally named "a.b").
func (v *validator) lenientExpr(sc *scope, e *expr.Expr, r diag.Range) {
	switch e.Kind {
	case expr.KindRequestBody, expr.KindResponseBody, expr.KindMessagePayload:
		v.warnf(r, CodeNonstandardExpression, "%s is not a standard runtime expression: only \"#\" and a JSON pointer may follow %s. It is read as %s: write that",
			e.Raw, e.Kind.String()[strings.LastIndexByte(e.Kind.String(), '.')+1:], e.Standard)
		return
	case expr.KindInputs:
		w := sc.wf
		if w == nil {
			return
		}
		if names, _ := inputNames(sc.doc, w.Inputs); containsName(names, e.Name) {
			return
		}
		v.warnf(r, CodeNonstandardExpression, "%s: workflow %q declares no input named %q, so the name is read as navigation, %s: write that", e.Raw, w.WorkflowID, e.Name, e.Standard)
	case expr.KindWorkflows:
		w := sc.doc.Workflow(e.ID)
		if w == nil {
			return
		}
		if e.Field == "inputs" {
			if names, _ := inputNames(sc.doc, w.Inputs); containsName(names, e.Name) {
				return
			}
		} else if containsName(outputNames(w.Outputs), e.Name) {
			return
		}
		v.warnf(r, CodeNonstandardExpression, "%s: workflow %q has no %s named %q, so the name is read as navigation, %s: write that", e.Raw, e.ID, strings.TrimSuffix(e.Field, "s"), e.Name, e.Standard)
	case expr.KindSteps:
		if sc.wf == nil {
			return
		}
		st := sc.wf.Step(e.ID)
		if st == nil || containsName(outputNames(st.Outputs), e.Name) {
			return
		}
		v.warnf(r, CodeNonstandardExpression, "%s: step %q has no output named %q, so the name is read as navigation, %s: write that", e.Raw, e.ID, e.Name, e.Standard)
	case expr.KindOutputs:
		outs := []*Output(nil)
		if sc.inStepOutputs && sc.callee != nil {
			outs = sc.callee.Outputs
		} else if sc.wf != nil {
			outs = sc.wf.Outputs
		}
		if containsName(outputNames(outs), e.Name) {
			return
		}
		v.warnf(r, CodeNonstandardExpression, "%s: there is no output named %q, so the name is read as navigation, %s: write that", e.Raw, e.Name, e.Standard)
	}
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// schemaViolationRE finds the "at '<pointer>': <message>" lines of a
// metaschema violation (santhosh-tekuri/jsonschema, through package
// schema).
var schemaViolationRE = regexp.MustCompile(`at '([^']*)': ([^\n]*)`)

// inputsSchema checks that the JSON Schema at ptr in the document (a
// workflow's inputs, or an entry of components.inputs, written at node)
// compiles: a workflow cannot run with an inputs schema that is not a
// valid JSON Schema (such as required: true on a property).
func (v *validator) inputsSchema(d *Document, m *Meta, node *yaml.Node, ptr, what string) {
	if d.Raw == nil || node == nil {
		return
	}
	_, err := schema.Compile(d.Raw, ptr)
	var ce *schema.CompileError
	if err == nil || !errors.As(err, &ce) || ce.Reason != "invalid schema" || ce.Err == nil {
		return
	}
	at, msg := "", ce.Err.Error()
	for _, mm := range schemaViolationRE.FindAllStringSubmatch(msg, -1) {
		at, msg = mm[1], mm[2]
	}
	r := m.rangeOf(node)
	if n := nodeAt(node, at); n != nil {
		r = m.rangeOf(n)
	}
	hint := ""
	if strings.HasSuffix(at, "/required") {
		if n := nodeAt(node, at); n != nil && n.Kind == yaml.ScalarNode {
			prop := ""
			if toks, err := jsonptr.Parse(at); err == nil && len(toks) >= 2 {
				prop = toks[len(toks)-2]
			}
			hint = fmt.Sprintf(" (required is a list of property names, written on the object that declares them: required: [%s])", prop)
		}
	}
	where := at
	if where == "" {
		where = "its root"
	}
	v.errorf(r, CodeInvalidSchema, "%s is not a valid JSON Schema: at %s: %s%s", what, where, msg, hint)
}

// nodeAt follows a JSON pointer from n through mappings and sequences.
func nodeAt(n *yaml.Node, ptr string) *yaml.Node {
	toks, err := jsonptr.Parse(ptr)
	if err != nil {
		return nil
	}
	for _, t := range toks {
		n = deref(n)
		if n == nil {
			return nil
		}
		switch n.Kind {
		case yaml.MappingNode:
			n = mapValue(n, t)
		case yaml.SequenceNode:
			i := 0
			if _, err := fmt.Sscanf(t, "%d", &i); err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	return deref(n)
}

// stepDependencies checks the dependsOn entries and implicit dependencies
// of a 1.1 workflow's steps (E15, checklist 5.6).
func (v *validator) stepDependencies(d *Document, w *Workflow) {
	index := map[string]int{}
	declared := false
	for i, s := range w.Steps {
		if s == nil {
			continue
		}
		if _, ok := index[s.StepID]; !ok && s.StepID != "" {
			index[s.StepID] = i
		}
		if s.Meta.Has("dependsOn") {
			declared = true
		}
	}
	for i, s := range w.Steps {
		if s == nil {
			continue
		}
		if emptyList(&s.Meta, "dependsOn") {
			v.errorf(s.KeyRange("dependsOn"), CodeEmptyList, "dependsOn must list at least one step when present")
		}
		seen := map[string]bool{}
		for j, ref := range s.DependsOn {
			r := listItemRange(&s.Meta, "dependsOn", j)
			if seen[ref] {
				v.errorf(r, CodeDuplicateDependency, "dependsOn lists %q twice", ref)
				continue
			}
			seen[ref] = true
			dep, ok := parseDependsOn(ref)
			if !ok {
				hint := ""
				if rest, ok := strings.CutPrefix(ref, "$steps."); ok {
					id, _, _ := strings.Cut(rest, ".")
					hint = fmt.Sprintf(": for a step of this workflow write its stepId, %s", id)
				}
				v.errorf(r, CodeInvalidDependency, "dependsOn %q must be a stepId of this workflow, $workflows.<workflowId>.steps.<stepId> or $sourceDescriptions.<name>.<workflowId>.steps.<stepId>%s", ref, hint)
				continue
			}
			v.dependency(d, w, s, dep, r)
		}
		reported := map[string]bool{}
		for _, dep := range s.deps {
			if !dep.Implicit || reported[dep.Step] {
				continue
			}
			k, ok := index[dep.Step]
			switch {
			case dep.Step == s.StepID && dep.before:
				reported[dep.Step] = true
				v.errorf(dep.Range, CodeDependencyCycle, "step %q reads its own output (%s) before it runs", s.StepID, dep.Ref)
			case ok && k > i && !declared:
				reported[dep.Step] = true
				v.errorf(dep.Range, CodeForwardReference, "step %q reads %s, but step %q comes later in the steps array: without dependsOn the steps run in order, so it has not run yet (move it before %q, or declare dependsOn: [%s])",
					s.StepID, dep.Ref, dep.Step, s.StepID, dep.Step)
			}
		}
	}
	if declared {
		v.stepCycles(w, index)
	}
}

// dependency checks that a dependsOn entry names an existing step.
func (v *validator) dependency(d *Document, w *Workflow, s *Step, dep Dependency, r diag.Range) {
	switch {
	case dep.Source != "":
		if d.SourceDescription(dep.Source) == nil {
			v.errorf(r, CodeUnknownSource, "dependsOn %q names no source description %q%s", dep.Ref, dep.Source, didYouMean(dep.Source, sourceNames(d)))
			return
		}
		if kind := sourceKind(d, dep.Source); kind != "" && kind != SourceArazzo {
			v.errorf(r, CodeInvalidDependency, "dependsOn %q: source %q is an %s description, not an Arazzo document", dep.Ref, dep.Source, describeKind(kind))
			return
		}
		src := d.Sources[dep.Source]
		if src == nil || src.Arazzo == nil {
			return
		}
		ow := src.Arazzo.Workflow(dep.Workflow)
		if ow == nil {
			v.errorf(r, CodeUnknownWorkflow, "dependsOn %q: source %q has no workflow %q%s", dep.Ref, dep.Source, dep.Workflow, didYouMean(dep.Workflow, workflowIDs(src.Arazzo)))
			return
		}
		if ow.Step(dep.Step) == nil {
			v.errorf(r, CodeUnknownStep, "dependsOn %q: workflow %q has no step %q%s", dep.Ref, dep.Workflow, dep.Step, didYouMean(dep.Step, stepIDs(ow)))
		}
	case !dep.Local(w):
		ow := d.Workflow(dep.Workflow)
		if ow == nil {
			v.errorf(r, CodeUnknownWorkflow, "dependsOn %q: no workflow %q%s", dep.Ref, dep.Workflow, didYouMean(dep.Workflow, workflowIDs(d)))
			return
		}
		if ow.Step(dep.Step) == nil {
			v.errorf(r, CodeUnknownStep, "dependsOn %q: workflow %q has no step %q%s", dep.Ref, dep.Workflow, dep.Step, didYouMean(dep.Step, stepIDs(ow)))
		}
	case dep.Step == s.StepID:
		v.errorf(r, CodeDependencyCycle, "step %q depends on itself", s.StepID)
	case w.Step(dep.Step) == nil:
		v.errorf(r, CodeUnknownStep, "dependsOn %q: workflow %q has no step %q%s", dep.Ref, w.WorkflowID, dep.Step, didYouMean(dep.Step, stepIDs(w)))
	}
}

// stepCycles reports the cycles among a workflow's step dependencies
// (dependsOn and $steps references), each once, at the dependency that
// closes it.
func (v *validator) stepCycles(w *Workflow, index map[string]int) {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(w.Steps))
	var stack []int
	var visit func(i int)
	visit = func(i int) {
		color[i] = grey
		stack = append(stack, i)
		s := w.Steps[i]
		for _, dep := range s.deps {
			k, ok := index[dep.Step]
			if !ok || k == i || !dep.Local(w) {
				continue
			}
			switch color[k] {
			case grey:
				var path []string
				for j := len(stack) - 1; j >= 0; j-- {
					path = append([]string{w.Steps[stack[j]].StepID}, path...)
					if stack[j] == k {
						break
					}
				}
				path = append(path, w.Steps[k].StepID)
				how := "dependsOn"
				if dep.Implicit {
					how = dep.Ref
				}
				v.errorf(dep.Range, CodeDependencyCycle, "step dependency cycle: %s (closed by %s)", strings.Join(path, " -> "), how)
			case white:
				if len(stack) < 10000 {
					visit(k)
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
	}
	for i, s := range w.Steps {
		if s != nil && color[i] == white {
			visit(i)
		}
	}
}

// unescapeToken unescapes a JSON pointer token (~1 and ~0).
func unescapeToken(t string) string {
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
}

// httpLike reports whether a channel may be reached over ws or http, where
// an AsyncAPI step's query parameters go to the handshake (E19); true when
// the channel is unknown.
func httpLike(ch *asyncapi.Channel) bool {
	if ch == nil {
		return true
	}
	for _, srv := range ch.AvailableServers() {
		switch strings.ToLower(srv.Protocol) {
		case "ws", "wss", "http", "https":
			return true
		}
	}
	return false
}
