package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telaio/telaio/executor"
)

// bigBody is a valid JSON body of n small objects and a status.
func bigBody(n int, status string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"status":"` + status + `","items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"s":"pending","n":"x"}`, i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

const pollFlow = `  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        successCriteria:
          - condition: $response.body#/status == 'done'
        onFailure:
          - {name: poll, type: retry, retryLimit: 30}
        outputs:
          status: $response.body#/status
`

// TestTraceBounded is the polling case of issue 15 #1: a step retried
// against a large JSON body keeps every attempt's bytes at most once, cut,
// and drops the oldest beyond MaxTraceBytes; no decoded body stays.
func TestTraceBounded(t *testing.T) {
	body := bigBody(60_000, "pending") // ~2 MB
	done := bigBody(10, "done")
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1) == 20 {
			w.Write(done)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	limits := executor.Limits{MaxTraceBodyBytes: 256 << 10, MaxTraceBytes: 1 << 20}
	e := faultEngine(t, faultDoc(pollFlow), srv.URL, executor.WithLimits(limits), executor.WithCheck(executor.CheckResponseBody, executor.SeverityOff))
	res, err := e.Run(testCtx(t), "main", nil)
	if err != nil || !res.Success || res.Steps[0].Attempts != 20 {
		t.Fatalf("run: %v, %+v", err, res)
	}
	var kept int64
	cut, dropped := 0, 0
	for _, ex := range res.Steps[0].Exchanges {
		r := ex.Response
		switch b := r.Body.(type) {
		case json.RawMessage:
			kept += int64(len(b))
		case string:
			kept += int64(len(b))
			if strings.HasPrefix(r.BodyNote, "cut") {
				cut++
				if r.BodySize != int64(len(body)) || len(r.BodySHA256) != 64 || len(b) > int(limits.MaxTraceBodyBytes) {
					t.Errorf("cut body: size %d, sha %q, kept %d", r.BodySize, r.BodySHA256, len(b))
				}
			}
		case nil:
			if strings.HasPrefix(r.BodyNote, "dropped") {
				dropped++
			}
		}
	}
	if kept > limits.MaxTraceBytes || cut == 0 || dropped == 0 {
		t.Errorf("kept %d bytes (limit %d), %d cut, %d dropped", kept, limits.MaxTraceBytes, cut, dropped)
	}
	if res.Steps[0].Outputs["status"] != "done" {
		t.Errorf("outputs %v", res.Steps[0].Outputs)
	}
	// The last, complete body is still the JSON value it was.
	last := res.Steps[0].Exchanges[len(res.Steps[0].Exchanges)-1].Response.Body
	if raw, ok := last.(json.RawMessage); !ok || !json.Valid(raw) {
		t.Errorf("last body %T", last)
	}
}

// BenchmarkPollingTrace runs the polling case with the default limits:
// 30 attempts on a 2 MB body. It reports the heap in use after the run
// (with the Result alive) per byte of one body, and the bytes allocated per
// byte received.
func BenchmarkPollingTrace(b *testing.B) {
	body := bigBody(60_000, "pending")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	e := faultEngine(b, faultDoc(pollFlow), srv.URL, executor.WithCheck(executor.CheckResponseBody, executor.SeverityOff))
	var ms runtime.MemStats
	b.ReportAllocs()
	var heap uint64
	for b.Loop() {
		res, _ := e.Run(testCtx(b), "main", nil)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		heap = ms.HeapInuse
		runtime.KeepAlive(res)
	}
	b.ReportMetric(float64(heap)/float64(len(body)), "heap-B/body-B")
	b.ReportMetric(float64(len(body)*31), "bytes-received/op")
}

// TestMaxValueBytes is issue 15 #2: two steps that each send the other's
// previous request body twice, looping with goto, stop at the limit.
func TestMaxValueBytes(t *testing.T) {
	srv, hits := counter(t)
	flow := `  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        requestBody:
          contentType: application/json
          payload: {x: $steps.b.outputs.sent, y: $steps.b.outputs.sent}
        outputs: {sent: $request.body}
      - stepId: b
        operationId: b
        requestBody:
          contentType: application/json
          payload: {x: $steps.a.outputs.sent, y: $steps.a.outputs.sent}
        outputs: {sent: $request.body}
        onSuccess:
          - {name: again, type: goto, stepId: a}
`
	e := faultEngine(t, faultDoc(flow), srv.URL, executor.WithLimits(executor.Limits{MaxValueBytes: 1 << 20, MaxStepExecutions: 200}))
	start := time.Now()
	_, err := e.Run(testCtx(t), "main", nil)
	limitErr(t, err, executor.LimitValueBytes, 1<<20)
	if hits.Load() > 60 || time.Since(start) > 5*time.Second {
		t.Errorf("%d requests in %v before the limit", hits.Load(), time.Since(start))
	}
}

// TestXPathStopsOnCancel is issue 15 #3 through a run: a costly XPath
// criterion stops at the run's deadline with code timeout, not "criterion
// not met".
func TestXPathStopsOnCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString("<r>")
	for range 10_000 {
		b.WriteString("<item>")
	}
	b.WriteString("ok")
	for range 10_000 {
		b.WriteString("</item>")
	}
	b.WriteString("</r>")
	xml := b.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(xml))
	}))
	defer srv.Close()
	flow := `  - workflowId: main
    steps:
      - stepId: a
        operationId: a
        successCriteria:
          - {context: $response.body, condition: "//item[contains(., 'error')]", type: xpath}
`
	e := faultEngine(t, faultDoc(flow), srv.URL, executor.WithCheck(executor.CheckResponseType, executor.SeverityOff))
	ctx, cancel := contextWithTimeout(t, 80*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Run(ctx, "main", nil)
	stop := time.Since(start)
	stepErr(t, err, executor.CodeTimeout, "main", "a")
	if stop > 3*time.Second {
		t.Errorf("took %v to stop", stop)
	}
	t.Logf("stopped %v after the run started (deadline 80ms)", stop)
}

func contextWithTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(testCtx(t), d)
}
