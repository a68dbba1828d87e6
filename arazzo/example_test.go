package arazzo_test

import (
	"context"
	"fmt"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/specs"
)

func ExampleParse() {
	src := []byte(`arazzo: 1.0.1
info:
  title: Pets
  version: 1.0.0
sourceDescriptions:
  - name: petstore
    url: petstore.openapi.yaml
workflows:
  - workflowId: listPets
    steps:
      - stepId: list
        operationId: listPets
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          pets: $response.body
`)
	doc, diags := arazzo.Parse(src, "pets.arazzo.yaml")
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	for _, w := range doc.Workflows {
		for _, s := range w.Steps {
			fmt.Printf("%s/%s calls %s (step at %s)\n", w.WorkflowID, s.StepID, s.OperationID, s.Range)
		}
	}
	// Output:
	// listPets/list calls listPets (step at pets.arazzo.yaml:11:9)
}

// Load reads a document and its source descriptions; LoadFS does the same
// inside an fs.FS, here the bundled Stytch fixtures.
func ExampleLoadFS() {
	doc, diags := arazzo.LoadFS(context.Background(), specs.FS, specs.StytchSMSOTP)
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	src := doc.Sources["stytchB2bApi"]
	fmt.Println(src.Type, src.Location)
	w := doc.Workflows[0]
	fmt.Println(w.WorkflowID, len(w.Steps), "steps")
	op, err := src.OpenAPI.OperationByID(w.Steps[0].OperationID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(op.Method, op.Path)
	fmt.Println(len(arazzo.Validate(doc)), "diagnostics")
	// Output:
	// openapi stytch/openapi/stytch-b2b-openapi.yml
	// sms-otp-mfa 2 steps
	// POST /v1/b2b/otps/sms/send
	// 0 diagnostics
}

// Validate reports every problem it finds, each with a position, a
// severity and a stable code.
func ExampleValidate() {
	src := []byte(`arazzo: 1.0.1
info:
  title: Pets
  version: 1.0.0
sourceDescriptions:
  - name: petstore
    url: petstore.openapi.yaml
workflows:
  - workflowId: adopt
    steps:
      - stepId: find
        operationId: $sourceDescriptions.petstore.findPets
        outputs:
          first: $response.body.items
      - stepId: find
        workflowId: adpot
        onFailure:
          - name: again
            type: retry
            retryLimit: -1
`)
	doc, diags := arazzo.Parse(src, "adopt.arazzo.yaml")
	diags = diags.Extend(arazzo.Validate(doc))
	for _, d := range diags {
		fmt.Println(d)
	}
	fmt.Println("has errors:", diags.HasErrors())
	// Output:
	// adopt.arazzo.yaml:14:18: warning: $response.body.items is not a standard runtime expression: only "#" and a JSON pointer may follow body. It is read as $response.body#/items: write that [nonstandard-expression]
	// adopt.arazzo.yaml:15:17: error: stepId "find" is used by another step of workflow "adopt" [duplicate-step-id]
	// adopt.arazzo.yaml:16:21: error: workflowId "adpot" names no workflow of this document (did you mean "adopt"?) [unknown-workflow]
	// adopt.arazzo.yaml:20:25: error: retryLimit must not be negative [invalid-retry]
	// has errors: true
}

// An Arazzo 1.1 workflow whose steps do not run in list order: dependsOn
// and $steps references order them (E16), and each step lists what it
// waits for.
func ExampleWorkflow_ExecutionOrder() {
	src := []byte(`arazzo: 1.1.0
info: {title: Orders, version: 1.0.0}
sourceDescriptions:
  - {name: shop, url: shop.openapi.yaml, type: openapi}
  - {name: events, url: events.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: order
    steps:
      - stepId: status
        operationId: $sourceDescriptions.shop.getOrder
        dependsOn: [confirmed]
        parameters:
          - {name: id, in: path, value: $steps.confirmed.outputs.orderId}
      - stepId: place
        operationId: $sourceDescriptions.events.placeOrder
        action: send
      - stepId: confirmed
        operationId: $sourceDescriptions.events.orderConfirmed
        action: receive
        dependsOn: [place]
        timeout: 5000
        outputs:
          orderId: $message.payload#/orderId
`)
	doc, diags := arazzo.Parse(src, "order.arazzo.yaml")
	diags = diags.Extend(arazzo.Validate(doc))
	fmt.Println("version 1.1:", doc.Is11(), "errors:", diags.HasErrors())
	w := doc.Workflows[0]
	for _, i := range w.ExecutionOrder() {
		s := w.Steps[i]
		fmt.Printf("%s (%s)", s.StepID, doc.StepKind(s))
		for _, d := range s.Dependencies() {
			fmt.Printf(" after %s", d.Step)
			if d.Implicit {
				fmt.Print(" (read)")
			}
		}
		fmt.Println()
	}
	// Output:
	// version 1.1: true errors: false
	// place (message)
	// confirmed (message) after place
	// status (operation) after confirmed after confirmed (read)
}
