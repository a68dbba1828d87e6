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

// The bundled example runs green against the mock: the spec's own
// pet-asyncapi.yaml as published (a Kafka server: the run points the
// source at the mock), the same with a NATS server, and written in
// AsyncAPI 2.6 (no reply object: the workflow receives on the 2.6
// description's confirmOrder operation, the reply paired by correlationId
// location).
func TestExecutor_PetOrderRunsGreenAgainstTheMock(t *testing.T) {
	bundled, err := fs.ReadFile(specs.FS, specs.PetOrderAsyncAPI)
	if err != nil {
		t.Fatal(err)
	}
	natsSrv := strings.Replace(string(bundled), "host: localhost:9092\n    protocol: kafka", "host: localhost:4222\n    protocol: nats", 1)
	if natsSrv == string(bundled) {
		t.Fatal("the bundled description's server changed: update the test")
	}
	for _, tc := range []struct{ name, src string }{
		{"bundled", ""},
		{"nats server", natsSrv},
		{"asyncapi 2.6", petOrder26},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := petOrderFS(t, tc.src)
			if tc.src == petOrder26 {
				m := fsys.(fstest.MapFS)
				wf := string(m[specs.PetOrderArazzo].Data)
				wf = strings.Replace(wf, "orders.placeOrder\n        action: receive", "orders.confirmOrder\n        action: receive", 1)
				wf = strings.Replace(wf, "operationId: $sourceDescriptions.petOrders.placeOrder\n        action: receive", "operationId: $sourceDescriptions.petOrders.confirmOrder\n        action: receive", 1)
				m[specs.PetOrderArazzo] = &fstest.MapFile{Data: []byte(wf)}
			}
			e, _ := mockRun(t, fsys)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := e.Run(ctx, "purchasePet", map[string]any{"orderRequestId": "order-7", "petId": 7})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != executor.StatusCompleted {
				t.Fatalf("status %s: %+v", res.Status, res.Steps)
			}
			if _, ok := res.Outputs["orderId"].(float64); !ok {
				t.Errorf("orderId %#v", res.Outputs["orderId"])
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
