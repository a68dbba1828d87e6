package graph_test

import (
	"fmt"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/graph"
)

func ExampleMermaid() {
	src := []byte(`arazzo: 1.0.1
info: {title: Pets, version: "1"}
sourceDescriptions:
  - {name: petstore, url: ./petstore.yaml, type: openapi}
workflows:
  - workflowId: adopt
    steps:
      - stepId: findPet
        operationId: findPets
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - name: noneLeft
            type: end
            criteria: [{condition: $response.body#/0 == null}]
      - stepId: adoptPet
        operationId: adoptPet
        onFailure:
          - {name: busy, type: retry, retryAfter: 1, retryLimit: 3}
`)
	doc, _ := arazzo.Parse(src, "adopt.arazzo.yaml")
	text, err := graph.Mermaid(doc, "adopt")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(text)
	// Output:
	// flowchart TD
	//   start(["Start"])
	//   s0["findPet<br/>findPets"]
	//   s1["adoptPet<br/>adoptPet"]
	//   done(["End"])
	//   start --> s0
	//   s0 --> s1
	//   s0 -->|"end (noneLeft)"| done
	//   s1 --> done
	//   s1 -.->|"retry ×3"| s1
}

func ExampleMermaid_unknownWorkflow() {
	doc, _ := arazzo.Parse([]byte("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows:\n  - workflowId: one\n    steps: [{stepId: s, operationId: op}]\n"), "t.yaml")
	_, err := graph.Mermaid(doc, "two")
	fmt.Println(err)
	// Output:
	// unknown workflow "two" (known: one)
}

// An Arazzo 1.1 workflow that sends an order and waits for its
// confirmation: listed first, confirm depends on place, so the steps are
// numbered in the order they run; each channel is a node between the step
// that sends on it and the step that receives from it.
func ExampleMermaid_async() {
	src := []byte(`arazzo: 1.1.0
info: {title: Orders, version: "1"}
sourceDescriptions:
  - {name: orders, url: ./orders.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: order
    steps:
      - stepId: confirm
        channelPath: '{$sourceDescriptions.orders.url}#/channels/confirm-order'
        action: receive
        dependsOn: [place]
        correlationId: $inputs.requestId
        timeout: 6000
      - stepId: place
        channelPath: '{$sourceDescriptions.orders.url}#/channels/place-order'
        action: send
`)
	doc, _ := arazzo.Parse(src, "order.arazzo.yaml")
	text, err := graph.Mermaid(doc, "order")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(text)
	// Output:
	// flowchart TD
	//   start(["Start"])
	//   s0[\"2. confirm<br/>receive channel confirm-order<br/>correlationId $inputs.requestId<br/>timeout 6000 ms"\]
	//   s1[/"1. place<br/>send channel place-order"/]
	//   done(["End"])
	//   c0[("confirm-order<br/>channel of orders")]
	//   c1[("place-order<br/>channel of orders")]
	//   start --> s1
	//   s1 --> s0
	//   s1 ==> c1
	//   s0 --> done
	//   s1 --o|"dependsOn"| s0
	//   c0 ==> s0
}
