package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/telaio/telaio/executor"
)

// telemetry is the OpenTelemetry export of telaio run and telaio worker,
// turned on by the
// standard OTLP environment variables:
//
//   - OTEL_EXPORTER_OTLP_ENDPOINT (base URL: /v1/traces and /v1/metrics
//     are added), or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and
//     OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (full URLs), turn the export of
//     spans and metrics on; neither set, nothing is exported;
//   - OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none and
//     OTEL_METRICS_EXPORTER=none turn it off;
//   - only the http/protobuf protocol is served (the gRPC exporter would
//     double the binary): OTEL_EXPORTER_OTLP_PROTOCOL=grpc is refused with
//     a warning;
//   - the exporters read the other OTEL_EXPORTER_OTLP_* variables
//     (headers, timeout, compression, certificates), the SDK
//     OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and OTEL_TRACES_SAMPLER;
//   - TRACEPARENT (and TRACESTATE), as a CI system sets them, make the runs'
//     spans children of that span.
//
// Spans and metrics are flushed before the command exits.
type telemetry struct {
	opts []executor.Option
	// tp is the tracer provider when spans are exported: runs on
	// Temporal carry their trace through the workers (temporal.go).
	tp       trace.TracerProvider
	shutdown []func(context.Context) error
}

// telemetryFlushTimeout bounds the flush at exit.
const telemetryFlushTimeout = 5 * time.Second

// startTelemetry reads the environment; it returns ctx with the
// TRACEPARENT span context when one is given. Problems are warnings: the
// runs go on without export.
func startTelemetry(ctx context.Context, e *env) (context.Context, *telemetry) {
	t := &telemetry{}
	get := func(k string) string { return strings.TrimSpace(e.getenv(k)) }
	if strings.EqualFold(get("OTEL_SDK_DISABLED"), "true") {
		return ctx, t
	}
	warn := func(format string, args ...any) {
		fmt.Fprintf(e.stderr, "telaio: OpenTelemetry: "+format+"\n", args...)
	}
	traces := signalEndpoint(get, "TRACES", "/v1/traces")
	metrics := signalEndpoint(get, "METRICS", "/v1/metrics")
	if w := protocolWarning(get); w != "" {
		warn("%s", w)
	}
	if traces == "" && metrics == "" {
		return ctx, t
	}
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", "telaio"),
		attribute.String("service.version", version())), resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		warn("%v", err)
	}
	if traces != "" {
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(traces))
		if err != nil {
			warn("traces: %v", err)
		} else {
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
			t.opts = append(t.opts, executor.WithTracerProvider(tp))
			t.tp = tp
			t.shutdown = append(t.shutdown, tp.Shutdown)
			carrier := propagation.MapCarrier{"traceparent": get("TRACEPARENT"), "tracestate": get("TRACESTATE")}
			ctx = propagation.TraceContext{}.Extract(ctx, carrier)
		}
	}
	if metrics != "" {
		exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(metrics))
		if err != nil {
			warn("metrics: %v", err)
		} else {
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)), sdkmetric.WithResource(res))
			t.opts = append(t.opts, executor.WithMeterProvider(mp))
			t.shutdown = append(t.shutdown, mp.Shutdown)
		}
	}
	return ctx, t
}

// signalEndpoint is the OTLP/HTTP URL of a signal (TRACES or METRICS), or
// "" when it is not to be exported.
func signalEndpoint(get func(string) string, signal, path string) string {
	if strings.EqualFold(get("OTEL_"+signal+"_EXPORTER"), "none") {
		return ""
	}
	proto := get("OTEL_EXPORTER_OTLP_" + signal + "_PROTOCOL")
	if proto == "" {
		proto = get("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	u := get("OTEL_EXPORTER_OTLP_" + signal + "_ENDPOINT")
	if u == "" {
		if base := get("OTEL_EXPORTER_OTLP_ENDPOINT"); base != "" {
			u = strings.TrimSuffix(base, "/") + path
		}
	}
	if u != "" && proto != "" && proto != "http/protobuf" {
		return "" // see protocolWarning
	}
	return u
}

// protocolWarning is the warning for an OTLP protocol telaio does not
// serve when an endpoint is set, or "".
func protocolWarning(get func(string) string) string {
	if get("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" && get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") == "" {
		return ""
	}
	for _, k := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"} {
		if v := get(k); v != "" && v != "http/protobuf" {
			return fmt.Sprintf("%s=%s: telaio exports over http/protobuf only; nothing is exported for that signal", k, v)
		}
	}
	return ""
}

// engineOptions are the executor options of the export (none on a nil
// telemetry).
func (t *telemetry) engineOptions() []executor.Option {
	if t == nil {
		return nil
	}
	return t.opts
}

// close flushes and stops the exporters, bounded by
// telemetryFlushTimeout.
func (t *telemetry) close(e *env) {
	if len(t.shutdown) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), telemetryFlushTimeout)
	defer cancel()
	var errs []error
	for _, f := range t.shutdown {
		errs = append(errs, f(ctx))
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(e.stderr, "telaio: OpenTelemetry: export: %v\n", err)
	}
}
