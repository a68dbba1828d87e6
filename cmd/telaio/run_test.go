package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/telaio/telaio/internal/testproc"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telaio/telaio/conformance/stytchfake"
)

const (
	smsSeed   = "../../specs/stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml"
	totpSeed  = "../../specs/stytch/arazzo/stytch-b2b-totp-enrollment-workflow.yml"
	projectID = "project-test-cli"
	secret    = "secret-test-cli-0123456789"
)

func runCLI(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runCLIWith(t, vars, "../../specs", args...)
}

// runCLIRoot runs a command with file sources allowed under root.
func runCLIRoot(t *testing.T, root string, args ...string) (int, string, string) {
	t.Helper()
	return runCLIWith(t, nil, root, args...)
}

func runCLIWith(t *testing.T, vars map[string]string, root string, args ...string) (int, string, string) {
	t.Helper()
	return runCLIEnv(t, vars, root, false, args...)
}

// runCLIOnTTY runs a command as if stdout were a terminal (live step lines).
func runCLIOnTTY(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLIEnv(t, nil, "../../specs", true, args...)
}

func runCLIEnv(t *testing.T, vars map[string]string, root string, tty bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cache := t.TempDir() // a fresh plan cache per command
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string {
		if v, ok := vars[k]; ok || k != "TELAIO_CACHE_DIR" {
			return v
		}
		return cache
	}, isTTY: tty}
	if len(args) > 1 && (args[0] == "run" || args[0] == "validate" || args[0] == "graph") {
		args = append(args, "--root", root)
	}
	code := runMain(context.Background(), args, e)
	return code, out.String(), errb.String()
}

// startCommand runs a long-running command (worker, mock, codec-server)
// in process with the environment vars until the test ends or stop is
// called, and waits until its output matches ready (returning the match).
// An exit other than 0 fails the test.
func startCommand(t *testing.T, vars map[string]string, ready *regexp.Regexp, args ...string) (match []string, out *testproc.Buffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &testproc.Buffer{}
	cache := t.TempDir()
	e := &env{stdout: out, stderr: out, getenv: func(k string) string {
		if v, ok := vars[k]; ok || k != "TELAIO_CACHE_DIR" {
			return v
		}
		return cache
	}}
	done := make(chan int, 1)
	go func() { done <- runMain(ctx, args, e) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if code := <-done; code != exitOK {
				t.Errorf("%s exit %d: %s", args[0], code, out.String())
			}
		})
	}
	t.Cleanup(stop)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := ready.FindStringSubmatch(out.String()); m != nil {
			return m, out, stop
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("%s exit %d before it was ready: %s", args[0], code, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready: %s", args[0], out.String())
		}
	}
}

func stytchServer(t testing.TB) (*stytchfake.Server, string) {
	t.Helper()
	spec, err := stytchfake.BundledSpec()
	if err != nil {
		t.Fatal(err)
	}
	fake := stytchfake.New(stytchfake.Config{ProjectID: projectID, Secret: secret, Spec: spec, OTPCode: func() string { return "246810" }})
	if err := fake.AddOrganization("organization-test-1", "Acme"); err != nil {
		t.Fatal(err)
	}
	if err := fake.AddMember("organization-test-1", "member-test-1", "ada@example.com", "+15005550006"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

func TestRunStytchJSON(t *testing.T) {
	fake, url := stytchServer(t)
	code, out, errOut := runCLI(t, nil, "run", smsSeed, "--server", "stytchB2bApi="+url,
		"--auth", "basicAuth="+projectID+":"+secret, "--input", "organization_id=organization-test-1",
		"--input", "member_id=member-test-1", "--input", "code=246810", "--input", "session_duration_minutes=45",
		"--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var res struct {
		WorkflowID string         `json:"workflowId"`
		Success    bool           `json:"success"`
		Status     string         `json:"status"`
		Outputs    map[string]any `json:"outputs"`
		Steps      []struct {
			StepID     string         `json:"stepId"`
			Success    bool           `json:"success"`
			StatusCode int            `json:"statusCode"`
			Attempts   int            `json:"attempts"`
			Outputs    map[string]any `json:"outputs"`
		} `json:"steps"`
		Error *string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	if !res.Success || res.Status != "completed" || res.Error != nil || len(res.Steps) != 2 ||
		res.Steps[1].StepID != "authenticateSmsOtp" || res.Steps[1].StatusCode != 200 || res.Steps[1].Attempts != 1 {
		t.Errorf("result: %s", out)
	}
	if res.Outputs["memberId"] != "member-test-1" || res.Outputs["sessionToken"] == "" {
		t.Errorf("outputs: %v", res.Outputs)
	}
	if strings.Contains(out, secret) {
		t.Error("the secret leaked into the output")
	}
	if v := fake.Requests()[1].Body["session_duration_minutes"]; v != float64(45) {
		t.Errorf("session_duration_minutes = %#v", v)
	}
}

func TestRunExitCodes(t *testing.T) {
	_, url := stytchServer(t)
	base := []string{"run", smsSeed, "--server", "stytchB2bApi=" + url}
	auth := []string{"--auth", "basicAuth=" + projectID + ":" + secret}
	ids := []string{"--input", "organization_id=organization-test-1", "--input", "member_id=member-test-1"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want int
		in   string // expected in stdout+stderr
	}{
		{"wrong code", nil, append(append(append([]string{}, base...), auth...), append(ids, "--input", "code=111111")...), exitFailed, "FAIL authenticateSmsOtp"},
		{"wrong credentials", nil, append(append([]string{}, base...), append(ids, "--auth", "basicAuth=x:y", "--input", "code=1")...), exitFailed, "401"},
		{"missing input", nil, append(append(append([]string{}, base...), auth...), "--input", "member_id=m"), exitUsage, "organization_id"},
		{"unknown workflow", nil, append(append([]string{}, base...), "--workflow", "nope"), exitUsage, "unknown workflow"},
		{"auth from env", map[string]string{"TELAIO_AUTH_BASICAUTH": projectID + ":" + secret}, append(append([]string{}, base...), append(ids, "--input", "code=246810")...), exitOK, "completed"},
		{"bad input flag", nil, append(append([]string{}, base...), "--input", "novalue"), exitUsage, "name=value"},
		{"no file", nil, []string{"run"}, exitUsage, "no file given"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, c.env, c.args...)
			if code != c.want || !strings.Contains(out+errOut, c.in) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s\n%s", code, c.want, c.in, out, errOut)
			}
			if strings.Contains(out+errOut, secret) {
				t.Error("the secret leaked")
			}
		})
	}
}

func TestRunMockSeeds(t *testing.T) {
	// Twice each, through one plan cache: the second run reads a subset of
	// the description (the mock still serves the whole of it).
	vars := map[string]string{"TELAIO_CACHE_DIR": t.TempDir()}
	for _, seed := range []string{smsSeed, totpSeed, smsSeed, totpSeed} {
		code, out, errOut := runCLI(t, vars, "run", "--mock", seed, "--input", "organization_id=organization-test-1",
			"--input", "member_id=member-test-1", "--input", "code=123456")
		if code != exitOK || !strings.Contains(out, "completed") {
			t.Errorf("%s: exit %d\n%s\n%s", seed, code, out, errOut)
		}
		if !strings.Contains(errOut, "placeholder credentials for basicAuth") {
			t.Errorf("%s: the placeholder credentials are not announced: %s", seed, errOut)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(vars["TELAIO_CACHE_DIR"], "*.json")); len(entries) != 2 {
		t.Errorf("plan cache holds %v, want an entry per seed", entries)
	}
}

func TestParseInput(t *testing.T) {
	cases := []struct {
		in   string
		name string
		want any
	}{
		{"a=1", "a", float64(1)},
		{"a=x=y", "a", "x=y"},
		{`a={"b":[1,true]}`, "a", map[string]any{"b": []any{float64(1), true}}},
		{"a=hello", "a", "hello"},
		{"a=", "a", ""},
		{"a=null", "a", nil},
	}
	for _, c := range cases {
		name, v, err := parseInput(c.in)
		if err != nil || name != c.name {
			t.Errorf("%q: %v %v", c.in, name, err)
			continue
		}
		got, _ := json.Marshal(v)
		want, _ := json.Marshal(c.want)
		if string(got) != string(want) {
			t.Errorf("%q: %s, want %s", c.in, got, want)
		}
	}
}

func TestRunReportsAndGraph(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, nil, "run", "--mock", smsSeed, "--input", "organization_id=o", "--input", "member_id=m",
		"--input", "code=1", "--report", "junit="+dir+"/r.xml", "--report", "json="+dir+"/r.json", "--report", "har="+dir+"/r.har")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, f := range []string{"r.xml", "r.json", "r.har"} {
		b, err := os.ReadFile(dir + "/" + f)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if code, _, _ := runCLI(t, nil, "run", smsSeed, "--report", "pdf=x"); code != exitUsage {
		t.Errorf("an unknown report format: exit %d", code)
	}
	code, out, _ = runCLI(t, nil, "graph", smsSeed)
	if code != exitOK || !strings.Contains(out, "flowchart TD") || !strings.Contains(out, "sendSmsOtp") {
		t.Errorf("graph: exit %d\n%s", code, out)
	}
}

func TestRunMany(t *testing.T) {
	args := []string{"run", "--mock", smsSeed, totpSeed, "--parallel", "2", "--input", "organization_id=o",
		"--input", "member_id=m", "--input", "code=1"}
	code, out, errOut := runCLI(t, nil, args...)
	if code != exitOK || !strings.Contains(out, "2 passed, 0 failed") || strings.Index(out, "sms-otp-mfa") > strings.Index(out, "totp-enrollment") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, nil, "run", "--mock", "--all", smsSeed, totpSeed, "--input", "organization_id=o", "--input", "member_id=m")
	if code != exitUsage || !strings.Contains(out, "0 passed, 2 failed") {
		t.Errorf("missing inputs: exit %d (want 2: invalid inputs)\n%s", code, out)
	}
}

// TestRunManyLoadsOnce: with several runs, each file is loaded, validated
// and planned once, whatever the number of its workflows or of times it is
// named; its description is fetched once.
func TestRunManyLoadsOnce(t *testing.T) {
	var fetches atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/yaml")
		io.WriteString(w, `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /ping:
    get:
      operationId: ping
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}, required: [ok]}
`)
	}))
	defer api.Close()
	dir := t.TempDir()
	flow := filepath.Join(dir, "flow.yml")
	if err := os.WriteFile(flow, []byte(`arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions:
  - {name: api, url: `+api.URL+`/openapi.yml, type: openapi}
workflows:
  - workflowId: one
    steps: [{stepId: a, operationId: ping, successCriteria: [{condition: $statusCode == 200}]}]
  - workflowId: two
    steps: [{stepId: b, operationId: ping, successCriteria: [{condition: $statusCode == 200}]}]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(api.URL, "http://")
	code, out, errOut := runCLIRoot(t, dir, "run", "--mock", "--all", "--parallel", "2", "--allow-host", host, flow, flow)
	if code != exitOK || !strings.Contains(out, "4 passed, 0 failed") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("the description was fetched %d times", n)
	}
}
