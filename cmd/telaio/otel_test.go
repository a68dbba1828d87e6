package main

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// otlpReceiver is a local OTLP/HTTP endpoint: it keeps the bodies POSTed
// to each path.
type otlpReceiver struct {
	mu     sync.Mutex
	bodies map[string][][]byte
	url    string
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{bodies: map[string][][]byte{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("OTLP request %s %s %s", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
		}
		r.mu.Lock()
		r.bodies[req.URL.Path] = append(r.bodies[req.URL.Path], body)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *otlpReceiver) got(path string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies[path]
}

var smsArgs = []string{"--input", "organization_id=organization-test-1", "--input", "member_id=member-test-1",
	"--input", "code=246810", "--auth", "basicAuth=" + projectID + ":" + secret}

// TestRunExportsOTLP: with OTEL_EXPORTER_OTLP_ENDPOINT set, telaio run
// exports the run's spans and metrics over OTLP/HTTP before it exits, and
// the API sees the trace context; without it, nothing is exported.
func TestRunExportsOTLP(t *testing.T) {
	tests := []struct {
		name          string
		vars          func(url string) map[string]string
		traces, mtrcs bool
	}{
		{"endpoint", func(u string) map[string]string { return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": u} }, true, true},
		{"traces endpoint only", func(u string) map[string]string {
			return map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": u + "/v1/traces"}
		}, true, false},
		{"unset", func(string) map[string]string { return nil }, false, false},
		{"disabled", func(u string) map[string]string {
			return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": u, "OTEL_SDK_DISABLED": "true"}
		}, false, false},
		{"traces exporter none", func(u string) map[string]string {
			return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": u, "OTEL_TRACES_EXPORTER": "none"}
		}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := stytchServer(t)
			rcv := newOTLPReceiver(t)
			args := append([]string{"run", smsSeed, "--server", "stytchB2bApi=" + url, "--quiet"}, smsArgs...)
			code, out, errOut := runCLI(t, tt.vars(rcv.url), args...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr: %s", errOut)
			}
			traces, metrics := rcv.got("/v1/traces"), rcv.got("/v1/metrics")
			if (len(traces) > 0) != tt.traces || (len(metrics) > 0) != tt.mtrcs {
				t.Fatalf("%d POSTs to /v1/traces, %d to /v1/metrics", len(traces), len(metrics))
			}
			sent := fake.Requests()[0].Header.Get("Traceparent")
			if (sent != "") != tt.traces {
				t.Errorf("traceparent sent: %q", sent)
			}
			all := bytes.Join(append(traces, metrics...), nil)
			for _, want := range map[bool][]string{true: {"run sms-otp-mfa", "step authenticateSmsOtp", "telaio"}}[tt.traces] {
				if !bytes.Contains(all, []byte(want)) {
					t.Errorf("the export holds no %q", want)
				}
			}
			if tt.traces {
				// The API's traceparent names a span of the exported trace.
				_, rest, _ := strings.Cut(sent, "-")
				traceID := rest[:32]
				if !bytes.Contains(all, hexBytes(t, traceID)) {
					t.Errorf("trace %s is not in the export", traceID)
				}
			}
			if tt.mtrcs && !bytes.Contains(all, []byte("telaio.runs")) {
				t.Error("no telaio.runs in the metrics export")
			}
			for _, s := range []string{secret, "246810"} {
				if bytes.Contains(all, []byte(s)) {
					t.Errorf("the export holds %q", s)
				}
			}
		})
	}
}

// TestRunOTLPWarnings: an OTLP protocol telaio does not serve is a warning,
// and the run goes on.
func TestRunOTLPWarnings(t *testing.T) {
	_, url := stytchServer(t)
	rcv := newOTLPReceiver(t)
	args := append([]string{"run", smsSeed, "--server", "stytchB2bApi=" + url, "--quiet"}, smsArgs...)
	code, _, errOut := runCLI(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.url, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, args...)
	if code != exitOK || !strings.Contains(errOut, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc: telaio exports over http/protobuf only") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if n := len(rcv.got("/v1/traces")) + len(rcv.got("/v1/metrics")); n != 0 {
		t.Errorf("%d exports", n)
	}
}

// TestRunTraceparentEnv: TRACEPARENT makes the runs' spans part of the
// caller's trace.
func TestRunTraceparentEnv(t *testing.T) {
	fake, url := stytchServer(t)
	rcv := newOTLPReceiver(t)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	args := append([]string{"run", smsSeed, "--server", "stytchB2bApi=" + url, "--quiet"}, smsArgs...)
	code, out, errOut := runCLI(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.url, "TRACEPARENT": parent}, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if sent := fake.Requests()[0].Header.Get("Traceparent"); !strings.HasPrefix(sent, "00-4bf92f3577b34da6a3ce929d0e0e4736-") {
		t.Errorf("traceparent sent: %q", sent)
	}
	if all := bytes.Join(rcv.got("/v1/traces"), nil); !bytes.Contains(all, hexBytes(t, "00f067aa0ba902b7")) {
		t.Error("no span of the export has the TRACEPARENT span as parent")
	}
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
