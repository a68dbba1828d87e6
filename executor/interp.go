package executor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// This file is the decision half of a run (see the package documentation,
// "Decisions and effects"): the interpreter. It owns the control flow of a
// run as explicit data (a stack of frames, each at a phase; the step being
// executed, its attempt count and retry counters; the step budget; the
// finished runs for dependsOn and $workflows) and moves it forward by the
// outcomes of step attempts. Everything that reaches the outside world or
// evaluates an expression is the host's: Engine.Run's host sends HTTP
// requests and evaluates in process; a durable host (package temporal)
// runs each attempt as an activity and each wait as a durable timer.

// host is what the interpreter asks of the world.
type host interface {
	// enter applies the defaults of p's inputs schema to in, learns its
	// secret inputs and validates them (an *InputError), and does the same
	// for the dependencies that will run with them.
	enter(ctx context.Context, p *wfPlan, in map[string]any) (map[string]any, error)
	// callInputs evaluates the parameters of a step that calls a workflow:
	// the callee's inputs.
	callInputs(ctx context.Context, f *frame, x *stepExec) (map[string]any, error)
	// attempt runs one attempt of x's step (the HTTP exchange, or, for a
	// step that calls a workflow, the evaluation after the call in x.call),
	// records it in x.sr and returns its outcome.
	attempt(ctx context.Context, f *frame, x *stepExec) outcome
	// workflowOutputs evaluates a finished workflow's outputs.
	workflowOutputs(f *frame) (map[string]any, error)
	// sleep waits d before a retry (ctx's error when ctx ends first).
	sleep(ctx context.Context, d time.Duration) error
	now() time.Time
	emit(Event)
	// maskOutputs returns the masked copy of outputs for the trace;
	// maskText masks free text.
	maskOutputs(outs map[string]any) map[string]any
	maskText(s string) string
	warn(msg string, args ...any)
	// arm subscribes the receive steps of f's workflow whose channel
	// address is known, before the next step runs (see message.go).
	arm(ctx context.Context, f *frame)
}

// outcome is what one step attempt tells the interpreter: small, with no
// response body.
type outcome struct {
	success bool
	// outputs are the step's outputs as evaluated (what expressions read).
	outputs map[string]any
	// onSuccess and onFailure tell, for each action of the step's lists,
	// whether its criteria all hold against this attempt.
	onSuccess, onFailure []bool
	// retryAfter is the wait a Retry-After header asked for.
	retryAfter    time.Duration
	hasRetryAfter bool
	// cause is why the attempt failed without a usable response (an
	// *attemptError), or nil.
	cause error
	// fatal ends the run (a *StepError: a limit, cancellation, a request
	// that cannot be built, refused credentials).
	fatal error
	// actionInputs are the inputs an Arazzo 1.1 action that matched
	// passes to its workflow (E21), by action index.
	actionInputs map[int]map[string]any
}

type frameRole uint8

const (
	roleRoot     frameRole = iota
	roleDep                // a workflow of the parent's dependsOn
	roleCall               // the workflow the parent's current step calls
	roleTransfer           // the target of the parent's goto workflowId
	roleRetry              // the workflow a retry action of the parent's current step names
)

type framePhase uint8

const (
	phaseStart framePhase = iota
	phaseDeps
	phaseSteps
	phaseDone
)

// frame is one workflow run in progress.
type frame struct {
	plan  *wfPlan
	role  frameRole
	depth int
	start time.Time
	phase framePhase
	res   *Result
	run   *wfRun
	// dep is the index of the next dependency to check.
	dep int
	// pos is the index of the step to execute next.
	pos    int
	lastOK bool
	// cur is the step being executed.
	cur *stepExec
	// err is how the frame ended.
	err error
	// deadline bounds the frame (a called workflow whose step has a
	// timeout, E12); zero: none.
	deadline time.Time
}

type execPhase uint8

const (
	execAttempt    execPhase = iota // the next attempt is due
	execCalling                     // waiting for the called workflow (a child frame)
	execRetryFlow                   // waiting for a retry action's workflow (a child frame)
	execRetryStep                   // waiting for a retry action's step (target)
	execFinishCall                  // the called workflow ended: evaluate the step
)

// stepExec is the execution of one step: its attempts and retries.
type stepExec struct {
	sp    *stepPlan
	sr    *StepResult
	start time.Time
	phase execPhase
	// retries counts the retry actions taken, by index in sp.onFailure.
	retries map[int]int
	// last is the outcome the failure actions are selected against.
	last outcome
	// call is the called workflow's run, for the attempt that follows it.
	call *callResult
	// target is the retry target step being executed (no actions of its
	// own), when phase is execRetryStep.
	target *stepExec
	// isTarget marks a retry target: its result goes to the frame's steps
	// as it is, with no events and no actions.
	isTarget bool
}

// callResult is a called workflow's end, as the calling step sees it.
type callResult struct {
	res *Result
	run *wfRun // nil when the callee ended before running its steps
	err error
}

// machine is the interpreter of one run.
type machine struct {
	e      *Engine
	h      host
	frames []*frame
	// steps counts step executions (the budget, D19).
	steps int
	// done holds the last finished run of each workflow, for dependsOn
	// (each runs once per run) and $workflows.<id> expressions.
	done map[*wfPlan]*wfRun
	// durable: driven by a DurableHost (durable.go), which owns time; no
	// deadline is derived from the wall clock.
	durable bool
}

// run runs p to its end and returns its result.
func (m *machine) run(ctx context.Context, p *wfPlan, inputs map[string]any) (*Result, error) {
	root := m.push(p, roleRoot, inputs, 0)
	for len(m.frames) > 0 {
		f := m.frames[len(m.frames)-1]
		fctx, cancel := frameContext(ctx, f)
		done := m.advance(fctx, f)
		cancel()
		if done {
			m.frames = m.frames[:len(m.frames)-1]
			if len(m.frames) > 0 {
				parent := m.frames[len(m.frames)-1]
				pctx, cancel := frameContext(ctx, parent)
				m.deliver(pctx, parent, f)
				cancel()
			}
		}
	}
	return root.res, root.err
}

// errStepTimeout is the cause of a context ended by a step's timeout
// (E12), as opposed to the run's own deadline.
var errStepTimeout = errors.New("the step's timeout")

// frameContext bounds ctx by f's deadline.
func frameContext(ctx context.Context, f *frame) (context.Context, context.CancelFunc) {
	if f.deadline.IsZero() {
		return ctx, func() {}
	}
	return context.WithDeadlineCause(ctx, f.deadline, errStepTimeout)
}

// push starts a workflow run on top of the stack.
func (m *machine) push(p *wfPlan, role frameRole, inputs map[string]any, depth int) *frame {
	f := &frame{plan: p, role: role, depth: depth, start: m.h.now(), lastOK: true,
		res: &Result{WorkflowID: p.id, Status: StatusFailed, Outputs: map[string]any{}, Steps: []*StepResult{}, Inputs: inputs}}
	f.run = &wfRun{plan: p, inputs: inputs, steps: map[string]map[string]any{}, res: f.res, depth: depth}
	if n := len(m.frames); n > 0 {
		f.deadline = m.frames[n-1].deadline
	}
	m.frames = append(m.frames, f)
	return f
}

// advance moves f forward until it ends (true) or waits for a child frame
// (false).
func (m *machine) advance(ctx context.Context, f *frame) bool {
	for {
		switch f.phase {
		case phaseStart:
			if f.depth >= m.e.cfg.limits.MaxDepth {
				return m.finish(f, &StepError{WorkflowID: f.plan.id, Code: CodeLimit, Err: &LimitError{Limit: LimitDepth, Value: int64(m.e.cfg.limits.MaxDepth)}})
			}
			m.h.emit(Event{Kind: WorkflowStarted, WorkflowID: f.plan.id, Depth: f.depth})
			in, err := m.h.enter(ctx, f.plan, f.run.inputs)
			f.run.inputs, f.res.Inputs = in, in
			if err != nil {
				return m.finish(f, err)
			}
			f.phase = phaseDeps
		case phaseDeps:
			// Dependencies run first, once per run (D22), with the
			// caller's inputs.
			if f.dep == len(f.plan.deps) {
				f.phase = phaseSteps
				continue
			}
			d := f.plan.deps[f.dep]
			if m.done[d] == nil {
				m.push(d, roleDep, f.run.inputs, f.depth+1)
				return false
			}
			if !m.done[d].res.Success {
				return m.finish(f, &StepError{WorkflowID: f.plan.id, Code: CodeDependency, Err: fmt.Errorf("dependency %q failed", d.id)})
			}
			f.dep++
		case phaseSteps:
			if f.cur == nil {
				if f.pos >= len(f.plan.steps) {
					if !f.lastOK {
						return m.finish(f, &StepError{WorkflowID: f.plan.id, StepID: f.res.Steps[len(f.res.Steps)-1].StepID, Code: CodeStepFailed, Err: errors.New("the last step failed")})
					}
					f.res.Success, f.res.Status = true, StatusCompleted
					return m.finish(f, nil)
				}
				sp := f.plan.steps[f.plan.order[f.pos]]
				if err := ctx.Err(); err != nil {
					return m.finish(f, &StepError{WorkflowID: f.plan.id, StepID: sp.id, Code: ctxCode(err), Err: err})
				}
				for _, dep := range sp.after {
					if !m.stepRan(dep) {
						return m.finish(f, &StepError{WorkflowID: f.plan.id, StepID: sp.id, Code: CodeDependency,
							Err: fmt.Errorf("dependency %s is not satisfied: step %q of workflow %q has not run in this run (dependsOn does not run it, E15)", dep.ref, dep.step, dep.wf.id)})
					}
				}
				if f.plan.receives {
					m.h.arm(ctx, f)
				}
				f.cur = m.startStep(f, sp, false)
			}
			if !m.runStep(ctx, f) {
				return false
			}
			if f.phase == phaseDone {
				return true
			}
		case phaseDone:
			return true
		}
	}
}

// startStep begins the execution of a step.
func (m *machine) startStep(f *frame, sp *stepPlan, isTarget bool) *stepExec {
	sr := &StepResult{StepID: sp.id, Outputs: map[string]any{}}
	if sp.op != nil {
		sr.Operation, sr.OperationID = sp.label, sp.op.ID
	}
	if sp.callee != nil {
		sr.WorkflowID = sp.callee.id
	}
	x := &stepExec{sp: sp, sr: sr, start: m.h.now(), retries: map[int]int{}, isTarget: isTarget}
	if !isTarget {
		m.h.emit(Event{Kind: StepStarted, WorkflowID: f.plan.id, StepID: sp.id, Depth: f.depth})
	}
	return x
}

// runStep moves the frame's current step forward. It returns false when
// it waits for a child frame, true when the step is done (f.cur is nil
// again, or the frame ended).
func (m *machine) runStep(ctx context.Context, f *frame) bool {
	x := f.cur
	for {
		switch x.phase {
		case execCalling, execRetryFlow:
			return false // a child frame runs
		}
		if x.phase == execRetryStep {
			if !m.runTarget(ctx, f, x.target) {
				return false
			}
			t := x.target
			x.target = nil
			if t.last.fatal != nil {
				return m.stepDone(f, x, nil, t.last.fatal)
			}
			if t.last.success {
				x.phase = execAttempt
				continue
			}
			// The retry target failed: a failed retry attempt (D21).
			if done, act, err := m.selectFailure(ctx, f, x); done {
				return m.stepDone(f, x, act, err)
			}
			continue
		}
		o, wait := m.attemptStep(ctx, f, x)
		if wait {
			return false
		}
		if o.fatal != nil {
			if le := (*LimitError)(nil); !errors.As(o.fatal, &le) || le.Limit != LimitStepExecutions {
				x.sr.Error = m.h.maskText(o.fatal.Error())
			}
			return m.stepDone(f, x, nil, o.fatal)
		}
		m.record(f, x, o)
		if o.success {
			x.sr.Error = ""
			return m.stepDone(f, x, pick(x.sp.onSuccess, o.onSuccess, nil), nil)
		}
		if done, act, err := m.selectFailure(ctx, f, x); done {
			return m.stepDone(f, x, act, err)
		}
	}
}

// attemptStep runs the next attempt of x, or the evaluation that follows
// its call. wait is true when a child frame was pushed (a workflow step's
// callee).
func (m *machine) attemptStep(ctx context.Context, f *frame, x *stepExec) (o outcome, wait bool) {
	if x.phase == execFinishCall {
		x.phase = execAttempt
		o = m.h.attempt(ctx, f, x)
		x.call = nil
		return o, false
	}
	x.sr.Attempts++
	x.sr.Action = ""
	m.steps++
	if m.steps > m.e.cfg.limits.MaxStepExecutions {
		err := &StepError{WorkflowID: f.plan.id, StepID: x.sp.id, Attempt: x.sr.Attempts, Code: CodeLimit,
			Err: &LimitError{Limit: LimitStepExecutions, Value: int64(m.e.cfg.limits.MaxStepExecutions)}}
		x.sr.Error = err.Err.Error()
		return outcome{fatal: err}, false
	}
	if x.sp.callee != nil {
		in, err := m.h.callInputs(ctx, f, x)
		if err != nil {
			return outcome{fatal: err}, false
		}
		x.phase = execCalling
		child := m.push(x.sp.callee, roleCall, in, f.depth+1)
		if x.sp.timeout > 0 && !m.durable {
			// The step's timeout bounds the whole called workflow (E12).
			if d := time.Now().Add(x.sp.timeout); child.deadline.IsZero() || d.Before(child.deadline) {
				child.deadline = d
			}
		}
		return outcome{}, true
	}
	return m.h.attempt(ctx, f, x), false
}

// record keeps an attempt's outputs: the values for expressions, the masked
// copy for the trace.
func (m *machine) record(f *frame, x *stepExec, o outcome) {
	x.last = o
	x.sr.Success = o.success
	f.run.steps[x.sp.id] = o.outputs
	x.sr.Outputs = m.h.maskOutputs(o.outputs)
}

// runTarget runs a retry target step (one attempt, its own actions not
// followed) and reports whether it is done.
func (m *machine) runTarget(ctx context.Context, f *frame, t *stepExec) bool {
	o, wait := m.attemptStep(ctx, f, t)
	if wait {
		return false
	}
	t.last = o
	if o.fatal != nil {
		return true
	}
	m.record(f, t, o)
	t.sr.Duration = m.h.now().Sub(t.start)
	f.res.Steps = append(f.res.Steps, t.sr)
	return true
}

// selectFailure selects a failure action (D9-D12, D15-D17, D21): the first
// whose criteria held against the last attempt and, for a retry, whose
// retryLimit is not exhausted. done is true when the step is done with act
// (nil: the default failure) or err; false when a retry is under way
// (x.phase says how).
func (m *machine) selectFailure(ctx context.Context, f *frame, x *stepExec) (done bool, act *actionPlan, err error) {
	act = pick(x.sp.onFailure, x.last.onFailure, x.retries)
	if act == nil || act.typ != "retry" {
		return true, act, nil
	}
	x.retries[act.index]++
	if err := m.h.sleep(ctx, m.retryWait(act, x.last)); err != nil {
		return true, nil, &StepError{WorkflowID: f.plan.id, StepID: x.sp.id, Attempt: x.sr.Attempts, Code: ctxCode(err), Err: err}
	}
	switch {
	case act.workflow != nil:
		// The named workflow runs first; its failure is a failed retry
		// attempt.
		x.phase = execRetryFlow
		m.push(act.workflow, roleRetry, targetInputs(act, x.last, f.run.inputs), f.depth+1)
	case act.stepIndex >= 0:
		x.phase = execRetryStep
		x.target = m.startStep(f, f.plan.steps[act.stepIndex], true)
	default:
		x.phase = execAttempt
	}
	return false, nil, nil
}

// pick returns the first action whose criteria held (an action without
// criteria always matches, D10), skipping retries whose retryLimit is
// exhausted (D15, D16) when retries is not nil.
func pick(list []*actionPlan, matched []bool, retries map[int]int) *actionPlan {
	for i, a := range list {
		if a.typ == "retry" && retries != nil && retries[i] >= a.retryLimit {
			continue
		}
		if i < len(matched) && matched[i] {
			return a
		}
	}
	return nil
}

// retryWait is the wait before a retry: a Retry-After header overrides
// retryAfter (D17); both are capped by Limits.MaxRetryWait.
func (m *machine) retryWait(act *actionPlan, o outcome) time.Duration {
	maxWait := m.e.cfg.limits.MaxRetryWait
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
	if o.hasRetryAfter {
		d = o.retryAfter
	}
	if d > maxWait {
		m.h.warn("retry wait capped by Limits.MaxRetryWait", "action", act.name, "wanted", d, "cap", maxWait)
		d = maxWait
	}
	return d
}

// stepDone ends the frame's current step with the action selected (nil:
// the default for success or failure) or an error, and applies the action.
// It returns true (the step is done).
func (m *machine) stepDone(f *frame, x *stepExec, act *actionPlan, err error) bool {
	sr := x.sr
	sr.Duration = m.h.now().Sub(x.start)
	m.h.emit(Event{Kind: StepFinished, WorkflowID: f.plan.id, StepID: x.sp.id, Attempt: sr.Attempts, Depth: f.depth, Step: sr})
	f.cur = nil
	f.res.Steps = append(f.res.Steps, sr)
	if err != nil {
		return m.finish(f, err)
	}
	f.lastOK = sr.Success
	switch {
	case act == nil && sr.Success:
		f.pos++
	case act == nil:
		// A failed exchange or an unreadable response keeps its own
		// code (transport, response); unmet criteria are step-failed.
		code := CodeStepFailed
		var ae *attemptError
		if errors.As(x.last.cause, &ae) {
			code = ae.code
		}
		return m.finish(f, &StepError{WorkflowID: f.plan.id, StepID: x.sp.id, Attempt: sr.Attempts, Code: code, Err: stepFailure(sr, x.last.cause)})
	case act.typ == "end":
		sr.Action = "end"
		if !sr.Success {
			// D18: an end reached from onFailure fails the workflow.
			return m.finish(f, &StepError{WorkflowID: f.plan.id, StepID: x.sp.id, Attempt: sr.Attempts, Code: CodeEndedOnFailure,
				Err: fmt.Errorf("ended by failure action %q: %w", act.name, stepFailure(sr, x.last.cause))})
		}
		f.res.Success, f.res.Status = true, StatusEnded
		return m.finish(f, nil)
	case act.typ == "goto" && act.workflow != nil:
		sr.Action = "goto"
		// A one-way transfer: the target's result is the run's.
		m.push(act.workflow, roleTransfer, targetInputs(act, x.last, f.run.inputs), f.depth+1)
		return false
	case act.typ == "goto":
		sr.Action = "goto"
		f.pos = f.plan.pos[act.stepIndex]
	}
	return true
}

// stepRan reports whether the step has run in this run: in a workflow run
// under way or finished.
func (m *machine) stepRan(r stepRef) bool {
	if run := m.done[r.wf]; run != nil {
		if _, ok := run.steps[r.step]; ok {
			return true
		}
	}
	for _, f := range m.frames {
		if f.plan == r.wf {
			if _, ok := f.run.steps[r.step]; ok {
				return true
			}
		}
	}
	return false
}

// targetInputs are the inputs of the workflow an action names: the
// action's parameters (Arazzo 1.1, E21), else the current inputs it
// declares (D20).
func targetInputs(act *actionPlan, o outcome, current map[string]any) map[string]any {
	if act.params != nil {
		if in := o.actionInputs[act.index]; in != nil {
			return in
		}
		return map[string]any{}
	}
	return inputsFor(act.workflow, current)
}

// finish ends frame f with err (nil: as its status says). It returns true.
func (m *machine) finish(f *frame, err error) bool {
	if f.phase == phaseSteps {
		if f.res.Transfer == nil {
			outs, oerr := m.h.workflowOutputs(f)
			f.run.outputs = outs
			if err == nil && oerr != nil {
				err = oerr
			}
		}
		// The trace (and observers) see the outputs masked; expressions
		// read f.run's, and Run hands back the root's as they are.
		f.res.Outputs = m.h.maskOutputs(f.run.answer())
		m.done[f.plan] = f.run
	}
	f.phase = phaseDone
	f.err = err
	res := f.res
	res.Duration = m.h.now().Sub(f.start)
	if err != nil {
		res.Success = false
		res.Status = StatusFailed
		if res.Error == "" {
			res.Error = m.h.maskText(err.Error())
		}
	}
	m.h.emit(Event{Kind: WorkflowFinished, WorkflowID: f.plan.id, Depth: f.depth, Result: res})
	return true
}

// deliver hands a finished child frame to its parent.
func (m *machine) deliver(ctx context.Context, parent, child *frame) {
	r, err := child.res, child.err
	switch child.role {
	case roleDep:
		parent.res.Dependencies = append(parent.res.Dependencies, r)
		if err != nil {
			m.finish(parent, &StepError{WorkflowID: parent.plan.id, Code: CodeDependency, Err: fmt.Errorf("dependency %q failed: %w", child.plan.id, err)})
		}
		// Otherwise phaseDeps checks it and moves on.
	case roleTransfer:
		parent.res.Transfer = r
		parent.res.Success, parent.res.Status = r.Success, r.Status
		if m.done[child.plan] == child.run {
			parent.run.transfer = child.run
		}
		if err != nil {
			m.finish(parent, &StepError{WorkflowID: parent.plan.id, StepID: parent.res.Steps[len(parent.res.Steps)-1].StepID, Code: CodeWorkflow,
				Err: fmt.Errorf("goto workflow %q: %w", child.plan.id, err)})
			return
		}
		m.finish(parent, nil)
	case roleCall:
		x := parent.cur
		if x.phase == execRetryStep {
			x = x.target
		}
		x.sr.Workflow = r
		x.call = &callResult{res: r, err: err}
		if m.done[child.plan] == child.run {
			x.call.run = child.run
		}
		x.phase = execFinishCall
	case roleRetry:
		x := parent.cur
		parent.res.Dependencies = append(parent.res.Dependencies, r)
		var se *StepError
		if err != nil && errors.As(err, &se) && se.Code == CodeLimit {
			m.stepDone(parent, x, nil, err)
			return
		}
		if err == nil && r.Success {
			x.phase = execAttempt
			return
		}
		if done, act, serr := m.selectFailure(ctx, parent, x); done {
			m.stepDone(parent, x, act, serr)
		}
	}
}

// inputsFor passes the current inputs whose names the target declares (all
// of them when it declares none), D20.
func inputsFor(target *wfPlan, in map[string]any) map[string]any {
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

// ctxCode is the code of a run stopped by its context: timeout for a
// deadline, canceled otherwise.
func ctxCode(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return CodeTimeout
	}
	return CodeCanceled
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
