package arazzo_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

const exampleOpenAPI = `openapi: 3.1.0
info: {title: Accounts, version: 1.0.0}
paths:
  /login:
    post:
      operationId: login
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [user, password]
              properties:
                user: {type: string}
                password: {type: string}
      responses:
        "200":
          description: Logged in.
          content:
            application/json:
              schema:
                type: object
                properties:
                  token: {type: string}
`

const exampleArazzo = `arazzo: 1.0.1
info: {title: Login, version: 1.0.0}
sourceDescriptions:
  - name: accounts
    url: ./accounts.yaml
workflows:
  - workflowId: login
    inputs:
      type: object
      properties:
        user: {type: string}
        password: {type: integer}
    steps:
      - stepId: login
        operationId: login
        requestBody:
          payload:
            user: $inputs.user
            password: $inputs.password
        outputs:
          token: $response.body#/tokn
`

// TypeCheck reads each step against the operation it calls: here the output
// pointer has a typo and the password input has the wrong type.
func ExampleTypeCheck() {
	fsys := fstest.MapFS{
		"accounts.yaml":    {Data: []byte(exampleOpenAPI)},
		"flow.arazzo.yaml": {Data: []byte(exampleArazzo)},
	}
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "flow.arazzo.yaml")
	if ds.HasErrors() {
		fmt.Println(ds)
		return
	}
	for _, d := range arazzo.TypeCheck(doc) {
		fmt.Println(d)
	}
	// Output:
	// flow.arazzo.yaml:19:23: warning: $inputs.password is an integer, but the request body of login at /password is a string (declare input "password" with type: string) [type-mismatch]
	// flow.arazzo.yaml:21:34: error: $response.body#/tokn: the 200 response body of login has no property "tokn" (did you mean "token"?) [type-response-pointer]
}

// Options change what TypeCheck reports: turn a check off, change the
// severity of a code, or make every warning an error.
func ExampleCheckSeverity() {
	fsys := fstest.MapFS{
		"accounts.yaml":    {Data: []byte(exampleOpenAPI)},
		"flow.arazzo.yaml": {Data: []byte(exampleArazzo)},
	}
	doc, _ := arazzo.LoadFS(context.Background(), fsys, "flow.arazzo.yaml")
	ds := arazzo.TypeCheck(doc,
		arazzo.CheckOff(arazzo.CodeTypeMismatch),
		arazzo.CheckSeverity(arazzo.CodeTypeResponsePointer, diag.Warning))
	for _, d := range ds {
		fmt.Println(d.Severity, d.Code)
	}
	// Output:
	// warning type-response-pointer
}
