package executor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"time"

	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/jsonval"
	"github.com/telaio/telaio/schema"
)

// runState is the host of one Run (see interp.go): everything a run owns
// besides its control flow. The Engine stays immutable.
type runState struct {
	e        *Engine
	m        *machine
	auth     map[string]string
	observer Observer
	mask     masker
	lastBase string
	// httpClient is the engine's client with the run's redirect policy.
	httpClient *http.Client
	// traced are the bodies the trace holds, oldest first, and their
	// total size (Limits.MaxTraceBytes).
	traced      []tracedBody
	tracedBytes int64
	// usedTokens are the cached OAuth2 tokens the current request carries
	// (a 401 answer drops them from the cache).
	usedTokens []usedToken
	// armed are the run's subscriptions of receive steps.
	armed map[*stepPlan]*armed
	// tel is the run's OpenTelemetry spans and metrics (otel.go); nil
	// when the engine has none.
	tel *runTel
}

var _ host = (*runState)(nil)

// wfRun is one execution of a workflow.
type wfRun struct {
	plan    *wfPlan
	inputs  map[string]any
	outputs map[string]any            // as evaluated: what expressions read
	steps   map[string]map[string]any // step id -> outputs of its last execution
	res     *Result
	depth   int
	// transfer is the run a goto workflowId handed over to.
	transfer *wfRun
	// lastEx is the run's last HTTP exchange with a response (a step that
	// calls the workflow reads it as $statusCode and $response).
	lastEx *exchange
}

// answer is the run's outputs as they are: its own, or those of the run it
// transferred to.
func (wr *wfRun) answer() map[string]any {
	for wr.transfer != nil {
		wr = wr.transfer
	}
	return wr.outputs
}

// Run runs the workflow with the given id. inputs are validated against the
// inputs schema of the workflow, and of every workflow its dependsOn will
// run with them, after defaults are applied; invalid inputs give an
// *InputError and no request is sent. A run that fails returns a non-nil
// Result holding the full trace together with a *StepError (errors.As).
// Result.Outputs holds the workflow's outputs as they are; everything else
// of the Result, and the error, has secrets masked. Run is safe for
// concurrent use.
func (e *Engine) Run(ctx context.Context, workflowID string, inputs map[string]any, opts ...RunOption) (*Result, error) {
	p, ok := e.root[workflowID]
	if !ok {
		return nil, unknownWorkflow(workflowID, e.order)
	}
	e.precompileOnce.Do(func() { go e.precompile() })
	var rc runConfig
	for _, o := range opts {
		o(&rc)
	}
	rs := e.newRunState()
	rs.m = &machine{e: e, h: rs, done: map[*wfPlan]*wfRun{}}
	if e.tel != nil {
		rs.tel = e.tel.newRun(ctx, rs)
	}
	if len(rc.auth) > 0 {
		rs.auth = maps.Clone(e.cfg.auth)
		if rs.auth == nil {
			rs.auth = map[string]string{}
		}
		maps.Copy(rs.auth, rc.auth)
	}
	if rc.observer != nil {
		if rs.observer != nil {
			a, b := rs.observer, rc.observer
			rs.observer = ObserverFunc(func(ev Event) { a.Observe(ev); b.Observe(ev) })
		} else {
			rs.observer = rc.observer
		}
	}
	for _, v := range rc.auth { // the engine's are in e.mask already
		rs.mask.addCredential(v)
	}
	defer rs.disarm()
	return rs.runRoot(ctx, p, inputs)
}

// newRunState is the state of one run (or one durable attempt) of e.
func (e *Engine) newRunState() *runState {
	return &runState{e: e, auth: e.cfg.auth, observer: e.cfg.observer, mask: e.mask.fork()}
}

// runRoot runs p with inputs on rs's machine (Run and RunDurable): the
// inputs normalised, the trace masked, the outputs handed back as they
// are.
func (rs *runState) runRoot(ctx context.Context, p *wfPlan, inputs map[string]any) (*Result, error) {
	since := rs.mask.gen
	in, _ := jsonval.Normalize(inputs).(map[string]any)
	if in == nil {
		in = map[string]any{}
	}
	res, err := rs.m.run(ctx, p, in)
	if res != nil && err != nil && res.Error == "" {
		res.Error = rs.mask.apply(err.Error())
	}
	// Mask the whole trace again, outputs included, with every secret the
	// run learned (a called workflow's secret inputs, OAuth2 tokens); then
	// hand back the outputs as they are.
	rs.mask.result(res, since)
	if res != nil {
		res.redacted = res.Outputs
		if wr := rs.m.done[p]; wr != nil && wr.res == res {
			res.Outputs = wr.answer()
		}
	}
	return res, rs.mask.err(err)
}

func (rs *runState) now() time.Time { return rs.e.cfg.clock() }

func (rs *runState) sleep(ctx context.Context, d time.Duration) error { return rs.e.cfg.sleep(ctx, d) }

func (rs *runState) maskOutputs(outs map[string]any) map[string]any { return rs.mask.outputs(outs) }

func (rs *runState) maskText(s string) string { return rs.mask.apply(s) }

func (rs *runState) warn(msg string, args ...any) {
	if l := rs.logger(); l != nil {
		l.Warn(msg, args...)
	}
}

// workflowOutputs evaluates a finished workflow's outputs.
func (rs *runState) workflowOutputs(f *frame) (map[string]any, error) {
	outs, err := rs.evalOutputs(context.Background(), f.run, f.plan.outputs, nil)
	if err != nil {
		return outs, &StepError{WorkflowID: f.plan.id, Code: codeOf(err, CodeLimit), Err: err}
	}
	return outs, nil
}

// enter checks a workflow's inputs and learns its secrets, and those of the
// dependencies that will run with them, before anything is sent (a
// dependency's requests must not show the caller's secrets).
func (rs *runState) enter(ctx context.Context, p *wfPlan, in map[string]any) (map[string]any, error) {
	in, err := rs.checkInputs(p, in)
	if err != nil {
		return in, err
	}
	return in, rs.checkDependencies(p, in, map[*wfPlan]bool{p: true})
}

func (rs *runState) emit(ev Event) {
	if rs.tel != nil {
		rs.tel.event(ev)
	}
	if rs.observer != nil {
		rs.observer.Observe(ev)
	}
}

func (rs *runState) logger() *slog.Logger { return rs.e.cfg.logger }

// checkInputs applies the defaults of p's inputs schema to in, learns the
// secret inputs (format password or writeOnly, at any depth) and validates
// in. The error is an *InputError.
func (rs *runState) checkInputs(p *wfPlan, in map[string]any) (map[string]any, error) {
	if p.inputs == nil {
		return in, nil
	}
	if d, ok := p.inputs.ApplyDefaults(in).(map[string]any); ok {
		in = d
	}
	for _, path := range p.secrets {
		rs.learn(lookupPath(in, path))
	}
	if rs.e.cfg.skipInputs {
		return in, nil
	}
	if err := p.inputs.Validate(in); err != nil {
		var ve *schema.ValidationError
		if errors.As(err, &ve) {
			return in, &InputError{WorkflowID: p.id, Violations: ve.Violations}
		}
		return in, &InputError{WorkflowID: p.id, Violations: []schema.Violation{{Message: err.Error()}}}
	}
	return in, nil
}

// checkDependencies checks the inputs of every workflow p's dependsOn will
// run (transitively) with in, before the first of them runs.
func (rs *runState) checkDependencies(p *wfPlan, in map[string]any, seen map[*wfPlan]bool) error {
	for _, d := range p.deps {
		if seen[d] || rs.m.done[d] != nil {
			continue
		}
		seen[d] = true
		din, err := rs.checkInputs(d, in)
		if err != nil {
			return &StepError{WorkflowID: p.id, Code: CodeDependency, Err: fmt.Errorf("dependency %q: %w", d.id, err)}
		}
		if err := rs.checkDependencies(d, din, seen); err != nil {
			return err
		}
	}
	return nil
}

// learn makes every string and number inside v secret.
func (rs *runState) learn(v any) {
	switch x := v.(type) {
	case string:
		rs.mask.add(x)
	case float64:
		rs.mask.add(strconv.FormatFloat(x, 'f', -1, 64))
	case map[string]any:
		for _, e := range x {
			rs.learn(e)
		}
	case []any:
		for _, e := range x {
			rs.learn(e)
		}
	}
}

// lookupPath follows object member names into v; nil when absent.
func lookupPath(v any, path []string) any {
	for _, name := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[name]
	}
	return v
}

// attempt is the state of one execution attempt of a step.
type attempt struct {
	ex     *exchange
	callee *Result
	// calleeRun is the called workflow's run (its outputs as they are).
	calleeRun *wfRun
	// msg is the message a message step sent or received ($message).
	msg     *message
	success bool
	err     error
}

// evalOutputs evaluates an outputs map; absent values are left out (D23).
// An output larger than Limits.MaxValueBytes is a *LimitError.
func (rs *runState) evalOutputs(ctx context.Context, wr *wfRun, outs []outputPlan, ev *scope) (map[string]any, error) {
	res := make(map[string]any, len(outs))
	if ev == nil {
		ev = rs.scope(wr, nil, nil)
	}
	for _, o := range outs {
		var v any
		var ok bool
		var err error
		if o.sel != nil {
			v, ok, err = o.sel.Eval(ctx, ev)
		} else {
			v, ok, err = o.expr.Eval(ev)
		}
		if err != nil && ctx.Err() != nil {
			return res, ctx.Err()
		}
		if err != nil && o.sel != nil {
			// E25: a Selector Object that cannot be evaluated (a JSON
			// pointer to nothing, a context of the wrong kind) fails the
			// step; a plain expression's absent value is left out (D23).
			return res, &attemptError{code: CodeResponse, err: fmt.Errorf("output %q: %w", o.name, err)}
		}
		if err != nil || !ok {
			continue
		}
		if _, fits := expr.JSONSize(v, rs.e.cfg.limits.MaxValueBytes); !fits {
			return res, fmt.Errorf("output %q: %w", o.name, rs.valueLimit())
		}
		res[o.name] = v
	}
	return res, nil
}

var _ expr.Resolver = (*scope)(nil)
