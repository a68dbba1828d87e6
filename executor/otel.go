package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// This file is the OpenTelemetry instrumentation of a run (see the package
// documentation, "OpenTelemetry"). It hooks the host of the interpreter
// (runState): the events it emits give the workflow and step spans, its
// attempt and callInputs give the attempt spans, its HTTP client's
// transport the HTTP client spans, and the message steps the messaging
// spans. Without WithTracerProvider and WithMeterProvider the Engine has
// no telemetry and a run pays one nil check per hook.

// ScopeName is the instrumentation scope of the executor's tracer and
// meter.
const ScopeName = "github.com/telaio/telaio/executor"

// Span and metric attribute keys of the executor's own (the others are
// OpenTelemetry semantic conventions: http.*, url.*, server.*, messaging.*,
// error.type).
const (
	AttrWorkflowID   = attribute.Key("arazzo.workflow.id")
	AttrWorkflowRole = attribute.Key("arazzo.workflow.role")
	AttrStepID       = attribute.Key("arazzo.step.id")
	AttrOperation    = attribute.Key("arazzo.operation")
	AttrAttempt      = attribute.Key("arazzo.attempt")
	AttrAttempts     = attribute.Key("arazzo.step.attempts")
	AttrStatus       = attribute.Key("arazzo.status")
	AttrAction       = attribute.Key("arazzo.step.action")
	AttrErrorType    = attribute.Key("error.type")
)

// Metric names.
const (
	MetricRuns         = "telaio.runs"
	MetricSteps        = "telaio.steps"
	MetricAttempts     = "telaio.attempts"
	MetricFailures     = "telaio.failures"
	MetricRunDuration  = "telaio.run.duration"
	MetricStepDuration = "telaio.step.duration"
)

// durationBuckets are the bounds (seconds) of the duration histograms:
// those of the HTTP semantic conventions, then longer ones for polling
// workflows and waits.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 300, 1800}

// telConfig is the telemetry configuration of New.
type telConfig struct {
	tp     trace.TracerProvider
	mp     metric.MeterProvider
	prop   propagation.TextMapPropagator
	noProp bool
}

// WithTracerProvider makes every run record spans with tp's tracer: one
// per workflow run, step and attempt, one per HTTP exchange (an HTTP client
// span) and one per message sent or received (a messaging span). The run's
// span is a child of the span in Run's ctx, if any. Outgoing HTTP requests
// carry the W3C trace context (see WithPropagator and
// WithoutTracePropagation). No attribute, event or status holds a secret
// or a value of the run: see the package documentation.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(cfg *config) error {
		if tp == nil {
			return errors.New("WithTracerProvider: nil provider")
		}
		cfg.tel.tp = tp
		return nil
	}
}

// WithMeterProvider makes every run record its metrics with mp's meter:
// the counters telaio.runs, telaio.steps, telaio.attempts and
// telaio.failures, and the histograms telaio.run.duration and
// telaio.step.duration (seconds).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(cfg *config) error {
		if mp == nil {
			return errors.New("WithMeterProvider: nil provider")
		}
		cfg.tel.mp = mp
		return nil
	}
}

// WithPropagator sets how the trace context goes into outgoing HTTP
// requests (default: W3C Trace Context, propagation.TraceContext{}; the
// global propagator of otel.GetTextMapPropagator is not read). It has an
// effect only with WithTracerProvider.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(cfg *config) error {
		if p == nil {
			return errors.New("WithPropagator: nil propagator (use WithoutTracePropagation)")
		}
		cfg.tel.prop = p
		return nil
	}
}

// WithoutTracePropagation keeps the trace context out of outgoing
// requests: spans are still recorded, but the APIs called do not see the
// trace.
func WithoutTracePropagation() Option {
	return func(cfg *config) error { cfg.tel.noProp = true; return nil }
}

// telemetry is an Engine's tracer, propagator and instruments, made once
// by New; nil when the engine has no telemetry.
type telemetry struct {
	tracer trace.Tracer
	// tracing is false when only a meter provider was given (tracer is
	// then a no-op one).
	tracing bool
	prop    propagation.TextMapPropagator // nil: no propagation
	// metering is false without a meter provider (the instruments are
	// then nil).
	metering                        bool
	runs, steps, attempts, failures metric.Int64Counter
	runDur, stepDur                 metric.Float64Histogram
}

// newTelemetry makes the engine's telemetry; nil without providers.
func newTelemetry(c telConfig) (*telemetry, error) {
	if c.tp == nil && c.mp == nil {
		return nil, nil
	}
	t := &telemetry{}
	if c.tp != nil {
		t.tracer, t.tracing = c.tp.Tracer(ScopeName), true
		if !c.noProp {
			t.prop = c.prop
			if t.prop == nil {
				t.prop = propagation.TraceContext{}
			}
		}
	} else {
		t.tracer = noop.NewTracerProvider().Tracer(ScopeName)
	}
	if c.mp == nil {
		return t, nil
	}
	m := c.mp.Meter(ScopeName)
	t.metering = true
	var errs [6]error
	t.runs, errs[0] = m.Int64Counter(MetricRuns, metric.WithUnit("{run}"), metric.WithDescription("Workflow runs (Engine.Run calls that started a workflow), by workflow and status."))
	t.steps, errs[1] = m.Int64Counter(MetricSteps, metric.WithUnit("{step}"), metric.WithDescription("Step executions, nested workflows' included, by workflow, step and status."))
	t.attempts, errs[2] = m.Int64Counter(MetricAttempts, metric.WithUnit("{attempt}"), metric.WithDescription("Step attempts (retries included), by workflow, step and status."))
	t.failures, errs[3] = m.Int64Counter(MetricFailures, metric.WithUnit("{failure}"), metric.WithDescription("Failed step attempts, by workflow, step and failure code (error.type)."))
	t.runDur, errs[4] = m.Float64Histogram(MetricRunDuration, metric.WithUnit("s"), metric.WithDescription("Duration of workflow runs."), metric.WithExplicitBucketBoundaries(durationBuckets...))
	t.stepDur, errs[5] = m.Float64Histogram(MetricStepDuration, metric.WithUnit("s"), metric.WithDescription("Duration of step executions, retries and waits included."), metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("WithMeterProvider: %w", err)
	}
	return t, nil
}

// runTel is the telemetry of one run. Its levels follow the interpreter's
// stack of workflow runs: a frame's depth is its index in the stack, and
// events carry it.
type runTel struct {
	t    *telemetry
	rs   *runState
	base context.Context // Run's ctx: the root span's parent
	lv   []telLevel
	// op is the path template of the operation of the attempt under way
	// (the HTTP span's url.template when the request's path fits it).
	op string
}

// telLevel is the spans open at one depth: the workflow run's, its current
// step's and attempt's.
type telLevel struct {
	wf, step, attempt trace.Span
	wfID              string
	// seen counts the attempts of the current step that reached the host;
	// code is the failure code of the last one ("" when it succeeded).
	seen int
	code string
	// op is the current step's arazzo.operation.
	op string
}

func (t *telemetry) newRun(ctx context.Context, rs *runState) *runTel {
	return &runTel{t: t, rs: rs, base: ctx}
}

// parent is the context of the innermost span open at depth d-1 (the
// root's parent is Run's ctx).
func (rt *runTel) parent(d int) context.Context {
	if d <= 0 || d > len(rt.lv) {
		return rt.base
	}
	l := &rt.lv[d-1]
	switch {
	case l.attempt != nil:
		return trace.ContextWithSpan(rt.base, l.attempt)
	case l.step != nil:
		return trace.ContextWithSpan(rt.base, l.step)
	case l.wf != nil:
		return trace.ContextWithSpan(rt.base, l.wf)
	}
	return rt.base
}

// level returns the level at depth d, making it when missing.
func (rt *runTel) level(d int) *telLevel {
	for len(rt.lv) <= d {
		rt.lv = append(rt.lv, telLevel{})
	}
	return &rt.lv[d]
}

var roleNames = [...]string{roleRoot: "root", roleDep: "dependency", roleCall: "call", roleTransfer: "goto", roleRetry: "retry"}

// event turns the interpreter's events into spans and metrics.
func (rt *runTel) event(ev Event) {
	switch ev.Kind {
	case WorkflowStarted:
		rt.startWorkflow(ev.WorkflowID, ev.Depth)
	case StepStarted:
		l := rt.level(ev.Depth)
		l.seen, l.code, l.op = 0, "", ""
		ctx := rt.base
		if l.wf != nil {
			ctx = trace.ContextWithSpan(rt.base, l.wf)
		}
		_, l.step = rt.t.tracer.Start(ctx, "step "+ev.StepID, trace.WithAttributes(AttrWorkflowID.String(ev.WorkflowID), AttrStepID.String(ev.StepID)))
	case StepFinished:
		rt.endStep(ev)
	case WorkflowFinished:
		rt.endWorkflow(ev)
	}
}

func (rt *runTel) startWorkflow(id string, d int) {
	name := "workflow " + id
	if d == 0 {
		name = "run " + id
	}
	role := roleRoot
	if f := rt.rs.m.top(); f != nil {
		role = f.role
	}
	_, span := rt.t.tracer.Start(rt.parent(d), name, trace.WithAttributes(AttrWorkflowID.String(id), AttrWorkflowRole.String(roleNames[role])))
	if len(rt.lv) > d {
		rt.lv = rt.lv[:d]
	}
	l := rt.level(d)
	*l = telLevel{wf: span, wfID: id}
}

func (rt *runTel) endStep(ev Event) {
	l := rt.level(ev.Depth)
	sr := ev.Step
	code := l.code
	if sr != nil && sr.Attempts > l.seen {
		// The interpreter refused the attempt before the host ran it:
		// the step budget (Limits.MaxStepExecutions) was spent.
		code = CodeLimit
	}
	if l.attempt != nil { // a call attempt whose inputs failed
		rt.endSpan(l.attempt, false, code)
		l.attempt = nil
	}
	ok := sr != nil && sr.Success && code != CodeLimit
	status := statusName(ok)
	if l.step != nil {
		if sr != nil {
			l.step.SetAttributes(AttrAttempts.Int(sr.Attempts))
			if sr.StatusCode != 0 {
				l.step.SetAttributes(attribute.Int("http.response.status_code", sr.StatusCode))
			}
			if sr.Action != "" {
				l.step.SetAttributes(AttrAction.String(sr.Action))
			}
		}
		if l.op != "" {
			l.step.SetAttributes(AttrOperation.String(l.op))
		}
		l.step.SetAttributes(AttrStatus.String(status))
		rt.endSpan(l.step, ok, code)
		l.step = nil
	}
	if rt.t.metering {
		ctx := rt.base
		attrs := metric.WithAttributes(AttrWorkflowID.String(ev.WorkflowID), AttrStepID.String(ev.StepID), AttrStatus.String(status))
		rt.t.steps.Add(ctx, 1, attrs)
		if sr != nil {
			rt.t.stepDur.Record(ctx, sr.Duration.Seconds(), attrs)
		}
	}
}

func (rt *runTel) endWorkflow(ev Event) {
	d := ev.Depth
	if len(rt.lv) <= d || rt.lv[d].wf == nil || rt.lv[d].wfID != ev.WorkflowID {
		// Ended before it started (the depth limit): a span all the same.
		rt.startWorkflow(ev.WorkflowID, d)
	}
	l := &rt.lv[d]
	res := ev.Result
	code := ""
	if f := rt.rs.m.top(); f != nil && f.err != nil {
		code = errorCode(f.err)
	}
	ok := res != nil && res.Success && code == ""
	if !ok && code == "" {
		code = CodeStepFailed
	}
	status := string(StatusFailed)
	if res != nil {
		status = string(res.Status)
	}
	for _, s := range []trace.Span{l.attempt, l.step} { // a run stopped under way
		if s != nil {
			rt.endSpan(s, false, code)
		}
	}
	l.wf.SetAttributes(AttrStatus.String(status))
	rt.endSpan(l.wf, ok, code)
	rt.lv = rt.lv[:d]
	if d == 0 && rt.t.metering {
		attrs := []attribute.KeyValue{AttrWorkflowID.String(ev.WorkflowID), AttrStatus.String(status)}
		if !ok {
			attrs = append(attrs, AttrErrorType.String(code))
		}
		set := metric.WithAttributes(attrs...)
		rt.t.runs.Add(rt.base, 1, set)
		if res != nil {
			rt.t.runDur.Record(rt.base, res.Duration.Seconds(), set)
		}
	}
}

// endSpan ends s with status Error and error.type set to code when the
// thing it covers failed. The description is the code alone: error
// messages may quote values of the run.
func (rt *runTel) endSpan(s trace.Span, ok bool, code string) {
	if !ok {
		if code == "" {
			code = CodeStepFailed
		}
		s.SetAttributes(AttrErrorType.String(code))
		s.SetStatus(codes.Error, code)
	}
	s.End()
}

// startAttempt opens the attempt span of x (under its step's span) and
// returns ctx carrying it.
func (rt *runTel) startAttempt(ctx context.Context, f *frame, x *stepExec) (context.Context, trace.Span) {
	l := rt.level(f.depth)
	if !x.isTarget {
		l.seen++
	}
	parent := l.step
	if parent == nil {
		parent = l.wf
	}
	if parent != nil {
		// Else (Engine.Attempt) the attempt's parent is the span of ctx:
		// a durable runtime's activity span.
		ctx = trace.ContextWithSpan(ctx, parent)
	}
	sp := x.sp
	attrs := []attribute.KeyValue{AttrWorkflowID.String(f.plan.id), AttrStepID.String(sp.id), AttrAttempt.Int(x.sr.Attempts)}
	op := planOperation(sp)
	if op != "" {
		attrs = append(attrs, AttrOperation.String(op))
	}
	if !x.isTarget {
		l.op = op
	}
	return rt.t.tracer.Start(ctx, "attempt "+sp.id, trace.WithAttributes(attrs...))
}

// attempt runs one attempt of x through run inside its span. A step that
// calls a workflow has its span opened by callInputs, before the callee
// runs under it; this ends it.
func (rt *runTel) attempt(ctx context.Context, f *frame, x *stepExec, run func(context.Context, *frame, *stepExec) outcome) outcome {
	l := rt.level(f.depth)
	var span trace.Span
	if x.call != nil && l.attempt != nil {
		span, l.attempt = l.attempt, nil
		ctx = trace.ContextWithSpan(ctx, span)
	} else {
		ctx, span = rt.startAttempt(ctx, f, x)
	}
	if x.sp.op != nil {
		rt.op = x.sp.op.Path
	}
	o := run(ctx, f, x)
	rt.op = ""
	code := ""
	if !o.success || o.fatal != nil {
		code = outcomeCode(o)
	}
	// x.sr is the target's own when x is a retry target.
	if n := len(x.sr.Exchanges); n > 0 {
		if e := x.sr.Exchanges[n-1]; e.Attempt == x.sr.Attempts && e.Response != nil {
			span.SetAttributes(attribute.Int("http.response.status_code", e.Response.StatusCode))
		}
	}
	ok := code == ""
	span.SetAttributes(AttrStatus.String(statusName(ok)))
	rt.endSpan(span, ok, code)
	if !x.isTarget {
		l = rt.level(f.depth)
		l.code = code
	}
	rt.countAttempt(f.plan.id, x.sp.id, code)
	return o
}

// called opens the attempt span of a step that calls a workflow, once
// its inputs are evaluated: the callee's spans are its children. A failure
// to evaluate them ends it.
func (rt *runTel) called(ctx context.Context, f *frame, x *stepExec, err error) {
	_, span := rt.startAttempt(ctx, f, x)
	if err != nil {
		code := errorCode(err)
		rt.endSpan(span, false, code)
		rt.level(f.depth).code = code
		rt.countAttempt(f.plan.id, x.sp.id, code)
		return
	}
	rt.level(f.depth).attempt = span
}

func (rt *runTel) countAttempt(wf, step, code string) {
	if !rt.t.metering {
		return
	}
	ok := code == ""
	attrs := []attribute.KeyValue{AttrWorkflowID.String(wf), AttrStepID.String(step), AttrStatus.String(statusName(ok))}
	if !ok {
		attrs = append(attrs, AttrErrorType.String(code))
	}
	set := metric.WithAttributes(attrs...)
	rt.t.attempts.Add(rt.base, 1, set)
	if !ok {
		rt.t.failures.Add(rt.base, 1, metric.WithAttributes(AttrWorkflowID.String(wf), AttrStepID.String(step), AttrErrorType.String(code)))
	}
}

func statusName(ok bool) string {
	if ok {
		return "success"
	}
	return "failure"
}

// outcomeCode is the failure code of an attempt's outcome.
func outcomeCode(o outcome) string {
	if o.fatal != nil {
		return errorCode(o.fatal)
	}
	var ae *attemptError
	if errors.As(o.cause, &ae) {
		return ae.code
	}
	return CodeStepFailed
}

// codeInput is the failure code of a run whose inputs are invalid (an
// *InputError), on spans and metrics.
const codeInput = "invalid-inputs"

// errorCode is the code of err: a *StepError's or an *attemptError's, or
// the context's.
func errorCode(err error) string {
	var se *StepError
	var ae *attemptError
	var ie *InputError
	switch {
	case errors.As(err, &se) && se.Code != "":
		return se.Code
	case errors.As(err, &ae):
		return ae.code
	case errors.As(err, &ie):
		return codeInput
	}
	return codeOf(err, CodeStepFailed)
}

// planOperation names a step's target: the operationId, else the
// operation's method and path ("POST /v1/otps"), the AsyncAPI operation,
// or the called workflow.
func planOperation(sp *stepPlan) string {
	switch {
	case sp.op != nil && sp.op.ID != "":
		return sp.op.ID
	case sp.op != nil:
		return sp.label
	case sp.msg != nil && sp.msg.op != nil:
		return sp.msg.op.ID
	case sp.callee != nil:
		return sp.callee.id
	}
	return ""
}

// transport wraps next (nil: http.DefaultTransport) so that each round
// trip (each redirect too) is an HTTP client span carrying the trace
// context.
func (rt *runTel) transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &spanTransport{rt: rt, next: next}
}

type spanTransport struct {
	rt   *runTel
	next http.RoundTripper
}

// RoundTrip sends req inside an HTTP client span (OpenTelemetry HTTP
// semantic conventions). url.full keeps no query, user info or fragment,
// and its path has the run's secrets masked, like the trace's URL.
func (t *spanTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := t.rt
	u := req.URL
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	name := method
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, attribute.String("http.request.method", method), attribute.String("url.scheme", u.Scheme),
		attribute.String("server.address", u.Hostname()))
	if p := port(u); p > 0 {
		attrs = append(attrs, attribute.Int("server.port", p))
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	masked, err := url.Parse(rt.rs.mask.url(clean.String()))
	if err == nil {
		attrs = append(attrs, attribute.String("url.full", masked.String()), attribute.String("url.path", masked.Path))
	}
	if rt.op != "" && fitsTemplate(u.Path, rt.op) {
		attrs = append(attrs, attribute.String("url.template", rt.op))
		name += " " + rt.op
	}
	ctx, span := rt.t.tracer.Start(req.Context(), name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	if rt.t.prop != nil {
		req = req.Clone(ctx)
		rt.t.prop.Inject(ctx, propagation.HeaderCarrier(req.Header))
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		code := CodeTransport
		switch cerr := req.Context().Err(); {
		case cerr != nil:
			code = ctxCode(cerr)
		case isTimeout(err):
			code = CodeTimeout
		}
		span.SetAttributes(AttrErrorType.String(code))
		span.SetStatus(codes.Error, code)
		span.End()
		return resp, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		code := strconv.Itoa(resp.StatusCode)
		span.SetAttributes(AttrErrorType.String(code))
		span.SetStatus(codes.Error, code)
	}
	resp.Body = &spanBody{ReadCloser: resp.Body, span: span}
	return resp, nil
}

// spanBody ends the HTTP span when the body is closed: the span covers
// reading the response.
type spanBody struct {
	io.ReadCloser
	span  trace.Span
	ended bool
}

func (b *spanBody) Close() error {
	err := b.ReadCloser.Close()
	if !b.ended {
		b.ended = true
		b.span.End()
	}
	return err
}

func port(u *url.URL) int {
	if p := u.Port(); p != "" {
		n, _ := strconv.Atoi(p)
		return n
	}
	switch u.Scheme {
	case "http":
		return 80
	case "https":
		return 443
	}
	return 0
}

// fitsTemplate reports whether path is an instance of the OpenAPI path
// template tmpl: the same segments, a {param} segment matching any.
func fitsTemplate(path, tmpl string) bool {
	for {
		pi := strings.IndexByte(path, '/')
		ti := strings.IndexByte(tmpl, '/')
		if (pi < 0) != (ti < 0) {
			return false
		}
		ps, ts := path, tmpl
		if pi >= 0 {
			ps, ts = path[:pi], tmpl[:ti]
		}
		if ps != ts && !strings.Contains(ts, "{") {
			return false
		}
		if pi < 0 {
			return true
		}
		path, tmpl = path[pi+1:], tmpl[ti+1:]
	}
}

// startMessage opens the messaging span of a send (a producer span) or a
// receive (a client span) on addr. It is a no-op on a nil runTel.
func (rt *runTel) startMessage(ctx context.Context, sp *stepPlan, addr string) (context.Context, trace.Span) {
	if rt == nil {
		return ctx, nil
	}
	mp := sp.msg
	op := mp.action // "send" or "receive"
	kind := trace.SpanKindProducer
	if op != "send" {
		kind = trace.SpanKindClient
	}
	dest := rt.rs.mask.apply(addr)
	name := op + " "
	attrs := []attribute.KeyValue{
		attribute.String("messaging.system", messagingSystem(mp.src.server.Protocol)),
		attribute.String("messaging.operation.type", op),
		attribute.String("messaging.operation.name", op),
		attribute.String("messaging.destination.name", dest),
		AttrWorkflowID.String(sp.wf.id), AttrStepID.String(sp.id),
	}
	switch {
	case mp.channel == nil:
		name += "(temporary)"
		attrs = append(attrs, attribute.Bool("messaging.destination.temporary", true))
	case mp.channel.Address != "" && mp.channel.Address != addr:
		name += mp.channel.Address
		attrs = append(attrs, attribute.String("messaging.destination.template", mp.channel.Address))
	default:
		name += dest
	}
	if u := mp.src.server.URL; u != nil && u.Hostname() != "" {
		attrs = append(attrs, attribute.String("server.address", u.Hostname()))
		if p, err := strconv.Atoi(u.Port()); err == nil {
			attrs = append(attrs, attribute.Int("server.port", p))
		}
	}
	return rt.t.tracer.Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
}

// endMessage ends a messaging span; code is the failure code ("": none).
func (rt *runTel) endMessage(span trace.Span, code string) {
	if rt == nil || span == nil {
		return
	}
	rt.endSpan(span, code == "", code)
}

// endReceive ends a receive's messaging span with at's failure.
func (rt *runTel) endReceive(span trace.Span, at *attempt) {
	if rt == nil || span == nil {
		return
	}
	code := ""
	if at.err != nil {
		code = errorCode(at.err)
	}
	rt.endSpan(span, code == "", code)
}

// sendCode is the failure code of a publish that returned err.
func sendCode(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return ""
	case ctx.Err() != nil:
		return ctxCode(ctx.Err())
	}
	return CodeTransport
}

// messagingSystem is the messaging.system of an AsyncAPI protocol:
// the protocol without its secure variant (kafka-secure, mqtts, amqps,
// wss), as the conventions name no value for most brokers the drivers
// reach.
func messagingSystem(protocol string) string {
	p := strings.ToLower(protocol)
	p = strings.TrimSuffix(p, "-secure")
	switch p {
	case "mqtts", "amqps", "wss", "secure-mqtt":
		p = strings.TrimSuffix(strings.TrimPrefix(p, "secure-"), "s")
	}
	return p
}

// top is the workflow run on top of the interpreter's stack (the one an
// event is about), or nil.
func (m *machine) top() *frame {
	if len(m.frames) == 0 {
		return nil
	}
	return m.frames[len(m.frames)-1]
}

// RecordRun records the run and step metrics of a finished durable run
// (telaio.runs and telaio.run.duration, telaio.steps and
// telaio.step.duration for each step execution, nested workflows'
// included), which RunDurable does not record since its runtime replays
// it: the runtime calls RecordRun once per run (package temporal: when the
// workflow completes, not on replay). err is the run's error. Without
// WithMeterProvider it does nothing.
func (e *Engine) RecordRun(ctx context.Context, res *Result, err error) {
	t := e.tel
	if t == nil || !t.metering || res == nil {
		return
	}
	var steps func(r *Result)
	steps = func(r *Result) {
		for _, d := range r.Dependencies {
			steps(d)
		}
		for _, s := range r.Steps {
			if s.Workflow != nil {
				steps(s.Workflow)
			}
			attrs := metric.WithAttributes(AttrWorkflowID.String(r.WorkflowID), AttrStepID.String(s.StepID), AttrStatus.String(statusName(s.Success)))
			t.steps.Add(ctx, 1, attrs)
			t.stepDur.Record(ctx, s.Duration.Seconds(), attrs)
		}
		if r.Transfer != nil {
			steps(r.Transfer)
		}
	}
	steps(res)
	attrs := []attribute.KeyValue{AttrWorkflowID.String(res.WorkflowID), AttrStatus.String(string(res.Status))}
	if err != nil || !res.Success {
		code := CodeStepFailed
		if err != nil {
			code = errorCode(err)
		}
		attrs = append(attrs, AttrErrorType.String(code))
	}
	set := metric.WithAttributes(attrs...)
	t.runs.Add(ctx, 1, set)
	t.runDur.Record(ctx, res.Duration.Seconds(), set)
}
