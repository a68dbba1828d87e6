package arazzo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telaio/telaio/arazzo"
)

// benchDocument writes a document of n workflows of the same few steps
// (parameters, request bodies, criteria, outputs that flow between steps).
// With features, each workflow also uses Arazzo 1.1: a dependsOn, a
// Selector Object output and an AsyncAPI step, in about the same size.
func benchDocument(version string, n int, features bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `arazzo: %s
info: {title: bench, version: '1'}
sourceDescriptions:
  - {name: petstore, url: petstore.openapi.yaml, type: openapi}
`, version)
	if features {
		b.WriteString("  - {name: orders, url: sources/orders.asyncapi.yaml, type: asyncapi}\n")
	}
	b.WriteString("workflows:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `  - workflowId: w%d
    inputs:
      type: object
      properties:
        limit: {type: integer}
        name: {type: string}
    steps:
      - stepId: list
        operationId: $sourceDescriptions.petstore.listPets
        parameters:
          - {name: limit, in: query, value: $inputs.limit}
        successCriteria:
          - condition: $statusCode == 200 && $response.body#/0/name != null
          - {context: $response.body, condition: '$[?@.name]', type: jsonpath}
        outputs:
          first: $response.body#/0/id
`, i)
		if features {
			b.WriteString(`          firstName:
            context: $response.body
            selector: $[0].name
            type: jsonpath
`)
		} else {
			b.WriteString("          firstName: $response.body#/0/name\n          all: $response.body\n")
		}
		b.WriteString(`      - stepId: create
        operationId: $sourceDescriptions.petstore.createPet
        requestBody:
          contentType: application/json
          payload: {id: $steps.list.outputs.first, name: '{$steps.list.outputs.firstName}'}
        successCriteria:
          - condition: $statusCode == 201
        onFailure:
          - {name: again, type: retry, retryAfter: 1, retryLimit: 2, criteria: [{condition: $statusCode >= 500}]}
        outputs:
          id: $response.body#/id
      - stepId: fetch
        operationId: $sourceDescriptions.petstore.getPet
`)
		if features {
			b.WriteString("        dependsOn: [create]\n")
		}
		b.WriteString(`        parameters:
          - {name: petId, in: path, value: $steps.create.outputs.id}
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          name: $response.body#/name
`)
		if features {
			b.WriteString(`      - {stepId: confirm, operationId: $sourceDescriptions.orders.orderConfirmed, action: receive, timeout: 5000}
`)
		} else {
			b.WriteString(`      - {stepId: again, operationId: $sourceDescriptions.petstore.getPet, parameters: [{name: petId, in: path, value: '1'}]}
`)
		}
		fmt.Fprintf(&b, "    outputs:\n      name: $steps.fetch.outputs.name\n")
	}
	return b.String()
}

// BenchmarkValidate10vs11 compares Parse and Validate (type check
// included) of an Arazzo 1.0 document with the same document declared
// 1.1, and with a 1.1 document of about the same size that uses 1.1
// features. The three are interleaved in one loop, so that the load of the
// machine weighs on each alike; the ratios to 1.0 are reported as
// metrics (11/10, 11features/10: 1 means the same cost).
func BenchmarkValidate10vs11(b *testing.B) {
	const workflows = 40
	docs := []struct {
		name string
		src  []byte
	}{
		{"1.0", []byte(benchDocument("1.0.1", workflows, false))},
		{"1.1", []byte(benchDocument("1.1.0", workflows, false))},
		{"1.1-features", []byte(benchDocument("1.1.0", workflows, true))},
	}
	fsys := files11(b, map[string]string{"main.yaml": string(docs[2].src)})
	loaded, ds := arazzo.LoadFS(context.Background(), fsys, "main.yaml")
	if loaded == nil || ds.HasErrors() {
		b.Fatal(ds)
	}
	var spent [3]time.Duration
	b.ReportAllocs()
	for b.Loop() {
		for i, d := range docs {
			start := time.Now()
			doc, ds := arazzo.Parse(d.src, "main.yaml")
			if doc == nil || ds.HasErrors() {
				b.Fatal(ds)
			}
			doc.Sources = loaded.Sources
			if ds := arazzo.Validate(doc); ds.HasErrors() {
				b.Fatalf("%s: %v", d.name, ds)
			}
			spent[i] += time.Since(start)
		}
	}
	n := float64(b.N)
	for i, d := range docs {
		b.ReportMetric(float64(spent[i].Microseconds())/n, "µs/"+d.name)
		b.ReportMetric(float64(len(d.src)), "bytes/"+d.name)
	}
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "11/10")
	b.ReportMetric(float64(spent[2])/float64(spent[0]), "11features/10")
}
