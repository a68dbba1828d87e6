package arazzo

import (
	"strings"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
)

// checkExpr checks that a parsed runtime expression names things that exist
// where it appears.
func (v *validator) checkExpr(sc *scope, e *expr.Expr, r diag.Range) {
	if e.Lenient {
		v.lenientExpr(sc, e, r)
	}
	switch e.Kind {
	case expr.KindSteps:
		if sc.wf == nil {
			return
		}
		st := sc.wf.Step(e.ID)
		if st == nil {
			v.errorf(r, CodeUnknownStep, "%s: workflow %q has no step %q%s", e.Raw, sc.wf.WorkflowID, e.ID, didYouMean(e.ID, stepIDs(sc.wf)))
			return
		}
		if !hasOutput(st.Outputs, e.Name) {
			v.errorf(r, CodeUnknownOutput, "%s: step %q has no output %q%s", e.Raw, e.ID, e.Name, didYouMean(e.Name, outputNames(st.Outputs)))
		}
	case expr.KindWorkflows:
		w := sc.doc.Workflow(e.ID)
		if w == nil {
			v.errorf(r, CodeUnknownWorkflow, "%s: no workflow %q%s", e.Raw, e.ID, didYouMean(e.ID, workflowIDs(sc.doc)))
			return
		}
		switch e.Field {
		case "outputs":
			if !hasOutput(w.Outputs, e.Name) {
				v.errorf(r, CodeUnknownOutput, "%s: workflow %q has no output %q%s", e.Raw, e.ID, e.Name, didYouMean(e.Name, outputNames(w.Outputs)))
			}
		case "inputs":
			if props, closed := inputNames(sc.doc, w.Inputs); props != nil && !hasName(props, e.Name) {
				v.undeclared(r, e, w, props, closed)
			}
		}
	case expr.KindSourceDescriptions:
		sd := sc.doc.SourceDescription(e.ID)
		if sd == nil {
			v.errorf(r, CodeUnknownSource, "%s: no source description %q%s", e.Raw, e.ID, didYouMean(e.ID, sourceNames(sc.doc)))
			return
		}
		src := sc.doc.Sources[e.ID]
		switch {
		case src == nil:
		case src.OpenAPI != nil && src.OpenAPI.HasOperationID(e.Name):
		case src.Arazzo != nil && src.Arazzo.Workflow(e.Name) != nil:
		case src.AsyncAPI != nil && hasAsyncOperation(src.AsyncAPI, e.Name): // E32
		case e.Name == "url" || e.Name == "name" || e.Name == "type":
		default:
			v.errorf(r, CodeUnknownOperation, "%s: source %q has no operation, workflow or field %q", e.Raw, e.ID, e.Name)
		}
	case expr.KindComponents:
		c := sc.doc.Components
		found := false
		if c != nil {
			switch e.ID {
			case "parameters":
				_, found = c.Parameters[e.Name]
			case "successActions":
				_, found = c.SuccessActions[e.Name]
			case "failureActions":
				_, found = c.FailureActions[e.Name]
			}
		}
		if !found {
			v.errorf(r, CodeUnknownComponent, "%s: components.%s has no entry %q", e.Raw, e.ID, e.Name)
		}
	case expr.KindInputs:
		if sc.wf == nil {
			return
		}
		if props, closed := inputNames(sc.doc, sc.wf.Inputs); props != nil && !hasName(props, e.Name) {
			v.undeclared(r, e, sc.wf, props, closed)
		}
	case expr.KindOutputs:
		if sc.inStepOutputs && sc.callee != nil {
			if !hasOutput(sc.callee.Outputs, e.Name) {
				v.errorf(r, CodeUnknownOutput, "%s: the called workflow %q has no output %q%s", e.Raw, sc.callee.WorkflowID, e.Name, didYouMean(e.Name, outputNames(sc.callee.Outputs)))
			}
			return
		}
		if sc.wf != nil && !sc.inStepOutputs && !hasOutput(sc.wf.Outputs, e.Name) {
			v.errorf(r, CodeUnknownOutput, "%s: workflow %q has no output %q%s", e.Raw, sc.wf.WorkflowID, e.Name, didYouMean(e.Name, outputNames(sc.wf.Outputs)))
		}
	case expr.KindStatusCode, expr.KindResponseBody, expr.KindResponseHeader, expr.KindRequestBody,
		expr.KindRequestHeader, expr.KindRequestPath, expr.KindRequestQuery, expr.KindURL, expr.KindMethod:
		switch {
		case sc.wf == nil || !sc.noResponse:
		case sc.async:
			v.warnf(r, CodeNoResponseInScope, "%s: a step that sends or receives a message has no HTTP exchange; it evaluates to null (E33)", e.Raw)
		case sc.step != nil:
			// Replaces D25 (null): Telaio reads the called workflow's last
			// exchange, which other tools may not do.
			v.warnf(r, CodeNoResponseInScope, "%s in a step that calls a workflow reads the last HTTP exchange of the called workflow, which the specification does not define: to be portable, make the called workflow output what this step needs and read it with $outputs.<name>", e.Raw)
		default:
			v.warnf(r, CodeNoResponseInScope, "%s has no HTTP exchange in workflow outputs; it evaluates to null (D25)", e.Raw)
		}
	case expr.KindMessageHeader, expr.KindMessagePayload:
		switch {
		case sc.wf == nil || sc.async:
		case sc.step != nil && sc.step.Meta.Has("workflowId"):
			v.warnf(r, CodeNoResponseInScope, "%s: a step that calls a workflow has no message; it evaluates to null (E33)", e.Raw)
		case sc.step != nil:
			v.warnf(r, CodeNoResponseInScope, "%s: a step that calls an OpenAPI operation has no message; it evaluates to null (E33)", e.Raw)
		case sc.noResponse:
			v.warnf(r, CodeNoResponseInScope, "%s has no message in workflow outputs; it evaluates to null (E33)", e.Raw)
		}
	}
}

// hasAsyncOperation reports whether an AsyncAPI description has an
// operation with id.
func hasAsyncOperation(d *asyncapi.Document, id string) bool {
	op, err := d.OperationByID(id)
	return err == nil && op != nil
}

func (v *validator) undeclared(r diag.Range, e *expr.Expr, w *Workflow, props []string, closed bool) {
	if closed {
		v.errorf(r, CodeUndeclaredInput, "%s: workflow %q declares no input %q and allows no others%s", e.Raw, w.WorkflowID, e.Name, didYouMean(e.Name, props))
		return
	}
	v.warnf(r, CodeUndeclaredInput, "%s: workflow %q declares no input %q%s", e.Raw, w.WorkflowID, e.Name, didYouMean(e.Name, props))
}

// hasOutput reports whether name (or, for dotted names used as navigation,
// its longest defined prefix) is an output.
func hasOutput(outs []*Output, name string) bool {
	return hasName(outputNames(outs), name)
}

func hasName(names []string, name string) bool {
	for {
		for _, n := range names {
			if n == name {
				return true
			}
		}
		i := strings.LastIndexAny(name, ".[")
		if i <= 0 {
			return false
		}
		name = name[:i]
	}
}

func outputNames(outs []*Output) []string {
	out := make([]string, 0, len(outs))
	for _, o := range outs {
		out = append(out, o.Name)
	}
	return out
}

// InputNames lists the input names workflow w's inputs schema declares
// (following local $refs and allOf), or nil when the schema does not
// restrict them (alternatives, patternProperties, additionalProperties
// other than false). Validation decides with it which dotted input names
// ($inputs.a.b) are names and which are navigation.
func (d *Document) InputNames(w *Workflow) []string {
	if w == nil {
		return nil
	}
	names, _ := inputNames(d, w.Inputs)
	return names
}

// inputNames lists the property names an inputs schema declares (following
// local $refs, allOf), or nil when it does not restrict them. closed is true
// when additionalProperties is false.
func inputNames(d *Document, schema any) (names []string, closed bool) {
	seen := 0
	var walk func(s any) bool
	walk = func(s any) bool {
		seen++
		if seen > 64 {
			return false
		}
		m, ok := s.(map[string]any)
		if !ok {
			return false
		}
		if ref, ok := m["$ref"].(string); ok {
			t, ok := resolveLocal(d, ref)
			if !ok || !walk(t) {
				return false
			}
		}
		for _, k := range []string{"anyOf", "oneOf"} {
			if _, ok := m[k]; ok {
				return false // alternatives: do not guess
			}
		}
		if all, ok := m["allOf"].([]any); ok {
			for _, sub := range all {
				if !walk(sub) {
					return false
				}
			}
		}
		if _, ok := m["patternProperties"]; ok {
			return false
		}
		if ap, ok := m["additionalProperties"]; ok {
			if b, ok := ap.(bool); ok && !b {
				closed = true
			} else {
				return false
			}
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k := range props {
				names = append(names, k)
			}
		}
		return true
	}
	if !walk(schema) || (names == nil && !closed) {
		return nil, false
	}
	if names == nil {
		names = []string{}
	}
	return names, closed
}

// resolveLocal resolves a "#/..." reference inside the document.
func resolveLocal(d *Document, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	cur := d.Raw
	frag, err := unescapeFragment(ref[2:])
	if err != nil {
		return nil, false
	}
	for _, tok := range strings.Split(frag, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// cycles reports dependsOn cycles among the workflows of every validated
// document, following $sourceDescriptions.<name>.<workflowId> into loaded
// Arazzo sources. Each cycle is reported once, at the dependsOn entry that
// closes it.
func (v *validator) cycles() {
	const (
		white = iota
		grey
		black
	)
	color := map[*Workflow]int{}
	owner := map[*Workflow]*Document{}
	for _, d := range v.docs {
		for _, w := range d.Workflows {
			owner[w] = d
		}
	}
	var stack []*Workflow
	var visit func(w *Workflow)
	visit = func(w *Workflow) {
		color[w] = grey
		stack = append(stack, w)
		for i, dep := range w.DependsOn {
			if dep == w.WorkflowID {
				continue // reported as self-dependency
			}
			t := resolveWorkflow(owner[w], dep)
			if t == nil {
				continue
			}
			switch color[t] {
			case grey:
				var path []string
				for j := len(stack) - 1; j >= 0; j-- {
					path = append([]string{stack[j].WorkflowID}, path...)
					if stack[j] == t {
						break
					}
				}
				path = append(path, t.WorkflowID)
				v.errorf(v.listItemRange(&w.Meta, "dependsOn", i), CodeDependencyCycle, "dependsOn cycle: %s", strings.Join(path, " -> "))
			case white:
				if len(stack) < 10000 {
					visit(t)
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[w] = black
	}
	for _, d := range v.docs {
		for _, w := range d.Workflows {
			if color[w] == white {
				visit(w)
			}
		}
	}
}

// resolveWorkflow finds the workflow ref names from document d: a local
// workflowId or $sourceDescriptions.<name>.<workflowId> of a loaded Arazzo
// source. It reports nothing.
func resolveWorkflow(d *Document, ref string) *Workflow {
	if d == nil {
		return nil
	}
	if !strings.HasPrefix(ref, "$") {
		return d.Workflow(ref)
	}
	e, err := expr.Parse(ref)
	if err != nil || e.Kind != expr.KindSourceDescriptions {
		return nil
	}
	if src := d.Sources[e.ID]; src != nil && src.Arazzo != nil {
		return src.Arazzo.Workflow(e.Name)
	}
	return nil
}
