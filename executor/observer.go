package executor

// EventKind tells what happened.
type EventKind int

const (
	WorkflowStarted EventKind = iota + 1
	WorkflowFinished
	StepStarted
	StepFinished
	RequestSent
	ResponseReceived
)

// Event is what an Observer is told. Request, Response and Step are the
// masked trace values (read-only).
type Event struct {
	Kind       EventKind
	WorkflowID string
	StepID     string
	Attempt    int
	Depth      int
	Step       *StepResult
	Request    *Request
	Response   *Response
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
