package temporal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/telaio/telaio/executor"
)

// Run is the interpreter workflow (registered as WorkflowName): it runs
// the workflow in.WorkflowID of the document in.DocHash with
// executor.Engine.RunDurable, each step attempt as an activity and each
// retry wait as a durable timer.
func (w *Worker) Run(ctx workflow.Context, in RunInput) (*RunOutput, error) {
	eng := w.engines[in.DocHash]
	if eng == nil {
		// A panic fails the workflow task, not the run: the server
		// retries the task, and a worker that has the document picks it
		// up (the SDK's default panic policy blocks the workflow).
		panic(fmt.Sprintf("%v: %s (workers serve %v)", ErrNotLoaded, in.DocHash, w.Hashes()))
	}
	annotate(ctx, executor.AttrWorkflowID.String(in.WorkflowID), AttrDocumentHash.String(in.DocHash))
	h := &wfHost{ctx: ctx, s: in.Settings.withDefaults(), progress: Progress{Status: "running", WorkflowID: in.WorkflowID},
		sessions: eng.HasReceiveSteps()}
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (Progress, error) { return h.progress, nil }); err != nil {
		return nil, err
	}
	if err := workflow.SetQueryHandler(ctx, QuerySteps, h.stepsFrom); err != nil {
		return nil, err
	}
	obs := executor.ObserverFunc(func(ev executor.Event) {
		switch ev.Kind {
		case executor.StepStarted:
			h.progress.WorkflowID, h.progress.StepID, h.progress.Attempt = ev.WorkflowID, ev.StepID, 0
		case executor.StepFinished:
			h.progress.StepsDone++
			if ev.Step != nil {
				h.done = append(h.done, doneStep{depth: ev.Depth, workflowID: ev.WorkflowID, sr: ev.Step})
			}
		}
	})
	res, err := eng.RunDurable(context.Background(), in.WorkflowID, in.Inputs, h, executor.RunWithObserver(obs))
	h.endSession()
	if !workflow.IsReplaying(ctx) {
		// Once per run: the worker that completes it.
		eng.RecordRun(context.Background(), res, err)
	}
	out := &RunOutput{Result: res, Error: runError(err)}
	out.Trimmed = trimTrace(res, MaxOutputBytes)
	status := "failed"
	if res != nil {
		status = string(res.Status)
		out.Redacted = res.Redacted().Outputs
	}
	h.progress.Status, h.progress.WaitingUntil = status, time.Time{}
	annotate(ctx, executor.AttrStatus.String(status))
	if h.s.SearchAttributes {
		if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(status)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// wfHost is the executor.DurableHost of the interpreter workflow.
type wfHost struct {
	ctx      workflow.Context
	s        Settings
	progress Progress
	// done are the finished step executions, in order (the steps query).
	done []doneStep
	// sessions is set for a document with receive steps: the run's
	// attempts then run in a session (session.go), sess, created at first
	// need and again when its worker is lost; sessErr once creation failed.
	sessions    bool
	sess        workflow.Context
	sessExpires time.Time
	sessErr     error
}

type doneStep struct {
	depth      int
	workflowID string
	sr         *executor.StepResult
}

// maxQueryExchanges bounds the exchanges and messages of one step in a
// StepsPage: its last ones.
const maxQueryExchanges = 8

// stepsFrom answers the steps query: the finished step executions from
// index from on, at most MaxStepsPerQuery of them, without their outputs
// and called workflows' results (those come as steps of their own), with
// the last maxQueryExchanges exchanges and messages of each.
func (h *wfHost) stepsFrom(from int) (StepsPage, error) {
	if from < 0 || from > len(h.done) {
		return StepsPage{}, fmt.Errorf("temporal: steps from %d: the run has finished %d steps", from, len(h.done))
	}
	end := min(len(h.done), from+MaxStepsPerQuery)
	page := StepsPage{From: from, More: end < len(h.done), Steps: make([]StepEvent, 0, end-from)}
	for _, d := range h.done[from:end] {
		sr := *d.sr
		sr.Outputs, sr.Workflow = nil, nil
		// A step retried many times keeps its last attempts' exchanges.
		if k := len(sr.Exchanges); k > maxQueryExchanges {
			sr.Exchanges = sr.Exchanges[k-maxQueryExchanges:]
		}
		if k := len(sr.Messages); k > maxQueryExchanges {
			sr.Messages = sr.Messages[k-maxQueryExchanges:]
		}
		page.Steps = append(page.Steps, StepEvent{Depth: d.depth, WorkflowID: d.workflowID, Step: &sr})
	}
	return page, nil
}

func (h *wfHost) Now() time.Time { return workflow.Now(h.ctx) }

func (h *wfHost) Sleep(_ context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	h.progress.WaitingUntil = workflow.Now(h.ctx).Add(d)
	workflow.SetCurrentDetails(h.ctx, fmt.Sprintf("step %s attempt %d: waiting %v before a retry", h.progress.StepID, h.progress.Attempt, d))
	err := workflow.Sleep(h.ctx, d)
	h.progress.WaitingUntil = time.Time{}
	if err != nil {
		return canceled(err)
	}
	return nil
}

func canceled(err error) error {
	if temporal.IsCanceledError(err) {
		return fmt.Errorf("%w: %v", context.Canceled, err)
	}
	return err
}

// safeMethods are the methods whose requests may be sent again (RFC 9110
// idempotent methods; TRACE is never sent by telaio).
var safeMethods = []string{"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}

func (h *wfHost) Attempt(_ context.Context, req *executor.StepRequest) (*executor.StepOutcome, error) {
	if o := h.historyFull(); o != nil {
		return o, nil
	}
	keyed := req.Keyed || slices.Contains(h.s.KeyedSteps, req.StepID)
	safe := slices.Contains(safeMethods, req.Method) || req.Receive
	if keyed {
		info := workflow.GetInfo(h.ctx)
		req.IdempotencyKey = fmt.Sprintf("%s/%s/%s/%d", info.WorkflowExecution.ID, req.Workflow, req.StepID, req.Execution)
	}
	h.progress.WorkflowID, h.progress.StepID, h.progress.Attempt = req.Workflow, req.StepID, req.Attempt
	attempts := int32(1)
	if safe || keyed {
		attempts = int32(h.s.LostAttemptRetries)
	}
	rp := &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second, MaximumAttempts: attempts,
		NonRetryableErrorTypes: []string{errTypeBadRequest}}
	summary := req.StepID
	if req.Method != "" {
		summary += " (" + req.Method + ")"
	}
	var out executor.StepOutcome
	var err error
	if h.sessions {
		return h.sessionAttempt(req, rp, summary, safe || keyed)
	}
	if h.s.LocalActivities && safe && !keyed {
		lo := workflow.LocalActivityOptions{StartToCloseTimeout: h.s.AttemptTimeout, RetryPolicy: rp, Summary: summary}
		err = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(h.ctx, lo), ActivityName, req).Get(h.ctx, &out)
	} else {
		ao := workflow.ActivityOptions{StartToCloseTimeout: h.s.AttemptTimeout, HeartbeatTimeout: h.s.HeartbeatTimeout, RetryPolicy: rp, Summary: summary}
		err = workflow.ExecuteActivity(workflow.WithActivityOptions(h.ctx, ao), ActivityName, req).Get(h.ctx, &out)
	}
	if err != nil {
		return nil, canceled(err)
	}
	return &out, nil
}

// historyFull is the outcome that stops the run when its history is about
// to pass Settings.MaxHistoryEvents or MaxHistoryBytes (nil while it is
// not): Temporal would terminate it a little later, without a result.
func (h *wfHost) historyFull() *executor.StepOutcome {
	info := workflow.GetInfo(h.ctx)
	limit, value := "", int64(0)
	switch {
	case info.GetCurrentHistoryLength() >= h.s.MaxHistoryEvents:
		limit, value = LimitHistoryEvents, int64(h.s.MaxHistoryEvents)
	case info.GetCurrentHistorySize() >= MaxHistoryBytes:
		limit, value = LimitHistoryBytes, MaxHistoryBytes
	default:
		return nil
	}
	return &executor.StepOutcome{Fatal: &executor.Failure{Code: executor.CodeLimit, Limit: limit, LimitValue: value,
		Message: fmt.Sprintf("the run's Temporal history reached %d events (%d bytes)", info.GetCurrentHistoryLength(), info.GetCurrentHistorySize())}}
}

// sessionAttempt runs an attempt in the run's session. An attempt lost
// with its session's worker is sent again in a new session when that is
// safe, up to LostAttemptRetries times in all.
func (h *wfHost) sessionAttempt(req *executor.StepRequest, rp *temporal.RetryPolicy, summary string, resend bool) (*executor.StepOutcome, error) {
	for n := 1; ; n++ {
		sctx, err := h.session()
		if err != nil {
			return nil, err
		}
		// Retries go to the session's worker: they cover a failed start,
		// not a lost worker (the session is then failed).
		ao := workflow.ActivityOptions{StartToCloseTimeout: h.s.AttemptTimeout, HeartbeatTimeout: h.s.HeartbeatTimeout, RetryPolicy: rp, Summary: summary}
		in := SessionAttempt{Session: workflow.GetSessionInfo(sctx).SessionID, Expires: h.sessExpires, Req: req}
		var out executor.StepOutcome
		err = workflow.ExecuteActivity(workflow.WithActivityOptions(sctx, ao), ActivitySessionAttempt, in).Get(sctx, &out)
		switch {
		case err == nil:
			return &out, nil
		case h.ctx.Err() != nil:
			return nil, canceled(h.ctx.Err())
		case h.sessionLost(err) && resend && n < h.s.LostAttemptRetries:
			continue
		case h.sessionLost(err):
			return nil, fmt.Errorf("the worker of the run's session was lost: %w", err)
		}
		return nil, canceled(err)
	}
}

// errTypeBadRequest marks an attempt no worker can run (a request for
// another document or an unknown step): not retried.
const errTypeBadRequest = "TelaioBadRequest"

// Attempt is the step attempt activity (registered as ActivityName).
func (w *Worker) Attempt(ctx context.Context, req *executor.StepRequest) (*executor.StepOutcome, error) {
	eng := w.engines[req.DocHash]
	if eng == nil {
		// Retried (on another worker, with luck): the attempt has not
		// been sent.
		return nil, fmt.Errorf("%w: %s", ErrNotLoaded, req.DocHash)
	}
	return w.attempt(ctx, req, func(ctx context.Context) (*executor.StepOutcome, error) { return eng.Attempt(ctx, req) })
}

// attempt runs an attempt activity: heartbeats while run runs, and the
// errors no worker can mend made non-retryable.
func (w *Worker) attempt(ctx context.Context, req *executor.StepRequest, run func(context.Context) (*executor.StepOutcome, error)) (*executor.StepOutcome, error) {
	if activity.IsActivity(ctx) {
		if d := activity.GetInfo(ctx).HeartbeatTimeout; d > 0 {
			stop := heartbeat(ctx, d/3)
			defer stop()
		}
	}
	o, err := run(ctx)
	if errors.Is(err, executor.ErrUnknownStep) || errors.Is(err, executor.ErrWrongDocument) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), errTypeBadRequest, err)
	}
	return o, err
}

// heartbeat records a heartbeat every d until stopped.
func heartbeat(ctx context.Context, d time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}

func activityOptions(name string) activity.RegisterOptions {
	return activity.RegisterOptions{Name: name}
}

// newID is a random id for a run.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// trimTrace keeps res's JSON under max bytes: it leaves out all but the
// last exchange and message of each step, then, if that is not enough,
// every exchange, message, criterion and violation (the steps' summaries
// stay). It returns how many exchanges and messages it left out.
func trimTrace(res *executor.Result, max int) int {
	if res == nil {
		return 0
	}
	size := func() int {
		b, _ := json.Marshal(res)
		return len(b)
	}
	if size() <= max {
		return 0
	}
	n := 0
	keep := 1
	var walk func(r *executor.Result)
	walk = func(r *executor.Result) {
		for _, d := range r.Dependencies {
			walk(d)
		}
		for _, s := range r.Steps {
			if k := len(s.Exchanges); k > keep {
				n += k - keep
				s.Exchanges = s.Exchanges[k-keep:]
			}
			if k := len(s.Messages); k > keep {
				n += k - keep
				s.Messages = s.Messages[k-keep:]
			}
			if keep == 0 {
				s.Criteria, s.Violations = nil, nil
			}
			if s.Workflow != nil {
				walk(s.Workflow)
			}
		}
		if r.Transfer != nil {
			walk(r.Transfer)
		}
	}
	walk(res)
	if size() > max {
		keep = 0
		walk(res)
	}
	return n
}
