package arazzo

// Type checking of workflows against the OpenAPI operations they call.
//
// TypeCheck is a static pass that runs after Load (so that source
// descriptions are indexed) and before anything is sent. It looks at every
// step whose target resolves (an OpenAPI operation, or a workflow) and checks
// what the step sends and reads against the schemas of the target. Steps
// whose target does not resolve are skipped: Validate reports them.
//
// Decisions (kept here so the rules have one home):
//
//   - Success responses. A step's outputs and onSuccess criteria are judged
//     against the responses it can succeed with: every declared 2XX response
//     (explicit 2xx codes and the 2XX range; the default response when no
//     2xx is declared), plus the responses its successCriteria accept
//     through $statusCode comparisons ("$statusCode == 401" adds the
//     response that describes 401: 401, 4XX or default; "<", ">=", "!="
//     add every declared response that can satisfy them) or through a regex
//     criterion whose context is $statusCode. Success criteria themselves
//     run on whatever response arrives, so a pointer in them is also
//     accepted when another described response has it (a guard such as
//     "$response.body#/error == null" is not a mistake). onFailure criteria
//     are judged against every declared response. This over-approximates,
//     so it can miss a mistake but does not invent one.
//   - A response body pointer is an error only when it cannot exist in any
//     of those responses. A response with no content is "undescribed"
//     (anything may come back), except 204, 205 and 304, which have no body;
//     a media type without a schema is undescribed too. One undescribed
//     response in the set makes the body unknown: nothing is reported.
//   - Object levels. A name is judged only at a level that declares object
//     structure (properties, patternProperties or additionalProperties),
//     merged over allOf, $ref (3.1 siblings of $ref count too), oneOf and
//     anyOf (a name may exist when any alternative admits it; an alternative
//     that is {} or a plain "type: object" admits everything). A level
//     without declared properties is open. Declared properties without
//     additionalProperties count as the complete list for this check (that
//     is the point of it), additionalProperties true or a schema, and a
//     matching patternProperties pattern, admit a name. Arrays are followed
//     through items and prefixItems with numeric tokens; a non-numeric token
//     into an array, or any token into a scalar type, cannot exist.
//   - Recursion. $ref chains are followed inside the same OpenAPI or Arazzo
//     document only ("#/..."); external refs are open. Each walk tracks the
//     $refs on its path (a ref seen again adds nothing), is bounded in depth
//     (tcMaxDepth) and in work (tcBudget); when a bound is hit the schema is
//     treated as open, never as an error.
//   - Types. A schema's types are its "type" (string or array; "number"
//     admits integers), nullable: true (3.0) adding null, intersected over
//     $ref, allOf, const and enum, and unioned over oneOf/anyOf; no "type"
//     means any type. A literal has its JSON type (a number is an integer
//     when integral). A whole-value $inputs.x has the input's declared type,
//     $steps.s.outputs.o the type of the schema its expression reaches (so
//     types flow between steps and through workflow outputs, $outputs and
//     $workflows.*.outputs), $statusCode is an integer, $url and $method are
//     strings, a {$...} template is a string, anything else is unknown. A
//     mismatch is a warning; unknown types are never reported.
//   - Parameters travel as text, so for parameters any scalar fits a
//     string-typed parameter, a string literal fits an integer, number or
//     boolean parameter when its text is one ("10", "true"), and a scalar
//     fits an array-typed parameter (one element). Request bodies are JSON
//     and are checked strictly.
//   - Parameters supplied. Step parameters and workflow-level parameters that
//     have "in" (they apply to every operation step, and a step parameter with
//     the same name and in overrides them) supply the operation's parameters;
//     a reusable $components.parameters.x resolves to its component (with the
//     reference's value when it has one); a parameter without "in" (an error
//     reported by Validate) matches any location. Header names are
//     case-insensitive. A required parameter is also supplied when one of
//     the operation's security schemes sends it (an apiKey with that name and
//     location, or Authorization for http, oauth2 and openIdConnect).
//   - Unknown parameters. Only step-level parameters are reported (a
//     workflow-level parameter is meant for some of the operations). A path
//     parameter the path template does not have is an error. A query, header
//     or cookie parameter the operation does not declare is a warning, except
//     standard HTTP request headers (Accept, Authorization, Content-Type,
//     User-Agent, If-Match, ... see tcStandardRequestHeaders: OpenAPI ignores
//     Accept, Content-Type and Authorization parameter definitions, and the
//     others are protocol headers) and parameters a security scheme of the
//     operation sends.
//   - Request bodies. A literal payload object (at any depth) is checked
//     member by member: a member the schema does not declare is a warning, an
//     error when that level says additionalProperties: false; a required
//     property (required by every alternative in play, and not readOnly) that
//     is missing is an error unless a payload replacement targets it or one
//     of its parents. Members whose value is an expression count as present
//     (even an optional input). A payload that is a whole-value expression
//     is typed like any value; a payload written as any other string is raw
//     body text, and only its embedded expressions are checked. Replacement
//     targets (JSON pointers) are followed through the schema like payload
//     members and their values typed. The media type is the step's
//     contentType, else the first the operation declares (JSON first). A
//     required request body that the step does not send at all is an error
//     (type-missing-request-body; not for GET and HEAD).
//   - $inputs.x not declared by the workflow's inputs is Validate's
//     undeclared-input; this pass does not repeat it. A pointer into an input
//     is not judged either.
//   - Status codes. "$statusCode == N" (either operand order) with N that no
//     declared response describes (an explicit code, its range such as 4XX,
//     or default) is a warning. Other comparisons are not judged.
//   - Response headers. $response.header.X that none of the responses in
//     scope declares is a warning (case-insensitive), except standard HTTP
//     response headers (Content-Type, Location, Retry-After, ETag, ... see
//     tcStandardResponseHeaders).
//   - Workflow steps. Parameters of a step that calls a workflow are checked
//     against the callee's inputs schema: a name it does not declare is a
//     warning (an error when the inputs say additionalProperties: false), a
//     type mismatch is a warning, and a required input supplied neither by
//     the step nor by a workflow-level parameter is an error. A callee
//     without an inputs schema is not judged.
//   - Not judged: workflow-level successActions/failureActions (they apply
//     to steps of different operations), criteria of reusable actions,
//     $request.* expressions, jsonpath/xpath/regex conditions (their context
//     expression is checked), and values beyond their JSON type (enum,
//     format, pattern, ranges). Arazzo documents loaded as sources are
//     checked as documents of their own (their diagnostics carry their file
//     name).
//   - Positions. A pointer diagnostic points at the offending token of the
//     pointer (or of the ".name" navigation of a condition operand); a
//     parameter at its name (or reference); a payload member at its key; a
//     missing property at the payload key (or the parent member's key); a
//     missing parameter, input or body at the step's parameters or
//     requestBody key, else at its operationId/workflowId; a type mismatch at
//     the value. Suggestions use didYouMean (edit distance) over the names
//     that exist at that place; for a missing required property or
//     parameter the suggestion is a workflow input with a close name; for a
//     mistyped input, the type to declare.
//   - Arazzo 1.1. A step that sends or receives an AsyncAPI message is
//     checked against the messages it may carry (its operation's, else its
//     channel's): header parameters against the headers schemas (names
//     case-insensitive; a required header not supplied by a send step is
//     an error), channel parameters against the channel address (one
//     without default that is not supplied is an error), a send step's
//     payload like a request body, and $message.payload pointers and
//     $message.header names like response pointers and headers (a message
//     whose schema is not a JSON Schema format makes them unknown). A
//     Selector Object is read as the pointer it denotes (its context's
//     pointer, then Selector.Pointer; a selector that is not a singular
//     query is not judged). Action parameters are checked against the
//     target workflow's inputs, which they are all of (E21). Lenient forms
//     are read as their standard form.
//   - Negative tests. When a step's success criteria accept an error
//     status ($statusCode == 4xx/5xx, >= 400, a $statusCode regex that
//     matches an error status and no 2xx), the errors about what the step
//     sends (body, parameters) are warnings, saying why.
//   - Severity. Each code has a default severity (below); CheckSeverity
//     replaces it for every diagnostic of that code, CheckOff drops the code,
//     Strict turns the remaining warnings into errors. Diagnostics are
//     deduplicated and sorted by position.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/suggest"
	"github.com/telaio/telaio/oas"
)

// Type checking codes. Each has a default severity, noted here.
const (
	// CodeTypeResponsePointer (error): a $response.body pointer (or, in
	// Arazzo 1.1, a $message.payload pointer or a selector), or a pointer
	// into a step or workflow output typed by one, that cannot exist in the
	// schema it reads.
	CodeTypeResponsePointer = "type-response-pointer"
	// CodeTypeMissingBodyProperty (error): a required request-body property
	// missing from a literal payload object.
	CodeTypeMissingBodyProperty = "type-missing-body-property"
	// CodeTypeMissingRequestBody (error): the operation requires a request
	// body and the step sends none.
	CodeTypeMissingRequestBody = "type-missing-request-body"
	// CodeTypeUnknownBodyProperty (warning; error under additionalProperties:
	// false): a payload member the request schema does not declare.
	CodeTypeUnknownBodyProperty = "type-unknown-body-property"
	// CodeTypeMissingParameter (error): a required operation parameter no
	// step or workflow parameter supplies.
	CodeTypeMissingParameter = "type-missing-parameter"
	// CodeTypeUnknownPathParameter (error): a path parameter the operation's
	// path does not have.
	CodeTypeUnknownPathParameter = "type-unknown-path-parameter"
	// CodeTypeUnknownParameter (warning): a query, header or cookie parameter
	// the operation does not declare.
	CodeTypeUnknownParameter = "type-unknown-parameter"
	// CodeTypeMismatch (warning): a value whose type cannot match the type of
	// the field it is given to.
	CodeTypeMismatch = "type-mismatch"
	// CodeTypeUnknownStatusCode (warning): "$statusCode == N" where the
	// operation declares no response for N.
	CodeTypeUnknownStatusCode = "type-unknown-status-code"
	// CodeTypeUnknownResponseHeader (warning): $response.header.X that no
	// response in scope declares.
	CodeTypeUnknownResponseHeader = "type-unknown-response-header"
	// CodeTypeUnknownInput (warning; error under additionalProperties:
	// false): a parameter of a workflow step that the callee's inputs do not
	// declare.
	CodeTypeUnknownInput = "type-unknown-input"
	// CodeTypeMissingInput (error): a required input of the called workflow
	// that no parameter supplies.
	CodeTypeMissingInput = "type-missing-input"
	// CodeTypeUnknownMessageHeader (warning): $message.header.X that no
	// message of an AsyncAPI step declares in its headers.
	CodeTypeUnknownMessageHeader = "type-unknown-message-header"
)

// TypeCheckCodes lists the codes TypeCheck reports, with their default
// severities. The map is the caller's to keep.
func TypeCheckCodes() map[string]diag.Severity {
	out := make(map[string]diag.Severity, len(tcCodes))
	for k, v := range tcCodes {
		out[k] = v
	}
	return out
}

var tcCodes = map[string]diag.Severity{
	CodeTypeResponsePointer:       diag.Error,
	CodeTypeMissingBodyProperty:   diag.Error,
	CodeTypeMissingRequestBody:    diag.Error,
	CodeTypeUnknownBodyProperty:   diag.Warning,
	CodeTypeMissingParameter:      diag.Error,
	CodeTypeUnknownPathParameter:  diag.Error,
	CodeTypeUnknownParameter:      diag.Warning,
	CodeTypeMismatch:              diag.Warning,
	CodeTypeUnknownStatusCode:     diag.Warning,
	CodeTypeUnknownResponseHeader: diag.Warning,
	CodeTypeUnknownInput:          diag.Warning,
	CodeTypeMissingInput:          diag.Error,
	CodeTypeUnknownMessageHeader:  diag.Warning,
}

// CheckOption configures TypeCheck, and the type-checking pass of Validate.
type CheckOption func(*checkConfig)

type checkConfig struct {
	sev     map[string]diag.Severity
	off     map[string]bool
	strict  bool
	noTypes bool
}

// CheckSeverity sets the severity of every diagnostic with code.
func CheckSeverity(code string, sev diag.Severity) CheckOption {
	return func(c *checkConfig) {
		if c.sev == nil {
			c.sev = map[string]diag.Severity{}
		}
		c.sev[code] = sev
	}
}

// CheckOff turns the check that reports code off.
func CheckOff(code string) CheckOption {
	return func(c *checkConfig) {
		if c.off == nil {
			c.off = map[string]bool{}
		}
		c.off[code] = true
	}
}

// Strict makes every warning an error: of TypeCheck, or of everything
// Validate reports.
func Strict() CheckOption { return func(c *checkConfig) { c.strict = true } }

// NoTypeCheck makes Validate skip the type-checking pass (TypeCheck ignores
// it).
func NoTypeCheck() CheckOption { return func(c *checkConfig) { c.noTypes = true } }

// TypeCheck checks the workflows of doc against the schemas of the OpenAPI
// operations and workflows their steps call: response pointers, request
// bodies, parameters, the types of values flowing between them, status codes
// and response headers (see the codes CodeType*). doc should come from Load
// or LoadFS so that its sources are indexed; steps whose target does not
// resolve are skipped. Arazzo documents loaded as sources are checked too.
// The diagnostics are sorted by position.
func TypeCheck(doc *Document, opts ...CheckOption) diag.Diagnostics {
	if doc == nil {
		return nil
	}
	c := newTypeChecker()
	for _, o := range opts {
		if o != nil {
			o(&c.cfg)
		}
	}
	seen := map[*Document]bool{}
	var walk func(d *Document, depth int)
	walk = func(d *Document, depth int) {
		if d == nil || seen[d] || depth > 64 {
			return
		}
		seen[d] = true
		c.document(d)
		for _, sd := range d.SourceDescriptions {
			if src := d.Sources[sd.Name]; src != nil && src.Arazzo != nil {
				walk(src.Arazzo, depth+1)
			}
		}
	}
	walk(doc, 0)
	c.diags.Sort()
	return c.diags
}

type typeChecker struct {
	cfg   checkConfig
	diags diag.Diagnostics
	seen  map[tcDiagKey]bool

	oasRoots map[*oas.Document]*tcRoot
	docRoots map[*Document]*tcRoot
	scopes   map[*Step]*tcScope
	outTypes map[*Output]tcType
	outBusy  map[*Output]bool
	regexps  map[string]*regexp.Regexp
	// asyncRoots are the AsyncAPI documents message schemas resolve in.
	asyncRoots map[*asyncapi.Document]*tcRoot
	// negative marks the request side of a step whose success criteria
	// accept an error status: its errors are reported as warnings.
	negative bool
}

type tcDiagKey struct {
	code, msg string
	r         diag.Range
}

func newTypeChecker() *typeChecker {
	return &typeChecker{
		seen:     map[tcDiagKey]bool{},
		oasRoots: map[*oas.Document]*tcRoot{},
		docRoots: map[*Document]*tcRoot{},
		scopes:   map[*Step]*tcScope{},
		outTypes: map[*Output]tcType{},
		outBusy:  map[*Output]bool{},
		regexps:  map[string]*regexp.Regexp{},

		asyncRoots: map[*asyncapi.Document]*tcRoot{},
	}
}

// report records a diagnostic with its code's configured severity. sev is
// the default for this occurrence.
func (c *typeChecker) report(r diag.Range, code string, sev diag.Severity, format string, args ...any) {
	if c.cfg.off[code] {
		return
	}
	negative := ""
	if c.negative && sev == diag.Error && tcRequestSide[code] {
		sev = diag.Warning
		negative = " (a warning: the step's successCriteria accept an error status, so it may be a deliberate negative test)"
	}
	if s, ok := c.cfg.sev[code]; ok {
		sev = s
	}
	if c.cfg.strict {
		sev = diag.Error
	}
	msg := fmt.Sprintf(format, args...) + negative
	k := tcDiagKey{code, msg, r}
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	c.diags = append(c.diags, &diag.Diagnostic{Severity: sev, Code: code, Message: msg, Range: r})
}

// tcScope is a step (or a workflow, when step is nil) with what its
// expressions can read.
type tcScope struct {
	doc  *Document
	wf   *Workflow
	step *Step
	// op is the operation the step calls; success lists the responses it
	// can succeed with.
	op      *oas.Operation
	success []*oas.Response
	// callee is the workflow the step calls, defined in calleeDoc.
	callee    *Workflow
	calleeDoc *Document
	// async marks a step that sends or receives an AsyncAPI message (Arazzo
	// 1.1), whose target resolved: msgs are the messages it may send or
	// receive, of adoc, on channel.
	async   bool
	adoc    *asyncapi.Document
	msgs    []*asyncapi.Message
	channel *asyncapi.Channel
}

// tcCtx is where an expression is read: the scope, the responses its
// $response.* expressions see, and whether it sits in a step's outputs
// (where $outputs reads the callee).
type tcCtx struct {
	sc        *tcScope
	resp      []*oas.Response
	inOutputs bool
	// also: the expression is evaluated whatever the response (success
	// criteria), so what any other described response of the operation has
	// is accepted too.
	also bool
}

func (c *typeChecker) document(d *Document) {
	for _, w := range d.Workflows {
		if w == nil {
			continue
		}
		for _, s := range w.Steps {
			if s == nil {
				continue
			}
			sc := c.stepScope(d, w, s)
			switch {
			case sc.op != nil:
				c.operationStep(sc)
			case sc.callee != nil:
				c.workflowStep(sc)
			case sc.async:
				c.messageStep(sc)
			}
		}
		wsc := &tcScope{doc: d, wf: w}
		c.actionParameters(tcCtx{sc: wsc}, w.SuccessActions)
		c.actionParameters(tcCtx{sc: wsc}, w.FailureActions)
		c.outputs(tcCtx{sc: wsc}, w.Outputs)
	}
}

// stepScope resolves a step's target once.
func (c *typeChecker) stepScope(d *Document, w *Workflow, s *Step) *tcScope {
	if sc, ok := c.scopes[s]; ok {
		return sc
	}
	sc := &tcScope{doc: d, wf: w, step: s}
	c.scopes[s] = sc
	switch {
	case d.Sources != nil && d.StepKind(s) == StepMessage:
		if src, op, ch, err := d.ResolveMessage(s); err == nil && src.AsyncAPI != nil {
			sc.async, sc.adoc, sc.channel = true, src.AsyncAPI, ch
			if r := d.ReplyOf(w, s); r != nil {
				sc.msgs, sc.channel = r.Messages, r.Channel
			} else if op != nil {
				sc.msgs = op.Messages
			} else if ch != nil {
				sc.msgs = ch.Messages
			}
		}
	case s.WorkflowID != "":
		if s.OperationID != "" || s.OperationPath != "" {
			break
		}
		if cd, cw, err := d.ResolveWorkflow(s.WorkflowID); err == nil && cw != nil {
			sc.callee, sc.calleeDoc = cw, cd
		}
	case s.OperationID != "" || s.OperationPath != "":
		if s.OperationID != "" && s.OperationPath != "" {
			break
		}
		if d.Sources == nil {
			break
		}
		if _, op, err := d.ResolveOperation(s); err == nil && op != nil && op.Doc != nil {
			sc.op = op
			sc.success = c.successResponses(op, s)
		}
	}
	return sc
}

func (c *typeChecker) operationStep(sc *tcScope) {
	s := sc.step
	c.negative = tcExpectsError(s)
	c.operationParameters(sc)
	c.requestBody(sc)
	c.negative = false
	for _, cr := range s.SuccessCriteria {
		c.criterion(tcCtx{sc: sc, resp: sc.success, also: true}, cr)
	}
	c.actions(tcCtx{sc: sc, resp: sc.success}, s.OnSuccess)
	c.actions(tcCtx{sc: sc, resp: sc.op.Responses}, s.OnFailure)
	c.outputs(tcCtx{sc: sc, resp: sc.success, inOutputs: true}, s.Outputs)
}

// tcRequestSide are the codes of what a step sends, which a negative test
// may get wrong on purpose.
var tcRequestSide = tcSet(CodeTypeMissingBodyProperty, CodeTypeMissingRequestBody, CodeTypeUnknownBodyProperty,
	CodeTypeMissingParameter, CodeTypeUnknownPathParameter, CodeTypeUnknownParameter, CodeTypeMismatch)

// tcExpectsError reports whether a step's success criteria accept an
// error status: "$statusCode == 4xx/5xx", "$statusCode >= 400", or a
// $statusCode regex that matches an error status and no 2xx. Such a step
// is a deliberate negative test, whose request may break the operation's
// contract on purpose.
func tcExpectsError(s *Step) bool {
	for _, cr := range s.SuccessCriteria {
		if cr == nil {
			continue
		}
		switch {
		case cr.EffectiveType() == CriterionSimple:
			for _, cmp := range tcStatusComparisons(cr.Condition) {
				if (cmp.op == "==" || cmp.op == ">=") && cmp.code >= 400 || cmp.op == ">" && cmp.code >= 399 {
					return true
				}
			}
		case cr.EffectiveType() == CriterionRegex && strings.TrimSpace(cr.Context) == "$statusCode":
			re, err := regexp.Compile(cr.Condition)
			if err != nil {
				continue
			}
			errors, ok := false, false
			for code := 200; code < 600; code++ {
				if re.MatchString(strconv.Itoa(code)) {
					errors = errors || code >= 400
					ok = ok || code < 300
				}
			}
			if errors && !ok {
				return true
			}
		}
	}
	return false
}

func (c *typeChecker) workflowStep(sc *tcScope) {
	s := sc.step
	c.workflowParameters(sc)
	ctx := tcCtx{sc: sc}
	for _, cr := range s.SuccessCriteria {
		c.criterion(ctx, cr)
	}
	c.actions(ctx, s.OnSuccess)
	c.actions(ctx, s.OnFailure)
	c.outputs(tcCtx{sc: sc, inOutputs: true}, s.Outputs)
}

// actions checks the criteria and parameters of inline actions (reusable
// ones are not judged: their criteria are written in the components).
func (c *typeChecker) actions(ctx tcCtx, list []*Action) {
	for _, a := range list {
		if a == nil || a.Reusable != nil {
			continue
		}
		for _, cr := range a.Criteria {
			c.criterion(ctx, cr)
		}
	}
	c.actionParameters(ctx, list)
}

// outputs types each output (reporting bad pointers) and caches the type.
func (c *typeChecker) outputs(ctx tcCtx, outs []*Output) {
	for _, o := range outs {
		if o == nil {
			continue
		}
		if o.Selector != nil {
			t := c.selectorType(ctx, o.Selector.Spec(), func(int) diag.Range { return o.Selector.ValueRange("selector") })
			if !c.outBusy[o] {
				c.outTypes[o] = t
			}
			continue
		}
		if o.Expression == "" {
			continue
		}
		e, err := ctx.sc.doc.parseExpr(o.Expression)
		if err != nil {
			continue
		}
		t := c.typeOf(ctx, e, nil, o.OffsetRange)
		if !c.outBusy[o] {
			c.outTypes[o] = t
		}
	}
}

// criterion checks the expressions of a criterion: pointers and headers of
// every operand and of the context, and $statusCode == N against the
// declared responses.
func (c *typeChecker) criterion(ctx tcCtx, cr *Criterion) {
	if cr == nil {
		return
	}
	if cr.Context != "" {
		if e, err := ctx.sc.doc.parseExpr(cr.Context); err == nil {
			c.typeOf(ctx, e, nil, func(off int) diag.Range { return cr.OffsetRange("context", off) })
		}
	}
	if cr.EffectiveType() != CriterionSimple || cr.Condition == "" {
		return
	}
	for _, o := range tcOperands(ctx.sc.doc, cr.Condition) {
		base := o.off
		c.typeOfText(ctx, o.e, cr.Condition[o.off:o.end], o.nav, func(off int) diag.Range { return cr.OffsetRange("condition", base+off) })
	}
	if ctx.sc.op != nil {
		for _, cmp := range tcStatusComparisons(cr.Condition) {
			if cmp.op != "==" || ctx.sc.op.Response(cmp.code) != nil {
				continue
			}
			codes := tcResponseCodes(ctx.sc.op)
			c.report(cr.OffsetRange("condition", cmp.off), CodeTypeUnknownStatusCode, diag.Warning,
				"$statusCode == %d: %s declares no response for %d (declared: %s)%s",
				cmp.code, tcOpName(ctx.sc.op), cmp.code, strings.Join(codes, ", "), didYouMean(strconv.Itoa(cmp.code), codes))
		}
	}
}

// ---- parameters of operation steps ----

// tcParam is a parameter as a step supplies it, after resolving reusable
// references.
type tcParam struct {
	name, in string
	value    any
	node     *yaml.Node // the value's node, for positions
	meta     *Meta      // the object the value node belongs to
	at       diag.Range // where the name (or reference) is written
	step     bool       // written on the step (not workflow-level)
}

// resolveParam turns a written parameter into a tcParam (false when a
// reusable reference does not resolve).
func tcResolveParam(d *Document, p *Parameter, step bool) (tcParam, bool) {
	if p == nil {
		return tcParam{}, false
	}
	if p.Reusable == nil {
		return tcParam{name: p.Name, in: p.In, value: p.Value, node: p.valueNode("value"), meta: &p.Meta,
			at: p.ValueRange("name"), step: step}, true
	}
	e, err := expr.Parse(p.Reusable.Reference)
	if err != nil || e.Kind != expr.KindComponents || e.ID != "parameters" || d.Components == nil {
		return tcParam{}, false
	}
	comp := d.Components.Parameters[e.Name]
	if comp == nil {
		return tcParam{}, false
	}
	tp := tcParam{name: comp.Name, in: comp.In, value: comp.Value, node: comp.valueNode("value"), meta: &comp.Meta,
		at: p.Reusable.ValueRange("reference"), step: step}
	if p.Reusable.HasValue {
		tp.value, tp.node, tp.meta = p.Reusable.Value, p.Reusable.valueNode("value"), &p.Reusable.Meta
	}
	return tp, true
}

func tcSameParam(aName, aIn, bName, bIn string) bool {
	if aIn != bIn && aIn != "" && bIn != "" {
		return false
	}
	if aIn == "header" || bIn == "header" {
		return strings.EqualFold(aName, bName)
	}
	return aName == bName
}

// suppliedParams lists the step's parameters, then the workflow-level ones
// with "in" that the step does not override.
func (c *typeChecker) suppliedParams(sc *tcScope, withIn bool) []tcParam {
	var out []tcParam
	for _, p := range sc.step.Parameters {
		if tp, ok := tcResolveParam(sc.doc, p, true); ok {
			out = append(out, tp)
		}
	}
	nStep := len(out)
	for _, p := range sc.wf.Parameters {
		tp, ok := tcResolveParam(sc.doc, p, false)
		if !ok || (withIn && tp.in == "") {
			continue
		}
		overridden := false
		for _, s := range out[:nStep] {
			if tcSameParam(s.name, s.in, tp.name, tp.in) && (s.in == tp.in || !withIn) {
				overridden = true
				break
			}
		}
		if !overridden {
			out = append(out, tp)
		}
	}
	return out
}

func (c *typeChecker) operationParameters(sc *tcScope) {
	op := sc.op
	params := c.suppliedParams(sc, true)
	pathNames := tcPathTemplateNames(op.Path)
	security := tcSecurityParams(op)
	for _, p := range params {
		var target *oas.Parameter
		switch p.in {
		case "":
			for _, q := range op.Parameters {
				if tcSameParam(q.Name, q.In, p.name, "") {
					target = q
					break
				}
			}
		case "path":
			target = op.Param(p.name, "path")
			if target == nil && p.step && !tcContains(pathNames, p.name) {
				c.report(p.at, CodeTypeUnknownPathParameter, diag.Error, "path parameter %q: the path %s of %s has no {%s}%s%s",
					p.name, op.Path, tcOpName(op), p.name, tcHaveList(" (it has ", pathNames, ")"), didYouMean(p.name, pathNames))
			}
		case "query", "header", "cookie":
			target = op.Param(p.name, p.in)
			if target == nil && p.step && !security[tcSecKey(p.in, p.name)] && !(p.in == "header" && tcStandardRequestHeaders[strings.ToLower(p.name)]) {
				var names []string
				elsewhere := ""
				for _, q := range op.Parameters {
					if q.In == p.in {
						names = append(names, q.Name)
					} else if tcSameParam(q.Name, "", p.name, "") {
						elsewhere = fmt.Sprintf(" (it declares %q in %s)", q.Name, q.In)
					}
				}
				c.report(p.at, CodeTypeUnknownParameter, diag.Warning, "%s parameter %q is not declared by %s%s%s",
					p.in, p.name, tcOpName(op), elsewhere, didYouMean(p.name, names))
			}
		}
		tg := tcTarget{param: true}
		if target != nil && target.Schema != nil {
			tg.nodes = []tcNode{{s: target.Schema, root: c.oasRoot(op.Doc)}}
			tg.what = fmt.Sprintf("%s parameter %q of %s", target.In, target.Name, tcOpName(op))
		}
		c.value(tcCtx{sc: sc}, p.value, p.node, p.meta, tg)
	}
	for _, q := range op.Parameters {
		if !q.Required || security[tcSecKey(q.In, q.Name)] || tcIgnoredHeader(q) {
			continue
		}
		found := false
		for _, p := range params {
			if tcSameParam(p.name, p.in, q.Name, q.In) {
				found = true
				break
			}
		}
		if found {
			continue
		}
		hint := ""
		if in := tcCloseInput(c, sc, q.Name); in != "" {
			hint = fmt.Sprintf(" (add {name: %s, in: %s, value: $inputs.%s})", q.Name, q.In, in)
		}
		c.report(tcMissingAt(sc.step, "parameters"), CodeTypeMissingParameter, diag.Error,
			"step %q does not supply the required %s parameter %q of %s%s", sc.step.StepID, q.In, q.Name, tcOpName(op), hint)
	}
}

// tcMissingAt is where a missing item of a step is reported: the key of
// field when written, else the step's target.
func tcMissingAt(s *Step, field string) diag.Range {
	if s.Has(field) {
		return s.KeyRange(field)
	}
	for _, f := range []string{"operationId", "operationPath", "workflowId"} {
		if s.Has(f) {
			return s.ValueRange(f)
		}
	}
	return s.Range
}

// tcCloseInput returns a workflow input whose name is close to name ("" when
// none).
func tcCloseInput(c *typeChecker, sc *tcScope, name string) string {
	if sc.wf == nil || sc.wf.Inputs == nil {
		return ""
	}
	names := c.objectNames(tcNode{s: sc.wf.Inputs, root: c.docRoot(sc.doc)})
	best, bestD := "", 0
	for _, n := range names {
		d := suggest.Distance(strings.ToLower(name), strings.ToLower(n))
		if d <= max(1, min(3, len(name)/3)) && (best == "" || d < bestD) {
			best, bestD = n, d
		}
	}
	return best
}

func tcContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func tcHaveList(prefix string, names []string, suffix string) string {
	if len(names) == 0 {
		return ""
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "{" + n + "}"
	}
	return prefix + strings.Join(q, ", ") + suffix
}

// tcPathTemplateNames lists the {name} segments of a path template.
func tcPathTemplateNames(path string) []string {
	var out []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, path[i+1:i+j])
		path = path[i+j+1:]
	}
}

func tcOpName(op *oas.Operation) string {
	if op.ID != "" {
		return op.ID
	}
	return op.Method + " " + op.Path
}

func tcSecKey(in, name string) string {
	if in == "header" {
		name = strings.ToLower(name)
	}
	return in + "\x00" + name
}

// tcSecurityParams lists the parameters the operation's security schemes
// send.
func tcSecurityParams(op *oas.Operation) map[string]bool {
	out := map[string]bool{}
	for _, req := range op.EffectiveSecurity() {
		for name := range req {
			s := op.Doc.SecuritySchemes[name]
			if s == nil {
				continue
			}
			switch s.Type {
			case "apiKey":
				out[tcSecKey(s.In, s.ParamName)] = true
			case "http", "oauth2", "openIdConnect":
				out[tcSecKey("header", "Authorization")] = true
			}
		}
	}
	return out
}

// tcIgnoredHeader reports a header parameter definition that OpenAPI says
// to ignore (Accept, Content-Type, Authorization).
func tcIgnoredHeader(p *oas.Parameter) bool {
	if p.In != "header" {
		return false
	}
	switch strings.ToLower(p.Name) {
	case "accept", "content-type", "authorization":
		return true
	}
	return false
}

// tcStandardRequestHeaders are request headers that HTTP itself defines;
// OpenAPI descriptions do not (or, for Accept, Content-Type and
// Authorization, may not) declare them.
var tcStandardRequestHeaders = tcSet("accept", "accept-charset", "accept-encoding", "accept-language", "authorization",
	"cache-control", "connection", "content-encoding", "content-language", "content-length", "content-type", "cookie",
	"date", "expect", "forwarded", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
	"if-unmodified-since", "max-forwards", "origin", "pragma", "prefer", "proxy-authorization", "range", "referer",
	"te", "trailer", "transfer-encoding", "upgrade", "user-agent", "via")

// tcStandardResponseHeaders are response headers that HTTP itself defines.
var tcStandardResponseHeaders = tcSet("accept-ranges", "age", "allow", "cache-control", "connection", "content-disposition",
	"content-encoding", "content-language", "content-length", "content-location", "content-range", "content-type",
	"date", "etag", "expires", "last-modified", "link", "location", "pragma", "retry-after", "server", "set-cookie",
	"strict-transport-security", "trailer", "transfer-encoding", "vary", "via", "www-authenticate", "proxy-authenticate")

func tcSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// ---- parameters of workflow steps ----

func (c *typeChecker) workflowParameters(sc *tcScope) {
	c.inputs(tcCtx{sc: sc}, sc.callee, sc.calleeDoc, c.suppliedParams(sc, false), tcMissingAt(sc.step, "parameters"), fmt.Sprintf("step %q", sc.step.StepID))
}

// inputs checks the parameters given to a workflow (by a step that calls
// it, or by an action that transfers to it) against its inputs schema;
// missingAt is where a missing required input is reported, and who names
// the one that should supply it.
func (c *typeChecker) inputs(ctx tcCtx, callee *Workflow, calleeDoc *Document, params []tcParam, missingAt diag.Range, who string) {
	if callee == nil || callee.Inputs == nil {
		return
	}
	inputs := tcNode{s: callee.Inputs, root: c.docRoot(calleeDoc)}
	for _, p := range params {
		tg := tcTarget{}
		if p.step {
			var lk tcLookup
			c.member(inputs, p.name, &lk)
			switch {
			case lk.exists():
				if !lk.open && lk.found {
					tg.nodes = lk.children
					tg.what = fmt.Sprintf("input %q of workflow %q", p.name, callee.WorkflowID)
				}
			default:
				sev := diag.Warning
				extra := ""
				if lk.closed {
					sev, extra = diag.Error, " and allows no others"
				}
				c.report(p.at, CodeTypeUnknownInput, sev, "workflow %q declares no input %q%s%s",
					callee.WorkflowID, p.name, extra, didYouMean(p.name, c.namesAt([]tcNode{inputs})))
			}
		}
		c.value(ctx, p.value, p.node, p.meta, tg)
	}
	for _, name := range c.requiredNames([]tcNode{inputs}) {
		found := false
		for _, p := range params {
			if p.name == name {
				found = true
				break
			}
		}
		if found {
			continue
		}
		hint := ""
		if in := tcCloseInput(c, ctx.sc, name); in != "" {
			hint = fmt.Sprintf(" (add {name: %s, value: $inputs.%s})", name, in)
		}
		c.report(missingAt, CodeTypeMissingInput, diag.Error,
			"%s does not supply the required input %q of workflow %q%s", who, name, callee.WorkflowID, hint)
	}
}
