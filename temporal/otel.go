package temporal

import (
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/workflow"
)

// TracerName is the instrumentation scope of the Temporal spans
// (StartWorkflow, RunWorkflow, StartActivity, RunActivity).
const TracerName = "github.com/telaio/telaio/temporal"

// AttrDocumentHash is the span attribute holding a run's document hash
// (executor.Engine.Hash) on its RunWorkflow span.
const AttrDocumentHash = attribute.Key("telaio.document.hash")

// TracingInterceptor is the Temporal SDK's OpenTelemetry interceptor
// (go.temporal.io/sdk/contrib/opentelemetry) with tp's tracer. Set it in
// client.Options.Interceptors of the client that starts runs and of the
// clients of the workers (workers made from a client inherit its
// interceptors), and give the workers' engines executor.WithTracerProvider:
// the spans of one run then form one trace across processes and workers,
//
//	StartWorkflow:telaio.Run             the client's Start, child of the span in its ctx
//	  RunWorkflow:telaio.Run             one per worker that ran the workflow code
//	    StartActivity:telaio.StepAttempt one per attempt the workflow scheduled
//	      RunActivity:telaio.StepAttempt the worker that ran the attempt
//	        attempt <stepId>             executor.Engine.Attempt
//	          GET /path                  its HTTP client span (the API sees the trace context)
//
// carried between them in Temporal headers (W3C trace context and
// baggage). A workflow replayed on another worker does not record again
// what it did before. RunWorkflow spans carry arazzo.workflow.id,
// telaio.document.hash and, once the run ends, arazzo.status; no span
// holds an input, an output or a credential.
func TracingInterceptor(tp trace.TracerProvider) (interceptor.Interceptor, error) {
	if tp == nil {
		return nil, errors.New("temporal: TracingInterceptor: nil tracer provider")
	}
	return temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: tp.Tracer(TracerName)})
}

// annotate sets attrs on the workflow's RunWorkflow span when tracing is
// on. Replay sets them too: a worker that picks a run up replays it under
// a RunWorkflow span of its own.
func annotate(ctx workflow.Context, attrs ...attribute.KeyValue) {
	if span, ok := temporalotel.SpanFromWorkflowContext(ctx); ok {
		span.SetAttributes(attrs...)
	}
}
