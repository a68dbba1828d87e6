package executor_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing/fstest"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
)

// A tracer provider and a meter provider turn on spans and metrics; the
// API called receives the W3C trace context of its exchange's span. A
// program would plug in an exporter (OTLP) where this one records in
// memory.
func ExampleWithTracerProvider() {
	var traceparent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traceparent = r.Header.Get("traceparent")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"name": "Rex"}`)
	}))
	defer srv.Close()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tp.Shutdown(context.Background())
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(exampleArazzo)}, "pets.yaml": {Data: []byte(exampleOpenAPI)}}
	doc, _ := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	eng, err := executor.New(doc, executor.WithServer("pets", srv.URL),
		executor.WithTracerProvider(tp), executor.WithMeterProvider(mp))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := eng.Run(context.Background(), "fetch", map[string]any{"id": "7"}); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range spans.GetSpans() { // in the order they ended
		fmt.Printf("%s (%s)\n", s.Name, s.SpanKind)
	}
	client := spans.GetSpans()[0].SpanContext
	fmt.Println(strings.Contains(traceparent, client.TraceID().String()+"-"+client.SpanID().String()))

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	var names []string
	for _, m := range rm.ScopeMetrics[0].Metrics {
		names = append(names, m.Name+" "+m.Unit)
	}
	slices.Sort(names)
	fmt.Println(strings.Join(names, "\n"))
	// Output:
	// GET /pets/{id} (client)
	// attempt get (internal)
	// step get (internal)
	// run fetch (internal)
	// true
	// telaio.attempts {attempt}
	// telaio.run.duration s
	// telaio.runs {run}
	// telaio.step.duration s
	// telaio.steps {step}
}
