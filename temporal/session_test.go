package temporal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/asyncmock"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/specs"
	"github.com/telaio/telaio/temporal"
	"github.com/telaio/telaio/transport/nats"
)

// petOrderEngine plans the specification's pet order example against an
// embedded NATS broker whose responder answers each order at once.
func petOrderEngine(t testing.TB) *executor.Engine {
	t.Helper()
	doc, ds := arazzo.LoadFS(context.Background(), specs.FS, specs.PetOrderArazzo)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var docs []*asyncapi.Document
	for _, src := range doc.Sources {
		if src.AsyncAPI != nil {
			docs = append(docs, src.AsyncAPI)
		}
	}
	srv, err := asyncmock.Start(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	eng, err := executor.New(doc, executor.WithTransport(nats.Driver{}), executor.WithServer("petOrders", srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// TestReceiveStepsOnTemporal: a run of a document with receive steps
// holds a session, so its receive step is armed ahead on the worker that
// runs its attempts, as in process: the reply the responder publishes as
// soon as the order is sent is received (without the session the receive
// subscribed after it, and timed out). The worker lets the subscriptions
// go when the run ends.
func TestReceiveStepsOnTemporal(t *testing.T) {
	c := dial(t, testKey)
	queue := queueName(t)
	eng := petOrderEngine(t)
	w := worker.New(c, queue, worker.Options{EnableSessionWorker: true})
	tw := temporal.RegisterWorker(w, eng)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	ctx := testCtx(t)
	for i := range 3 {
		run, err := temporal.Start(ctx, c, eng, "purchasePet", map[string]any{"orderRequestId": "temporal-pet-" + string(rune('a'+i)), "petId": 3}, temporal.WithTaskQueue(queue))
		if err != nil {
			t.Fatal(err)
		}
		res, err := run.Result(ctx)
		if err != nil {
			t.Fatalf("run %d: %v %+v", i, err, res)
		}
		if id, ok := res.Outputs["orderId"].(float64); !ok || id < 1 {
			t.Errorf("run %d: outputs %v", i, res.Outputs)
		}
		confirm := res.Steps[len(res.Steps)-1]
		if confirm.Direction != "receive" || confirm.Attempts != 1 || len(confirm.Messages) != 1 {
			t.Errorf("run %d: receive %+v", i, confirm)
		}
	}
	waitFor(t, "the sessions' subscriptions to close", func() bool { return tw.OpenSessions() == 0 })
}

// TestReceiveStepsNeedSessionWorkers: without a worker that serves
// sessions, the run's message steps fail with ErrNoSession's explanation
// rather than miss their messages.
func TestReceiveStepsNeedSessionWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for temporal.SessionCreationTimeout")
	}
	c := dial(t, testKey)
	queue := queueName(t)
	eng := petOrderEngine(t)
	w := worker.New(c, queue, worker.Options{})
	temporal.RegisterWorker(w, eng)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), temporal.SessionCreationTimeout+60*time.Second)
	defer cancel()
	run, err := temporal.Start(ctx, c, eng, "purchasePet", map[string]any{"orderRequestId": "no-session", "petId": 3}, temporal.WithTaskQueue(queue))
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Result(ctx)
	if err == nil || res == nil || res.Success || len(res.Steps) == 0 {
		t.Fatalf("%v %+v", err, res)
	}
	if msg := res.Steps[0].Error; !strings.Contains(msg, "EnableSessionWorker") {
		t.Errorf("the failed step says %q", msg)
	}
}
