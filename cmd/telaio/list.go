package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/schema"
)

const listSynopsis = `telaio list FILE [--format text|json] [--root DIR]

Lists each workflow of a document with its summary, its inputs (name, type,
whether required) and its outputs.`

type listInput struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
	Secret   bool   `json:"secret,omitempty"`
}

type listWorkflow struct {
	WorkflowID string      `json:"workflowId"`
	Summary    string      `json:"summary,omitempty"`
	Inputs     []listInput `json:"inputs"`
	Outputs    []string    `json:"outputs"`
	DependsOn  []string    `json:"dependsOn,omitempty"`
}

func cmdList(ctx context.Context, args []string, e *env) int {
	fs := newFlags(e, "list", listSynopsis)
	format := fs.String("format", "text", "output format: text or json")
	root := fs.String("root", "", "file sources must stay inside `DIR`")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	switch {
	case *format != "text" && *format != "json":
		return usageError(e, "list", "--format must be text or json, not %q", *format)
	case fs.NArg() != 1:
		return usageError(e, "list", "give one file (usage: telaio list FILE)")
	}
	// Sources are not needed: a document alone describes its workflows.
	doc, diags := arazzo.Load(ctx, fs.Arg(0), loadOptions(e, nil, *root)...)
	if doc == nil {
		printDiags(e, diags, nil)
		return exitUsage
	}
	var out []listWorkflow
	for _, w := range doc.Workflows {
		lw := listWorkflow{WorkflowID: w.WorkflowID, Summary: w.Summary, Inputs: []listInput{}, Outputs: []string{}, DependsOn: w.DependsOn}
		if w.Inputs != nil {
			if s, err := schema.Compile(doc.Raw, w.InputsPointer); err == nil {
				lw.Inputs = inputsOf(s)
			}
		}
		for _, o := range w.Outputs {
			lw.Outputs = append(lw.Outputs, o.Name)
		}
		out = append(out, lw)
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return exitOK
	}
	for i, w := range out {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		line := w.WorkflowID
		if w.Summary != "" {
			line += "  " + terminalSafe(w.Summary)
		}
		fmt.Fprintln(e.stdout, line)
		if len(w.DependsOn) > 0 {
			fmt.Fprintf(e.stdout, "  depends on: %s\n", strings.Join(w.DependsOn, ", "))
		}
		if len(w.Inputs) == 0 {
			fmt.Fprintln(e.stdout, "  inputs: none")
		} else {
			fmt.Fprintln(e.stdout, "  inputs:")
			width := 0
			for _, in := range w.Inputs {
				width = max(width, len(in.Name))
			}
			for _, in := range w.Inputs {
				req := "optional"
				if in.Required {
					req = "required"
				}
				if in.Secret {
					req += ", secret"
				}
				fmt.Fprintf(e.stdout, "    %-*s  %-8s  %s\n", width, in.Name, in.Type, req)
			}
		}
		if len(w.Outputs) == 0 {
			fmt.Fprintln(e.stdout, "  outputs: none")
		} else {
			fmt.Fprintf(e.stdout, "  outputs: %s\n", strings.Join(w.Outputs, ", "))
		}
	}
	return exitOK
}

// inputsOf lists the declared inputs of an inputs schema, sorted by name.
func inputsOf(s *schema.Schema) []listInput {
	required := map[string]bool{}
	for _, r := range s.Required() {
		required[r] = true
	}
	var out []listInput
	for name, p := range s.Properties() {
		typ := strings.Join(p.Types(), "|")
		if typ == "" {
			typ = "any"
		}
		out = append(out, listInput{Name: name, Type: typ, Required: required[name], Secret: p.Format() == "password" || p.WriteOnly()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
