package graph_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// checkGolden compares text with the golden file testdata/golden/<name>
// (rewritten with -update) and checks that every line has a shape the
// package writes.
func checkGolden(t *testing.T, name, text string) {
	t.Helper()
	parseChart(t, text)
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./graph -update to create it)", err)
	}
	if text != string(want) {
		t.Errorf("%s differs from the drawing:\n%s", path, text)
	}
}

// drawAll returns MermaidAll and Mermaid of each workflow, by golden name
// suffix ("all", then the workflowIds).
func drawAll(t *testing.T, doc *arazzo.Document) (names, texts []string) {
	t.Helper()
	text, err := graph.MermaidAll(doc)
	if err != nil {
		t.Fatal(err)
	}
	names, texts = append(names, "all"), append(texts, text)
	for _, w := range doc.Workflows {
		if w == nil {
			continue
		}
		text, err := graph.Mermaid(doc, w.WorkflowID)
		if err != nil {
			t.Fatal(err)
		}
		names, texts = append(names, w.WorkflowID), append(texts, text)
	}
	return names, texts
}

// TestArazzo10Unchanged pins the drawings of Arazzo 1.0 documents, taken
// before Arazzo 1.1 was drawn: a 1.0 document draws byte for byte as it
// did.
func TestArazzo10Unchanged(t *testing.T) {
	docs := map[string]*arazzo.Document{}
	files, _ := filepath.Glob(filepath.Join("..", "arazzo", "testdata", "examples", "*arazzo.yaml"))
	for _, f := range files {
		docs[strings.TrimSuffix(filepath.Base(f), ".yaml")] = loadExample(t, filepath.Base(f))
	}
	doc, _ := arazzo.Parse([]byte(actionsDoc), "actions.arazzo.yaml")
	docs["actions"] = doc
	// 1.1 fields in a 1.0 document are errors (E1) and are not drawn.
	doc, _ = arazzo.Parse([]byte(fields11In10), "fields11.arazzo.yaml")
	docs["fields11"] = doc
	if len(docs) < 7 {
		t.Fatalf("%d documents", len(docs))
	}
	for name, doc := range docs {
		if doc.Is11() {
			t.Fatalf("%s is not an Arazzo 1.0 document", name)
		}
		names, texts := drawAll(t, doc)
		for i := range names {
			checkGolden(t, "v10/"+name+"."+names[i]+".mmd", texts[i])
		}
	}
}

const fields11In10 = `arazzo: 1.0.1
info: {title: fields, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: main
    steps:
      - stepId: second
        operationId: getThing
        timeout: 100
        dependsOn: [first]
        action: send
        correlationId: $steps.first.outputs.id
        onSuccess:
          - {name: away, type: goto, workflowId: main, parameters: [{name: x, value: 1}]}
      - stepId: first
        channelPath: '{$sourceDescriptions.api.url}#/channels/x'
        action: receive
`
