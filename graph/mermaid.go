package graph

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/expr"
)

// ErrNoDocument is returned for a nil document.
var ErrNoDocument = errors.New("no document")

// Mermaid draws the workflow with the given id as a Mermaid "flowchart TD"
// (see the package documentation).
func Mermaid(doc *arazzo.Document, workflowID string) (string, error) {
	if doc == nil {
		return "", ErrNoDocument
	}
	w, err := doc.LookupWorkflow(workflowID)
	if err != nil {
		return "", err // wraps arazzo.ErrUnknownWorkflow
	}
	g := &drawing{doc: doc, channels: map[string]string{}}
	g.line("flowchart TD")
	g.workflow(w, "", "  ")
	g.flushChannels("  ")
	g.flushEdges("  ")
	return g.b.String(), nil
}

// MermaidAll draws every workflow of the document as a subgraph of one
// flowchart.
func MermaidAll(doc *arazzo.Document) (string, error) {
	if doc == nil {
		return "", ErrNoDocument
	}
	g := &drawing{doc: doc, all: true, subgraphs: map[string]string{}, channels: map[string]string{}}
	for i, w := range doc.Workflows {
		if w != nil {
			if _, dup := g.subgraphs[w.WorkflowID]; !dup {
				g.subgraphs[w.WorkflowID] = "w" + strconv.Itoa(i)
			}
		}
	}
	g.line("flowchart TD")
	for i, w := range doc.Workflows {
		if w == nil {
			continue
		}
		id := "w" + strconv.Itoa(i)
		g.line("  subgraph " + id + "[" + quote(w.WorkflowID) + "]")
		g.workflow(w, id, "    ")
		g.flushEdges("    ")
		g.line("  end")
	}
	// Channels belong to the document: declared outside every subgraph,
	// with their edges, so that one channel joins the workflows that use
	// it.
	g.flushChannels("  ")
	g.edges = g.outer
	g.flushEdges("  ")
	return g.b.String(), nil
}

type edge struct {
	from, to, arrow, label string
}

type drawing struct {
	doc *arazzo.Document
	b   strings.Builder
	all bool
	// subgraphs maps the document's workflowIds to subgraph ids
	// (MermaidAll).
	subgraphs map[string]string
	// edges are the current workflow's edges; outer the edges between
	// subgraphs (MermaidAll).
	edges, outer []edge
	seen         map[edge]bool
	// extra are the current workflow's additional nodes by key.
	extra map[string]string
	p     string // current node id prefix
	ind   string
	// channels maps a channel (source name and channel key) to its node
	// id; channelLines are their declarations, written after the
	// workflows (Arazzo 1.1).
	channels     map[string]string
	channelLines []string
}

const (
	arrowSuccess = "-->"
	arrowFailure = "-.->"
	arrowCalls   = "==>"
	// Arazzo 1.1.
	arrowMessage    = "==>"
	arrowDependsOn  = "--o"
	arrowReadsSteps = "-.-o"
)

func (g *drawing) line(s string) {
	g.b.WriteString(s)
	g.b.WriteByte('\n')
}

func (g *drawing) edge(from, to, arrow, label string, outer bool) {
	e := edge{from: from, to: to, arrow: arrow, label: label}
	if g.seen[e] {
		return
	}
	g.seen[e] = true
	if outer {
		g.outer = append(g.outer, e)
	} else {
		g.edges = append(g.edges, e)
	}
}

func (g *drawing) flushEdges(ind string) {
	for _, e := range g.edges {
		if e.label == "" {
			g.line(ind + e.from + " " + e.arrow + " " + e.to)
		} else {
			g.line(ind + e.from + " " + e.arrow + "|" + quote(e.label) + "| " + e.to)
		}
	}
	g.edges = nil
}

// node returns the id of an extra node (a dependency, a workflow, an
// unknown step), declaring it on first use.
func (g *drawing) node(key, shapeOpen, label, shapeClose string) string {
	return g.nodeLines(key, shapeOpen, []string{label}, shapeClose)
}

// nodeLines is node with a label of several lines.
func (g *drawing) nodeLines(key, shapeOpen string, lines []string, shapeClose string) string {
	if id, ok := g.extra[key]; ok {
		return id
	}
	id := g.p + "x" + strconv.Itoa(len(g.extra))
	g.extra[key] = id
	g.line(g.ind + id + shapeOpen + quoteLines(lines) + shapeClose)
	return id
}

// workflowNode returns the node a reference to a workflow points at: the
// workflow's subgraph in MermaidAll, else a subroutine node.
func (g *drawing) workflowNode(ref string) (id string, outer bool) {
	if g.all {
		if sg, ok := g.subgraphs[ref]; ok {
			return sg, true
		}
	}
	return g.node("workflow\x00"+ref, "[[", shortRef(ref), "]]"), false
}

func (g *drawing) workflow(w *arazzo.Workflow, prefix, ind string) {
	g.p, g.ind = prefix, ind
	g.extra = map[string]string{}
	g.seen = map[edge]bool{}
	start, done := prefix+"start", prefix+"done"
	for _, d := range w.DependsOn {
		if g.all {
			if sg, ok := g.subgraphs[d]; ok {
				g.edge(sg, start, arrowSuccess, "dependsOn", true)
				continue
			}
		}
		id := g.node("dependsOn\x00"+d, "[[", shortRef(d), "]]")
		g.edge(id, start, arrowSuccess, "dependsOn", false)
	}
	g.line(ind + start + `(["Start"])`)
	index := stepIndex(w)
	v11 := g.doc.Is11()
	// seq is the order the steps run in: list order in 1.0.
	seq, number := listOrder(w), map[int]int(nil)
	var channel map[int]string
	if v11 {
		seq, number = g.executionOrder(w)
		channel = map[int]string{}
	}
	for i, s := range w.Steps {
		if s == nil {
			continue
		}
		if v11 {
			channel[i] = g.step11(s, i, number)
			continue
		}
		g.line(ind + g.stepID(i) + `["` + escape(s.StepID) + "<br/>" + escape(g.target(s)) + `"]`)
	}
	g.line(ind + done + `(["End"])`)

	first := done
	for _, i := range seq {
		if w.Steps[i] != nil {
			first = g.stepID(i)
			break
		}
	}
	g.edge(start, first, arrowSuccess, "", false)
	for k, i := range seq {
		s := w.Steps[i]
		if s == nil {
			continue
		}
		from := g.stepID(i)
		next := done
		for _, j := range seq[k+1:] {
			if w.Steps[j] != nil {
				next = g.stepID(j)
				break
			}
		}
		success := g.merge(s.OnSuccess, w.SuccessActions, false)
		failure := g.merge(s.OnFailure, w.FailureActions, true)
		if !unconditional(success) {
			g.edge(from, next, arrowSuccess, "", false)
		}
		if g.all && s.WorkflowID != "" {
			if sg, ok := g.subgraphs[s.WorkflowID]; ok {
				g.edge(from, sg, arrowCalls, "calls", true)
			}
		}
		for _, a := range success {
			g.action(a, from, done, index, arrowSuccess)
		}
		for _, a := range failure {
			g.action(a, from, done, index, arrowFailure)
		}
		if v11 {
			g.dependencies(w, s, i, index)
			g.message(s, i, channel[i])
		}
	}
}

// stepIndex maps each stepId of w to the index of its first step.
func stepIndex(w *arazzo.Workflow) map[string]int {
	index := map[string]int{}
	for i, s := range w.Steps {
		if s == nil {
			continue
		}
		if _, dup := index[s.StepID]; !dup {
			index[s.StepID] = i
		}
	}
	return index
}

// listOrder is 0..len(w.Steps)-1.
func listOrder(w *arazzo.Workflow) []int {
	seq := make([]int, len(w.Steps))
	for i := range seq {
		seq[i] = i
	}
	return seq
}

func (g *drawing) stepID(i int) string { return g.p + "s" + strconv.Itoa(i) }

// action draws the edge of one action from the step node from.
func (g *drawing) action(a *arazzo.Action, from, done string, index map[string]int, arrow string) {
	var to, label string
	outer := false
	switch a.Type {
	case arazzo.ActionEnd:
		to, label = done, "end ("+a.Name+")"
	case arazzo.ActionGoto:
		label = "goto (" + a.Name + ")" + g.passes(a)
		switch {
		case a.StepID != "":
			to = g.stepTarget(a.StepID, index)
		case a.WorkflowID != "":
			to, outer = g.workflowNode(a.WorkflowID)
		default:
			return
		}
	case arazzo.ActionRetry:
		limit := 1
		if a.RetryLimit != nil {
			limit = *a.RetryLimit
		}
		label = "retry ×" + strconv.Itoa(limit) + g.passes(a)
		switch {
		case a.StepID != "":
			to = g.stepTarget(a.StepID, index)
		case a.WorkflowID != "":
			to, outer = g.workflowNode(a.WorkflowID)
		default:
			to = from
		}
	default:
		return
	}
	g.edge(from, to, arrow, label, outer)
}

func (g *drawing) stepTarget(stepID string, index map[string]int) string {
	if i, ok := index[stepID]; ok {
		return g.stepID(i)
	}
	return g.node("step\x00"+stepID, "[", stepID+" (unknown step)", "]")
}

// merge returns the step's actions, then the workflow's whose name the step
// does not redefine (D12), with reusable actions resolved; unresolved
// references become comments.
func (g *drawing) merge(step, wf []*arazzo.Action, failure bool) []*arazzo.Action {
	var out []*arazzo.Action
	seen := map[string]bool{}
	for _, list := range [][]*arazzo.Action{step, wf} {
		for _, a := range list {
			if a == nil {
				continue
			}
			eff := a
			if a.Reusable != nil {
				eff = resolveAction(g.doc, a.Reusable.Reference, failure)
				if eff == nil {
					g.line(g.ind + "%% unresolved action reference " + comment(a.Reusable.Reference))
					continue
				}
			}
			if seen[eff.Name] {
				continue
			}
			seen[eff.Name] = true
			out = append(out, eff)
		}
	}
	return out
}

func resolveAction(doc *arazzo.Document, ref string, failure bool) *arazzo.Action {
	e, err := expr.Parse(ref)
	if err != nil || e.Kind != expr.KindComponents || doc.Components == nil {
		return nil
	}
	switch {
	case failure && e.ID == "failureActions":
		return doc.Components.FailureActions[e.Name]
	case !failure && e.ID == "successActions":
		return doc.Components.SuccessActions[e.Name]
	}
	return nil
}

// unconditional reports whether an end or goto action without criteria
// always takes over from the default flow.
func unconditional(actions []*arazzo.Action) bool {
	for _, a := range actions {
		if len(a.Criteria) == 0 && (a.Type == arazzo.ActionEnd || a.Type == arazzo.ActionGoto && (a.StepID != "" || a.WorkflowID != "")) {
			return true
		}
	}
	return false
}

// target describes what a step calls.
func (g *drawing) target(s *arazzo.Step) string {
	switch {
	case s.WorkflowID != "":
		return "workflow " + shortRef(s.WorkflowID)
	case s.OperationID != "" || s.OperationPath != "":
		if len(g.doc.Sources) > 0 {
			if _, op, err := g.doc.ResolveOperation(s); err == nil && op != nil && op.Method != "" {
				return op.Method + " " + op.Path
			}
		}
		if s.OperationID != "" {
			return shortRef(s.OperationID)
		}
		return operationPath(s.OperationPath)
	}
	return "(no target)"
}

// shortRef drops the "$sourceDescriptions." prefix of a reference.
func shortRef(ref string) string {
	return strings.TrimPrefix(ref, "$sourceDescriptions.")
}

// operationPath renders {$sourceDescriptions.x.url}#/paths/~1pets/get as
// "GET /pets", and a path item pointer as its path.
func operationPath(p string) string {
	_, frag, ok := strings.Cut(p, "#")
	if !ok {
		return p
	}
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	segs := strings.Split(strings.TrimPrefix(frag, "/"), "/")
	if len(segs) < 2 || segs[0] != "paths" {
		return p
	}
	unesc := strings.NewReplacer("~1", "/", "~0", "~")
	path := unesc.Replace(segs[1])
	if len(segs) >= 3 {
		return strings.ToUpper(unesc.Replace(segs[2])) + " " + path
	}
	return path
}

var labelEscaper = strings.NewReplacer(
	`#`, "#35;",
	`"`, "#quot;",
	`&`, "#amp;",
	`<`, "#lt;",
	`>`, "#gt;",
	"`", "#96;",
	`|`, "#124;",
	"\r\n", " ", "\n", " ", "\r", " ", "\t", " ",
)

// escape writes the characters Mermaid treats specially as entity codes.
func escape(s string) string {
	return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

// quote returns s as a quoted Mermaid label.
func quote(s string) string { return `"` + escape(s) + `"` }

// quoteLines returns lines as a quoted Mermaid label of several lines.
func quoteLines(lines []string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, l := range lines {
		if i > 0 {
			b.WriteString("<br/>")
		}
		b.WriteString(escape(l))
	}
	b.WriteByte('"')
	return b.String()
}

func comment(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
	return strings.ToValidUTF8(s, "\uFFFD")
}
