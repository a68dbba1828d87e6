package upgrade_test

import (
	"errors"
	"fmt"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/arazzo/upgrade"
)

func ExampleDocument() {
	src := []byte(`arazzo: 1.0.1
info: {title: pets, version: '1'}
sourceDescriptions:
  - {name: pets, url: ./pets.yaml, type: openapi}
workflows:
  - workflowId: adopt
    steps:
      - stepId: find
        # the first available pet
        operationPath: $sourceDescriptions.pets#/paths/~1pets/get
        successCriteria:
          - context: $response.body
            condition: $.pets.length > 0
            type: jsonpath
        outputs:
          id: $response.body.pets[0].id
`)
	doc, _ := arazzo.Parse(src, "adopt.arazzo.yaml")
	res, err := upgrade.Document(doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", res.Text)
	for _, c := range res.Changes {
		fmt.Println(c)
	}
	fmt.Println("clean:", res.Clean())
	// Output:
	// arazzo: 1.1.0
	// info: {title: pets, version: '1'}
	// sourceDescriptions:
	//   - {name: pets, url: ./pets.yaml, type: openapi}
	// workflows:
	//   - workflowId: adopt
	//     steps:
	//       - stepId: find
	//         # the first available pet
	//         operationPath: '{$sourceDescriptions.pets.url}#/paths/~1pets/get'
	//         successCriteria:
	//           - context: $response.body
	//             condition: $.pets.length > 0
	//             type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}
	//         outputs:
	//           id: $response.body#/pets/0/id
	//
	// adopt.arazzo.yaml:1:9: 1.0.1 -> 1.1.0 [version]
	// adopt.arazzo.yaml:10:24: $sourceDescriptions.pets#/paths/~1pets/get -> {$sourceDescriptions.pets.url}#/paths/~1pets/get [operation-path]
	// adopt.arazzo.yaml:14:19: jsonpath -> {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00} [jsonpath-version]
	// adopt.arazzo.yaml:16:15: $response.body.pets[0].id -> $response.body#/pets/0/id [standard-expression]
	// clean: true
}

// A document that is not valid Arazzo 1.0 is refused with its
// diagnostics.
func ExampleDocument_invalid() {
	src := []byte(`arazzo: 1.0.1
info: {title: pets, version: '1'}
sourceDescriptions: [{name: pets, url: ./pets.yaml, type: openapi}]
workflows:
  - workflowId: adopt
    steps:
      - stepId: find
        operationId: listPets
        outputs:
          id: $steps.nope.outputs.id
`)
	doc, _ := arazzo.Parse(src, "adopt.arazzo.yaml")
	_, err := upgrade.Document(doc)
	var invalid *upgrade.InvalidError
	if errors.As(err, &invalid) {
		fmt.Println(err)
		for _, d := range invalid.Diagnostics.Errors() {
			fmt.Println(d)
		}
	}
	// Output:
	// upgrade: adopt.arazzo.yaml: the document is not a valid Arazzo 1.0 document (1 error(s))
	// adopt.arazzo.yaml:10:15: error: $steps.nope.outputs.id: workflow "adopt" has no step "nope" [unknown-step]
}

// A document with something the upgrade cannot rewrite without changing
// its meaning is upgraded, and the rest listed.
func ExampleDocument_manual() {
	src := []byte(`arazzo: 1.0.1
info: {title: pets, version: '1'}
sourceDescriptions: [{name: pets, url: ./pets.yaml, type: openapi}]
workflows:
  - workflowId: adopt
    steps:
      - stepId: find
        operationId: listPets
        requestBody:
          payload: {context: $inputs.ctx, selector: name, type: jsonpath}
`)
	doc, _ := arazzo.Parse(src, "adopt.arazzo.yaml")
	res, err := upgrade.Document(doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range res.Manual {
		fmt.Println(d.Range, d.Code)
	}
	// Output:
	// adopt.arazzo.yaml:10:20 upgrade-selector-literal
	// adopt.arazzo.yaml:10:53 invalid-selector
}
