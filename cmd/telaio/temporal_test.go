package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telaio/telaio/conformance/stytchfake"
	"github.com/telaio/telaio/temporal/devserver"
)

// These tests run telaio worker, run --temporal and status against a real
// Temporal dev server (skipped locally when the temporal CLI is missing,
// failed under CI).

func devServer(t *testing.T) *devserver.Server {
	t.Helper()
	s, err := devserver.Start(context.Background(), devserver.Options{DynamicConfig: devserver.FastDynamicConfig()})
	if errors.Is(err, devserver.ErrNoBinary) && os.Getenv("CI") != "true" {
		t.Skip(devserver.BuildHint)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func stytchTOTPServer(t *testing.T) string {
	t.Helper()
	spec, err := stytchfake.BundledSpec()
	if err != nil {
		t.Fatal(err)
	}
	fake := stytchfake.New(stytchfake.Config{ProjectID: projectID, Secret: secret, Spec: spec,
		OTPCode: func() string { return "246810" }, TOTPSecret: func() string { return totpSecret }})
	if err := fake.AddOrganization("organization-test-1", "Acme"); err != nil {
		t.Fatal(err)
	}
	if err := fake.AddMember("organization-test-1", "member-test-1", "ada@example.com", "+15005550006"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return srv.URL
}

// startCLIWorker runs "telaio worker" in process until the test ends.
func startCLIWorker(t *testing.T, addr, queue string, args ...string) {
	t.Helper()
	startCLIWorkerEnv(t, nil, addr, queue, args...)
}

// startCLIWorkerEnv runs "telaio worker" with the environment vars; stop
// ends it (and waits), as the end of the test does.
func startCLIWorkerEnv(t *testing.T, vars map[string]string, addr, queue string, args ...string) (stop func()) {
	t.Helper()
	_, _, stop = startCommand(t, vars, regexp.MustCompile("serving task queue"), append([]string{"worker", "--temporal", addr, "--task-queue", queue}, args...)...)
	return stop
}

// normalize drops what differs between two runs against two fakes:
// durations and generated tokens.
func normalize(s string) string {
	s = regexp.MustCompile(`\d+(\.\d+)?(ns|µs|ms|s|m)\b`).ReplaceAllString(s, "<d>")
	s = regexp.MustCompile(`(?m)^(\s*(sessionToken|totpRegistrationId|recoveryCodes|qrCode)): .*$`).ReplaceAllString(s, "$1: <random>")
	return regexp.MustCompile(` +`).ReplaceAllString(s, " ") // columns padded to the durations' width
}

// TestCLITemporalSeeds: both seeds through telaio worker and run
// --temporal print what a local run prints.
func TestCLITemporalSeeds(t *testing.T) {
	s := devServer(t)
	queue := "cli-seeds"
	workerAPI := stytchTOTPServer(t)
	startCLIWorker(t, s.Addr, queue, "--server", "stytchB2bApi="+workerAPI, "--auth", "basicAuth="+projectID+":"+secret, smsSeed, totpSeed)
	for _, tc := range []struct {
		seed   string
		inputs func() []string
	}{
		{smsSeed, func() []string { return []string{"--input", "code=246810", "--input", "session_duration_minutes=30"} }},
		{totpSeed, func() []string {
			code, err := stytchfake.TOTPCode(totpSecret, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return []string{"--input", "code=" + code}
		}},
	} {
		t.Run(tc.seed, func(t *testing.T) {
			base := []string{"run", tc.seed, "--input", "organization_id=organization-test-1", "--input", "member_id=member-test-1"}
			localAPI := stytchTOTPServer(t)
			lcode, lout, lerr := runCLI(t, nil, append(append(base, tc.inputs()...), "--server", "stytchB2bApi="+localAPI, "--auth", "basicAuth="+projectID+":"+secret)...)
			tcode, tout, terr := runCLI(t, nil, append(append(base, tc.inputs()...), "--temporal", s.Addr, "--task-queue", queue)...)
			if lcode != exitOK || tcode != exitOK {
				t.Fatalf("exit local %d, temporal %d\n%s%s\n%s%s", lcode, tcode, lout, lerr, tout, terr)
			}
			if normalize(lout) != normalize(tout) {
				t.Errorf("outputs differ:\nlocal:\n%s\ntemporal:\n%s", lout, tout)
			}
			if !strings.Contains(tout, "completed") {
				t.Errorf("output: %s", tout)
			}
		})
	}
	// On a terminal the step lines come as the steps finish, on stderr,
	// as for a local run.
	t.Run("live", func(t *testing.T) {
		base := []string{"run", smsSeed, "--input", "organization_id=organization-test-1", "--input", "member_id=member-test-1",
			"--input", "code=246810", "--input", "session_duration_minutes=30"}
		lcode, lout, lerr := runCLIOnTTY(t, append(base, "--server", "stytchB2bApi="+stytchTOTPServer(t), "--auth", "basicAuth="+projectID+":"+secret)...)
		tcode, tout, terr := runCLIOnTTY(t, append(base, "--temporal", s.Addr, "--task-queue", queue)...)
		if lcode != exitOK || tcode != exitOK {
			t.Fatalf("exit local %d, temporal %d\n%s%s\n%s%s", lcode, tcode, lout, lerr, tout, terr)
		}
		if !strings.Contains(terr, "authenticateSmsOtp") || normalize(lerr) != normalize(terr) {
			t.Errorf("step lines differ:\nlocal:\n%s\ntemporal:\n%s", lerr, terr)
		}
		if normalize(lout) != normalize(tout) {
			t.Errorf("results differ:\nlocal:\n%s\ntemporal:\n%s", lout, tout)
		}
	})
}

// TestCLITemporalDetachStatus: run --detach prints the run id; status
// shows the run's end as run prints it; flags that belong to the worker
// are refused.
func TestCLITemporalDetachStatus(t *testing.T) {
	s := devServer(t)
	queue := "cli-detach"
	startCLIWorker(t, s.Addr, queue, "--server", "stytchB2bApi="+stytchTOTPServer(t), "--auth", "basicAuth="+projectID+":"+secret, smsSeed)
	args := []string{"run", smsSeed, "--input", "organization_id=organization-test-1", "--input", "member_id=member-test-1", "--input", "code=246810",
		"--temporal", s.Addr, "--task-queue", queue}
	code, out, errOut := runCLI(t, nil, append(args, "--detach")...)
	id := strings.TrimSpace(out)
	if code != exitOK || !strings.HasPrefix(id, "telaio-sms-otp-mfa-") {
		t.Fatalf("exit %d: %q %s", code, out, errOut)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, out, errOut = runCLI(t, nil, "status", id, "--temporal", s.Addr)
		if strings.Contains(out, "ended") || time.Now().After(deadline) {
			break
		}
		if code != exitOK || !strings.Contains(out, "run "+id+": running") {
			t.Fatalf("status of a running run: exit %d: %s %s", code, out, errOut)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code != exitOK || !strings.Contains(out, "workflow sms-otp-mfa: completed") || !strings.Contains(out, "authenticateSmsOtp") {
		t.Errorf("status: exit %d: %s %s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, nil, append(args, "--auth", "basicAuth=x:y")...)
	if code != exitUsage || !strings.Contains(errOut, "--auth belongs to the worker") {
		t.Errorf("--auth with --temporal: exit %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, nil, "status", id)
	if code != exitUsage || !strings.Contains(errOut, "--temporal") {
		t.Errorf("status without --temporal: exit %d: %s", code, errOut)
	}
}

// TestCLITemporalTrace: with OTLP export on for the worker and for run
// --temporal, and TRACEPARENT given to run, the run's spans in both exports
// and the trace context the API sees are all in the caller's trace: the
// client's StartWorkflow span, the worker's workflow, activity, attempt and
// HTTP spans. No secret is exported.
func TestCLITemporalTrace(t *testing.T) {
	s := devServer(t)
	queue := "cli-trace"
	fake, url := stytchServer(t)
	workerOTLP, runOTLP := newOTLPReceiver(t), newOTLPReceiver(t)
	stop := startCLIWorkerEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": workerOTLP.url}, s.Addr, queue,
		"--server", "stytchB2bApi="+url, "--auth", "basicAuth="+projectID+":"+secret, smsSeed)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	args := []string{"run", smsSeed, "--input", "organization_id=organization-test-1", "--input", "member_id=member-test-1",
		"--input", "code=246810", "--temporal", s.Addr, "--task-queue", queue}
	code, out, errOut := runCLI(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": runOTLP.url, "TRACEPARENT": "00-" + traceID + "-00f067aa0ba902b7-01"}, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	stop() // flushes the worker's export
	if sent := fake.Requests()[0].Header.Get("Traceparent"); !strings.HasPrefix(sent, "00-"+traceID+"-") {
		t.Errorf("the API saw traceparent %q", sent)
	}
	for name, tc := range map[string]struct {
		rcv  *otlpReceiver
		want []string
	}{
		"run":    {runOTLP, []string{"StartWorkflow:telaio.Run"}},
		"worker": {workerOTLP, []string{"RunWorkflow:telaio.Run", "RunActivity:telaio.StepAttempt", "attempt authenticateSmsOtp", "POST /v1/b2b/otps/sms/authenticate"}},
	} {
		all := bytes.Join(tc.rcv.got("/v1/traces"), nil)
		for _, w := range tc.want {
			if !bytes.Contains(all, []byte(w)) {
				t.Errorf("the %s export holds no %q", name, w)
			}
		}
		if !bytes.Contains(all, hexBytes(t, traceID)) {
			t.Errorf("the %s export has no span in trace %s", name, traceID)
		}
		for _, sec := range []string{secret, "246810"} {
			if bytes.Contains(all, []byte(sec)) {
				t.Errorf("the %s export holds %q", name, sec)
			}
		}
	}
}

// retryDoc writes a workflow whose step is answered 503 once and retried
// after an hour, over an API at url.
func retryDoc(t *testing.T, url string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: slow, version: "1"}
servers: [{url: ` + url + `}]
paths:
  /hello:
    get: {operationId: hello, responses: {default: {description: any}}}
  /flaky:
    get: {operationId: flaky, responses: {default: {description: any}}}
`,
		"flow.yaml": `arazzo: 1.0.1
info: {title: slow, version: "1"}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
  - workflowId: hourly
    steps:
      - stepId: first
        operationId: hello
      - stepId: poll
        operationId: flaky
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: later, type: retry, retryAfter: 3600, retryLimit: 1}]
`}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "flow.yaml")
}

func flakyAPI(t *testing.T) string {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flaky" && hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestMaxRetryWaitFlag: --max-retry-wait caps a local run's hour-long
// retry wait (the default cap is a minute); a worker given a longer cap
// honours the hour, as a durable timer the status shows.
func TestMaxRetryWaitFlag(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		doc := retryDoc(t, flakyAPI(t))
		start := time.Now()
		code, out, errOut := runCLIRoot(t, filepath.Dir(doc), "run", doc, "--max-retry-wait", "20ms")
		if code != exitOK || time.Since(start) > 20*time.Second || !strings.Contains(out, "(2 attempts)") {
			t.Errorf("exit %d after %v\n%s\n%s", code, time.Since(start), out, errOut)
		}
		code, _, errOut = runCLIRoot(t, filepath.Dir(doc), "run", doc, "--max-retry-wait", "-1s")
		if code != exitUsage || !strings.Contains(errOut, "--max-retry-wait must be a positive duration") {
			t.Errorf("negative: exit %d: %s", code, errOut)
		}
	})
	t.Run("worker", func(t *testing.T) {
		s := devServer(t)
		queue := "cli-max-retry-wait"
		doc := retryDoc(t, flakyAPI(t))
		startCLIWorker(t, s.Addr, queue, "--root", filepath.Dir(doc), "--max-retry-wait", "2h", doc)
		code, out, errOut := runCLIRoot(t, filepath.Dir(doc), "run", doc, "--temporal", s.Addr, "--task-queue", queue, "--detach")
		id := strings.TrimSpace(out)
		if code != exitOK {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			code, out, errOut = runCLI(t, nil, "status", id, "--temporal", s.Addr, "--format", "json")
			var p struct{ WaitingUntil time.Time }
			if code == exitOK && json.Unmarshal([]byte(out), &p) == nil && !p.WaitingUntil.IsZero() {
				if wait := time.Until(p.WaitingUntil); wait < 50*time.Minute {
					t.Errorf("the worker waits %v before the retry, not the hour asked", wait)
				}
				// The text status lists the steps done, then where the run is.
				code, out, errOut = runCLI(t, nil, "status", id, "--temporal", s.Addr)
				if code != exitOK || !regexp.MustCompile(`(?m)^ok +first +200 .*\n.*running, workflow hourly, step poll \(attempt 1\), 1 steps done, waiting until`).MatchString(out) {
					t.Errorf("status: exit %d\n%s%s", code, out, errOut)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no retry wait: exit %d: %s %s", code, out, errOut)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestCLITemporalMessages: the specification's pet order example (a send,
// then the receive of its reply, published at once) runs on Temporal as in
// process: the worker holds the run's subscriptions in a session, armed
// before the order is sent.
func TestCLITemporalMessages(t *testing.T) {
	s := devServer(t)
	queue := "cli-messages"
	url, _ := startMockBroker(t, petOrderAsyncAPI)
	startCLIWorker(t, s.Addr, queue, "--server", "petOrders="+url, petOrder)
	code, out, errOut := runCLI(t, nil, "run", petOrder, "--input", "orderRequestId=o-temporal", "--temporal", s.Addr, "--task-queue", queue)
	all := out + errOut
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, all)
	}
	for _, re := range []string{`ok +placeOrder +sent .* place-order`, `ok +confirmOrder +received .* confirm-order`, `orderId: -?\d+`} {
		if !regexp.MustCompile(re).MatchString(all) {
			t.Errorf("output does not match %q\n%s", re, all)
		}
	}
}
