package executor_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/telaio/telaio/executor"
)

// TestConcurrentRuns runs 100 workflows at once on one Engine: even ids
// succeed, odd ids get a 404, and each run carries its own bearer token
// (RunWithAuth), which the server checks, so that state leaking between
// runs (inputs, credentials, traces, masking) shows as a wrong result.
// Run it with -race.
func TestConcurrentRuns(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/items/")
		if r.Header.Get("Authorization") != "Bearer token-for-"+id {
			w.WriteHeader(401)
			return
		}
		n, err := strconv.Atoi(id)
		if err != nil || n%2 == 1 {
			w.WriteHeader(404)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "token": "token-for-" + id})
	}))
	defer srv.Close()
	e := faultEngine(t, faultDoc(`  - workflowId: main
    inputs:
      type: object
      required: [id]
      properties: {id: {type: string}}
    steps:
      - stepId: get
        operationId: item
        parameters: [{name: id, in: path, value: $inputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {id: $response.body#/id, echo: $response.body#/token}
    outputs:
      id: $steps.get.outputs.id
`), srv.URL)
	ctx := testCtx(t)
	const n = 100
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := strconv.Itoa(i)
			res, err := e.Run(ctx, "main", map[string]any{"id": id}, executor.RunWithAuth("bearer", "token-for-"+id))
			errs[i] = checkConcurrent(i, id, res, err)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
}

func checkConcurrent(i int, id string, res *executor.Result, err error) error {
	if res == nil || len(res.Steps) != 1 {
		return fmt.Errorf("trace %+v, err %v", res, err)
	}
	sr := res.Steps[0]
	if len(sr.Exchanges) != 1 || !strings.HasSuffix(sr.Exchanges[0].Request.URL, "/items/"+id) {
		return fmt.Errorf("exchanges %+v", sr.Exchanges)
	}
	if got := sr.Exchanges[0].Request.Headers.Get("Authorization"); got != "Bearer "+executor.Mask {
		return fmt.Errorf("traced Authorization %q, want it masked", got)
	}
	if i%2 == 0 {
		if err != nil || !res.Success || res.Outputs["id"] != id || sr.StatusCode != 200 {
			return fmt.Errorf("want success with id %s: err %v, outputs %v, status %d", id, err, res.Outputs, sr.StatusCode)
		}
		// The token the server echoed is this run's secret: masked.
		if sr.Outputs["echo"] != executor.Mask {
			return fmt.Errorf("echo output %v", sr.Outputs["echo"])
		}
		if b, _ := json.Marshal(sr.Exchanges[0].Response.Body); strings.Contains(string(b), "token-for-") {
			return fmt.Errorf("response body not masked in the trace: %s", b)
		}
		return nil
	}
	var se *executor.StepError
	if !errors.As(err, &se) || se.Code != executor.CodeStepFailed || se.StepID != "get" || res.Success || sr.StatusCode != 404 {
		return fmt.Errorf("want a step-failed 404: err %v, status %d", err, sr.StatusCode)
	}
	return nil
}
