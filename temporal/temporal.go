package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/schema"
)

// Names registered on a worker and used by Start.
const (
	// DefaultTaskQueue is the task queue of workers and runs unless told
	// otherwise.
	DefaultTaskQueue = "telaio"
	// WorkflowName is the workflow type of every run: the interpreter.
	WorkflowName = "telaio.Run"
	// ActivityName is the activity type of one step attempt.
	ActivityName = "telaio.StepAttempt"
	// QueryProgress is the query a run answers with its Progress.
	QueryProgress = "progress"
	// QuerySteps is the query a run answers with a StepsPage: the step
	// executions it finished from the index given as argument.
	QuerySteps = "steps"
	// MaxStepsPerQuery bounds the steps of one StepsPage.
	MaxStepsPerQuery = 64
)

// Defaults of the run settings (see the RunOption functions).
const (
	// DefaultAttemptTimeout bounds one step attempt as an activity
	// (StartToClose). It must exceed the worker engine's
	// Limits.RequestTimeout, and the receive timeout of message steps.
	DefaultAttemptTimeout = 5 * time.Minute
	// DefaultHeartbeatTimeout is how long a worker may go silent in the
	// middle of an attempt before the server counts the attempt lost.
	DefaultHeartbeatTimeout = 10 * time.Second
	// MaxInputBytes bounds the JSON size of a run's inputs: Temporal
	// refuses payloads over 2 MB (and warns over 256 KB).
	MaxInputBytes = 2 << 20
	// DefaultLostAttemptRetries is how many times in all an attempt that
	// is safe to send again (see the package documentation) is started
	// when its worker is lost.
	DefaultLostAttemptRetries = 3
	// DefaultMaxHistoryEvents bounds the events of a run's history: a run
	// about to pass it stops with an *executor.LimitError
	// (LimitHistoryEvents) before Temporal's own limit (51,200 events)
	// would terminate it without a result. At the default step budget
	// (executor.DefaultMaxStepExecutions) a run stays well below it.
	DefaultMaxHistoryEvents = 40_000
	// MaxHistoryBytes is the same bound on the history's size (Temporal's
	// limit is 50 MB).
	MaxHistoryBytes = 40 << 20
	// MaxOutputBytes bounds the JSON size of a run's result in history
	// (Temporal refuses payloads over 2 MB): a larger trace keeps only
	// the last exchange and message of each step (RunOutput.Trimmed).
	MaxOutputBytes = 1 << 20
)

// Limits of a run on Temporal, as *executor.LimitError names them.
const (
	LimitHistoryEvents = "temporal-history-events"
	LimitHistoryBytes  = "temporal-history-bytes"
)

// Search attributes a run sets when started with WithSearchAttributes
// (register them on the namespace first, e.g. temporal server start-dev
// --search-attribute TelaioDocHash=Keyword ...).
var (
	AttrDocHash    = temporal.NewSearchAttributeKeyKeyword("TelaioDocHash")
	AttrWorkflowID = temporal.NewSearchAttributeKeyKeyword("TelaioWorkflowId")
	AttrStatus     = temporal.NewSearchAttributeKeyKeyword("TelaioStatus")
)

// RunInput is the input of the interpreter workflow: the document by its
// hash, never the document itself.
type RunInput struct {
	DocHash    string         `json:"docHash"`
	WorkflowID string         `json:"workflowId"`
	Inputs     map[string]any `json:"inputs,omitempty"`
	Settings   Settings       `json:"settings"`
}

// Settings are a run's durable settings, fixed when it starts (they are
// part of its input, so replay sees the same).
type Settings struct {
	// KeyedSteps get an idempotency key besides the steps marked with
	// executor.IdempotencyKeyExtension.
	KeyedSteps         []string      `json:"keyedSteps,omitempty"`
	AttemptTimeout     time.Duration `json:"attemptTimeoutNs,omitempty"`
	HeartbeatTimeout   time.Duration `json:"heartbeatTimeoutNs,omitempty"`
	LostAttemptRetries int           `json:"lostAttemptRetries,omitempty"`
	SearchAttributes   bool          `json:"searchAttributes,omitempty"`
	// LocalActivities runs the attempts of steps that are safe to send
	// again as local activities (fewer events and round trips); not for
	// documents with receive steps, whose attempts run in a session.
	LocalActivities bool `json:"localActivities,omitempty"`
	// SessionTimeout bounds a session (DefaultSessionTimeout when 0).
	SessionTimeout time.Duration `json:"sessionTimeoutNs,omitempty"`
	// MaxHistoryEvents bounds the run's history (DefaultMaxHistoryEvents
	// when 0).
	MaxHistoryEvents int `json:"maxHistoryEvents,omitempty"`
}

func (s Settings) withDefaults() Settings {
	if s.AttemptTimeout <= 0 {
		s.AttemptTimeout = DefaultAttemptTimeout
	}
	if s.HeartbeatTimeout <= 0 {
		s.HeartbeatTimeout = DefaultHeartbeatTimeout
	}
	if s.LostAttemptRetries <= 0 {
		s.LostAttemptRetries = DefaultLostAttemptRetries
	}
	if s.MaxHistoryEvents <= 0 {
		s.MaxHistoryEvents = DefaultMaxHistoryEvents
	}
	return s
}

// RunOutput is the result of the interpreter workflow. A run that fails
// still completes the Temporal workflow: Error says why.
type RunOutput struct {
	Result *executor.Result `json:"result,omitempty"`
	// Redacted are the outputs with secrets masked (Result.Redacted).
	Redacted map[string]any `json:"redacted"`
	Error    *RunError      `json:"error,omitempty"`
	// Trimmed counts the exchanges and messages left out of the trace to
	// keep the result under MaxOutputBytes.
	Trimmed int `json:"trimmed,omitempty"`
}

// RunError is a run's error as history keeps it; Err rebuilds the
// executor error (*executor.StepError, *executor.InputError).
type RunError struct {
	Code       string             `json:"code,omitempty"`
	WorkflowID string             `json:"workflowId,omitempty"`
	StepID     string             `json:"stepId,omitempty"`
	Attempt    int                `json:"attempt,omitempty"`
	Message    string             `json:"message"`
	Limit      string             `json:"limit,omitempty"`
	LimitValue int64              `json:"limitValue,omitempty"`
	Input      bool               `json:"input,omitempty"`
	Violations []schema.Violation `json:"violations,omitempty"`
}

func runError(err error) *RunError {
	if err == nil {
		return nil
	}
	re := &RunError{Message: err.Error()}
	var se *executor.StepError
	var ie *executor.InputError
	var le *executor.LimitError
	switch {
	case errors.As(err, &se):
		re.Code, re.WorkflowID, re.StepID, re.Attempt = se.Code, se.WorkflowID, se.StepID, se.Attempt
		if se.Err != nil {
			re.Message = se.Err.Error()
		}
	case errors.As(err, &ie):
		re.Input, re.WorkflowID, re.Violations = true, ie.WorkflowID, ie.Violations
	}
	if errors.As(err, &le) {
		re.Limit, re.LimitValue = le.Limit, le.Value
	}
	return re
}

// Err is the executor error the run ended with.
func (re *RunError) Err() error {
	if re == nil {
		return nil
	}
	if re.Input {
		return &executor.InputError{WorkflowID: re.WorkflowID, Violations: re.Violations}
	}
	var cause error = errors.New(re.Message)
	if re.Limit != "" {
		cause = &executor.LimitError{Limit: re.Limit, Value: re.LimitValue}
	}
	if re.Code == "" {
		return cause
	}
	return &executor.StepError{WorkflowID: re.WorkflowID, StepID: re.StepID, Attempt: re.Attempt, Code: re.Code, Err: cause}
}

// Progress is what the progress query answers.
type Progress struct {
	// Status is running, then the Result's status.
	Status string `json:"status"`
	// WorkflowID and StepID name the step under way (or the last one).
	WorkflowID string `json:"workflowId"`
	StepID     string `json:"stepId,omitempty"`
	Attempt    int    `json:"attempt,omitempty"`
	// StepsDone counts the finished step executions.
	StepsDone int `json:"stepsDone"`
	// WaitingUntil is set while the run waits before a retry.
	WaitingUntil time.Time `json:"waitingUntil,omitzero"`
}

// StepsPage is the answer to the steps query.
type StepsPage struct {
	// From is the index of Steps[0] among the run's finished steps.
	From  int         `json:"from"`
	Steps []StepEvent `json:"steps"`
	// More is set when steps after these are already finished.
	More bool `json:"more,omitempty"`
}

// StepEvent is one finished step execution: at which depth of workflow
// calls (0: the run's workflow), in which workflow, and its StepResult
// without outputs (Outputs and Workflow are nil), without bodies, and with
// the last 8 exchanges and messages of a step retried more often.
type StepEvent struct {
	Depth      int                  `json:"depth"`
	WorkflowID string               `json:"workflowId"`
	Step       *executor.StepResult `json:"step"`
}

// Errors of this package.
var (
	// ErrNoClient: Start or Attach without a client.
	ErrNoClient = errors.New("temporal: nil client")
	// ErrInputsTooLarge: inputs over MaxInputBytes.
	ErrInputsTooLarge = errors.New("temporal: the inputs are larger than MaxInputBytes (2 MiB)")
	// ErrNotLoaded: a worker was asked to run a document it does not
	// have (the run waits for a worker that has it).
	ErrNotLoaded = errors.New("temporal: document not loaded on this worker")
)

// Worker serves runs of the documents of its engines: the interpreter
// workflow and the step attempt activities. The engines carry the servers,
// credentials and checks; runs never do. Register it on a worker.Worker
// made with worker.Options{EnableSessionWorker: true} when a document has
// receive steps (their runs hold a session, see the package
// documentation).
//
//	w := worker.New(c, temporal.DefaultTaskQueue, worker.Options{EnableSessionWorker: true})
//	temporal.RegisterWorker(w, eng)
//	err := w.Start()
type Worker struct {
	engines  map[string]*executor.Engine
	sessions sessionTable
}

// NewWorker keeps the engines by executor.Engine.Hash.
func NewWorker(engines ...*executor.Engine) *Worker {
	w := &Worker{engines: map[string]*executor.Engine{}}
	for _, e := range engines {
		if e != nil {
			w.engines[e.Hash()] = e
		}
	}
	return w
}

// Register registers the workflow and the activity on r (a worker.Worker).
func (w *Worker) Register(r worker.Registry) {
	r.RegisterWorkflowWithOptions(w.Run, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterActivityWithOptions(w.Attempt, activityOptions(ActivityName))
	r.RegisterActivityWithOptions(w.SessionAttemptActivity, activityOptions(ActivitySessionAttempt))
	r.RegisterActivityWithOptions(w.ArmActivity, activityOptions(ActivityArm))
	r.RegisterActivityWithOptions(w.DisarmActivity, activityOptions(ActivityDisarm))
}

// RegisterWorker is NewWorker(engines...).Register(r).
func RegisterWorker(r worker.Registry, engines ...*executor.Engine) *Worker {
	w := NewWorker(engines...)
	w.Register(r)
	return w
}

// OpenSessions counts the runs whose subscriptions the worker holds (runs
// of documents with receive steps, between their start and end).
func (w *Worker) OpenSessions() int { return w.sessions.len() }

// Hashes lists the document hashes the worker serves.
func (w *Worker) Hashes() []string {
	out := make([]string, 0, len(w.engines))
	for h := range w.engines {
		out = append(out, h)
	}
	return out
}

// RunOption configures Start.
type RunOption func(*startConfig)

type startConfig struct {
	id        string
	taskQueue string
	settings  Settings
}

// WithID sets the Temporal workflow id (default telaio-<workflowId>-<uuid>).
// Starting twice with one id while the first run is open fails.
func WithID(id string) RunOption { return func(c *startConfig) { c.id = id } }

// WithTaskQueue sets the task queue (default DefaultTaskQueue).
func WithTaskQueue(q string) RunOption { return func(c *startConfig) { c.taskQueue = q } }

// WithIdempotencyKeys gives the steps with these ids an idempotency key,
// as executor.IdempotencyKeyExtension does in the document.
func WithIdempotencyKeys(stepIDs ...string) RunOption {
	return func(c *startConfig) { c.settings.KeyedSteps = append(c.settings.KeyedSteps, stepIDs...) }
}

// WithAttemptTimeout bounds each attempt (default DefaultAttemptTimeout).
func WithAttemptTimeout(d time.Duration) RunOption {
	return func(c *startConfig) { c.settings.AttemptTimeout = d }
}

// WithHeartbeatTimeout sets how soon a lost worker's attempt is noticed
// (default DefaultHeartbeatTimeout).
func WithHeartbeatTimeout(d time.Duration) RunOption {
	return func(c *startConfig) { c.settings.HeartbeatTimeout = d }
}

// WithLostAttemptRetries sets how many times in all an attempt that is safe
// to send again may start (default DefaultLostAttemptRetries).
func WithLostAttemptRetries(n int) RunOption {
	return func(c *startConfig) { c.settings.LostAttemptRetries = n }
}

// WithSearchAttributes sets AttrDocHash, AttrWorkflowID and AttrStatus on
// the run; they must be registered on the namespace.
func WithSearchAttributes() RunOption {
	return func(c *startConfig) { c.settings.SearchAttributes = true }
}

// WithSessionTimeout bounds the session of a run of a document with
// receive steps (default DefaultSessionTimeout); see Worker.
func WithSessionTimeout(d time.Duration) RunOption {
	return func(c *startConfig) { c.settings.SessionTimeout = d }
}

// WithMaxHistoryEvents bounds the run's history (default
// DefaultMaxHistoryEvents, which leaves room below Temporal's limit).
func WithMaxHistoryEvents(n int) RunOption {
	return func(c *startConfig) { c.settings.MaxHistoryEvents = n }
}

// WithLocalActivities runs the attempts of steps that are safe to send
// again as local activities.
func WithLocalActivities() RunOption {
	return func(c *startConfig) { c.settings.LocalActivities = true }
}

// Run is a run started on Temporal.
type Run struct {
	c client.Client
	// ID and RunID name the Temporal workflow execution.
	ID, RunID string
}

// Start starts the workflow workflowID of eng's document on the workers of
// c's namespace with inputs. Workers must have loaded the same document
// (the same executor.Engine.Hash); the run keeps that version to its end.
// inputs are checked by the worker as Engine.Run does: invalid inputs end
// the run with an *executor.InputError from Run.Result.
func Start(ctx context.Context, c client.Client, eng *executor.Engine, workflowID string, inputs map[string]any, opts ...RunOption) (Run, error) {
	if c == nil {
		return Run{}, ErrNoClient
	}
	if !hasWorkflow(eng, workflowID) {
		return Run{}, fmt.Errorf("temporal: the document has no workflow %q (it has %s)", workflowID, strings.Join(eng.Workflows(), ", "))
	}
	if b, err := json.Marshal(inputs); err != nil {
		return Run{}, fmt.Errorf("temporal: inputs: %w", err)
	} else if len(b) > MaxInputBytes {
		return Run{}, fmt.Errorf("%w: %d bytes", ErrInputsTooLarge, len(b))
	}
	cfg := startConfig{taskQueue: DefaultTaskQueue}
	for _, o := range opts {
		o(&cfg)
	}
	hash := eng.Hash()
	so := client.StartWorkflowOptions{ID: cfg.id, TaskQueue: cfg.taskQueue}
	if so.ID == "" {
		so.ID = "telaio-" + workflowID + "-" + newID()
	}
	if cfg.settings.SearchAttributes {
		so.TypedSearchAttributes = temporal.NewSearchAttributes(AttrDocHash.ValueSet(hash), AttrWorkflowID.ValueSet(workflowID), AttrStatus.ValueSet("running"))
	}
	in := RunInput{DocHash: hash, WorkflowID: workflowID, Inputs: inputs, Settings: cfg.settings}
	we, err := c.ExecuteWorkflow(ctx, so, WorkflowName, in)
	if err != nil {
		return Run{}, fmt.Errorf("temporal: start: %w", err)
	}
	return Run{c: c, ID: we.GetID(), RunID: we.GetRunID()}, nil
}

// Attach names a run started elsewhere (runID "" is the latest run of id).
func Attach(c client.Client, id, runID string) Run { return Run{c: c, ID: id, RunID: runID} }

// Result waits for the run's end and returns its Result and error as
// executor.Engine.Run would: a failed run gives a non-nil Result and an
// *executor.StepError. Each step's trace has no bodies. An error that is
// neither means the Temporal workflow itself failed or ctx ended.
func (r Run) Result(ctx context.Context) (*executor.Result, error) {
	if r.c == nil {
		return nil, ErrNoClient
	}
	var out RunOutput
	if err := r.c.GetWorkflow(ctx, r.ID, r.RunID).Get(ctx, &out); err != nil {
		return nil, fmt.Errorf("temporal: run %s: %w", r.ID, err)
	}
	executor.RestoreRedacted(out.Result, out.Redacted)
	return out.Result, out.Error.Err()
}

// Progress asks the run where it is (the progress query; a closed run
// answers too, from its history).
func (r Run) Progress(ctx context.Context) (Progress, error) {
	var p Progress
	if r.c == nil {
		return p, ErrNoClient
	}
	v, err := r.c.QueryWorkflow(ctx, r.ID, r.RunID, QueryProgress)
	if err != nil {
		return p, fmt.Errorf("temporal: progress of %s: %w", r.ID, err)
	}
	return p, v.Get(&p)
}

func hasWorkflow(eng *executor.Engine, id string) bool {
	if eng == nil {
		return false
	}
	for _, w := range eng.Workflows() {
		if w == id {
			return true
		}
	}
	return false
}
