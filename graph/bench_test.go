package graph_test

import (
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/graph"
)

func BenchmarkMermaidAll(b *testing.B) {
	doc, _ := arazzo.Parse([]byte(actionsDoc), "actions.arazzo.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := graph.MermaidAll(doc); err != nil {
			b.Fatal(err)
		}
	}
}
