package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeGraph: the flowchart the README shows is what telaio graph
// prints for the file it names.
func TestReadmeGraph(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const open = "```mermaid\n"
	_, rest, ok := strings.Cut(string(readme), open)
	if !ok {
		t.Fatal("README shows no mermaid graph")
	}
	shown, _, _ := strings.Cut(rest, "```")
	code, out, errOut := runCLIRoot(t, "../..", "graph", "../../conformance/testdata/cases/flow-retry-reselect-D16/arazzo.yaml")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out != shown {
		t.Errorf("README graph is stale; telaio graph prints:\n%s", out)
	}
}
