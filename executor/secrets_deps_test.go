package executor

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
)

const depsOpenAPI = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: a
      parameters:
        - {name: q, in: query, schema: {type: string}}
        - {name: p, in: query, schema: {type: string}}
        - {name: c, in: query, schema: {type: string}}
      responses: {"200": {description: ok}}
`

const depsArazzo = `arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: first
    steps:
      - stepId: s
        operationId: a
        parameters:
          - {name: q, in: query, value: $inputs.q}
          - {name: p, in: query, value: $inputs.pin}
          - {name: c, in: query, value: $inputs.creds#/password}
        successCriteria: [{condition: $statusCode == 200}]
  - workflowId: needsX
    inputs: {type: object, required: [x], properties: {x: {type: string}}}
    steps:
      - {stepId: s, operationId: a}
  - workflowId: main
    dependsOn: [first]
    inputs:
      type: object
      properties:
        q: {type: string, format: password}
        pin: {format: password}
        creds: {type: object, properties: {password: {type: string, format: password}}}
        blob: {type: object, writeOnly: true}
    steps:
      - stepId: s
        operationId: a
        parameters:
          - {name: q, in: query, value: $inputs.blob.inner}
  - workflowId: mainX
    dependsOn: [first, needsX]
    steps:
      - {stepId: s, operationId: a}
`

func depsEngine(t *testing.T, url string, opts ...Option) *Engine {
	t.Helper()
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(depsArazzo)}, "api.yaml": {Data: []byte(depsOpenAPI)}}
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	eng, err := New(doc, append([]Option{WithServer("api", url)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestRunSecretsBeforeDependencies: every secret input (a number, nested,
// writeOnly objects) is learned before the first request, dependencies
// included, so a failing dependency shows none (issue 15 items 6 and 7).
func TestRunSecretsBeforeDependencies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound) // the dependency fails
	}))
	defer srv.Close()
	eng := depsEngine(t, srv.URL)
	in := map[string]any{"q": "DepSecret-321", "pin": 987654.0, "creds": map[string]any{"password": "nested-pass-77"},
		"blob": map[string]any{"inner": "blob-secret-value"}}
	res, err := eng.Run(context.Background(), "main", in)
	if err == nil {
		t.Fatal("want the dependency to fail")
	}
	trace, _ := json.Marshal(res.Redacted())
	text := string(trace) + err.Error() + res.Error
	for _, s := range []string{"DepSecret-321", "987654", "nested-pass-77", "blob-secret-value"} {
		if strings.Contains(text, s) {
			t.Errorf("%q leaked:\n%s", s, text)
		}
	}
	if !strings.Contains(text, `q=****\u0026p=****\u0026c=****`) {
		t.Errorf("the dependency's URL should show the masked values:\n%s", text)
	}
}

// TestRunDependencyInputsFirst: the inputs of every dependency are checked
// before the first request (issue 15 item 12).
func TestRunDependencyInputsFirst(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	eng := depsEngine(t, srv.URL)
	_, err := eng.Run(context.Background(), "mainX", map[string]any{})
	var ie *InputError
	if !errors.As(err, &ie) || ie.WorkflowID != "needsX" {
		t.Fatalf("want an InputError of needsX, got %v", err)
	}
	if n.Load() != 0 {
		t.Errorf("%d requests were sent before the inputs were checked", n.Load())
	}
}

// TestServerURLPasswordMasked: a password in a server URL is masked in the
// trace (issue 15 item 7).
func TestServerURLPasswordMasked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://bob:pw@", 1)
	eng := depsEngine(t, u)
	res, _ := eng.Run(context.Background(), "first", map[string]any{"q": "x"})
	trace, _ := json.Marshal(res)
	if strings.Contains(string(trace), "bob:pw@") || !strings.Contains(string(trace), "bob:%2A%2A%2A%2A@") {
		t.Errorf("trace: %s", trace)
	}
}
