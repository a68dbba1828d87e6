package executor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/telaio/telaio/arazzo"
)

// This file is the durable seam: what a durable runtime (package
// github.com/telaio/telaio/temporal) needs to drive the interpreter of
// interp.go from its own workflow code, and to run one step attempt
// somewhere else (an activity) from a serialisable request.
//
// The split:
//
//   - RunDurable runs the interpreter (control flow: step order, action
//     selection, retry counters and waits, goto and end, dependsOn,
//     workflow steps, the step budget) with a DurableHost. It starts no
//     goroutine, reads time only through DurableHost.Now and waits only
//     through DurableHost.Sleep, so it can run inside deterministic
//     workflow code and replay identically from recorded outcomes. Besides
//     step attempts it evaluates in process what reads no response: input
//     defaults and validation, the parameters of a step that calls a
//     workflow, the criteria of a workflow step after its call, and
//     workflow outputs.
//   - Engine.Attempt runs one attempt of one step from a StepRequest (the
//     scope the step's expressions can read) and returns a StepOutcome:
//     small, JSON-serialisable, with no response body.

// PlanFormatVersion names the format of what the interpreter decides from
// (plans, StepRequest, StepOutcome). It is part of Engine.Hash, so workers
// of a new format never pick up the runs of an old one.
const PlanFormatVersion = "telaio-plan/1"

// IdempotencyKeyHeader is the header Engine.Attempt sends a
// StepRequest.IdempotencyKey in.
const IdempotencyKeyHeader = "Idempotency-Key"

// IdempotencyKeyExtension, set to true on a step, asks a durable host to
// send its attempts with an idempotency key, so that an attempt lost with
// its worker may be sent again (StepRequest.Keyed).
const IdempotencyKeyExtension = "x-telaio-idempotency-key"

// DurableHost is what a durable runtime gives RunDurable. Its methods are
// called from the goroutine that called RunDurable, one at a time.
type DurableHost interface {
	// Attempt runs one step attempt (for example as an activity that
	// calls Engine.Attempt with req). An error means the attempt was lost
	// (no outcome): the interpreter treats it as a transport failure of
	// the attempt, which failure actions may handle; an error that is
	// context.Canceled or context.DeadlineExceeded (errors.Is) stops the
	// run instead.
	Attempt(ctx context.Context, req *StepRequest) (*StepOutcome, error)
	// Sleep waits d before a retry; an error (context.Canceled or
	// context.DeadlineExceeded) stops the run.
	Sleep(ctx context.Context, d time.Duration) error
	// Now is the run's clock (durations in the Result).
	Now() time.Time
}

// StepRequest is one step attempt as a durable host hands it to
// Engine.Attempt: which step, and everything its expressions can read
// besides the exchange itself. It holds secret inputs and outputs as they
// are: encrypt it wherever it is stored.
type StepRequest struct {
	// DocHash is Engine.Hash of the engine that planned the run.
	DocHash string `json:"docHash"`
	// Workflow names the step's workflow: its workflowId, prefixed with
	// the path of source description names that leads to its document
	// when that is not the engine's own ("flows/pets#adopt").
	Workflow string `json:"workflow"`
	StepID   string `json:"stepId"`
	// Attempt is the attempt number of the step's execution (from 1).
	Attempt int `json:"attempt"`
	// Execution numbers the run's step executions (from 1; the step
	// budget counts them): unique within a run, and the same when the
	// host replays it.
	Execution int `json:"execution"`
	// Method is the HTTP method of an operation step ("" for message
	// steps); Keyed tells a step marked with IdempotencyKeyExtension.
	// Hosts decide from them whether a lost attempt may be sent again.
	Method string `json:"method,omitempty"`
	Keyed  bool   `json:"keyed,omitempty"`
	// Receive tells a receive step: its attempt sends nothing, so a host
	// may run it again when it was lost.
	Receive bool `json:"receive,omitempty"`
	// IdempotencyKey, when set by the host, is sent as the
	// IdempotencyKeyHeader header of the attempt's request.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	// Inputs are the workflow's inputs; Steps the outputs of its steps
	// run so far, by step id; Workflows the finished workflow runs of the
	// same document ($workflows.<id>), by workflowId.
	Inputs    map[string]any              `json:"inputs"`
	Steps     map[string]map[string]any   `json:"steps,omitempty"`
	Workflows map[string]WorkflowSnapshot `json:"workflows,omitempty"`
	// Secrets are the secrets the run learned so far (secret inputs of
	// its workflows): the attempt masks them.
	Secrets []string `json:"secrets,omitempty"`
}

// WorkflowSnapshot is what $workflows.<id> reads of a finished workflow
// run.
type WorkflowSnapshot struct {
	Inputs  map[string]any `json:"inputs,omitempty"`
	Outputs map[string]any `json:"outputs,omitempty"`
}

// StepOutcome is what one attempt tells the interpreter: the decisions
// taken from the response (success, which actions' criteria held, the
// outputs, a Retry-After) and a masked summary of the attempt with no
// body. Outputs are as evaluated (secrets included).
type StepOutcome struct {
	Success bool `json:"success"`
	// OnSuccess and OnFailure tell, for each action of the step's lists,
	// whether its criteria all held; only the list of the attempt's
	// result is filled.
	OnSuccess []bool `json:"onSuccess,omitempty"`
	OnFailure []bool `json:"onFailure,omitempty"`
	// ActionInputs are the inputs an Arazzo 1.1 action that matched
	// passes to its workflow, by action index.
	ActionInputs  map[int]map[string]any `json:"actionInputs,omitempty"`
	Outputs       map[string]any         `json:"outputs,omitempty"`
	RetryAfter    time.Duration          `json:"retryAfterNs,omitempty"`
	HasRetryAfter bool                   `json:"hasRetryAfter,omitempty"`
	// Cause is why the attempt failed without a usable response
	// (CodeTransport, CodeResponse, CodeTimeout); failure actions may
	// handle it.
	Cause *Failure `json:"cause,omitempty"`
	// Fatal ends the run (a limit, a request that cannot be built,
	// refused credentials).
	Fatal *Failure `json:"fatal,omitempty"`
	// Learned are the secrets the attempt learned (OAuth2 tokens): the
	// interpreter masks them from then on.
	Learned []string `json:"learned,omitempty"`
	// Trace is the attempt's part of the StepResult, masked, bodies left
	// out (their sizes and hashes kept).
	Trace AttemptTrace `json:"trace"`
}

// Failure is an error crossing the seam: its code (one of the Code
// constants), its masked message, and the limit of a *LimitError.
type Failure struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	Limit      string `json:"limit,omitempty"`
	LimitValue int64  `json:"limitValue,omitempty"`
}

// AttemptTrace is one attempt's part of a StepResult.
type AttemptTrace struct {
	StatusCode int               `json:"statusCode,omitempty"`
	Error      string            `json:"error,omitempty"`
	Criteria   []CriterionResult `json:"criteria,omitempty"`
	Violations []Violation       `json:"violations,omitempty"`
	Exchanges  []*Exchange       `json:"exchanges,omitempty"`
	Direction  string            `json:"direction,omitempty"`
	Channel    string            `json:"channel,omitempty"`
	Messages   []*MessageTrace   `json:"messages,omitempty"`
}

// Errors of Engine.Attempt for a request this engine cannot run.
var (
	// ErrUnknownStep: the request names a workflow or step the engine
	// does not have (a request for another document).
	ErrUnknownStep = errors.New("executor: unknown workflow or step")
	// ErrWrongDocument: the request's DocHash is not the engine's.
	ErrWrongDocument = errors.New("executor: the request is for another document")
)

// durableIndex maps the names a StepRequest uses to plans, built once.
type durableIndex struct {
	once  sync.Once
	hash  string
	plans map[string]*wfPlan
	keys  map[*wfPlan]string
}

func (e *Engine) durableIndex() *durableIndex {
	d := &e.durable
	d.once.Do(func() {
		d.hash = e.computeHash()
		paths := docPaths(e.doc)
		d.plans, d.keys = map[string]*wfPlan{}, map[*wfPlan]string{}
		for _, p := range e.plans {
			path, ok := paths[p.doc]
			if !ok {
				continue
			}
			key := p.id
			if path != "" {
				key = path + "#" + p.id
			}
			d.plans[key], d.keys[p] = p, key
		}
	})
	return d
}

// docPaths names each document reachable from root by the source
// description names leading to it (the first path in name order; "" for
// root).
func docPaths(root *arazzo.Document) map[*arazzo.Document]string {
	paths := map[*arazzo.Document]string{root: ""}
	queue := []*arazzo.Document{root}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		for _, name := range slices.Sorted(maps.Keys(d.Sources)) {
			sub := d.Sources[name].Arazzo
			if sub == nil {
				continue
			}
			if _, seen := paths[sub]; seen {
				continue
			}
			p := name
			if paths[d] != "" {
				p = paths[d] + "/" + name
			}
			paths[sub] = p
			queue = append(queue, sub)
		}
	}
	return paths
}

// Hash identifies what the engine runs: the SHA-256 (hex) of
// PlanFormatVersion, the Arazzo document's bytes and every source
// description's bytes (the digests of the files of an OpenAPI description,
// so that a description from the plan cache hashes the same), by source
// name, recursively. Two engines with the
// same hash plan the same runs; durable workers keep engines by it, and a
// run records the hash it started with. Options (servers, credentials,
// limits) are not part of it: they belong to the worker.
func (e *Engine) Hash() string { return e.durableIndex().hash }

func (e *Engine) computeHash() string {
	h := sha256.New()
	field := func(s string, b []byte) {
		fmt.Fprintf(h, "%s %d\n", s, len(b))
		h.Write(b)
	}
	field("format", []byte(PlanFormatVersion))
	raw := func(v any) []byte {
		b, err := json.Marshal(v) // sorted keys: deterministic
		if err != nil {
			return []byte(err.Error())
		}
		return b
	}
	seen := map[*arazzo.Document]bool{}
	var walk func(path string, d *arazzo.Document)
	walk = func(path string, d *arazzo.Document) {
		if d == nil || seen[d] {
			return
		}
		seen[d] = true
		if d.Src != nil {
			field("arazzo "+path, d.Src)
		} else {
			field("arazzo-raw "+path, raw(d.Raw))
		}
		for _, name := range slices.Sorted(maps.Keys(d.Sources)) {
			src := d.Sources[name]
			sp := path + "/" + name
			switch {
			case src.OpenAPI != nil:
				// The digests of its files: the same for a description
				// read whole and for a subset from the plan cache.
				files := src.OpenAPI.Files()
				if len(files) == 0 {
					// A one-file subset from the cache: its root file's
					// bytes, read again.
					if b, err := src.OpenAPI.Source(); err == nil && b != nil {
						sum := sha256.Sum256(b)
						field("openapi "+sp+" 0", sum[:])
					} else {
						field("openapi-raw "+sp, raw(src.OpenAPI.Raw))
					}
				}
				for i, f := range files {
					field(fmt.Sprintf("openapi %s %d", sp, i), f.SHA256[:])
				}
			case src.AsyncAPI != nil:
				field("asyncapi "+sp, raw(src.AsyncAPI.Raw))
			case src.Arazzo != nil:
				field("source "+sp, nil)
				walk(sp, src.Arazzo)
			}
		}
	}
	walk("", e.doc)
	return hex.EncodeToString(h.Sum(nil))
}

// durableRun is the host of RunDurable: the in-process host with attempts,
// waits and the clock given to a DurableHost; receive steps are armed ahead
// only by a host that is an Armer (else a receive attempt subscribes when
// it runs).
type durableRun struct {
	*runState
	dh DurableHost
	// armedSteps are the receive steps an Armer host was asked to arm.
	armedSteps map[*stepPlan]bool
}

var _ host = (*durableRun)(nil)

func (d *durableRun) now() time.Time { return d.dh.Now() }

func (d *durableRun) sleep(ctx context.Context, dur time.Duration) error { return d.dh.Sleep(ctx, dur) }

// arm asks an Armer host to subscribe the receive steps of f's workflow
// whose channel address is known, once each (as Run's arm does); the
// address is computed here, from what the run knows.
func (d *durableRun) arm(ctx context.Context, f *frame) {
	armer, ok := d.dh.(Armer)
	if !ok {
		return
	}
	idx := d.e.durableIndex()
	for _, sp := range f.plan.steps {
		mp := sp.msg
		if mp == nil || mp.action != arazzo.StepReceive || mp.channel == nil || d.armedSteps[sp] {
			continue
		}
		addr, ok := d.address(ctx, f.run, sp, true)
		if !ok {
			continue
		}
		if d.armedSteps == nil {
			d.armedSteps = map[*stepPlan]bool{}
		}
		d.armedSteps[sp] = true
		if err := armer.Arm(ctx, &ArmRequest{DocHash: idx.hash, Workflow: idx.keys[f.plan], StepID: sp.id, Address: addr}); err != nil {
			d.warn("a receive step is not armed ahead: it subscribes when it runs", "step", sp.id, "error", d.mask.apply(err.Error()))
		}
	}
}

// RunDurable runs the workflow with the given id as Run does, with every
// step attempt, wait and clock reading given to h. It is deterministic for
// a given engine, inputs and sequence of results from h: it starts no
// goroutine and reads nothing else that changes, so a durable runtime can
// call it from workflow code and replay it. A step's timeout (E12) bounds
// each of its attempts (in Engine.Attempt); the time a called workflow
// takes is not bounded by its calling step's timeout here. The Result has
// the trace of each attempt without bodies. Only the observer given with
// RunWithObserver sees the run's events (a durable runtime replays runs,
// and decides what its observer does on replay); the engine's
// WithObserver observer is not called. For the same reason it records no
// span or metric: those of the attempts come from Engine.Attempt.
func (e *Engine) RunDurable(ctx context.Context, workflowID string, inputs map[string]any, h DurableHost, opts ...RunOption) (*Result, error) {
	p, ok := e.root[workflowID]
	if !ok {
		return nil, unknownWorkflow(workflowID, e.order)
	}
	var rc runConfig
	for _, o := range opts {
		o(&rc)
	}
	rs := e.newRunState()
	if rc.observer != nil {
		rs.observer = rc.observer
	}
	d := &durableRun{runState: rs, dh: h}
	rs.m = &machine{e: e, h: d, done: map[*wfPlan]*wfRun{}, durable: true}
	return rs.runRoot(ctx, p, inputs)
}

// attempt gives an operation or message step's attempt to the durable
// host; the evaluation after a called workflow stays in process.
func (d *durableRun) attempt(ctx context.Context, f *frame, x *stepExec) outcome {
	if x.call != nil || (x.sp.op == nil && x.sp.msg == nil) {
		return d.runState.attempt(ctx, f, x)
	}
	req := d.request(f, x)
	so, err := d.dh.Attempt(ctx, req)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return outcome{fatal: &StepError{WorkflowID: f.plan.id, StepID: x.sp.id, Attempt: x.sr.Attempts, Code: ctxCode(err), Err: err}}
		}
		return d.lost(ctx, f, x, err)
	}
	for _, s := range so.Learned {
		d.mask.add(s)
	}
	sr, t := x.sr, so.Trace
	if t.StatusCode != 0 {
		sr.StatusCode = t.StatusCode
	}
	sr.Error, sr.Criteria = t.Error, t.Criteria
	sr.Violations = append(sr.Violations, t.Violations...)
	sr.Exchanges = append(sr.Exchanges, t.Exchanges...)
	sr.Messages = append(sr.Messages, t.Messages...)
	if t.Direction != "" {
		sr.Direction, sr.Channel = t.Direction, t.Channel
	}
	if so.Fatal != nil {
		return outcome{fatal: &StepError{WorkflowID: f.plan.id, StepID: x.sp.id, Attempt: x.sr.Attempts, Code: so.Fatal.Code, Err: so.Fatal.err()}}
	}
	o := outcome{success: so.Success, outputs: so.Outputs, onSuccess: so.OnSuccess, onFailure: so.OnFailure,
		retryAfter: so.RetryAfter, hasRetryAfter: so.HasRetryAfter, actionInputs: so.ActionInputs}
	if o.outputs == nil {
		o.outputs = map[string]any{}
	}
	if so.Cause != nil {
		o.cause = &attemptError{code: so.Cause.Code, err: so.Cause.err()}
	}
	return o
}

// lost is the outcome of an attempt the host lost (its worker died and
// sending it again was not safe): a transport failure, with the failure
// actions' criteria evaluated here against an attempt without response.
func (d *durableRun) lost(ctx context.Context, f *frame, x *stepExec, err error) outcome {
	ae := &attemptError{code: CodeTransport, err: fmt.Errorf("the attempt was lost (its worker stopped or timed out) and is not sent again: %w", err)}
	x.sr.Error = d.mask.apply(ae.Error())
	o := outcome{cause: ae, outputs: map[string]any{}}
	if x.isTarget {
		return o
	}
	ev := d.scope(f.run, x.sp, &attempt{})
	o.onFailure = make([]bool, len(x.sp.onFailure))
	for i, a := range x.sp.onFailure {
		ok, _ := d.actionMatches(ctx, a, ev)
		o.onFailure[i] = ok
	}
	return o
}

// request builds the StepRequest of x's next attempt.
func (d *durableRun) request(f *frame, x *stepExec) *StepRequest {
	idx := d.e.durableIndex()
	req := &StepRequest{DocHash: idx.hash, Workflow: idx.keys[f.plan], StepID: x.sp.id, Attempt: x.sr.Attempts,
		Execution: d.m.steps, Inputs: f.run.inputs, Steps: f.run.steps}
	req.Method, req.Keyed = stepInfo(x.sp)
	req.Receive = x.sp.msg != nil && x.sp.msg.action == arazzo.StepReceive
	for p, run := range d.m.done {
		if p.doc == f.plan.doc {
			if req.Workflows == nil {
				req.Workflows = map[string]WorkflowSnapshot{}
			}
			req.Workflows[p.id] = WorkflowSnapshot{Inputs: run.inputs, Outputs: run.outputs}
		}
	}
	for s := range d.mask.added {
		if !d.e.mask.added[s] {
			req.Secrets = append(req.Secrets, s)
		}
	}
	sort.Strings(req.Secrets)
	return req
}

// stepInfo tells what a step sends (its HTTP method) and whether it asks
// for idempotency keys.
func stepInfo(sp *stepPlan) (method string, keyed bool) {
	if sp.op != nil {
		method = strings.ToUpper(sp.op.Method)
	}
	if sp.step != nil {
		keyed = sp.step.Extensions[IdempotencyKeyExtension] == true
	}
	return method, keyed
}

func (f *Failure) err() error {
	if f.Limit != "" {
		return &LimitError{Limit: f.Limit, Value: f.LimitValue}
	}
	return errors.New(f.Message)
}

// Attempt runs one attempt of the step req names, as Run would in the
// middle of a run whose state req carries: it builds and sends the request
// (with the engine's servers and credentials, and req.IdempotencyKey in
// the IdempotencyKeyHeader header), reads and checks the response, and
// evaluates the success criteria, the step's outputs, the criteria of its
// actions and Retry-After. The outcome's trace is masked and has no
// bodies. An error means the request is not for this engine
// (ErrWrongDocument, ErrUnknownStep) or ctx ended before the attempt did
// (then the attempt did not finish: run it again or count it lost). With
// WithTracerProvider the attempt is an "attempt <stepId>" span, with its
// HTTP and messaging spans, child of the span in ctx (a durable runtime's
// activity span); WithMeterProvider counts it in telaio.attempts and
// telaio.failures.
func (e *Engine) Attempt(ctx context.Context, req *StepRequest) (*StepOutcome, error) {
	return e.AttemptWith(ctx, req, nil)
}

// step finds the plans of the step a request names.
func (e *Engine) step(docHash, workflow, stepID string) (*durableIndex, *wfPlan, *stepPlan, error) {
	idx := e.durableIndex()
	if docHash != "" && docHash != idx.hash {
		return nil, nil, nil, fmt.Errorf("%w: %s, this engine runs %s", ErrWrongDocument, docHash, idx.hash)
	}
	if p := idx.plans[workflow]; p != nil {
		for _, s := range p.steps {
			if s.id == stepID {
				return idx, p, s, nil
			}
		}
	}
	return nil, nil, nil, fmt.Errorf("%w: step %q of workflow %q", ErrUnknownStep, stepID, workflow)
}

// AttemptWith is Attempt with a run's subscriptions (nil: none, as
// Attempt): a send attempt that makes a reply address leaves its
// subscription there for the receive step of the reply, and a receive
// attempt reads from the subscription there, armed by an earlier attempt
// or by Arm, rather than subscribing when it runs (and missing what was
// published before).
func (e *Engine) AttemptWith(ctx context.Context, req *StepRequest, subs *Subscriptions) (*StepOutcome, error) {
	idx, p, sp, err := e.step(req.DocHash, req.Workflow, req.StepID)
	if err != nil {
		return nil, err
	}
	e.precompileOnce.Do(func() { go e.precompile() })
	rs := e.newRunState()
	rs.m = &machine{e: e, h: rs, done: map[*wfPlan]*wfRun{}}
	if e.tel != nil {
		rs.tel = e.tel.newRun(ctx, rs)
	}
	if subs != nil {
		if subs.e != e {
			return nil, errForeignSubscriptions
		}
		subs.mu.Lock()
		defer subs.mu.Unlock()
		rs.armed = subs.armed
	} else {
		defer rs.disarm()
	}
	for _, s := range req.Secrets {
		rs.mask.add(s)
	}
	known := maps.Clone(rs.mask.added)
	for id, w := range req.Workflows {
		if wp := idx.plans[prefixOf(req.Workflow)+id]; wp != nil {
			rs.m.done[wp] = &wfRun{plan: wp, inputs: w.Inputs, outputs: w.Outputs, steps: map[string]map[string]any{}}
		}
	}
	steps := req.Steps
	if steps == nil {
		steps = map[string]map[string]any{}
	}
	inputs := req.Inputs
	if inputs == nil {
		inputs = map[string]any{}
	}
	wr := &wfRun{plan: p, inputs: inputs, steps: steps}
	f := &frame{plan: p, run: wr, phase: phaseSteps}
	sr := &StepResult{StepID: sp.id, Attempts: req.Attempt, Outputs: map[string]any{}}
	x := &stepExec{sp: sp, sr: sr}
	if req.IdempotencyKey != "" {
		c := *rs.client()
		c.Transport = keyed{rt: c.Transport, key: req.IdempotencyKey}
		rs.httpClient = &c
	}
	o := rs.attempt(ctx, f, x)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	so := &StepOutcome{Success: o.success, OnSuccess: o.onSuccess, OnFailure: o.onFailure, ActionInputs: o.actionInputs,
		Outputs: o.outputs, RetryAfter: o.retryAfter, HasRetryAfter: o.hasRetryAfter}
	if o.fatal != nil {
		so.Fatal = rs.failure(o.fatal, CodeRequest)
	}
	if o.cause != nil {
		so.Cause = rs.failure(o.cause, CodeTransport)
	}
	for s := range rs.mask.added {
		if !known[s] && !e.mask.added[s] {
			so.Learned = append(so.Learned, s)
		}
	}
	sort.Strings(so.Learned)
	for _, ex := range sr.Exchanges {
		if ex.Request != nil {
			ex.Request.Body = ""
		}
		if ex.Response != nil {
			ex.Response.Body = nil
		}
	}
	for _, m := range sr.Messages {
		m.Payload = nil
	}
	so.Trace = AttemptTrace{StatusCode: sr.StatusCode, Error: sr.Error, Criteria: sr.Criteria, Violations: sr.Violations,
		Exchanges: sr.Exchanges, Direction: sr.Direction, Channel: sr.Channel, Messages: sr.Messages}
	return so, nil
}

// prefixOf is the document part of a plan key ("a/b#" of "a/b#wf").
func prefixOf(key string) string {
	if i := strings.LastIndexByte(key, '#'); i >= 0 {
		return key[:i+1]
	}
	return ""
}

// failure turns an attempt's error into a Failure, masked.
func (rs *runState) failure(err error, code string) *Failure {
	f := &Failure{Code: code}
	var se *StepError
	var ae *attemptError
	var le *LimitError
	switch {
	case errors.As(err, &se):
		f.Code = se.Code
		if se.Err != nil {
			err = se.Err
		}
	case errors.As(err, &ae):
		f.Code = ae.code
	}
	if errors.As(err, &le) {
		f.Limit, f.LimitValue = le.Limit, le.Value
	}
	f.Message = rs.mask.apply(err.Error())
	return f
}

// keyed sends an idempotency key with every request of an attempt (the
// redirects it follows included).
type keyed struct {
	rt  http.RoundTripper
	key string
}

func (k keyed) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set(IdempotencyKeyHeader, k.key)
	rt := k.rt
	if rt == nil {
		rt = http.DefaultTransport
	}
	return rt.RoundTrip(r)
}

// RestoreRedacted gives a Result read back from storage (a durable
// runtime's history) the masked outputs Result.Redacted returns, which
// JSON does not carry: redacted is the stored r.Redacted().Outputs.
func RestoreRedacted(r *Result, redacted map[string]any) {
	if r != nil && redacted != nil {
		r.redacted = redacted
	}
}

// Subscriptions are the receive subscriptions of one durable run kept open
// in one process between its attempts (package temporal keeps them on the
// worker of a run's session): the reply subscriptions send attempts open
// (AttemptWith) and those Arm opens ahead of receive steps. One attempt
// uses them at a time. Close closes them.
type Subscriptions struct {
	e     *Engine
	mu    sync.Mutex
	armed map[*stepPlan]*armed
}

// NewSubscriptions returns an empty set of subscriptions for e's runs.
func (e *Engine) NewSubscriptions() *Subscriptions {
	return &Subscriptions{e: e, armed: map[*stepPlan]*armed{}}
}

// Close closes the subscriptions; s can be used again afterwards.
func (s *Subscriptions) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sp, a := range s.armed {
		if a.sub != nil {
			a.sub.Close()
		}
		delete(s.armed, sp)
	}
}

var errForeignSubscriptions = errors.New("executor: the subscriptions belong to another engine")

// ArmRequest asks Engine.Arm to subscribe a receive step to its channel
// ahead of the step.
type ArmRequest struct {
	DocHash  string `json:"docHash"`
	Workflow string `json:"workflow"`
	StepID   string `json:"stepId"`
	// Address is the channel address, computed by the interpreter.
	Address string `json:"address"`
}

// Armer is implemented by a DurableHost that keeps subscriptions open
// between the attempts of a run (Subscriptions, AttemptWith): RunDurable
// then asks it to arm each receive step whose channel address is known
// when Run would subscribe it, so that a message published before the step
// is reached is not lost. An error leaves the step to subscribe when it
// runs.
type Armer interface {
	Arm(ctx context.Context, req *ArmRequest) error
}

// Arm subscribes the receive step req names to req.Address in subs, ahead
// of the step; arming it again on the same address keeps the subscription.
func (e *Engine) Arm(ctx context.Context, req *ArmRequest, subs *Subscriptions) error {
	_, _, sp, err := e.step(req.DocHash, req.Workflow, req.StepID)
	if err != nil {
		return err
	}
	if sp.msg == nil || sp.msg.action != arazzo.StepReceive || sp.msg.channel == nil {
		return fmt.Errorf("%w: step %q of workflow %q is not a receive step with a channel", ErrUnknownStep, req.StepID, req.Workflow)
	}
	if subs == nil || subs.e != e {
		return errForeignSubscriptions
	}
	subs.mu.Lock()
	defer subs.mu.Unlock()
	if a := subs.armed[sp]; a != nil {
		if a.address == req.Address && a.err == nil {
			return nil
		}
		if a.sub != nil {
			a.sub.Close()
		}
	}
	rs := &runState{e: e, armed: subs.armed}
	return rs.subscribe(ctx, sp, req.Address).err
}

// HasReceiveSteps reports whether a workflow of the engine's document, or
// of a document it reaches through its source descriptions, has a receive
// step: a durable host must then keep a run's subscriptions between its
// attempts (Armer) for the run to behave as Run does.
func (e *Engine) HasReceiveSteps() bool {
	for _, p := range e.durableIndex().plans {
		if p.receives {
			return true
		}
	}
	return false
}
