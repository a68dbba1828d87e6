package telaiotest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/conformance/stytchfake"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/specs"
	"github.com/telaio/telaio/telaiotest"
)

const (
	projectID = "project-test-11111111-2222-3333-4444-555555555555"
	secret    = "secret-test-abcdefghijklmnopqrstuvwxyz0123"
)

var stytchSpec = stytchfake.BundledSpec

func stytch(t *testing.T) *httptest.Server {
	t.Helper()
	spec, err := stytchSpec()
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
	return srv
}

func smsInputs(code string) map[string]any {
	return map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1", "code": code}
}

func TestStytchSMS(t *testing.T) {
	srv := stytch(t)
	res := telaiotest.Run(t, telaiotest.FS(specs.FS, specs.StytchSMSOTP), "sms-otp-mfa", smsInputs("654321"),
		telaiotest.HTTPServer("stytchB2bApi", srv), telaiotest.Auth("basicAuth", projectID+":"+secret))
	if res == nil || !res.Success || res.Outputs["memberId"] != "member-test-1" || res.Outputs["sessionToken"] == nil {
		t.Fatalf("result %+v", res)
	}
}

func TestStytchSMSWrongCodeExpectFailure(t *testing.T) {
	srv := stytch(t)
	res := telaiotest.Run(t, telaiotest.FS(specs.FS, specs.StytchSMSOTP), "sms-otp-mfa", smsInputs("000000"),
		telaiotest.HTTPServer("stytchB2bApi", srv), telaiotest.Auth("basicAuth", projectID+":"+secret),
		telaiotest.ExpectFailure())
	if res == nil || res.Success || res.Last("authenticateSmsOtp").StatusCode != 401 {
		t.Fatalf("result %+v", res)
	}
}

// recorder is a T that records what Run reports.
type recorder struct {
	errors, fatals, logs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(f string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(f, a...))
}
func (r *recorder) Fatalf(f string, a ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(f, a...))
}
func (r *recorder) Logf(f string, a ...any) { r.logs = append(r.logs, fmt.Sprintf(f, a...)) }

func (r *recorder) all() string {
	return strings.Join(r.errors, "\n") + strings.Join(r.fatals, "\n") + strings.Join(r.logs, "\n")
}

func TestStytchSMSWrongCodeReported(t *testing.T) {
	srv := stytch(t)
	var rec recorder
	res := telaiotest.Run(&rec, telaiotest.FS(specs.FS, specs.StytchSMSOTP), "sms-otp-mfa", smsInputs("000000"),
		telaiotest.HTTPServer("stytchB2bApi", srv), telaiotest.Auth("basicAuth", projectID+":"+secret))
	if res == nil || len(rec.fatals) != 0 || len(rec.errors) != 1 {
		t.Fatalf("errors %q fatals %q", rec.errors, rec.fatals)
	}
	msg := rec.errors[0]
	first, _, _ := strings.Cut(msg, "\n")
	if first != `step "authenticateSmsOtp" of workflow "sms-otp-mfa" failed: criterion "$statusCode == 200" not met (status 401)` {
		t.Errorf("first line %q", first)
	}
	for _, s := range []string{"[FAIL] $statusCode == 200", "request: POST " + srv.URL + "/v1/b2b/otps/sms/authenticate",
		`"code":"000000"`, "response: 401 application/json", "otp_code_not_found"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q:\n%s", s, msg)
		}
	}
	logs := strings.Join(rec.logs, "\n")
	for _, s := range []string{"=== sendSmsOtp", `step "sendSmsOtp" (POST /v1/b2b/otps/sms/send) passed: status 200`, "=== authenticateSmsOtp"} {
		if !strings.Contains(logs, s) {
			t.Errorf("logs lack %q:\n%s", s, logs)
		}
	}
	if strings.Contains(rec.all(), secret) {
		t.Error("the secret leaked")
	}
}

func TestExpectFailureButSucceeded(t *testing.T) {
	srv := stytch(t)
	var rec recorder
	telaiotest.Run(&rec, telaiotest.FS(specs.FS, specs.StytchSMSOTP), "sms-otp-mfa", smsInputs("654321"),
		telaiotest.HTTPServer("stytchB2bApi", srv), telaiotest.Auth("basicAuth", projectID+":"+secret), telaiotest.ExpectFailure())
	if len(rec.errors) != 1 || rec.errors[0] != `workflow "sms-otp-mfa" completed, but ExpectFailure wants it to fail` {
		t.Errorf("errors %q", rec.errors)
	}
}

const bigOpenAPI = `openapi: 3.1.0
info: {title: Big, version: "1"}
servers: [{url: "https://big.example.com"}]
paths:
  /big:
    post:
      operationId: postBig
      requestBody:
        content:
          text/plain:
            schema: {type: string}
      responses:
        "500":
          description: oops
          content:
            text/plain:
              schema: {type: string}
`

const bigArazzo = `arazzo: 1.0.1
info: {title: Big, version: "1"}
sourceDescriptions: [{name: big, url: ./openapi.yaml, type: openapi}]
workflows:
  - workflowId: big
    inputs: {type: object, properties: {text: {type: string}}}
    steps:
      - stepId: post
        operationId: postBig
        requestBody: {contentType: text/plain, payload: $inputs.text}
        successCriteria: [{condition: $statusCode == 200}]
`

func TestBodiesCut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(500)
		fmt.Fprint(w, strings.Repeat("r", 3000))
	}))
	defer srv.Close()
	fsys := fstest.MapFS{"openapi.yaml": {Data: []byte(bigOpenAPI)}, "flow.arazzo.yaml": {Data: []byte(bigArazzo)}}
	var rec recorder
	telaiotest.Run(&rec, telaiotest.FS(fsys, "flow.arazzo.yaml"), "big", map[string]any{"text": strings.Repeat("q", 2000)},
		telaiotest.Server("big", srv.URL))
	if len(rec.errors) != 1 {
		t.Fatalf("errors %q fatals %q", rec.errors, rec.fatals)
	}
	msg := rec.errors[0]
	n := telaiotest.MaxBody
	if !strings.Contains(msg, strings.Repeat("q", n)+"… (976 more bytes)") || strings.Contains(msg, strings.Repeat("q", n+1)) ||
		!strings.Contains(msg, strings.Repeat("r", n)+"… (1976 more bytes)") || strings.Contains(msg, strings.Repeat("r", n+1)) {
		t.Errorf("bodies not cut at %d bytes:\n%s", telaiotest.MaxBody, msg)
	}
}

func TestFatal(t *testing.T) {
	good := fstest.MapFS{"openapi.yaml": {Data: []byte(bigOpenAPI)}, "flow.arazzo.yaml": {Data: []byte(bigArazzo)}}
	tests := []struct {
		name     string
		src      telaiotest.Source
		workflow string
		inputs   map[string]any
		opts     []telaiotest.Option
		want     []string
	}{
		{
			name: "invalid document",
			src: telaiotest.FS(fstest.MapFS{"openapi.yaml": {Data: []byte(bigOpenAPI)},
				"flow.arazzo.yaml": {Data: []byte(strings.Replace(bigArazzo, "stepId: post", "stepId: post\n        workflowId: nope", 1))}}, "flow.arazzo.yaml"),
			workflow: "big",
			want:     []string{"flow.arazzo.yaml is not a valid Arazzo document:", "flow.arazzo.yaml:", "error:", "|", "^"},
		},
		{
			name: "missing file", src: telaiotest.FS(good, "nope.yaml"), workflow: "big",
			want: []string{"nope.yaml is not a valid Arazzo document:", "nope.yaml"},
		},
		{
			name: "nil fs", src: telaiotest.FS(nil, "x.yaml"), workflow: "big",
			want: []string{"nil file system"},
		},
		{
			name: "unknown workflow", src: telaiotest.FS(good, "flow.arazzo.yaml"), workflow: "small",
			want: []string{`unknown workflow "small"`},
		},
		{
			name: "invalid inputs", src: telaiotest.FS(good, "flow.arazzo.yaml"), workflow: "big",
			inputs: map[string]any{"text": 5}, opts: []telaiotest.Option{telaiotest.ExpectFailure()},
			want: []string{`workflow "big": invalid inputs:`, "/text"},
		},
		{
			name: "bad executor option", src: telaiotest.FS(good, "flow.arazzo.yaml"), workflow: "big",
			opts: []telaiotest.Option{telaiotest.ExecutorOptions(executor.WithCheck("nope", executor.SeverityWarn))},
			want: []string{"cannot be run", "unknown check"},
		},
		{
			name: "nil source", workflow: "big", want: []string{"nil source"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			if res := telaiotest.Run(&rec, tt.src, tt.workflow, tt.inputs, tt.opts...); res != nil {
				t.Errorf("result %+v", res)
			}
			if len(rec.fatals) != 1 || len(rec.errors) != 0 {
				t.Fatalf("fatals %q errors %q", rec.fatals, rec.errors)
			}
			for _, s := range tt.want {
				if !strings.Contains(rec.fatals[0], s) {
					t.Errorf("fatal lacks %q:\n%s", s, rec.fatals[0])
				}
			}
		})
	}
}

func TestFileSource(t *testing.T) {
	dir := t.TempDir()
	for name, f := range petFS {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := petServer()
	defer srv.Close()
	res := telaiotest.Run(t, telaiotest.File(filepath.Join(dir, "pets.arazzo.yaml")), "fetchPet", map[string]any{"id": 1},
		telaiotest.Server("pets", srv.URL), telaiotest.LoadOptions())
	if res == nil || res.Outputs["name"] != "Rex" {
		t.Fatalf("result %+v", res)
	}
}

// nested is a workflow that depends on another, calls a third and
// transfers to a fourth with goto: each run is reported under its own
// name.
const nestedArazzo = `arazzo: 1.0.1
info: {title: Pets, version: "1"}
sourceDescriptions: [{name: pets, url: ./openapi.yaml, type: openapi}]
workflows:
  - workflowId: main
    dependsOn: [first]
    steps:
      - stepId: call
        workflowId: second
        parameters: [{name: id, value: 1}]
      - stepId: missing
        operationId: getPet
        parameters: [{name: id, in: path, value: 2}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: away, type: goto, workflowId: third}
  - workflowId: first
    steps:
      - {stepId: one, operationId: getPet, parameters: [{name: id, in: path, value: 1}]}
  - workflowId: second
    inputs: {type: object, properties: {id: {type: integer}}}
    steps:
      - {stepId: two, operationId: getPet, parameters: [{name: id, in: path, value: $inputs.id}]}
  - workflowId: third
    steps:
      - stepId: three
        operationId: getPet
        parameters: [{name: id, in: path, value: 3}]
        successCriteria: [{condition: $statusCode == 200}]
`

func TestNested(t *testing.T) {
	srv := petServer()
	defer srv.Close()
	fsys := fstest.MapFS{"openapi.yaml": petFS["openapi.yaml"], "flow.arazzo.yaml": {Data: []byte(nestedArazzo)}}
	var rec recorder
	res := telaiotest.Run(&rec, telaiotest.FS(fsys, "flow.arazzo.yaml"), "main", nil, telaiotest.Server("pets", srv.URL))
	if res == nil || res.Success {
		t.Fatalf("result %+v", res)
	}
	logs := strings.Join(rec.logs, "\n")
	order := []string{"=== dependency:first", "=== one", "=== call", "=== two", "=== missing",
		`step "missing" (GET /pets/{id}) failed; the workflow handled it (goto): status 404`, "=== goto:third", "=== three"}
	at := 0
	for _, s := range order {
		i := strings.Index(logs[at:], s)
		if i < 0 {
			t.Fatalf("logs lack %q after offset %d:\n%s", s, at, logs)
		}
		at += i + len(s)
	}
	if len(rec.errors) != 1 || !strings.HasPrefix(rec.errors[0], `step "three" of workflow "third" failed: criterion "$statusCode == 200" not met (status 404)`) {
		t.Errorf("errors %q", rec.errors)
	}
}
