package executor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
)

// faultOpenAPI describes the operations the fault, limit and concurrency
// tests call; every source is pointed at an httptest server.
const faultOpenAPI = `openapi: 3.1.0
info: {title: faults, version: "1"}
servers: [{url: https://api.example.test}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
    bearer: {type: http, scheme: bearer}
    session: {type: apiKey, in: cookie, name: session_key}
    basic: {type: http, scheme: basic}
paths:
  /basic:
    get:
      operationId: basicAuth
      security: [{basic: []}]
      responses: {default: {description: any}}
  /cookie:
    get:
      operationId: cookie
      security: [{session: []}]
      responses: {default: {description: any}}
  /a:
    get:
      operationId: a
      responses: {default: {description: any}}
  /b:
    get:
      operationId: b
      responses: {default: {description: any}}
  /secure:
    get:
      operationId: secure
      security: [{key: [], bearer: []}]
      responses: {default: {description: any}}
  /items/{id}:
    get:
      operationId: item
      security: [{bearer: []}]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {default: {description: any}}
`

// faultDoc is an Arazzo document over faultOpenAPI with the given
// workflows (YAML list items, indented by two spaces).
func faultDoc(workflows string) string {
	return `arazzo: 1.0.1
info: {title: faults, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
` + workflows
}

// faultEngine plans doc with every operation sent to base.
func faultEngine(t testing.TB, doc, base string, opts ...executor.Option) *executor.Engine {
	t.Helper()
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(doc)}, "api.yaml": {Data: []byte(faultOpenAPI)}}
	d, diags := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e, err := executor.New(d, append([]executor.Option{executor.WithServer("api", base)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// testCtx bounds a test: nothing may hang.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// stepErr asserts err is a *StepError with the code, workflow and step.
func stepErr(t testing.TB, err error, code, workflow, step string) *executor.StepError {
	t.Helper()
	var se *executor.StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a *StepError", err, err)
	}
	if se.Code != code || se.WorkflowID != workflow || se.StepID != step {
		t.Fatalf("StepError{Code: %q, WorkflowID: %q, StepID: %q} (%v), want %q, %q, %q", se.Code, se.WorkflowID, se.StepID, err, code, workflow, step)
	}
	return se
}

// sleeps records the waits a run asks for, without sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

const retryFlow = `  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: again, type: retry, retryLimit: 2}
`

func TestFault5xxRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int // answers in order; the last repeats
		hits     int
		ok       bool
	}{
		{"always 500", []int{500}, 3, false},
		{"recovers", []int{503, 500, 200}, 3, true},
		{"first try", []int{200}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(hits.Add(1))
				w.WriteHeader(tc.statuses[min(n, len(tc.statuses))-1])
			}))
			defer srv.Close()
			var sl sleeps
			e := faultEngine(t, faultDoc(retryFlow), srv.URL, executor.WithSleep(sl.sleep))
			res, err := e.Run(testCtx(t), "main", nil)
			if got := int(hits.Load()); got != tc.hits {
				t.Errorf("server hits = %d, want %d", got, tc.hits)
			}
			if len(sl.get()) != tc.hits-1 {
				t.Errorf("retry waits = %v, want %d", sl.get(), tc.hits-1)
			}
			if len(res.Steps) != 1 || res.Steps[0].Attempts != tc.hits || len(res.Steps[0].Exchanges) != tc.hits {
				t.Fatalf("steps = %+v", res.Steps)
			}
			if tc.ok {
				if err != nil || !res.Success {
					t.Fatalf("err = %v, success = %v", err, res.Success)
				}
				return
			}
			se := stepErr(t, err, executor.CodeStepFailed, "main", "a")
			if se.Attempt != 3 || res.Steps[0].StatusCode != 500 || !strings.Contains(err.Error(), "status 500") {
				t.Errorf("attempt %d, status %d, err %v", se.Attempt, res.Steps[0].StatusCode, err)
			}
		})
	}
}

// hijack answers with raw bytes on the connection and closes it; reset
// closes with a TCP RST instead of a FIN.
func hijack(raw string, reset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if raw != "" {
			_, _ = buf.WriteString(raw)
			_ = buf.Flush()
		}
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
}

func TestFaultBrokenConnection(t *testing.T) {
	const partial = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\": [1, 2"
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		codes   []string // acceptable codes
		message string
	}{
		{"closed mid-body", hijack(partial, false), []string{executor.CodeResponse}, "reading the response body"},
		{"reset mid-body", hijack(partial, true), []string{executor.CodeResponse, executor.CodeTransport}, "GET http://"},
		{"closed before answering", hijack("", false), []string{executor.CodeTransport}, "EOF"},
		{"reset before answering", hijack("", true), []string{executor.CodeTransport}, "GET http://"},
		{"garbage status line", hijack("SMTP ready\r\n\r\n", false), []string{executor.CodeTransport}, "malformed HTTP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			var sl sleeps
			e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        onFailure:
          - {name: again, type: retry, retryLimit: 1}
`), srv.URL, executor.WithSleep(sl.sleep))
			res, err := e.Run(testCtx(t), "main", nil)
			var se *executor.StepError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v", err)
			}
			ok := false
			for _, c := range tc.codes {
				ok = ok || se.Code == c
			}
			if !ok || se.WorkflowID != "main" || se.StepID != "a" || se.Attempt != 2 {
				t.Fatalf("StepError = %+v, want code in %v, step a, attempt 2", se, tc.codes)
			}
			msg := err.Error()
			if !strings.Contains(msg, `workflow "main", step "a" (attempt 2)`) || !strings.Contains(msg, tc.message) {
				t.Errorf("message = %q, want it to contain %q", msg, tc.message)
			}
			if len(res.Steps) != 1 || res.Steps[0].Success || res.Steps[0].Attempts != 2 || res.Steps[0].Error == "" {
				t.Fatalf("trace = %+v", res.Steps)
			}
			for _, x := range res.Steps[0].Exchanges {
				if x.Error == "" {
					t.Errorf("exchange %d has no error", x.Attempt)
				}
			}
		})
	}
}

// blocker is a handler that waits for the request's end (or the test's)
// before (or after) writing the headers.
func blocker(afterHeaders bool, release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if afterHeaders {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"a":`))
			_ = http.NewResponseController(w).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
}

func TestFaultRequestTimeout(t *testing.T) {
	for _, tc := range []struct {
		name         string
		afterHeaders bool
	}{{"slow headers", false}, {"slow body", true}} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(blocker(tc.afterHeaders, release))
			defer srv.Close()
			defer close(release)
			e := faultEngine(t, faultDoc(retryFlow), srv.URL, executor.WithSleep((&sleeps{}).sleep),
				executor.WithLimits(executor.Limits{RequestTimeout: 50 * time.Millisecond}))
			start := time.Now()
			res, err := e.Run(testCtx(t), "main", nil)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("run took %v", d)
			}
			se := stepErr(t, err, executor.CodeTransport, "main", "a")
			if se.Attempt != 3 || !strings.Contains(err.Error(), "timeout") || !strings.Contains(err.Error(), "Limits.RequestTimeout") {
				t.Errorf("attempt %d, err = %v", se.Attempt, err)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err does not unwrap to context.DeadlineExceeded: %v", err)
			}
			if len(res.Steps) != 1 || res.Steps[0].Attempts != 3 {
				t.Fatalf("trace = %+v", res.Steps)
			}
			if tc.afterHeaders && res.Steps[0].StatusCode != 200 {
				t.Errorf("status = %d, want the 200 that arrived", res.Steps[0].StatusCode)
			}
		})
	}
}

func TestFaultCancelRun(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			return
		}
		close(arrived)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - {stepId: first, operationId: a}
      - {stepId: slow, operationId: b}
      - {stepId: never, operationId: a}
`), srv.URL)
	ctx, cancel := context.WithCancel(testCtx(t))
	var canceled time.Time
	go func() {
		select {
		case <-arrived:
			canceled = time.Now()
			cancel()
		case <-ctx.Done():
		}
	}()
	res, err := e.Run(ctx, "main", nil)
	if canceled.IsZero() {
		t.Fatalf("the slow request never arrived: %v", err)
	}
	if d := time.Since(canceled); d > time.Second {
		t.Errorf("the run took %v to stop after cancel", d)
	}
	stepErr(t, err, executor.CodeCanceled, "main", "slow")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err does not unwrap to context.Canceled: %v", err)
	}
	if res == nil || len(res.Steps) != 2 || !res.Steps[0].Success || res.Steps[1].StepID != "slow" || res.Steps[1].Success {
		t.Fatalf("trace = %+v", res)
	}
	if res.Status != executor.StatusFailed || res.Error == "" {
		t.Errorf("status %s, error %q", res.Status, res.Error)
	}
}

func TestFaultCancelDuringRetryWait(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(503)
	}))
	defer srv.Close()
	e := faultEngine(t, faultDoc(retryFlow), srv.URL)
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := e.Run(ctx, "main", nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("run took %v", d)
	}
	// The run's deadline, not a cancel: code timeout (issue 15).
	stepErr(t, err, executor.CodeTimeout, "main", "a")
	if !errors.Is(err, context.DeadlineExceeded) || len(res.Steps) != 1 || res.Steps[0].StatusCode != 503 {
		t.Errorf("err = %v, steps = %+v", err, res.Steps)
	}
}

func TestFaultBadJSON(t *testing.T) {
	for _, tc := range []struct {
		name, ct, body string
		want           string // "" = the step succeeds
	}{
		{"truncated", "application/json", `{"a": [1, 2`, "truncated"},
		{"not JSON", "application/json; charset=utf-8", `<html>oops</html>`, "invalid character '<'"},
		{"trailing garbage", "application/problem+json", `{"a": 1} x`, "at byte"},
		{"empty JSON body", "application/json", ``, ""},
		{"blank JSON body", "application/json", "  \n", ""},
		{"text stays text", "text/plain", `{"a": [1, 2`, ""},
		{"valid", "application/json", `{"a": 1}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ct)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        successCriteria: [{condition: $statusCode == 200}]
`), srv.URL)
			res, err := e.Run(testCtx(t), "main", nil)
			if tc.want == "" {
				if err != nil || !res.Success {
					t.Fatalf("err = %v", err)
				}
				return
			}
			stepErr(t, err, executor.CodeResponse, "main", "a")
			if !strings.Contains(err.Error(), "not valid JSON") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
			sr := res.Steps[0]
			if sr.Success || sr.StatusCode != 200 || len(sr.Exchanges) != 1 || sr.Exchanges[0].Response == nil {
				t.Fatalf("trace = %+v", sr)
			}
			if got := sr.Exchanges[0].Response.Body; got != tc.body {
				t.Errorf("trace body = %#v, want the text", got)
			}
		})
	}
}

func TestFaultResponseTooLarge(t *testing.T) {
	body := strings.Repeat("x", 40)
	for _, tc := range []struct {
		name    string
		chunked bool
	}{{"declared length", false}, {"chunked", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if tc.chunked {
					for i := range body {
						_, _ = w.Write([]byte{body[i]})
						_ = http.NewResponseController(w).Flush()
					}
					return
				}
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			e := faultEngine(t, faultDoc(retryFlow), srv.URL, executor.WithSleep((&sleeps{}).sleep),
				executor.WithLimits(executor.Limits{MaxResponseBytes: 16}))
			res, err := e.Run(testCtx(t), "main", nil)
			stepErr(t, err, executor.CodeLimit, "main", "a")
			var le *executor.LimitError
			if !errors.As(err, &le) || le.Limit != executor.LimitResponseBytes || le.Value != 16 {
				t.Fatalf("err = %v, want a response-bytes LimitError", err)
			}
			if n := hits.Load(); n != 1 {
				t.Errorf("server hits = %d: a limit must not be retried", n)
			}
			if sr := res.Steps[0]; sr.StatusCode != 200 || !strings.Contains(sr.Error, "response body bytes") {
				t.Errorf("trace = %+v", sr)
			}
		})
	}
}

func TestFaultRedirectLoop(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  int
		hits int
	}{{"default", 0, executor.DefaultMaxRedirects}, {"limit 3", 3, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Redirect(w, r, "/a?n="+fmt.Sprint(hits.Load()), http.StatusFound)
			}))
			defer srv.Close()
			e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - {stepId: a, operationId: a}
`), srv.URL, executor.WithLimits(executor.Limits{MaxRedirects: tc.max}))
			_, err := e.Run(testCtx(t), "main", nil)
			stepErr(t, err, executor.CodeTransport, "main", "a")
			if !strings.Contains(err.Error(), fmt.Sprintf("stopped after %d redirects", tc.hits)) {
				t.Errorf("err = %v", err)
			}
			if n := int(hits.Load()); n != tc.hits {
				t.Errorf("server hits = %d, want %d", n, tc.hits)
			}
		})
	}
}

func TestFaultRedirectCredentials(t *testing.T) {
	type seen struct{ key, auth string }
	var mu sync.Mutex
	got := map[string]seen{}
	record := func(name string, r *http.Request) {
		mu.Lock()
		got[name] = seen{r.Header.Get("X-Api-Key"), r.Header.Get("Authorization")}
		mu.Unlock()
	}
	other := httptest.NewUnstartedServer(nil)
	defer other.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("to") {
		case "same":
			http.Redirect(w, r, "/a", http.StatusTemporaryRedirect)
		case "other":
			http.Redirect(w, r, other.URL+"/a", http.StatusTemporaryRedirect)
		case "bounce":
			// Through another origin and back: the foreign hop
			// gets no credentials.
			http.Redirect(w, r, other.URL+"/a?back=1", http.StatusFound)
		default:
			record("origin", r)
		}
	}))
	defer origin.Close()
	bounce := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("other", r)
		if r.URL.Query().Get("back") != "" {
			http.Redirect(w, r, origin.URL+"/a", http.StatusFound)
		}
	})
	other.Config.Handler = bounce
	other.Start()
	for _, to := range []string{"same", "other", "bounce"} {
		t.Run(to, func(t *testing.T) {
			mu.Lock()
			clear(got)
			mu.Unlock()
			e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - stepId: s
        operationId: secure
        parameters: [{name: to, in: query, value: `+to+`}]
`), origin.URL, executor.WithAuth("key", "key-0123456789"), executor.WithAuth("bearer", "tok-0123456789"))
			if _, err := e.Run(testCtx(t), "main", nil); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			creds := seen{"key-0123456789", "Bearer tok-0123456789"}
			if to == "same" && got["origin"] != creds {
				t.Errorf("origin saw %+v, want the credentials", got["origin"])
			}
			if to != "same" && got["other"] != (seen{}) {
				t.Errorf("another origin saw %+v, want no credentials", got["other"])
			}
		})
	}
}

func TestFaultRetryAfter(t *testing.T) {
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		header     string // Retry-After of the 503
		retryAfter string // the action's retryAfter ("" = none)
		want       time.Duration
	}{
		{"delta seconds", "3", "2", 3 * time.Second},
		{"http date", clock.Add(7 * time.Second).Format(http.TimeFormat), "2", 7 * time.Second},
		{"date in the past", clock.Add(-time.Hour).Format(http.TimeFormat), "2", 0},
		{"garbage uses retryAfter", "soon-ish", "2", 2 * time.Second},
		{"garbage without retryAfter", "-5", "", 0},
		{"no header", "", "1.5", 1500 * time.Millisecond},
		{"huge delta capped", "999999", "", 10 * time.Second},
		{"overflowing delta capped", "99999999999999999999999999", "", 10 * time.Second},
		{"far date capped", clock.AddDate(50, 0, 0).Format(http.TimeFormat), "", 10 * time.Second},
		{"huge retryAfter capped", "", "1e300", 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					if tc.header != "" {
						w.Header().Set("Retry-After", tc.header)
					}
					w.WriteHeader(503)
				}
			}))
			defer srv.Close()
			after := ""
			if tc.retryAfter != "" {
				after = ", retryAfter: " + tc.retryAfter
			}
			var sl sleeps
			e := faultEngine(t, faultDoc(`  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: again, type: retry, retryLimit: 1`+after+`}
`), srv.URL, executor.WithSleep(sl.sleep), executor.WithClock(func() time.Time { return clock }),
				executor.WithLimits(executor.Limits{MaxRetryWait: 10 * time.Second}))
			res, err := e.Run(testCtx(t), "main", nil)
			if err != nil || !res.Success || res.Steps[0].Attempts != 2 {
				t.Fatalf("err = %v, trace = %+v", err, res.Steps)
			}
			if w := sl.get(); len(w) != 1 || w[0] != tc.want {
				t.Errorf("waits = %v, want [%v]", w, tc.want)
			}
		})
	}
}

// TestFaultTokenRedirect: a token endpoint that redirects to another origin
// does not get the client credentials sent there.
func TestFaultTokenRedirect(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token": "tok-from-elsewhere", "token_type": "bearer"}`)
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			http.Redirect(w, r, other.URL+"/token", http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	defer api.Close()
	openapi := `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    get:
      operationId: x
      security: [{oauth: []}]
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: ` + api.URL + `/token, scopes: {}}}
`
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(faultDoc(`  - workflowId: main
    steps:
      - {stepId: s, operationId: x}
`))}, "api.yaml": {Data: []byte(openapi)}}
	d, diags := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e, err := executor.New(d, executor.WithServer("api", api.URL), executor.WithAuth("oauth", "client-id:client-s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	e.Run(testCtx(t), "main", nil)
	if leaked.Load() {
		t.Error("the client credentials followed the redirect to another origin")
	}
}

// TestCookieKeyEncoded: an API key sent in a cookie goes through the
// encoding of cookie parameters: RFC 6265 cookie-octets as they are, any
// other byte (and "%") percent-encoded, never dropped as net/http's
// AddCookie would; the trace masks it. A credential that cannot be sent at
// all (basic without a colon) fails the step with CodeAuth, naming the
// scheme, never the value.
func TestCookieKeyEncoded(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	flow := faultDoc(`  - workflowId: main
    steps:
      - {stepId: s, operationId: cookie}
  - workflowId: basic
    steps:
      - {stepId: s, operationId: basicAuth}
`)
	const good = "k3y/with+<&>~!"
	e := faultEngine(t, flow, srv.URL, executor.WithAuth("session", good))
	if _, err := e.Run(testCtx(t), "main", nil); err != nil {
		t.Fatal(err)
	}
	if c, _ := got.Load().(string); c != "session_key="+good {
		t.Errorf("Cookie: %q", c)
	}
	for bad, sent := range map[string]string{
		"k3y;admin=1":    "k3y%3Badmin=1",
		`k3y"quoted"`:    "k3y%22quoted%22",
		"k3y with space": "k3y%20with%20space",
		"k3y\\back":      "k3y%5Cback",
		"k3y,comma":      "k3y%2Ccomma",
		"k3yé":           "k3y%C3%A9",
		"k3y%41":         "k3y%2541",
	} {
		got.Store("")
		res, err := e.Run(testCtx(t), "main", nil, executor.RunWithAuth("session", bad))
		if err != nil {
			t.Fatalf("%q: %v", bad, err)
		}
		if c, _ := got.Load().(string); c != "session_key="+sent {
			t.Errorf("%q: sent %q, want session_key=%s", bad, c, sent)
		}
		if h := res.Steps[0].Exchanges[0].Request.Headers.Get("Cookie"); h != "session_key="+executor.Mask {
			t.Errorf("%q: traced Cookie %q", bad, h)
		}
	}

	const noColon = "p4ssw0rd-without-user"
	got.Store("")
	_, err := faultEngine(t, flow, srv.URL, executor.WithAuth("basic", noColon)).Run(testCtx(t), "basic", nil)
	se := stepErr(t, err, executor.CodeAuth, "basic", "s")
	if !strings.Contains(se.Error(), `security scheme "basic"`) || strings.Contains(se.Error(), noColon) {
		t.Errorf("basic without a colon: %v", se)
	}
	if c, _ := got.Load().(string); c != "" {
		t.Errorf("basic without a colon: a request was sent")
	}
}
