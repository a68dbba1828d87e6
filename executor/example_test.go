package executor_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
)

const exampleOpenAPI = `openapi: 3.1.0
info: {title: Pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema:
                type: object
                properties: {name: {type: string}}
`

const exampleArazzo = `arazzo: 1.0.1
info: {title: Pets, version: "1"}
sourceDescriptions:
  - {name: pets, url: ./pets.yaml, type: openapi}
workflows:
  - workflowId: fetch
    inputs:
      type: object
      required: [id]
      properties: {id: {type: string}}
    steps:
      - stepId: get
        operationId: getPet
        parameters:
          - {name: id, in: path, value: $inputs.id}
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          name: $response.body#/name
    outputs:
      name: $steps.get.outputs.name
`

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name": "Rex (%s)"}`, r.URL.Path)
	}))
	defer srv.Close()
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(exampleArazzo)}, "pets.yaml": {Data: []byte(exampleOpenAPI)}}
	doc, diags := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if doc != nil {
		diags = append(diags, arazzo.Validate(doc)...)
	}
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	// Validated: New would otherwise validate the document again.
	eng, err := executor.New(doc, executor.Validated(), executor.WithServer("pets", srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := eng.Run(context.Background(), "fetch", map[string]any{"id": "7"})
	fmt.Println(res.Status, res.Outputs["name"], err)

	// A failing run returns its trace with a typed error.
	_, err = eng.Run(context.Background(), "fetch", map[string]any{})
	fmt.Println(err)
	// Output:
	// completed Rex (/pets/7) <nil>
	// workflow "fetch": invalid inputs:
	//   at (root): missing required property "id"
}

// New refuses options that name nothing of the document, so a typo never
// sends requests to the servers of the description.
func ExampleNew_unknownSource() {
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(exampleArazzo)}, "pets.yaml": {Data: []byte(exampleOpenAPI)}}
	doc, _ := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	_, err := executor.New(doc, executor.WithServer("pet", "http://127.0.0.1:8080"))
	fmt.Println(err)
	// Output:
	// WithServer: unknown source description "pet" (did you mean "pets"? known: pets)
}
