package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/conformance/stytchfake"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/specs"
)

// The bundled Stytch seeds, unedited, against the Stytch fake: through the
// library here, and through the CLI (and an out-of-process fake) below.

const (
	projectID  = "project-test-6e9b1f1a-0c52-4f39-9a6c-2f3f1d4e5a6b"
	secret     = "secret-test-Zq8xW3vT0pL5mN2bC7dK9fH4jR6sY1uA"
	orgID      = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
	memberID   = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
	noPhoneID  = "member-test-0d5bb0ba-1b12-4b6e-9e8a-5a4e55f6d2c1"
	phone      = "+15005550006"
	otpCode    = "483920"
	totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

var now = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

type seedEnv struct {
	fake *stytchfake.Server
	url  string
}

func newSeedEnv(t *testing.T) *seedEnv {
	t.Helper()
	spec, err := stytchfake.BundledSpec()
	if err != nil {
		t.Fatal(err)
	}
	fake := stytchfake.New(stytchfake.Config{ProjectID: projectID, Secret: secret, Spec: spec,
		Clock: func() time.Time { return now }, OTPCode: func() string { return otpCode },
		TOTPSecret: func() string { return totpSecret }})
	if err := fake.AddOrganization(orgID, "Acme"); err != nil {
		t.Fatal(err)
	}
	if err := fake.AddMember(orgID, memberID, "ada@example.com", phone); err != nil {
		t.Fatal(err)
	}
	if err := fake.AddMember(orgID, noPhoneID, "bob@example.com", ""); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &seedEnv{fake: fake, url: srv.URL}
}

func (s *seedEnv) run(t *testing.T, seed, workflow string, inputs map[string]any, opts ...executor.Option) (*executor.Result, error) {
	t.Helper()
	doc, diags := arazzo.LoadFS(context.Background(), specs.FS, seed)
	if diags = append(diags, arazzo.Validate(doc)...); len(diags) > 0 {
		t.Fatalf("the seed must validate cleanly: %v", diags)
	}
	opts = append([]executor.Option{executor.WithServer("stytchB2bApi", s.url), executor.WithAuth("basicAuth", projectID+":"+secret),
		executor.WithClock(func() time.Time { return now })}, opts...)
	e, err := executor.New(doc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e.Run(context.Background(), workflow, inputs)
}

func TestSeedSMSSuccess(t *testing.T) {
	s := newSeedEnv(t)
	res, err := s.run(t, specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{
		"organization_id": orgID, "member_id": memberID, "code": otpCode, "session_duration_minutes": 45})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := res.Outputs["sessionToken"].(string)
	if !res.Success || res.Outputs["memberId"] != memberID || res.Outputs["organizationId"] != orgID || tok == "" {
		t.Fatalf("result: %+v", res)
	}
	reqs := s.fake.Requests()
	if len(reqs) != 2 || reqs[0].Operation != "api_b2b_otp_v1_b2b_otp_sms_Send" || reqs[1].Operation != "api_b2b_otp_v1_b2b_otp_sms_Authenticate" {
		t.Fatalf("requests: %+v", reqs)
	}
	// Absent optional inputs are omitted, never sent as null.
	if _, ok := reqs[0].Body["mfa_phone_number"]; ok {
		t.Errorf("mfa_phone_number sent: %s", reqs[0].Raw)
	}
	// session_duration_minutes arrives as an integer.
	if !bytes.Contains(reqs[1].Raw, []byte(`"session_duration_minutes":45`)) {
		t.Errorf("session_duration_minutes: %s", reqs[1].Raw)
	}
	var session struct {
		MemberSession struct {
			ExpiresAt string `json:"expires_at"`
		} `json:"member_session"`
	}
	if err := json.Unmarshal(reqs[1].Response, &session); err != nil {
		t.Fatal(err)
	}
	if want := now.Add(45 * time.Minute).Format(time.RFC3339); !strings.HasPrefix(session.MemberSession.ExpiresAt, want[:16]) {
		t.Errorf("session expires at %s, want %s", session.MemberSession.ExpiresAt, want)
	}
	// Optional session_duration_minutes absent: omitted too.
	s.fake.Reset()
	if _, err := s.run(t, specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{"organization_id": orgID, "member_id": memberID, "code": otpCode}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.fake.Requests()[1].Body["session_duration_minutes"]; ok {
		t.Error("session_duration_minutes sent though absent")
	}
}

func TestSeedSMSEnrollsPhone(t *testing.T) {
	s := newSeedEnv(t)
	res, err := s.run(t, specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{
		"organization_id": orgID, "member_id": noPhoneID, "code": otpCode, "mfa_phone_number": phone})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.fake.Requests()[0].Body["mfa_phone_number"]; got != phone {
		t.Errorf("mfa_phone_number = %v", got)
	}
	member, _ := responseJSON(t, res.Steps[1].Exchanges[0])["member"].(map[string]any)
	if member["mfa_phone_number"] != phone {
		t.Errorf("the member's number is not enrolled: %v", member["mfa_phone_number"])
	}
	// A different number is now refused.
	res, err = s.run(t, specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{
		"organization_id": orgID, "member_id": noPhoneID, "code": otpCode, "mfa_phone_number": "+15005550009"})
	if err == nil || res.Steps[0].StatusCode != 400 {
		t.Errorf("a second number must be refused: %v", err)
	}
}

func TestSeedSMSWrongCode(t *testing.T) {
	s := newSeedEnv(t)
	res, err := s.run(t, specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{"organization_id": orgID, "member_id": memberID, "code": "000000"})
	var se *executor.StepError
	if !errors.As(err, &se) || se.StepID != "authenticateSmsOtp" || se.Code != executor.CodeStepFailed {
		t.Fatalf("err = %v", err)
	}
	if res.Success || len(res.Steps) != 2 || !res.Steps[0].Success || res.Steps[1].StatusCode != 401 {
		t.Fatalf("trace: %+v", res.Steps)
	}
	body := responseJSON(t, res.Steps[1].Exchanges[0])
	if body["error_type"] != "otp_code_not_found" {
		t.Errorf("error body: %v", body)
	}
}

func TestSeedMissingInput(t *testing.T) {
	s := newSeedEnv(t)
	_, err := s.run(t, specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{"organization_id": orgID, "member_id": memberID})
	var ie *executor.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "code") {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.fake.Requests()); n != 0 {
		t.Errorf("%d requests sent before the inputs were checked", n)
	}
}

func TestSeedWrongCredentials(t *testing.T) {
	s := newSeedEnv(t)
	res, err := s.run(t, specs.StytchSMSOTP, "sms-otp-mfa", map[string]any{"organization_id": orgID, "member_id": memberID, "code": otpCode},
		executor.WithAuth("basicAuth", projectID+":wrong-secret"))
	if err == nil || res.Steps[0].StatusCode != 401 {
		t.Fatalf("err = %v, steps = %+v", err, res.Steps)
	}
}

func TestSeedTOTPSuccess(t *testing.T) {
	s := newSeedEnv(t)
	code, err := stytchfake.TOTPCode(totpSecret, now)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.run(t, specs.StytchTOTP, "totp-enrollment", map[string]any{
		"organization_id": orgID, "member_id": memberID, "code": code, "session_duration_minutes": 30})
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := res.Outputs["totpRegistrationId"].(string)
	tok, _ := res.Outputs["sessionToken"].(string)
	if !strings.HasPrefix(reg, "member-totp-test-") || res.Outputs["memberId"] != memberID || tok == "" {
		t.Fatalf("outputs: %v", res.Outputs)
	}
	if res.Steps[0].Outputs["secret"] != totpSecret {
		t.Errorf("secret output = %v", res.Steps[0].Outputs["secret"])
	}
}

func TestSeedTOTPWrongCode(t *testing.T) {
	s := newSeedEnv(t)
	res, err := s.run(t, specs.StytchTOTP, "totp-enrollment", map[string]any{"organization_id": orgID, "member_id": memberID, "code": "000000"})
	var se *executor.StepError
	if !errors.As(err, &se) || se.StepID != "authenticateTotp" || res.Steps[1].StatusCode != 401 {
		t.Fatalf("err = %v", err)
	}
}

// The CLI, against the stytchfake command in its own process: the seeds
// unedited, with only --server, --auth and --input flags.

var bins struct {
	telaio, fake string
	err          error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bins.telaio != "" {
		os.RemoveAll(filepath.Dir(bins.telaio))
	}
	os.Exit(code)
}

func buildBinaries(t *testing.T) (telaio, fake string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the command-line binaries")
	}
	if bins.telaio == "" && bins.err == nil {
		dir, err := os.MkdirTemp("", "telaio-conformance")
		if err != nil {
			t.Fatal(err)
		}
		bins.telaio, bins.fake = filepath.Join(dir, "telaio"), filepath.Join(dir, "stytchfake")
		for pkg, out := range map[string]string{"../cmd/telaio": bins.telaio, "./stytchfake/cmd/stytchfake": bins.fake} {
			if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
				bins.err = fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
			}
		}
	}
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	return bins.telaio, bins.fake
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startFake(t *testing.T, bin string) string {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--addr", addr, "--project-id", projectID, "--secret", secret,
		"--openapi", "../specs/stytch/openapi/stytch-b2b-openapi.yml", "--org", orgID+":Acme",
		"--member", memberID+":ada@example.com:"+phone, "--otp-code", otpCode, "--totp-secret", totpSecret)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the fake did not start: %s", stderr.String())
	return ""
}

func runTelaio(t *testing.T, bin string, args ...string) (int, map[string]any, string) {
	t.Helper()
	cmd := exec.Command(bin, append(args, "--format", "json", "--root", "../specs")...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	_ = json.Unmarshal(out.Bytes(), &res)
	if strings.Contains(out.String()+errb.String(), secret) {
		t.Error("the secret leaked into the output")
	}
	return code, res, out.String() + errb.String()
}

func TestSeedsCLI(t *testing.T) {
	telaio, fakeBin := buildBinaries(t)
	url := startFake(t, fakeBin)
	common := []string{"--server", "stytchB2bApi=" + url, "--auth", "basicAuth=" + projectID + ":" + secret,
		"--input", "organization_id=" + orgID, "--input", "member_id=" + memberID}

	code, res, out := runTelaio(t, telaio, append([]string{"run", "../specs/" + specs.StytchSMSOTP, "--input", "code=" + otpCode}, common...)...)
	outs, _ := res["outputs"].(map[string]any)
	if code != 0 || res["success"] != true || outs["memberId"] != memberID || outs["organizationId"] != orgID || outs["sessionToken"] == "" {
		t.Fatalf("sms: exit %d\n%s", code, out)
	}

	code, res, out = runTelaio(t, telaio, append([]string{"run", "../specs/" + specs.StytchSMSOTP, "--input", "code=000000"}, common...)...)
	steps, _ := res["steps"].([]any)
	if code != 1 || len(steps) != 2 || steps[1].(map[string]any)["statusCode"] != float64(401) {
		t.Fatalf("sms wrong code: exit %d\n%s", code, out)
	}

	totp, err := stytchfake.TOTPCode(totpSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	code, res, out = runTelaio(t, telaio, append([]string{"run", "../specs/" + specs.StytchTOTP, "--input", "code=" + totp}, common...)...)
	outs, _ = res["outputs"].(map[string]any)
	if code != 0 || outs["memberId"] != memberID || outs["totpRegistrationId"] == nil {
		t.Fatalf("totp: exit %d\n%s", code, out)
	}

	code, _, out = runTelaio(t, telaio, "run", "../specs/"+specs.StytchSMSOTP, "--server", "stytchB2bApi="+url,
		"--auth", "basicAuth="+projectID+":"+secret, "--input", "member_id="+memberID)
	if code != 2 || !strings.Contains(out, "organization_id") {
		t.Fatalf("missing input: exit %d\n%s", code, out)
	}
}

func TestSeedsMockCLI(t *testing.T) {
	telaio, _ := buildBinaries(t)
	for _, seed := range specs.Workflows() {
		code, res, out := runTelaio(t, telaio, "run", "--mock", "../specs/"+seed, "--input", "organization_id="+orgID,
			"--input", "member_id="+memberID, "--input", "code=123456")
		if code != 0 || res["status"] != "completed" {
			t.Errorf("%s with --mock: exit %d\n%s", seed, code, out)
		}
	}
}

// responseJSON decodes the body of an exchange of the trace (the trace keeps
// bodies as received, not decoded).
func responseJSON(t *testing.T, ex *executor.Exchange) map[string]any {
	t.Helper()
	raw, ok := ex.Response.Body.(json.RawMessage)
	if !ok {
		t.Fatalf("the body is %T, want json.RawMessage", ex.Response.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
