package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
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

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
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
	ctx, cancel := context.WithCancel(context.Background())
	var errb lockedBuffer
	cache := t.TempDir()
	e := &env{stdout: &errb, stderr: &errb, getenv: func(k string) string {
		if k == "TELAIO_CACHE_DIR" {
			return cache
		}
		return ""
	}}
	done := make(chan int, 1)
	go func() {
		done <- runMain(ctx, append([]string{"worker", "--temporal", addr, "--task-queue", queue}, args...), e)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("worker exit %d: %s", code, errb.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errb.String(), "serving task queue") {
		select {
		case code := <-done:
			t.Fatalf("worker exit %d: %s", code, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker not ready: %s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
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
