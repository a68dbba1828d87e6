package graph_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var (
	reHeader   = regexp.MustCompile(`^flowchart TD$`)
	reSubgraph = regexp.MustCompile(`^ +subgraph (w\d+)\["([^"]*)"\]$`)
	reEnd      = regexp.MustCompile(`^ +end$`)
	reNode     = regexp.MustCompile(`^ +(\w+)(\(\[|\[\[|\[\(|\[/|\[\\|\[|>)"([^"]*)"(\]\)|\]\]|\)\]|/\]|\\\]|\])$`)
	reEdge     = regexp.MustCompile(`^ +(\w+) (-->|-\.->|==>|--o|-\.-o)(?:\|"([^"|]*)"\|)? (\w+)$`)
	reComment  = regexp.MustCompile(`^ +%% [^\n]*$`)
	reEntity   = regexp.MustCompile(`#(\w+);`)
)

// shapes pairs the opening of each node shape the package writes with its
// closing, and names it.
var shapes = map[string]struct{ close, name string }{
	"([": {"])", "stadium"},
	"[[": {"]]", "subroutine"},
	"[(": {")]", "cylinder"},
	"[/": {"/]", "send"},
	`[\`: {`\]`, "receive"},
	"[":  {"]", "rect"},
	">":  {"]", "flag"},
}

// chart is a parsed flowchart: node labels and shapes by id, and edges
// written with the names of their nodes ("name -label-> name", the name
// being the label's part before <br/>, a subgraph's title, or Start/End).
type chart struct {
	labels map[string]string
	shapes map[string]string
	edges  []string
}

// shapeOf returns the shape of the node whose label is label.
func (c chart) shapeOf(label string) string {
	for id, l := range c.labels {
		if l == label {
			return c.shapes[id]
		}
	}
	return ""
}

func (c chart) has(e string) bool {
	for _, x := range c.edges {
		if x == e {
			return true
		}
	}
	return false
}

func unescape(s string) string {
	return reEntity.ReplaceAllStringFunc(s, func(m string) string {
		switch name := m[1 : len(m)-1]; name {
		case "quot":
			return `"`
		case "amp":
			return "&"
		case "lt":
			return "<"
		case "gt":
			return ">"
		default:
			var n int
			if _, err := fmt.Sscanf(name, "%d", &n); err == nil {
				return string(rune(n))
			}
		}
		return m
	})
}

// parseChart checks every line against the shapes the package writes and
// that labels hold no character Mermaid would interpret.
func parseChart(t testing.TB, text string) chart {
	t.Helper()
	c := chart{labels: map[string]string{}, shapes: map[string]string{}}
	type rawEdge struct{ from, arrow, label, to string }
	var edges []rawEdge
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) == 0 || !reHeader.MatchString(lines[0]) {
		t.Fatalf("no header:\n%s", text)
	}
	depth := 0
	for _, l := range lines[1:] {
		switch {
		case reSubgraph.MatchString(l):
			m := reSubgraph.FindStringSubmatch(l)
			c.labels[m[1]] = unescape(m[2])
			c.shapes[m[1]] = "subgraph"
			depth++
		case reEnd.MatchString(l):
			depth--
		case reNode.MatchString(l):
			m := reNode.FindStringSubmatch(l)
			if _, dup := c.labels[m[1]]; dup {
				t.Errorf("node %s declared twice", m[1])
			}
			raw := strings.ReplaceAll(m[3], "<br/>", "\n")
			if strings.ContainsAny(raw, "<>&`|") {
				t.Errorf("unescaped label %q", m[3])
			}
			c.labels[m[1]] = unescape(raw)
			shape, ok := shapes[m[2]]
			if !ok || shape.close != m[4] {
				t.Errorf("node %s opens with %s and closes with %s", m[1], m[2], m[4])
			}
			c.shapes[m[1]] = shape.name
		case reEdge.MatchString(l):
			m := reEdge.FindStringSubmatch(l)
			if strings.ContainsAny(m[3], "<>&`") {
				t.Errorf("unescaped edge label %q", m[3])
			}
			edges = append(edges, rawEdge{m[1], m[2], unescape(m[3]), m[4]})
		case reComment.MatchString(l):
		default:
			t.Errorf("unexpected line %q", l)
		}
	}
	if depth != 0 {
		t.Errorf("unbalanced subgraphs")
	}
	name := func(id string) string {
		l, ok := c.labels[id]
		if !ok {
			t.Errorf("edge to undeclared node %s", id)
		}
		n, _, _ := strings.Cut(l, "\n")
		return n
	}
	for _, e := range edges {
		s := name(e.from) + " " + e.arrow
		if e.label != "" {
			s += "|" + e.label + "|"
		}
		c.edges = append(c.edges, s+" "+name(e.to))
	}
	return c
}
