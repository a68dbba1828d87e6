package executor

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/antchfx/xpath"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/httpenc"
	"github.com/telaio/telaio/internal/suggest"
	"github.com/telaio/telaio/oas"
	"github.com/telaio/telaio/schema"
)

// Plan diagnostics codes.
const (
	CodePlanOperation = "plan-operation"
	CodePlanWorkflow  = "plan-workflow"
	CodePlanServer    = "plan-server"
	CodePlanCriterion = "plan-criterion"
	CodePlanInputs    = "plan-inputs"
	CodePlanBody      = "plan-body"
	CodePlanValue     = "plan-value"
)

// Engine runs the workflows of one Arazzo document. New plans everything
// once; the Engine is immutable afterwards and safe for concurrent Run calls.
type Engine struct {
	cfg    config
	doc    *arazzo.Document
	plans  map[*arazzo.Workflow]*wfPlan
	root   map[string]*wfPlan
	order  []string
	tokens *tokenCache
	// mask holds the secret forms of the engine's credentials, computed
	// once; each run forks it (see masker.fork).
	mask masker
	// precompileOnce starts compiling the contract checks' schemas in the
	// background at the first Run.
	precompileOnce sync.Once
	// async are the AsyncAPI sources, whose broker connections the engine
	// keeps (Close ends them).
	async    []*asyncSourcePlan
	isClosed atomic.Bool
	// tel is the OpenTelemetry instrumentation (otel.go); nil without
	// WithTracerProvider and WithMeterProvider.
	tel *telemetry
	// durable indexes the plans for the durable seam (durable.go).
	durable durableIndex
}

// Close closes the engine's broker connections (message steps dial them at
// first use and keep them). Runs after Close fail their message steps; HTTP
// steps are not affected. It is safe to call more than once.
func (e *Engine) Close() error {
	e.isClosed.Store(true)
	var errs []error
	for _, a := range e.async {
		if err := a.close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) closed() bool { return e.isClosed.Load() }

type wfPlan struct {
	doc       *arazzo.Document
	wf        *arazzo.Workflow
	id        string
	inputs    *schema.Schema
	inputKeys map[string]bool // declared input names (nil: any)
	// secrets are the paths (member names) of the inputs whose schema says
	// format password or writeOnly, at any depth.
	secrets [][]string
	deps    []*wfPlan
	steps   []*stepPlan
	// order is the execution order of the steps, as indexes into steps
	// (list order, or the stable topological order of Arazzo 1.1 step
	// dependencies, E16); pos maps a step index to its place in order.
	order   []int
	pos     []int
	outputs []outputPlan
	// opts read the document's expressions (its grammar, lenient forms).
	opts []expr.Option
	// receives tells a workflow with receive steps (armed early).
	receives bool
}

type outputPlan struct {
	name string
	expr *expr.Expr
	sel  *expr.Selector // an Arazzo 1.1 Selector Object instead of expr
}

type stepPlan struct {
	wf    *wfPlan
	step  *arazzo.Step
	id    string
	index int

	// operation target
	op     *oas.Operation
	source *sourcePlan
	params []*paramPlan
	body   *bodyPlan
	label  string // "POST /path"

	// workflow target
	callee *wfPlan

	// message target (Arazzo 1.1 send and receive steps)
	msg *msgPlan

	criteria  []*criterionPlan
	onSuccess []*actionPlan
	onFailure []*actionPlan
	outputs   []outputPlan

	// timeout bounds each attempt (Arazzo 1.1 step timeout, E12); 0: none.
	timeout time.Duration
	// after are the steps of other workflows that must have run before
	// this one (Arazzo 1.1 dependsOn, E15); steps of its own workflow are
	// ordered by wfPlan.order.
	after []stepRef
}

// stepRef names a step of a planned workflow.
type stepRef struct {
	wf   *wfPlan
	step string
	ref  string // as written
}

type paramPlan struct {
	name, in string
	value    *expr.Value
	// query is an OpenAPI 3.2 querystring parameter's template and media
	// type (E17, E18).
	query     *expr.Template
	queryType string
	enc       httpenc.Param
	// json is set for an OpenAPI parameter declared with content
	// application/json: the value is sent as JSON text.
	json bool
}

type bodyPlan struct {
	contentType  string // as sent (may include parameters)
	kind         bodyKind
	payload      *expr.Value
	replacements []*replacementPlan
}

type bodyKind int

const (
	bodyJSON bodyKind = iota
	bodyForm
	bodyMultipart
	bodyXML
	bodyText
	bodyOther
)

type replacementPlan struct {
	target string
	tgt    *expr.Target // JSON Pointer or JSONPath target
	xpath  *xpath.Expr
	value  *expr.Value
}

type criterionPlan struct {
	c    *expr.Criterion
	text string
	typ  string
}

type actionPlan struct {
	// index is the action's position in its step's merged list.
	index      int
	name, typ  string
	stepIndex  int // goto/retry target step, -1 when none
	workflow   *wfPlan
	criteria   []*criterionPlan
	retryAfter float64
	hasAfter   bool
	retryLimit int
	// params are the inputs an Arazzo 1.1 action passes to its workflow
	// (E21); nil: the current inputs the target declares (D20).
	params []*paramPlan
}

type sourcePlan struct {
	name    string
	doc     *oas.Document
	baseURL string // override, "" to use the operation's servers
	index   int
	loc     string

	once     sync.Once
	compiler *schema.OpenAPI
	compErr  error
}

type planner struct {
	e         *Engine
	diags     diag.Diagnostics
	srcs      map[*arazzo.Source]*sourcePlan
	asyncSrcs map[*arazzo.Source]*asyncSourcePlan
}

// New plans every workflow of doc: it resolves each step's operation in the
// loaded OpenAPI descriptions (or its called workflow), compiles every
// runtime expression, criterion, payload and input schema, and merges
// workflow-level parameters and actions into each step (D12). doc must come
// from arazzo.Load or arazzo.LoadFS (so its sources are loaded). When
// something cannot be planned, New returns diag.Diagnostics as the error.
func New(doc *arazzo.Document, opts ...Option) (*Engine, error) {
	if doc == nil {
		return nil, fmt.Errorf("executor: nil document")
	}
	e := &Engine{doc: doc, plans: map[*arazzo.Workflow]*wfPlan{}, root: map[string]*wfPlan{}, tokens: newTokenCache()}
	for _, o := range opts {
		if err := o(&e.cfg); err != nil {
			return nil, err
		}
	}
	if !e.cfg.validated {
		if ds := arazzo.Validate(doc); ds.HasErrors() {
			return nil, ds.Errors()
		}
	}
	if err := e.checkConfig(); err != nil {
		return nil, err
	}
	e.cfg.limits = e.cfg.limits.withDefaults()
	e.mask.off = e.cfg.noMasking
	for _, v := range e.cfg.auth {
		e.mask.addCredential(v)
	}
	for _, u := range e.cfg.servers {
		if pu, err := url.Parse(u); err == nil && pu.User != nil {
			if pw, ok := pu.User.Password(); ok {
				e.mask.add(pw)
			}
		}
	}
	e.mask.prepare()
	if e.cfg.client == nil {
		e.cfg.client = &http.Client{}
	}
	if e.cfg.clock == nil {
		e.cfg.clock = time.Now
	}
	if e.cfg.sleep == nil {
		e.cfg.sleep = defaultSleep
	}
	if e.cfg.receiveTimeout == 0 {
		e.cfg.receiveTimeout = DefaultReceiveTimeout
	}
	var err error
	if e.tel, err = newTelemetry(e.cfg.tel); err != nil {
		return nil, err
	}
	p := &planner{e: e, srcs: map[*arazzo.Source]*sourcePlan{}, asyncSrcs: map[*arazzo.Source]*asyncSourcePlan{}}
	for _, w := range doc.Workflows {
		wp := p.workflow(doc, w)
		if wp != nil {
			e.root[w.WorkflowID] = wp
			e.order = append(e.order, w.WorkflowID)
		}
	}
	for _, a := range p.asyncSrcs {
		e.async = append(e.async, a)
	}
	if p.diags.HasErrors() {
		p.diags.Sort()
		return nil, p.diags
	}
	return e, nil
}

// checkConfig refuses options that name nothing of the document: a source
// given a server (WithServer, WithServerIndex) that no loaded document
// declares, a server URL without scheme or host, a credential (WithAuth)
// for a security scheme no description defines. Each error names what
// exists; nothing is silently ignored.
func (e *Engine) checkConfig() error {
	sources := map[string]*arazzo.Source{}
	schemes := map[string]bool{}
	seen := map[*arazzo.Document]bool{}
	var walk func(d *arazzo.Document)
	walk = func(d *arazzo.Document) {
		if d == nil || seen[d] {
			return
		}
		seen[d] = true
		for name, src := range d.Sources {
			if _, ok := sources[name]; !ok || src.Type != arazzo.SourceArazzo {
				sources[name] = src
			}
			if src.OpenAPI != nil {
				for sch := range src.OpenAPI.SecuritySchemes {
					schemes[sch] = true
				}
			}
			if src.AsyncAPI != nil {
				for _, sch := range src.AsyncAPI.SecuritySchemes {
					schemes[sch.Name] = true
				}
			}
			walk(src.Arazzo)
		}
	}
	walk(e.doc)
	var apis []string
	for name, src := range sources {
		if src.Type != arazzo.SourceArazzo {
			apis = append(apis, name)
		}
	}
	checkSource := func(opt, name string) error {
		src, ok := sources[name]
		switch {
		case !ok:
			return fmt.Errorf("%s: %s", opt, suggest.Unknown("source description", name, apis))
		case src.Type == arazzo.SourceArazzo:
			return fmt.Errorf("%s: source description %q is an Arazzo document; servers are set for API descriptions (%s)", opt, name, strings.Join(sortedStrings(apis), ", "))
		}
		return nil
	}
	for _, name := range sortedStrings(mapKeys(e.cfg.servers)) {
		if err := checkSource("WithServer", name); err != nil {
			return err
		}
		if sources[name].Type == arazzo.SourceAsyncAPI {
			continue // a broker URL or @server, checked when planned
		}
		if err := checkServerURL(name, e.cfg.servers[name]); err != nil {
			return err
		}
	}
	for _, name := range sortedStrings(mapKeys(e.cfg.tokenServers)) {
		if err := checkSource("WithTokenServer", name); err != nil {
			return err
		}
		if err := checkServerURL(name, e.cfg.tokenServers[name]); err != nil {
			return err
		}
	}
	for _, name := range sortedStrings(mapKeys(e.cfg.serverIndex)) {
		if err := checkSource("WithServerIndex", name); err != nil {
			return err
		}
	}
	for _, name := range sortedStrings(mapKeys(e.cfg.auth)) {
		if !schemes[name] {
			return fmt.Errorf("WithAuth: %s", suggest.Unknown("security scheme", name, mapKeys(schemes)))
		}
	}
	return nil
}

// checkServerURL checks a server URL given for an OpenAPI source: absolute
// http(s) with a host.
func checkServerURL(source, raw string) error {
	u, err := url.Parse(raw)
	if err != nil && !strings.Contains(raw, "://") {
		return fmt.Errorf("WithServer: server for %q: %q has no scheme (write http://%s or https://%s)", source, raw, raw, raw)
	}
	if err != nil {
		return fmt.Errorf("WithServer: server for %q: %v", source, err)
	}
	switch {
	case u.Scheme == "" || u.Host == "" && u.Opaque != "":
		return fmt.Errorf("WithServer: server for %q: %q has no scheme (write http://%s or https://%s)", source, u.Redacted(), raw, raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("WithServer: server for %q: scheme %q is not http or https", source, u.Scheme)
	case u.Host == "":
		return fmt.Errorf("WithServer: server for %q: %q has no host", source, u.Redacted())
	}
	return nil
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}

// Workflows lists the ids of the document's workflows, in order.
func (e *Engine) Workflows() []string { return append([]string(nil), e.order...) }

// InputsSchema returns the compiled inputs schema of the workflow with the
// given id, nil when it has none or is unknown.
func (e *Engine) InputsSchema(workflowID string) *schema.Schema {
	if p := e.root[workflowID]; p != nil {
		return p.inputs
	}
	return nil
}

// Document is the document the engine runs.
func (e *Engine) Document() *arazzo.Document { return e.doc }

func (p *planner) errorf(r diag.Range, code, format string, args ...any) {
	p.diags.Errorf(r, code, format, args...)
}

// workflow plans w (once; plans are shared by every reference).
func (p *planner) workflow(doc *arazzo.Document, w *arazzo.Workflow) *wfPlan {
	if wp, ok := p.e.plans[w]; ok {
		return wp
	}
	wp := &wfPlan{doc: doc, wf: w, id: w.WorkflowID, opts: doc.ExprOptions()}
	p.e.plans[w] = wp
	if w.Inputs != nil {
		s, err := schema.Compile(doc.Raw, w.InputsPointer)
		if err != nil {
			p.errorf(w.ValueRange("inputs"), CodePlanInputs, "workflow %q: inputs schema: %v", w.WorkflowID, err)
		} else {
			wp.inputs = s
			wp.inputKeys, wp.secrets = inputInfo(s)
		}
	}
	for _, dep := range w.DependsOn {
		ddoc, dw, err := doc.ResolveWorkflow(dep)
		if err != nil {
			p.errorf(w.KeyRange("dependsOn"), CodePlanWorkflow, "workflow %q: dependsOn: %v", w.WorkflowID, err)
			continue
		}
		if d := p.workflow(ddoc, dw); d != nil {
			wp.deps = append(wp.deps, d)
		}
	}
	for i, s := range w.Steps {
		wp.steps = append(wp.steps, &stepPlan{wf: wp, step: s, id: s.StepID, index: i})
	}
	wp.order = w.ExecutionOrder()
	if len(wp.order) != len(wp.steps) {
		wp.order = make([]int, len(wp.steps))
		for i := range wp.order {
			wp.order[i] = i
		}
	}
	wp.pos = make([]int, len(wp.steps))
	for at, i := range wp.order {
		wp.pos[i] = at
	}
	for _, i := range wp.order {
		// In execution order: a receive step's plan looks at the send
		// steps before it (the reply rule).
		p.step(wp, wp.steps[i])
	}
	for _, sp := range wp.steps {
		wp.receives = wp.receives || sp.msg != nil && sp.msg.action == arazzo.StepReceive
	}
	wp.outputs = p.outputs(wp, w.Outputs)
	return wp
}

// inputInfo reads the declared input names and the paths of the secret
// ones.
func inputInfo(s *schema.Schema) (keys map[string]bool, secrets [][]string) {
	props := s.Properties()
	if len(props) == 0 {
		return nil, nil
	}
	keys = map[string]bool{}
	for name := range props {
		keys[name] = true
	}
	return keys, secretPaths(s, nil, 0)
}

// maxSecretDepth bounds the walk of nested input schemas for secrets (a
// recursive schema would not end otherwise).
const maxSecretDepth = 16

// secretPaths lists the paths of the properties whose schema says format
// password or writeOnly; everything under such a property is secret.
func secretPaths(s *schema.Schema, prefix []string, depth int) [][]string {
	if depth >= maxSecretDepth {
		return nil
	}
	var out [][]string
	for name, ps := range s.Properties() {
		path := append(prefix[:len(prefix):len(prefix)], name)
		if ps.Format() == "password" || ps.WriteOnly() {
			out = append(out, path)
			continue
		}
		out = append(out, secretPaths(ps, path, depth+1)...)
	}
	return out
}

func (p *planner) outputs(wp *wfPlan, outs []*arazzo.Output) []outputPlan {
	var out []outputPlan
	for _, o := range outs {
		if o.Selector != nil {
			sel, err := expr.CompileSelector(o.Selector.Spec(), wp.opts...)
			if err != nil {
				p.errorf(o.Value, CodePlanValue, "output %q: %v", o.Name, err)
				continue
			}
			out = append(out, outputPlan{name: o.Name, sel: sel})
			continue
		}
		e, err := expr.ParseWith(o.Expression, wp.opts...)
		if err != nil {
			p.errorf(o.Value, CodePlanValue, "output %q: %v", o.Name, err)
			continue
		}
		out = append(out, outputPlan{name: o.Name, expr: e})
	}
	return out
}

// value compiles a parameter value, payload or replacement value of wp's
// document; a Selector Object that does not compile is a plan error.
func (p *planner) value(wp *wfPlan, v any, r diag.Range, what string) *expr.Value {
	cv := expr.CompileValue(v, wp.opts...)
	if err := cv.Err(); err != nil {
		p.errorf(r, CodePlanValue, "%s: %v", what, err)
	}
	return cv
}

func (p *planner) step(wp *wfPlan, sp *stepPlan) {
	s, doc := sp.step, wp.doc
	if s.Timeout != nil && *s.Timeout > 0 {
		sp.timeout = time.Duration(*s.Timeout) * time.Millisecond
	}
	if s.WorkflowID != "" {
		cdoc, cw, err := doc.ResolveWorkflow(s.WorkflowID)
		if err != nil {
			p.errorf(s.ValueRange("workflowId"), CodePlanWorkflow, "step %q: %v", s.StepID, err)
		} else {
			sp.callee = p.workflow(cdoc, cw)
		}
		sp.label = "workflow " + s.WorkflowID
	} else if doc.StepKind(s) == arazzo.StepMessage {
		p.message(wp, sp) // reads sp.timeout: a receive waits that long (E12)
	} else {
		src, op, err := doc.ResolveOperation(s)
		if err != nil {
			field := "operationId"
			if s.OperationPath != "" {
				field = "operationPath"
			}
			p.errorf(s.ValueRange(field), CodePlanOperation, "step %q: %v", s.StepID, err)
		} else {
			sp.op = op
			sp.source = p.source(src, op, s)
			sp.label = op.Method + " " + op.Path
			if s.RequestBody != nil {
				sp.body = p.body(sp, s.RequestBody)
			}
		}
	}
	sp.params = p.params(wp, sp)
	for _, c := range s.SuccessCriteria {
		if cp := p.criterion(wp, c); cp != nil {
			sp.criteria = append(sp.criteria, cp)
		}
	}
	sp.onSuccess = p.actions(wp, s.OnSuccess, wp.wf.SuccessActions, false)
	sp.onFailure = p.actions(wp, s.OnFailure, wp.wf.FailureActions, true)
	sp.outputs = p.outputs(wp, s.Outputs)
	for _, dep := range s.Dependencies() {
		if dep.Local(wp.wf) {
			continue // ordered by wfPlan.order
		}
		ddoc, dw, dst, err := doc.ResolveDependency(wp.wf, dep)
		if err != nil {
			p.errorf(dep.Range, CodePlanWorkflow, "step %q: dependency %s: %v", s.StepID, dep.Ref, err)
			continue
		}
		sp.after = append(sp.after, stepRef{wf: p.workflow(ddoc, dw), step: dst.StepID, ref: dep.Ref})
	}
}

// source plans a source description's base URL once.
func (p *planner) source(src *arazzo.Source, op *oas.Operation, s *arazzo.Step) *sourcePlan {
	if sp, ok := p.srcs[src]; ok {
		return sp
	}
	name := src.Description.Name
	sp := &sourcePlan{name: name, doc: src.OpenAPI, loc: src.Location}
	p.srcs[src] = sp
	if u, ok := p.e.cfg.servers[name]; ok {
		sp.baseURL = strings.TrimRight(u, "/") // checked by checkConfig
		return sp
	}
	sp.index = p.e.cfg.serverIndex[name]
	return sp
}

// serverURL is the base URL an operation is sent to.
func (sp *sourcePlan) serverURL(op *oas.Operation) (string, error) {
	if sp.baseURL != "" {
		return sp.baseURL, nil
	}
	servers := op.Servers
	if sp.index < 0 || sp.index >= len(servers) {
		return "", fmt.Errorf("source %q has no server %d", sp.name, sp.index)
	}
	srv := servers[sp.index]
	u := srv.URL
	for name, v := range srv.Variables {
		u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("source %q: server URL %q: %v", sp.name, u, err)
	}
	if !parsed.IsAbs() {
		base, err := url.Parse(sp.loc)
		if err != nil || !base.IsAbs() {
			return "", fmt.Errorf("source %q: server URL %q is relative and the description was not loaded over http; set a server for it", sp.name, srv.URL)
		}
		u = base.ResolveReference(parsed).String()
	}
	return strings.TrimRight(u, "/"), nil
}

// params merges workflow-level and step parameters (D12): step entries
// first, then workflow entries the step does not redefine, by (name, in)
// with case-insensitive header names (D14).
func (p *planner) params(wp *wfPlan, sp *stepPlan) []*paramPlan {
	type key struct{ name, in string }
	keyOf := func(name, in string) key {
		if in == "header" {
			name = strings.ToLower(name)
		}
		return key{name, in}
	}
	// seen maps a key to its index in out; stepLevel marks the entries
	// of the step's own list.
	seen := map[key]int{}
	stepLevel := map[int]bool{}
	var out []*paramPlan
	put := func(k key, pp *paramPlan, workflowLevel bool) {
		if i, ok := seen[k]; ok {
			// Within one list, a later parameter overrides an earlier
			// one (header names differing only in case are one header:
			// the last listed is sent); a workflow entry never overrides
			// the step's.
			if !workflowLevel && stepLevel[i] {
				out[i] = pp
			}
			return
		}
		seen[k] = len(out)
		stepLevel[len(out)] = !workflowLevel
		out = append(out, pp)
	}
	add := func(list []*arazzo.Parameter, workflowLevel bool) {
		for _, prm := range list {
			name, in, val := prm.Name, prm.In, prm.Value
			if prm.Reusable != nil {
				c := resolveParamComponent(wp.doc, prm.Reusable.Reference)
				if c == nil {
					p.errorf(prm.Range, CodePlanValue, "parameter reference %q does not resolve", prm.Reusable.Reference)
					continue
				}
				name, in, val = c.Name, c.In, c.Value
				if prm.Reusable.HasValue {
					val = prm.Reusable.Value
				}
			}
			if workflowLevel {
				// Workflow parameters with "in" go to operations, those
				// without to called workflows.
				if (sp.callee != nil) != (in == "") {
					continue
				}
			}
			k := keyOf(name, in)
			if i, ok := seen[k]; ok && (workflowLevel || !stepLevel[i]) {
				continue
			}
			pp := &paramPlan{name: name, in: in, value: p.value(wp, val, prm.Range, fmt.Sprintf("parameter %q", name))}
			pp.enc = httpenc.Param{Name: name, In: in}
			if in == "querystring" {
				raw, _ := val.(string)
				pp.query = expr.ParseTemplate(raw, wp.opts...)
				if sp.op != nil && sp.op.QueryString != nil {
					pp.queryType = sp.op.QueryString.ContentType
				}
				put(k, pp, workflowLevel)
				continue
			}
			if sp.op != nil {
				if op := sp.op.Param(name, in); op != nil {
					explode := op.Explode
					pp.enc = httpenc.Param{Name: op.Name, In: in, Style: op.Style, Explode: &explode, AllowReserved: op.AllowReserved}
					if in == "header" {
						pp.enc.Name = name // send as written
					}
					pp.json = op.ContentType != "" && kindOf(op.ContentType) == bodyJSON
				}
			}
			put(k, pp, workflowLevel)
		}
	}
	add(sp.step.Parameters, false)
	add(wp.wf.Parameters, true)
	return out
}

func resolveParamComponent(doc *arazzo.Document, ref string) *arazzo.Parameter {
	e, err := expr.Parse(ref)
	if err != nil || e.Kind != expr.KindComponents || e.ID != "parameters" || doc.Components == nil {
		return nil
	}
	return doc.Components.Parameters[e.Name]
}

func resolveActionComponent(doc *arazzo.Document, ref string, failure bool) *arazzo.Action {
	e, err := expr.Parse(ref)
	if err != nil || e.Kind != expr.KindComponents || doc.Components == nil {
		return nil
	}
	if failure && e.ID == "failureActions" {
		return doc.Components.FailureActions[e.Name]
	}
	if !failure && e.ID == "successActions" {
		return doc.Components.SuccessActions[e.Name]
	}
	return nil
}

func (p *planner) criterion(wp *wfPlan, c *arazzo.Criterion) *criterionPlan {
	compiled, err := expr.CompileCriterion(c.Spec(), wp.opts...)
	if err != nil {
		p.errorf(c.ValueRange("condition"), CodePlanCriterion, "criterion %q: %v", c.Condition, err)
		return nil
	}
	return &criterionPlan{c: compiled, text: c.Condition, typ: c.EffectiveType()}
}

// actions merges step and workflow actions (D12): step entries first, then
// workflow entries whose name the step does not redefine.
func (p *planner) actions(wp *wfPlan, stepList, wfList []*arazzo.Action, failure bool) []*actionPlan {
	seen := map[string]bool{}
	var out []*actionPlan
	add := func(list []*arazzo.Action) {
		for _, a := range list {
			eff := a
			if a.Reusable != nil {
				eff = resolveActionComponent(wp.doc, a.Reusable.Reference, failure)
				if eff == nil {
					p.errorf(a.Range, CodePlanValue, "action reference %q does not resolve", a.Reusable.Reference)
					continue
				}
			}
			if seen[eff.Name] {
				continue
			}
			seen[eff.Name] = true
			ap := &actionPlan{index: len(out), name: eff.Name, typ: eff.Type, stepIndex: -1, retryLimit: 1}
			if eff.RetryAfter != nil {
				ap.retryAfter, ap.hasAfter = *eff.RetryAfter, true
			}
			if eff.RetryLimit != nil {
				ap.retryLimit = *eff.RetryLimit
			}
			if eff.StepID != "" {
				idx := -1
				for i, s := range wp.wf.Steps {
					if s.StepID == eff.StepID {
						idx = i
						break
					}
				}
				if idx < 0 {
					p.errorf(eff.ValueRange("stepId"), CodePlanWorkflow, "action %q: no step %q in workflow %q", eff.Name, eff.StepID, wp.id)
					continue
				}
				ap.stepIndex = idx
			}
			if eff.WorkflowID != "" {
				d, w, err := wp.doc.ResolveWorkflow(eff.WorkflowID)
				if err != nil {
					p.errorf(eff.ValueRange("workflowId"), CodePlanWorkflow, "action %q: %v", eff.Name, err)
					continue
				}
				ap.workflow = p.workflow(d, w)
				if eff.Parameters != nil {
					ap.params = []*paramPlan{}
				}
				for _, prm := range eff.Parameters {
					name, val := prm.Name, prm.Value
					if prm.Reusable != nil {
						c := resolveParamComponent(wp.doc, prm.Reusable.Reference)
						if c == nil {
							p.errorf(prm.Range, CodePlanValue, "parameter reference %q does not resolve", prm.Reusable.Reference)
							continue
						}
						name, val = c.Name, c.Value
						if prm.Reusable.HasValue {
							val = prm.Reusable.Value
						}
					}
					ap.params = append(ap.params, &paramPlan{name: name, value: p.value(wp, val, prm.Range, fmt.Sprintf("action %q parameter %q", eff.Name, name))})
				}
			}
			for _, c := range eff.Criteria {
				if cp := p.criterion(wp, c); cp != nil {
					ap.criteria = append(ap.criteria, cp)
				}
			}
			out = append(out, ap)
		}
	}
	add(stepList)
	add(wfList)
	return out
}

// body plans a request body: the content type (the step's, else the
// operation's first media type, D30), the compiled payload and replacements.
func (p *planner) body(sp *stepPlan, b *arazzo.RequestBody) *bodyPlan {
	ct := b.ContentType
	if ct == "" && sp.op.Body != nil && len(sp.op.Body.Content) > 0 {
		ct = sp.op.Body.Content[0].Name
	}
	if ct == "" {
		ct = "application/json"
	}
	rb := *b
	rb.ContentType = ct
	return p.bodyWith(sp, &rb)
}

// bodyWith plans a request body or message payload whose content type is
// decided (b.ContentType).
func (p *planner) bodyWith(sp *stepPlan, b *arazzo.RequestBody) *bodyPlan {
	bp := &bodyPlan{contentType: b.ContentType}
	bp.kind = kindOf(bp.contentType)
	wp := sp.wf
	if b.HasPayload {
		bp.payload = p.value(wp, b.Payload, b.ValueRange("payload"), "request body")
	}
	for _, r := range b.Replacements {
		rp := &replacementPlan{target: r.Target, value: p.value(wp, r.Value, r.ValueRange("value"), fmt.Sprintf("replacement %q", r.Target))}
		if ts := r.TargetSpec(bp.contentType); bp.kind == bodyXML && (ts.Type == "" || ts.Type == expr.SelectorXPath) {
			x, err := xpath.Compile(r.Target)
			if err != nil {
				p.errorf(r.ValueRange("target"), CodePlanBody, "replacement target %q is not a valid XPath: %v", r.Target, err)
				continue
			}
			rp.xpath = x
		} else {
			tgt, err := expr.CompileTarget(r.TargetSpec(bp.contentType), wp.opts...)
			if err != nil {
				p.errorf(r.ValueRange("target"), CodePlanBody, "replacement target %q: %v", r.Target, err)
				continue
			}
			rp.tgt = tgt
		}
		bp.replacements = append(bp.replacements, rp)
	}
	return bp
}

func kindOf(contentType string) bodyKind {
	switch contentType {
	// The common media types, without parameters, need no parsing (and
	// no allocation): kindOf runs several times per message and body.
	case "application/json":
		return bodyJSON
	case "text/plain":
		return bodyText
	case "application/xml":
		return bodyXML
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return bodyJSON
	case mt == "application/x-www-form-urlencoded":
		return bodyForm
	case mt == "multipart/form-data":
		return bodyMultipart
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return bodyXML
	case strings.HasPrefix(mt, "text/"):
		return bodyText
	}
	return bodyOther
}

// isLoopback reports whether host is a loopback name or address.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
