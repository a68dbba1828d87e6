package temporal

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
)

// TestStepsQueryPages: the steps query answers pages of at most
// MaxStepsPerQuery steps, without outputs or nested results, and refuses
// an index past the steps finished.
func TestStepsQueryPages(t *testing.T) {
	h := &wfHost{}
	const n = 2*MaxStepsPerQuery + 5
	for i := range n {
		h.done = append(h.done, doneStep{depth: i % 2, workflowID: "w", sr: &executor.StepResult{StepID: fmt.Sprint(i),
			Outputs: map[string]any{"secret": "x"}, Workflow: &executor.Result{}}})
	}
	var got []string
	for from := 0; ; {
		p, err := h.stepsFrom(from)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Steps) > MaxStepsPerQuery || p.From != from {
			t.Fatalf("page from %d: %d steps, From %d", from, len(p.Steps), p.From)
		}
		for _, s := range p.Steps {
			if s.Step.Outputs != nil || s.Step.Workflow != nil {
				t.Fatalf("step %s carries its outputs or nested result", s.Step.StepID)
			}
			got = append(got, s.Step.StepID)
		}
		from += len(p.Steps)
		if !p.More {
			break
		}
	}
	if len(got) != n || got[0] != "0" || got[n-1] != fmt.Sprint(n-1) {
		t.Errorf("steps %v", got)
	}
	if h.done[0].sr.Outputs == nil {
		t.Error("the query cleared the run's own step result")
	}
	if _, err := h.stepsFrom(n + 1); err == nil || !strings.Contains(err.Error(), "finished") {
		t.Errorf("past the end: %v", err)
	}
}

// TestFinishedOrder: the steps of a Result in the order a run finishes
// them: dependencies, a called workflow's steps before the calling step,
// a goto workflow's after.
func TestFinishedOrder(t *testing.T) {
	res := &executor.Result{WorkflowID: "main",
		Dependencies: []*executor.Result{{WorkflowID: "dep", Steps: []*executor.StepResult{{StepID: "d1"}}}},
		Steps: []*executor.StepResult{{StepID: "s1"},
			{StepID: "call", Workflow: &executor.Result{WorkflowID: "child", Steps: []*executor.StepResult{{StepID: "c1"}}}}},
		Transfer: &executor.Result{WorkflowID: "next", Steps: []*executor.StepResult{{StepID: "n1"}}}}
	var got []string
	finished(res, 0, func(ev executor.Event) {
		got = append(got, fmt.Sprintf("%s/%s@%d", ev.WorkflowID, ev.StepID, ev.Depth))
	})
	if want := "dep/d1@1 main/s1@0 child/c1@1 main/call@0 next/n1@0"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
}

// TestTrimTrace: a result over the bound keeps the last exchange and
// message of each step, then only the steps' summaries; one under it is
// left alone.
func TestTrimTrace(t *testing.T) {
	mk := func(attempts int, header string) *executor.Result {
		var ex []*executor.Exchange
		var msgs []*executor.MessageTrace
		for i := range attempts {
			ex = append(ex, &executor.Exchange{Attempt: i + 1, Request: &executor.Request{Method: "GET", URL: "http://x/poll",
				Headers: map[string][]string{"X-Big": {header}}}})
			msgs = append(msgs, &executor.MessageTrace{Attempt: i + 1, Channel: "c"})
		}
		return &executor.Result{WorkflowID: "w", Steps: []*executor.StepResult{{StepID: "poll", Attempts: attempts, Exchanges: ex, Messages: msgs,
			Criteria: []executor.CriterionResult{{Condition: "$statusCode == 200"}}}}}
	}
	small := mk(3, "x")
	if n := trimTrace(small, MaxOutputBytes); n != 0 || len(small.Steps[0].Exchanges) != 3 {
		t.Errorf("a small trace was trimmed: %d", n)
	}
	res := mk(3000, strings.Repeat("h", 400))
	if n := trimTrace(res, MaxOutputBytes); n != 2*2999 || len(res.Steps[0].Exchanges) != 1 || res.Steps[0].Exchanges[0].Attempt != 3000 ||
		len(res.Steps[0].Messages) != 1 || len(res.Steps[0].Criteria) != 1 {
		t.Errorf("trimmed %d: %d exchanges left", n, len(res.Steps[0].Exchanges))
	}
	huge := mk(2, strings.Repeat("h", 2*MaxOutputBytes))
	trimTrace(huge, MaxOutputBytes)
	if s := huge.Steps[0]; len(s.Exchanges) != 0 || len(s.Criteria) != 0 || s.Attempts != 2 {
		t.Errorf("a trace over the bound with one exchange a step keeps %+v", s)
	}
}

// TestSessionTableExpires: a session's subscriptions are closed when the
// session expires, even if the run never says it ended; closing twice is
// harmless.
func TestSessionTableExpires(t *testing.T) {
	fsys := fstest.MapFS{
		"flow.yaml": {Data: []byte("arazzo: 1.0.1\ninfo: {title: t, version: \"1\"}\nsourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: op}\n")},
		"api.yaml":  {Data: []byte("openapi: 3.1.0\ninfo: {title: t, version: \"1\"}\npaths:\n  /x:\n    get: {operationId: op, responses: {default: {description: any}}}\n")},
	}
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	eng, err := executor.New(doc, executor.WithServer("api", "http://127.0.0.1:9"))
	if err != nil {
		t.Fatal(err)
	}
	var tab sessionTable
	a := tab.get("s1", eng, time.Now())
	if tab.get("s1", eng, time.Now()) != a || tab.len() != 1 {
		t.Fatal("a session's subscriptions are not kept")
	}
	tab.get("s2", eng, time.Now().Add(time.Hour))
	deadline := time.Now().Add(5 * time.Second)
	for tab.len() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions after s1 expired", tab.len())
		}
		time.Sleep(20 * time.Millisecond)
	}
	tab.close("s2")
	tab.close("s2")
	if tab.len() != 0 {
		t.Errorf("%d sessions after close", tab.len())
	}
}
