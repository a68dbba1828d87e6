package executor_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/conformance/stytchfake"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/specs"
)

const (
	projectID = "project-test-11111111-2222-3333-4444-555555555555"
	secret    = "secret-test-abcdefghijklmnopqrstuvwxyz0123"
)

func stytch(t testing.TB) (*stytchfake.Server, *httptest.Server) {
	t.Helper()
	spec, err := stytchfake.BundledSpec()
	if err != nil {
		t.Fatal(err)
	}
	fake := stytchfake.New(stytchfake.Config{ProjectID: projectID, Secret: secret, Spec: spec,
		OTPCode: func() string { return "654321" }})
	if err := fake.AddOrganization("organization-test-1", "Acme"); err != nil {
		t.Fatal(err)
	}
	if err := fake.AddMember("organization-test-1", "member-test-1", "ada@example.com", "+15005550006"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv
}

func engine(t testing.TB, path string, opts ...executor.Option) *executor.Engine {
	t.Helper()
	doc, diags := arazzo.LoadFS(context.Background(), specs.FS, path)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e, err := executor.New(doc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestStytchSMS(t *testing.T) {
	fake, srv := stytch(t)
	e := engine(t, specs.StytchSMSOTP, executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithHTTPClient(srv.Client()), executor.WithAuth("basicAuth", projectID+":"+secret))
	res, err := e.Run(context.Background(), "sms-otp-mfa", map[string]any{
		"organization_id": "organization-test-1", "member_id": "member-test-1", "code": "654321",
		"session_duration_minutes": 30,
	})
	if err != nil {
		b, _ := json.MarshalIndent(res, "", "  ")
		t.Fatalf("%v\n%s", err, b)
	}
	if !res.Success || res.Status != executor.StatusCompleted {
		t.Fatalf("status %s", res.Status)
	}
	if res.Outputs["memberId"] != "member-test-1" || res.Outputs["organizationId"] != "organization-test-1" || res.Outputs["sessionToken"] == nil {
		t.Errorf("outputs = %v", res.Outputs)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d", len(reqs))
	}
	if _, ok := reqs[0].Body["mfa_phone_number"]; ok {
		t.Error("absent optional input was sent")
	}
	if v, ok := reqs[1].Body["session_duration_minutes"].(float64); !ok || v != 30 {
		t.Errorf("session_duration_minutes = %#v", reqs[1].Body["session_duration_minutes"])
	}
	b, _ := json.Marshal(res)
	if strings.Contains(string(b), secret) {
		t.Error("secret leaked into the result")
	}
}

func TestStytchSMSWrongCode(t *testing.T) {
	_, srv := stytch(t)
	e := engine(t, specs.StytchSMSOTP, executor.WithServer("stytchB2bApi", srv.URL),
		executor.WithAuth("basicAuth", projectID+":"+secret))
	res, err := e.Run(context.Background(), "sms-otp-mfa", map[string]any{
		"organization_id": "organization-test-1", "member_id": "member-test-1", "code": "000000",
	})
	var se *executor.StepError
	if !errors.As(err, &se) || se.StepID != "authenticateSmsOtp" || se.Code != executor.CodeStepFailed {
		t.Fatalf("err = %v", err)
	}
	if res == nil || len(res.Steps) != 2 || res.Steps[1].StatusCode != 401 {
		t.Fatalf("trace = %+v", res)
	}
}
