package executor_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/telaio/telaio/executor"
)

var (
	soak     = flag.Bool("soak", false, "run TestSoak at full length (-soak.runs runs) instead of its short variant")
	soakRuns = flag.Int("soak.runs", 10000, "runs of TestSoak with -soak")
)

// soakWorkflows are the workflows of TestSoak, over faultOpenAPI.
const soakWorkflows = `  - workflowId: ok
    steps:
      - stepId: a
        operationId: a
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {status: $response.body#/status}
    outputs: {status: $steps.a.outputs.status}
  - workflowId: item
    inputs:
      type: object
      properties: {id: {type: string}}
    steps:
      - stepId: get
        operationId: item
        parameters: [{name: id, in: path, value: $inputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: again, type: retry, retryAfter: 0, retryLimit: 3}
        outputs: {id: $response.body#/id}
    outputs: {id: $steps.get.outputs.id}
  - workflowId: slowbody
    steps:
      - stepId: b
        operationId: b
`

// soakServer is the loopback fake of TestSoak. /a answers at once; /b
// sends its headers and part of a body, then waits for the client to give
// up; /items/{id} behaves by the id's prefix:
//
//   - flaky-: a 503 with Retry-After: 0, then a body cut off mid-way, then
//     a redirect to ?final=1, which answers 200 (three attempts);
//   - block-: waits for the client to give up before answering;
//   - fail-: a 500, every time.
type soakServer struct {
	mu      sync.Mutex
	attempt map[string]int
}

func (s *soakServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/a":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status": "done"}`))
		return
	case r.URL.Path == "/b":
		blocker(true, nil)(w, r)
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/items/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasPrefix(id, "block-"):
		blocker(false, nil)(w, r)
	case strings.HasPrefix(id, "fail-"):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error": "always"}`))
	case r.URL.Query().Get("final") == "1":
		s.mu.Lock()
		delete(s.attempt, id)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %q}`, id)
	default:
		s.mu.Lock()
		n := s.attempt[id]
		s.attempt[id] = n + 1
		s.mu.Unlock()
		switch n {
		case 0:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
		case 1:
			hijack("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\": ", false)(w, r)
		default:
			http.Redirect(w, r, r.URL.Path+"?final=1", http.StatusTemporaryRedirect)
		}
	}
}

// soakKinds are the kinds of run TestSoak mixes, each checked by check.
var soakKinds = []struct {
	name string
	// run starts run i and returns what check needs.
	run   func(ctx context.Context, e *executor.Engine, i int) (id string, res *executor.Result, err error)
	check func(id string, res *executor.Result, err error) error
}{
	{"success", func(ctx context.Context, e *executor.Engine, i int) (string, *executor.Result, error) {
		res, err := e.Run(ctx, "ok", nil)
		return "", res, err
	}, func(_ string, res *executor.Result, err error) error {
		if err != nil || !res.Success || res.Outputs["status"] != "done" {
			return fmt.Errorf("err = %v, outputs %v", err, res.Outputs)
		}
		return nil
	}},
	{"retries (503, cut body, redirect)", func(ctx context.Context, e *executor.Engine, i int) (string, *executor.Result, error) {
		id := fmt.Sprintf("flaky-%d", i)
		res, err := e.Run(ctx, "item", map[string]any{"id": id}, executor.RunWithAuth("bearer", fmt.Sprintf("token-%d-of-the-soak", i)))
		return id, res, err
	}, func(id string, res *executor.Result, err error) error {
		if err != nil || !res.Success || res.Outputs["id"] != id || len(res.Steps) != 1 || res.Steps[0].Attempts != 3 {
			return fmt.Errorf("err = %v, outputs %v, steps %d", err, res.Outputs, len(res.Steps))
		}
		return nil
	}},
	{"retries, canceled at a random point", func(ctx context.Context, e *executor.Engine, i int) (string, *executor.Result, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		t := time.AfterFunc(time.Duration(rand.IntN(4000))*time.Microsecond, cancel)
		defer t.Stop()
		id := fmt.Sprintf("flaky-c%d", i)
		res, err := e.Run(ctx, "item", map[string]any{"id": id})
		return id, res, err
	}, func(id string, res *executor.Result, err error) error {
		if err == nil && res.Success && res.Outputs["id"] == id {
			return nil
		}
		return wantCode(err, executor.CodeCanceled)
	}},
	{"canceled while the server waits", func(ctx context.Context, e *executor.Engine, i int) (string, *executor.Result, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		t := time.AfterFunc(10*time.Millisecond, cancel)
		defer t.Stop()
		res, err := e.Run(ctx, "item", map[string]any{"id": fmt.Sprintf("block-%d", i)})
		return "", res, err
	}, func(_ string, _ *executor.Result, err error) error { return wantCode(err, executor.CodeCanceled) }},
	{"run deadline while the server waits", func(ctx context.Context, e *executor.Engine, i int) (string, *executor.Result, error) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		res, err := e.Run(ctx, "item", map[string]any{"id": fmt.Sprintf("block-%d", i)})
		return "", res, err
	}, func(_ string, _ *executor.Result, err error) error { return wantCode(err, executor.CodeTimeout) }},
	{"500 until the retries run out", func(ctx context.Context, e *executor.Engine, i int) (string, *executor.Result, error) {
		res, err := e.Run(ctx, "item", map[string]any{"id": fmt.Sprintf("fail-%d", i)})
		return "", res, err
	}, func(_ string, res *executor.Result, err error) error {
		if err := wantCode(err, executor.CodeStepFailed); err != nil {
			return err
		}
		if len(res.Steps) != 1 || res.Steps[0].Attempts != 4 {
			return fmt.Errorf("steps %d, want one with 4 attempts", len(res.Steps))
		}
		return nil
	}},
	{"request timeout mid-body", func(ctx context.Context, e *executor.Engine, i int) (string, *executor.Result, error) {
		res, err := e.Run(ctx, "slowbody", nil)
		return "", res, err
	}, func(_ string, _ *executor.Result, err error) error { return wantCode(err, executor.CodeTransport) }},
}

// soakMix picks the kind of run i: the request timeouts (which take
// soakRequestTimeout each) are one run in 32, the others share the rest.
func soakMix(i int) int {
	if i%32 == 31 {
		return len(soakKinds) - 1
	}
	return i % (len(soakKinds) - 1)
}

const soakRequestTimeout = time.Second

func wantCode(err error, code string) error {
	var se *executor.StepError
	if !errors.As(err, &se) || se.Code != code {
		return fmt.Errorf("err = %v, want a *StepError with code %q", err, code)
	}
	return nil
}

// TestSoak runs many workflows at once on one Engine against a loopback
// fake that mixes successes, retried faults (503, a body cut off, a
// redirect), 500s, request timeouts, run deadlines and cancellations at
// random points. Every run must end as its kind says; afterwards no
// goroutine may be left behind (goleak) and the heap after GC must not have
// grown since a warm-up by more than 512 KB plus 100 bytes a run. Short by default (a
// few hundred runs); go test -run Soak -soak runs -soak.runs runs (10,000).
func TestSoak(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	runs, workers := 384, 16
	if *soak {
		runs, workers = *soakRuns, 32
	}

	fake := &soakServer{attempt: map[string]int{}}
	srv := httptest.NewServer(fake)
	closed := false
	closeServer := func() {
		if !closed {
			closed = true
			srv.Close()
		}
	}
	defer closeServer()
	e := faultEngine(t, faultDoc(soakWorkflows), srv.URL, executor.WithLimits(executor.Limits{RequestTimeout: soakRequestTimeout}))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var (
		next     atomic.Int64
		failures atomic.Int64
		peak     atomic.Int64
		mu       sync.Mutex
		counts   = make([]int, len(soakKinds))
		errored  = make([]int, len(soakKinds))
	)
	// batch runs runs [from, to) on the workers.
	batch := func(from, to int) {
		next.Store(int64(from))
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= to || ctx.Err() != nil {
						return
					}
					k := soakKinds[soakMix(i)]
					id, res, runErr := k.run(ctx, e, i)
					var err error
					if res == nil {
						err = fmt.Errorf("no result (err %v)", runErr)
					} else {
						err = k.check(id, res, runErr)
					}
					if err != nil {
						if failures.Add(1) <= 10 {
							t.Errorf("run %d (%s): %v", i, k.name, err)
						}
						continue
					}
					mu.Lock()
					counts[soakMix(i)]++
					if runErr != nil {
						errored[soakMix(i)]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
	}
	// Sample the goroutine count while the runs go on.
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if n := int64(runtime.NumGoroutine()); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})

	start := time.Now()
	goroutinesBefore := runtime.NumGoroutine()
	warm := max(runs/10, 2*workers)
	batch(0, warm)
	heapWarm := heapAfterGC()
	batch(warm, runs)
	elapsed := time.Since(start)
	close(stop)
	sampler.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the soak did not finish in time: %v", ctx.Err())
	}

	// The fake's own state, and its connections, are not the Engine's.
	closeServer()
	fake.mu.Lock()
	fake.attempt = nil
	fake.mu.Unlock()
	heapEnd := heapAfterGC()
	// A run that kept 100 bytes, or a fixed 512 KB, is over the bound (a
	// run's Result and trace take about 3 KB here).
	heapBound := uint64(512<<10 + 100*(runs-warm))
	if err := goleak.Find(leaks); err != nil {
		t.Errorf("goroutines left behind after %d runs: %v", runs, err)
	}
	goroutinesAfter := runtime.NumGoroutine()

	var mix []string
	for k, n := range counts {
		mix = append(mix, fmt.Sprintf("%s %d (%d with an error)", soakKinds[k].name, n, errored[k]))
	}
	t.Logf("%d runs as expected on %d workers in %v (%.0f runs/s): %s", runs, workers, elapsed.Round(time.Millisecond),
		float64(runs)/elapsed.Seconds(), strings.Join(mix, ", "))
	t.Logf("goroutines: %d before, %d at peak, %d after", goroutinesBefore, peak.Load(), goroutinesAfter)
	t.Logf("heap after GC: %.2f MB after %d warm-up runs, %.2f MB at the end (%+.2f MB)",
		mb(heapWarm), warm, mb(heapEnd), mb(heapEnd)-mb(heapWarm))
	if heapEnd > heapWarm+heapBound {
		t.Errorf("heap grew from %.2f MB to %.2f MB over %d runs (bound +%.2f MB)", mb(heapWarm), mb(heapEnd), runs-warm, mb(heapBound))
	}
}

// heapAfterGC returns the live heap after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func mb[N uint64 | int](n N) float64 { return float64(n) / (1 << 20) }
