package upgrade

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/internal/yamlx"
)

// maxDepth bounds the nesting the source reader follows (arazzo.Parse has
// already read the document, so this only guards against a caller that
// hands over bytes it did not parse).
const maxDepth = 1000

// source is the document's text with a node tree that knows where each
// node was written: the byte offset where a node starts, and for scalars,
// where each byte of the value came from (see scalar).
type source struct {
	src  []byte
	json bool
	root *yaml.Node

	lines *yamlx.Lines // YAML: character columns to byte offsets
	// starts are the JSON nodes' byte offsets (YAML nodes are located
	// through lines).
	starts map[*yaml.Node]int
	// flow marks nodes inside a flow collection (where "," "[" "]" "{" "}"
	// end a plain scalar); parent maps a node to its collection.
	flow   map[*yaml.Node]bool
	parent map[*yaml.Node]*yaml.Node
	// shared marks the nodes under an anchor that an alias refers to: an
	// edit there would change every place that uses it.
	shared map[*yaml.Node]bool
	// lineStarts are the offsets where lines start, for positions.
	lineStarts []int
}

// isJSON reports whether src is a JSON text with an object at its root,
// which is how arazzo.Parse decides to read it as JSON.
func isJSON(src []byte) bool {
	i := skipJSONSpace(src, 0)
	return i < len(src) && src[i] == '{' && json.Valid(src)
}

func skipJSONSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

// readSource builds the node tree of src.
func readSource(src []byte) (*source, error) {
	s := &source{src: src, flow: map[*yaml.Node]bool{}, parent: map[*yaml.Node]*yaml.Node{}, shared: map[*yaml.Node]bool{}}
	s.lineStarts = []int{0}
	for i, c := range src {
		if c == '\n' {
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	if isJSON(src) {
		s.json = true
		s.starts = map[*yaml.Node]int{}
		j := &jsonReader{src: src, starts: s.starts, endAt: map[*yaml.Node]int{}}
		root, err := j.value(skipJSONSpace(src, 0), 0)
		if err != nil {
			return nil, err
		}
		s.root = root
	} else {
		root, err := yamlx.Parse(src)
		if err != nil {
			return nil, err
		}
		if root == nil || root.Kind != yaml.MappingNode {
			return nil, errors.New("the document is not a YAML mapping")
		}
		s.root = root
		s.lines = yamlx.NewLines(src)
	}
	if err := s.index(s.root, nil, false, 0); err != nil {
		return nil, err
	}
	return s, nil
}

// index records parents and flow context, and marks the subtrees aliases
// refer to as shared.
func (s *source) index(n, parent *yaml.Node, flow bool, depth int) error {
	if depth > maxDepth {
		return errors.New("document nested too deeply")
	}
	if parent != nil {
		s.parent[n] = parent
	}
	if s.json || n.Style&yaml.FlowStyle != 0 && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
		flow = true
	}
	s.flow[n] = flow
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		s.markShared(n.Alias, 0)
	}
	for _, c := range n.Content {
		if err := s.index(c, n, flow, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (s *source) markShared(n *yaml.Node, depth int) {
	if n == nil || s.shared[n] || depth > maxDepth {
		return
	}
	s.shared[n] = true
	for _, c := range n.Content {
		s.markShared(c, depth+1)
	}
}

// isShared reports whether n, or a collection it is in, is the target of
// an alias.
func (s *source) isShared(n *yaml.Node) bool {
	for i := 0; n != nil && i <= maxDepth; i++ {
		if s.shared[n] {
			return true
		}
		n = s.parent[n]
	}
	return false
}

// rawStart is the offset the YAML library gives for n: before its anchor
// and tag, where arazzo's diagnostics point.
func (s *source) rawStart(n *yaml.Node) int {
	if s.json {
		return s.starts[n]
	}
	_, off := s.lines.Pos(n.Line, n.Column)
	return off
}

// start is the byte offset where n was written: for a YAML node, after
// its anchor and tag, if any.
func (s *source) start(n *yaml.Node) int {
	if s.json {
		return s.starts[n]
	}
	_, off := s.lines.Pos(n.Line, n.Column)
	// The library's position includes the node's properties.
	for off < len(s.src) && (s.src[off] == '&' || s.src[off] == '!') {
		for off < len(s.src) && !isSpace(s.src[off]) {
			off++
		}
		for off < len(s.src) && isSpace(s.src[off]) {
			off++
		}
	}
	return off
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// pos converts a byte offset into a 1-based line and byte column.
func pos(lineStarts []int, off int) (line, col int) {
	lo, hi := 0, len(lineStarts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if lineStarts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - lineStarts[lo] + 1
}

// scalarText is where a scalar's value came from: at[i] is the offset of
// the source byte that is byte i of the value, or -1 when that byte comes
// from an escape, a folded line break or a doubled quote; end is the
// offset just after the scalar (its closing quote, for quoted ones; -1
// for block scalars, whose end is not needed).
type scalarText struct {
	start, end int
	at         []int
}

// errLocate is returned when a scalar's text cannot be matched with its
// value (a form this package does not edit, such as a plain scalar with
// trailing spaces before a line break).
var errLocate = errors.New("cannot locate the value in the text")

// scalar locates the value of the scalar node n in the text.
func (s *source) scalar(n *yaml.Node) (*scalarText, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, errLocate
	}
	st := s.start(n)
	if st >= len(s.src) && n.Value != "" {
		return nil, errLocate
	}
	if s.json {
		return alignQuoted(s.src, st, n.Value, '"')
	}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return alignQuoted(s.src, st, n.Value, '"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		return alignQuoted(s.src, st, n.Value, '\'')
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return alignBlock(s.src, st, n.Value)
	}
	return alignPlain(s.src, st, n.Value, s.flow[n])
}

// alignPlain matches a plain scalar's value with the text from start. A
// line break and the indentation around it fold into one space (or into
// line feeds, one per empty line).
func alignPlain(src []byte, start int, v string, flow bool) (*scalarText, error) {
	t := &scalarText{start: start, at: make([]int, len(v))}
	i, j := 0, start
	for i < len(v) {
		if j < len(src) && src[j] == v[i] && src[j] != '\n' && src[j] != '\r' {
			t.at[i] = j
			i++
			j++
			continue
		}
		if (v[i] == ' ' || v[i] == '\n') && j < len(src) && (src[j] == '\n' || src[j] == '\r') {
			for j < len(src) && isSpace(src[j]) {
				j++
			}
			for i < len(v) && (v[i] == ' ' || v[i] == '\n') {
				t.at[i] = -1
				i++
			}
			continue
		}
		return nil, errLocate
	}
	t.end = j
	// The scalar must end here: at a break, a comment, a value indicator or
	// (in a flow collection) a flow indicator.
	if j < len(src) && !isSpace(src[j]) && src[j] != ':' && !(flow && strings.IndexByte(",]}", src[j]) >= 0) {
		return nil, errLocate
	}
	return t, nil
}

// alignQuoted matches a quoted scalar's value (q is ' or ") with the text
// from its opening quote.
func alignQuoted(src []byte, start int, v string, q byte) (*scalarText, error) {
	if start >= len(src) || src[start] != q {
		return nil, errLocate
	}
	t := &scalarText{start: start, at: make([]int, len(v))}
	i, j := 0, start+1
	for {
		if j >= len(src) {
			return nil, errLocate
		}
		c := src[j]
		switch {
		case c == q && q == '\'' && j+1 < len(src) && src[j+1] == '\'':
			if i >= len(v) || v[i] != '\'' {
				return nil, errLocate
			}
			t.at[i] = -1
			i++
			j += 2
		case c == q:
			if i != len(v) {
				return nil, errLocate
			}
			t.end = j + 1
			return t, nil
		case c == '\\' && q == '"':
			dec, n, ok := unescape(src[j:])
			if !ok {
				return nil, errLocate
			}
			j += n
			if dec == "" { // an escaped line break
				for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
					j++
				}
				continue
			}
			if !strings.HasPrefix(v[i:], dec) {
				return nil, errLocate
			}
			for k := 0; k < len(dec); k++ {
				t.at[i+k] = -1
			}
			i += len(dec)
		case c == '\n' || c == '\r':
			// A line break folds, with the indentation after it, into a
			// space (or line feeds, one per empty line).
			for j < len(src) && isSpace(src[j]) {
				j++
			}
			for i < len(v) && (v[i] == ' ' || v[i] == '\n') {
				t.at[i] = -1
				i++
			}
		default:
			if i >= len(v) || v[i] != c {
				return nil, errLocate
			}
			t.at[i] = j
			i++
			j++
		}
	}
}

// unescape decodes the escape sequence at the start of b (a YAML or JSON
// double-quoted escape): the bytes it stands for, and its length. An
// escaped line break stands for nothing.
func unescape(b []byte) (string, int, bool) {
	if len(b) < 2 {
		return "", 0, false
	}
	simple := map[byte]string{'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v",
		'f': "\f", 'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"", '/': "/", '\\': "\\", 'N': "\u0085", '_': "\u00a0",
		'L': "\u2028", 'P': "\u2029"}
	if d, ok := simple[b[1]]; ok {
		return d, 2, true
	}
	width := 0
	switch b[1] {
	case '\n':
		return "", 2, true
	case '\r':
		if len(b) > 2 && b[2] == '\n' {
			return "", 3, true
		}
		return "", 2, true
	case 'x':
		width = 2
	case 'u':
		width = 4
	case 'U':
		width = 8
	default:
		return "", 0, false
	}
	if len(b) < 2+width {
		return "", 0, false
	}
	r, err := strconv.ParseUint(string(b[2:2+width]), 16, 32)
	if err != nil {
		return "", 0, false
	}
	n := 2 + width
	if width == 4 && r >= 0xD800 && r < 0xDC00 && len(b) >= n+6 && b[n] == '\\' && b[n+1] == 'u' {
		// A JSON surrogate pair.
		if lo, err := strconv.ParseUint(string(b[n+2:n+6]), 16, 32); err == nil && lo >= 0xDC00 && lo < 0xE000 {
			r = (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000
			n += 6
		}
	}
	if !utf8.ValidRune(rune(r)) {
		return string(utf8.RuneError), n, true
	}
	return string(rune(r)), n, true
}

// alignBlock matches a literal or folded block scalar's value with its
// content lines. Only the bytes of the lines are located; what joins them
// (a line feed, or a space where a folded scalar folds) is not.
func alignBlock(src []byte, start int, v string) (*scalarText, error) {
	t := &scalarText{start: start, end: -1, at: make([]int, len(v))}
	for k := range t.at {
		t.at[k] = -1
	}
	eol := bytes.IndexByte(src[start:], '\n')
	if eol < 0 {
		return nil, errLocate
	}
	j := start + eol + 1
	indent := -1
	i := 0
	for j < len(src) && i < len(v) {
		end := bytes.IndexByte(src[j:], '\n')
		if end < 0 {
			end = len(src) - j
		}
		line := src[j : j+end]
		line = bytes.TrimSuffix(line, []byte("\r"))
		lead := 0
		for lead < len(line) && line[lead] == ' ' {
			lead++
		}
		if lead == len(line) { // an empty line
			j += end + 1
			continue
		}
		if indent < 0 {
			indent = lead
		}
		if lead < indent {
			break
		}
		text := string(line[indent:])
		// Skip what joins this line to the previous one.
		for i < len(v) && !strings.HasPrefix(v[i:], text) && (v[i] == '\n' || v[i] == ' ') {
			i++
		}
		if !strings.HasPrefix(v[i:], text) {
			return nil, errLocate
		}
		for k := 0; k < len(text); k++ {
			t.at[i+k] = j + indent + k
		}
		i += len(text)
		j += end + 1
	}
	for ; i < len(v); i++ {
		if v[i] != '\n' && v[i] != ' ' {
			return nil, errLocate
		}
	}
	return t, nil
}

// jsonReader builds a node tree from a text json.Valid accepted,
// recording where each node starts.
type jsonReader struct {
	src    []byte
	starts map[*yaml.Node]int
	endAt  map[*yaml.Node]int
}

func (r *jsonReader) value(i, depth int) (*yaml.Node, error) {
	if depth > maxDepth {
		return nil, errors.New("document nested too deeply")
	}
	i = skipJSONSpace(r.src, i)
	if i >= len(r.src) {
		return nil, errors.New("unexpected end of JSON")
	}
	n := &yaml.Node{}
	r.starts[n] = i
	switch c := r.src[i]; {
	case c == '{' || c == '[':
		n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
		closer := byte('}')
		if c == '[' {
			n.Kind, n.Tag, closer = yaml.SequenceNode, "!!seq", ']'
		}
		i++
		for {
			i = skipJSONSpace(r.src, i)
			if i >= len(r.src) {
				return nil, errors.New("unexpected end of JSON")
			}
			if r.src[i] == closer {
				r.ends(n, i+1)
				return n, nil
			}
			if r.src[i] == ',' {
				i++
				continue
			}
			if n.Kind == yaml.MappingNode {
				k, err := r.value(i, depth+1)
				if err != nil {
					return nil, err
				}
				i = skipJSONSpace(r.src, r.end(k))
				if i >= len(r.src) || r.src[i] != ':' {
					return nil, errors.New("invalid JSON object")
				}
				i++
				n.Content = append(n.Content, k)
			}
			v, err := r.value(i, depth+1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
			i = r.end(v)
		}
	case c == '"':
		j := i + 1
		for j < len(r.src) && r.src[j] != '"' {
			if r.src[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(r.src) {
			return nil, errors.New("unterminated JSON string")
		}
		if err := json.Unmarshal(r.src[i:j+1], &n.Value); err != nil {
			return nil, err
		}
		n.Kind, n.Tag, n.Style = yaml.ScalarNode, "!!str", yaml.DoubleQuotedStyle
		r.ends(n, j+1)
	default:
		j := i
		for j < len(r.src) && strings.IndexByte(" \t\r\n,]}", r.src[j]) < 0 {
			j++
		}
		n.Kind, n.Value = yaml.ScalarNode, string(r.src[i:j])
		switch {
		case n.Value == "true" || n.Value == "false":
			n.Tag = "!!bool"
		case n.Value == "null":
			n.Tag = "!!null"
		case strings.ContainsAny(n.Value, ".eE"):
			n.Tag = "!!float"
		default:
			n.Tag = "!!int"
		}
		r.ends(n, j)
	}
	return n, nil
}

func (r *jsonReader) ends(n *yaml.Node, end int) { r.endAt[n] = end }

func (r *jsonReader) end(n *yaml.Node) int { return r.endAt[n] }
