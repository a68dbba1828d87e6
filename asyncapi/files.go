package asyncapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/yamlx"
)

// filesKey is the root key under which the files reached by relative $refs
// are embedded in Document.Raw, by their path.
const filesKey = "x-telaio-files"

// file is one decoded source file with what is needed to map pointers to
// positions.
type file struct {
	name  string     // the diag.Range file name
	src   []byte     // its bytes
	node  *yaml.Node // its YAML tree; nil when positions are unknown
	lines *yamlx.Lines
	// keys indexes the large mappings of the tree: key -> position of the
	// key in Content, so that locating a pointer is not quadratic.
	keys map[*yaml.Node]map[string]int
}

// indexAbove is the mapping size from which locate uses an index.
const indexAbove = 16

// fileSet is the main document and the files it embeds, by embedded key.
type fileSet struct {
	main *file
	ext  map[string]*file
}

func newFile(name string, src []byte, node *yaml.Node) *file {
	f := &file{name: name, src: src, node: node, lines: yamlx.NewLines(src)}
	// Index the large mappings (each node once; aliases are not followed).
	stack := []*yaml.Node{node}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		if n.Kind == yaml.MappingNode && len(n.Content) > 2*indexAbove {
			idx := make(map[string]int, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				if _, dup := idx[n.Content[i].Value]; !dup {
					idx[n.Content[i].Value] = i
				}
			}
			if f.keys == nil {
				f.keys = map[*yaml.Node]map[string]int{}
			}
			f.keys[n] = idx
		}
		stack = append(stack, n.Content...)
	}
	return f
}

// pos converts the YAML library's line and column (columns count
// characters, and a byte order mark is not counted) into a diag.Pos whose
// column counts bytes.
func (f *file) pos(line, col int) diag.Pos {
	c, off := f.lines.Pos(line, col)
	return diag.Pos{Line: max(line, 1), Column: c, Byte: off}
}

// split parses a pointer into Document.Raw ("#" fragment form accepted)
// and returns the file it points into and the tokens inside that file.
func (fs *fileSet) split(ptr string) (*file, []string, bool) {
	var toks jsonptr.Pointer
	var err error
	if strings.HasPrefix(ptr, "#") {
		toks, err = jsonptr.ParseFragment(ptr)
	} else {
		toks, err = jsonptr.Parse(ptr)
	}
	if err != nil {
		return fs.main, nil, false
	}
	if len(toks) >= 2 && toks[0] == filesKey {
		if ef, ok := fs.ext[toks[1]]; ok {
			return ef, toks[2:], true
		}
	}
	return fs.main, toks, true
}

// rangeOf maps a pointer into Document.Raw to a position: in the embedded
// file it names, at the deepest node the pointer reaches. A block mapping
// or sequence (or block scalar) that starts on a later line than its key
// is reported at the key.
func (fs *fileSet) rangeOf(ptr string) diag.Range {
	f, toks, ok := fs.split(ptr)
	if !ok || f.node == nil {
		return diag.Range{File: f.name}
	}
	key, val, _ := f.locate(toks)
	n := val
	if key != nil && val.Line != key.Line {
		switch {
		case (val.Kind == yaml.MappingNode || val.Kind == yaml.SequenceNode) && val.Style&yaml.FlowStyle == 0,
			val.Kind == yaml.ScalarNode && val.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			n = key
		}
	}
	return diag.Range{File: f.name, Start: f.pos(n.Line, n.Column)}
}

// keyRange is the position of the key named key in the mapping at ptr (the
// mapping's position when there is no such key).
func (fs *fileSet) keyRange(ptr, key string) diag.Range {
	f, toks, ok := fs.split(ptr)
	if ok && f.node != nil {
		_, m, depth := f.locate(toks)
		if m.Kind == yaml.MappingNode && depth == len(toks) {
			for i := 0; i+1 < len(m.Content); i += 2 {
				if k := m.Content[i]; k.Value == key {
					return diag.Range{File: f.name, Start: f.pos(k.Line, k.Column)}
				}
			}
		}
	}
	return fs.rangeOf(ptr)
}

// locate follows toks from the root as far as it can and returns the key
// of the deepest node reached (nil when it is a sequence item or the
// root), that node, and how many tokens were followed.
func (f *file) locate(toks []string) (key, val *yaml.Node, depth int) {
	val = deref(f.node)
	for i, t := range toks {
		var next, k *yaml.Node
		switch val.Kind {
		case yaml.MappingNode:
			if idx, ok := f.keys[val]; ok {
				if j, found := idx[t]; found {
					k, next = val.Content[j], val.Content[j+1]
				}
				break
			}
			for j := 0; j+1 < len(val.Content); j += 2 {
				if val.Content[j].Value == t {
					k, next = val.Content[j], val.Content[j+1]
					break
				}
			}
		case yaml.SequenceNode:
			if j, ok := jsonptr.Index(t, len(val.Content)); ok && j < len(val.Content) {
				next = val.Content[j]
			}
		}
		if next == nil {
			return key, val, i
		}
		key, val = k, deref(next)
	}
	return key, val, len(toks)
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// keyOrder returns the keys of the mapping at ptr in m in document order:
// the keys the YAML tree lists, then any others (added by a trait merge, or
// all of them when positions are unknown) sorted.
func (fs *fileSet) keyOrder(ptr string, m map[string]any) []string {
	out := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	if f, toks, ok := fs.split(ptr); ok && f.node != nil {
		_, n, depth := f.locate(toks)
		// Only trust the node when the pointer was followed to its end.
		if n.Kind == yaml.MappingNode && depth == len(toks) {
			for _, k := range yamlx.Keys(n) {
				if _, ok := m[k]; ok && !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	if len(out) == len(m) {
		return out
	}
	rest := make([]string, 0, len(m)-len(out))
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// decodeError is a YAML or JSON syntax error with its position.
type decodeError struct {
	line, col int
	msg       string
}

func (e *decodeError) Error() string { return e.msg }

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// decode reads YAML or JSON into a node tree and the JSON data model. A
// JSON text that the YAML parser rejects (YAML 1.2 does not read every JSON
// text: "\/", surrogate pairs, long keys) is decoded by encoding/json, and
// its node is nil (no positions).
func decode(src []byte) (node *yaml.Node, raw any, err error) {
	node, err = parseYAML(src)
	if err != nil {
		t := bytes.TrimLeft(src, " \t\r\n\ufeff")
		if len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(src) {
			if jerr := json.Unmarshal(src, &raw); jerr == nil {
				return nil, raw, nil
			}
		}
		return nil, nil, yamlError(err)
	}
	if node == nil || node.Kind == yaml.ScalarNode && node.ShortTag() == "!!null" && node.Value == "" {
		return nil, nil, &decodeError{line: 1, col: 1, msg: "the document is empty"}
	}
	if bytes.IndexByte(src, '*') >= 0 { // no alias without a "*"
		if err := checkAliases(node); err != nil {
			return nil, nil, err
		}
	}
	raw, err = yamlx.Value(node)
	if err != nil {
		var ye *yamlx.Error
		if errors.As(err, &ye) {
			return nil, nil, &decodeError{line: ye.Line, col: ye.Column, msg: ye.Msg}
		}
		return nil, nil, &decodeError{line: 1, col: 1, msg: err.Error()}
	}
	return node, raw, nil
}

// parseYAML parses src, turning a panic of the YAML library (not expected,
// but documents come from strangers) into an error.
func parseYAML(src []byte) (n *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	return yamlx.Parse(src)
}

func yamlError(err error) *decodeError {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
		msg = m[2]
	}
	return &decodeError{line: line, col: 1, msg: "invalid YAML: " + msg}
}

// duplicateKeys lists every key written twice in one mapping, at its second
// occurrence (decoders disagree on which one wins). Aliases are not
// followed: each node is visited once.
func duplicateKeys(root *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		if n.Kind == yaml.MappingNode {
			seen := make(map[string]bool, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
					if seen[k.Value] {
						out = append(out, k)
					}
					seen[k.Value] = true
				}
			}
		}
		stack = append(stack, n.Content...)
	}
	return out
}

// maxAliasExpansion bounds how many nodes YAML aliases may add once
// expanded (an alias bomb is a few hundred bytes).
const maxAliasExpansion = 1 << 20

// checkAliases refuses a YAML alias to a node that contains it (a merge key
// "<<: *a" inside &a would recurse forever) and aliases that expand to more
// than maxAliasExpansion extra nodes. It counts each node once: the size of
// an anchored node is computed where it is written, before any alias to it
// (YAML anchors precede their aliases).
func checkAliases(root *yaml.Node) *decodeError {
	const unbounded = 1 << 40
	sizes := map[*yaml.Node]int{}
	open := map[*yaml.Node]bool{}
	var cycle *yaml.Node
	var size func(n *yaml.Node, depth int) int
	size = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if v, ok := sizes[n]; ok {
			return v
		}
		if open[n] || depth > 20000 {
			return unbounded
		}
		open[n] = true
		total := 1
		if n.Kind == yaml.AliasNode {
			if open[n.Alias] && cycle == nil {
				cycle = n
			}
			total += size(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			total = min(total+size(c, depth+1), unbounded)
		}
		open[n] = false
		sizes[n] = total
		return total
	}
	expanded := size(root, 0)
	if cycle != nil {
		return &decodeError{line: cycle.Line, col: cycle.Column, msg: "invalid YAML: this alias refers to a node that contains it"}
	}
	if extra := expanded - len(sizes); extra > maxAliasExpansion {
		return &decodeError{line: 1, col: 1, msg: fmt.Sprintf("the document's aliases expand to more than %d extra nodes", maxAliasExpansion)}
	}
	return nil
}
