package arazzo

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/suggest"
	"github.com/telaio/telaio/oas"
)

// Validation codes.
const (
	CodeUnsupportedVersion   = "unsupported-version"
	CodeEmptyList            = "empty-list"
	CodeInvalidID            = "invalid-id"
	CodeInvalidName          = "invalid-name"
	CodeDuplicateSource      = "duplicate-source-name"
	CodeInvalidSourceType    = "invalid-source-type"
	CodeSourceTypeMismatch   = "source-type-mismatch"
	CodeDuplicateWorkflowID  = "duplicate-workflow-id"
	CodeDuplicateStepID      = "duplicate-step-id"
	CodeDuplicateParameter   = "duplicate-parameter"
	CodeDuplicateAction      = "duplicate-action"
	CodeDuplicateDependency  = "duplicate-dependency"
	CodeStepTarget           = "step-target"
	CodeUnknownOperation     = "unknown-operation"
	CodeAmbiguousOperation   = "ambiguous-operation"
	CodeInvalidOperationPath = "invalid-operation-path"
	CodePreferOperationID    = "prefer-operation-id"
	CodeUnknownWorkflow      = "unknown-workflow"
	CodeUnqualifiedWorkflow  = "unqualified-workflow"
	CodeUnknownStep          = "unknown-step"
	CodeUnknownSource        = "unknown-source"
	CodeUnknownComponent     = "unknown-component"
	CodeWrongComponentKind   = "wrong-component-kind"
	CodeUnknownOutput        = "unknown-output"
	CodeUndeclaredInput      = "undeclared-input"
	CodeDependencyCycle      = "dependency-cycle"
	CodeMissingParameterIn   = "missing-parameter-in"
	CodeInvalidParameterIn   = "invalid-parameter-in"
	CodeInvalidExpression    = "invalid-expression"
	CodeSuspiciousTemplate   = "suspicious-template"
	CodeInvalidCriterion     = "invalid-criterion"
	CodeInvalidCriterionType = "invalid-criterion-type"
	CodeMissingContext       = "missing-context"
	CodeInvalidActionType    = "invalid-action-type"
	CodeActionTarget         = "action-target"
	CodeInvalidRetry         = "invalid-retry"
	CodeIgnoredField         = "ignored-field"
	CodeRequestBodyMisplaced = "request-body-misplaced"
	CodeNoResponseInScope    = "no-response-in-scope"
	CodeReservedExtension    = "reserved-extension"
	CodeSourceNotLoaded      = "source-not-loaded"
	CodeUnresolvedRef        = "unresolved-ref"
)

var (
	versionRE = regexp.MustCompile(`^1\.[01]\.\d+(-.+)?$`)
	idRE      = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)
	keyRE     = regexp.MustCompile(`^[a-zA-Z0-9.\-_]+$`)
)

// Validate checks doc against the Arazzo specification beyond its structure:
// identifiers, uniqueness, references between steps, workflows, sources and
// components, every runtime expression and criterion, and, when the document
// was loaded with Load, that operations exist in the source descriptions.
// Documents loaded as arazzo-type sources are validated too.
//
// When that finds no error, Validate goes on to type-check the workflows
// against the schemas of the operations and workflows they call (TypeCheck;
// steps whose target is not loaded are skipped). opts configure that pass:
// NoTypeCheck skips it, CheckOff and CheckSeverity adjust its codes, and
// Strict turns every warning of the result, structural or typed, into an
// error. All problems are collected; the result is sorted by position.
func Validate(doc *Document, opts ...CheckOption) diag.Diagnostics {
	if doc == nil {
		return nil
	}
	var cfg checkConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	v := &validator{seen: map[*Document]bool{}}
	v.document(doc)
	v.cycles()
	if cfg.strict {
		for _, d := range v.diags {
			d.Severity = diag.Error
		}
	}
	if !cfg.noTypes && !v.diags.HasErrors() {
		v.diags = append(v.diags, TypeCheck(doc, opts...)...)
	}
	v.diags.Sort()
	if len(v.diags) > maxDiagnostics {
		v.diags = v.diags[:maxDiagnostics]
	}
	return v.diags
}

type validator struct {
	diags diag.Diagnostics
	seen  map[*Document]bool
	// docs lists the documents validated, in order.
	docs []*Document
}

func (v *validator) errorf(r diag.Range, code, format string, args ...any) {
	v.diags.Errorf(r, code, format, args...)
}

func (v *validator) warnf(r diag.Range, code, format string, args ...any) {
	v.diags.Warnf(r, code, format, args...)
}

func (v *validator) document(d *Document) {
	if v.seen[d] {
		return
	}
	v.seen[d] = true
	v.docs = append(v.docs, d)
	if n := deref(d.valueNode("arazzo")); n != nil && n.ShortTag() == "!!str" && !versionRE.MatchString(d.Arazzo) {
		v.errorf(d.ValueRange("arazzo"), CodeUnsupportedVersion, "arazzo version %q is not supported (this tool reads 1.0.x and 1.1.x)", d.Arazzo)
	}
	if d.Meta.Has("$self") && isString(&d.Meta, "$self") {
		v.self(d)
	}
	v.extensions(&d.Meta)
	if emptyList(&d.Meta, "sourceDescriptions") {
		v.errorf(d.KeyRange("sourceDescriptions"), CodeEmptyList, "sourceDescriptions must have at least one entry")
	}
	if emptyList(&d.Meta, "workflows") {
		v.errorf(d.KeyRange("workflows"), CodeEmptyList, "workflows must have at least one entry")
	}
	names := map[string]bool{}
	for _, s := range d.SourceDescriptions {
		v.extensions(&s.Meta)
		if s.Name != "" {
			if names[s.Name] {
				v.errorf(s.ValueRange("name"), CodeDuplicateSource, "source description %q is defined twice", s.Name)
			}
			names[s.Name] = true
			if !idRE.MatchString(s.Name) {
				v.errorf(s.ValueRange("name"), CodeInvalidName, "source description name %q must match [A-Za-z0-9_-]+", s.Name)
			}
		}
		switch {
		case s.Type == SourceAsyncAPI && !d.Is11():
			v.errorf(s.ValueRange("type"), CodeInvalidSourceType, "%s", requires11Msg("source type asyncapi", d.Arazzo))
		case s.Type == "" || s.Type == SourceOpenAPI || s.Type == SourceArazzo || s.Type == SourceAsyncAPI:
		case d.Is11():
			v.errorf(s.ValueRange("type"), CodeInvalidSourceType, "source description type %q must be \"openapi\", \"asyncapi\" or \"arazzo\"%s", s.Type, didYouMean(s.Type, []string{SourceOpenAPI, SourceAsyncAPI, SourceArazzo}))
		default:
			v.errorf(s.ValueRange("type"), CodeInvalidSourceType, "source description type %q must be \"openapi\" or \"arazzo\"", s.Type)
		}
		if src := d.Sources[s.Name]; src != nil && s.Type != "" && src.Type != "" && src.Type != s.Type {
			v.errorf(s.ValueRange("type"), CodeSourceTypeMismatch, "source description %q is declared %s but is a %s document", s.Name, s.Type, src.Type)
		} else if kind := sniffed(src); kind != "" && kind != SourceArazzo && s.Type == SourceArazzo {
			// Load parsed it as declared; its root says otherwise.
			v.errorf(s.ValueRange("type"), CodeSourceTypeMismatch, "source description %q is declared arazzo but is an %s document", s.Name, kind)
		}
	}
	ids := map[string]bool{}
	for _, w := range d.Workflows {
		if w.WorkflowID == "" {
			continue
		}
		if ids[w.WorkflowID] {
			v.errorf(w.ValueRange("workflowId"), CodeDuplicateWorkflowID, "workflowId %q is used by another workflow", w.WorkflowID)
		}
		ids[w.WorkflowID] = true
		if !idRE.MatchString(w.WorkflowID) {
			v.warnf(w.ValueRange("workflowId"), CodeInvalidID, "workflowId %q should match [A-Za-z0-9_-]+: no runtime expression can reference a workflow whose id has other characters (write %s)", w.WorkflowID, standardID(w.WorkflowID))
		}
	}
	v.components(d)
	for _, w := range d.Workflows {
		v.workflow(d, w)
	}
	for _, s := range d.SourceDescriptions {
		if src := d.Sources[s.Name]; src != nil && src.Arazzo != nil && sniffed(src) == SourceArazzo {
			v.document(src.Arazzo)
		}
	}
}

// sniffed is the kind of a loaded Arazzo source by its root fields
// ("arazzo", "openapi", "swagger"; "arazzo" when it has none of them).
func sniffed(src *Source) string {
	if src == nil || src.Arazzo == nil {
		return ""
	}
	if k := oas.Sniff(src.Arazzo.Raw); k != "" {
		return k
	}
	return SourceArazzo
}

func (v *validator) extensions(m *Meta) {
	for name := range m.Extensions {
		if strings.HasPrefix(name, "x-oai-") || strings.HasPrefix(name, "x-oas-") || strings.HasPrefix(name, "x-arazzo") {
			v.warnf(m.KeyRange(name), CodeReservedExtension, "extension prefix of %q is reserved for the OpenAPI Initiative", name)
		}
	}
}

func (v *validator) components(d *Document) {
	c := d.Components
	if c == nil {
		return
	}
	v.extensions(&c.Meta)
	keys := make([]string, 0, len(c.KeyRanges))
	for k := range c.KeyRanges {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k[strings.IndexByte(k, '/')+1:]
		if !keyRE.MatchString(name) {
			v.errorf(c.KeyRanges[k], CodeInvalidName, "component name %q must match ^[a-zA-Z0-9.\\-_]+$", name)
		}
	}
	v.schemaRefs(d, &c.Meta, c.valueNode("inputs"))
	for _, name := range sortedKeys(c.Inputs) {
		v.inputsSchema(d, &c.Meta, mapValue(c.valueNode("inputs"), name), "/components/inputs/"+jsonptr.EscapeToken(name), fmt.Sprintf("components.inputs.%s", name))
	}
	sc := &scope{doc: d}
	for _, name := range sortedKeys(c.Parameters) {
		p := c.Parameters[name]
		v.parameterValue(sc, p)
		if p.In != "" {
			v.checkIn(sc, p, "")
		}
	}
	for _, name := range sortedKeys(c.SuccessActions) {
		v.componentAction(sc, c.SuccessActions[name])
	}
	for _, name := range sortedKeys(c.FailureActions) {
		v.componentAction(sc, c.FailureActions[name])
	}
}

// componentAction checks an action of the components. A stepId target can
// only be checked where the action is used; a workflowId is checked here.
func (v *validator) componentAction(sc *scope, a *Action) {
	v.action(sc, a)
	if (a.Type == ActionGoto || a.Type == ActionRetry) && a.WorkflowID != "" {
		v.workflowRef(sc.doc, a.WorkflowID, a.ValueRange("workflowId"), a.Type+" workflowId")
	}
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// scope is where an expression appears.
type scope struct {
	doc  *Document
	wf   *Workflow
	step *Step
	// callee is the workflow a workflow step calls, when resolvable.
	callee *Workflow
	// inStepOutputs marks a step's outputs map ($outputs reads the callee).
	inStepOutputs bool
	// noResponse marks places without an HTTP exchange in scope.
	noResponse bool
	// async marks a step that sends or receives an AsyncAPI message;
	// channel is its channel, when resolved.
	async   bool
	channel *asyncapi.Channel
}

func (v *validator) workflow(d *Document, w *Workflow) {
	v.extensions(&w.Meta)
	sc := &scope{doc: d, wf: w, noResponse: true}
	if emptyList(&w.Meta, "steps") {
		v.errorf(w.KeyRange("steps"), CodeEmptyList, "workflow %q must have at least one step", w.WorkflowID)
	}
	v.schemaRefs(d, &w.Meta, w.valueNode("inputs"))
	if w.Inputs != nil {
		v.inputsSchema(d, &w.Meta, w.valueNode("inputs"), w.InputsPointer, fmt.Sprintf("the inputs of workflow %q", w.WorkflowID))
	}
	seenDeps := map[string]bool{}
	for i, dep := range w.DependsOn {
		r := v.listItemRange(&w.Meta, "dependsOn", i)
		if seenDeps[dep] {
			v.errorf(r, CodeDuplicateDependency, "dependsOn lists %q twice", dep)
		}
		seenDeps[dep] = true
		if dep == w.WorkflowID {
			v.errorf(r, CodeDependencyCycle, "workflow %q depends on itself", dep)
			continue
		}
		v.workflowRef(d, dep, r, "dependsOn")
	}
	ids := map[string]bool{}
	for _, s := range w.Steps {
		if s.StepID == "" {
			continue
		}
		if ids[s.StepID] {
			v.errorf(s.ValueRange("stepId"), CodeDuplicateStepID, "stepId %q is used by another step of workflow %q", s.StepID, w.WorkflowID)
		}
		ids[s.StepID] = true
		if !idRE.MatchString(s.StepID) {
			v.warnf(s.ValueRange("stepId"), CodeInvalidID, "stepId %q should match [A-Za-z0-9_-]+: no runtime expression can reference a step whose id has other characters (write %s)", s.StepID, standardID(s.StepID))
		}
	}
	v.parameterList(sc, w.Parameters, "workflow")
	// Workflow-level actions run after a step, with its exchange in scope.
	asc := &scope{doc: d, wf: w}
	v.actionList(asc, w.SuccessActions, false)
	v.actionList(asc, w.FailureActions, true)
	if d.Is11() {
		v.stepDependencies(d, w)
	}
	var opStep *Step
	for _, s := range w.Steps {
		v.step(d, w, s)
		if opStep == nil && !s.Meta.Has("workflowId") && (s.Meta.Has("operationId") || s.Meta.Has("operationPath")) {
			opStep = s
		}
	}
	// Workflow-level parameters apply to every step: one without "in" is an
	// error as soon as a step calls an operation (D35).
	if opStep != nil {
		for _, p := range w.Parameters {
			if eff := effectiveParameter(d, p); eff != nil && eff.In == "" && eff.Name != "" {
				v.errorf(p.Range, CodeMissingParameterIn, "workflow parameter %q has no \"in\", but it applies to step %q, which calls an operation (D35)", eff.Name, opStep.StepID)
			}
		}
	}
	v.outputs(sc, w.Outputs)
}

// effectiveParameter is p, or the component a Reusable p references (nil
// when it does not resolve).
func effectiveParameter(d *Document, p *Parameter) *Parameter {
	if p.Reusable == nil {
		return p
	}
	e, err := expr.Parse(p.Reusable.Reference)
	if err != nil || e.Kind != expr.KindComponents || e.ID != "parameters" || d.Components == nil {
		return nil
	}
	return d.Components.Parameters[e.Name]
}

// schemaRefs checks that every local "$ref" ("#/...") of a JSON Schema
// (workflow inputs, components.inputs) resolves in the document, so that
// the schema can be compiled when the workflow runs. Other references
// (other files, anchors) are left to the schema compiler.
func (v *validator) schemaRefs(d *Document, m *Meta, n *yaml.Node) {
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 200 {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, val := n.Content[i], n.Content[i+1]
				if k.Value == "$ref" && val.Kind == yaml.ScalarNode && strings.HasPrefix(val.Value, "#/") {
					if _, ok := resolveLocal(d, val.Value); !ok {
						v.errorf(m.rangeOf(val), CodeUnresolvedRef, "$ref %q does not resolve in this document", val.Value)
					}
					continue
				}
				walk(val, depth+1)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		}
	}
	walk(n, 0)
}

// isString reports whether field is written as a string (Parse reports
// it otherwise; checks of its value would only add noise).
func isString(m *Meta, field string) bool {
	n := deref(m.valueNode(field))
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

// emptyList reports whether field is written as an empty array.
func emptyList(m *Meta, field string) bool {
	n := deref(m.valueNode(field))
	return n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0
}

// listItemRange is the position of the i-th item of a sequence field.
func (v *validator) listItemRange(m *Meta, field string, i int) diag.Range {
	return listItemRange(m, field, i)
}

// workflowRef checks a workflowId reference (plain or
// $sourceDescriptions.name.workflowId) and returns the workflow when found.
func (v *validator) workflowRef(d *Document, ref string, r diag.Range, what string) *Workflow {
	if strings.HasPrefix(ref, "$") {
		e, err := expr.Parse(ref)
		if err != nil || e.Kind != expr.KindSourceDescriptions {
			v.errorf(r, CodeInvalidExpression, "%s %q must be a workflowId or $sourceDescriptions.<name>.<workflowId>", what, ref)
			return nil
		}
		sd := d.SourceDescription(e.ID)
		if sd == nil {
			v.errorf(r, CodeUnknownSource, "%s %q names no source description %q%s", what, ref, e.ID, didYouMean(e.ID, sourceNames(d)))
			return nil
		}
		src := d.Sources[e.ID]
		if src == nil {
			return nil // not loaded: nothing more to check
		}
		if src.Type != SourceArazzo || src.Arazzo == nil {
			if src.Type == SourceOpenAPI || src.Type == SourceAsyncAPI {
				v.errorf(r, CodeUnknownWorkflow, "%s %q: source %q is an %s description, not an Arazzo document", what, ref, e.ID, describeKind(src.Type))
			}
			return nil
		}
		w := src.Arazzo.Workflow(e.Name)
		if w == nil {
			v.errorf(r, CodeUnknownWorkflow, "%s %q: source %q has no workflow %q%s", what, ref, e.ID, e.Name, didYouMean(e.Name, workflowIDs(src.Arazzo)))
		}
		return w
	}
	if w := d.Workflow(ref); w != nil {
		return w
	}
	// 1.0.1: a workflow of an arazzo source must be qualified.
	for _, s := range d.SourceDescriptions {
		if src := d.Sources[s.Name]; src != nil && src.Arazzo != nil && src.Arazzo.Workflow(ref) != nil {
			v.errorf(r, CodeUnqualifiedWorkflow, "%s %q is a workflow of source %q: write $sourceDescriptions.%s.%s", what, ref, s.Name, s.Name, ref)
			return nil
		}
	}
	v.errorf(r, CodeUnknownWorkflow, "%s %q names no workflow of this document%s", what, ref, didYouMean(ref, workflowIDs(d)))
	return nil
}

func sourceNames(d *Document) []string {
	var out []string
	for _, s := range d.SourceDescriptions {
		out = append(out, s.Name)
	}
	return out
}

func workflowIDs(d *Document) []string {
	var out []string
	for _, w := range d.Workflows {
		out = append(out, w.WorkflowID)
	}
	return out
}

func stepIDs(w *Workflow) []string {
	var out []string
	for _, s := range w.Steps {
		out = append(out, s.StepID)
	}
	return out
}

// didYouMean suggests the closest candidate.
func didYouMean(name string, candidates []string) string { return suggest.DidYouMean(name, candidates) }

func (v *validator) step(d *Document, w *Workflow, s *Step) {
	v.extensions(&s.Meta)
	sc := &scope{doc: d, wf: w, step: s}
	fields := []string{"operationId", "operationPath", "workflowId"}
	need := "operationId, operationPath or workflowId"
	if d.Is11() || s.Meta.Has("channelPath") {
		fields = []string{"operationId", "operationPath", "channelPath", "workflowId"}
		need = "operationId, operationPath, channelPath or workflowId"
	}
	targets := 0
	for _, f := range fields {
		if s.Meta.Has(f) {
			targets++
		}
	}
	switch {
	case targets == 0:
		v.errorf(s.Range, CodeStepTarget, "step %q needs exactly one of %s", s.StepID, need)
	case targets > 1:
		second := ""
		for _, f := range fields {
			if s.Meta.Has(f) {
				if second == "" {
					second = "-"
				} else {
					second = f
					break
				}
			}
		}
		v.errorf(s.KeyRange(second), CodeStepTarget, "step %q sets more than one of %s", s.StepID, strings.Replace(need, " or ", " and ", 1))
	}
	kind := d.StepKind(s)
	var op *oas.Operation
	switch {
	case s.Meta.Has("workflowId") && targets == 1 && isString(&s.Meta, "workflowId"):
		sc.callee = v.workflowRef(d, s.WorkflowID, s.ValueRange("workflowId"), "workflowId")
		sc.noResponse = true
		if s.RequestBody != nil {
			v.warnf(s.KeyRange("requestBody"), CodeRequestBodyMisplaced, "requestBody has no effect on a step that calls a workflow (D33)")
		}
	case kind == StepMessage && targets == 1:
		sc.async, sc.noResponse = true, true
		v.messageStep(sc)
	case s.Meta.Has("operationId") && targets == 1 && isString(&s.Meta, "operationId"):
		op = v.operationID(d, s)
	case s.Meta.Has("operationPath") && targets == 1 && isString(&s.Meta, "operationPath"):
		op = v.operationPath(d, s)
	case s.Meta.Has("channelPath") && targets == 1 && isString(&s.Meta, "channelPath") && d.Is11():
		sc.async, sc.noResponse = true, true
		v.messageStep(sc)
	}
	if op != nil && s.RequestBody != nil && (op.Method == "GET" || op.Method == "HEAD" || op.Method == "DELETE") {
		v.warnf(s.KeyRange("requestBody"), CodeRequestBodyMisplaced, "a request body on %s has no defined semantics and should be avoided", op.Method)
	}
	if d.Is11() {
		v.stepFields11(sc, kind)
	}
	isWorkflowStep := s.Meta.Has("workflowId")
	paramKind := "operation-step"
	switch {
	case isWorkflowStep:
		paramKind = "workflow-step"
	case sc.async:
		paramKind = "message-step"
	}
	v.parameterList(sc, s.Parameters, paramKind)
	if d.Is11() && kind == StepOperation {
		v.querystring(sc, op)
	}
	if s.RequestBody != nil {
		v.requestBody(sc, s.RequestBody)
	}
	if emptyList(&s.Meta, "successCriteria") {
		v.errorf(s.KeyRange("successCriteria"), CodeEmptyList, "successCriteria must have at least one criterion when present")
	}
	for _, c := range s.SuccessCriteria {
		v.criterion(sc, c)
	}
	v.actionList(sc, s.OnSuccess, false)
	v.actionList(sc, s.OnFailure, true)
	osc := *sc
	osc.inStepOutputs = true
	v.outputs(&osc, s.Outputs)
}

// openAPISources lists the sources of a loaded document that are OpenAPI
// descriptions, by declared or sniffed type. A source that could not be read
// and has no declared type is not counted (its error is reported already).
func openAPISources(d *Document) []*Source {
	var out []*Source
	seen := map[string]bool{}
	for _, s := range d.SourceDescriptions {
		if seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		if src := d.Sources[s.Name]; src != nil && src.Type == SourceOpenAPI {
			out = append(out, src)
		}
	}
	return out
}

func (v *validator) operationID(d *Document, s *Step) *oas.Operation {
	r := s.ValueRange("operationId")
	id := s.OperationID
	if strings.HasPrefix(id, "$") {
		e, err := expr.Parse(id)
		if err != nil || e.Kind != expr.KindSourceDescriptions {
			v.errorf(r, CodeInvalidExpression, "operationId %q must be an operationId or $sourceDescriptions.<name>.<operationId>", id)
			return nil
		}
		if d.SourceDescription(e.ID) == nil {
			v.errorf(r, CodeUnknownSource, "operationId %q names no source description %q%s", id, e.ID, didYouMean(e.ID, sourceNames(d)))
			return nil
		}
		src := d.Sources[e.ID]
		if src == nil || src.OpenAPI == nil {
			if src != nil && src.Type == SourceArazzo {
				v.errorf(r, CodeUnknownOperation, "operationId %q: source %q is an Arazzo document; use workflowId", id, e.ID)
			}
			return nil
		}
		return v.lookupOp(src, e.Name, r)
	}
	if d.Sources == nil {
		// Not loaded: only declared types are known.
		n, async := 0, 0
		for _, sd := range d.SourceDescriptions {
			switch sd.Type {
			case SourceOpenAPI:
				n++
			case SourceAsyncAPI:
				async++
			}
		}
		switch {
		case n > 1:
			v.errorf(r, CodeAmbiguousOperation, "operationId %q must be qualified as $sourceDescriptions.<name>.%s: the document has %d OpenAPI sources", id, id, n)
		case n+async > 1 && d.Is11():
			v.errorf(r, CodeAmbiguousOperation, "operationId %q must be qualified as $sourceDescriptions.<name>.%s: the document has %d OpenAPI and AsyncAPI sources", id, id, n+async)
		}
		return nil
	}
	srcs := openAPISources(d)
	if len(srcs) > 1 {
		v.errorf(r, CodeAmbiguousOperation, "operationId %q must be qualified as $sourceDescriptions.<name>.%s: the document has %d OpenAPI sources", id, id, len(srcs))
		return nil
	}
	if async := len(asyncSources(d)); async > 0 && len(srcs)+async > 1 && d.Is11() {
		v.errorf(r, CodeAmbiguousOperation, "operationId %q must be qualified as $sourceDescriptions.<name>.%s: the document has %d OpenAPI and AsyncAPI sources", id, id, len(srcs)+async)
		return nil
	}
	if len(srcs) == 0 {
		for _, sd := range d.SourceDescriptions {
			if src := d.Sources[sd.Name]; src == nil || src.Type != SourceArazzo {
				return nil // a source of unknown type: it may hold the operation
			}
		}
		v.errorf(r, CodeUnknownOperation, "operationId %q: the document has no OpenAPI source description", id)
		return nil
	}
	if srcs[0].OpenAPI == nil {
		return nil
	}
	return v.lookupOp(srcs[0], id, r)
}

func (v *validator) lookupOp(src *Source, id string, r diag.Range) *oas.Operation {
	op, err := src.OpenAPI.OperationByID(id)
	if err != nil {
		if src.OpenAPI.HasOperationID(id) {
			v.errorf(r, CodeAmbiguousOperation, "%v", err)
		} else {
			v.errorf(r, CodeUnknownOperation, "source %q has no operation %q%s", src.Description.Name, id, didYouMean(id, src.OpenAPI.OperationIDs()))
		}
		return nil
	}
	return op
}

func (v *validator) operationPath(d *Document, s *Step) *oas.Operation {
	r := s.ValueRange("operationPath")
	t := expr.ParseTemplate(s.OperationPath)
	var e *expr.Expr
	rest := ""
	if name, _, lenient, ok := splitSourcePointer(s.OperationPath); ok && lenient {
		frag := s.OperationPath[strings.IndexByte(s.OperationPath, '#'):]
		v.warnf(r, CodeNonstandardOperationPath, "operationPath %q is not standard: a runtime expression must name the source's url, {$sourceDescriptions.%s.url}#%s (it is read so): write that",
			s.OperationPath, name, frag[1:])
		e = &expr.Expr{Kind: expr.KindSourceDescriptions, ID: name, Name: "url", Raw: "$sourceDescriptions." + name + ".url"}
		rest = frag
		t = &expr.Template{Parts: []expr.Part{{Expr: e, Offset: 0}, {Lit: frag}}}
	} else if len(t.Parts) >= 1 && t.Parts[0].Expr != nil {
		e = t.Parts[0].Expr
		for _, p := range t.Parts[1:] {
			if p.Expr != nil {
				e = nil
				break
			}
			rest += p.Lit
		}
	}
	if e == nil || e.Kind != expr.KindSourceDescriptions || e.Name != "url" || !strings.HasPrefix(rest, "#") {
		v.errorf(r, CodeInvalidOperationPath, "operationPath %q must be {$sourceDescriptions.<name>.url}#<JSON pointer to an operation>", s.OperationPath)
		return nil
	}
	if d.SourceDescription(e.ID) == nil {
		v.errorf(s.OffsetRange("operationPath", t.Parts[0].Offset), CodeUnknownSource, "operationPath names no source description %q%s", e.ID, didYouMean(e.ID, sourceNames(d)))
		return nil
	}
	ptr, err := unescapeFragment(rest[1:])
	if err != nil {
		v.errorf(r, CodeInvalidOperationPath, "operationPath fragment %q: %v", rest, err)
		return nil
	}
	src := d.Sources[e.ID]
	if src != nil && src.Type == SourceArazzo {
		v.errorf(r, CodeInvalidOperationPath, "operationPath: source %q is an Arazzo document, not an OpenAPI description", e.ID)
		return nil
	}
	if src == nil || src.OpenAPI == nil {
		// Without the description, still check the pointer's shape:
		// /paths/<escaped path>/<method>.
		toks := strings.Split(ptr, "/")
		switch {
		case len(toks) == 3 && toks[0] == "" && toks[1] == "paths":
			v.errorf(r, CodeInvalidOperationPath, "operationPath points to a path item, not an operation: append the method, e.g. %s/get (D32)", rest)
		case len(toks) != 4 || toks[0] != "" || toks[1] != "paths" || !slices.Contains(oas.Methods(), strings.ToLower(toks[3])):
			v.errorf(r, CodeInvalidOperationPath, "operationPath fragment %q must be #/paths/<escaped path>/<method>", rest)
		}
		return nil
	}
	op, err := src.OpenAPI.OperationByPointer(ptr)
	if err != nil {
		if ops := src.OpenAPI.PathItemOperations(ptr); len(ops) > 0 {
			var ms []string
			for _, o := range ops {
				ms = append(ms, strings.ToLower(o.Method))
			}
			v.errorf(r, CodeInvalidOperationPath, "operationPath points to a path item, not an operation: append the method (one of %s) (D32)", strings.Join(ms, ", "))
		} else {
			v.errorf(r, CodeUnknownOperation, "operationPath: source %q has no operation at %s", e.ID, ptr)
		}
		return nil
	}
	if op.ID != "" {
		v.warnf(r, CodePreferOperationID, "the operation has operationId %q, which should be preferred over operationPath", op.ID)
	}
	return op
}

// unescapeFragment percent-decodes a URI fragment (RFC 6901 section 6).
func unescapeFragment(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", fmt.Errorf("invalid percent-encoding")
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// UnescapeFragment percent-decodes an operationPath fragment before it is
// used as a JSON pointer.
func UnescapeFragment(s string) (string, error) { return unescapeFragment(s) }

// checkIn checks the in of a parameter; kind is the list's kind (see
// parameterList; "" for components).
func (v *validator) checkIn(sc *scope, p *Parameter, kind string) {
	d := sc.doc
	r := p.ValueRange("in")
	switch p.In {
	case "path", "header":
	case "query":
		if kind == "message-step" && !httpLike(sc.channel) {
			v.errorf(r, CodeInvalidParameterIn, "in: query does not apply to a message (only to the handshake of a ws or http AsyncAPI server); use header, or channel for a channel address parameter")
		}
	case "cookie":
		if kind == "message-step" {
			v.errorf(r, CodeInvalidParameterIn, "in: cookie does not apply to a message; use header, or channel for a channel address parameter")
		}
	case "querystring":
		switch {
		case !d.Is11():
			v.errorf(r, CodeInvalidParameterIn, "%s", requires11Msg("in: querystring", d.Arazzo))
		case kind == "message-step":
			v.errorf(r, CodeInvalidParameterIn, "in: querystring applies to an OpenAPI 3.2 operation, not to a message")
		}
	case "channel":
		switch {
		case !d.Is11():
			v.errorf(r, CodeInvalidParameterIn, "%s", requires11Msg("in: channel", d.Arazzo))
		case kind == "operation-step":
			v.errorf(r, CodeInvalidParameterIn, "in: channel names a parameter of an AsyncAPI channel address, and this step calls an OpenAPI operation (use path, query, querystring, header or cookie)")
		case kind == "message-step":
			v.warnf(r, CodeChannelParameterIn, "in: channel is in the Arazzo 1.1 schema but not in its text: it is read as a parameter of the channel address (E19; in: path is read the same way)")
		}
	case "body":
		v.errorf(r, CodeInvalidParameterIn, "in: body was removed in Arazzo 1.0.1; use requestBody")
	default:
		if d.Is11() {
			v.errorf(r, CodeInvalidParameterIn, "in %q must be path, query, querystring, header, cookie or channel", p.In)
		} else {
			v.errorf(r, CodeInvalidParameterIn, "in %q must be path, query, header or cookie", p.In)
		}
	}
}

// parameterList checks a parameters list; kind is "workflow",
// "workflow-step", "operation-step", "message-step" or "action".
func (v *validator) parameterList(sc *scope, list []*Parameter, kind string) {
	type key struct{ name, in string }
	seen := map[key]string{}
	for _, p := range list {
		eff := p
		if p.Reusable != nil {
			eff = v.reusableParameter(sc, p.Reusable)
			if p.Reusable.HasValue {
				v.valueNode(sc, p.Reusable.valueNode("value"), &p.Reusable.Meta)
			}
			if eff == nil {
				continue
			}
		} else {
			v.extensions(&p.Meta)
			v.parameterValue(sc, p)
		}
		switch {
		case eff.In == "" && (kind == "operation-step" || kind == "message-step"):
			what := "an operation"
			if kind == "message-step" {
				what = "an AsyncAPI operation or channel"
			}
			if p.Reusable != nil {
				v.errorf(p.Range, CodeMissingParameterIn, "parameter %q (from %s) needs \"in\": the step calls %s", eff.Name, p.Reusable.Reference, what)
			} else {
				v.errorf(p.Range, CodeMissingParameterIn, "parameter %q needs \"in\": the step calls %s", p.Name, what)
			}
		case kind == "action" && p.Reusable == nil && p.Meta.Has("in"):
			v.errorf(p.KeyRange("in"), CodeActionParameters, "the parameters of an action are inputs of the workflow it transfers to: in must not be used (E21)")
		case p.Reusable == nil && p.In != "":
			v.checkIn(sc, p, kind)
		}
		k := key{eff.Name, eff.In}
		if eff.In == "header" {
			k.name = strings.ToLower(k.name) // D14
		}
		if kind == "action" {
			k.in = "" // inputs of a workflow: the name is the identity
		}
		if first, dup := seen[k]; dup {
			if eff.In == "header" && first != eff.Name {
				v.warnf(p.Range, CodeHeaderCase, "header parameters %q and %q differ only in case, and header names are case-insensitive: only one header %s is sent", first, eff.Name, first)
			} else {
				if k.in == "" {
					v.errorf(p.Range, CodeDuplicateParameter, "parameter %q is listed twice", eff.Name)
				} else {
					v.errorf(p.Range, CodeDuplicateParameter, "parameter %q (in %q) is listed twice", eff.Name, eff.In)
				}
			}
			continue
		}
		seen[k] = eff.Name
	}
}

func (v *validator) parameterValue(sc *scope, p *Parameter) {
	v.valueNode(sc, p.valueNode("value"), &p.Meta)
}

func (v *validator) reusableParameter(sc *scope, r *Reusable) *Parameter {
	kind, key, ok := v.reusableRef(sc, r)
	if !ok {
		return nil
	}
	if kind != "parameters" {
		v.errorf(r.ValueRange("reference"), CodeWrongComponentKind, "a parameters list must reference $components.parameters, not $components.%s", kind)
		return nil
	}
	return sc.doc.Components.Parameters[key]
}

// reusableRef parses a Reusable reference and checks the component exists.
func (v *validator) reusableRef(sc *scope, r *Reusable) (kind, key string, ok bool) {
	rng := r.ValueRange("reference")
	e, err := expr.Parse(r.Reference)
	if err != nil || e.Kind != expr.KindComponents {
		v.errorf(rng, CodeInvalidExpression, "reference %q must be $components.<parameters|successActions|failureActions>.<name>", r.Reference)
		return "", "", false
	}
	c := sc.doc.Components
	var keys []string
	found := false
	if c != nil {
		switch e.ID {
		case "parameters":
			_, found = c.Parameters[e.Name]
			keys = sortedKeys(c.Parameters)
		case "successActions":
			_, found = c.SuccessActions[e.Name]
			keys = sortedKeys(c.SuccessActions)
		case "failureActions":
			_, found = c.FailureActions[e.Name]
			keys = sortedKeys(c.FailureActions)
		}
	}
	if !found {
		v.errorf(rng, CodeUnknownComponent, "components.%s has no entry %q%s", e.ID, e.Name, didYouMean(e.Name, keys))
		return "", "", false
	}
	return e.ID, e.Name, true
}

func (v *validator) actionList(sc *scope, list []*Action, failure bool) {
	seen := map[string]bool{}
	for _, a := range list {
		eff := a
		if a.Reusable != nil {
			kind, key, ok := v.reusableRef(sc, a.Reusable)
			if !ok {
				continue
			}
			want := "successActions"
			if failure {
				want = "failureActions"
			}
			if kind != want {
				v.errorf(a.Reusable.ValueRange("reference"), CodeWrongComponentKind, "this list must reference $components.%s, not $components.%s", want, kind)
				continue
			}
			if a.Reusable.HasValue {
				v.warnf(a.Reusable.KeyRange("value"), CodeIgnoredField, "value only applies to parameter references; it is ignored here")
			}
			if failure {
				eff = sc.doc.Components.FailureActions[key]
			} else {
				eff = sc.doc.Components.SuccessActions[key]
			}
			if sc.wf != nil {
				// Resolve goto targets against the workflow using it.
				v.actionTargets(sc, eff, a.Reusable.ValueRange("reference"))
			}
		} else {
			v.action(sc, a)
		}
		if eff.Name != "" {
			if seen[eff.Name] {
				v.errorf(a.Range, CodeDuplicateAction, "action %q is listed twice (D13)", eff.Name)
			}
			seen[eff.Name] = true
		}
	}
}

func (v *validator) action(sc *scope, a *Action) {
	v.extensions(&a.Meta)
	valid := map[string]bool{ActionEnd: true, ActionGoto: true}
	if a.Failure {
		valid[ActionRetry] = true
	}
	if a.Type != "" && !valid[a.Type] {
		allowed := "end or goto"
		if a.Failure {
			allowed = "end, goto or retry"
		}
		v.errorf(a.ValueRange("type"), CodeInvalidActionType, "action type %q must be %s", a.Type, allowed)
	}
	if a.Meta.Has("stepId") && a.Meta.Has("workflowId") {
		v.errorf(a.KeyRange("workflowId"), CodeActionTarget, "action %q sets both stepId and workflowId", a.Name)
	}
	switch a.Type {
	case ActionGoto:
		if !a.Meta.Has("stepId") && !a.Meta.Has("workflowId") {
			v.errorf(a.Range, CodeActionTarget, "goto action %q needs a stepId or a workflowId", a.Name)
		}
	case ActionEnd:
		for _, f := range []string{"stepId", "workflowId"} {
			if a.Meta.Has(f) {
				v.warnf(a.KeyRange(f), CodeIgnoredField, "%s is ignored on an end action", f)
			}
		}
	}
	if a.Type != ActionRetry {
		for _, f := range []string{"retryAfter", "retryLimit"} {
			if a.Meta.Has(f) {
				v.warnf(a.KeyRange(f), CodeIgnoredField, "%s only applies to retry actions", f)
			}
		}
	}
	if a.RetryAfter != nil && *a.RetryAfter < 0 {
		v.errorf(a.ValueRange("retryAfter"), CodeInvalidRetry, "retryAfter must not be negative")
	}
	if a.RetryLimit != nil && *a.RetryLimit < 0 {
		v.errorf(a.ValueRange("retryLimit"), CodeInvalidRetry, "retryLimit must not be negative")
	}
	if emptyList(&a.Meta, "criteria") && !a.Failure {
		v.errorf(a.KeyRange("criteria"), CodeEmptyList, "criteria must have at least one criterion when present")
	}
	for _, c := range a.Criteria {
		v.criterion(sc, c)
	}
	v.actionParameters(sc, a)
	if sc.wf != nil {
		v.actionTargets(sc, a, diag.Range{})
	}
}

// actionTargets checks that goto/retry targets exist. at overrides the
// position (for reusable actions, the reference).
func (v *validator) actionTargets(sc *scope, a *Action, at diag.Range) {
	if a.Type != ActionGoto && a.Type != ActionRetry {
		return
	}
	pos := func(f string) diag.Range {
		if at.Start.IsValid() {
			return at
		}
		return a.ValueRange(f)
	}
	if a.StepID != "" && sc.wf.Step(a.StepID) == nil {
		v.errorf(pos("stepId"), CodeUnknownStep, "%s target %q is not a step of workflow %q%s", a.Type, a.StepID, sc.wf.WorkflowID, didYouMean(a.StepID, stepIDs(sc.wf)))
	}
	if a.WorkflowID != "" && !at.Start.IsValid() {
		v.workflowRef(sc.doc, a.WorkflowID, pos("workflowId"), a.Type+" workflowId")
	}
}

func (v *validator) requestBody(sc *scope, b *RequestBody) {
	v.extensions(&b.Meta)
	if b.HasPayload {
		v.valueNode(sc, b.valueNode("payload"), &b.Meta)
	}
	for _, r := range b.Replacements {
		v.extensions(&r.Meta)
		if sc.doc.Is11() && isString(&r.Meta, "target") {
			v.target(sc, b, r)
		}
		v.valueNode(sc, r.valueNode("value"), &r.Meta)
	}
}

// target checks a payload replacement's target against its
// targetSelectorType, or the type the media type implies (E26).
func (v *validator) target(sc *scope, b *RequestBody, r *PayloadReplacement) {
	if r.TargetTypeObject != nil {
		v.extensions(&r.TargetTypeObject.Meta)
	}
	_, err := expr.CompileTarget(r.TargetSpec(b.ContentType), sc.doc.opts()...)
	if err == nil {
		return
	}
	var te *expr.CriterionTypeError
	var se *expr.SyntaxError
	switch {
	case errors.As(err, &te) && r.Meta.Has("targetSelectorType"):
		v.errorf(r.ValueRange("targetSelectorType"), CodeInvalidTarget, "invalid targetSelectorType: %s", te.Msg)
	case errors.As(err, &te):
		v.errorf(r.ValueRange("target"), CodeInvalidTarget, "target %q: %s", r.Target, te.Msg)
	case errors.As(err, &se):
		v.errorf(r.OffsetRange("target", se.Offset), limitCode(err, CodeInvalidTarget), "invalid target %q: %s", r.Target, se.Msg)
	default:
		v.errorf(r.ValueRange("target"), CodeInvalidTarget, "invalid target %q: %v", r.Target, err)
	}
}

func (v *validator) outputs(sc *scope, outs []*Output) {
	for _, o := range outs {
		if !keyRE.MatchString(o.Name) {
			v.errorf(o.Key, CodeInvalidName, "output name %q must match ^[a-zA-Z0-9.\\-_]+$", o.Name)
		}
		if o.Selector != nil {
			v.extensions(&o.Selector.Meta)
			v.selectorAt(sc, &o.Selector.Meta, o.node)
			continue
		}
		if o.Expression == "" {
			continue
		}
		e, err := sc.doc.parseExpr(o.Expression)
		if err != nil {
			v.exprError(sc, err, o.Expression, o.OffsetRange)
			continue
		}
		if e.Kind == expr.KindOutputs && sc.inStepOutputs && sc.step != nil && !sc.step.Meta.Has("workflowId") {
			v.errorf(o.OffsetRange(0), CodeOutputsOutOfScope, "%s: $outputs reads the outputs of a called workflow, and step %q calls an operation: write $response.body#/... or $steps.<stepId>.outputs.<name>", e.Raw, sc.step.StepID)
			continue
		}
		v.checkExpr(sc, e, o.OffsetRange(0))
	}
}

// limitCode is the code of an expression that goes over a limit of package
// expr (expr.LimitError: expression-too-long, condition-too-long,
// regex-too-complex, query-too-complex), else def.
func limitCode(err error, def string) string {
	var le *expr.LimitError
	if errors.As(err, &le) && le.Code != "" {
		return le.Code
	}
	return def
}

// exprError reports a parse error at its offset. In a 1.0 document, an
// expression of the 1.1 grammar ($message, $self) is a requires-1.1 error
// (E1).
func (v *validator) exprError(sc *scope, err error, text string, at func(int) diag.Range) {
	off := 0
	msg := err.Error()
	if se, ok := err.(*expr.SyntaxError); ok {
		off, msg = se.Offset, se.Msg
	}
	code := limitCode(err, CodeInvalidExpression)
	if code == CodeInvalidExpression && sc != nil && !sc.doc.Is11() && parses11(text) {
		code = CodeRequires11
	}
	v.errorf(at(off), code, "invalid runtime expression %q: %s%s", text, msg, idHint(sc, text))
}

// valueNode checks every expression inside an Any value: whole-string
// expressions and {$...} templates, each at its own position.
func (v *validator) valueNode(sc *scope, n *yaml.Node, m *Meta) {
	if n == nil {
		return
	}
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 200 {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			if sc.doc.Is11() && isSelectorAttempt(n) {
				v.selectorAt(sc, m, n)
				return
			}
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i], depth+1)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		case yaml.ScalarNode:
			if n.ShortTag() != "!!str" || !strings.Contains(n.Value, "$") {
				return
			}
			at := func(off int) diag.Range { return m.offsetIn(n, off) }
			e, err := sc.doc.parseExpr(n.Value)
			if err == nil {
				v.checkExpr(sc, e, at(0))
				return
			}
			if looksLikeExpr(n.Value) {
				// A literal would be sent as is: surely a broken expression.
				v.exprError(sc, err, n.Value, at)
				return
			}
			t := expr.ParseTemplate(n.Value, sc.doc.opts()...)
			for _, p := range t.Parts {
				if p.Expr != nil {
					v.checkExpr(sc, p.Expr, at(p.Offset))
				}
			}
			for _, p := range t.Suspicious() {
				inner := strings.TrimSuffix(p.Lit[1:], "}")
				if looksLikeExpr(inner) && p.Err != nil {
					code := CodeInvalidExpression
					if !sc.doc.Is11() && parses11(inner) {
						code = CodeRequires11
					}
					v.errorf(at(p.Offset+p.Err.Offset), code, "invalid runtime expression %q embedded in %q: %s%s", inner, p.Lit, p.Err.Msg, idHint(sc, inner))
					continue
				}
				v.warnf(at(p.Offset), CodeSuspiciousTemplate, "%q looks like an embedded runtime expression but does not parse, so it is sent as literal text", p.Lit)
			}
		}
	}
	walk(n, 0)
}

// exprWords are the words that start a runtime expression (lower case),
// with "message", which Arazzo 1.0.0 had.
var exprWords = map[string]bool{"url": true, "method": true, "statuscode": true, "request": true, "response": true,
	"inputs": true, "outputs": true, "steps": true, "workflows": true, "sourcedescriptions": true, "components": true, "message": true,
	"self": true}

// looksLikeExpr reports whether s is meant as a runtime expression: "$", a
// word that starts one (in any case), then the end, "." or "#". Such a
// string that does not parse is reported as an error rather than sent as
// literal text (a refinement of D27).
func looksLikeExpr(s string) bool {
	if !strings.HasPrefix(s, "$") {
		return false
	}
	i := 1
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	if !exprWords[strings.ToLower(s[1:i])] {
		return false
	}
	return i == len(s) || s[i] == '.' || s[i] == '#'
}

func (v *validator) criterion(sc *scope, c *Criterion) {
	v.extensions(&c.Meta)
	d := sc.doc
	typ := c.Type
	if c.TypeObject != nil {
		v.extensions(&c.TypeObject.Meta)
		jsonpathVersions := []string{expr.VersionGoessnerJSONPath}
		xpathVersions := []string{expr.VersionXPath30, expr.VersionXPath20, expr.VersionXPath10}
		if d.Is11() {
			jsonpathVersions = []string{expr.VersionRFC9535, expr.VersionGoessnerJSONPath}
			xpathVersions = []string{expr.VersionXPath31, expr.VersionXPath30, expr.VersionXPath20, expr.VersionXPath10}
		}
		r := c.TypeObject.ValueRange("version")
		switch c.TypeObject.Type {
		case CriterionJSONPath:
			switch {
			case slices.Contains(jsonpathVersions, c.Version):
			case c.Version == expr.VersionRFC9535:
				v.errorf(r, CodeInvalidCriterionType, "%s", requires11Msg("jsonpath version rfc9535", d.Arazzo))
				return
			case d.Is11():
				v.errorf(r, CodeInvalidCriterionType, "jsonpath version %q must be rfc9535 or draft-goessner-dispatch-jsonpath-00", c.Version)
				return
			default:
				v.errorf(r, CodeInvalidCriterionType, "jsonpath version %q must be draft-goessner-dispatch-jsonpath-00", c.Version)
				return
			}
		case CriterionXPath:
			switch {
			case slices.Contains(xpathVersions, c.Version):
			case c.Version == expr.VersionXPath31:
				v.errorf(r, CodeInvalidCriterionType, "%s", requires11Msg("xpath version xpath-31", d.Arazzo))
				return
			case d.Is11():
				v.errorf(r, CodeInvalidCriterionType, "xpath version %q must be xpath-31, xpath-30, xpath-20 or xpath-10", c.Version)
				return
			default:
				v.errorf(r, CodeInvalidCriterionType, "xpath version %q must be xpath-30, xpath-20 or xpath-10", c.Version)
				return
			}
		case expr.SelectorJSONPointer:
			if d.Is11() {
				v.errorf(c.TypeObject.ValueRange("type"), CodeInvalidCriterionType, "a criterion cannot be of type jsonpointer: a JSON pointer selects a value and passes or fails nothing (E22); compare the value in a simple condition, such as $response.body#/ok == true")
				return
			}
			v.errorf(c.TypeObject.ValueRange("type"), CodeInvalidCriterionType, "criterion expression type %q must be jsonpath or xpath", c.TypeObject.Type)
			return
		default:
			v.errorf(c.TypeObject.ValueRange("type"), CodeInvalidCriterionType, "criterion expression type %q must be jsonpath or xpath", c.TypeObject.Type)
			return
		}
	} else {
		switch typ {
		case "", CriterionSimple, CriterionRegex, CriterionJSONPath, CriterionXPath:
		case expr.SelectorJSONPointer:
			if d.Is11() {
				v.errorf(c.ValueRange("type"), CodeInvalidCriterionType, "a criterion cannot be of type jsonpointer: a JSON pointer selects a value and passes or fails nothing (E22); compare the value in a simple condition, such as $response.body#/ok == true")
				return
			}
			fallthrough
		default:
			v.errorf(c.ValueRange("type"), CodeInvalidCriterionType, "criterion type %q must be simple, regex, jsonpath or xpath%s", typ, didYouMean(typ, []string{"simple", "regex", "jsonpath", "xpath"}))
			return
		}
	}
	if c.Context == "" && typ != "" && typ != CriterionSimple {
		v.errorf(c.Range, CodeMissingContext, "a %s criterion needs a context", typ)
		return
	}
	if c.Context != "" {
		e, err := d.parseExpr(c.Context)
		if err != nil {
			v.exprError(sc, err, c.Context, func(off int) diag.Range { return c.OffsetRange("context", off) })
			return
		}
		v.checkExpr(sc, e, c.ValueRange("context"))
	}
	if !c.Meta.Has("condition") {
		return
	}
	compiled, err := expr.CompileCriterion(c.Spec(), d.opts()...)
	if err != nil {
		off := 0
		msg := err.Error()
		if se, ok := err.(*expr.SyntaxError); ok {
			off, msg = se.Offset, se.Msg
		}
		code := limitCode(err, CodeInvalidCriterion)
		if code == CodeInvalidCriterion && !d.Is11() {
			if _, err11 := expr.CompileCriterion(c.Spec(), expr.ArazzoVersion("1.1.0"), expr.Lenient()); err11 == nil {
				code = CodeRequires11
			}
		}
		v.errorf(c.OffsetRange("condition", off), code, "invalid %s condition: %s", c.EffectiveType(), msg)
		return
	}
	if err := compiled.Unsupported(); err != nil {
		off, msg := 0, err.Error()
		if se, ok := err.(*expr.SyntaxError); ok {
			off, msg = se.Offset, se.Msg
		}
		v.warnf(c.OffsetRange("condition", off), CodeUnsupportedXPath,
			"%s: at run time this criterion fails with an evaluation error, and the step's failure actions apply (E23)", msg)
	}
	if version := compiled.Lenient(); version != "" {
		object := "Expression Type Object"
		if !d.Is11() {
			object = "Criterion Expression Type Object"
		}
		v.warnf(c.ValueRange("condition"), CodeNonstandardJSONPath,
			"condition %q is not RFC 9535 JSONPath, the default of type: jsonpath; it has the form <path> <op> <literal> of %s, and is evaluated with its semantics: declare them with the %s type: {type: jsonpath, version: %s} (E34)",
			c.Condition, version, object, version)
	}
	if c.EffectiveType() == CriterionSimple {
		for _, e := range compiled.Exprs() {
			off := strings.Index(c.Condition, e.Raw)
			v.checkExpr(sc, e, c.OffsetRange("condition", max(off, 0)))
		}
	}
}
