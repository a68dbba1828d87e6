package main

// Tests of the real binary: built once per test process, run as a user
// would, from the folders a user would be in.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// telaioBin builds the telaio binary once per test process.
func telaioBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "telaio-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "telaio")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type binResult struct {
	code           int
	stdout, stderr string
}

// bin runs the binary in dir with env (added to a minimal environment) and
// stdin.
func bin(t *testing.T, dir string, env []string, stdin string, args ...string) binResult {
	t.Helper()
	cmd := exec.Command(telaioBin(t), args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TELAIO_CACHE_DIR=off"}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return binResult{code, out.String(), errb.String()}
}

func (r binResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func TestBinFlagErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		in   string // in stderr (or stdout for help)
	}{
		{[]string{"run", "--bogus", "x.yaml"}, exitUsage, "unknown flag --bogus"},
		{[]string{"validate", "--bogus", "x.yaml"}, exitUsage, "unknown flag --bogus"},
		{[]string{"run", "--formt=json", "x.yaml"}, exitUsage, "unknown flag --formt (did you mean --format?)"},
		{[]string{"worker", "--max-retry-wiat", "1h"}, exitUsage, "unknown flag --max-retry-wiat (did you mean --max-retry-wait?)"},
		{[]string{"run", "--format", "yaml", "x.yaml"}, exitUsage, "--format must be text or json"},
		{[]string{"validate", "--format=xml", "x.yaml"}, exitUsage, "--format must be text or json"},
		{[]string{"run", "--parallel", "zero", "x.yaml"}, exitUsage, "invalid argument"},
		{[]string{"run", "--all", "--workflow", "w", "x.yaml"}, exitUsage, "--workflow and --all"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"valdate"}, exitUsage, `did you mean "validate"?`},
		{[]string{"help", "nosuch"}, exitUsage, "unknown command"},
	}
	for _, c := range cases {
		r := bin(t, dir, nil, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.in) {
			t.Errorf("telaio %s: want exit %d and %q\n%v", strings.Join(c.args, " "), c.code, c.in, r)
		}
	}
	for _, args := range [][]string{{"help", "run"}, {"run", "--help"}, {"help"}, {"validate", "-h"}, {"list", "--help"}} {
		r := bin(t, dir, nil, "", args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Usage") || r.stderr != "" {
			t.Errorf("telaio %s: help must go to stdout with exit 0\n%v", strings.Join(args, " "), r)
		}
	}
	// JSON output stays JSON for usage errors.
	r := bin(t, dir, nil, "", "run", "--format", "json", "--all", "--workflow", "w", "x.yaml")
	var got struct{ Error string }
	if r.code != exitUsage || json.Unmarshal([]byte(r.stdout), &got) != nil || !strings.Contains(got.Error, "--all") {
		t.Errorf("usage error with --format json:\n%v", r)
	}
}

func TestBinVersion(t *testing.T) {
	r := bin(t, t.TempDir(), nil, "", "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "telaio ") || !strings.Contains(r.stdout, "go1.") {
		t.Errorf("%v", r)
	}
}

// loginServer is the API of testdata/login: POST /login answers a token,
// GET /me needs it as a bearer token.
type loginServer struct {
	token    string
	requests atomic.Int32
}

func (s *loginServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/login":
		var in struct{ Username, Password string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Username == "" || in.Password == "" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"bad credentials"}`)
			return
		}
		fmt.Fprintf(w, `{"token":%q,"expiresIn":3600}`, s.token)
	case r.Method == http.MethodGet && r.URL.Path == "/me":
		if r.Header.Get("Authorization") != "Bearer "+s.token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"id":"1","name":"Ada"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// checkout copies testdata/login into a new folder that is a version-control
// checkout (it holds .git), as the project is, and returns the folder.
func checkout(t *testing.T, withGit bool) string {
	t.Helper()
	root := t.TempDir()
	if withGit {
		if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"arazzo/login.arazzo.yaml", "openapi/api.yml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "login", f))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, "login", filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestBinLoginLayout is realworld/login: the Stytch-style layout from
// inside arazzo/, from login/ and from an unrelated folder; the token
// returned as asked and masked in reports; a --server typo refused before
// any request.
func TestBinLoginLayout(t *testing.T) {
	root := checkout(t, true)
	api := &loginServer{token: "tok-" + strings.Repeat("7f3a9c", 6)}
	srv := httptest.NewServer(api)
	defer srv.Close()
	abs := filepath.Join(root, "login", "arazzo", "login.arazzo.yaml")
	places := []struct{ dir, file string }{
		{filepath.Join(root, "login", "arazzo"), "login.arazzo.yaml"},
		{filepath.Join(root, "login"), "arazzo/login.arazzo.yaml"},
		{t.TempDir(), abs},
	}
	inputs := []string{"--workflow", "login", "--input", "username=a", "--input", "password=b"}
	for _, p := range places {
		if r := bin(t, p.dir, nil, "", "validate", p.file); r.code != exitOK || !strings.Contains(r.stdout, "1 document valid") {
			t.Errorf("validate from %s:\n%v", p.dir, r)
		}
		if r := bin(t, p.dir, nil, "", append([]string{"run", "--mock", p.file}, inputs...)...); r.code != exitOK {
			t.Errorf("run --mock from %s:\n%v", p.dir, r)
		}
		report := filepath.Join(t.TempDir(), "r.json")
		r := bin(t, p.dir, nil, "", append([]string{"run", p.file, "--server", "api=" + srv.URL, "--report", "json=" + report}, inputs...)...)
		if r.code != exitOK || !strings.Contains(r.stdout, `token: "`+api.token+`"`) {
			t.Errorf("run from %s: the token must be printed as it is\n%v", p.dir, r)
		}
		rep, _ := os.ReadFile(report)
		if strings.Contains(string(rep), api.token) || !strings.Contains(string(rep), `"token": "****"`) {
			t.Errorf("the report must mask the token:\n%s", rep)
		}
	}

	// JSON: the outputs as they are, the trace masked.
	r := bin(t, root, nil, "", append([]string{"run", abs, "--server", "api=" + srv.URL, "--format", "json"}, inputs...)...)
	var res struct {
		Outputs map[string]any
		Steps   []json.RawMessage
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Outputs["token"] != api.token {
		t.Fatalf("--format json outputs: %v\n%v", err, r)
	}
	if steps := fmt.Sprint(res.Steps); strings.Contains(steps, api.token) {
		t.Errorf("the trace shows the token: %s", steps)
	}
	// --no-secrets-masking shows it everywhere.
	report := filepath.Join(t.TempDir(), "r.json")
	r = bin(t, root, nil, "", append([]string{"run", abs, "--server", "api=" + srv.URL, "--no-secrets-masking", "--report", "json=" + report}, inputs...)...)
	if rep, _ := os.ReadFile(report); r.code != exitOK || !strings.Contains(string(rep), `"token": "`+api.token) ||
		!strings.Contains(string(rep), "Bearer "+api.token) {
		t.Errorf("--no-secrets-masking: the report must show the token\n%v\n%s", r, rep)
	}

	// Typos are refused before any request.
	before := api.requests.Load()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--server", "apii=" + srv.URL}, `"apii" (did you mean "api"?`},
		{[]string{"--server", "api=127.0.0.1:1"}, "has no scheme"},
		{[]string{"--server", "api=" + srv.URL, "--auth", "bearerAuht=x"}, `did you mean "bearerAuth"?`},
		{[]string{"--server", "api=" + srv.URL, "--input", "usrename=x"}, ""},
	} {
		r := bin(t, root, nil, "", append(append([]string{"run", abs}, c.args...), inputs...)...)
		if c.want == "" {
			// An undeclared input of an open schema: a warning, and the run goes on.
			if r.code != exitOK || !strings.Contains(r.stderr, `did you mean "username"?`) {
				t.Errorf("undeclared input: %v", r)
			}
			continue
		}
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: want exit 2 and %q\n%v", c.args, c.want, r)
		}
	}
	if n := api.requests.Load() - before; n != 2 {
		t.Errorf("the refused runs sent requests: %d (want only the 2 of the last run)", n)
	}
}

// TestBinOutsideCheckout: without a checkout, the error names the --root
// that allows the source.
func TestBinOutsideCheckout(t *testing.T) {
	root := checkout(t, false)
	r := bin(t, filepath.Join(root, "login", "arazzo"), nil, "", "validate", "login.arazzo.yaml")
	want := "--root " + filepath.Join(root, "login")
	if r.code == exitOK || !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("want an error naming %q\n%v", want, r)
	}
	if r := bin(t, filepath.Join(root, "login", "arazzo"), nil, "", "validate", "login.arazzo.yaml", "--root", ".."); r.code != exitOK {
		t.Errorf("with --root ..:\n%v", r)
	}
}

// TestBinInputsAndErrors: --inputs -, TELAIO_INPUT_, JSON for document
// errors, reports for runs that never started, validate of an OpenAPI file,
// list.
func TestBinInputsAndErrors(t *testing.T) {
	root := checkout(t, true)
	api := &loginServer{token: "tok-" + strings.Repeat("ab12", 5)}
	srv := httptest.NewServer(api)
	defer srv.Close()
	dir := filepath.Join(root, "login", "arazzo")
	run := []string{"run", "login.arazzo.yaml", "--workflow", "login", "--server", "api=" + srv.URL}

	r := bin(t, dir, nil, `{"username": "a", "password": "b"}`, append(run, "--inputs", "-")...)
	if r.code != exitOK {
		t.Errorf("--inputs -:\n%v", r)
	}
	r = bin(t, dir, []string{"TELAIO_INPUT_USERNAME=a", "TELAIO_INPUT_PASSWORD=b"}, "", run...)
	if r.code != exitOK {
		t.Errorf("TELAIO_INPUT_*:\n%v", r)
	}
	r = bin(t, dir, []string{"TELAIO_INPUT_USERNAME=a"}, "", append(run, "--format", "json", "--report", "junit=j.xml")...)
	var got struct{ Error *string }
	if r.code != exitUsage || json.Unmarshal([]byte(r.stdout), &got) != nil || got.Error == nil || !strings.Contains(*got.Error, "password") {
		t.Errorf("missing input with --format json:\n%v", r)
	}

	// An invalid document: JSON with diagnostics, and a JUnit report with
	// the error although nothing ran.
	bad := filepath.Join(dir, "bad.arazzo.yaml")
	doc, _ := os.ReadFile(filepath.Join(dir, "login.arazzo.yaml"))
	os.WriteFile(bad, bytes.Replace(doc, []byte("operationId: me"), []byte("operationId: mee"), 1), 0o644)
	r = bin(t, dir, nil, "", "run", "bad.arazzo.yaml", "--format", "json", "--report", "junit=bad.xml")
	var docErr struct {
		Error       *string
		Diagnostics []struct{ Code, Message string }
	}
	if r.code != exitUsage || json.Unmarshal([]byte(r.stdout), &docErr) != nil || len(docErr.Diagnostics) == 0 || docErr.Error == nil {
		t.Errorf("invalid document with --format json:\n%v", r)
	}
	if x, err := os.ReadFile(filepath.Join(dir, "bad.xml")); err != nil || !strings.Contains(string(x), "<failure") && !strings.Contains(string(x), "<error") {
		t.Errorf("JUnit report for a run that never started: %v\n%s", err, x)
	}

	r = bin(t, root, nil, "", "validate", "login/openapi/api.yml")
	if r.code != exitFailed || !strings.Contains(r.stdout, "is an OpenAPI description, not an Arazzo document") {
		t.Errorf("validate of an OpenAPI file:\n%v", r)
	}
	r = bin(t, dir, nil, "", "list", "login.arazzo.yaml")
	for _, want := range []string{"login", "username", "string", "required", "password", "secret", "outputs: token, user"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%v", want, r)
		}
	}
}

// TestBinSignals: SIGINT and SIGTERM stop a run at once, write the partial
// trace and the reports, and exit 130 and 143.
func TestBinSignals(t *testing.T) {
	root := checkout(t, true)
	arrived := make(chan struct{}, 4)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		report := filepath.Join(t.TempDir(), "r.xml")
		cmd := exec.Command(telaioBin(t), "run", "login/arazzo/login.arazzo.yaml", "--workflow", "login", "--server", "api="+srv.URL,
			"--input", "username=a", "--input", "password=b", "--report", "junit="+report)
		cmd.Dir = root
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TELAIO_CACHE_DIR=off"}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-arrived:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("the request never arrived:\n%s", out.String())
		}
		sent := time.Now()
		cmd.Process.Signal(c.sig)
		err := cmd.Wait()
		stop := time.Since(sent)
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != c.code {
			t.Errorf("%v: exit %v (want %d)\n%s", c.sig, err, c.code, out.String())
		}
		if stop > 10*time.Second {
			t.Errorf("%v: took %v to stop", c.sig, stop)
		}
		x, err := os.ReadFile(report)
		if err != nil || !strings.Contains(string(x), "interrupted") {
			t.Errorf("%v: report %v\n%s\noutput:\n%s", c.sig, err, x, out.String())
		}
	}
}

// TestBinMany: several files, repeatable --workflow, --skip, one JSON
// document, progress lines.
func TestBinMany(t *testing.T) {
	args := []string{"run", "--mock", smsSeed, totpSeed, "--input", "organization_id=o", "--input", "member_id=m", "--input", "code=1"}
	r := bin(t, ".", nil, "", append(args, "--format", "json")...)
	var entries []struct {
		File       string
		WorkflowID string
		Success    bool
	}
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &entries) != nil || len(entries) != 2 || entries[0].File != smsSeed {
		t.Errorf("one JSON array naming file and workflow:\n%v", r)
	}
	if !strings.Contains(r.stderr, "ok   "+smsSeed+": sms-otp-mfa") || !strings.Contains(r.stderr, "2 passed, 0 failed") {
		t.Errorf("progress lines:\n%v", r)
	}
	r = bin(t, ".", nil, "", append(args, "--skip", "totp-enrollment")...)
	if r.code != exitOK || !strings.Contains(r.stdout, "workflow sms-otp-mfa: completed") || strings.Contains(r.stdout, "totp-enrollment") {
		t.Errorf("--skip:\n%v", r)
	}
	r = bin(t, ".", nil, "", append(args, "--skip", "totp-enrolment")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, `did you mean "totp-enrollment"?`) {
		t.Errorf("--skip typo:\n%v", r)
	}
	r = bin(t, ".", nil, "", append(args, "--workflow", "sms-otp-mfa", "--workflow", "totp-enrollment")...)
	if r.code != exitOK || !strings.Contains(r.stdout, "2 passed") {
		t.Errorf("repeated --workflow:\n%v", r)
	}
	r = bin(t, ".", nil, "", append(args, "--workflow", "sms-otp-mf")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, `did you mean "sms-otp-mfa"?`) {
		t.Errorf("--workflow typo:\n%v", r)
	}
}

// TestBinMockLogs: telaio mock serves a description and logs each request
// on stderr (--quiet silences it).
func TestBinMockLogs(t *testing.T) {
	root := checkout(t, true)
	for _, quiet := range []bool{false, true} {
		args := []string{"mock", "login/openapi/api.yml", "--addr", "127.0.0.1:0"}
		if quiet {
			args = append(args, "--quiet")
		}
		cmd := exec.Command(telaioBin(t), args...)
		cmd.Dir = root
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		stdout, _ := cmd.StdoutPipe()
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line := make([]byte, 512)
		n, _ := stdout.Read(line)
		_, url, ok := strings.Cut(strings.TrimSpace(string(line[:n])), "listening on ")
		if !ok {
			cmd.Process.Kill()
			t.Fatalf("no URL in %q", line[:n])
		}
		resp, err := http.Post(url+"/login", "application/json", strings.NewReader(`{"username":"a","password":"b"}`))
		if err != nil {
			cmd.Process.Kill()
			t.Fatal(err)
		}
		resp.Body.Close()
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		logged := strings.Contains(errb.String(), "POST /login 200")
		if logged == quiet {
			t.Errorf("quiet=%v: stderr %q", quiet, errb.String())
		}
	}
}
