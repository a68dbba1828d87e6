package temporal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	workflowservice "go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/conformance/stytchfake"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/resultshape"
	"github.com/telaio/telaio/specs"
	"github.com/telaio/telaio/temporal"
)

const (
	projectID = "project-test-11111111-2222-3333-4444-555555555555"
	secret    = "secret-test-abcdefghijklmnopqrstuvwxyz0123"
	totpSeed  = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

var now = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// stytchEngine plans a seed against a fresh Stytch fake.
func stytchEngine(t testing.TB, seed string) *executor.Engine {
	t.Helper()
	spec, err := stytchfake.BundledSpec()
	if err != nil {
		t.Fatal(err)
	}
	fake := stytchfake.New(stytchfake.Config{ProjectID: projectID, Secret: secret, Spec: spec,
		Clock: func() time.Time { return now }, OTPCode: func() string { return "654321" }, TOTPSecret: func() string { return totpSeed }})
	if err := fake.AddOrganization("organization-test-1", "Acme"); err != nil {
		t.Fatal(err)
	}
	if err := fake.AddMember("organization-test-1", "member-test-1", "ada@example.com", "+15005550006"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	doc, diags := arazzo.LoadFS(context.Background(), specs.FS, seed)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e, err := executor.New(doc, executor.WithServer("stytchB2bApi", srv.URL), executor.WithAuth("basicAuth", projectID+":"+secret),
		executor.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// shape is resultshape.Of, failing t on error.
func shape(t testing.TB, res *executor.Result) any {
	t.Helper()
	v, err := resultshape.Of(res)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSeedsOnTemporalMatchLocalRun: both Stytch seeds run through Temporal
// with the same result as Engine.Run (generated tokens aside).
func TestSeedsOnTemporalMatchLocalRun(t *testing.T) {
	c := dial(t, testKey)
	queue := queueName(t)
	startWorker(t, c, queue, stytchEngine(t, specs.StytchSMSOTP), stytchEngine(t, specs.StytchTOTP))
	totp, err := stytchfake.TOTPCode(totpSeed, now)
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
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			local, lerr := stytchEngine(t, tc.seed).Run(ctx, tc.workflow, tc.inputs)
			run, err := temporal.Start(ctx, c, stytchEngine(t, tc.seed), tc.workflow, tc.inputs, temporal.WithTaskQueue(queue))
			if err != nil {
				t.Fatal(err)
			}
			res, rerr := run.Result(ctx)
			if fmt.Sprint(lerr) != fmt.Sprint(rerr) || reflect.TypeOf(lerr) != reflect.TypeOf(rerr) {
				t.Fatalf("error: local %v (%T), temporal %v (%T)", lerr, lerr, rerr, rerr)
			}
			if ls, ts := shape(t, local), shape(t, res); !reflect.DeepEqual(ls, ts) {
				lb, _ := json.MarshalIndent(ls, "", " ")
				tb, _ := json.MarshalIndent(ts, "", " ")
				t.Errorf("results differ:\nlocal:\n%s\ntemporal:\n%s", lb, tb)
			}
			if tc.name == "sms" && (res.Outputs["memberId"] != "member-test-1" || res.Outputs["sessionToken"] == nil) {
				t.Errorf("outputs: %v", res.Outputs)
			}
			if rs := res.Redacted(); rs == res && local.Redacted() != local {
				t.Error("Redacted lost on the way")
			}
		})
	}
}

// TestSecretInputNotInHistory: with the codec, a secret input and the
// output holding it are not readable in the history; without it they are
// (the check can fail).
func TestSecretInputNotInHistory(t *testing.T) {
	const token = "tok-secret-0123456789abcdef"
	a := newAPI(t)
	path := writeDoc(t)
	for _, tc := range []struct {
		name    string
		key     []byte
		visible bool
	}{{"codec", testKey, false}, {"no codec", nil, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.key)
			queue := queueName(t)
			eng, err := loadEngine(path, a.srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			startWorker(t, c, queue, eng)
			ctx := testCtx(t)
			run, err := temporal.Start(ctx, c, eng, "twoSteps", map[string]any{"token": token}, temporal.WithTaskQueue(queue))
			if err != nil {
				t.Fatal(err)
			}
			res, err := run.Result(ctx)
			if err != nil || res.Outputs["token"] != token {
				t.Fatalf("err = %v, outputs %v", err, res.Outputs)
			}
			if res.Redacted().Outputs["token"] == token {
				t.Error("Redacted shows the token")
			}
			var all []byte
			for _, ev := range history(t, c, run.ID) {
				b, err := proto.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, b...)
			}
			if got := bytes.Contains(all, []byte(token)); got != tc.visible {
				t.Errorf("token readable in history: %v, want %v", got, tc.visible)
			}
		})
	}
}

// TestHourLongRetryAfterHoldsNoWorker: a Retry-After of an hour is a
// server timer: no activity pending, the worker can stop, the run stays
// open on the server, and a new worker handles its cancellation.
func TestHourLongRetryAfterHoldsNoWorker(t *testing.T) {
	c := dial(t, testKey)
	a := newAPI(t)
	a.on("/b", func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(503)
	})
	path, queue := writeDoc(t), queueName(t)
	eng, err := loadEngine(path, a.srv.URL, executor.WithLimits(executor.Limits{MaxRetryWait: 2 * time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	w := startWorker(t, c, queue, eng)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", nil, temporal.WithTaskQueue(queue))
	if err != nil {
		t.Fatal(err)
	}
	var p temporal.Progress
	waitFor(t, "the retry wait", func() bool {
		p, err = run.Progress(ctx)
		return err == nil && !p.WaitingUntil.IsZero()
	})
	if d := time.Until(p.WaitingUntil); d < 59*time.Minute || p.StepID != "b" {
		t.Errorf("progress %+v: waits %v", p, d)
	}
	var timer time.Duration
	for _, ev := range history(t, c, run.ID) {
		if a := ev.GetTimerStartedEventAttributes(); a != nil {
			timer = a.GetStartToFireTimeout().AsDuration()
		}
	}
	if timer != time.Hour {
		t.Errorf("timer %v, want 1h", timer)
	}
	desc, err := describe(t, c, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(desc.GetPendingActivities()); n != 0 {
		t.Errorf("%d activities pending during the wait", n)
	}
	w.Stop()
	desc, err = describe(t, c, run.ID)
	if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("the run must stay open with no worker: %v %v", err, desc.GetWorkflowExecutionInfo().GetStatus())
	}
	if err := c.CancelWorkflow(ctx, run.ID, ""); err != nil {
		t.Fatal(err)
	}
	startWorker(t, c, queue, eng)
	_, err = run.Result(ctx)
	var se *executor.StepError
	if !errors.As(err, &se) || se.Code != executor.CodeCanceled || se.StepID != "b" {
		t.Fatalf("err = %v, want canceled at step b", err)
	}
	if a.count("/b") != 1 {
		t.Errorf("/b sent %d times", a.count("/b"))
	}
}

// TestProgressAndSearchAttributes: the progress query and the search
// attributes of a finished run.
func TestProgressAndSearchAttributes(t *testing.T) {
	a := newAPI(t)
	c, eng, queue := served(t, a)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", nil, temporal.WithTaskQueue(queue), temporal.WithSearchAttributes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Result(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := run.Progress(ctx)
	if err != nil || p.Status != "completed" || p.StepsDone != 2 || p.StepID != "b" {
		t.Errorf("progress %+v, %v", p, err)
	}
	desc, err := describe(t, c, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	sa := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	for name, want := range map[string]string{"TelaioStatus": "completed", "TelaioWorkflowId": "twoSteps", "TelaioDocHash": eng.Hash()} {
		var got string
		if p := sa[name]; p != nil {
			_ = json.Unmarshal(p.GetData(), &got)
		}
		if got != want {
			t.Errorf("search attribute %s = %q, want %q", name, got, want)
		}
	}
}

// TestLocalActivities: idempotent steps as local activities give the same
// result.
func TestLocalActivities(t *testing.T) {
	a := newAPI(t)
	c, eng, queue := served(t, a)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", nil, temporal.WithTaskQueue(queue), temporal.WithLocalActivities())
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Result(ctx)
	if err != nil || res.Outputs["a"] != 1.0 || res.Outputs["b"] != 1.0 {
		t.Fatalf("err = %v, result %+v", err, res)
	}
	for _, ev := range history(t, c, run.ID) {
		if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			t.Error("an activity was scheduled: want local activities only")
		}
	}
}

// TestStartErrors: no client, an unknown workflow, a worker without the
// document (the run waits: its workflow task fails until a worker has it).
func TestStartErrors(t *testing.T) {
	eng, err := loadEngine(writeDoc(t), "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := temporal.Start(context.Background(), nil, eng, "twoSteps", nil); !errors.Is(err, temporal.ErrNoClient) {
		t.Errorf("err = %v", err)
	}
	var c client.Client = dial(t, testKey)
	if _, err := temporal.Start(context.Background(), c, eng, "nope", nil); err == nil {
		t.Error("an unknown workflow must be refused")
	}
	big := map[string]any{"token": strings.Repeat("x", temporal.MaxInputBytes)}
	if _, err := temporal.Start(context.Background(), c, eng, "twoSteps", big); !errors.Is(err, temporal.ErrInputsTooLarge) {
		t.Errorf("inputs over MaxInputBytes: err = %v", err)
	}
}

func TestCodec(t *testing.T) {
	dc, err := temporal.DataConverter(testKey)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dc.ToPayload(map[string]any{"token": "s3cret-value"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.GetData(), []byte("s3cret-value")) {
		t.Error("the payload is not sealed")
	}
	var back map[string]any
	if err := dc.FromPayload(p, &back); err != nil || back["token"] != "s3cret-value" {
		t.Fatalf("round trip: %v %v", back, err)
	}
	other, _ := temporal.DataConverter([]byte("another key, also 32 bytes long!"))
	if err := other.FromPayload(p, &back); !errors.Is(err, temporal.ErrKey) {
		t.Errorf("a wrong key: err = %v", err)
	}
	if _, err := temporal.NewCodec([]byte("short")); !errors.Is(err, temporal.ErrKey) {
		t.Errorf("a short key: err = %v", err)
	}
	t.Setenv(temporal.KeyEnv, "not a key")
	if _, err := temporal.KeyFromEnv(); !errors.Is(err, temporal.ErrKey) {
		t.Errorf("a bad env key: err = %v", err)
	}
	t.Setenv(temporal.KeyEnv, fmt.Sprintf("%x", testKey))
	if k, err := temporal.KeyFromEnv(); err != nil || !bytes.Equal(k, testKey) {
		t.Errorf("hex key: %v", err)
	}
}

// describe is the server's description of a run.
func describe(t testing.TB, c client.Client, id string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	t.Helper()
	d, err := c.DescribeWorkflow(testCtx(t), id, "")
	if err != nil {
		return nil, err
	}
	return d.RawResponse, nil
}

// TestWatchTellsStepsAsTheyFinish: Watch tells each step once, in order,
// while the run goes on (step a long before the run ends: step b waits a
// second before its retry), with the step's trace and without its outputs;
// Steps answers a closed run too.
func TestWatchTellsStepsAsTheyFinish(t *testing.T) {
	a := newAPI(t)
	a.failFirst("/b", "")
	c, eng, queue := served(t, a)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", map[string]any{"token": "tok-watch-0123456789"}, temporal.WithTaskQueue(queue))
	if err != nil {
		t.Fatal(err)
	}
	var told []executor.Event
	var toldA time.Time
	res, err := run.Watch(ctx, executor.ObserverFunc(func(ev executor.Event) {
		told = append(told, ev)
		if ev.StepID == "a" {
			toldA = time.Now()
		}
	}), 50*time.Millisecond)
	if err != nil || res.Status != executor.StatusCompleted {
		t.Fatalf("result %v, %v", res, err)
	}
	// The run ends at least a second after step a (b's retry wait).
	if wait := time.Since(toldA); wait < 300*time.Millisecond {
		t.Errorf("step a was told %v before the run's end: not while it ran", wait)
	}
	if len(told) != 2 || told[0].StepID != "a" || told[1].StepID != "b" {
		t.Fatalf("told %+v", told)
	}
	b := told[1]
	if b.Kind != executor.StepFinished || b.WorkflowID != "twoSteps" || b.Step.Attempts != 2 || b.Step.StatusCode != 200 || len(b.Step.Exchanges) != 2 || b.Step.Outputs != nil {
		t.Errorf("step b: %+v %+v", b, b.Step)
	}
	// The history the package doc counts: 17 events for two attempts,
	// 11 more for a retry wait and its attempt (a few more on a loaded
	// server: a timed-out workflow task adds some).
	if n := len(history(t, c, run.ID)); n < 28 || n > 34 {
		t.Errorf("%d history events, the package doc says about 28", n)
	}
	page, err := run.Steps(ctx, 1)
	if err != nil || len(page.Steps) != 1 || page.Steps[0].Step.StepID != "b" || page.More {
		t.Errorf("steps from 1 of the closed run: %+v, %v", page, err)
	}
}

// TestHistoryLimitStopsTheRun: a run whose history reaches its bound stops
// with an *executor.LimitError naming it, with its trace, before Temporal
// would terminate it.
func TestHistoryLimitStopsTheRun(t *testing.T) {
	a := newAPI(t)
	c, eng, queue := served(t, a)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", nil, temporal.WithTaskQueue(queue), temporal.WithMaxHistoryEvents(8))
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Result(ctx)
	var se *executor.StepError
	var le *executor.LimitError
	if !errors.As(err, &se) || se.StepID != "b" || se.Code != executor.CodeLimit || !errors.As(err, &le) || le.Limit != temporal.LimitHistoryEvents {
		t.Fatalf("err = %v", err)
	}
	if res == nil || len(res.Steps) != 2 || !res.Steps[0].Success || a.count("/b") != 0 {
		t.Errorf("result %+v, /b hit %d times", res, a.count("/b"))
	}
}
