package executor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/jsonval"
	"github.com/telaio/telaio/schema"
)

// runState is everything one Run owns; the Engine stays immutable.
type runState struct {
	e        *Engine
	auth     map[string]string
	observer Observer
	mask     masker
	steps    int // step executions so far (budget)
	lastBase string
	// httpClient is the engine's client with the run's redirect policy.
	httpClient *http.Client
	// done holds the finished runs of workflows, for dependsOn (each
	// dependency runs once per run) and $workflows.<id> expressions.
	done map[*wfPlan]*wfRun
}

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
	rs := &runState{e: e, auth: e.cfg.auth, observer: e.cfg.observer, done: map[*wfPlan]*wfRun{}, mask: e.mask.fork()}
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
	since := rs.mask.gen
	res, err := rs.runWorkflow(ctx, p, inputs, 0)
	if res != nil && err != nil && res.Error == "" {
		res.Error = rs.mask.apply(err.Error())
	}
	// Mask the whole trace again, outputs included, with every secret the
	// run learned (a called workflow's secret inputs, OAuth2 tokens); then
	// hand back the outputs as they are.
	rs.mask.result(res, since)
	if res != nil {
		res.redacted = res.Outputs
		if wr := rs.done[p]; wr != nil && wr.res == res {
			res.Outputs = wr.answer()
		}
	}
	return res, rs.mask.err(err)
}

func (rs *runState) emit(ev Event) {
	if rs.observer != nil {
		rs.observer.Observe(ev)
	}
}

func (rs *runState) logger() *slog.Logger { return rs.e.cfg.logger }

func (rs *runState) runWorkflow(ctx context.Context, p *wfPlan, inputs map[string]any, depth int) (*Result, error) {
	start := rs.e.cfg.clock()
	res := &Result{WorkflowID: p.id, Status: StatusFailed, Outputs: map[string]any{}, Steps: []*StepResult{}}
	finish := func(err error) (*Result, error) {
		res.Duration = rs.e.cfg.clock().Sub(start)
		if err != nil {
			res.Success = false
			res.Status = StatusFailed
			if res.Error == "" {
				res.Error = rs.mask.apply(err.Error())
			}
		}
		rs.emit(Event{Kind: WorkflowFinished, WorkflowID: p.id, Depth: depth, Result: res})
		return res, err
	}
	if depth >= rs.e.cfg.limits.MaxDepth {
		return finish(&StepError{WorkflowID: p.id, Code: CodeLimit, Err: &LimitError{Limit: LimitDepth, Value: int64(rs.e.cfg.limits.MaxDepth)}})
	}
	rs.emit(Event{Kind: WorkflowStarted, WorkflowID: p.id, Depth: depth})

	in, _ := jsonval.Normalize(inputs).(map[string]any)
	if in == nil {
		in = map[string]any{}
	}
	// The inputs of this workflow, and of every dependency that will run
	// with them, are checked and their secrets learned before anything is
	// sent (a dependency's requests must not show the caller's secrets).
	in, err := rs.checkInputs(p, in)
	res.Inputs = in
	if err != nil {
		return finish(err)
	}
	if err := rs.checkDependencies(p, in, map[*wfPlan]bool{p: true}); err != nil {
		return finish(err)
	}
	// Dependencies run first, once per run (D22), with the caller's inputs.
	for _, d := range p.deps {
		dr, ok := rs.done[d]
		if !ok {
			r, err := rs.runWorkflow(ctx, d, in, depth+1)
			res.Dependencies = append(res.Dependencies, r)
			if err != nil {
				return finish(&StepError{WorkflowID: p.id, Code: CodeDependency, Err: fmt.Errorf("dependency %q failed: %w", d.id, err)})
			}
			dr = rs.done[d]
		}
		if dr == nil || !dr.res.Success {
			return finish(&StepError{WorkflowID: p.id, Code: CodeDependency, Err: fmt.Errorf("dependency %q failed", d.id)})
		}
	}
	wr := &wfRun{plan: p, inputs: in, steps: map[string]map[string]any{}, res: res, depth: depth}
	err = rs.runSteps(ctx, wr)
	if res.Transfer == nil {
		wr.outputs = rs.evalOutputs(wr, p.outputs, nil)
	}
	// The trace (and observers) see the outputs masked; expressions read
	// wr's, and Run hands back the root's as they are.
	res.Outputs = rs.mask.outputs(wr.answer())
	rs.done[p] = wr
	return finish(err)
}

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
		if seen[d] || rs.done[d] != nil {
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

// runSteps runs the steps of a workflow run and sets its status.
func (rs *runState) runSteps(ctx context.Context, wr *wfRun) error {
	p, res := wr.plan, wr.res
	i := 0
	lastOK := true
	for i < len(p.steps) {
		if err := ctx.Err(); err != nil {
			return &StepError{WorkflowID: p.id, StepID: p.steps[i].id, Code: CodeCanceled, Err: err}
		}
		sp := p.steps[i]
		sr, act, cause, err := rs.runStep(ctx, wr, sp)
		res.Steps = append(res.Steps, sr)
		if err != nil {
			return err
		}
		lastOK = sr.Success
		switch {
		case act == nil && sr.Success:
			i++
		case act == nil:
			// A failed exchange or an unreadable response keeps its own
			// code (transport, response); unmet criteria are step-failed.
			code := CodeStepFailed
			var ae *attemptError
			if errors.As(cause, &ae) {
				code = ae.code
			}
			return &StepError{WorkflowID: p.id, StepID: sp.id, Attempt: sr.Attempts, Code: code, Err: stepFailure(sr, cause)}
		case act.typ == "end":
			sr.Action = "end"
			if !sr.Success {
				// D18: an end reached from onFailure fails the workflow.
				return &StepError{WorkflowID: p.id, StepID: sp.id, Attempt: sr.Attempts, Code: CodeEndedOnFailure, Err: fmt.Errorf("ended by failure action %q: %w", act.name, stepFailure(sr, cause))}
			}
			res.Success, res.Status = true, StatusEnded
			return nil
		case act.typ == "goto" && act.workflow != nil:
			sr.Action = "goto"
			// A one-way transfer: the target's result is the run's.
			tr, err := rs.runWorkflow(ctx, act.workflow, rs.inputsFor(act.workflow, wr.inputs), wr.depth+1)
			res.Transfer = tr
			if tr != nil {
				res.Success, res.Status = tr.Success, tr.Status
				if t := rs.done[act.workflow]; t != nil && t.res == tr {
					wr.transfer = t
				}
			}
			if err != nil {
				return &StepError{WorkflowID: p.id, StepID: sp.id, Code: CodeWorkflow, Err: fmt.Errorf("goto workflow %q: %w", act.workflow.id, err)}
			}
			return nil
		case act.typ == "goto":
			sr.Action = "goto"
			i = act.stepIndex
		}
	}
	if !lastOK {
		return &StepError{WorkflowID: p.id, StepID: res.Steps[len(res.Steps)-1].StepID, Code: CodeStepFailed, Err: errors.New("the last step failed")}
	}
	res.Success, res.Status = true, StatusCompleted
	return nil
}

// inputsFor passes the current inputs whose names the target declares (all
// of them when it declares none), D20.
func (rs *runState) inputsFor(target *wfPlan, in map[string]any) map[string]any {
	if target.inputKeys == nil {
		return in
	}
	out := map[string]any{}
	for k, v := range in {
		if target.inputKeys[k] {
			out[k] = v
		}
	}
	return out
}

// stepFailure is why a step failed: its (masked) error, unwrapping to the
// attempt's cause when there is one, else the first unmet criterion.
func stepFailure(sr *StepResult, cause error) error {
	if sr.Error != "" {
		if cause != nil {
			return &maskedError{msg: sr.Error, cause: cause}
		}
		return errors.New(sr.Error)
	}
	for _, c := range sr.Criteria {
		if !c.Passed {
			if c.Error != "" {
				return fmt.Errorf("criterion %q failed: %s", c.Condition, c.Error)
			}
			if sr.StatusCode != 0 {
				return fmt.Errorf("criterion %q not met (status %d)", c.Condition, sr.StatusCode)
			}
			return fmt.Errorf("criterion %q not met", c.Condition)
		}
	}
	return errors.New("step failed")
}

// attempt is the state of one execution attempt of a step.
type attempt struct {
	ex     *exchange
	callee *Result
	// calleeRun is the called workflow's run (its outputs as they are).
	calleeRun *wfRun
	success   bool
	err       error
}

// runStep runs a step with its retries and returns the action selected
// (nil: the default for success or failure) and, for a failed step, the
// last attempt's error when it had no usable response (else nil).
func (rs *runState) runStep(ctx context.Context, wr *wfRun, sp *stepPlan) (*StepResult, *actionPlan, error, error) {
	start := rs.e.cfg.clock()
	sr := &StepResult{StepID: sp.id, Outputs: map[string]any{}}
	if sp.op != nil {
		sr.Operation, sr.OperationID = sp.label, sp.op.ID
	}
	if sp.callee != nil {
		sr.WorkflowID = sp.callee.id
	}
	rs.emit(Event{Kind: StepStarted, WorkflowID: wr.plan.id, StepID: sp.id, Depth: wr.depth})
	var cause error
	done := func(act *actionPlan, err error) (*StepResult, *actionPlan, error, error) {
		sr.Duration = rs.e.cfg.clock().Sub(start)
		rs.emit(Event{Kind: StepFinished, WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Depth: wr.depth, Step: sr})
		return sr, act, cause, err
	}
	retries := map[*actionPlan]int{}
	for {
		sr.Attempts++
		sr.Action = ""
		rs.steps++
		if rs.steps > rs.e.cfg.limits.MaxStepExecutions {
			err := &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: CodeLimit,
				Err: &LimitError{Limit: LimitStepExecutions, Value: int64(rs.e.cfg.limits.MaxStepExecutions)}}
			sr.Error = err.Err.Error()
			return done(nil, err)
		}
		at, fatal := rs.execute(ctx, wr, sp, sr)
		if fatal != nil {
			sr.Error = rs.mask.apply(fatal.Error())
			return done(nil, fatal)
		}
		cause = at.err
		ev := rs.scope(wr, sp, at)
		sr.Success = at.success
		outs := rs.evalOutputs(wr, sp.outputs, ev)
		wr.steps[sp.id] = outs // expressions read the values; the trace masks them
		sr.Outputs = rs.mask.outputs(outs)
		if at.success {
			sr.Error = ""
			act, err := rs.selectAction(sp.onSuccess, ev, nil)
			if err != nil {
				return done(nil, &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: CodeStepFailed, Err: err})
			}
			return done(act, nil)
		}
		// Select a failure action. A retry whose named step or workflow
		// fails counts as a failed retry attempt (D21): select again
		// against the same response, without re-sending the step.
		for {
			act, err := rs.selectAction(sp.onFailure, ev, retries)
			if err != nil {
				return done(nil, &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: CodeStepFailed, Err: err})
			}
			if act == nil || act.typ != "retry" {
				return done(act, nil)
			}
			retries[act]++
			wait := rs.retryWait(act, at)
			if err := rs.e.cfg.sleep(ctx, wait); err != nil {
				return done(nil, &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: CodeCanceled, Err: err})
			}
			if act.stepIndex < 0 && act.workflow == nil {
				break
			}
			ok, err := rs.runRetryTarget(ctx, wr, act)
			if err != nil {
				return done(nil, err)
			}
			if ok {
				break
			}
		}
	}
}

// runRetryTarget runs the step or workflow a retry action names, without
// following its own actions.
func (rs *runState) runRetryTarget(ctx context.Context, wr *wfRun, act *actionPlan) (bool, error) {
	if act.workflow != nil {
		r, err := rs.runWorkflow(ctx, act.workflow, rs.inputsFor(act.workflow, wr.inputs), wr.depth+1)
		if r != nil {
			wr.res.Dependencies = append(wr.res.Dependencies, r)
		}
		var se *StepError
		if err != nil && errors.As(err, &se) && se.Code == CodeLimit {
			return false, err
		}
		return err == nil && r != nil && r.Success, nil
	}
	target := wr.plan.steps[act.stepIndex]
	tr := &StepResult{StepID: target.id, Outputs: map[string]any{}, Attempts: 1}
	if target.op != nil {
		tr.Operation, tr.OperationID = target.label, target.op.ID
	}
	start := rs.e.cfg.clock()
	rs.steps++
	if rs.steps > rs.e.cfg.limits.MaxStepExecutions {
		return false, &StepError{WorkflowID: wr.plan.id, StepID: target.id, Code: CodeLimit, Err: &LimitError{Limit: LimitStepExecutions, Value: int64(rs.e.cfg.limits.MaxStepExecutions)}}
	}
	at, fatal := rs.execute(ctx, wr, target, tr)
	if fatal != nil {
		return false, fatal
	}
	ev := rs.scope(wr, target, at)
	tr.Success = at.success
	outs := rs.evalOutputs(wr, target.outputs, ev)
	wr.steps[target.id] = outs
	tr.Outputs = rs.mask.outputs(outs)
	tr.Duration = rs.e.cfg.clock().Sub(start)
	wr.res.Steps = append(wr.res.Steps, tr)
	return at.success, nil
}

// retryWait is the wait before a retry: a Retry-After header overrides
// retryAfter (D17); both are capped by Limits.MaxRetryWait.
func (rs *runState) retryWait(act *actionPlan, at *attempt) time.Duration {
	maxWait := rs.e.cfg.limits.MaxRetryWait
	var d time.Duration
	if act.hasAfter {
		// Compared as float first: a huge retryAfter must not overflow.
		switch secs := act.retryAfter; {
		case !(secs > 0): // also NaN
		case secs*float64(time.Second) >= float64(maxWait):
			d = time.Duration(math.MaxInt64)
		default:
			d = time.Duration(secs * float64(time.Second))
		}
	}
	if at.ex != nil && at.ex.resp != nil {
		if ra, ok := parseRetryAfter(at.ex.respHeader.Get("Retry-After"), rs.e.cfg.clock()); ok {
			d = ra
		}
	}
	if d > maxWait {
		if l := rs.logger(); l != nil {
			l.Warn("retry wait capped by Limits.MaxRetryWait", "action", act.name, "wanted", d, "cap", maxWait)
		}
		d = maxWait
	}
	return d
}

// selectAction returns the first action whose criteria all hold (an action
// without criteria always matches, D10). retries, when not nil, skips retry
// actions whose retryLimit is exhausted (D15, D16).
func (rs *runState) selectAction(list []*actionPlan, ev *scope, retries map[*actionPlan]int) (*actionPlan, error) {
	for _, a := range list {
		if a.typ == "retry" && retries != nil && retries[a] >= a.retryLimit {
			continue
		}
		ok := true
		for _, c := range a.criteria {
			pass, err := c.c.Eval(ev)
			if err != nil {
				if l := rs.logger(); l != nil {
					l.Warn("action criterion failed to evaluate", "action", a.name, "error", rs.mask.apply(err.Error()))
				}
			}
			if !pass {
				ok = false
				break
			}
		}
		if ok {
			return a, nil
		}
	}
	return nil, nil
}

// evalOutputs evaluates an outputs map; absent values are left out (D23).
func (rs *runState) evalOutputs(wr *wfRun, outs []outputPlan, ev *scope) map[string]any {
	res := make(map[string]any, len(outs))
	if ev == nil {
		ev = rs.scope(wr, nil, nil)
	}
	for _, o := range outs {
		v, ok, err := o.expr.Eval(ev)
		if err != nil || !ok {
			continue
		}
		res[o.name] = v
	}
	return res
}

var _ expr.Resolver = (*scope)(nil)
