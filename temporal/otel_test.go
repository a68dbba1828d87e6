package temporal_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/temporal"
)

// process is what one process of a traced deployment has: its tracer
// provider (exporting to memory) and a client with the tracing
// interceptor.
type process struct {
	name    string
	spans   *tracetest.InMemoryExporter
	tp      *sdktrace.TracerProvider
	metrics *sdkmetric.ManualReader
	mp      *sdkmetric.MeterProvider
	c       client.Client
}

// runsCounted sums the telaio.runs points p's meter recorded.
func (p *process) runsCounted(t *testing.T) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := p.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == executor.MetricRuns {
				for _, dp := range sum.DataPoints {
					n += dp.Value
				}
			}
		}
	}
	return n
}

func tracedProcess(t *testing.T, name string) *process {
	t.Helper()
	p := &process{name: name, spans: tracetest.NewInMemoryExporter(), metrics: sdkmetric.NewManualReader()}
	p.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(p.spans))
	p.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(p.metrics))
	t.Cleanup(func() { _ = p.tp.Shutdown(context.Background()); _ = p.mp.Shutdown(context.Background()) })
	ti, err := temporal.TracingInterceptor(p.tp)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := temporal.DataConverter(testKey)
	if err != nil {
		t.Fatal(err)
	}
	p.c, err = client.Dial(client.Options{HostPort: server(t).Addr, DataConverter: dc, Logger: nopLogger{}, Interceptors: []interceptor.ClientInterceptor{ti}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.c.Close)
	return p
}

// TestSpansOfOneRunJoinAcrossWorkers: a run started by one process is run
// by worker A, then (A stopped during a retry wait) by worker B; the spans
// the three processes export form one trace under the caller's span: the
// Temporal spans of each, and under each RunActivity span the attempt and
// HTTP spans of the engine that sent the request. The API sees the trace
// context; no span holds the secret input; the run is counted once in
// telaio.runs, by the worker that completed it.
func TestSpansOfOneRunJoinAcrossWorkers(t *testing.T) {
	a := newAPI(t)
	var mu sync.Mutex
	var parents []string
	a.on("/b", func(n int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		parents = append(parents, r.Header.Get("Traceparent"))
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, `{"n": %d}`, n)
	})
	path := writeDoc(t)
	queue := queueName(t)
	starter, pa, pb := tracedProcess(t, "starter"), tracedProcess(t, "worker A"), tracedProcess(t, "worker B")
	engine := func(p *process) *executor.Engine {
		eng, err := loadEngine(path, a.srv.URL, executor.WithTracerProvider(p.tp), executor.WithMeterProvider(p.mp))
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	wa := worker.New(pa.c, queue, worker.Options{StickyScheduleToStartTimeout: time.Second, EnableSessionWorker: true})
	temporal.RegisterWorker(wa, engine(pa))
	if err := wa.Start(); err != nil {
		t.Fatal(err)
	}

	ctx := testCtx(t)
	ctx, caller := starter.tp.Tracer("test").Start(ctx, "caller")
	const token = "tok-secret-0123456789abcdef"
	run, err := temporal.Start(ctx, starter.c, engine(starter), "twoSteps", map[string]any{"token": token}, temporal.WithTaskQueue(queue))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first attempt of step b", func() bool { return a.count("/b") >= 1 })
	wa.Stop()
	startWorker(t, pb.c, queue, engine(pb))
	res, err := run.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	caller.End()
	if res.Status != executor.StatusCompleted {
		t.Fatalf("status %s", res.Status)
	}

	// The run is counted once, by the worker that completed it.
	if a, b := pa.runsCounted(t), pb.runsCounted(t); a != 0 || b != 1 {
		t.Errorf("telaio.runs: worker A counted %d, worker B %d", a, b)
	}
	traceID := caller.SpanContext().TraceID()
	byID := map[trace.SpanID]tracetest.SpanStub{}
	where := map[trace.SpanID]string{}
	for _, p := range []*process{starter, pa, pb} {
		for _, s := range p.spans.GetSpans() {
			byID[s.SpanContext.SpanID()], where[s.SpanContext.SpanID()] = s, p.name
			if s.SpanContext.TraceID() != traceID {
				t.Errorf("%s: span %q is in trace %s, not the caller's %s", p.name, s.Name, s.SpanContext.TraceID(), traceID)
			}
			for _, kv := range s.Attributes {
				if strings.Contains(kv.Value.String(), token) {
					t.Errorf("%s: span %q holds the secret in %s", p.name, s.Name, kv.Key)
				}
			}
		}
	}
	// Each attempt hangs off the activity that ran it, which hangs off the
	// scheduling of a workflow run by a worker, up to the caller's span.
	chain := func(s tracetest.SpanStub) string {
		var names []string
		for {
			names = append(names, s.Name+"@"+where[s.SpanContext.SpanID()])
			p, ok := byID[s.Parent.SpanID()]
			if !ok {
				if s.Parent.SpanID() != caller.SpanContext().SpanID() && s.Name != "caller" {
					names = append(names, "?")
				}
				return strings.Join(names, " < ")
			}
			s = p
		}
	}
	var got []string
	for _, s := range byID {
		if strings.HasPrefix(s.Name, "attempt ") {
			got = append(got, chain(s))
		}
	}
	want := map[string]bool{
		"attempt a@worker A < RunActivity:telaio.StepAttempt@worker A < StartActivity:telaio.StepAttempt@worker A < RunWorkflow:telaio.Run@worker A < StartWorkflow:telaio.Run@starter < caller@starter": false,
		"attempt b@worker A < RunActivity:telaio.StepAttempt@worker A < StartActivity:telaio.StepAttempt@worker A < RunWorkflow:telaio.Run@worker A < StartWorkflow:telaio.Run@starter < caller@starter": false,
		"attempt b@worker B < RunActivity:telaio.StepAttempt@worker B < StartActivity:telaio.StepAttempt@worker B < RunWorkflow:telaio.Run@worker B < StartWorkflow:telaio.Run@starter < caller@starter": false,
	}
	t.Logf("chains:\n%s", strings.Join(got, "\n"))
	for _, c := range got {
		// Worker A's RunWorkflow span ends when A evicts the run on
		// stop; a chain may stop short of it when it was not exported.
		c = strings.Replace(c, "StartActivity:telaio.StepAttempt@worker A < ?", "StartActivity:telaio.StepAttempt@worker A < RunWorkflow:telaio.Run@worker A < StartWorkflow:telaio.Run@starter < caller@starter", 1)
		if _, ok := want[c]; !ok {
			t.Errorf("unexpected span chain %s", c)
		}
		want[c] = true
	}
	for c, seen := range want {
		if !seen {
			t.Errorf("no span chain %s (got:\n%s)", c, strings.Join(got, "\n"))
		}
	}
	for _, s := range byID {
		if s.Name == "RunWorkflow:telaio.Run" && where[s.SpanContext.SpanID()] == "worker B" {
			got := map[string]string{}
			for _, kv := range s.Attributes {
				got[string(kv.Key)] = kv.Value.String()
			}
			if got["arazzo.workflow.id"] != "twoSteps" || got["arazzo.status"] != "completed" || got["telaio.document.hash"] == "" {
				t.Errorf("worker B's RunWorkflow span has attributes %v", got)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, tp := range parents {
		if !strings.Contains(tp, traceID.String()) {
			t.Errorf("request %d to /b carried traceparent %q, not the run's trace", i, tp)
		}
	}
}
