package executor

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
)

const secretsOpenAPI = `openapi: 3.1.0
info: {title: echo, version: "1"}
servers: [{url: http://127.0.0.1:9}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
security: [{bearer: [], key: []}]
paths:
  /echo/{v}:
    post:
      operationId: echo
      parameters:
        - {name: v, in: path, required: true, schema: {type: string}}
        - {name: X-Late, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json: {schema: {type: object}}
      responses:
        default:
          description: what the server got
          content:
            application/json: {schema: {type: object}}
`

// The parent does not declare "late" secret; the child it calls does, so
// the engine learns that secret after the parent sent it.
const secretsArazzo = `arazzo: 1.0.1
info: {title: secrets, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        password: {type: string, format: password}
        late: {type: string}
    steps:
      - stepId: first
        operationId: echo
        parameters:
          - {name: v, in: path, value: $inputs.password}
          - {name: X-Late, in: header, value: $inputs.late}
        requestBody:
          contentType: application/json
          payload: {password: $inputs.password, late: $inputs.late}
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          echo: $response.body
          password: $request.body#/password
      - stepId: callChild
        workflowId: child
        parameters:
          - {name: late, value: $inputs.late}
        outputs:
          childPath: $outputs.path
      - stepId: last
        operationId: echo
        parameters:
          - {name: v, in: path, value: $inputs.password}
          - {name: X-Late, in: header, value: $steps.callChild.outputs.childPath}
        successCriteria:
          - condition: $statusCode == 201
        onFailure:
          - {name: again, type: retry, retryLimit: 1, retryAfter: 0}
    outputs:
      password: $inputs.password
      childPath: $steps.callChild.outputs.childPath
      firstEcho: $steps.first.outputs.echo
  - workflowId: child
    inputs:
      type: object
      properties:
        late: {type: string, writeOnly: true}
    steps:
      - stepId: inner
        operationId: echo
        parameters:
          - {name: v, in: path, value: $inputs.late}
        outputs:
          path: $response.body#/path
    outputs:
      path: $steps.inner.outputs.path
      late: $inputs.late
`

const (
	libBearer   = `be@rer/t+k"é`
	libKey      = `k3y/v+al"é q`
	libPassword = `p@ss/w+rd"é 1`
	libLate     = `l@te/s3cr+t"é`
)

// leakForms lists the forms of s a leak could take.
func leakForms(s string) []string {
	j, _ := json.Marshal(s)
	return []string{s, string(j[1 : len(j)-1]), url.QueryEscape(s), url.PathEscape(s),
		strings.ReplaceAll(url.QueryEscape(s), "+", "%20"),
		base64.RawStdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
}

func assertMasked(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, f := range leakForms(s) {
			if i := strings.Index(text, f); i >= 0 {
				t.Errorf("%s: %q (a form of %q) leaked: …%s…", where, f, s, text[max(0, i-60):min(len(text), i+len(f)+20)])
			}
		}
	}
}

// echoServer answers each request with what it got, and 200.
type echoServer struct {
	mu    sync.Mutex
	paths []string // decoded request paths
	late  []string // X-Late headers
}

func (s *echoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.Path)
	s.late = append(s.late, r.Header.Get("X-Late"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo-Key", r.Header.Get("X-Key"))
	_ = json.NewEncoder(w).Encode(map[string]any{"path": r.URL.Path, "headers": r.Header, "body": string(body)})
}

func secretsEngine(t *testing.T, base string, opts ...Option) *Engine {
	t.Helper()
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(secretsArazzo)}, "api.yaml": {Data: []byte(secretsOpenAPI)}}
	doc, diags := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	opts = append([]Option{WithServer("api", base), WithAuth("bearer", libBearer)}, opts...)
	eng, err := New(doc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestRunMasksSecretsInTrace runs a failing workflow and checks the result,
// the error, the log and what observers saw for every secret.
func TestRunMasksSecretsInTrace(t *testing.T) {
	srv := &echoServer{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	eng := secretsEngine(t, hs.URL, WithLogger(logger))
	var events []string
	obs := ObserverFunc(func(ev Event) {
		b, err := json.Marshal(struct {
			Step     *StepResult
			Request  *Request
			Response *Response
		}{ev.Step, ev.Request, ev.Response})
		if err != nil {
			t.Error(err)
		}
		events = append(events, string(b))
	})
	res, err := eng.Run(context.Background(), "main", map[string]any{"password": libPassword, "late": libLate},
		RunWithAuth("key", libKey), RunWithObserver(obs))

	// The run went as designed: the secrets were sent, unmasked.
	var se *StepError
	if !errors.As(err, &se) || se.StepID != "last" || res == nil || res.Success {
		t.Fatalf("want a failure of step last, got %v", err)
	}
	wantPaths := []string{"/echo/" + libPassword, "/echo/" + libLate, "/echo/" + libPassword, "/echo/" + libPassword}
	if fmt.Sprint(srv.paths) != fmt.Sprint(wantPaths) || srv.late[2] != "/echo/"+libLate {
		t.Errorf("the server got %q, X-Late %q", srv.paths, srv.late)
	}

	// The outputs the workflow declares are the answer, as they are
	// (issue 13); everything else, and Redacted's outputs, are masked.
	if res.Outputs["password"] != libPassword || res.Outputs["childPath"] != "/echo/"+libLate {
		t.Errorf("Result.Outputs = %v, want the real values", res.Outputs)
	}
	trace, _ := json.Marshal(res.Redacted())
	assertMasked(t, "result", string(trace), libBearer, libKey, libPassword, libLate)
	assertMasked(t, "inputs", fmt.Sprint(res.Inputs), libPassword, libLate)
	steps, _ := json.Marshal(res.Steps)
	assertMasked(t, "steps", string(steps), libBearer, libKey, libPassword, libLate)
	assertMasked(t, "error", err.Error(), libBearer, libKey, libPassword, libLate)
	assertMasked(t, "StepError", se.Error(), libBearer, libKey, libPassword, libLate)
	assertMasked(t, "log", logs.String(), libBearer, libKey, libPassword, libLate)
	// The parent sent "late" before the child declared it secret: events
	// told before could not mask it.
	assertMasked(t, "events", strings.Join(events, "\n"), libBearer, libKey, libPassword)

	for _, want := range []string{`"password":"****"`, `"childPath":"/echo/****"`, `"Bearer ****"`, `"X-Key":["****"]`, `"stepId":"inner"`} {
		if !strings.Contains(string(trace), want) {
			t.Errorf("the trace lacks %s:\n%s", want, trace)
		}
	}
	if !strings.Contains(logs.String(), `"step":"first"`) || !strings.Contains(logs.String(), "/echo/****") {
		t.Errorf("log:\n%s", logs.String())
	}
	if len(events) == 0 || !strings.Contains(err.Error(), `step "last"`) {
		t.Errorf("events %d, error %v", len(events), err)
	}
}

// TestRunMasksSecretsInTransportErrors checks a failed exchange: the error
// of a request whose URL holds a secret.
func TestRunMasksSecretsInTransportErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	eng := secretsEngine(t, base, WithAuth("key", libKey))
	res, err := eng.Run(context.Background(), "main", map[string]any{"password": libPassword, "late": libLate})
	if err == nil || res == nil || len(res.Steps) == 0 || res.Steps[0].Error == "" {
		t.Fatalf("want a transport failure, got %v", err)
	}
	trace, _ := json.Marshal(res.Redacted())
	assertMasked(t, "result", string(trace), libBearer, libKey, libPassword)
	assertMasked(t, "error", err.Error(), libBearer, libKey, libPassword)
	if !strings.Contains(res.Steps[0].Error, "/echo/"+Mask) {
		t.Errorf("step error %q", res.Steps[0].Error)
	}
}

func TestMaskerForms(t *testing.T) {
	const s = `p@ss/w+rd"é <&> 1`
	var m masker
	m.addCredential("user:" + s)
	j, _ := json.Marshal(s)
	var esc bytes.Buffer
	enc := json.NewEncoder(&esc)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	q := func(s string) string { return `"` + s + `"` }
	cases := []struct{ name, text, want string }{
		{"raw", s, Mask},
		{"json", string(j), q(Mask)},
		{"json without HTML escapes", strings.TrimSpace(esc.String()), q(Mask)},
		{"json ASCII", `"p@ss/w+rd\"\u00e9 \u003c\u0026\u003e 1"`, q(Mask)},
		{"json escaped slash", `"p@ss\/w+rd\"é \u003c\u0026\u003e 1"`, q(Mask)},
		{"query", url.QueryEscape(s), Mask},
		{"path", url.PathEscape(s), Mask},
		{"rfc 3986", strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), Mask},
		{"cookie escape", "p@ss/w+rd%22%C3%A9%20<&>%201", Mask},
		{"cookie dropped", "p@ss/w+rd <&> 1", Mask},
		{"xml", "p@ss/w+rd&#34;é &lt;&amp;&gt; 1", Mask},
		{"basic header", "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+s)), "Basic " + Mask},
		{"basic unpadded", base64.RawURLEncoding.EncodeToString([]byte("user:" + s)), Mask},
		{"base64", base64.StdEncoding.EncodeToString([]byte(s)), Mask},
		{"base64url", base64.URLEncoding.EncodeToString([]byte(s)), Mask},
	}
	for _, c := range cases {
		if got := m.apply("<<" + c.text + ">>"); got != "<<"+c.want+">>" {
			t.Errorf("%s: %q masked to %q", c.name, c.text, got)
		}
	}
	if got := m.apply("user:pass"); got != "user:pass" {
		t.Errorf("masked unrelated text: %q", got)
	}
	var short masker
	short.add("ab")
	if got := short.apply("abc"); got != "abc" {
		t.Errorf("a 2-byte secret masked %q", got)
	}
}

func TestMaskerValueCopies(t *testing.T) {
	var m masker
	m.add("s3cret")
	inner := map[string]any{"k": "a s3cret", "n": 1.0}
	list := []any{"x", "s3cret"}
	v := map[string]any{"inner": inner, "list": list, "s3cret": "key", "plain": "p"}
	got := m.value(v).(map[string]any)
	if inner["k"] != "a s3cret" || list[1] != "s3cret" || v["s3cret"] != "key" {
		t.Fatalf("value changed its argument: %v", v)
	}
	b, _ := json.Marshal(got)
	if want := `{"****":"key","inner":{"k":"a ****","n":1},"list":["x","****"],"plain":"p"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	clean := map[string]any{"a": []any{"b"}}
	if got := m.value(clean).(map[string]any); fmt.Sprintf("%p", got) != fmt.Sprintf("%p", clean) {
		t.Error("value copied a value without secrets")
	}
}

// TestMaskerResult checks that every string of a trace is masked.
func TestMaskerResult(t *testing.T) {
	const s = "s3cret/v"
	var m masker
	m.add(s)
	ex := func() *Exchange {
		return &Exchange{Error: s, Request: &Request{URL: "http://h/" + url.PathEscape(s), Headers: http.Header{"X": {s}, "Authorization": {"Basic x"}}, Body: s},
			Response: &Response{Headers: http.Header{"Set-Cookie": {"c=" + s}}, Body: map[string]any{s: []any{s}}}}
	}
	step := func() *StepResult {
		return &StepResult{Error: s, Outputs: map[string]any{"o": s}, Exchanges: []*Exchange{ex()},
			Criteria: []CriterionResult{{Error: s}}, Violations: []Violation{{Message: s}}}
	}
	child := &Result{Inputs: map[string]any{"i": s}, Outputs: map[string]any{"o": s}, Error: s, Steps: []*StepResult{step()}}
	r := &Result{Inputs: map[string]any{"i": s}, Outputs: map[string]any{"o": s}, Error: s,
		Steps:        []*StepResult{step(), {Workflow: child}},
		Dependencies: []*Result{{Error: s, Steps: []*StepResult{step()}}},
		Transfer:     &Result{Error: s, Outputs: map[string]any{"o": s}}}
	// The secret was learned after recording began (generation 0).
	m.result(r, 0)
	b, _ := json.Marshal(r)
	text := string(b) + fmt.Sprint(r.Inputs, child.Inputs)
	if strings.Contains(text, "s3cret") || strings.Count(text, Mask) < 20 {
		t.Errorf("%s", text)
	}
	// Learned before: the exchanges were masked when recorded and are left
	// alone; the rest is masked.
	r2 := &Result{Inputs: map[string]any{"i": s}, Steps: []*StepResult{step()}}
	m.result(r2, m.gen)
	if r2.Inputs["i"] != Mask || r2.Steps[0].Outputs["o"] != Mask || r2.Steps[0].Exchanges[0].Error != s {
		t.Errorf("since the current generation: %+v %+v", r2.Inputs, r2.Steps[0])
	}
}

// BenchmarkMask masks a 4 KB JSON text, and its decoded value, holding two
// of eight secrets.
func BenchmarkMask(b *testing.B) {
	var m masker
	for i := range 4 {
		m.addCredential(fmt.Sprintf("user%d:p@ss/w+rd\"é-%d", i, i))
		m.add(fmt.Sprintf("tok3n-%d/with+chars", i))
	}
	body := map[string]any{"token": "tok3n-2/with+chars", "items": []any{}}
	for i := range 60 {
		body["items"] = append(body["items"].([]any), map[string]any{"id": float64(i), "name": fmt.Sprintf("item number %d", i)})
	}
	body["auth"] = "p@ss/w+rd\"é-1"
	text, _ := json.Marshal(body)
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = m.apply(string(text))
		}
	})
	b.Run("value", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = m.value(body)
		}
	})
	b.Run("clean text", func(b *testing.B) {
		b.ReportAllocs()
		clean := strings.Repeat("x", len(text))
		for b.Loop() {
			_ = m.apply(clean)
		}
	})
}
