package executor

import (
	"fmt"
	"strings"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/schema"
)

// Error codes of run errors.
const (
	CodeStepFailed     = "step-failed"      // success criteria not met, no action handled it
	CodeEndedOnFailure = "ended-on-failure" // an onFailure end action
	CodeRequest        = "request"          // the request could not be built
	CodeTransport      = "transport"        // the exchange failed (network, timeout)
	CodeResponse       = "response"         // the response could not be read
	CodeLimit          = "limit-exceeded"   // a limit of Limits was reached
	CodeDependency     = "dependency-failed"
	CodeWorkflow       = "workflow-failed" // a called workflow failed
	CodeInsecure       = "insecure-credentials"
	CodeAuth           = "auth"     // a credential cannot be sent (basic or OAuth2 client credentials without a colon)
	CodeCanceled       = "canceled" // the run's context was canceled
	CodeTimeout        = "timeout"  // the run's context reached its deadline
)

// StepError is the error of a failed run: which workflow, step and attempt,
// and why. It unwraps to the cause.
type StepError struct {
	WorkflowID string
	StepID     string
	Attempt    int
	Code       string
	Err        error
}

func (e *StepError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "workflow %q", e.WorkflowID)
	if e.StepID != "" {
		fmt.Fprintf(&b, ", step %q", e.StepID)
		if e.Attempt > 1 {
			fmt.Fprintf(&b, " (attempt %d)", e.Attempt)
		}
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString(e.Code)
	}
	return b.String()
}

func (e *StepError) Unwrap() error { return e.Err }

// Is matches another *StepError by Code.
func (e *StepError) Is(target error) bool {
	t, ok := target.(*StepError)
	return ok && t.Code != "" && t.Code == e.Code && t.WorkflowID == "" && t.StepID == ""
}

// InputError reports inputs that do not match the workflow's inputs schema.
// No request was sent.
type InputError struct {
	WorkflowID string
	Violations []schema.Violation
}

func (e *InputError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "workflow %q: invalid inputs:", e.WorkflowID)
	for _, v := range e.Violations {
		b.WriteString("\n  ")
		b.WriteString(v.String())
	}
	return b.String()
}

// unknownWorkflow is Run's error for a workflow id the document does not
// define: it wraps arazzo.ErrUnknownWorkflow.
func unknownWorkflow(id string, ids []string) error { return arazzo.UnknownWorkflowError(id, ids) }

// Names of the limits a *LimitError reports (LimitError.Limit). Retry waits
// are capped by Limits.MaxRetryWait, not failed, so they have no name here.
const (
	LimitStepExecutions = "step-executions" // Limits.MaxStepExecutions
	LimitDepth          = "workflow-depth"  // Limits.MaxDepth
	LimitResponseBytes  = "response-bytes"  // Limits.MaxResponseBytes
	LimitValueBytes     = "value-bytes"     // Limits.MaxValueBytes
)

// limitText describes each limit: what it counts and its field in Limits.
var limitText = map[string][2]string{
	LimitStepExecutions: {"step executions", "MaxStepExecutions"},
	LimitDepth:          {"workflow nesting depth", "MaxDepth"},
	LimitResponseBytes:  {"response body bytes", "MaxResponseBytes"},
	LimitValueBytes:     {"value bytes (a request body, parameter or output)", "MaxValueBytes"},
}

// LimitError names the limit a run exceeded (one of the Limit* names) and
// the limit's value. The run fails with code CodeLimit; failure actions do
// not handle it.
type LimitError struct {
	Limit string
	Value int64
}

func (e *LimitError) Error() string {
	if t, ok := limitText[e.Limit]; ok {
		return fmt.Sprintf("%s limit of %d exceeded (Limits.%s)", t[0], e.Value, t[1])
	}
	return fmt.Sprintf("%s limit of %d exceeded", e.Limit, e.Value)
}

// attemptError is why an attempt failed without a usable response (the
// exchange failed, or its response could not be read). Failure actions may
// handle it; otherwise the run fails with its code (CodeTransport or
// CodeResponse) instead of CodeStepFailed.
type attemptError struct {
	code string
	err  error
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// maskedError carries a message with secrets masked and unwraps to the
// original cause, so errors.As still reaches it.
type maskedError struct {
	msg   string
	cause error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.cause }
