package executor_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telaio/telaio/executor"
)

// counter is a server answering 200 to everything, counting requests.
func counter(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// limitErr asserts err is coded CodeLimit and unwraps to the named
// *LimitError with the given value.
func limitErr(t *testing.T, err error, name string, value int64) {
	t.Helper()
	var se *executor.StepError
	var le *executor.LimitError
	if !errors.As(err, &se) || se.Code != executor.CodeLimit || !errors.As(err, &le) {
		t.Fatalf("err = %v, want a %s StepError with a LimitError", err, executor.CodeLimit)
	}
	if le.Limit != name || le.Value != value {
		t.Fatalf("LimitError = %+v, want %s %d", le, name, value)
	}
	if !errors.Is(err, &executor.StepError{Code: executor.CodeLimit}) {
		t.Error("errors.Is by code does not match")
	}
}

const gotoLoop = `  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        onSuccess:
          - {name: forever, type: goto, stepId: a}
`

func TestLimitStepExecutions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		want  int
	}{{"default", 0, executor.DefaultMaxStepExecutions}, {"set", 5, 5}} {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := counter(t)
			e := faultEngine(t, faultDoc(gotoLoop), srv.URL, executor.WithLimits(executor.Limits{MaxStepExecutions: tc.limit}))
			res, err := e.Run(testCtx(t), "main", nil)
			limitErr(t, err, executor.LimitStepExecutions, int64(tc.want))
			stepErr(t, err, executor.CodeLimit, "main", "a")
			if n := int(hits.Load()); n != tc.want {
				t.Errorf("requests = %d, want %d", n, tc.want)
			}
			if len(res.Steps) != tc.want+1 || res.Status != executor.StatusFailed {
				t.Errorf("%d step entries, status %s", len(res.Steps), res.Status)
			}
			if !strings.Contains(err.Error(), "Limits.MaxStepExecutions") {
				t.Errorf("message %q does not name the limit", err)
			}
		})
	}
}

// Retries count against the step budget too.
func TestLimitStepExecutionsRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: again, type: retry, retryLimit: 100}
`), srv.URL, executor.WithSleep((&sleeps{}).sleep), executor.WithLimits(executor.Limits{MaxStepExecutions: 3}))
	res, err := e.Run(testCtx(t), "main", nil)
	limitErr(t, err, executor.LimitStepExecutions, 3)
	if res.Steps[0].Attempts != 4 {
		t.Errorf("attempts = %d", res.Steps[0].Attempts)
	}
}

func TestLimitDepth(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		want  int
	}{{"default", 0, executor.DefaultMaxDepth}, {"set", 4, 4}} {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := counter(t)
			e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - {stepId: ping, operationId: a}
      - {stepId: again, workflowId: main}
`), srv.URL, executor.WithLimits(executor.Limits{MaxDepth: tc.limit}))
			res, err := e.Run(testCtx(t), "main", nil)
			limitErr(t, err, executor.LimitDepth, int64(tc.want))
			if n := int(hits.Load()); n != tc.want {
				t.Errorf("requests = %d, want %d", n, tc.want)
			}
			// The trace nests one level per call.
			depth := 0
			for r := res; r != nil && len(r.Steps) == 2; r = r.Steps[1].Workflow {
				depth++
			}
			if depth != tc.want {
				t.Errorf("trace depth = %d, want %d", depth, tc.want)
			}
		})
	}
}

func TestLimitResponseBytesDefault(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		n := executor.DefaultMaxResponseBytes
		if r.URL.Path == "/b" {
			n++
		}
		_, _ = w.Write(make([]byte, n))
	}))
	defer srv.Close()
	e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - {stepId: fits, operationId: a}
      - {stepId: over, operationId: b}
`), srv.URL)
	res, err := e.Run(testCtx(t), "main", nil)
	limitErr(t, err, executor.LimitResponseBytes, executor.DefaultMaxResponseBytes)
	stepErr(t, err, executor.CodeLimit, "main", "over")
	if len(res.Steps) != 2 || !res.Steps[0].Success || hits.Load() != 2 {
		t.Errorf("trace = %+v", res.Steps)
	}
}

// Waits are capped, not failed (D17): the retry happens after the cap.
func TestLimitRetryWaitCapped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit time.Duration
		want  time.Duration
	}{{"default", 0, executor.DefaultMaxRetryWait}, {"set", time.Second, time.Second}} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					w.Header().Set("Retry-After", "3600")
					w.WriteHeader(429)
				}
			}))
			defer srv.Close()
			var sl sleeps
			e := faultEngine(t, faultDoc(retryFlow), srv.URL, executor.WithSleep(sl.sleep),
				executor.WithLimits(executor.Limits{MaxRetryWait: tc.limit}))
			res, err := e.Run(testCtx(t), "main", nil)
			if err != nil || !res.Success {
				t.Fatalf("err = %v", err)
			}
			if w := sl.get(); len(w) != 1 || w[0] != tc.want {
				t.Errorf("waits = %v, want [%v]", w, tc.want)
			}
		})
	}
}

func TestLimitErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  *executor.LimitError
		want string
	}{
		{&executor.LimitError{Limit: executor.LimitResponseBytes, Value: 16}, "response body bytes limit of 16 exceeded (Limits.MaxResponseBytes)"},
		{&executor.LimitError{Limit: executor.LimitDepth, Value: 3}, "workflow nesting depth limit of 3 exceeded (Limits.MaxDepth)"},
		{&executor.LimitError{Limit: executor.LimitStepExecutions, Value: 9}, "step executions limit of 9 exceeded (Limits.MaxStepExecutions)"},
		{&executor.LimitError{Limit: "other", Value: 1}, "other limit of 1 exceeded"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
