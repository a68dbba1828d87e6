package main

import (
	"context"
	"fmt"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/graph"
)

// cmdGraph prints a Mermaid flowchart of a workflow (or of all of them).
func cmdGraph(ctx context.Context, args []string, e *env) int {
	fs := newFlags(e, "graph", "telaio graph FILE [--workflow ID]\n\nPrints a workflow (default: every workflow) as a Mermaid flowchart.")
	wf := fs.String("workflow", "", "the workflow to draw (default: all)")
	root := fs.String("root", "", "file sources must stay inside `DIR`")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, "graph", "give one file (usage: telaio graph FILE)")
	}
	// Sources that cannot be loaded only cost the operation labels.
	doc, diags := arazzo.Load(ctx, fs.Arg(0), loadOptions(e, nil, *root)...)
	if doc == nil {
		printDiags(e, diags, nil)
		return exitUsage
	}
	var out string
	var err error
	if *wf != "" {
		out, err = graph.Mermaid(doc, *wf)
	} else {
		out, err = graph.MermaidAll(doc)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio graph: %v\n", err)
		return exitUsage
	}
	fmt.Fprint(e.stdout, out)
	return exitOK
}
