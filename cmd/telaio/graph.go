package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/graph"
)

// cmdGraph prints a Mermaid flowchart of a workflow (or of all of them).
func cmdGraph(ctx context.Context, args []string, e *env) int {
	fs := pflag.NewFlagSet("graph", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	wf := fs.String("workflow", "", "the workflow to draw (default: all)")
	root := fs.String("root", "", "file sources must stay inside `DIR`")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: telaio graph FILE [--workflow ID]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
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
