package telaiotest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing/fstest"

	"github.com/telaio/telaio/telaiotest"
)

// printT is a telaiotest.T that prints the first line of each error; in a
// real test pass the *testing.T instead.
type printT struct{}

func (printT) Helper()             {}
func (printT) Logf(string, ...any) {}
func (printT) Errorf(format string, args ...any) {
	first, _, _ := strings.Cut(fmt.Sprintf(format, args...), "\n")
	fmt.Println("error:", first)
}
func (printT) Fatalf(format string, args ...any) {
	first, _, _ := strings.Cut(fmt.Sprintf(format, args...), "\n")
	fmt.Println("fatal:", first)
}

// petFS holds a tiny OpenAPI description and a workflow that reads a pet.
var petFS = fstest.MapFS{
	"openapi.yaml": {Data: []byte(`openapi: 3.1.0
info: {title: Pets, version: "1"}
servers: [{url: "https://pets.example.com"}]
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema: {type: object, required: [name], properties: {name: {type: string}}}
        "404": {description: no such pet}
`)},
	"pets.arazzo.yaml": {Data: []byte(`arazzo: 1.0.1
info: {title: Pets, version: "1"}
sourceDescriptions: [{name: pets, url: ./openapi.yaml, type: openapi}]
workflows:
  - workflowId: fetchPet
    inputs: {type: object, required: [id], properties: {id: {type: integer}}}
    steps:
      - stepId: getPet
        operationId: getPet
        parameters: [{name: id, in: path, value: $inputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {name: $response.body#/name}
    outputs: {name: $steps.getPet.outputs.name}
`)},
}

func petServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pets/1" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"name": "Rex"}`)
	}))
}

func Example() {
	srv := petServer()
	defer srv.Close()
	// In a test: telaiotest.Run(t, ...) with t the *testing.T.
	res := telaiotest.Run(printT{}, telaiotest.FS(petFS, "pets.arazzo.yaml"), "fetchPet",
		map[string]any{"id": 1}, telaiotest.HTTPServer("pets", srv))
	fmt.Println(res.Status, res.Outputs["name"])
	// Output:
	// completed Rex
}

func Example_failure() {
	srv := petServer()
	defer srv.Close()
	src := telaiotest.FS(petFS, "pets.arazzo.yaml")
	telaiotest.Run(printT{}, src, "fetchPet", map[string]any{"id": 2}, telaiotest.HTTPServer("pets", srv))
	// A negative test: the run must fail.
	telaiotest.Run(printT{}, src, "fetchPet", map[string]any{"id": 2}, telaiotest.HTTPServer("pets", srv), telaiotest.ExpectFailure())
	// Inputs that break the inputs schema are a mistake in the test.
	telaiotest.Run(printT{}, src, "fetchPet", map[string]any{"id": "two"}, telaiotest.HTTPServer("pets", srv))
	// Output:
	// error: step "getPet" of workflow "fetchPet" failed: criterion "$statusCode == 200" not met (status 404)
	// fatal: telaiotest: workflow "fetchPet": invalid inputs:
}
