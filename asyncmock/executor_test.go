//go:build asyncmock_executor

// This test needs the executor of main (fcbc9e6, message steps), which
// the base of branch h/asyncmock predates: it builds only with
// -tags asyncmock_executor. Delete these lines once merged into main.

package asyncmock_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/asyncmock"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/specs"
	"github.com/telaio/telaio/transport/nats"
)

// petOrderFS is the bundled pet order example with its AsyncAPI
// description replaced by asyncapiSrc (when not ""), at the same path.
func petOrderFS(t testing.TB, asyncapiSrc string) fs.FS {
	t.Helper()
	read := func(p string) []byte {
		b, err := fs.ReadFile(specs.FS, p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	src := read(specs.PetOrderAsyncAPI)
	if asyncapiSrc != "" {
		src = []byte(asyncapiSrc)
	}
	return fstest.MapFS{
		specs.PetOrderArazzo:   {Data: read(specs.PetOrderArazzo)},
		specs.PetOrderAsyncAPI: {Data: src},
	}
}

// mockRun loads the pet order workflow from fsys, starts the mock for its
// AsyncAPI source and builds the engine as `telaio run --mock` does: the
// source's server is the mock, through the NATS driver.
func mockRun(t testing.TB, fsys fs.FS) (*executor.Engine, *asyncmock.Server) {
	t.Helper()
	ctx := ctxT(t)
	doc, ds := arazzo.LoadFS(ctx, fsys, specs.PetOrderArazzo)
	if doc != nil {
		ds = append(ds, arazzo.Validate(doc)...)
	}
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	src, err := fs.ReadFile(fsys, specs.PetOrderAsyncAPI)
	if err != nil {
		t.Fatal(err)
	}
	d, err := asyncapi.Load(src, specs.PetOrderAsyncAPI)
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, []*asyncapi.Document{d})
	e, err := executor.New(doc, executor.Validated(), executor.WithTransport(nats.Driver{}),
		executor.WithServer("petOrders", srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, srv
}

// The bundled example runs green against the mock, with the 3.0
// description as bundled (a NATS server), with its server declared as
// Kafka (the spec's own pet-asyncapi.yaml: the run points the source at
// the mock), and written in AsyncAPI 2.6 (the reply paired by
// correlationId location).
func TestExecutor_PetOrderRunsGreenAgainstTheMock(t *testing.T) {
	bundled, err := fs.ReadFile(specs.FS, specs.PetOrderAsyncAPI)
	if err != nil {
		t.Fatal(err)
	}
	kafka := strings.Replace(string(bundled), "host: localhost:4222\n    protocol: nats", "host: localhost:9092\n    protocol: kafka", 1)
	if kafka == string(bundled) {
		t.Fatal("the bundled description's server changed: update the test")
	}
	for _, tc := range []struct{ name, src string }{
		{"bundled", ""},
		{"kafka server", kafka},
		{"asyncapi 2.6", petOrder26},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := mockRun(t, petOrderFS(t, tc.src))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := e.Run(ctx, "purchasePet", map[string]any{"orderRequestId": "order-7", "petId": 7})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != executor.StatusCompleted {
				t.Fatalf("status %s: %+v", res.Status, res.Steps)
			}
			id, ok := res.Outputs["orderId"].(float64)
			if !ok || id < 1 {
				t.Errorf("orderId %#v", res.Outputs["orderId"])
			}
			if s := res.Outputs["status"]; s != "placed" && s != "approved" {
				t.Errorf("status %#v", s)
			}
			confirm := res.Steps[len(res.Steps)-1]
			if confirm.Channel != "confirm-order" || len(confirm.Messages) != 1 {
				t.Errorf("receive trace %+v", confirm)
			}
		})
	}
}

// Concurrent runs share the confirm-order channel: each run's correlation
// filter finds its own reply among the others'.
func TestExecutor_ConcurrentRunsGetTheirOwnReply(t *testing.T) {
	e, _ := mockRun(t, petOrderFS(t, ""))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	got := map[string]any{}
	var wg sync.WaitGroup
	for i := range 10 {
		id := fmt.Sprintf("order-%d", i)
		wg.Go(func() {
			res, err := e.Run(ctx, "purchasePet", map[string]any{"orderRequestId": id})
			if err != nil {
				t.Error(id, err)
				return
			}
			if res.Status != executor.StatusCompleted {
				t.Errorf("%s: %s", id, res.Status)
				return
			}
			mu.Lock()
			got[id] = res.Outputs["orderId"]
			mu.Unlock()
		})
	}
	wg.Wait()
	// Replies derive from the correlation value: different orders
	// (almost always) get different order ids, the same order the same.
	distinct := map[any]bool{}
	for _, v := range got {
		distinct[v] = true
	}
	if len(got) != 10 || len(distinct) < 2 {
		t.Errorf("orderIds %v", got)
	}
}
