package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/conformance/stytchfake"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/report"
	"github.com/telaio/telaio/specs"
)

const (
	projectID = "project-test-11111111-2222-3333-4444-555555555555"
	secret    = "secret-test-abcdefghijklmnopqrstuvwxyz0123"
)

var stytchSpec = stytchfake.BundledSpec

// smsRuns runs the bundled SMS OTP workflow once with the right code
// (the fake sends 654321) and once with a wrong one; the results are
// shared by the tests (read only).
var smsRuns = sync.OnceValues(func() ([2]*executor.Result, error) {
	var out [2]*executor.Result
	spec, err := stytchSpec()
	if err != nil {
		return out, err
	}
	fake := stytchfake.New(stytchfake.Config{ProjectID: projectID, Secret: secret, Spec: spec,
		OTPCode: func() string { return "654321" }})
	if err := fake.AddOrganization("organization-test-1", "Acme"); err != nil {
		return out, err
	}
	if err := fake.AddMember("organization-test-1", "member-test-1", "ada@example.com", "+15005550006"); err != nil {
		return out, err
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	doc, diags := arazzo.LoadFS(context.Background(), specs.FS, specs.StytchSMSOTP)
	if diags.HasErrors() {
		return out, diags
	}
	e, err := executor.New(doc, executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret))
	if err != nil {
		return out, err
	}
	for i, code := range []string{"654321", "000000"} {
		out[i], _ = e.Run(context.Background(), "sms-otp-mfa", map[string]any{
			"organization_id": "organization-test-1", "member_id": "member-test-1", "code": code,
		})
		if out[i] == nil {
			return out, fmt.Errorf("no result for code %s", code)
		}
	}
	return out, nil
})

// runSMS returns the run with the right code ("654321") or the wrong one.
func runSMS(t *testing.T, code string) *executor.Result {
	t.Helper()
	runs, err := smsRuns()
	if err != nil {
		t.Fatal(err)
	}
	if code == "654321" {
		return runs[0]
	}
	return runs[1]
}

func TestStytchJUnit(t *testing.T) {
	ok := runSMS(t, "654321")
	bad := runSMS(t, "000000")
	doc, text := parseJUnit(t, []*executor.Result{ok, bad})
	if len(doc.Suites) != 2 || doc.Tests != 4 || doc.Failures != 1 {
		t.Fatalf("suites=%d tests=%d failures=%d\n%s", len(doc.Suites), doc.Tests, doc.Failures, text)
	}
	for i, s := range doc.Suites {
		if s.Name != "sms-otp-mfa" || len(s.Cases) != 2 || s.Cases[0].Name != "sendSmsOtp" || s.Cases[1].Name != "authenticateSmsOtp" {
			t.Errorf("suite %d: %+v", i, s)
		}
		if op := prop(s.Cases[0].Properties, "operationId"); op != "api_b2b_otp_v1_b2b_otp_sms_Send" {
			t.Errorf("operationId = %q", op)
		}
	}
	if st := prop(doc.Suites[0].Properties, "status"); st != "completed" {
		t.Errorf("status = %q", st)
	}
	if doc.Suites[0].Failures != 0 || doc.Suites[1].Failures != 1 {
		t.Fatalf("failures %d %d", doc.Suites[0].Failures, doc.Suites[1].Failures)
	}
	c := doc.Suites[1].Cases[1]
	if prop(c.Properties, "statusCode") != "401" {
		t.Errorf("statusCode = %q", prop(c.Properties, "statusCode"))
	}
	f := c.Failure
	if f.Type != report.FailureCriterion || f.Message != `criterion "$statusCode == 200" not met (status 401)` {
		t.Errorf("failure %q %q", f.Type, f.Message)
	}
	for _, s := range []string{"request: POST http://127.0.0.1:", "/v1/b2b/otps/sms/authenticate", `"code":"000000"`, "response: 401", "otp_code_not_found"} {
		if !strings.Contains(f.Text, s) {
			t.Errorf("failure body lacks %q:\n%s", s, f.Text)
		}
	}
	noSecret(t, text)
}

func TestStytchJSON(t *testing.T) {
	ok, bad := runSMS(t, "654321"), runSMS(t, "000000")
	for _, tt := range []struct {
		results []*executor.Result
		success bool
	}{{[]*executor.Result{ok}, true}, {[]*executor.Result{ok, bad}, false}} {
		var buf bytes.Buffer
		if err := report.JSON(&buf, tt.results); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Success bool `json:"success"`
			Results []struct {
				WorkflowID string `json:"workflowId"`
				Status     string `json:"status"`
				Steps      []struct {
					StepID    string            `json:"stepId"`
					Exchanges []json.RawMessage `json:"exchanges"`
				} `json:"steps"`
			} `json:"results"`
		}
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Success != tt.success || len(got.Results) != len(tt.results) || got.Results[0].Steps[1].StepID != "authenticateSmsOtp" || len(got.Results[0].Steps[1].Exchanges) != 1 {
			t.Errorf("%+v", got)
		}
		noSecret(t, buf.String())
	}
}

func TestStytchHAR(t *testing.T) {
	ok, bad := runSMS(t, "654321"), runSMS(t, "000000")
	var buf bytes.Buffer
	if err := report.HAR(&buf, []*executor.Result{ok, bad}, report.WithVersion("v1.2.3")); err != nil {
		t.Fatal(err)
	}
	h := checkHAR(t, buf.Bytes())
	if len(h.Log.Entries) != 4 {
		t.Fatalf("%d entries", len(h.Log.Entries))
	}
	if h.Log.Creator.Name != "telaio" || h.Log.Creator.Version != "v1.2.3" {
		t.Errorf("creator %+v", h.Log.Creator)
	}
	last := h.Log.Entries[3]
	if last.Response.Status != 401 || last.StepID != "authenticateSmsOtp" || last.WorkflowID != "sms-otp-mfa" ||
		!strings.Contains(last.Response.Content.Text, "otp_code_not_found") || last.Request.PostData == nil ||
		!strings.Contains(last.Request.PostData.Text, `"code":"000000"`) || last.Request.PostData.MimeType != "application/json" {
		t.Errorf("last entry %+v", last)
	}
	auth := ""
	for _, hd := range last.Request.Headers {
		if strings.EqualFold(*hd.Name, "Authorization") {
			auth = *hd.Value
		}
	}
	if auth != "Basic "+executor.Mask {
		t.Errorf("Authorization = %q", auth)
	}
	noSecret(t, buf.String())
}

func noSecret(t *testing.T, text string) {
	t.Helper()
	if strings.Contains(text, secret) {
		t.Error("the secret leaked into the report")
	}
}
