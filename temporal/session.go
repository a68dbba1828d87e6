package temporal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/telaio/telaio/executor"
)

// This file keeps the receive subscriptions of a run on one worker: a run
// of a document with receive steps holds a Temporal session (all its
// attempts run on the worker that holds it), whose worker keeps the run's
// executor.Subscriptions between attempts. Receive steps are then armed
// ahead as in process (executor.Armer), and the reply subscription a send
// attempt opens is there for the receive of the reply.

// Names of the session activities.
const (
	// ActivitySessionAttempt is a step attempt inside a run's session.
	ActivitySessionAttempt = "telaio.SessionStepAttempt"
	// ActivityArm subscribes a receive step ahead of it.
	ActivityArm = "telaio.ArmReceive"
	// ActivityDisarm closes a session's subscriptions.
	ActivityDisarm = "telaio.Disarm"
)

// Session defaults.
const (
	// DefaultSessionTimeout bounds the life of a run's session (and of the
	// subscriptions its worker keeps): a run with receive steps that lasts
	// longer gets a new session, on which the receive steps subscribe anew.
	DefaultSessionTimeout = 24 * time.Hour
	// SessionCreationTimeout is how long a run waits for a worker that
	// serves sessions (worker.Options.EnableSessionWorker) before its
	// message steps fail.
	SessionCreationTimeout = 30 * time.Second
)

// ErrNoSession: no worker took the run's session.
var ErrNoSession = errors.New("temporal: the run needs a session (its receive steps keep subscriptions on one worker) and no worker took one: start workers with worker.Options{EnableSessionWorker: true} (telaio worker does)")

// SessionAttempt is the input of ActivitySessionAttempt.
type SessionAttempt struct {
	Session string                `json:"session"`
	Expires time.Time             `json:"expires"`
	Req     *executor.StepRequest `json:"req"`
}

// SessionArm is the input of ActivityArm.
type SessionArm struct {
	Session string               `json:"session"`
	Expires time.Time            `json:"expires"`
	Req     *executor.ArmRequest `json:"req"`
}

// sessionSubs are the subscriptions of one session on this worker.
type sessionSubs struct {
	subs  *executor.Subscriptions
	timer *time.Timer
}

// sessionTable holds a worker's sessions' subscriptions, each closed at
// the latest when its session expires.
type sessionTable struct {
	mu sync.Mutex
	m  map[string]*sessionSubs
}

// get returns the subscriptions of session id for eng, made at first use.
func (t *sessionTable) get(id string, eng *executor.Engine, expires time.Time) *executor.Subscriptions {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.m[id]; s != nil {
		return s.subs
	}
	if t.m == nil {
		t.m = map[string]*sessionSubs{}
	}
	s := &sessionSubs{subs: eng.NewSubscriptions()}
	s.timer = time.AfterFunc(max(time.Until(expires), time.Second), func() { t.close(id) })
	t.m[id] = s
	return s.subs
}

// close closes the subscriptions of session id.
func (t *sessionTable) close(id string) {
	t.mu.Lock()
	s := t.m[id]
	delete(t.m, id)
	t.mu.Unlock()
	if s != nil {
		s.timer.Stop()
		s.subs.Close()
	}
}

// len is the number of sessions holding subscriptions.
func (t *sessionTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

// SessionAttemptActivity is ActivitySessionAttempt.
func (w *Worker) SessionAttemptActivity(ctx context.Context, in SessionAttempt) (*executor.StepOutcome, error) {
	eng := w.engines[in.Req.DocHash]
	if eng == nil {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("%v: %s", ErrNotLoaded, in.Req.DocHash), errTypeBadRequest, nil)
	}
	return w.attempt(ctx, in.Req, func(ctx context.Context) (*executor.StepOutcome, error) {
		return eng.AttemptWith(ctx, in.Req, w.sessions.get(in.Session, eng, in.Expires))
	})
}

// ArmActivity is ActivityArm.
func (w *Worker) ArmActivity(ctx context.Context, in SessionArm) error {
	eng := w.engines[in.Req.DocHash]
	if eng == nil {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%v: %s", ErrNotLoaded, in.Req.DocHash), errTypeBadRequest, nil)
	}
	return eng.Arm(ctx, in.Req, w.sessions.get(in.Session, eng, in.Expires))
}

// DisarmActivity is ActivityDisarm.
func (w *Worker) DisarmActivity(_ context.Context, session string) error {
	w.sessions.close(session)
	return nil
}

// session returns the run's session context, creating one when there is
// none or the last one failed (its worker is lost). Once creation failed,
// it fails at once.
func (h *wfHost) session() (workflow.Context, error) {
	if h.sessErr != nil {
		return nil, h.sessErr
	}
	if h.sess != nil {
		if workflow.GetSessionInfo(h.sess).SessionState == workflow.SessionStateOpen {
			return h.sess, nil
		}
		workflow.CompleteSession(h.sess)
		h.sess = nil
	}
	timeout := h.s.SessionTimeout
	if timeout <= 0 {
		timeout = DefaultSessionTimeout
	}
	base := workflow.WithActivityOptions(h.ctx, workflow.ActivityOptions{StartToCloseTimeout: h.s.AttemptTimeout})
	sctx, err := workflow.CreateSession(base, &workflow.SessionOptions{ExecutionTimeout: timeout, CreationTimeout: SessionCreationTimeout, HeartbeatTimeout: h.s.HeartbeatTimeout})
	if err != nil {
		h.sessErr = fmt.Errorf("%w (%v)", ErrNoSession, err)
		return nil, h.sessErr
	}
	h.sess, h.sessExpires = sctx, workflow.Now(h.ctx).Add(timeout)
	return sctx, nil
}

// sessionLost reports whether err ended an activity because the session's
// worker was lost (not because the run was canceled).
func (h *wfHost) sessionLost(err error) bool {
	if errors.Is(err, workflow.ErrSessionFailed) {
		return true
	}
	return h.sess != nil && workflow.GetSessionInfo(h.sess).SessionState == workflow.SessionStateFailed && h.ctx.Err() == nil
}

// Arm runs ActivityArm in the run's session (executor.Armer).
func (h *wfHost) Arm(_ context.Context, req *executor.ArmRequest) error {
	if !h.sessions {
		return errors.New("the run has no session")
	}
	sctx, err := h.session()
	if err != nil {
		return err
	}
	info := workflow.GetSessionInfo(sctx)
	ao := workflow.ActivityOptions{StartToCloseTimeout: h.s.AttemptTimeout, Summary: "arm " + req.StepID,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1}}
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(sctx, ao), ActivityArm, SessionArm{Session: info.SessionID, Expires: h.sessExpires, Req: req}).Get(sctx, nil)
	if err != nil && h.ctx.Err() != nil {
		return canceled(h.ctx.Err())
	}
	return err
}

// endSession closes the run's subscriptions on its worker and the session.
func (h *wfHost) endSession() {
	if h.sess == nil {
		return
	}
	if workflow.GetSessionInfo(h.sess).SessionState == workflow.SessionStateOpen {
		ctx, _ := workflow.NewDisconnectedContext(h.sess)
		ao := workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1}}
		_ = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), ActivityDisarm, workflow.GetSessionInfo(h.sess).SessionID).Get(ctx, nil)
	}
	workflow.CompleteSession(h.sess)
	h.sess = nil
}
