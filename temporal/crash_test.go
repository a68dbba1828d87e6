package temporal_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/temporal"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/nats"
)

// The crash tests run the worker as a subprocess and SIGKILL it; a second
// subprocess finishes the run. The API counts what it received.

// TestCrashDuringRetryWait: a worker killed while the run waits on a
// Retry-After timer; a new worker runs the retry, step a is not sent again.
func TestCrashDuringRetryWait(t *testing.T) {
	a := newAPI(t)
	a.failFirst("/b", "2")
	c, eng, path, queue := planned(t, a)
	w1 := spawnWorker(t, queue, path, a.srv.URL)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", nil, temporal.WithTaskQueue(queue), temporal.WithHeartbeatTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	waitForRetryWait(t, ctx, run)
	w1.kill()
	spawnWorker(t, queue, path, a.srv.URL)
	res, err := run.Result(ctx)
	if err != nil || !res.Success {
		t.Fatalf("err = %v, result %+v", err, res)
	}
	if a.count("/a") != 1 || a.count("/b") != 2 {
		t.Errorf("requests: /a %d (want 1), /b %d (want 2)", a.count("/a"), a.count("/b"))
	}
	if res.Outputs["a"] != 1.0 || res.Outputs["b"] != 2.0 || res.Steps[1].Attempts != 2 {
		t.Errorf("result: outputs %v, steps %+v", res.Outputs, res.Steps)
	}
}

// TestCrashBetweenSteps: a worker killed once step a's outcome is in the
// history; a new worker runs step b, step a is not sent again.
func TestCrashBetweenSteps(t *testing.T) {
	a := newAPI(t)
	var killed atomic.Bool
	a.on("/b", func(n int, w http.ResponseWriter, r *http.Request) {
		if !killed.Load() {
			<-r.Context().Done() // in flight on the first worker: never answered
			return
		}
		fmt.Fprintf(w, `{"n": %d}`, n)
	})
	c, eng, path, queue := planned(t, a)
	w1 := spawnWorker(t, queue, path, a.srv.URL)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", nil, temporal.WithTaskQueue(queue), temporal.WithHeartbeatTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "step a's outcome in the history", func() bool {
		for _, ev := range history(t, c, run.ID) {
			if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED {
				return true
			}
		}
		return false
	})
	w1.kill()
	killed.Store(true)
	spawnWorker(t, queue, path, a.srv.URL)
	res, err := run.Result(ctx)
	if err != nil || !res.Success {
		t.Fatalf("err = %v, result %+v", err, res)
	}
	if a.count("/a") != 1 || res.Outputs["a"] != 1.0 {
		t.Errorf("step a sent %d times (want 1), outputs %v", a.count("/a"), res.Outputs)
	}
}

// TestCrashMidPOSTResentOnlyWithKey: a worker killed while a POST is in
// flight. With an idempotency key the POST is sent again with the same key
// (the API charges once); without, it is not sent again and the run fails
// with a transport failure.
func TestCrashMidPOSTResentOnlyWithKey(t *testing.T) {
	for _, tc := range []struct {
		workflow string
		keyed    bool
	}{{"charge", true}, {"chargeUnkeyed", false}} {
		t.Run(tc.workflow, func(t *testing.T) {
			c := dial(t, testKey)
			a := newAPI(t)
			inFlight := make(chan struct{}, 1)
			a.on("/charge", func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					_, _ = io.Copy(io.Discard, r.Body) // then the server notices the connection close
					inFlight <- struct{}{}
					<-r.Context().Done()
					return
				}
				fmt.Fprintf(w, `{"id": "ch_1"}`)
			})
			path, queue := writeDoc(t), queueName(t)
			eng, err := loadEngine(path, a.srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			w1 := spawnWorker(t, queue, path, a.srv.URL)
			ctx := testCtx(t)
			run, err := temporal.Start(ctx, c, eng, tc.workflow, nil, temporal.WithTaskQueue(queue), temporal.WithHeartbeatTimeout(2*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-inFlight:
			case <-ctx.Done():
				t.Fatal("the POST never arrived")
			}
			w1.kill()
			spawnWorker(t, queue, path, a.srv.URL)
			res, err := run.Result(ctx)
			keys := a.keyCounts()
			if tc.keyed {
				if err != nil || !res.Success || res.Outputs["id"] != "ch_1" {
					t.Fatalf("err = %v, result %+v", err, res)
				}
				if a.count("/charge") != 2 || len(keys) != 1 {
					t.Errorf("requests %d (want 2), keys %v (want one, twice)", a.count("/charge"), keys)
				}
				for k, n := range keys {
					if n != 2 || k != run.ID+"/charge/charge/1" {
						t.Errorf("key %q sent %d times", k, n)
					}
				}
				return
			}
			var se *executor.StepError
			if !errors.As(err, &se) || se.Code != executor.CodeTransport || se.StepID != "charge" {
				t.Fatalf("err = %v, want a transport failure of step charge", err)
			}
			if a.count("/charge") != 1 || len(keys) != 0 {
				t.Errorf("requests %d (want 1), keys %v (want none)", a.count("/charge"), keys)
			}
		})
	}
}

// TestReplayIsDeterministic: the history of a run with a retry wait and a
// workflow step's worth of decisions replays on a fresh replayer (the
// interpreter decides the same from the recorded outcomes).
func TestReplayIsDeterministic(t *testing.T) {
	a := newAPI(t)
	a.failFirst("/b", "1")
	c, eng, queue := served(t, a)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", map[string]any{"token": "tok-replay-0123456789"}, temporal.WithTaskQueue(queue))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Result(ctx); err != nil {
		t.Fatal(err)
	}
	dc, err := temporal.DataConverter(testKey)
	if err != nil {
		t.Fatal(err)
	}
	replay := func(e *executor.Engine) error {
		r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: dc})
		if err != nil {
			t.Fatal(err)
		}
		r.RegisterWorkflowWithOptions(temporal.NewWorker(e).Run, workflow.RegisterOptions{Name: temporal.WorkflowName})
		return r.ReplayWorkflowHistoryWithOptions(nopLogger{}, &historypb.History{Events: history(t, c, run.ID)},
			worker.ReplayWorkflowHistoryOptions{OriginalExecution: workflow.Execution{ID: run.ID, RunID: run.RunID}})
	}
	if err := replay(eng); err != nil {
		t.Fatalf("replay: %v", err)
	}
	// A document that differs (another retryLimit) has another
	// hash: its worker does not replay the run.
	other, err := loadEngine(writeDocWith(t, strings.Replace(flowYAML, "retryLimit: 3", "retryLimit: 4", 1)), a.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := replay(other); err == nil {
		t.Error("a worker without the run's document replayed it")
	}
}

// ticksAsyncAPI and ticksFlow: a receive step on a fixed channel that
// waits 400 ms per attempt and retries after a second.
const ticksAsyncAPI = `asyncapi: 3.0.0
info: {title: ticks, version: "1"}
servers:
  local: {host: "127.0.0.1:4222", protocol: nats}
channels:
  ticks:
    address: ticks
    messages:
      tick:
        payload: {type: object}
operations:
  onTick:
    action: receive
    channel: {$ref: '#/channels/ticks'}
`

const ticksFlow = `arazzo: 1.1.0
info: {title: ticks, version: "1"}
sourceDescriptions:
  - {name: broker, url: ./ticks.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: waitTick
    steps:
      - stepId: tick
        operationId: onTick
        action: receive
        timeout: 400
        onFailure:
          - {name: again, type: retry, retryAfter: 1, retryLimit: 30}
        outputs: {n: $message.payload#/n}
    outputs: {n: $steps.tick.outputs.n}
`

// TestCrashOfTheSessionWorker: the worker holding a run's session (and its
// subscription) is killed during a retry wait of a receive step; the run
// goes on in a new session on another worker, whose receive attempt
// subscribes anew and gets the message.
func TestCrashOfTheSessionWorker(t *testing.T) {
	c := dial(t, testKey)
	b := brokertest.NATS(t, brokertest.Options{})
	dir := t.TempDir()
	for name, text := range map[string]string{"flow.yaml": ticksFlow, "ticks.asyncapi.yaml": ticksAsyncAPI} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path, queue := filepath.Join(dir, "flow.yaml"), queueName(t)
	eng, err := loadEngineFor(path, "broker", b.URL.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	w1 := spawnWorker(t, queue, path, b.URL.String(), "TELAIO_TEST_SOURCE=broker")
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "waitTick", nil, temporal.WithTaskQueue(queue), temporal.WithHeartbeatTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	waitForRetryWait(t, ctx, run)
	w1.kill()
	startWorker(t, c, queue, eng)
	// Publish a tick every 100 ms until the run ends.
	conn, err := nats.Driver{}.Dial(ctx, b.Server())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				_, _ = conn.Publish(ctx, &transport.Message{Channel: transport.Channel{Address: "ticks"}, Payload: []byte(`{"n": 7}`), ContentType: "application/json"})
			}
		}
	}()
	res, err := run.Result(ctx)
	if err != nil || !res.Success || res.Outputs["n"] != 7.0 {
		t.Fatalf("err = %v, result %+v", err, res)
	}
	if s := res.Steps[0]; s.Attempts < 2 {
		t.Errorf("step %+v", s)
	}
}
