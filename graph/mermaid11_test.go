package graph_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/graph"
	"github.com/telaio/telaio/specs"
)

var ordersFile = filepath.Join("testdata", "orders", "orders.arazzo.yaml")

// loadOrders loads the Arazzo 1.1 fixture with its OpenAPI, AsyncAPI and
// Arazzo sources; it must be valid.
func loadOrders(t *testing.T) *arazzo.Document {
	t.Helper()
	doc, diags := arazzo.Load(context.Background(), ordersFile, arazzo.WithRoot(filepath.Dir(ordersFile)))
	if doc == nil || diags.HasErrors() {
		t.Fatal(diags)
	}
	if diags := arazzo.Validate(doc); diags.HasErrors() {
		t.Fatal(diags)
	}
	return doc
}

// parseOrders parses the fixture without its sources.
func parseOrders(t *testing.T) *arazzo.Document {
	t.Helper()
	src, err := os.ReadFile(ordersFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := arazzo.Parse(src, ordersFile)
	if doc == nil {
		t.Fatal("orders did not parse")
	}
	return doc
}

// draw returns the parsed chart of one workflow, or of MermaidAll for "".
func draw(t *testing.T, doc *arazzo.Document, workflow string) (chart, string) {
	t.Helper()
	var text string
	var err error
	if workflow == "" {
		text, err = graph.MermaidAll(doc)
	} else {
		text, err = graph.Mermaid(doc, workflow)
	}
	if err != nil {
		t.Fatal(err)
	}
	return parseChart(t, text), text
}

// checkChart reports the edges missing from c, the edges present that
// should be absent, and the nodes (label: shape) missing.
func checkChart(t *testing.T, c chart, text string, edges, absent []string, nodes map[string]string) {
	t.Helper()
	for _, e := range edges {
		if !c.has(e) {
			t.Errorf("missing edge %q", e)
		}
	}
	for _, e := range absent {
		if c.has(e) {
			t.Errorf("unexpected edge %q", e)
		}
	}
	for label, shape := range nodes {
		if got := c.shapeOf(label); got != shape {
			t.Errorf("node %q: shape %q, want %q", label, got, shape)
		}
	}
	if t.Failed() {
		t.Logf("\n%s", text)
	}
}

func TestGolden11(t *testing.T) {
	loaded := loadOrders(t)
	names, texts := drawAll(t, loaded)
	for i := range names {
		checkGolden(t, "v11/orders."+names[i]+".mmd", texts[i])
	}
	names, texts = drawAll(t, parseOrders(t))
	for i := range names {
		checkGolden(t, "v11/orders-parsed."+names[i]+".mmd", texts[i])
	}
	src, err := os.ReadFile(filepath.Join("testdata", "inject", "inject.arazzo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	inject, _ := arazzo.Parse(src, "inject.arazzo.yaml")
	names, texts = drawAll(t, inject)
	checkGolden(t, "v11/inject.all.mmd", texts[slices.Index(names, "all")])
}

// TestMessageStepsAndChannels: send steps are parallelograms leaning
// right with an edge to their channel, receive steps lean left with an
// edge from it; a channel is one node whether a step names it by
// operationId or channelPath, so a send and a receive through one
// channel meet there.
func TestMessageStepsAndChannels(t *testing.T) {
	doc := loadOrders(t)
	c, text := draw(t, doc, "")
	checkChart(t, c, text,
		[]string{
			"placeOrder ==> place-order",   // purchase sends (operationId)
			"place-order ==> 1. takeOrder", // fulfil receives (channelPath)
			"2. confirm ==> confirm-order",
			"confirm-order ==> confirmOrder",
			"cancelOrder ==> orders.{orderRequestId}.cancel",
		},
		[]string{"place-order ==> placeOrder", "findPet ==> place-order"},
		map[string]string{
			"placeOrder\nsend orders.placeOrder\nchannel place-order":                                                                 "send",
			"confirmOrder\nreceive orders.confirmOrder\nchannel confirm-order\ncorrelationId $inputs.orderRequestId\ntimeout 6000 ms": "receive",
			"2. confirm\nsend channel confirm-order":                                                                                  "send",
			"1. takeOrder\nreceive channel place-order\ntimeout 60000 ms":                                                             "receive",
			"place-order\nchannel of orders":                                                                                          "cylinder",
			"confirm-order\nchannel of orders":                                                                                        "cylinder",
			"orders.{orderRequestId}.cancel\nchannel of orders":                                                                       "cylinder",
			"findPet\nGET /pets\ntimeout 3000 ms":                                                                                     "rect",
		})
	if n := strings.Count(text, `[("place-order<br/>`); n != 1 {
		t.Errorf("place-order declared %d times", n)
	}

	// Without the sources, a channelPath still names its channel; an
	// operationId does not.
	c, text = draw(t, parseOrders(t), "")
	checkChart(t, c, text,
		[]string{"place-order ==> 1. takeOrder", "2. confirm ==> confirm-order"},
		[]string{"placeOrder ==> place-order"},
		map[string]string{
			"placeOrder\nsend orders.placeOrder": "send",
			"place-order\nchannel of orders":     "cylinder",
		})
}

// TestChannelsOutsideSubgraphs: in MermaidAll a channel node and its
// edges are written after every subgraph, or Mermaid would move the
// channel into the subgraph that first names it.
func TestChannelsOutsideSubgraphs(t *testing.T) {
	_, text := draw(t, loadOrders(t), "")
	lastEnd := strings.LastIndex(text, "\n  end\n")
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, " c0") || strings.HasPrefix(strings.TrimSpace(l), "c0") {
			if i := strings.Index(text, l); i < lastEnd {
				t.Errorf("line %q inside a subgraph", l)
			}
		}
	}
}

// TestStepDependencies: dependsOn is a "--o" edge from the step depended
// on, a $steps reference a dotted "-.-o" one (not drawn twice when
// dependsOn names the step too); a step of another workflow is that
// step's node in MermaidAll and a node "in workflow" otherwise; a step of
// another document is a flag-shaped node that says so.
func TestStepDependencies(t *testing.T) {
	doc := loadOrders(t)
	c, text := draw(t, doc, "purchase")
	checkChart(t, c, text,
		[]string{"placeOrder --o|dependsOn| confirmOrder", "findPet -.-o|outputs| placeOrder"},
		[]string{"placeOrder -.-o|outputs| confirmOrder"}, nil)

	c, text = draw(t, doc, "fulfil")
	checkChart(t, c, text,
		[]string{"1. takeOrder --o|dependsOn| 2. confirm", "2. confirm --o|dependsOn| 3. ship", "pack --o|dependsOn| 3. ship"},
		[]string{"1. takeOrder -.-o|outputs| 2. confirm"},
		map[string]string{"pack\nshop.dispatch (other document)": "flag"})

	c, text = draw(t, doc, "cancel")
	checkChart(t, c, text, []string{"placeOrder --o|dependsOn| cancelOrder"}, nil,
		map[string]string{"placeOrder\nin workflow purchase": "rect"})

	c, text = draw(t, doc, "")
	checkChart(t, c, text, []string{"placeOrder --o|dependsOn| cancelOrder"}, nil, nil)
	if strings.Contains(text, "in workflow purchase") {
		t.Errorf("MermaidAll drew a node for a step it has:\n%s", text)
	}
	if !strings.Contains(text, "\n  w0s1 --o|\"dependsOn\"| w2s0\n") {
		t.Errorf("the cross-workflow edge is not between the subgraphs:\n%s", text)
	}
}

const dependencyErrors = `arazzo: 1.1.0
info: {title: deps, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: main
    steps:
      - stepId: a
        operationId: getA
        dependsOn: [missing, $workflows.other.steps.nope, $workflows.ghost.steps.x, $workflows.main.steps.b]
        outputs:
          self: $steps.a.outputs.self
      - stepId: b
        operationId: getB
  - workflowId: other
    steps:
      - {stepId: only, operationId: getC}
`

// TestUnknownDependencies: a dependency on a step that does not exist
// points at a node that says so; $workflows.<own>.steps.<id> is a local
// edge; a step reading its own outputs draws no edge.
func TestUnknownDependencies(t *testing.T) {
	doc, _ := arazzo.Parse([]byte(dependencyErrors), "deps.arazzo.yaml")
	for _, wf := range []string{"main", ""} {
		c, text := draw(t, doc, wf)
		checkChart(t, c, text,
			[]string{
				"missing (unknown step) --o|dependsOn| 2. a",
				"nope (unknown step) --o|dependsOn| 2. a",
				"x (unknown step) --o|dependsOn| 2. a",
				"1. b --o|dependsOn| 2. a",
				"Start --> 1. b", "1. b --> 2. a", "2. a --> End",
			},
			[]string{"2. a -.-o|outputs| 2. a"},
			map[string]string{"nope (unknown step)\nin workflow other": "rect", "x (unknown step)\nin workflow ghost": "rect"})
	}
}

// TestExecutionOrderNumbering: when dependencies reorder the steps, each
// is numbered by its place in the execution order and the default flow
// follows that order; in list order nothing is numbered.
func TestExecutionOrderNumbering(t *testing.T) {
	doc := loadOrders(t)
	c, text := draw(t, doc, "fulfil")
	checkChart(t, c, text,
		[]string{"Start --> 1. takeOrder", "1. takeOrder --> 2. confirm", "2. confirm --> 3. ship", "3. ship --> End"},
		[]string{"Start --> 2. confirm", "1. takeOrder --> 3. ship"}, nil)
	c, text = draw(t, doc, "purchase")
	checkChart(t, c, text, []string{"Start --> findPet", "findPet --> placeOrder", "placeOrder --> confirmOrder"}, nil, nil)
}

// TestExecutionOrderCycle: steps whose dependencies form a cycle (an
// error Validate reports) draw in list order, with a comment.
func TestExecutionOrderCycle(t *testing.T) {
	src := `arazzo: 1.1.0
info: {title: cycle, version: "1"}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
  - workflowId: main
    steps:
      - {stepId: a, operationId: getA, dependsOn: [b]}
      - {stepId: b, operationId: getB, dependsOn: [a]}
`
	doc, _ := arazzo.Parse([]byte(src), "cycle.arazzo.yaml")
	c, text := draw(t, doc, "main")
	checkChart(t, c, text,
		[]string{"Start --> a", "a --> b", "b --> End", "b --o|dependsOn| a", "a --o|dependsOn| b"}, nil, nil)
	if !strings.Contains(text, "  %% the step dependencies form a cycle: steps drawn in list order\n") {
		t.Errorf("no comment on the cycle:\n%s", text)
	}
}

// TestActionParameters: a goto or retry action that passes parameters to
// a workflow names them on its edge; a Reusable Object by its component's
// name.
func TestActionParameters(t *testing.T) {
	doc := loadOrders(t)
	c, text := draw(t, doc, "purchase")
	checkChart(t, c, text,
		[]string{"confirmOrder -.->|goto (cancelIt) with orderRequestId, reason| cancel", "confirmOrder -.->|retry ×2 with orderRequestId| purchase"},
		nil, map[string]string{"cancel": "subroutine"})
}

// TestCorrelationIDAndTimeout: a correlationId is shown as written (a
// number or a boolean as JSON); a timeout on any step, in milliseconds.
func TestCorrelationIDAndTimeout(t *testing.T) {
	src := `arazzo: 1.1.0
info: {title: c, version: "1"}
sourceDescriptions: [{name: q, url: ./q.yaml, type: asyncapi}]
workflows:
  - workflowId: main
    steps:
      - {stepId: n, operationId: got, action: receive, correlationId: 42, timeout: 1}
      - {stepId: o, operationId: got, action: receive, correlationId: true}
      - {stepId: t, operationId: got, action: receive, correlationId: '{$inputs.id}-x'}
      - {stepId: w, workflowId: main, timeout: 250}
`
	doc, _ := arazzo.Parse([]byte(src), "c.arazzo.yaml")
	c, text := draw(t, doc, "main")
	checkChart(t, c, text, nil, nil, map[string]string{
		"n\nreceive got\ncorrelationId 42\ntimeout 1 ms": "receive",
		"o\nreceive got\ncorrelationId true":             "receive",
		"t\nreceive got\ncorrelationId {$inputs.id}-x":   "receive",
		"w\nworkflow main\ntimeout 250 ms":               "rect",
	})
}

// TestEscaping11: ids, targets, channel keys, correlationIds, dependency
// references, action and parameter names cannot break out of their
// labels: every line keeps its shape, the labels read back as written
// (newlines as spaces) and no HTML reaches the output.
func TestEscaping11(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "inject", "inject.arazzo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := arazzo.Parse(src, "inject.arazzo.yaml")
	for _, wf := range []string{`w"]-->x`, ""} {
		c, text := draw(t, doc, wf)
		for _, bad := range []string{"<img", "<b>", "\"]-->", "--> z"} {
			if strings.Contains(text, bad) {
				t.Errorf("%q in the output", bad)
			}
		}
		want := map[string]string{
			"a\"]-->b[\"c\nsend channel x\"]-->y <img src=x onerror=alert(1)>\ntimeout 5 ms":        "send",
			"r|<b>&amp;`\nreceive op\"] -->z\ncorrelationId $inputs.id\"]-->z %% x":                 "receive",
			"n\nrec\"]eive channel x\"]-->y <img src=x onerror=alert(1)>\ncorrelationId x<br/>y\"]": "rect",
			"x\"]-->y <img src=x onerror=alert(1)>\nchannel of q":                                   "cylinder",
			"nowhere\"]-->q (unknown step)":                                                         "rect",
			"s`x (unknown step)\nin workflow o\"th[":                                                "rect",
			"s)\nq.w{f (other document)":                                                            "flag",
		}
		if wf == "" {
			want[`w"]-->x`] = "subgraph"
		}
		checkChart(t, c, text, []string{
			`a"]-->b["c ==> x"]-->y <img src=x onerror=alert(1)>`,
			`nowhere"]-->q (unknown step) --o|dependsOn| r|<b>&amp;` + "`",
		}, nil, want)
		var edgeLabels []string
		for _, e := range c.edges {
			if strings.Contains(e, "goto") || strings.Contains(e, "retry") {
				edgeLabels = append(edgeLabels, e)
			}
		}
		if len(edgeLabels) != 2 || !strings.Contains(edgeLabels[0], `|goto (g"|x) with p"]-->|x||`) ||
			!strings.Contains(edgeLabels[1], `|retry ×1 with $components.parameters.a"b|`) {
			t.Errorf("action edges %q", edgeLabels)
		}
	}
}

// TestSpec11PassFixtures draws every workflow of every official Arazzo
// 1.1 PASS fixture (sources that cannot load are fine for drawing); those
// that use what 1.1 adds to a drawing are golden files.
func TestSpec11PassFixtures(t *testing.T) {
	dir := filepath.Join("..", "arazzo", "testdata", "spec11", "pass")
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) < 30 {
		t.Fatalf("%d fixtures", len(files))
	}
	goldens := 0
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, _ := arazzo.Load(context.Background(), f, arazzo.WithRoot(dir))
			if doc == nil {
				t.Fatal("did not parse")
			}
			names, texts := drawAll(t, doc)
			src, _ := os.ReadFile(f)
			if doc.Is11() && (strings.Contains(string(src), "action:") || strings.Contains(string(src), "dependsOn") || strings.Contains(string(src), "timeout")) {
				goldens++
				checkGolden(t, "spec11/"+strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".yaml"), ".arazzo")+".all.mmd", texts[slices.Index(names, "all")])
			}
		})
	}
	if goldens < 12 {
		t.Errorf("%d golden fixtures", goldens)
	}
}

// TestReceiveWaitsOnCorrelation: a receive step whose correlationId reads
// another step's outputs waits on that step: the dotted edge from it is
// labelled correlationId, while other $steps references stay outputs and
// a step whose id only ends like the one read ("xsend") gets no such
// label.
func TestReceiveWaitsOnCorrelation(t *testing.T) {
	src := `arazzo: 1.1.0
info: {title: c, version: "1"}
sourceDescriptions: [{name: q, url: ./q.yaml, type: asyncapi}]
workflows:
  - workflowId: main
    steps:
      - {stepId: send, operationId: put, action: send, outputs: {id: $message.header.id}}
      - {stepId: xsend, operationId: put, action: send, outputs: {id: $message.header.id}}
      - stepId: wait
        operationId: got
        action: receive
        correlationId: '{$steps.send.outputs.id}-1'
        parameters:
          - {name: other, in: header, value: $steps.xsend.outputs.id}
`
	doc, _ := arazzo.Parse([]byte(src), "c.arazzo.yaml")
	c, text := draw(t, doc, "main")
	checkChart(t, c, text,
		[]string{"send -.-o|correlationId| wait", "xsend -.-o|outputs| wait"},
		[]string{"send -.-o|outputs| wait", "xsend -.-o|correlationId| wait"}, nil)
}

// TestReceiveOfTheReplyDrawsTheReplyChannel: a receive on the operation an
// earlier step sent on reads its reply (E10), so it hangs off the reply
// channel (the bundled pet order example: confirm-order), not the request's.
func TestReceiveOfTheReplyDrawsTheReplyChannel(t *testing.T) {
	doc, ds := arazzo.LoadFS(context.Background(), specs.FS, specs.PetOrderArazzo)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	out, err := graph.Mermaid(doc, "purchasePet")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`c0[("place-order<br/>channel of petOrders")]`, `c1[("confirm-order<br/>channel of petOrders")]`, "s0 ==> c0", "c1 ==> s1"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}
