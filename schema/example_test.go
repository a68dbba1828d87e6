package schema_test

import (
	"errors"
	"fmt"

	"github.com/telaio/telaio/internal/yamlx"
	"github.com/telaio/telaio/schema"
)

const flow = `
arazzo: 1.0.1
workflows:
  - workflowId: login
    inputs:
      $ref: '#/components/inputs/login'
components:
  inputs:
    login:
      type: object
      required: [username]
      properties:
        username: {type: string}
        attempts: {type: integer, default: 3}
`

func ExampleCompile() {
	doc, _ := yamlx.Decode([]byte(flow))
	s, err := schema.Compile(doc, "/workflows/0/inputs")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Validate(map[string]any{"username": "alice"}))
	// Output: <nil>
}

func ExampleSchema_Validate() {
	doc, _ := yamlx.Decode([]byte(flow))
	s, _ := schema.Compile(doc, "/workflows/0/inputs")
	err := s.Validate(map[string]any{"attempts": "three"})
	fmt.Println(err)

	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Printf("%q %s\n", v.InstancePath, v.SchemaPath)
		}
	}
	// Output:
	// at (root): missing required property "username"
	// at /attempts: expected integer, got string
	// "" #/components/inputs/login/required
	// "/attempts" #/components/inputs/login/properties/attempts/type
}

func ExampleSchema_ApplyDefaults() {
	doc, _ := yamlx.Decode([]byte(flow))
	s, _ := schema.Compile(doc, "/workflows/0/inputs")
	fmt.Println(s.ApplyDefaults(map[string]any{"username": "alice"}))
	fmt.Println(s.ApplyDefaults(nil))
	// Output:
	// map[attempts:3 username:alice]
	// map[attempts:3]
}

func ExampleOpenAPI_Compile() {
	doc, _ := yamlx.Decode([]byte(`
openapi: 3.0.3
info: {title: pets, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string, nullable: true}
`))
	o, _ := schema.NewOpenAPI(doc)
	req, _ := o.Compile("/components/schemas/Pet", schema.Request)
	resp, _ := o.Compile("/components/schemas/Pet", schema.Response)

	fmt.Println(req.Validate(map[string]any{"name": nil}))
	fmt.Println(req.Validate(map[string]any{"id": 1, "name": "Rex"}))
	fmt.Println(resp.Validate(map[string]any{"name": "Rex"}))
	// Output:
	// <nil>
	// at /id: property is readOnly and must not be sent in a request
	// at (root): missing required property "id"
}
