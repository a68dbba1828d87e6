package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/specs"
)

// The benchmarks come in pairs: each Telaio figure has its reference in the
// same run, so the ratio means something on a noisy machine. See
// BENCHMARKS.md.

// BenchmarkCompile is parse + load of the Stytch description + New for the
// SMS seed.
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		doc, diags := arazzo.LoadFS(context.Background(), specs.FS, specs.StytchSMSOTP)
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if _, err := executor.New(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileLibOpenAPI is the reference: a bare libopenapi document
// and v3 model build of the same description.
func BenchmarkCompileLibOpenAPI(b *testing.B) {
	src, err := specs.FS.ReadFile(specs.StytchOpenAPI)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		cfg := datamodel.NewDocumentConfiguration()
		cfg.Logger = slog.New(slog.DiscardHandler)
		doc, err := libopenapi.NewDocumentWithConfiguration(src, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := doc.BuildV3Model(); err != nil {
			b.Fatal(err)
		}
	}
}

var smsInputs = map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1", "code": "654321", "session_duration_minutes": 30}

// BenchmarkRun is a warm run of the compiled SMS seed against the Stytch fake.
func BenchmarkRun(b *testing.B) {
	_, srv := stytch(b)
	e := engine(b, specs.StytchSMSOTP, executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Run(ctx, "sms-otp-mfa", smsInputs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunNetHTTP is the reference: the same two exchanges with bare
// net/http and encoding/json, reading the same outputs.
func BenchmarkRunNetHTTP(b *testing.B) {
	_, srv := stytch(b)
	run := netHTTPRun(b, srv)
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}

// netHTTPRun returns the reference run: the seed's two exchanges with bare
// net/http and encoding/json.
func netHTTPRun(b *testing.B, srv *httptest.Server) func() {
	client := srv.Client()
	post := func(path string, body map[string]any) map[string]any {
		buf, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(buf))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(projectID, secret)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d %s", path, resp.StatusCode, data)
		}
		var out map[string]any
		if err := json.Unmarshal(data, &out); err != nil {
			b.Fatal(err)
		}
		return out
	}
	return func() {
		post("/v1/b2b/otps/sms/send", map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1"})
		out := post("/v1/b2b/otps/sms/authenticate", map[string]any{"organization_id": "organization-test-1",
			"member_id": "member-test-1", "code": "654321", "session_duration_minutes": 30})
		if out["session_token"] == nil {
			b.Fatal("no session token")
		}
	}
}

// BenchmarkRunVsNetHTTP alternates, in every iteration, a warm Telaio run
// (contract checks on), the same run with the checks off and the bare
// net/http reference, against one fake, so that drift on a noisy machine
// hits all three alike. It reports the median of each (µs) and the ratios
// of the medians; ns/op is the sum of the three.
func BenchmarkRunVsNetHTTP(b *testing.B) {
	_, srv := stytch(b)
	opts := []executor.Option{executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret)}
	checked := engine(b, specs.StytchSMSOTP, opts...)
	for _, c := range executor.Checks() {
		opts = append(opts, executor.WithCheck(c, executor.SeverityOff))
	}
	unchecked := engine(b, specs.StytchSMSOTP, opts...)
	ref := netHTTPRun(b, srv)
	ctx := context.Background()
	var tc, tu, tr []time.Duration
	b.ReportAllocs() // of the three together
	timed := func(d *[]time.Duration, f func()) {
		t := time.Now()
		f()
		*d = append(*d, time.Since(t))
	}
	for b.Loop() {
		timed(&tc, func() {
			if _, err := checked.Run(ctx, "sms-otp-mfa", smsInputs); err != nil {
				b.Fatal(err)
			}
		})
		timed(&tu, func() {
			if _, err := unchecked.Run(ctx, "sms-otp-mfa", smsInputs); err != nil {
				b.Fatal(err)
			}
		})
		timed(&tr, ref)
	}
	mc, mu, mr := median(tc), median(tu), median(tr)
	b.ReportMetric(mc, "telaio-µs")
	b.ReportMetric(mu, "nochecks-µs")
	b.ReportMetric(mr, "nethttp-µs")
	b.ReportMetric(mc/mr, "ratio")
	b.ReportMetric(mu/mr, "ratio-nochecks")
}

func median(d []time.Duration) float64 {
	slices.Sort(d)
	return float64(d[len(d)/2]) / float64(time.Microsecond)
}

// BenchmarkRunNoChecks is BenchmarkRun with the contract checks off: the
// engine's own cost next to BenchmarkRunNetHTTP.
func BenchmarkRunNoChecks(b *testing.B) {
	_, srv := stytch(b)
	opts := []executor.Option{executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret)}
	for _, c := range executor.Checks() {
		opts = append(opts, executor.WithCheck(c, executor.SeverityOff))
	}
	e := engine(b, specs.StytchSMSOTP, opts...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Run(ctx, "sms-otp-mfa", smsInputs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunParallel runs the seed concurrently on one Engine, each
// goroutine as its own member (a member has one live SMS code at a time).
func BenchmarkRunParallel(b *testing.B) {
	fake, srv := stytch(b)
	const members = 64
	for i := range members {
		if err := fake.AddMember("organization-test-1", fmt.Sprintf("member-test-p%d", i), fmt.Sprintf("p%d@example.com", i), "+15005550006"); err != nil {
			b.Fatal(err)
		}
	}
	e := engine(b, specs.StytchSMSOTP, executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret))
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		in := map[string]any{"organization_id": "organization-test-1", "code": "654321",
			"member_id": fmt.Sprintf("member-test-p%d", next.Add(1)%members)}
		for pb.Next() {
			if _, err := e.Run(ctx, "sms-otp-mfa", in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
