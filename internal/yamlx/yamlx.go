// Package yamlx converts go.yaml.in/yaml/v3 nodes to plain Go values in the
// JSON data model (nil, bool, float64, string, []any, map[string]any), the
// model every Telaio package works with, and maps positions.
//
// Numbers become float64 (as encoding/json does). Aliases are expanded with
// a budget (MaxNodes, counting every node produced, merged mappings
// included) so that alias bombs fail instead of exhausting memory or time;
// an alias to a node that contains it (a: &a [*a], or a merge key
// <<: *a inside &a) is an error, never a recursion; merge keys (<<) are
// honoured; map keys must be scalars.
package yamlx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxNodes bounds the number of nodes produced while expanding aliases.
const MaxNodes = 1 << 22

// Error is a conversion error at a node.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// Parse decodes YAML (or JSON) bytes into a document node. The returned node
// is the document's root content (never the DocumentNode wrapper); nil with no
// error means the input was empty.
func Parse(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0], nil
	}
	return &doc, nil
}

// Value converts n to a Go value in the JSON data model.
func Value(n *yaml.Node) (any, error) {
	c := converter{budget: MaxNodes}
	return c.value(n, 0)
}

// Error messages of Value, matched by tests.
const (
	msgBudget = "document too large (alias expansion budget exceeded)"
	msgCycle  = "this alias refers to a node that contains it"
	msgDepth  = "document nested too deeply"
)

// DecodeNode parses src and converts it with Value, returning the node tree
// too (for callers that need key order or positions).
func DecodeNode(src []byte) (*yaml.Node, any, error) {
	n, err := Parse(src)
	if err != nil || n == nil {
		return n, nil, err
	}
	v, err := Value(n)
	return n, v, err
}

// Lookup follows unescaped JSON pointer tokens through mappings and
// sequences of a node tree (aliases followed); nil when absent.
func Lookup(n *yaml.Node, tokens []string) *yaml.Node {
	for _, t := range tokens {
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil {
			return nil
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == t {
					next = n.Content[i+1]
					break
				}
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// Keys lists the keys of a mapping node in document order.
func Keys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}

// Decode parses src and converts it with Value.
func Decode(src []byte) (any, error) {
	n, err := Parse(src)
	if err != nil || n == nil {
		return nil, err
	}
	return Value(n)
}

type converter struct {
	budget int
	// open holds the anchored nodes being converted: an alias to one of
	// them is a cycle. Only anchored nodes can be the target of an alias,
	// so the others are not tracked.
	open map[*yaml.Node]bool
}

const maxDepth = 10000

// enter counts n against the budget and the depth limit.
func (c *converter) enter(n *yaml.Node, depth int) error {
	c.budget--
	if c.budget < 0 {
		return &Error{n.Line, n.Column, msgBudget}
	}
	if depth > maxDepth {
		return &Error{n.Line, n.Column, msgDepth}
	}
	return nil
}

// alias returns the target of the alias node n, refusing a target that is
// being converted (it contains n).
func (c *converter) alias(n *yaml.Node) (*yaml.Node, error) {
	if n.Alias == nil {
		return nil, &Error{n.Line, n.Column, "unknown alias"}
	}
	if c.open[n.Alias] {
		return nil, &Error{n.Line, n.Column, msgCycle}
	}
	return n.Alias, nil
}

// push marks an anchored node as being converted; pop unmarks it.
func (c *converter) push(n *yaml.Node) bool {
	if n.Anchor == "" {
		return false
	}
	if c.open == nil {
		c.open = map[*yaml.Node]bool{}
	}
	c.open[n] = true
	return true
}

func (c *converter) pop(n *yaml.Node, pushed bool) {
	if pushed {
		delete(c.open, n)
	}
}

func (c *converter) value(n *yaml.Node, depth int) (any, error) {
	if err := c.enter(n, depth); err != nil {
		return nil, err
	}
	pushed := c.push(n)
	defer c.pop(n, pushed)
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		target, err := c.alias(n)
		if err != nil {
			return nil, err
		}
		return c.value(target, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.value(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		if err := c.mapping(n, out, depth); err != nil {
			return nil, err
		}
		return out, nil
	case yaml.ScalarNode:
		return Scalar(n)
	}
	return nil, &Error{n.Line, n.Column, "unsupported YAML node"}
}

func (c *converter) mapping(n *yaml.Node, out map[string]any, depth int) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			if err := c.merge(v, out, depth); err != nil {
				return err
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return &Error{k.Line, k.Column, "map keys must be strings"}
		}
		val, err := c.value(v, depth+1)
		if err != nil {
			return err
		}
		out[k.Value] = val
	}
	return nil
}

// merge applies the value of a merge key. Every node it goes through
// counts against the budget (a chain of mappings that only merge aliases
// produces no value of its own, yet doubles the work at each link), and an
// alias to a mapping being converted is a cycle.
func (c *converter) merge(v *yaml.Node, out map[string]any, depth int) error {
	if err := c.enter(v, depth); err != nil {
		return err
	}
	if v.Kind == yaml.AliasNode {
		target, err := c.alias(v)
		if err != nil {
			return err
		}
		v = target
	}
	switch v.Kind {
	case yaml.MappingNode:
		if err := c.enter(v, depth+1); err != nil {
			return err
		}
		pushed := c.push(v)
		defer c.pop(v, pushed)
		tmp := map[string]any{}
		if err := c.mapping(v, tmp, depth+1); err != nil {
			return err
		}
		for k, x := range tmp {
			if _, ok := out[k]; !ok {
				out[k] = x
			}
		}
		return nil
	case yaml.SequenceNode:
		for _, item := range v.Content {
			if err := c.merge(item, out, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return &Error{v.Line, v.Column, "merge value must be a map"}
}

// Scalar converts a scalar node by its resolved tag.
func Scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &Error{n.Line, n.Column, err.Error()}
		}
		return b, nil
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return float64(i), nil
		}
		if u, err := strconv.ParseUint(s, 0, 64); err == nil {
			return float64(u), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, &Error{n.Line, n.Column, fmt.Sprintf("invalid integer %q", n.Value)}
		}
		return f, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, &Error{n.Line, n.Column, err.Error()}
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, &Error{n.Line, n.Column, fmt.Sprintf("number %q is not representable in JSON", n.Value)}
		}
		return f, nil
	case "!!str", "!!binary", "!!timestamp", "":
		return n.Value, nil
	}
	return n.Value, nil
}

// Lines indexes where the lines of a text start, to turn the positions of
// the YAML library (columns count characters, and a byte order mark is not
// counted) into byte columns and offsets, as diag.Pos wants them.
type Lines struct {
	src    []byte
	starts []int
}

// NewLines indexes src.
func NewLines(src []byte) *Lines {
	l := &Lines{src: src, starts: []int{0}}
	for i, c := range src {
		if c == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	return l
}

// Pos converts a 1-based line and character column into a 1-based byte
// column and a byte offset. A position outside the text is returned as it
// is (offset 0).
func (l *Lines) Pos(line, col int) (byteCol, offset int) {
	if line < 1 || line > len(l.starts) {
		return max(col, 1), 0
	}
	start := l.starts[line-1]
	off := start
	if line == 1 && bytes.HasPrefix(l.src, []byte("\ufeff")) {
		off += 3
	}
	for c := 1; c < col && off < len(l.src) && l.src[off] != '\n'; c++ {
		_, size := utf8.DecodeRune(l.src[off:])
		off += size
	}
	return off - start + 1, off
}
