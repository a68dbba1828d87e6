package executor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/conformance/stytchfake"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/resultshape"
	"github.com/telaio/telaio/specs"
)

// jsonHost is a DurableHost that sends every StepRequest and StepOutcome
// through JSON, as a durable runtime stores them, and runs the attempt
// with Engine.Attempt; it records waits instead of sleeping.
type jsonHost struct {
	e     *executor.Engine
	clock time.Time
	mu    sync.Mutex
	waits []time.Duration
	reqs  []executor.StepRequest
	// lose makes the attempt with this execution number a lost one.
	lose int
}

func roundTrip[T any](t testing.TB, v *T) *T {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func (h *jsonHost) host(t testing.TB) executor.DurableHost { return &jsonHostT{h, t} }

type jsonHostT struct {
	*jsonHost
	t testing.TB
}

func (h *jsonHostT) Attempt(ctx context.Context, req *executor.StepRequest) (*executor.StepOutcome, error) {
	r := roundTrip(h.t, req)
	h.mu.Lock()
	h.reqs = append(h.reqs, *r)
	h.mu.Unlock()
	if r.Execution == h.lose {
		return nil, errors.New("worker lost")
	}
	o, err := h.e.Attempt(ctx, r)
	if err != nil {
		return nil, err
	}
	return roundTrip(h.t, o), nil
}

func (h *jsonHostT) Sleep(ctx context.Context, d time.Duration) error {
	h.mu.Lock()
	h.waits = append(h.waits, d)
	h.mu.Unlock()
	return ctx.Err()
}

func (h *jsonHostT) Now() time.Time { return h.clock }

// shape is resultshape.Of, failing t on error.
func shape(t testing.TB, res *executor.Result) any {
	t.Helper()
	v, err := resultshape.Of(res)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sameRun runs a flow with Run and with RunDurable (every attempt through
// JSON) against fresh copies of its server, and requires the same result.
func sameRun(t *testing.T, newEngine func() *executor.Engine, workflow string, inputs map[string]any) (*executor.Result, *jsonHost) {
	t.Helper()
	local, lerr := newEngine().Run(testCtx(t), workflow, inputs)
	e := newEngine()
	h := &jsonHost{e: e, clock: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)}
	durable, derr := e.RunDurable(testCtx(t), workflow, inputs, h.host(t))
	if fmt.Sprint(lerr) != fmt.Sprint(derr) {
		t.Fatalf("error: Run %v, RunDurable %v", lerr, derr)
	}
	if len(local.Outputs) != len(durable.Outputs) {
		t.Errorf("outputs: Run %v, RunDurable %v", local.Outputs, durable.Outputs)
	}
	if ls, ds := shape(t, local), shape(t, durable); !reflect.DeepEqual(ls, ds) {
		lb, _ := json.MarshalIndent(ls, "", " ")
		db, _ := json.MarshalIndent(ds, "", " ")
		t.Errorf("results differ:\nRun:\n%s\nRunDurable:\n%s", lb, db)
	}
	return durable, h
}

func TestDurableSeedsMatchRun(t *testing.T) {
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	newEngine := func(seed string) func() *executor.Engine {
		return func() *executor.Engine {
			spec, err := stytchfake.BundledSpec()
			if err != nil {
				t.Fatal(err)
			}
			fake := stytchfake.New(stytchfake.Config{ProjectID: projectID, Secret: secret, Spec: spec,
				Clock: func() time.Time { return now }, OTPCode: func() string { return "654321" },
				TOTPSecret: func() string { return "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }})
			if err := fake.AddOrganization("organization-test-1", "Acme"); err != nil {
				t.Fatal(err)
			}
			if err := fake.AddMember("organization-test-1", "member-test-1", "ada@example.com", "+15005550006"); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			return engine(t, seed, executor.WithServer("stytchB2bApi", srv.URL), executor.WithAuth("basicAuth", projectID+":"+secret),
				executor.WithClock(func() time.Time { return now }))
		}
	}
	totp, err := stytchfake.TOTPCode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, seed, workflow string
		inputs               map[string]any
	}{
		{"sms", specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1", "code": "654321", "session_duration_minutes": 30}},
		{"sms wrong code", specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1", "code": "000000"}},
		{"sms missing input", specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{"organization_id": "organization-test-1"}},
		{"totp", specs.StytchTOTP, "totp-enrollment", map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1", "code": totp, "session_duration_minutes": 30}},
	} {
		t.Run(tc.name, func(t *testing.T) { sameRun(t, newEngine(tc.seed), tc.workflow, tc.inputs) })
	}
}

// durableOpenAPI adds a POST to the fault tests' operations.
const durableFlows = `  - workflowId: main
    inputs:
      type: object
      properties:
        token: {type: string, format: password}
    dependsOn: [prep]
    steps:
      - stepId: a
        operationId: a
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: again, type: retry, retryLimit: 3, retryAfter: 1}
        outputs: {n: $response.body#/n, token: $inputs.token}
      - stepId: call
        workflowId: sub
        parameters: [{name: n, value: $steps.a.outputs.n}]
        outputs: {doubled: $outputs.doubled}
      - stepId: b
        operationId: b
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - {name: skip, type: goto, stepId: last, criteria: [{condition: $response.body#/ok == true}]}
      - stepId: never
        operationId: a
      - stepId: last
        operationId: b
        outputs: {prep: $workflows.prep.outputs.p}
    outputs:
      n: $steps.a.outputs.n
      doubled: $steps.call.outputs.doubled
      prep: $steps.last.outputs.prep
      token: $steps.a.outputs.token
  - workflowId: prep
    steps:
      - stepId: p
        operationId: b
        outputs: {p: $response.body#/ok}
    outputs: {p: $steps.p.outputs.p}
  - workflowId: sub
    inputs: {type: object, properties: {n: {type: number}}}
    steps:
      - stepId: s
        operationId: b
        outputs: {n: $inputs.n}
    outputs: {doubled: $steps.s.outputs.n}
`

func durableServer(t *testing.T) *httptest.Server {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/a":
			n := hits.Add(1)
			if n < 3 {
				w.Header().Set("Retry-After", "7")
				w.WriteHeader(503)
				return
			}
			fmt.Fprintf(w, `{"n": %d}`, n)
		default:
			fmt.Fprintf(w, `{"ok": true, "key": %q}`, r.Header.Get("Idempotency-Key"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestDurableFlowMatchesRun: retries with Retry-After, a workflow step,
// dependsOn with $workflows, goto and a secret input run the same through
// the seam, every attempt through JSON.
func TestDurableFlowMatchesRun(t *testing.T) {
	newEngine := func() *executor.Engine {
		return faultEngine(t, faultDoc(durableFlows), durableServer(t).URL, executor.WithSleep(new(sleeps).sleep))
	}
	res, h := sameRun(t, newEngine, "main", map[string]any{"token": "tok-0123456789abcdef"})
	if !res.Success || res.Outputs["n"] != 3.0 || res.Outputs["doubled"] != 3.0 || res.Outputs["prep"] != true {
		t.Fatalf("result: %+v", res)
	}
	if fmt.Sprint(h.waits) != "[7s 7s]" {
		t.Errorf("waits = %v, want the Retry-After twice", h.waits)
	}
	// Requests carry what the step reads, and the run's secrets.
	var last executor.StepRequest
	for _, r := range h.reqs {
		if r.StepID == "last" {
			last = r
		}
	}
	if last.Workflows["prep"].Outputs["p"] != true || last.Steps["a"]["n"] != 3.0 || fmt.Sprint(last.Secrets) != "[tok-0123456789abcdef]" {
		t.Errorf("request of step last: %+v", last)
	}
	if last.Execution != 8 || last.Method != "GET" || last.DocHash != h.e.Hash() {
		t.Errorf("execution %d, method %q, hash %q", last.Execution, last.Method, last.DocHash)
	}
	// The token is masked in the trace, not in the outputs.
	if res.Steps[0].Outputs["token"] == "tok-0123456789abcdef" || res.Outputs["token"] != "tok-0123456789abcdef" {
		t.Errorf("masking: step outputs %v, outputs %v", res.Steps[0].Outputs, res.Outputs)
	}
}

// TestDurableLostAttemptIsTransportFailure: an attempt the host lost is a
// transport failure the failure actions handle (here: retried).
func TestDurableLostAttemptIsTransportFailure(t *testing.T) {
	e := faultEngine(t, faultDoc(durableFlows), durableServer(t).URL)
	h := &jsonHost{e: e, lose: 2}
	res, err := e.RunDurable(testCtx(t), "main", nil, h.host(t))
	if err != nil || !res.Success {
		t.Fatalf("err = %v", err)
	}
	a := res.Steps[0]
	if a.Attempts != 4 || res.Outputs["n"] != 3.0 {
		t.Errorf("attempts = %d, outputs = %v", a.Attempts, res.Outputs)
	}
	// Without a failure action the run fails with code transport.
	e = faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - {stepId: a, operationId: b}
`), durableServer(t).URL)
	h = &jsonHost{e: e, lose: 1}
	_, err = e.RunDurable(testCtx(t), "main", nil, h.host(t))
	stepErr(t, err, executor.CodeTransport, "main", "a")
}

// TestDurableIdempotencyKey: a key in the request is sent in the
// Idempotency-Key header; a step marked with the extension says so.
func TestDurableIdempotencyKey(t *testing.T) {
	e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - stepId: a
        operationId: b
        x-telaio-idempotency-key: true
        outputs: {key: $response.body#/key}
`), durableServer(t).URL)
	o, err := e.Attempt(testCtx(t), &executor.StepRequest{DocHash: e.Hash(), Workflow: "main", StepID: "a", Attempt: 1, Execution: 1, IdempotencyKey: "run-1/a/1"})
	if err != nil || !o.Success || o.Outputs["key"] != "run-1/a/1" {
		t.Fatalf("outcome %+v, err %v", o, err)
	}
	if len(o.Trace.Exchanges) != 1 || o.Trace.Exchanges[0].Response.Body != nil {
		t.Errorf("trace must not keep the body: %+v", o.Trace.Exchanges)
	}
	h := &jsonHost{e: e}
	if _, err := e.RunDurable(testCtx(t), "main", nil, h.host(t)); err != nil {
		t.Fatal(err)
	}
	if !h.reqs[0].Keyed || h.reqs[0].Method != "GET" {
		t.Errorf("request: %+v", h.reqs[0])
	}
}

func TestDurableAttemptErrors(t *testing.T) {
	e := faultEngine(t, faultDoc(durableFlows), durableServer(t).URL)
	if _, err := e.Attempt(testCtx(t), &executor.StepRequest{DocHash: "other", Workflow: "main", StepID: "a"}); !errors.Is(err, executor.ErrWrongDocument) {
		t.Errorf("err = %v", err)
	}
	if _, err := e.Attempt(testCtx(t), &executor.StepRequest{Workflow: "main", StepID: "nope"}); !errors.Is(err, executor.ErrUnknownStep) {
		t.Errorf("err = %v", err)
	}
	if _, err := e.RunDurable(testCtx(t), "nope", nil, (&jsonHost{e: e}).host(t)); !errors.Is(err, arazzo.ErrUnknownWorkflow) {
		t.Errorf("err = %v", err)
	}
}

// TestEngineHashFollowsContent: the hash is the same for the same bytes
// and changes with the Arazzo document or a source description.
func TestEngineHashFollowsContent(t *testing.T) {
	load := func(doc, api string) string {
		fsys := fstest.MapFS{"flow.yaml": {Data: []byte(doc)}, "api.yaml": {Data: []byte(api)}}
		d, diags := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		e, err := executor.New(d, executor.WithServer("api", "http://127.0.0.1:1"))
		if err != nil {
			t.Fatal(err)
		}
		return e.Hash()
	}
	base := load(faultDoc(durableFlows), faultOpenAPI)
	if len(base) != 64 || base != load(faultDoc(durableFlows), faultOpenAPI) {
		t.Fatalf("hash %q not stable", base)
	}
	if base == load(faultDoc(durableFlows)+"\n# edited\n", faultOpenAPI) {
		t.Error("an edit of the document must change the hash")
	}
	if base == load(faultDoc(durableFlows), faultOpenAPI+"\n# edited\n") {
		t.Error("an edit of a source description must change the hash")
	}
}

// TestEngineHashSameFromPlanCache: a document loaded through the plan
// cache (its OpenAPI description a subset without bytes) hashes as when
// read whole, so clients and workers agree whatever their cache holds.
func TestEngineHashSameFromPlanCache(t *testing.T) {
	cache := t.TempDir()
	hash := func(opts ...arazzo.LoadOption) string {
		d, diags := arazzo.LoadFS(context.Background(), specs.FS, specs.StytchSMSOTP, opts...)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		e, err := executor.New(d, executor.WithServer("stytchB2bApi", "http://127.0.0.1:1"))
		if err != nil {
			t.Fatal(err)
		}
		return e.Hash()
	}
	whole := hash()
	if first, cached := hash(arazzo.WithCache(cache)), hash(arazzo.WithCache(cache)); first != whole || cached != whole {
		t.Errorf("hash whole %s, first cached load %s, from the cache %s", whole, first, cached)
	}
}
