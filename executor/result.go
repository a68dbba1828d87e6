package executor

import (
	"net/http"
	"time"
)

// Status of a workflow run.
type Status string

const (
	// StatusCompleted: the workflow ran its last step.
	StatusCompleted Status = "completed"
	// StatusEnded: an onSuccess end action ended the workflow.
	StatusEnded Status = "ended"
	// StatusFailed: a step failed with no action handling it, an onFailure
	// end action ended the workflow, or the run could not go on.
	StatusFailed Status = "failed"
)

// Result is the outcome of running a workflow: every step execution in
// order, the outputs and the status. A failed run still returns its full
// trace.
type Result struct {
	WorkflowID string         `json:"workflowId"`
	Success    bool           `json:"success"`
	Status     Status         `json:"status"`
	Inputs     map[string]any `json:"-"`
	Outputs    map[string]any `json:"outputs"`
	// Steps lists this workflow's own step executions in order; a step
	// entered again through goto is a new entry, a retried step one entry.
	Steps []*StepResult `json:"steps"`
	// Dependencies are the runs of the workflows in dependsOn.
	Dependencies []*Result `json:"dependencies,omitempty"`
	// Transfer is the run of the workflow a goto workflowId transferred to
	// (one-way); Success, Status and Outputs are then that run's.
	Transfer *Result       `json:"transfer,omitempty"`
	Duration time.Duration `json:"durationNs"`
	Error    string        `json:"error,omitempty"`

	// redacted is Outputs with secrets masked (set by Engine.Run on the
	// Result it returns).
	redacted map[string]any
}

// Redacted returns a shallow copy of r to share as an artifact (a report,
// a log): its Outputs have secrets masked like the rest of the trace.
// Engine.Run returns the workflow's outputs as they are in Result.Outputs,
// because they are the answer the caller asked for (a login workflow's
// token); everything else of a Result is masked already. Results not made
// by Engine.Run come back as they are.
func (r *Result) Redacted() *Result {
	if r == nil || r.redacted == nil {
		return r
	}
	c := *r
	c.Outputs = r.redacted
	return &c
}

// StepResult is one step execution.
type StepResult struct {
	StepID    string `json:"stepId"`
	Success   bool   `json:"success"`
	Operation string `json:"operation,omitempty"` // e.g. "POST /v1/b2b/otps/sms/send"
	// OperationID is the target operation's id, when it has one.
	OperationID string `json:"operationId,omitempty"`
	// WorkflowID is set for a step that calls a workflow.
	WorkflowID string `json:"workflowId,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
	Attempts   int    `json:"attempts"`
	// Exchanges are the HTTP exchanges of every attempt, in order.
	Exchanges []*Exchange `json:"exchanges,omitempty"`
	// Direction is "send" or "receive" for an Arazzo 1.1 message step;
	// Channel the channel address it used; Messages the messages it sent
	// or received, by attempt.
	Direction string            `json:"direction,omitempty"`
	Channel   string            `json:"channel,omitempty"`
	Messages  []*MessageTrace   `json:"messages,omitempty"`
	Criteria  []CriterionResult `json:"criteria,omitempty"`
	// Violations are the contract violations found in the exchanges.
	Violations []Violation    `json:"violations,omitempty"`
	Outputs    map[string]any `json:"outputs"`
	// Action is the action taken after the step ("end", "goto", "retry" or
	// "" for the default).
	Action   string        `json:"action,omitempty"`
	Workflow *Result       `json:"workflow,omitempty"`
	Duration time.Duration `json:"durationNs"`
	Error    string        `json:"error,omitempty"`
}

// Exchange is one HTTP request and its response, secrets masked.
type Exchange struct {
	Attempt  int       `json:"attempt"`
	Request  *Request  `json:"request"`
	Response *Response `json:"response,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// Request is a sent request, secrets masked.
type Request struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers http.Header `json:"headers,omitempty"`
	// Body is the body as sent, at most Limits.MaxTraceBodyBytes of it.
	Body string `json:"body,omitempty"`
	// BodySize is the size of the whole body; BodyNote says why Body is
	// cut or missing (Limits.MaxTraceBodyBytes, Limits.MaxTraceBytes).
	BodySize int64  `json:"bodySize,omitempty"`
	BodyNote string `json:"bodyNote,omitempty"`
}

// Response is a received response, secrets masked.
type Response struct {
	StatusCode int         `json:"statusCode"`
	Headers    http.Header `json:"headers,omitempty"`
	// Body is the body as received: a json.RawMessage for a complete JSON
	// body (so it encodes as the JSON value it is), else a string; at most
	// Limits.MaxTraceBodyBytes of it. The trace never keeps decoded
	// bodies: expressions read those while the step runs.
	Body any `json:"body,omitempty"`
	// BodySize is the size of the whole body; BodySHA256 its SHA-256 (hex)
	// when Body is cut; BodyNote says why Body is cut or missing
	// (Limits.MaxTraceBodyBytes, Limits.MaxTraceBytes).
	BodySize   int64         `json:"bodySize,omitempty"`
	BodySHA256 string        `json:"bodySha256,omitempty"`
	BodyNote   string        `json:"bodyNote,omitempty"`
	Duration   time.Duration `json:"durationNs"`
}

// MessageTrace is a message a step sent or received (or waited for in
// vain), secrets masked; the payload is kept like an HTTP body (bounded by
// Limits.MaxTraceBodyBytes and Limits.MaxTraceBytes).
type MessageTrace struct {
	Attempt   int    `json:"attempt"`
	Direction string `json:"direction"` // send or receive
	// Channel is the address the message went to or came from.
	Channel     string            `json:"channel"`
	Headers     map[string]string `json:"headers,omitempty"`
	ContentType string            `json:"contentType,omitempty"`
	// Payload is a json.RawMessage for a complete JSON payload, else a
	// string; PayloadSize its size, PayloadSHA256 and PayloadNote when cut
	// or dropped.
	Payload       any    `json:"payload,omitempty"`
	PayloadSize   int    `json:"payloadSize,omitempty"`
	PayloadSHA256 string `json:"payloadSha256,omitempty"`
	PayloadNote   string `json:"payloadNote,omitempty"`
	// Partition and Offset (Kafka) and ID (a broker message id) are what
	// the broker said, where the protocol has them (-1 or "" otherwise).
	Partition int32  `json:"partition,omitempty"`
	Offset    int64  `json:"offset,omitempty"`
	ID        string `json:"id,omitempty"`
	// Duration is how long the send took, or the wait for the message.
	Duration time.Duration `json:"durationNs"`
	// Skipped counts the messages a receive step skipped because their
	// correlation value did not match.
	Skipped int    `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
}

// CriterionResult is the outcome of one success criterion.
type CriterionResult struct {
	Condition string `json:"condition"`
	Type      string `json:"type,omitempty"`
	Passed    bool   `json:"passed"`
	Error     string `json:"error,omitempty"`
}

// Last returns the last execution of the step with the given id, or nil.
func (r *Result) Last(stepID string) *StepResult {
	for i := len(r.Steps) - 1; i >= 0; i-- {
		if r.Steps[i].StepID == stepID {
			return r.Steps[i]
		}
	}
	return nil
}
