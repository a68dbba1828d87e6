package arazzo_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

// Tests pinning the Arazzo 1.1 decisions of checklist-1.1 §19 (E-numbers),
// each on small documents loaded from memory.

// files11 are the sources the documents of these tests load.
func files11(t testing.TB, docs map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range []string{"petstore.openapi.yaml", "sources/orders.asyncapi.yaml"} {
		src, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: src}
	}
	for name, src := range docs {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

// load11 loads main.yaml from docs (beside the petstore and the orders
// AsyncAPI description) and validates it.
func load11(t *testing.T, docs map[string]string, opts ...arazzo.CheckOption) (*arazzo.Document, diag.Diagnostics) {
	t.Helper()
	doc, ds := arazzo.LoadFS(context.Background(), files11(t, docs), "main.yaml")
	if doc == nil {
		t.Fatalf("load: %v", ds)
	}
	return doc, append(ds, arazzo.Validate(doc, opts...)...)
}

// codesOf lists the codes of ds, sorted.
func codesOf(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	slices.Sort(out)
	return out
}

// wantCodes checks the exact codes of ds, and that the diagnostic of each
// code whose substring is given says it.
func wantCodes(t *testing.T, ds diag.Diagnostics, codes []string, says map[string]string) {
	t.Helper()
	slices.Sort(codes)
	if got := codesOf(ds); !slices.Equal(got, codes) {
		t.Errorf("codes %q, want %q\n%v", got, codes, ds)
	}
	for code, sub := range says {
		found := false
		for _, d := range ds {
			if d.Code == code && strings.Contains(d.Message, sub) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s diagnostic says %q\n%v", code, sub, ds)
		}
	}
}

const head11 = `arazzo: 1.1.0
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: petstore, url: petstore.openapi.yaml, type: openapi}
  - {name: orders, url: sources/orders.asyncapi.yaml, type: asyncapi}
workflows:
`

func TestE1_Arazzo11FeatureIn10Document(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: petstore, url: petstore.openapi.yaml, type: openapi}
  - {name: orders, url: sources/orders.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: w
    steps:
      - stepId: s
        channelPath: '{$sourceDescriptions.orders.url}#/channels/orders'
        outputs:
          m: $message.payload
`})
	wantCodes(t, ds, []string{"invalid-source-type", "requires-arazzo-1.1", "requires-arazzo-1.1"}, map[string]string{
		"requires-arazzo-1.1": "telaio upgrade",
		"invalid-source-type": "source type asyncapi is Arazzo 1.1",
	})
}

func TestE3_EachDocumentByItsOwnVersion(t *testing.T) {
	// A 1.0 document calls a workflow of a 1.1 document with an AsyncAPI
	// step; each is valid by its own rules, and the 1.1 document's
	// $message would be an error in the 1.0 one.
	_, ds := load11(t, map[string]string{
		"main.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: events, url: events.yaml, type: arazzo}
workflows:
  - workflowId: w
    steps:
      - stepId: call
        workflowId: $sourceDescriptions.events.listen
`,
		"events.yaml": head11 + `  - workflowId: listen
    steps:
      - stepId: confirm
        operationId: $sourceDescriptions.orders.orderConfirmed
        action: receive
        outputs:
          orderId: $message.payload#/orderId
    outputs:
      orderId: $steps.confirm.outputs.orderId
`})
	wantCodes(t, ds, nil, nil)
}

func TestE4_SourceBySelfIdentity(t *testing.T) {
	docs := map[string]string{
		"main.yaml": `arazzo: 1.1.0
$self: https://example.com/flows/main.yaml
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: sub, url: sub.yaml}
workflows:
  - workflowId: w
    steps:
      - {stepId: call, workflowId: $sourceDescriptions.sub.s}
`,
		"sub.yaml": `arazzo: 1.1.0
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: main, url: 'https://example.com/flows/main.yaml'}
workflows:
  - workflowId: s
    steps:
      - {stepId: back, workflowId: $sourceDescriptions.main.w}
`}
	doc, ds := load11(t, docs)
	wantCodes(t, ds, nil, nil)
	sub := doc.Sources["sub"].Arazzo
	if sub == nil || sub.Sources["main"] == nil || sub.Sources["main"].Arazzo != doc {
		t.Fatal("the https url does not resolve to the document whose $self it is")
	}
	// Two documents with one identity: an error.
	docs["sub.yaml"] = strings.Replace(docs["sub.yaml"], "arazzo: 1.1.0\n", "arazzo: 1.1.0\n$self: https://example.com/flows/main.yaml\n", 1)
	_, ds = load11(t, docs)
	wantCodes(t, ds, []string{"duplicate-self"}, map[string]string{"duplicate-self": "same identity"})
}

func TestE5_BaseURI(t *testing.T) {
	tests := []struct{ self, url, want string }{
		{"https://example.com/a.yaml", "flows/a.yaml", "https://example.com/a.yaml"},
		{"b.yaml", "https://example.com/flows/a.yaml", "https://example.com/flows/b.yaml"},
		{"b.yaml", "flows/a.yaml", "flows/b.yaml"},
		{"", "flows/a.yaml", "flows/a.yaml"},
	}
	for _, tt := range tests {
		d := &arazzo.Document{Arazzo: "1.1.0", Self: tt.self, URL: tt.url}
		if got := d.BaseURI(); got != tt.want {
			t.Errorf("BaseURI($self %q at %q) = %q, want %q", tt.self, tt.url, got, tt.want)
		}
	}
}

func TestE6_SniffAsyncAPISource(t *testing.T) {
	doc, ds := load11(t, map[string]string{"main.yaml": strings.Replace(head11, ", type: asyncapi", "", 1) + `  - workflowId: w
    steps:
      - {stepId: s, operationId: $sourceDescriptions.orders.orderConfirmed, action: receive}
`})
	wantCodes(t, ds, nil, nil)
	if src := doc.Sources["orders"]; src.Type != arazzo.SourceAsyncAPI || src.AsyncAPI == nil {
		t.Fatalf("untyped AsyncAPI source: type %q, loaded %v", src.Type, src.AsyncAPI != nil)
	}
}

func TestE9_OperationPathOnAsyncAPI(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - {stepId: a, operationPath: '{$sourceDescriptions.orders.url}#/operations/placeOrder', action: send}
      - {stepId: b, operationPath: $sourceDescriptions.orders.placeOrder, action: send}
`})
	wantCodes(t, ds, []string{"invalid-operation-path", "invalid-operation-path"}, map[string]string{
		"invalid-operation-path": "write operationId: $sourceDescriptions.orders.placeOrder (E9)",
	})
}

func TestE10_ActionRequiredAndPerspective(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - {stepId: none, operationId: $sourceDescriptions.orders.orderConfirmed}
      - {stepId: same, operationId: $sourceDescriptions.orders.orderConfirmed, action: send}
      - {stepId: peer, operationId: $sourceDescriptions.orders.orderConfirmed, action: receive}
`})
	wantCodes(t, ds, []string{"action-perspective", "invalid-step-action"}, map[string]string{
		"invalid-step-action": "it needs action: send or action: receive (E10)",
		"action-perspective":  "write action: receive",
	})
}

func TestE11_CorrelationID(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - {stepId: located, operationId: $sourceDescriptions.orders.orderConfirmed, action: receive, correlationId: $inputs.id}
      - {stepId: noLocation, operationId: $sourceDescriptions.orders.auditLog, action: send}
      - {stepId: unlocated, channelPath: '{$sourceDescriptions.orders.url}#/channels/audit', action: receive, correlationId: 42}
      - {stepId: mqtt, operationId: $sourceDescriptions.orders.readings, action: receive, correlationId: x}
      - {stepId: send, operationId: $sourceDescriptions.orders.placeOrder, action: send, correlationId: x}
`})
	wantCodes(t, ds, []string{"invalid-correlation-id", "invalid-correlation-id", "invalid-correlation-id", "prefer-operation-id"}, map[string]string{
		"invalid-correlation-id": "MQTT 3.1.1 (the default), which has no message headers",
		"prefer-operation-id":    "operationId: $sourceDescriptions.orders.auditLog",
	})
	for _, d := range ds {
		if d.Range.Start.Line == 9 && !strings.Contains(d.Message, "define no correlationId.location") {
			t.Errorf("line 9: %v", d)
		}
	}
}

func TestE12_TimeoutPositive(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - {stepId: zero, operationId: $sourceDescriptions.petstore.listPets, timeout: 0}
      - {stepId: fraction, operationId: $sourceDescriptions.petstore.listPets, timeout: 1.5}
      - {stepId: ok, operationId: $sourceDescriptions.petstore.listPets, timeout: 1}
`})
	wantCodes(t, ds, []string{"invalid-timeout", "invalid-type"}, nil)
}

func TestE14_RequestBodyOnReceive(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: r
        operationId: $sourceDescriptions.orders.orderConfirmed
        action: receive
        requestBody: {payload: {a: 1}}
`})
	wantCodes(t, ds, []string{"request-body-misplaced"}, map[string]string{"request-body-misplaced": "(E14)"})
}

func TestE15_DependsOnCycle(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - {stepId: a, operationId: $sourceDescriptions.petstore.listPets, dependsOn: [c]}
      - {stepId: b, operationId: $sourceDescriptions.petstore.listPets, dependsOn: [a]}
      - stepId: c
        operationId: $sourceDescriptions.petstore.listPets
        parameters: [{name: limit, in: query, value: $steps.b.outputs.n}]
`})
	wantCodes(t, ds, []string{"dependency-cycle", "unknown-output"}, map[string]string{
		"dependency-cycle": "a -> c -> b -> a",
	})
}

func TestE15_ForwardReferenceWithoutDependsOn(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: a
        operationId: $sourceDescriptions.petstore.listPets
        parameters: [{name: limit, in: query, value: $steps.b.outputs.n}]
      - stepId: b
        operationId: $sourceDescriptions.petstore.listPets
        outputs: {n: $response.body#/0/id}
`})
	wantCodes(t, ds, []string{"forward-reference"}, map[string]string{"forward-reference": "declare dependsOn: [b]"})
}

func TestE16_ExecutionOrder(t *testing.T) {
	doc, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: ordered
    steps:
      - stepId: use
        operationId: $sourceDescriptions.petstore.listPets
        dependsOn: [receive]
        parameters: [{name: limit, in: query, value: $steps.count.outputs.n}]
      - {stepId: send, operationId: $sourceDescriptions.orders.placeOrder, action: send, parameters: [{name: requestId, in: header, value: r}]}
      - {stepId: receive, operationId: $sourceDescriptions.orders.orderConfirmed, action: receive, dependsOn: [send]}
      - stepId: count
        operationId: $sourceDescriptions.petstore.listPets
        outputs: {n: $response.body#/0/id}
  - workflowId: plain
    steps:
      - {stepId: a, operationId: $sourceDescriptions.petstore.listPets}
      - {stepId: b, operationId: $sourceDescriptions.petstore.listPets}
`}, arazzo.NoTypeCheck())
	wantCodes(t, ds, nil, nil)
	if got := doc.Workflows[0].ExecutionOrder(); !slices.Equal(got, []int{1, 2, 3, 0}) {
		t.Errorf("ExecutionOrder = %v, want [1 2 3 0] (send, receive, count, use)", got)
	}
	if got := doc.Workflows[1].ExecutionOrder(); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("ExecutionOrder = %v, want the list order", got)
	}
	deps := doc.Workflows[0].Steps[0].Dependencies()
	if len(deps) != 2 || deps[0].Step != "receive" || deps[0].Implicit || deps[1].Step != "count" || !deps[1].Implicit {
		t.Errorf("Dependencies = %+v", deps)
	}
	// A cycle has no order.
	doc, _ = load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - {stepId: a, operationId: $sourceDescriptions.petstore.listPets, dependsOn: [b]}
      - {stepId: b, operationId: $sourceDescriptions.petstore.listPets, dependsOn: [a]}
`})
	if got := doc.Workflows[0].ExecutionOrder(); got != nil {
		t.Errorf("ExecutionOrder of a cycle = %v, want nil", got)
	}
}

func TestE17_Querystring(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.listPets
        parameters:
          - {name: q, in: querystring, value: 'a=1'}
          - {name: limit, in: query, value: 1}
`})
	wantCodes(t, ds, []string{"invalid-querystring", "invalid-querystring"}, map[string]string{
		"invalid-querystring": "declares no querystring parameter (its description is OpenAPI 3.1.0",
	})
}

func TestE19_ChannelParameterIn(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.orders.placeOrder
        action: send
        parameters:
          - {name: requestId, in: header, value: r}
          - {name: region, in: channel, value: us}
      - stepId: h
        operationId: $sourceDescriptions.petstore.listPets
        parameters: [{name: region, in: channel, value: us}]
`})
	wantCodes(t, ds, []string{"channel-parameter-in", "invalid-parameter-in"}, nil)
}

func TestE20_SelectorObjectOrLiteral(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.listPets
        requestBody:
          payload:
            literal: {context: not a selector, type: object}
            selector: {context: $inputs.user, selector: $.id, type: jsonpath}
            broken: {context: $inputs.user, selector: $.id, type: simple}
`})
	wantCodes(t, ds, []string{"invalid-selector", "request-body-misplaced"}, map[string]string{"invalid-selector": "simple is a criterion type"})
}

func TestE21_ActionParameters(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.listPets
        onFailure:
          - {name: toWorkflow, type: goto, workflowId: v, parameters: [{name: reason, value: $statusCode}]}
          - {name: retryWorkflow, type: retry, workflowId: v, parameters: [{name: reason, value: x}]}
          - {name: toStep, type: goto, stepId: s, parameters: [{name: reason, value: x}]}
          - {name: withIn, type: goto, workflowId: v, parameters: [{name: reason, in: query, value: x}]}
  - workflowId: v
    inputs: {type: object, properties: {reason: {type: string}}}
    steps:
      - {stepId: t, operationId: $sourceDescriptions.petstore.listPets}
`})
	wantCodes(t, ds, []string{"invalid-action-parameters", "invalid-action-parameters"}, map[string]string{
		"invalid-action-parameters": "in must not be used (E21)",
	})
}

func TestE22_CriterionJSONPointer(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.listPets
        successCriteria:
          - {context: $response.body, condition: /0/id, type: {type: jsonpointer, version: rfc6901}}
`})
	wantCodes(t, ds, []string{"invalid-criterion-type"}, map[string]string{"invalid-criterion-type": "(E22)"})
}

func TestE24_SelectorExpressionField(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.listPets
        outputs:
          id: {expression: $response.body, selector: '$[0].id', type: jsonpath}
`})
	wantCodes(t, ds, []string{"unknown-field"}, map[string]string{"unknown-field": `write "context"`})
}

func TestE26_TargetSelectorType(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.createPet
        requestBody:
          contentType: text/plain
          payload: hello
          replacements:
            - {target: /a, value: x}
            - {target: /a, targetSelectorType: jsonpointer, value: x}
            - {target: '$.a', targetSelectorType: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}, value: x}
`})
	wantCodes(t, ds, []string{"invalid-target"}, nil)
}

func TestE29_LenientExpressionsStrict(t *testing.T) {
	docs := map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.listPets
        outputs:
          id: $response.body[0].id
`}
	_, ds := load11(t, docs)
	wantCodes(t, ds, []string{"nonstandard-expression"}, map[string]string{"nonstandard-expression": "$response.body#/0/id"})
	if ds.HasErrors() {
		t.Error("a lenient form is a warning")
	}
	if _, ds := load11(t, docs, arazzo.Strict()); !ds.HasErrors() {
		t.Error("Strict must reject a lenient form")
	}
}

func TestE32_SourceDescriptionsAsyncAPIOperation(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.listPets
        parameters:
          - {name: X-Op, in: header, value: $sourceDescriptions.orders.placeOrder}
          - {name: X-Url, in: header, value: $sourceDescriptions.orders.url}
          - {name: X-Bad, in: header, value: $sourceDescriptions.orders.placeOrdr}
`})
	wantCodes(t, ds, []string{"unknown-operation"}, nil)
}

func TestE33_MessageScope(t *testing.T) {
	_, ds := load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: http
        operationId: $sourceDescriptions.petstore.listPets
        outputs: {m: $message.payload}
      - stepId: message
        operationId: $sourceDescriptions.orders.orderConfirmed
        action: receive
        outputs: {code: $statusCode, sent: $message.header.requestId}
`})
	wantCodes(t, ds, []string{"no-response-in-scope", "no-response-in-scope"}, map[string]string{
		"no-response-in-scope": "a step that calls an OpenAPI operation has no message",
	})
}

func TestE34_GoessnerJSONPath(t *testing.T) {
	docs := map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - stepId: s
        operationId: $sourceDescriptions.petstore.listPets
        successCriteria:
          - {context: $response.body, condition: $.length > 0, type: jsonpath}
          - {context: $response.body, condition: '$[?@.id > 0]', type: jsonpath}
`}
	_, ds := load11(t, docs)
	wantCodes(t, ds, []string{"nonstandard-jsonpath"}, map[string]string{"nonstandard-jsonpath": "version: draft-goessner-dispatch-jsonpath-00"})
	if _, ds := load11(t, docs, arazzo.Strict()); !ds.HasErrors() {
		t.Error("Strict must reject the Goessner form")
	}
}

// TestLoadAsyncAPIRefsStayInRoot: an AsyncAPI source reads the files its
// $refs name through the loader, inside the root only.
func TestLoadAsyncAPIRefsStayInRoot(t *testing.T) {
	api := `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m: {$ref: 'schemas/m.yaml'}
operations:
  op: {action: send, channel: {$ref: '#/channels/c'}}
`
	main := head11 + `  - workflowId: w
    steps:
      - {stepId: s, operationId: $sourceDescriptions.orders.op, action: receive}
`
	fsys := files11(t, map[string]string{
		"main.yaml":                    main,
		"sources/orders.asyncapi.yaml": api,
		"sources/schemas/m.yaml":       "payload: {type: object}\n",
	})
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "main.yaml")
	if doc == nil || ds.HasErrors() {
		t.Fatalf("a $ref inside the root: %v", ds)
	}
	if a := doc.Sources["orders"].AsyncAPI; a == nil || len(a.Channels) != 1 || len(a.Channels[0].Messages) != 1 {
		t.Fatal("the message of the other file is not loaded")
	}
	fsys["sources/orders.asyncapi.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(api, "schemas/m.yaml", "../../outside.yaml", 1))}
	_, ds = arazzo.LoadFS(context.Background(), fsys, "main.yaml")
	if !ds.HasErrors() || !strings.Contains(ds.Error(), "outside the allowed file tree") {
		t.Fatalf("a $ref outside the root must be refused: %v", ds)
	}
}

// TestAsyncAPIOperationIDQualification: an unqualified operationId is
// found in the only AsyncAPI source, and must be qualified when there are
// several (or an OpenAPI source beside it: checklist 3.3).
func TestAsyncAPIOperationIDQualification(t *testing.T) {
	one := strings.Replace(head11, "  - {name: petstore, url: petstore.openapi.yaml, type: openapi}\n", "", 1)
	_, ds := load11(t, map[string]string{"main.yaml": one + `  - workflowId: w
    steps:
      - {stepId: s, operationId: orderConfirmed, action: receive}
      - {stepId: t, operationId: orderConfirmd, action: receive}
`})
	wantCodes(t, ds, []string{"unknown-operation"}, map[string]string{"unknown-operation": `did you mean "orderConfirmed"`})
	two := `arazzo: 1.1.0
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: orders, url: sources/orders.asyncapi.yaml, type: asyncapi}
  - {name: more, url: sources/orders.asyncapi.yaml, type: asyncapi}
workflows:
`
	_, ds = load11(t, map[string]string{"main.yaml": two + `  - workflowId: w
    steps:
      - {stepId: s, operationId: orderConfirmed, action: receive}
`})
	wantCodes(t, ds, []string{"ambiguous-operation"}, map[string]string{"ambiguous-operation": "2 AsyncAPI sources"})
	_, ds = load11(t, map[string]string{"main.yaml": head11 + `  - workflowId: w
    steps:
      - {stepId: s, operationId: orderConfirmed, action: receive}
`})
	wantCodes(t, ds, []string{"ambiguous-operation"}, map[string]string{"ambiguous-operation": "2 OpenAPI and AsyncAPI sources"})
}
