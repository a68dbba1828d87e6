package graph_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/graph"
)

// FuzzMermaid draws whatever arazzo.Parse makes of the input: it must
// never panic, and every line must have one of the shapes the package
// writes, with labels escaped.
func FuzzMermaid(f *testing.F) {
	f.Add([]byte(actionsDoc))
	for _, name := range []string{"orders/orders.arazzo.yaml", "inject/inject.arazzo.yaml"} {
		src, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(dependencyErrors))
	f.Add([]byte("arazzo: 1.0.1\nworkflows:\n  - workflowId: \"a\\\"]b\\n\"\n    steps: [{stepId: \"x|y\", operationPath: \"#/paths/%ZZ\"}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, _ := arazzo.Parse(src, "fuzz.yaml")
		if doc == nil {
			return
		}
		for _, w := range doc.Workflows {
			if w == nil {
				continue
			}
			text, err := graph.Mermaid(doc, w.WorkflowID)
			if err != nil {
				t.Fatal(err)
			}
			parseChart(t, text)
		}
		text, err := graph.MermaidAll(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(text, "flowchart TD\n") {
			t.Fatal(text)
		}
		parseChart(t, text)
	})
}
