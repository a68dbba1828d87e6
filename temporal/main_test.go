package temporal_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/temporal"
	"github.com/telaio/telaio/temporal/devserver"
	"github.com/telaio/telaio/transport/nats"
)

// The tests share one dev server (started at the first need, stopped by
// TestMain). A test that needs to SIGKILL a worker runs it as a subprocess:
// this test binary, re-executed with workerEnv set.

const workerEnv = "TELAIO_TEMPORAL_TEST_WORKER"

var (
	srvOnce sync.Once
	srv     *devserver.Server
	srvErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		if err := workerMain(); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if srv != nil {
		srv.Stop()
	}
	os.Exit(code)
}

// server is the shared dev server; it skips the test when the temporal
// CLI is missing, and fails it under CI.
func server(t testing.TB) *devserver.Server {
	t.Helper()
	srvOnce.Do(func() {
		srv, srvErr = devserver.Start(context.Background(), devserver.Options{DynamicConfig: devserver.FastDynamicConfig(),
			SearchAttributes: map[string]string{"TelaioDocHash": "Keyword", "TelaioWorkflowId": "Keyword", "TelaioStatus": "Keyword"}})
	})
	if errors.Is(srvErr, devserver.ErrNoBinary) && os.Getenv("CI") != "true" {
		t.Skip(devserver.BuildHint)
	}
	if srvErr != nil {
		t.Fatal(srvErr)
	}
	return srv
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// dial connects to the shared server; key nil: payloads in clear.
func dial(t testing.TB, key []byte) client.Client {
	t.Helper()
	s := server(t)
	dc, err := temporal.DataConverter(key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: s.Addr, DataConverter: dc, Logger: nopLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// served sets up the usual test: a client sealing with testKey, the test
// document planned against a's API, and an in-process worker for it on a
// fresh queue.
func served(t testing.TB, a *api) (client.Client, *executor.Engine, string) {
	t.Helper()
	c, eng, _, queue := planned(t, a)
	startWorker(t, c, queue, eng)
	return c, eng, queue
}

// planned is served without the worker: the client, the engine, the
// document's path (for worker subprocesses) and a fresh queue.
func planned(t testing.TB, a *api) (client.Client, *executor.Engine, string, string) {
	t.Helper()
	c := dial(t, testKey)
	path, queue := writeDoc(t), queueName(t)
	eng, err := loadEngine(path, a.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c, eng, path, queue
}

// startWorker runs an in-process worker on queue until the test ends.
func startWorker(t testing.TB, c client.Client, queue string, engines ...*executor.Engine) worker.Worker {
	t.Helper()
	w := worker.New(c, queue, worker.Options{StickyScheduleToStartTimeout: time.Second, EnableSessionWorker: true})
	temporal.RegisterWorker(w, engines...)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return w
}

func queueName(t testing.TB) string {
	return strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "-" + fmt.Sprint(time.Now().UnixNano())
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The test document: an API with two GETs and a POST.
const apiYAML = `openapi: 3.1.0
info: {title: durable, version: "1"}
servers: [{url: https://api.example.test}]
paths:
  /a:
    get: {operationId: getA, responses: {default: {description: any}}}
  /b:
    get: {operationId: getB, responses: {default: {description: any}}}
  /charge:
    post:
      operationId: postCharge
      requestBody:
        content:
          application/json:
            schema: {type: object}
      responses: {default: {description: any}}
`

const flowYAML = `arazzo: 1.0.1
info: {title: durable, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: twoSteps
    inputs:
      type: object
      properties:
        token: {type: string, format: password}
    steps:
      - stepId: a
        operationId: getA
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {n: $response.body#/n, token: $inputs.token}
      - stepId: b
        operationId: getB
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: again, type: retry, retryLimit: 3, retryAfter: 1}
        outputs: {n: $response.body#/n}
    outputs:
      a: $steps.a.outputs.n
      b: $steps.b.outputs.n
      token: $steps.a.outputs.token
  - workflowId: charge
    steps:
      - stepId: charge
        operationId: postCharge
        x-telaio-idempotency-key: true
        requestBody: {payload: {amount: 10}}
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {id: $response.body#/id}
    outputs: {id: $steps.charge.outputs.id}
  - workflowId: chargeUnkeyed
    steps:
      - stepId: charge
        operationId: postCharge
        requestBody: {payload: {amount: 10}}
        successCriteria: [{condition: $statusCode == 200}]
`

// writeDoc writes the test document into a fresh directory.
func writeDoc(t testing.TB) string { return writeDocWith(t, flowYAML) }

// writeDocWith writes an Arazzo document over apiYAML.
func writeDocWith(t testing.TB, flow string) string {
	dir := t.TempDir()
	for name, text := range map[string]string{"flow.yaml": flow, "api.yaml": apiYAML} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "flow.yaml")
}

// loadEngine plans a document file with its operations sent to apiURL.
func loadEngine(path, apiURL string, opts ...executor.Option) (*executor.Engine, error) {
	return loadEngineFor(path, "api", apiURL, opts...)
}

// loadEngineFor plans a document file with its source named source sent
// to url (brokers through the NATS driver).
func loadEngineFor(path, source, url string, opts ...executor.Option) (*executor.Engine, error) {
	doc, diags := arazzo.Load(context.Background(), path)
	if diags.HasErrors() {
		return nil, diags
	}
	return executor.New(doc, append([]executor.Option{executor.WithServer(source, url), executor.WithTransport(nats.Driver{})}, opts...)...)
}

// api is the test API: it counts requests by path and Idempotency-Key;
// handlers may be replaced per path.
type api struct {
	mu     sync.Mutex
	hits   map[string]int
	keys   map[string]int
	handle map[string]func(n int, w http.ResponseWriter, r *http.Request)
	srv    *httptest.Server
}

func newAPI(t testing.TB) *api {
	a := &api{hits: map[string]int{}, keys: map[string]int{}, handle: map[string]func(int, http.ResponseWriter, *http.Request){}}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.hits[r.URL.Path]++
		n := a.hits[r.URL.Path]
		if k := r.Header.Get("Idempotency-Key"); k != "" {
			a.keys[k]++
		}
		h := a.handle[r.URL.Path]
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if h != nil {
			h(n, w, r)
			return
		}
		fmt.Fprintf(w, `{"n": %d, "id": "ch_%d"}`, n, n)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// failFirst makes path answer its first request 503, with a Retry-After
// header when retryAfter is not "", and the default answer afterwards.
func (a *api) failFirst(path, retryAfter string) {
	a.on(path, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, `{"n": %d}`, n)
	})
}

func (a *api) on(path string, h func(n int, w http.ResponseWriter, r *http.Request)) {
	a.mu.Lock()
	a.handle[path] = h
	a.mu.Unlock()
}

func (a *api) count(path string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hits[path]
}

func (a *api) keyCounts() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]int{}
	for k, v := range a.keys {
		out[k] = v
	}
	return out
}

// proc is a worker subprocess.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// spawnWorker runs a worker in a subprocess serving the document at path
// with its API at apiURL, and waits until it polls.
func spawnWorker(t testing.TB, queue, path, apiURL string, env ...string) *proc {
	t.Helper()
	s := server(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"=1", "TELAIO_TEST_ADDR="+s.Addr, "TELAIO_TEST_QUEUE="+queue,
		"TELAIO_TEST_DOC="+path, "TELAIO_TEST_API="+apiURL, temporal.KeyEnv+"="+string(testKeyHex()))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
			}
		}
		ready <- false
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the worker subprocess exited before it was ready")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the worker subprocess is not ready after 60 s")
	}
	return p
}

// kill sends SIGKILL to the worker (by its process id) and waits.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

func testKeyHex() string { return fmt.Sprintf("%x", testKey) }

// workerMain is the worker subprocess.
func workerMain() error {
	source := os.Getenv("TELAIO_TEST_SOURCE")
	if source == "" {
		source = "api"
	}
	eng, err := loadEngineFor(os.Getenv("TELAIO_TEST_DOC"), source, os.Getenv("TELAIO_TEST_API"))
	if err != nil {
		return err
	}
	key, err := temporal.KeyFromEnv()
	if err != nil {
		return err
	}
	dc, err := temporal.DataConverter(key)
	if err != nil {
		return err
	}
	c, err := client.Dial(client.Options{HostPort: os.Getenv("TELAIO_TEST_ADDR"), DataConverter: dc, Logger: nopLogger{}})
	if err != nil {
		return err
	}
	defer c.Close()
	w := worker.New(c, os.Getenv("TELAIO_TEST_QUEUE"), worker.Options{StickyScheduleToStartTimeout: time.Second, EnableSessionWorker: true})
	temporal.RegisterWorker(w, eng)
	if err := w.Start(); err != nil {
		return err
	}
	fmt.Println("ready")
	select {} // until killed
}

// history is the run's history events.
func history(t testing.TB, c client.Client, id string) []*historypb.HistoryEvent {
	t.Helper()
	it := c.GetWorkflowHistory(testCtx(t), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var evs []*historypb.HistoryEvent
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// waitForRetryWait waits until the run waits before a retry.
func waitForRetryWait(t testing.TB, ctx context.Context, run temporal.Run) {
	t.Helper()
	waitFor(t, "the retry wait", func() bool {
		p, err := run.Progress(ctx)
		return err == nil && !p.WaitingUntil.IsZero()
	})
}

// waitFor polls cond every 50 ms for up to 60 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
