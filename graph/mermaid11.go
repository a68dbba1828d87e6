package graph

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/expr"
)

// What Arazzo 1.1 adds to a drawing: message steps and their channels,
// step dependencies, the execution order, action parameters, timeouts and
// correlationIds. Nothing here runs for a 1.0 document.

// executionOrder returns the order the workflow's steps run in
// (Workflow.ExecutionOrder) and, when it is not list order, each step's
// position in it (1-based, by step index). A cycle, which Validate
// reports, is drawn in list order with a comment.
func (g *drawing) executionOrder(w *arazzo.Workflow) (seq []int, number map[int]int) {
	seq = w.ExecutionOrder()
	if seq == nil {
		g.line(g.ind + "%% the step dependencies form a cycle: steps drawn in list order")
		return listOrder(w), nil
	}
	moved := false
	for k, i := range seq {
		moved = moved || i != k
	}
	if !moved {
		return seq, nil
	}
	number = map[int]int{}
	for _, i := range seq {
		if w.Steps[i] != nil {
			number[i] = len(number) + 1
		}
	}
	return seq, number
}

// step11 declares the node of step i of a 1.1 document and returns the
// id of its channel node ("" when it has none).
func (g *drawing) step11(s *arazzo.Step, i int, number map[int]int) (channel string) {
	name := s.StepID
	if n, ok := number[i]; ok {
		name = strconv.Itoa(n) + ". " + name
	}
	lines := []string{name}
	open, close := "[", "]"
	if g.doc.StepKind(s) == arazzo.StepMessage {
		var target []string
		target, channel = g.messageTarget(s)
		lines = append(lines, target...)
		switch s.Action {
		case arazzo.StepSend:
			open, close = "[/", "/]"
		case arazzo.StepReceive:
			open, close = `[\`, `\]`
		}
	} else {
		lines = append(lines, g.target(s))
	}
	if s.CorrelationID != nil {
		lines = append(lines, "correlationId "+valueText(s.CorrelationID))
	}
	if s.Timeout != nil {
		lines = append(lines, "timeout "+strconv.Itoa(*s.Timeout)+" ms")
	}
	g.line(g.ind + g.stepID(i) + open + quoteLines(lines) + close)
	return channel
}

// workflowOf is the workflow of the document that holds s, or nil.
func (g *drawing) workflowOf(s *arazzo.Step) *arazzo.Workflow {
	for _, w := range g.doc.Workflows {
		for _, t := range w.Steps {
			if t == s {
				return w
			}
		}
	}
	return nil
}

// messageTarget describes what a message step sends or receives, and
// returns the id of its channel's node: the channel its AsyncAPI
// operation or channelPath resolves to (the sources loaded), else the one
// its channelPath names.
func (g *drawing) messageTarget(s *arazzo.Step) (lines []string, channel string) {
	action := s.Action
	if action == "" {
		action = "(no action)"
	}
	var source, key, address string
	known := false
	if len(g.doc.Sources) > 0 {
		src, _, ch, err := g.doc.ResolveMessage(s)
		if r := g.doc.ReplyOf(g.workflowOf(s), s); err == nil && r != nil && r.Channel != nil {
			// The reply rule (E10): the step receives the reply.
			ch = r.Channel
		}
		if err == nil && ch != nil && src != nil && src.Description != nil {
			source, key, address, known = src.Description.Name, ch.Key, ch.Address, true
		}
	}
	if !known && s.ChannelPath != "" {
		source, key, known = channelPathKey(s.ChannelPath)
	}
	if address == "" {
		address = key // an address unknown until run time
	}
	switch {
	case s.OperationID != "":
		lines = append(lines, action+" "+shortRef(s.OperationID))
		if known {
			lines = append(lines, "channel "+address)
		}
	case s.ChannelPath != "" && known:
		lines = append(lines, action+" channel "+address)
	case s.ChannelPath != "":
		lines = append(lines, action+" "+s.ChannelPath)
	default:
		lines = append(lines, action+" "+shortRef(operationPath(s.OperationPath)))
	}
	if known {
		channel = g.channel(source, key, address)
	}
	return lines, channel
}

// channel returns the node id of a channel of a source, declaring it on
// first use. Channels are the document's: one node for every workflow.
func (g *drawing) channel(source, key, address string) string {
	k := source + "\x00" + key
	if id, ok := g.channels[k]; ok {
		return id
	}
	id := "c" + strconv.Itoa(len(g.channels))
	g.channels[k] = id
	g.channelLines = append(g.channelLines, id+"[("+quoteLines([]string{address, "channel of " + source})+")]")
	return id
}

func (g *drawing) flushChannels(ind string) {
	for _, l := range g.channelLines {
		g.line(ind + l)
	}
	g.channelLines = nil
}

// message draws the message edge of step i: to its channel when it sends,
// from its channel when it receives.
func (g *drawing) message(s *arazzo.Step, i int, channel string) {
	if channel == "" {
		return
	}
	// In MermaidAll the channel node is outside the subgraphs: its edges
	// are written there too, or Mermaid would move it into this one.
	switch s.Action {
	case arazzo.StepSend:
		g.edge(g.stepID(i), channel, arrowMessage, "", g.all)
	case arazzo.StepReceive:
		g.edge(channel, g.stepID(i), arrowMessage, "", g.all)
	}
}

// channelPathKey reads {$sourceDescriptions.<name>.url}#/channels/<key>.
func channelPathKey(p string) (source, key string, ok bool) {
	ref, frag, found := strings.Cut(p, "#")
	name, isURL := strings.CutSuffix(strings.TrimSuffix(strings.TrimPrefix(ref, "{"), "}"), ".url")
	if !found || !isURL || !strings.HasPrefix(ref, "{") || !strings.HasSuffix(ref, "}") {
		return "", "", false
	}
	name, ok = strings.CutPrefix(name, "$sourceDescriptions.")
	if !ok || name == "" {
		return "", "", false
	}
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	tok, ok := strings.CutPrefix(frag, "/channels/")
	if !ok || tok == "" || strings.Contains(tok, "/") {
		return "", "", false
	}
	return name, strings.NewReplacer("~1", "/", "~0", "~").Replace(tok), true
}

// dependencies draws the edges of step i's dependencies, from each step it
// depends on: dependsOn entries as "--o" edges, $steps references as
// dotted "-.-o" edges labelled outputs, or correlationId when the step's
// correlationId reads that step's outputs (a receive waiting on the
// correlation value another step produced). A $steps edge is left out
// when dependsOn already names the step, and for the step's own outputs.
func (g *drawing) dependencies(w *arazzo.Workflow, s *arazzo.Step, i int, index map[string]int) {
	to := g.stepID(i)
	seen := map[string]bool{}
	for _, d := range s.Dependencies() {
		if d.Implicit && d.Step == s.StepID {
			continue
		}
		from, outer := g.dependencyNode(w, d, index)
		if seen[from] {
			continue
		}
		seen[from] = true
		switch {
		case !d.Implicit:
			g.edge(from, to, arrowDependsOn, "dependsOn", outer)
		case correlatesWith(s, d.Step):
			g.edge(from, to, arrowReadsSteps, "correlationId", outer)
		default:
			g.edge(from, to, arrowReadsSteps, "outputs", outer)
		}
	}
}

// correlatesWith reports whether s's correlationId reads the outputs of
// the step stepID ($steps.<stepID>.outputs, as package arazzo finds
// implicit dependencies).
func correlatesWith(s *arazzo.Step, stepID string) bool {
	c, ok := s.CorrelationID.(string)
	return ok && strings.Contains(c, "$steps."+stepID+".outputs")
}

// dependencyNode returns the node of the step a dependency names: a step
// of this workflow; in MermaidAll a step of another workflow of the
// document; else a node for that step, marked as another document's when
// it is.
func (g *drawing) dependencyNode(w *arazzo.Workflow, d arazzo.Dependency, index map[string]int) (id string, outer bool) {
	switch {
	case d.Local(w):
		return g.stepTarget(d.Step, index), false
	case d.Source != "":
		return g.nodeLines("xstep\x00"+d.Source+"\x00"+d.Workflow+"\x00"+d.Step, ">",
			[]string{d.Step, d.Source + "." + d.Workflow + " (other document)"}, "]"), false
	}
	j := -1
	if other := g.doc.Workflow(d.Workflow); other != nil {
		if k, ok := stepIndex(other)[d.Step]; ok {
			j = k
		}
	}
	if sg, ok := g.subgraphs[d.Workflow]; ok && g.all && j >= 0 {
		return sg + "s" + strconv.Itoa(j), true
	}
	name := d.Step
	if j < 0 {
		name += " (unknown step)"
	}
	return g.nodeLines("wstep\x00"+d.Workflow+"\x00"+d.Step, "[", []string{name, "in workflow " + d.Workflow}, "]"), false
}

// passes lists the parameters a goto or retry action passes to the
// workflow it transfers to (Arazzo 1.1): " with a, b".
func (g *drawing) passes(a *arazzo.Action) string {
	if len(a.Parameters) == 0 || !g.doc.Is11() {
		return ""
	}
	names := make([]string, 0, len(a.Parameters))
	for _, p := range a.Parameters {
		if p != nil {
			names = append(names, g.parameterName(p))
		}
	}
	return " with " + strings.Join(names, ", ")
}

// parameterName is a parameter's name, a Reusable Object's resolved
// through components.parameters (else its reference).
func (g *drawing) parameterName(p *arazzo.Parameter) string {
	if p.Reusable == nil {
		return p.Name
	}
	ref := p.Reusable.Reference
	if e, err := expr.Parse(ref); err == nil && e.Kind == expr.KindComponents && e.ID == "parameters" && g.doc.Components != nil {
		if c := g.doc.Components.Parameters[e.Name]; c != nil && c.Name != "" {
			return c.Name
		}
	}
	return ref
}

// valueText writes a correlationId as text: a string as written, another
// value as JSON.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
