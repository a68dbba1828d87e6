package executor

import "fmt"

// EventKind tells what happened.
type EventKind int

const (
	WorkflowStarted EventKind = iota + 1
	WorkflowFinished
	StepStarted
	StepFinished
	RequestSent
	ResponseReceived
	MessageSent
	MessageReceived
)

var eventKindNames = [...]string{
	WorkflowStarted:  "workflow-started",
	WorkflowFinished: "workflow-finished",
	StepStarted:      "step-started",
	StepFinished:     "step-finished",
	RequestSent:      "request-sent",
	ResponseReceived: "response-received",
	MessageSent:      "message-sent",
	MessageReceived:  "message-received",
}

// String names the kind, e.g. "step-finished".
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is what an Observer is told. Request, Response, Step and Result are
// the masked trace values (read-only); a Result's Outputs are masked too.
type Event struct {
	Kind       EventKind
	WorkflowID string
	StepID     string
	Attempt    int
	Depth      int
	Step       *StepResult
	Request    *Request
	Response   *Response
	Message    *MessageTrace
	Result     *Result
}

// Observer is told of each workflow, step and exchange as the run goes. It
// is called from the goroutine running the workflow; it must not block long.
type Observer interface {
	Observe(Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Observe calls f.
func (f ObserverFunc) Observe(e Event) { f(e) }

var _ Observer = ObserverFunc(nil)
