package executor_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/specs"
)

// telemetry is an in-memory trace exporter and a manual metric reader,
// with the options that plug them into an Engine.
type telemetry struct {
	spans  *tracetest.InMemoryExporter
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t testing.TB) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	rec := tracetest.NewSpanRecorder()
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(tel.spans), sdktrace.WithSpanProcessor(rec))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		// Every span started was ended.
		if s, e := len(rec.Started()), len(rec.Ended()); s != e {
			t.Errorf("%d spans started, %d ended", s, e)
		}
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

func (tel *telemetry) options() []executor.Option {
	return []executor.Option{executor.WithTracerProvider(tel.tp), executor.WithMeterProvider(tel.mp)}
}

// tree draws the recorded spans as an indented outline: name, kind when
// not internal, and "!code" for a span with status Error; children in start
// order.
func (tel *telemetry) tree() string {
	spans := tel.spans.GetSpans()
	kids := map[trace.SpanID][]tracetest.SpanStub{}
	ids := map[trace.SpanID]bool{}
	for _, s := range spans {
		ids[s.SpanContext.SpanID()] = true
	}
	var roots []tracetest.SpanStub
	for _, s := range spans {
		if p := s.Parent.SpanID(); p.IsValid() && ids[p] {
			kids[p] = append(kids[p], s)
		} else {
			roots = append(roots, s)
		}
	}
	var b strings.Builder
	var walk func(list []tracetest.SpanStub, depth int)
	walk = func(list []tracetest.SpanStub, depth int) {
		slices.SortStableFunc(list, func(a, b tracetest.SpanStub) int { return a.StartTime.Compare(b.StartTime) })
		for _, s := range list {
			b.WriteString(strings.Repeat("  ", depth) + s.Name)
			if s.SpanKind != trace.SpanKindInternal {
				b.WriteString(" (" + s.SpanKind.String() + ")")
			}
			if s.Status.Code == codes.Error {
				b.WriteString(" !" + s.Status.Description)
			}
			b.WriteString("\n")
			walk(kids[s.SpanContext.SpanID()], depth+1)
		}
	}
	walk(roots, 0)
	return b.String()
}

// span returns the recorded span named name (the first one).
func (tel *telemetry) span(t *testing.T, name string) tracetest.SpanStub {
	t.Helper()
	for _, s := range tel.spans.GetSpans() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no span %q in\n%s", name, tel.tree())
	return tracetest.SpanStub{}
}

func attrs(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// wantAttrs checks that s has each attribute of want.
func wantAttrs(t *testing.T, s tracetest.SpanStub, want map[string]string) {
	t.Helper()
	got := attrs(s.Attributes)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("span %q: %s = %q, want %q (all: %v)", s.Name, k, got[k], v, got)
		}
	}
}

// everything is every text the telemetry recorded: span names, attributes,
// events, links and statuses, metric names and attributes.
func (tel *telemetry) everything(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, s := range tel.spans.GetSpans() {
		fmt.Fprintln(&b, s.Name, s.Status.Description, s.Attributes)
		for _, e := range s.Events {
			fmt.Fprintln(&b, e.Name, e.Attributes)
		}
		for _, l := range s.Links {
			fmt.Fprintln(&b, l.Attributes)
		}
	}
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			fmt.Fprintln(&b, m.Name, m.Description)
			for _, set := range pointSets(m) {
				fmt.Fprintln(&b, set.Encoded(attribute.DefaultEncoder()))
			}
		}
	}
	return b.String()
}

func pointSets(m metricdata.Metrics) []attribute.Set {
	var sets []attribute.Set
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			sets = append(sets, p.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			sets = append(sets, p.Attributes)
		}
	}
	return sets
}

// metrics collects the metrics as "name{k=v,...} value" lines (a
// histogram's value is its count), sorted.
func (tel *telemetry) metrics(t *testing.T) []string {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != executor.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s{%s} %d", m.Name, p.Attributes.Encoded(attribute.DefaultEncoder()), p.Value))
				}
			case metricdata.Histogram[float64]:
				if m.Unit != "s" {
					t.Errorf("%s: unit %q", m.Name, m.Unit)
				}
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s{%s} %d", m.Name, p.Attributes.Encoded(attribute.DefaultEncoder()), p.Count))
				}
			default:
				t.Errorf("%s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestOTelStytchSpanTree runs the SMS seed against the Stytch fake with a
// tracer and a meter: the span tree, the attributes, the trace context the
// API received, the metrics, and no secret anywhere.
func TestOTelStytchSpanTree(t *testing.T) {
	fake, srv := stytch(t)
	tel := newTelemetry(t)
	e := engine(t, specs.StytchSMSOTP, append(tel.options(), executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret))...)
	if _, err := e.Run(context.Background(), "sms-otp-mfa", smsInputs); err != nil {
		t.Fatal(err)
	}
	want := `run sms-otp-mfa
  step sendSmsOtp
    attempt sendSmsOtp
      POST /v1/b2b/otps/sms/send (client)
  step authenticateSmsOtp
    attempt authenticateSmsOtp
      POST /v1/b2b/otps/sms/authenticate (client)
`
	if got := tel.tree(); got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	run := tel.span(t, "run sms-otp-mfa")
	if run.Parent.IsValid() {
		t.Errorf("the run span has a parent: %v", run.Parent)
	}
	wantAttrs(t, run, map[string]string{"arazzo.workflow.id": "sms-otp-mfa", "arazzo.workflow.role": "root", "arazzo.status": "completed"})
	wantAttrs(t, tel.span(t, "step authenticateSmsOtp"), map[string]string{"arazzo.workflow.id": "sms-otp-mfa",
		"arazzo.step.id": "authenticateSmsOtp", "arazzo.operation": "api_b2b_otp_v1_b2b_otp_sms_Authenticate",
		"arazzo.step.attempts": "1", "arazzo.status": "success", "http.response.status_code": "200"})
	wantAttrs(t, tel.span(t, "attempt sendSmsOtp"), map[string]string{"arazzo.workflow.id": "sms-otp-mfa",
		"arazzo.step.id": "sendSmsOtp", "arazzo.operation": "api_b2b_otp_v1_b2b_otp_sms_Send", "arazzo.attempt": "1",
		"arazzo.status": "success", "http.response.status_code": "200"})
	host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	client := tel.span(t, "POST /v1/b2b/otps/sms/send")
	wantAttrs(t, client, map[string]string{"http.request.method": "POST", "url.full": srv.URL + "/v1/b2b/otps/sms/send",
		"url.path": "/v1/b2b/otps/sms/send", "url.template": "/v1/b2b/otps/sms/send", "url.scheme": "http",
		"server.address": host, "server.port": port, "http.response.status_code": "200"})
	for _, s := range tel.spans.GetSpans() {
		if s.SpanContext.TraceID() != run.SpanContext.TraceID() {
			t.Errorf("span %q is in another trace", s.Name)
		}
		if s.Status.Code == codes.Error {
			t.Errorf("span %q has status Error", s.Name)
		}
	}
	// The API received the trace context of its exchange's client span.
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, name := range []string{"POST /v1/b2b/otps/sms/send", "POST /v1/b2b/otps/sms/authenticate"} {
		sc := tel.span(t, name).SpanContext
		want := fmt.Sprintf("00-%s-%s-01", sc.TraceID(), sc.SpanID())
		if got := reqs[i].Header.Get("Traceparent"); got != want {
			t.Errorf("request %d: traceparent %q, want %q", i, got, want)
		}
	}
	wantMetrics := []string{
		"telaio.attempts{arazzo.status=success,arazzo.step.id=authenticateSmsOtp,arazzo.workflow.id=sms-otp-mfa} 1",
		"telaio.attempts{arazzo.status=success,arazzo.step.id=sendSmsOtp,arazzo.workflow.id=sms-otp-mfa} 1",
		"telaio.run.duration{arazzo.status=completed,arazzo.workflow.id=sms-otp-mfa} 1",
		"telaio.runs{arazzo.status=completed,arazzo.workflow.id=sms-otp-mfa} 1",
		"telaio.step.duration{arazzo.status=success,arazzo.step.id=authenticateSmsOtp,arazzo.workflow.id=sms-otp-mfa} 1",
		"telaio.step.duration{arazzo.status=success,arazzo.step.id=sendSmsOtp,arazzo.workflow.id=sms-otp-mfa} 1",
		"telaio.steps{arazzo.status=success,arazzo.step.id=authenticateSmsOtp,arazzo.workflow.id=sms-otp-mfa} 1",
		"telaio.steps{arazzo.status=success,arazzo.step.id=sendSmsOtp,arazzo.workflow.id=sms-otp-mfa} 1",
	}
	if got := tel.metrics(t); !slices.Equal(got, wantMetrics) {
		t.Errorf("metrics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantMetrics, "\n"))
	}
	all := tel.everything(t)
	for _, s := range []string{secret, base64.StdEncoding.EncodeToString([]byte(projectID + ":" + secret)), "654321"} {
		if strings.Contains(all, s) {
			t.Errorf("the telemetry holds %q:\n%s", s, all)
		}
	}
}

// TestOTelFailedRun: a step whose criteria fail ends its spans with status
// Error and the failure code, and the failure is counted by code.
func TestOTelFailedRun(t *testing.T) {
	_, srv := stytch(t)
	tel := newTelemetry(t)
	e := engine(t, specs.StytchSMSOTP, append(tel.options(), executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret))...)
	in := map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1", "code": "000000"}
	if _, err := e.Run(context.Background(), "sms-otp-mfa", in); err == nil {
		t.Fatal("the run should fail")
	}
	want := `run sms-otp-mfa !step-failed
  step sendSmsOtp
    attempt sendSmsOtp
      POST /v1/b2b/otps/sms/send (client)
  step authenticateSmsOtp !step-failed
    attempt authenticateSmsOtp !step-failed
      POST /v1/b2b/otps/sms/authenticate (client) !401
`
	if got := tel.tree(); got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	wantAttrs(t, tel.span(t, "run sms-otp-mfa"), map[string]string{"arazzo.status": "failed", "error.type": "step-failed"})
	wantAttrs(t, tel.span(t, "attempt authenticateSmsOtp"), map[string]string{"arazzo.status": "failure", "error.type": "step-failed",
		"http.response.status_code": "401"})
	got := tel.metrics(t)
	for _, w := range []string{
		"telaio.failures{arazzo.step.id=authenticateSmsOtp,arazzo.workflow.id=sms-otp-mfa,error.type=step-failed} 1",
		"telaio.runs{arazzo.status=failed,arazzo.workflow.id=sms-otp-mfa,error.type=step-failed} 1",
		"telaio.attempts{arazzo.status=failure,arazzo.step.id=authenticateSmsOtp,arazzo.workflow.id=sms-otp-mfa,error.type=step-failed} 1",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("no %s in\n%s", w, strings.Join(got, "\n"))
		}
	}
	if all := tel.everything(t); strings.Contains(all, "000000") || strings.Contains(all, secret) {
		t.Errorf("the telemetry holds a value of the run:\n%s", all)
	}
}

const otelOpenAPI = `openapi: 3.1.0
info: {title: vault, version: "1"}
servers: [{url: http://127.0.0.1:9}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /unlock/{pw}:
    post:
      operationId: unlock
      parameters:
        - {name: pw, in: path, required: true, schema: {type: string}}
        - {name: pin, in: query, schema: {type: string}}
        - {name: X-Pin, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json: {schema: {type: object}}
      responses:
        default: {description: ok}
  /flaky:
    get:
      operationId: flaky
      responses:
        default: {description: ok}
`

const otelArazzo = `arazzo: 1.0.1
info: {title: vault, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        password: {type: string, format: password}
    steps:
      - stepId: unlock
        operationId: unlock
        parameters:
          - {name: pw, in: path, value: $inputs.password}
          - {name: pin, in: query, value: $inputs.password}
          - {name: X-Pin, in: header, value: $inputs.password}
        requestBody:
          contentType: application/json
          payload: {password: $inputs.password}
        successCriteria:
          - condition: $statusCode == 200
      - stepId: callChild
        workflowId: child
  - workflowId: child
    steps:
      - stepId: poll
        operationId: flaky
        successCriteria:
          - condition: $statusCode == 200
        onFailure:
          - {name: again, type: retry, retryAfter: 0, retryLimit: 3}
`

const (
	otelPassword = "hunter2-correct-horse-battery"
	otelToken    = "tok-0123456789-abcdefghij"
)

// vault serves the document above: /flaky answers 503 the first time.
func vault(t *testing.T, opts ...executor.Option) (*executor.Engine, *[]http.Header) {
	t.Helper()
	var mu sync.Mutex
	var headers []http.Header
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		headers = append(headers, r.Header.Clone())
		if r.URL.Path == "/flaky" {
			calls++
			if calls == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return vaultAt(t, srv.URL, opts...), &headers
}

func vaultAt(t *testing.T, url string, opts ...executor.Option) *executor.Engine {
	t.Helper()
	fsys := fstest.MapFS{"flow.arazzo.yaml": {Data: []byte(otelArazzo)}, "api.yaml": {Data: []byte(otelOpenAPI)}}
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "flow.arazzo.yaml")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	e, err := executor.New(doc, append([]executor.Option{executor.WithServer("api", url), executor.WithAuth("bearer", otelToken)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestOTelNestedWorkflowAndRetries: a called workflow's spans are children
// of the calling step's attempt; each retry is an attempt span; a secret
// input sent in the path, the query, a header and the body, and the bearer
// token, appear in no span or metric.
func TestOTelNestedWorkflowAndRetries(t *testing.T) {
	tel := newTelemetry(t)
	e, _ := vault(t, tel.options()...)
	if _, err := e.Run(context.Background(), "main", map[string]any{"password": otelPassword}); err != nil {
		t.Fatal(err)
	}
	want := `run main
  step unlock
    attempt unlock
      POST /unlock/{pw} (client)
  step callChild
    attempt callChild
      workflow child
        step poll
          attempt poll !step-failed
            GET /flaky (client) !503
          attempt poll
            GET /flaky (client)
`
	if got := tel.tree(); got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	wantAttrs(t, tel.span(t, "workflow child"), map[string]string{"arazzo.workflow.role": "call", "arazzo.status": "completed"})
	wantAttrs(t, tel.span(t, "step callChild"), map[string]string{"arazzo.operation": "child", "arazzo.status": "success"})
	wantAttrs(t, tel.span(t, "step poll"), map[string]string{"arazzo.step.attempts": "2", "arazzo.status": "success"})
	unlock := tel.span(t, "POST /unlock/{pw}")
	if got := attrs(unlock.Attributes)["url.path"]; got != "/unlock/"+executor.Mask {
		t.Errorf("url.path = %q", got)
	}
	if got := attrs(unlock.Attributes)["url.full"]; strings.Contains(got, "?") || !strings.HasSuffix(got, "/unlock/"+executor.Mask) {
		t.Errorf("url.full = %q", got)
	}
	got := tel.metrics(t)
	for _, w := range []string{
		"telaio.attempts{arazzo.status=failure,arazzo.step.id=poll,arazzo.workflow.id=child,error.type=step-failed} 1",
		"telaio.attempts{arazzo.status=success,arazzo.step.id=poll,arazzo.workflow.id=child} 1",
		"telaio.failures{arazzo.step.id=poll,arazzo.workflow.id=child,error.type=step-failed} 1",
		"telaio.runs{arazzo.status=completed,arazzo.workflow.id=main} 1",
		"telaio.steps{arazzo.status=success,arazzo.step.id=poll,arazzo.workflow.id=child} 1",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("no %s in\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, l := range got {
		if strings.HasPrefix(l, "telaio.runs{") && !strings.Contains(l, "workflow.id=main") {
			t.Errorf("a nested workflow counted as a run: %s", l)
		}
	}
	all := tel.everything(t)
	for _, s := range []string{otelPassword, otelToken} {
		if strings.Contains(all, s) {
			t.Errorf("the telemetry holds %q:\n%s", s, all)
		}
	}
}

// TestOTelPropagation: the trace context goes out by default with the W3C
// propagator, in the trace of the span in Run's ctx; WithPropagator
// replaces the propagator; WithoutTracePropagation sends none but still
// records spans.
func TestOTelPropagation(t *testing.T) {
	tests := []struct {
		name       string
		opts       []executor.Option
		header     string
		wantHeader bool
	}{
		{"default W3C", nil, "Traceparent", true},
		{"opt-out", []executor.Option{executor.WithoutTracePropagation()}, "Traceparent", false},
		{"custom propagator", []executor.Option{executor.WithPropagator(propagation.Baggage{})}, "Traceparent", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := newTelemetry(t)
			e, headers := vault(t, append(tel.options(), tt.opts...)...)
			ctx, parent := tel.tp.Tracer("test").Start(context.Background(), "caller")
			if _, err := e.Run(ctx, "main", map[string]any{"password": otelPassword}); err != nil {
				t.Fatal(err)
			}
			parent.End()
			run := tel.span(t, "run main")
			if run.Parent.SpanID() != parent.SpanContext().SpanID() {
				t.Errorf("the run span's parent is %v, not the caller's span", run.Parent.SpanID())
			}
			if len(*headers) != 3 {
				t.Fatalf("%d requests", len(*headers))
			}
			for i, h := range *headers {
				v := h.Get(tt.header)
				if (v != "") != tt.wantHeader {
					t.Errorf("request %d: %s %q", i, tt.header, v)
				}
				if v != "" && !strings.Contains(v, run.SpanContext.TraceID().String()) {
					t.Errorf("request %d: %s %q is not in the run's trace %s", i, tt.header, v, run.SpanContext.TraceID())
				}
			}
			if n := len(tel.spans.GetSpans()); n != 13 {
				t.Errorf("%d spans:\n%s", n, tel.tree())
			}
		})
	}
}

// TestOTelOffByDefault: without the options an Engine records nothing and
// sends no trace context, even with a global tracer provider and
// propagator set: it reads no global state.
func TestOTelOffByDefault(t *testing.T) {
	tel := newTelemetry(t)
	oldTP, oldProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(tel.tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	defer func() {
		otel.SetTracerProvider(oldTP)
		otel.SetTextMapPropagator(oldProp)
	}()
	e, headers := vault(t)
	ctx, parent := tel.tp.Tracer("test").Start(context.Background(), "caller")
	if _, err := e.Run(ctx, "main", map[string]any{"password": otelPassword}); err != nil {
		t.Fatal(err)
	}
	parent.End()
	if got := tel.tree(); got != "caller\n" {
		t.Errorf("spans recorded without WithTracerProvider:\n%s", got)
	}
	for i, h := range *headers {
		if v := h.Get("Traceparent"); v != "" {
			t.Errorf("request %d carries traceparent %q", i, v)
		}
	}
}

// TestOTelMetricsOnly: a meter without a tracer counts, records no span and
// propagates nothing.
func TestOTelMetricsOnly(t *testing.T) {
	tel := newTelemetry(t)
	e, headers := vault(t, executor.WithMeterProvider(tel.mp))
	ctx, parent := tel.tp.Tracer("test").Start(context.Background(), "caller")
	if _, err := e.Run(ctx, "main", map[string]any{"password": otelPassword}); err != nil {
		t.Fatal(err)
	}
	parent.End()
	if got := tel.tree(); got != "caller\n" {
		t.Errorf("spans:\n%s", got)
	}
	for i, h := range *headers {
		if v := h.Get("Traceparent"); v != "" {
			t.Errorf("request %d carries traceparent %q", i, v)
		}
	}
	if got := tel.metrics(t); !slices.Contains(got, "telaio.runs{arazzo.status=completed,arazzo.workflow.id=main} 1") {
		t.Errorf("metrics:\n%s", strings.Join(got, "\n"))
	}
}

// TestOTelInvalidInputs: a run refused for its inputs is a failed run span
// with the code invalid-inputs, and no step span.
func TestOTelInvalidInputs(t *testing.T) {
	tel := newTelemetry(t)
	e := engine(t, specs.StytchSMSOTP, append(tel.options(), executor.WithServer("stytchB2bApi", "http://127.0.0.1:9"))...)
	if _, err := e.Run(context.Background(), "sms-otp-mfa", map[string]any{}); err == nil {
		t.Fatal("the run should fail")
	}
	if got, want := tel.tree(), "run sms-otp-mfa !invalid-inputs\n"; got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	if got := tel.metrics(t); !slices.Contains(got, "telaio.runs{arazzo.status=failed,arazzo.workflow.id=sms-otp-mfa,error.type=invalid-inputs} 1") {
		t.Errorf("metrics:\n%s", strings.Join(got, "\n"))
	}
}

// TestOTelNilProviders: nil providers are refused by New.
func TestOTelNilProviders(t *testing.T) {
	doc, _ := arazzo.LoadFS(context.Background(), specs.FS, specs.StytchSMSOTP)
	for _, o := range []executor.Option{executor.WithTracerProvider(nil), executor.WithMeterProvider(nil), executor.WithPropagator(nil)} {
		if _, err := executor.New(doc, o); err == nil {
			t.Error("a nil provider was accepted")
		}
	}
}

// TestOTelConcurrentRuns: one Engine with telemetry runs concurrently
// (run with -race); each run has its own trace, one tree under its run span.
func TestOTelConcurrentRuns(t *testing.T) {
	tel := newTelemetry(t)
	e, _ := vault(t, tel.options()...)
	const n = 8
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := e.Run(ctx, "main", map[string]any{"password": otelPassword}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	type tree struct {
		ids   map[trace.SpanID]bool
		spans []tracetest.SpanStub
	}
	traces := map[trace.TraceID]*tree{}
	for _, s := range tel.spans.GetSpans() {
		tr := traces[s.SpanContext.TraceID()]
		if tr == nil {
			tr = &tree{ids: map[trace.SpanID]bool{}}
			traces[s.SpanContext.TraceID()] = tr
		}
		tr.ids[s.SpanContext.SpanID()] = true
		tr.spans = append(tr.spans, s)
	}
	if len(traces) != n {
		t.Errorf("%d traces, want %d", len(traces), n)
	}
	for id, tr := range traces {
		roots := 0
		for _, s := range tr.spans {
			switch {
			case !s.Parent.IsValid():
				roots++
				if s.Name != "run main" {
					t.Errorf("trace %s: root %q", id, s.Name)
				}
			case !tr.ids[s.Parent.SpanID()]:
				t.Errorf("trace %s: the parent of %q is not in the trace", id, s.Name)
			}
		}
		if roots != 1 || len(tr.spans) < 10 {
			t.Errorf("trace %s: %d roots, %d spans", id, roots, len(tr.spans))
		}
	}
	if got := tel.metrics(t); !slices.Contains(got, fmt.Sprintf("telaio.runs{arazzo.status=completed,arazzo.workflow.id=main} %d", n)) {
		t.Errorf("metrics:\n%s", strings.Join(got, "\n"))
	}
}

// TestOTelMessageSteps: on a real NATS server, a send step's exchange is a
// producer span and a receive step's a client span, with the messaging
// conventions' attributes, and the broker password shows nowhere.
func TestOTelMessageSteps(t *testing.T) {
	p := protocols[0]
	if p.name != "nats" {
		t.Fatalf("protocols[0] is %s", p.name)
	}
	b := p.start(t)
	responder(t, p, b)
	tel := newTelemetry(t)
	e := ordersEngine(t, p, b, tel.options()...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.Run(ctx, "order", map[string]any{"orderId": "o-otel", "qty": 2}); err != nil {
		t.Fatal(err)
	}
	want := `run order
  step place
    attempt place
      send orders.placed (producer)
  step audit
    attempt audit
      POST /audit (client)
  step confirm
    attempt confirm
      receive orders.confirmed (client)
`
	if got := tel.tree(); got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	wantAttrs(t, tel.span(t, "send orders.placed"), map[string]string{"messaging.system": "nats", "messaging.operation.type": "send",
		"messaging.operation.name": "send", "messaging.destination.name": "orders.placed", "arazzo.step.id": "place",
		"server.address": b.URL.Hostname(), "server.port": b.URL.Port()})
	wantAttrs(t, tel.span(t, "receive orders.confirmed"), map[string]string{"messaging.system": "nats", "messaging.operation.type": "receive",
		"messaging.destination.name": "orders.confirmed", "arazzo.step.id": "confirm"})
	wantAttrs(t, tel.span(t, "attempt confirm"), map[string]string{"arazzo.operation": "confirmOrder", "arazzo.status": "success"})
	wantAttrs(t, tel.span(t, "step place"), map[string]string{"arazzo.operation": "placeOrder", "arazzo.status": "success"})
	if all := tel.everything(t); strings.Contains(all, b.Credentials.Password) {
		t.Errorf("the broker password shows:\n%s", all)
	}
}

// TestOTelLimits: a run stopped by a limit ends every span it opened (see
// newTelemetry), with
// the code limit-exceeded, the step refused by the step budget and the
// workflow refused by the depth limit included.
func TestOTelLimits(t *testing.T) {
	tests := []struct {
		name   string
		limits executor.Limits
		want   string
	}{
		{"step budget", executor.Limits{MaxStepExecutions: 2}, `run main !limit-exceeded
  step unlock
    attempt unlock
      POST /unlock/{pw} (client)
  step callChild !limit-exceeded
    attempt callChild !limit-exceeded
      workflow child !limit-exceeded
        step poll !limit-exceeded
`},
		{"depth", executor.Limits{MaxDepth: 1}, `run main !limit-exceeded
  step unlock
    attempt unlock
      POST /unlock/{pw} (client)
  step callChild !limit-exceeded
    attempt callChild !limit-exceeded
      workflow child !limit-exceeded
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := newTelemetry(t)
			e, _ := vault(t, append(tel.options(), executor.WithLimits(tt.limits))...)
			if _, err := e.Run(context.Background(), "main", map[string]any{"password": otelPassword}); err == nil {
				t.Fatal("the run should fail")
			}
			if got := tel.tree(); got != tt.want {
				t.Errorf("span tree:\n%s\nwant:\n%s", got, tt.want)
			}
			if got := tel.metrics(t); !slices.Contains(got, "telaio.runs{arazzo.status=failed,arazzo.workflow.id=main,error.type=limit-exceeded} 1") {
				t.Errorf("metrics:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

// TestOTelCanceledRun: a run canceled during an exchange ends its spans
// with the code canceled.
func TestOTelCanceledRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server sees the client go
		cancel()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	tel := newTelemetry(t)
	e := vaultAt(t, srv.URL, tel.options()...)
	if _, err := e.Run(ctx, "main", map[string]any{"password": otelPassword}); err == nil {
		t.Fatal("the run should fail")
	}
	want := `run main !canceled
  step unlock !canceled
    attempt unlock !canceled
      POST /unlock/{pw} (client) !canceled
`
	if got := tel.tree(); got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
}

// BenchmarkRunOTel alternates, in every iteration, the warm SMS seed run
// without telemetry and with a tracer (batching to a no-op exporter) and
// a meter (a manual reader), against one fake; it reports the medians
// (µs) and their ratio. ns/op and allocs are of the two together.
func BenchmarkRunOTel(b *testing.B) {
	_, srv := stytch(b)
	opts := []executor.Option{executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret)}
	plain := engine(b, specs.StytchSMSOTP, opts...)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer tp.Shutdown(context.Background())
	defer mp.Shutdown(context.Background())
	traced := engine(b, specs.StytchSMSOTP, append(opts, executor.WithTracerProvider(tp), executor.WithMeterProvider(mp))...)
	ctx := context.Background()
	var tp0, tt []time.Duration
	run := func(e *executor.Engine, d *[]time.Duration) {
		t := time.Now()
		if _, err := e.Run(ctx, "sms-otp-mfa", smsInputs); err != nil {
			b.Fatal(err)
		}
		*d = append(*d, time.Since(t))
	}
	b.ReportAllocs()
	for b.Loop() {
		run(plain, &tp0)
		run(traced, &tt)
	}
	mp0, mt := median(tp0), median(tt)
	b.ReportMetric(mp0, "plain-µs")
	b.ReportMetric(mt, "otel-µs")
	b.ReportMetric(mt/mp0, "ratio")
}

// spanHost is a DurableHost whose attempts run in a span of their own, as
// a durable runtime's activities do.
type spanHost struct {
	e      *executor.Engine
	tracer trace.Tracer
}

func (h spanHost) Attempt(ctx context.Context, req *executor.StepRequest) (*executor.StepOutcome, error) {
	ctx, span := h.tracer.Start(ctx, "activity "+req.StepID)
	defer span.End()
	return h.e.Attempt(ctx, req)
}

func (spanHost) Sleep(context.Context, time.Duration) error { return nil }
func (spanHost) Now() time.Time                             { return time.Unix(0, 0) }

// TestOTelDurableAttempt: Engine.Attempt records its attempt span (with
// its HTTP spans and the attempt metrics) as a child of the span in its
// ctx, so that a durable runtime's activity spans carry the attempts of
// one run in one trace; RunDurable records no span of its own (it is
// replayed); no secret reaches the telemetry.
func TestOTelDurableAttempt(t *testing.T) {
	tel := newTelemetry(t)
	e, headers := vault(t, tel.options()...)
	res, err := e.RunDurable(context.Background(), "main", map[string]any{"password": otelPassword}, spanHost{e, tel.tp.Tracer("runtime")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != executor.StatusCompleted {
		t.Fatalf("status %s", res.Status)
	}
	want := `activity unlock
  attempt unlock
    POST /unlock/{pw} (client)
activity poll
  attempt poll !step-failed
    GET /flaky (client) !503
activity poll
  attempt poll
    GET /flaky (client)
`
	if got := tel.tree(); got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	wantAttrs(t, tel.span(t, "attempt unlock"), map[string]string{"arazzo.workflow.id": "main", "arazzo.step.id": "unlock", "arazzo.attempt": "1", "arazzo.status": "success"})
	for i, h := range *headers {
		if v := h.Get("Traceparent"); v == "" {
			t.Errorf("request %d has no trace context", i)
		}
	}
	got := tel.metrics(t)
	if w := "telaio.attempts{arazzo.status=failure,arazzo.step.id=poll,arazzo.workflow.id=child,error.type=step-failed} 1"; !slices.Contains(got, w) {
		t.Errorf("no %s in\n%s", w, strings.Join(got, "\n"))
	}
	for _, l := range got {
		if strings.HasPrefix(l, "telaio.runs") || strings.HasPrefix(l, "telaio.steps") {
			t.Errorf("RunDurable recorded %s", l)
		}
	}
	// The runtime records the run's metrics once, from its result.
	e.RecordRun(context.Background(), res, err)
	got = tel.metrics(t)
	for _, w := range []string{
		"telaio.runs{arazzo.status=completed,arazzo.workflow.id=main} 1",
		"telaio.steps{arazzo.status=success,arazzo.step.id=poll,arazzo.workflow.id=child} 1",
		"telaio.steps{arazzo.status=success,arazzo.step.id=callChild,arazzo.workflow.id=main} 1",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("no %s in\n%s", w, strings.Join(got, "\n"))
		}
	}
	all := tel.everything(t)
	for _, s := range []string{otelPassword, otelToken} {
		if strings.Contains(all, s) {
			t.Errorf("the telemetry holds %q:\n%s", s, all)
		}
	}
}
