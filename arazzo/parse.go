package arazzo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/suggest"
	"github.com/telaio/telaio/internal/yamlx"
)

// Limits on documents given to Parse.
const (
	// DefaultMaxDocumentBytes is the largest document Parse accepts unless
	// WithMaxDocumentBytes says otherwise; a larger one gives a
	// CodeDocumentTooLarge diagnostic.
	DefaultMaxDocumentBytes = 16 << 20
	// MaxDocumentBytes is the former name of DefaultMaxDocumentBytes.
	MaxDocumentBytes = DefaultMaxDocumentBytes
	// DefaultMaxNestingDepth is how deeply Parse lets objects and arrays
	// nest (the root object is level 1), counting what YAML aliases expand
	// to, unless WithMaxNestingDepth says otherwise; a deeper document gives
	// one CodeNestingTooDeep diagnostic at the first collection past the
	// limit. Real documents nest a few dozen levels; every later phase
	// walks values recursively.
	DefaultMaxNestingDepth = 1000
	// maxDiagnostics caps how many diagnostics one document reports.
	maxDiagnostics = 200
	// maxAliasExpansion caps how many nodes YAML aliases may add when they
	// are expanded (an alias bomb is a few hundred bytes).
	maxAliasExpansion = 1 << 20
)

// ParseOption configures Parse.
type ParseOption func(*parseConfig)

type parseConfig struct {
	maxBytes int64
	maxDepth int
	// anyRoot parses a document whose root says it is another kind of
	// description as an Arazzo document (the loader, for a source declared
	// arazzo: Validate then reports the mismatch).
	anyRoot bool
}

// WithMaxDocumentBytes sets the largest document Parse accepts, in bytes. A
// value n <= 0 keeps DefaultMaxDocumentBytes.
func WithMaxDocumentBytes(n int64) ParseOption {
	return func(c *parseConfig) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// WithMaxNestingDepth sets how deeply objects and arrays may nest in a
// document given to Parse. A value n <= 0 keeps DefaultMaxNestingDepth; a
// value above the YAML library's own limit (10000 levels of flow or of
// block collections) is only reached by mixing the two styles or through
// aliases.
func WithMaxNestingDepth(n int) ParseOption {
	return func(c *parseConfig) {
		if n > 0 {
			c.maxDepth = n
		}
	}
}

// Parse decodes an Arazzo document written in YAML or JSON. It always returns
// a (possibly partial) document when the bytes are well-formed YAML, together
// with every structural problem found: unknown or mistyped fields and missing
// required fields. Semantic checks are Validate's job. file names the document
// in diagnostics. A document larger than DefaultMaxDocumentBytes (or the
// WithMaxDocumentBytes option) gives only a CodeDocumentTooLarge diagnostic,
// and one nested deeper than DefaultMaxNestingDepth (WithMaxNestingDepth)
// only a CodeNestingTooDeep diagnostic.
func Parse(src []byte, file string, opts ...ParseOption) (*Document, diag.Diagnostics) {
	cfg := parseConfig{maxBytes: DefaultMaxDocumentBytes, maxDepth: DefaultMaxNestingDepth}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	doc := &Document{File: file, Src: src, URL: file}
	p := &parser{doc: doc}
	if int64(len(src)) > cfg.maxBytes {
		p.diags.Errorf(diag.Range{File: file, Start: diag.Pos{Line: 1, Column: 1}}, CodeDocumentTooLarge,
			"document is %d bytes, more than the limit of %d", len(src), cfg.maxBytes)
		return nil, p.diags
	}
	root, isJSON := parseJSON(src)
	var err error
	if !isJSON {
		root, err = parseYAML(src)
		if err == nil {
			remapPositions(root, src)
		}
	}
	if err != nil {
		if d := jsonError(file, src); d != nil {
			p.diags = append(p.diags, d)
		} else {
			p.diags = append(p.diags, yamlError(file, src, err))
		}
		return nil, p.diags
	}
	if root != nil && root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" && root.Value == "" {
		root = nil // a document with only a "---" marker
	}
	if root == nil {
		p.diags.Errorf(diag.Range{File: file, Start: diag.Pos{Line: 1, Column: 1}}, CodeInvalidDocument, "document is empty")
		return nil, p.diags
	}
	if sh := measure(root, cfg.maxDepth); sh.deep != nil || sh.expanded-sh.real > maxAliasExpansion {
		p.diags = append(p.diags, shapeError(file, sh, cfg.maxDepth))
		return nil, p.diags
	}
	doc.root = root
	version := rootVersion(root)
	p.v11, p.version = is11(version), version
	doc.exprOpts = []expr.Option{expr.ArazzoVersion(version), expr.Lenient()}
	p.duplicateKeys(root)
	raw, err := yamlx.Value(root)
	if err != nil {
		var ye *yamlx.Error
		r := diag.Range{File: file, Start: diag.Pos{Line: 1, Column: 1}}
		if errors.As(err, &ye) {
			r.Start = diag.Pos{Line: ye.Line, Column: ye.Column}
			err = errors.New(ye.Msg)
		}
		p.diags.Errorf(r, CodeInvalidDocument, "%v", err)
		return nil, p.diags
	}
	doc.Raw = raw
	if name := otherDescription(raw); name != "" && !cfg.anyRoot {
		// One clear error rather than a page of unknown fields.
		p.diags.Errorf(diag.Range{File: file, Start: diag.Pos{Line: 1, Column: 1}}, CodeNotArazzo,
			"%s is %s, not an Arazzo document (an Arazzo document names its API descriptions in sourceDescriptions)", file, name)
		return nil, p.diags
	}
	p.document(root)
	if p.v11 {
		for _, w := range doc.Workflows {
			if w != nil {
				computeDeps(w)
			}
		}
	}
	p.diags.Sort()
	if len(p.diags) > maxDiagnostics {
		p.diags = p.diags[:maxDiagnostics]
	}
	return doc, p.diags
}

// rootVersion is the arazzo field of a document's root mapping, "" when
// there is none (or it is not a scalar).
func rootVersion(root *yaml.Node) string {
	root = deref(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "arazzo" {
			if v := deref(root.Content[i+1]); v != nil && v.Kind == yaml.ScalarNode {
				return v.Value
			}
		}
	}
	return ""
}

// otherDescription names the kind of an API description that is not an
// Arazzo document ("an OpenAPI description"), or "".
func otherDescription(raw any) string {
	m, ok := raw.(map[string]any)
	if !ok {
		return ""
	}
	if _, ok := m["arazzo"]; ok {
		return ""
	}
	for _, k := range []struct{ key, name string }{{"openapi", "an OpenAPI description"}, {"swagger", "a Swagger 2.0 description"}, {"asyncapi", "an AsyncAPI description"}} {
		if _, ok := m[k.key]; ok {
			return k.name
		}
	}
	return ""
}

func parseYAML(src []byte) (n *yaml.Node, err error) {
	defer func() {
		// The YAML library is not expected to panic, but documents come from
		// strangers: never let one take the process down.
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	var docNode yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&docNode); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &multiDocError{line: extra.Line}
	}
	if docNode.Kind == yaml.DocumentNode && len(docNode.Content) > 0 {
		return docNode.Content[0], nil
	}
	return nil, nil
}

// shapeError reports a document measure found too deep or whose aliases
// expand too much.
func shapeError(file string, sh docShape, maxDepth int) *diag.Diagnostic {
	if sh.deep == nil {
		return &diag.Diagnostic{Severity: diag.Error, Code: CodeInvalidDocument, Range: diag.Range{File: file, Start: diag.Pos{Line: 1, Column: 1}},
			Message: fmt.Sprintf("document too large: its %d aliases expand to %d more nodes than it has (limit %d)", sh.aliases, sh.expanded-sh.real, maxAliasExpansion)}
	}
	at, msg := sh.deep, fmt.Sprintf("objects and arrays nest deeper than %d levels here (the limit, WithMaxNestingDepth)", maxDepth)
	if sh.via != nil {
		at = sh.via
		msg = fmt.Sprintf("objects and arrays nest deeper than %d levels once this alias is expanded (the limit, WithMaxNestingDepth; the collection past it is at line %d)", maxDepth, sh.deep.Line)
	}
	return &diag.Diagnostic{Severity: diag.Error, Code: CodeNestingTooDeep, Range: nodeRange(file, at), Message: msg}
}

// docShape is what measure finds out about a node tree.
type docShape struct {
	// real counts the nodes of the tree; expanded counts them once aliases
	// are expanded (saturating at shapeSaturate). Without aliases the two
	// are equal.
	real, expanded int
	// aliases counts the alias nodes.
	aliases int
	// deep is the first collection (in document order) nested deeper than
	// the limit, nil when there is none; via is the outermost alias on the
	// path to it, nil when the path goes through none.
	deep, via *yaml.Node
}

// shapeSaturate bounds the expanded count (far above maxAliasExpansion).
const shapeSaturate = 1 << 40

// measure counts the nodes under root, with and without alias expansion,
// and finds the first collection nested deeper than maxDepth levels (the
// root mapping is level 1; scalars and aliases add no level; an alias
// counts as the nesting of what it expands to). It stops at the first
// such collection. Each node's expanded size and height are computed once,
// so an alias bomb costs the size of its text.
func measure(root *yaml.Node, maxDepth int) docShape {
	type memo struct{ size, height int }
	var sh docShape
	done := map[*yaml.Node]memo{}
	busy := map[*yaml.Node]bool{}
	// deepest walks n, a subtree measured before and now reached at level
	// depth where its height is too much, down its highest children to the
	// first collection past maxDepth.
	deepest := func(n *yaml.Node, depth int, via *yaml.Node) {
		for n != nil {
			switch n.Kind {
			case yaml.AliasNode:
				if via == nil {
					via = n
				}
				n = n.Alias
				continue
			case yaml.MappingNode, yaml.SequenceNode:
				if depth++; depth > maxDepth {
					sh.deep, sh.via = n, via
					return
				}
			default:
				return
			}
			var next *yaml.Node
			best := -1
			for _, c := range n.Content {
				if h := done[c].height; h > best {
					best, next = h, c
				}
			}
			n = next
		}
	}
	// visit returns the expanded size and height of n, reached at level
	// depth (the number of collections above it), through the alias via.
	var visit func(n *yaml.Node, depth int, via *yaml.Node) memo
	visit = func(n *yaml.Node, depth int, via *yaml.Node) memo {
		if n == nil || sh.deep != nil {
			return memo{}
		}
		if m, ok := done[n]; ok {
			if depth+m.height > maxDepth {
				// A subtree seen before, reached deeper through an alias:
				// find its first collection past the limit.
				deepest(n, depth, via)
			}
			return m
		}
		if busy[n] {
			// An alias to one of its own ancestors: unbounded. (The
			// library refuses such documents; this is a safeguard.)
			if sh.deep == nil {
				sh.deep, sh.via = n, via
			}
			return memo{size: shapeSaturate, height: maxDepth + 1}
		}
		m := memo{size: 1}
		switch n.Kind {
		case yaml.AliasNode:
			sh.aliases++
			if via == nil {
				via = n
			}
			c := visit(n.Alias, depth, via)
			m.size, m.height = min(1+c.size, shapeSaturate), c.height
		case yaml.MappingNode, yaml.SequenceNode, yaml.DocumentNode:
			level := depth
			if n.Kind != yaml.DocumentNode {
				level++
				if level > maxDepth {
					sh.deep, sh.via = n, via
					return memo{size: 1, height: 1}
				}
			}
			busy[n] = true
			for _, c := range n.Content {
				cm := visit(c, level, via)
				m.size = min(m.size+cm.size, shapeSaturate)
				m.height = max(m.height, cm.height)
			}
			delete(busy, n)
			if n.Kind != yaml.DocumentNode {
				m.height++
			}
		}
		done[n] = m
		return m
	}
	sh.expanded = visit(root, 0, nil).size
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n != nil {
			sh.real++
			stack = append(stack, n.Content...)
		}
	}
	return sh
}

// duplicateKeys reports every key written twice in one mapping, anywhere in
// the document, at its second occurrence. YAML requires keys to be unique
// and JSON says they SHOULD be; decoders disagree on which one wins, so a
// duplicate is an error. (Aliases are not followed: each node is visited
// once.)
func (p *parser) duplicateKeys(root *yaml.Node) {
	type item struct {
		n     *yaml.Node
		depth int
	}
	stack := []item{{root, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if n == nil || it.depth > 10000 {
			continue
		}
		switch n.Kind {
		case yaml.MappingNode:
			seen := make(map[string]*yaml.Node, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
					if first, dup := seen[k.Value]; dup {
						p.errorf(k, CodeDuplicateKey, "key %q is written twice in this object (first at line %d)", k.Value, first.Line)
					} else {
						seen[k.Value] = k
					}
				}
				stack = append(stack, item{n.Content[i+1], it.depth + 1})
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				stack = append(stack, item{c, it.depth + 1})
			}
		}
	}
}

// parseJSON decodes src into a YAML node tree with positions when src is a
// JSON text (an object or array). It exists because a YAML 1.2 parser does
// not read every JSON text: go.yaml.in/yaml/v3 rejects the "\/" escape,
// surrogate pairs and keys longer than 1024 bytes. ok is false when src is
// not JSON; it is then parsed as YAML. Columns count bytes.
func parseJSON(src []byte) (n *yaml.Node, ok bool) {
	i := skipJSONSpace(src, 0)
	if i >= len(src) || (src[i] != '{' && src[i] != '[') || !json.Valid(src) {
		return nil, false
	}
	j := &jsonParser{src: src, line: 1}
	n = j.value(i)
	return n, n != nil
}

// jsonError reports where a text that looks like JSON (it starts with "{"
// or "[") stops being JSON, or nil. It is used when the text is not YAML
// either: the JSON decoder's position is exact where the YAML parser's is
// often the start of the enclosing flow collection.
func jsonError(file string, src []byte) *diag.Diagnostic {
	i := skipJSONSpace(src, 0)
	if i >= len(src) || (src[i] != '{' && src[i] != '[') {
		return nil
	}
	var v any
	err := json.Unmarshal(src, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return nil
	}
	off := int(se.Offset) - 1 // the offending byte
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	col := off - (bytes.LastIndexByte(src[:off], '\n') + 1) + 1
	return &diag.Diagnostic{Severity: diag.Error, Code: CodeJSONSyntax, Message: "invalid JSON: " + strings.TrimPrefix(se.Error(), "json: "),
		Range: diag.Range{File: file, Start: diag.Pos{Line: line, Column: col, Byte: off}}}
}

func skipJSONSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

// jsonParser builds nodes from a text json.Valid accepted, so it checks
// nothing but keeps track of lines.
type jsonParser struct {
	src []byte
	// pos is the next byte to read; line and lineStart locate it.
	pos, line, lineStart int
}

func (j *jsonParser) skip() {
	for j.pos < len(j.src) {
		switch j.src[j.pos] {
		case '\n':
			j.line++
			j.lineStart = j.pos + 1
		case ' ', '\t', '\r':
		default:
			return
		}
		j.pos++
	}
}

// value reads the value at or after byte i.
func (j *jsonParser) value(i int) *yaml.Node {
	if i > j.pos {
		for ; j.pos < i; j.pos++ {
			if j.src[j.pos] == '\n' {
				j.line++
				j.lineStart = j.pos + 1
			}
		}
	}
	j.skip()
	if j.pos >= len(j.src) {
		return nil
	}
	n := &yaml.Node{Line: j.line, Column: j.pos - j.lineStart + 1}
	switch c := j.src[j.pos]; {
	case c == '{':
		n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
		j.pos++
		for {
			j.skip()
			if j.pos >= len(j.src) {
				return nil
			}
			if j.src[j.pos] == '}' {
				j.pos++
				return n
			}
			if j.src[j.pos] == ',' {
				j.pos++
				continue
			}
			k := j.value(j.pos)
			j.skip()
			if k == nil || j.pos >= len(j.src) || j.src[j.pos] != ':' {
				return nil
			}
			j.pos++
			v := j.value(j.pos)
			if v == nil {
				return nil
			}
			n.Content = append(n.Content, k, v)
		}
	case c == '[':
		n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
		j.pos++
		for {
			j.skip()
			if j.pos >= len(j.src) {
				return nil
			}
			if j.src[j.pos] == ']' {
				j.pos++
				return n
			}
			if j.src[j.pos] == ',' {
				j.pos++
				continue
			}
			v := j.value(j.pos)
			if v == nil {
				return nil
			}
			n.Content = append(n.Content, v)
		}
	case c == '"':
		start := j.pos
		j.pos++
		for j.pos < len(j.src) && j.src[j.pos] != '"' {
			if j.src[j.pos] == '\\' {
				j.pos++
			}
			j.pos++
		}
		j.pos++
		if j.pos > len(j.src) || json.Unmarshal(j.src[start:j.pos], &n.Value) != nil {
			return nil
		}
		n.Kind, n.Tag, n.Style = yaml.ScalarNode, "!!str", yaml.DoubleQuotedStyle
	default:
		start := j.pos
		for j.pos < len(j.src) && strings.IndexByte(" \t\r\n,]}", j.src[j.pos]) < 0 {
			j.pos++
		}
		n.Kind, n.Value = yaml.ScalarNode, string(j.src[start:j.pos])
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
	}
	return n
}

// lineMap converts the positions the YAML library reports into ours. The
// library counts columns in characters and also breaks lines at a lone
// carriage return; diag.Pos counts bytes, and lines end at "\n" only (as
// diag.Format prints them). Documents that are ASCII without a lone "\r" —
// nearly all — need no conversion, and newLineMap returns nil for them.
type lineMap struct {
	src        []byte
	yamlStarts []int // byte offset where each YAML line starts
	nlStarts   []int // byte offset where each "\n"-separated line starts
}

func newLineMap(src []byte) *lineMap {
	plain := true
	for i, c := range src {
		if c >= utf8.RuneSelf || (c == '\r' && (i+1 == len(src) || src[i+1] != '\n')) {
			plain = false
			break
		}
	}
	if plain {
		return nil
	}
	m := &lineMap{src: src, yamlStarts: []int{0}, nlStarts: []int{0}}
	if bytes.HasPrefix(src, []byte("\ufeff")) {
		m.yamlStarts[0] = 3 // the library does not count a byte order mark
	}
	for i, c := range src {
		switch {
		case c == '\n':
			m.yamlStarts = append(m.yamlStarts, i+1)
			m.nlStarts = append(m.nlStarts, i+1)
		case c == '\r' && (i+1 == len(src) || src[i+1] != '\n'):
			m.yamlStarts = append(m.yamlStarts, i+1)
		}
	}
	return m
}

// pos converts a YAML line and character column into a line and byte
// column.
func (m *lineMap) pos(yline, ycol int) (line, col int) {
	if yline < 1 {
		return yline, ycol
	}
	off := len(m.src)
	if yline <= len(m.yamlStarts) {
		off = m.yamlStarts[yline-1]
		for c := 1; c < ycol && off < len(m.src) && m.src[off] != '\n' && m.src[off] != '\r'; c++ {
			_, size := utf8.DecodeRune(m.src[off:])
			off += size
		}
	}
	line = sort.Search(len(m.nlStarts), func(i int) bool { return m.nlStarts[i] > off })
	return line, off - m.nlStarts[line-1] + 1
}

// remapPositions rewrites the positions of the nodes under root as ours
// (see lineMap), and keeps them inside the text: the library places an
// empty document's null at the line after a final "---".
func remapPositions(root *yaml.Node, src []byte) {
	m := newLineMap(src)
	last := 1 + bytes.Count(src, []byte("\n"))
	seen := map[*yaml.Node]bool{}
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || seen[n] {
			continue
		}
		seen[n] = true
		if m != nil && n.Line >= 1 {
			n.Line, n.Column = m.pos(n.Line, max(n.Column, 1))
		}
		if n.Line > last {
			n.Line, n.Column = last, 1
		}
		stack = append(stack, n.Content...)
	}
}

type multiDocError struct{ line int }

func (e *multiDocError) Error() string {
	return fmt.Sprintf("yaml: line %d: a file must hold a single YAML document", e.line)
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlError turns a YAML library error into a diagnostic at the line the
// parser reports.
func yamlError(file string, src []byte, err error) *diag.Diagnostic {
	msg := err.Error()
	line := 0
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
		msg = m[2]
	}
	if md, ok := err.(*multiDocError); ok {
		line = md.line
		msg = "a file must hold a single YAML document"
	}
	if line == 0 {
		line = 1
	}
	if m := newLineMap(src); m != nil {
		line, _ = m.pos(line, 1)
	}
	if _, multi := err.(*multiDocError); !multi {
		line = problemLine(src, line)
	}
	// The library may name the line after the last one (end of stream).
	line = min(line, 1+bytes.Count(src, []byte("\n")))
	col := 1
	if text, ok := lineText(src, line); ok {
		col = len(text) - len(strings.TrimLeft(text, " \t")) + 1
	}
	return &diag.Diagnostic{Severity: diag.Error, Code: CodeYAMLSyntax, Message: "invalid YAML: " + msg,
		Range: diag.Range{File: file, Start: diag.Pos{Line: line, Column: col}}}
}

// problemLine finds the line where a YAML error is detected. The YAML
// library reports the line where the enclosing construct starts (for a bad
// indentation that is often line 1); the first line whose prefix fails to
// parse is where the problem is.
func problemLine(src []byte, reported int) int {
	const maxTries = 400
	if len(src) > 1<<20 {
		return reported // each try parses a prefix: too slow for big documents
	}
	var starts []int // byte offset of the end of each line
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	starts = append(starts, len(src))
	if len(starts) <= reported {
		return reported
	}
	fails := func(lines int) bool {
		var n yaml.Node
		return yaml.Unmarshal(src[:starts[lines-1]], &n) != nil
	}
	lo, hi := reported, len(starts)
	if !fails(hi) {
		return reported
	}
	// Binary search for the first failing prefix after the reported line.
	for tries := 0; lo < hi && tries < maxTries; tries++ {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}

func lineText(src []byte, line int) (string, bool) {
	n, start := 1, 0
	for i := 0; i < len(src) && n < line; i++ {
		if src[i] == '\n' {
			n++
			start = i + 1
		}
	}
	if n != line {
		return "", false
	}
	end := bytes.IndexByte(src[start:], '\n')
	if end < 0 {
		return string(src[start:]), true
	}
	return string(src[start : start+end]), true
}

func nodeRange(file string, n *yaml.Node) diag.Range {
	if n == nil {
		return diag.Range{File: file}
	}
	return diag.Range{File: file, Start: diag.Pos{Line: n.Line, Column: n.Column}}
}

// offsetRange maps a byte offset inside a scalar's value to a file position.
func (d *Document) offsetRange(n *yaml.Node, offset int) diag.Range {
	r := nodeRange(d.File, n)
	if n == nil || n.Kind != yaml.ScalarNode || offset <= 0 {
		if n != nil && (n.Style == yaml.LiteralStyle || n.Style == yaml.FoldedStyle) {
			return d.blockOffset(n, 0)
		}
		if n != nil && (n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle) {
			r.Start.Column++
		}
		return r
	}
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		return d.blockOffset(n, offset)
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		r.Start.Column += 1 + offset
	default:
		if strings.Contains(n.Value[:min(offset, len(n.Value))], "\n") {
			return r // a multi-line plain scalar: keep its start
		}
		r.Start.Column += offset
	}
	return r
}

func (d *Document) blockOffset(n *yaml.Node, offset int) diag.Range {
	r := nodeRange(d.File, n)
	if offset > len(n.Value) {
		offset = len(n.Value)
	}
	before := n.Value[:offset]
	lines := strings.Count(before, "\n")
	col := offset - (strings.LastIndexByte(before, '\n') + 1)
	line := n.Line + 1 + lines
	text, ok := lineText(d.Src, line)
	if !ok {
		return r
	}
	indent := len(text) - len(strings.TrimLeft(text, " "))
	r.Start = diag.Pos{Line: line, Column: indent + col + 1}
	return r
}

type parser struct {
	doc   *Document
	diags diag.Diagnostics
	// v11 selects the Arazzo 1.1 rules; version is the arazzo field.
	v11     bool
	version string
	// fieldKey and fieldVal are the key and value of the field being
	// decoded, so that a value of the wrong type written on the lines after
	// its key is reported at the key.
	fieldKey, fieldVal *yaml.Node
}

func (p *parser) errorf(n *yaml.Node, code, format string, args ...any) {
	if code == CodeInvalidType && n != nil && p.fieldKey != nil && (n == p.fieldVal || n == deref(p.fieldVal)) && n.Line != p.fieldKey.Line {
		n = p.fieldKey
	}
	p.diags.Errorf(nodeRange(p.doc.File, n), code, format, args...)
}

// field runs set for the value v of key k, with k as the position of type
// errors in v (see errorf).
func (p *parser) field(k, v *yaml.Node, set func(*parser, *yaml.Node)) {
	ok, ov := p.fieldKey, p.fieldVal
	p.fieldKey, p.fieldVal = k, v
	set(p, v)
	p.fieldKey, p.fieldVal = ok, ov
}

func (p *parser) warnf(n *yaml.Node, code, format string, args ...any) {
	p.diags.Warnf(nodeRange(p.doc.File, n), code, format, args...)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "an array"
	case yaml.AliasNode:
		return kindName(n.Alias)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return "a string"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "null"
		}
		return "a scalar"
	}
	return "a value"
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// fieldSpec describes one fixed field of an object. A v11 field is Arazzo
// 1.1: in a 1.0 document it is decoded, and reported (E1).
type fieldSpec struct {
	name     string
	required bool
	v11      bool
	set      func(p *parser, n *yaml.Node)
}

// requires11 reports a 1.1 feature used in a 1.0 document (E1) at n.
func (p *parser) requires11(n *yaml.Node, what string) {
	p.diags.Errorf(nodeRange(p.doc.File, n), CodeRequires11, "%s", requires11Msg(what, p.version))
}

// requires11Msg says that what is Arazzo 1.1 and how to get there.
func requires11Msg(what, version string) string {
	if version == "" {
		version = "no version"
	}
	return fmt.Sprintf("%s is Arazzo 1.1, and this document declares arazzo %s: declare arazzo: 1.1.0 to use it (telaio upgrade converts a 1.0 document)", what, version)
}

// object decodes a mapping node's fixed fields into m using specs, records
// positions and extensions, reports unknown fields (unless lenient) and
// missing required ones. It returns false when n is not a mapping.
func (p *parser) object(n *yaml.Node, what string, m *Meta, specs []fieldSpec, extensible, lenient bool) bool {
	n = deref(n)
	m.Range = nodeRange(p.doc.File, n)
	m.doc = p.doc
	if n.Kind != yaml.MappingNode {
		p.errorf(n, CodeInvalidType, "%s must be an object, not %s", what, kindName(n))
		return false
	}
	m.fields = make(map[string]field, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, CodeInvalidType, "keys of %s must be strings", what)
			continue
		}
		if k.ShortTag() == "!!merge" {
			p.errorf(k, CodeInvalidType, "%s cannot use a YAML merge key (<<); write its fields out", what)
			continue
		}
		name := k.Value
		if _, dup := m.fields[name]; dup {
			continue // reported by duplicateKeys
		}
		m.fields[name] = field{key: k, value: v}
		if strings.HasPrefix(name, "x-") {
			if !extensible {
				p.warnf(k, CodeExtraField, "%s cannot be extended; %q is ignored", what, name)
				continue
			}
			val, err := yamlx.Value(v)
			if err != nil {
				p.errorf(v, CodeInvalidType, "%v", err)
				continue
			}
			if m.Extensions == nil {
				m.Extensions = map[string]any{}
			}
			m.Extensions[name] = val
			continue
		}
		spec := findSpec(specs, name)
		if spec == nil {
			if lenient {
				p.warnf(k, CodeExtraField, "%s has no field %q; it is ignored", what, name)
			} else {
				p.errorf(k, CodeUnknownField, "%s has no field %q%s", what, name, suggestField(name, specs))
			}
			continue
		}
		if spec.v11 && !p.v11 {
			p.requires11(k, fmt.Sprintf("field %q of %s", name, what))
		}
		p.field(k, v, spec.set)
	}
	for _, s := range specs {
		if s.required {
			if _, ok := m.fields[s.name]; !ok {
				p.errorf(n, CodeMissingField, "%s is missing required field %q", what, s.name)
			}
		}
	}
	return true
}

func findSpec(specs []fieldSpec, name string) *fieldSpec {
	for i := range specs {
		if specs[i].name == name {
			return &specs[i]
		}
	}
	return nil
}

func suggestField(name string, specs []fieldSpec) string {
	best, bestD := "", 3
	for _, s := range specs {
		if d := suggest.Distance(strings.ToLower(name), strings.ToLower(s.name)); d < bestD {
			best, bestD = s.name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// str decodes a string field.
func (p *parser) str(dst *string, what string) func(*parser, *yaml.Node) {
	return func(p *parser, n *yaml.Node) {
		n = deref(n)
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			p.errorf(n, CodeInvalidType, "%s must be a string, not %s", what, kindName(n))
			if n.Kind == yaml.ScalarNode {
				*dst = n.Value
			}
			return
		}
		*dst = n.Value
	}
}

// anyValue decodes a field of any JSON type ("Any | {expression} |
// Selector Object"), and checks the structure of the Selector Objects in
// it.
func (p *parser) anyValue(dst *any, has *bool) func(*parser, *yaml.Node) {
	return func(p *parser, n *yaml.Node) {
		v, err := yamlx.Value(n)
		if err != nil {
			p.errorf(n, CodeInvalidType, "%v", err)
			return
		}
		*dst = v
		if has != nil {
			*has = true
		}
		p.valueSelectors(n, 0)
	}
}

// isSelectorAttempt reports whether a mapping is meant as a Selector
// Object: it has a selector and a context (or the context's former name,
// expression). The 1.1 text and schema cannot tell a literal object from
// a Selector (E20): an object of exactly context, selector and type is
// one at run time (package expr), and one that has selector and context
// (or expression) but another shape is an error here rather than a
// literal sent by mistake.
func isSelectorAttempt(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.MappingNode && hasKey(n, "selector") && (hasKey(n, "context") || hasKey(n, "expression"))
}

// valueSelectors checks the Selector Objects inside an Any value: their
// structure in 1.1, their presence in 1.0 (E1).
func (p *parser) valueSelectors(n *yaml.Node, depth int) {
	n = deref(n)
	if n == nil || depth > 200 {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		if isSelectorAttempt(n) {
			if !p.v11 {
				p.requires11(n, "a Selector Object")
				return
			}
			p.selector(n, "a Selector Object")
			return
		}
		for i := 1; i < len(n.Content); i += 2 {
			p.valueSelectors(n.Content[i], depth+1)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			p.valueSelectors(c, depth+1)
		}
	}
}

// selector decodes a Selector Object.
func (p *parser) selector(n *yaml.Node, what string) *Selector {
	s := &Selector{}
	p.object(n, what, &s.Meta, []fieldSpec{
		{name: "context", required: !hasKey(deref(n), "expression"), set: p.str(&s.Context, "context")},
		{name: "selector", required: true, set: p.str(&s.Selector, "selector")},
		{name: "type", required: true, set: func(p *parser, n *yaml.Node) {
			s.TypeObject, s.Type, s.Version = p.expressionType(n, "type")
		}},
		{name: "expression", set: func(p *parser, _ *yaml.Node) {
			// E24: the field's name before Arazzo 1.1 was published.
			p.diags.Errorf(nodeRange(p.doc.File, p.fieldKey), CodeUnknownField,
				"a Selector Object has no field \"expression\": write \"context\" (the field was renamed before Arazzo 1.1 was published, E24)")
		}},
	}, true, false)
	return s
}

// expressionType decodes a type given as a string or as an Expression
// Type Object.
func (p *parser) expressionType(n *yaml.Node, what string) (obj *ExpressionType, typ, version string) {
	n = deref(n)
	if n.Kind == yaml.MappingNode {
		t := &ExpressionType{}
		name := "an expression type object"
		if !p.v11 {
			name = "a criterion expression type"
		}
		p.object(n, name, &t.Meta, []fieldSpec{
			{name: "type", required: true, set: p.str(&t.Type, "type")},
			{name: "version", required: true, set: p.str(&t.Version, "version")},
		}, true, false)
		return t, t.Type, t.Version
	}
	p.str(&typ, what)(p, n)
	return nil, typ, ""
}

// list decodes a sequence, calling item for each element.
func (p *parser) list(n *yaml.Node, what string, item func(*yaml.Node)) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, CodeInvalidType, "%s must be an array, not %s", what, kindName(n))
		return
	}
	for _, c := range n.Content {
		item(c)
	}
}

func (p *parser) strList(dst *[]string, what string) func(*parser, *yaml.Node) {
	return func(p *parser, n *yaml.Node) {
		p.list(n, what, func(c *yaml.Node) {
			c = deref(c)
			if c.Kind != yaml.ScalarNode || c.ShortTag() != "!!str" {
				p.errorf(c, CodeInvalidType, "entries of %s must be strings, not %s", what, kindName(c))
				return
			}
			*dst = append(*dst, c.Value)
		})
	}
}

func (p *parser) document(n *yaml.Node) {
	d := p.doc
	p.object(n, "the Arazzo document", &d.Meta, []fieldSpec{
		{name: "arazzo", required: true, set: p.str(&d.Arazzo, "arazzo")},
		{name: "$self", v11: true, set: p.str(&d.Self, "$self")},
		{name: "info", required: true, set: func(p *parser, n *yaml.Node) { d.Info = p.info(n) }},
		{name: "sourceDescriptions", required: true, set: func(p *parser, n *yaml.Node) {
			p.list(n, "sourceDescriptions", func(c *yaml.Node) { d.SourceDescriptions = append(d.SourceDescriptions, p.sourceDescription(c)) })
		}},
		{name: "workflows", required: true, set: func(p *parser, n *yaml.Node) {
			i := 0
			p.list(n, "workflows", func(c *yaml.Node) {
				d.Workflows = append(d.Workflows, p.workflow(c, i))
				i++
			})
		}},
		{name: "components", set: func(p *parser, n *yaml.Node) { d.Components = p.components(n) }},
	}, true, false)
}

func (p *parser) info(n *yaml.Node) *Info {
	in := &Info{}
	p.object(n, "info", &in.Meta, []fieldSpec{
		{name: "title", required: true, set: p.str(&in.Title, "info.title")},
		{name: "summary", set: p.str(&in.Summary, "info.summary")},
		{name: "description", set: p.str(&in.Description, "info.description")},
		{name: "version", required: true, set: p.str(&in.Version, "info.version")},
	}, true, false)
	return in
}

func (p *parser) sourceDescription(n *yaml.Node) *SourceDescription {
	s := &SourceDescription{}
	p.object(n, "a source description", &s.Meta, []fieldSpec{
		{name: "name", required: true, set: p.str(&s.Name, "name")},
		{name: "url", required: true, set: p.str(&s.URL, "url")},
		{name: "type", set: p.str(&s.Type, "type")},
	}, true, false)
	return s
}

func (p *parser) workflow(n *yaml.Node, index int) *Workflow {
	w := &Workflow{InputsPointer: "/workflows/" + strconv.Itoa(index) + "/inputs"}
	p.object(n, "a workflow", &w.Meta, []fieldSpec{
		{name: "workflowId", required: true, set: p.str(&w.WorkflowID, "workflowId")},
		{name: "summary", set: p.str(&w.Summary, "summary")},
		{name: "description", set: p.str(&w.Description, "description")},
		{name: "inputs", set: func(p *parser, n *yaml.Node) {
			if deref(n).Kind != yaml.MappingNode {
				p.errorf(n, CodeInvalidType, "inputs must be a JSON Schema object, not %s", kindName(deref(n)))
				return
			}
			p.anyValue(&w.Inputs, nil)(p, n)
		}},
		{name: "dependsOn", set: p.strList(&w.DependsOn, "dependsOn")},
		{name: "steps", required: true, set: func(p *parser, n *yaml.Node) {
			p.list(n, "steps", func(c *yaml.Node) { w.Steps = append(w.Steps, p.step(c)) })
		}},
		{name: "successActions", set: func(p *parser, n *yaml.Node) { w.SuccessActions = p.actions(n, "successActions", false) }},
		{name: "failureActions", set: func(p *parser, n *yaml.Node) { w.FailureActions = p.actions(n, "failureActions", true) }},
		{name: "outputs", set: func(p *parser, n *yaml.Node) { w.Outputs = p.outputs(n) }},
		{name: "parameters", set: func(p *parser, n *yaml.Node) { w.Parameters = p.parameters(n) }},
	}, true, false)
	return w
}

func (p *parser) step(n *yaml.Node) *Step {
	s := &Step{}
	p.object(n, "a step", &s.Meta, []fieldSpec{
		{name: "stepId", required: true, set: p.str(&s.StepID, "stepId")},
		{name: "description", set: p.str(&s.Description, "description")},
		{name: "operationId", set: p.str(&s.OperationID, "operationId")},
		{name: "operationPath", set: p.str(&s.OperationPath, "operationPath")},
		{name: "workflowId", set: p.str(&s.WorkflowID, "workflowId")},
		{name: "channelPath", v11: true, set: p.str(&s.ChannelPath, "channelPath")},
		{name: "action", v11: true, set: p.str(&s.Action, "action")},
		{name: "correlationId", v11: true, set: func(p *parser, n *yaml.Node) {
			n = deref(n)
			if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
				p.errorf(n, CodeInvalidType, "correlationId must be a string (or a number or boolean, compared as text), not %s", kindName(n))
				return
			}
			p.anyValue(&s.CorrelationID, nil)(p, n)
		}},
		{name: "timeout", v11: true, set: p.integer(&s.Timeout, "timeout", "an integer number of milliseconds", 1, MaxTimeoutMillis, CodeInvalidTimeout)},
		{name: "dependsOn", v11: true, set: p.strList(&s.DependsOn, "dependsOn")},
		{name: "parameters", set: func(p *parser, n *yaml.Node) { s.Parameters = p.parameters(n) }},
		{name: "requestBody", set: func(p *parser, n *yaml.Node) { s.RequestBody = p.requestBody(n) }},
		{name: "successCriteria", set: func(p *parser, n *yaml.Node) { s.SuccessCriteria = p.criteria(n, "successCriteria") }},
		{name: "onSuccess", set: func(p *parser, n *yaml.Node) { s.OnSuccess = p.actions(n, "onSuccess", false) }},
		{name: "onFailure", set: func(p *parser, n *yaml.Node) { s.OnFailure = p.actions(n, "onFailure", true) }},
		{name: "outputs", set: func(p *parser, n *yaml.Node) { s.Outputs = p.outputs(n) }},
	}, true, false)
	return s
}

func (p *parser) outputs(n *yaml.Node) []*Output {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, CodeInvalidType, "outputs must be an object, not %s", kindName(n))
		return nil
	}
	var out []*Output
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, raw := n.Content[i], n.Content[i+1]
		v := deref(raw)
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, CodeInvalidType, "keys of outputs must be strings")
			continue
		}
		if seen[k.Value] {
			continue // reported by duplicateKeys
		}
		seen[k.Value] = true
		o := &Output{Name: k.Value, Key: nodeRange(p.doc.File, k), Value: nodeRange(p.doc.File, v), node: v, doc: p.doc}
		switch {
		case v.Kind == yaml.MappingNode && p.v11:
			p.field(k, raw, func(p *parser, _ *yaml.Node) {
				o.Selector = p.selector(v, fmt.Sprintf("output %q (a Selector Object)", k.Value))
			})
		case v.Kind == yaml.MappingNode && isSelectorAttempt(v):
			p.requires11(v, fmt.Sprintf("output %q, a Selector Object,", k.Value))
		case v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str":
			p.field(k, raw, func(p *parser, _ *yaml.Node) {
				p.errorf(v, CodeInvalidType, "output %q must be a runtime expression string, not %s", k.Value, kindName(v))
			})
		default:
			o.Expression = v.Value
		}
		out = append(out, o)
	}
	return out
}

func (p *parser) parameters(n *yaml.Node) []*Parameter {
	var out []*Parameter
	p.list(n, "parameters", func(c *yaml.Node) {
		c = deref(c)
		prm := &Parameter{}
		if c.Kind == yaml.MappingNode && hasKey(c, "reference") {
			prm.Reusable = p.reusable(c)
			prm.Meta = prm.Reusable.Meta
			out = append(out, prm)
			return
		}
		p.object(c, "a parameter", &prm.Meta, []fieldSpec{
			{name: "name", required: true, set: p.str(&prm.Name, "name")},
			{name: "in", set: p.str(&prm.In, "in")},
			{name: "value", required: true, set: p.anyValue(&prm.Value, nil)},
		}, true, false)
		out = append(out, prm)
	})
	return out
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func (p *parser) reusable(n *yaml.Node) *Reusable {
	r := &Reusable{}
	// The Reusable Object cannot be extended, and extra properties MUST be
	// ignored (D34): lenient, with a warning.
	p.object(n, "a reusable object", &r.Meta, []fieldSpec{
		{name: "reference", required: true, set: p.str(&r.Reference, "reference")},
		{name: "value", set: p.anyValue(&r.Value, &r.HasValue)},
	}, false, true)
	return r
}

func (p *parser) actions(n *yaml.Node, what string, failure bool) []*Action {
	var out []*Action
	p.list(n, what, func(c *yaml.Node) {
		c = deref(c)
		a := &Action{Failure: failure}
		if c.Kind == yaml.MappingNode && hasKey(c, "reference") {
			a.Reusable = p.reusable(c)
			a.Meta = a.Reusable.Meta
			out = append(out, a)
			return
		}
		out = append(out, p.action(c, failure))
	})
	return out
}

func (p *parser) action(n *yaml.Node, failure bool) *Action {
	a := &Action{Failure: failure}
	what := "a success action"
	if failure {
		what = "a failure action"
	}
	specs := []fieldSpec{
		{name: "name", required: true, set: p.str(&a.Name, "name")},
		{name: "type", required: true, set: p.str(&a.Type, "type")},
		{name: "workflowId", set: p.str(&a.WorkflowID, "workflowId")},
		{name: "stepId", set: p.str(&a.StepID, "stepId")},
		{name: "parameters", v11: true, set: func(p *parser, n *yaml.Node) { a.Parameters = p.parameters(n) }},
		{name: "criteria", set: func(p *parser, n *yaml.Node) { a.Criteria = p.criteria(n, "criteria") }},
	}
	if failure {
		specs = append(specs,
			fieldSpec{name: "retryAfter", set: func(p *parser, n *yaml.Node) {
				if v, ok := p.number(n, "retryAfter", "a number of seconds", CodeInvalidRetry); ok {
					f, _ := v.Float64()
					a.RetryAfter = &f
				}
			}},
			fieldSpec{name: "retryLimit", set: p.integer(&a.RetryLimit, "retryLimit", "an integer", 0, math.MaxInt, CodeInvalidRetry)})
	}
	p.object(n, what, &a.Meta, specs, true, false)
	return a
}

// MaxTimeoutMillis is the largest step timeout (Arazzo 1.1) Parse
// accepts, in milliseconds: the longest time.Duration (about 292 years).
const MaxTimeoutMillis = math.MaxInt64 / int64(time.Millisecond)

// numberText reads the number a scalar node writes, exactly: decimal
// integers and floats in JSON and YAML forms, YAML's 0x, 0o, 0b and legacy
// octal integers, and digit separators. A plain YAML scalar the library
// takes for a string because float64 cannot hold it (1e400) is a number
// too. ok is false when n is not a number. (YAML's .inf and .nan never get
// here: Parse refuses them, as JSON has no such numbers.)
func numberText(n *yaml.Node) (v *big.Float, ok bool) {
	if n.Kind != yaml.ScalarNode {
		return nil, false
	}
	text := strings.ReplaceAll(n.Value, "_", "")
	switch n.ShortTag() {
	case "!!int":
		i, ok := new(big.Int).SetString(text, 0)
		if !ok {
			return nil, false
		}
		return new(big.Float).SetInt(i), true
	case "!!float":
	case "!!str":
		if n.Style != 0 || text == "" || !strings.ContainsAny(text[:1], "+-.0123456789") {
			return nil, false
		}
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(text, 10, 256, big.ToNearestEven)
	if err != nil || f.IsInf() {
		return nil, false
	}
	return f, true
}

// number decodes a field that is a finite number (retryAfter). what
// describes the value ("a number of seconds"); a number float64 cannot
// hold is out of range, reported with code.
func (p *parser) number(n *yaml.Node, name, what, code string) (*big.Float, bool) {
	n = deref(n)
	v, ok := numberText(n)
	if !ok {
		p.errorf(n, CodeInvalidType, "%s must be %s, not %s", name, what, kindName(n))
		return nil, false
	}
	if f, _ := v.Float64(); math.IsInf(f, 0) {
		p.errorf(n, code, "%s %s is out of range: it must be %s, at most %g", name, n.Value, what, math.MaxFloat64)
		return nil, false
	}
	return v, true
}

// integer decodes a field that is an integer from lo to hi. An integral
// number written with a fraction or an exponent (3.0, 1e3) is an integer,
// as in JSON Schema. A value outside [lo, hi] that int can hold is left to
// Validate (which says, e.g., "must not be negative"); beyond that, it is
// out of range, reported with code.
func (p *parser) integer(dst **int, name, what string, lo, hi int64, code string) func(*parser, *yaml.Node) {
	return func(p *parser, n *yaml.Node) {
		n = deref(n)
		v, ok := numberText(n)
		switch {
		case !ok:
			p.errorf(n, CodeInvalidType, "%s must be %s, not %s", name, what, kindName(n))
			return
		case !v.IsInt():
			p.errorf(n, CodeInvalidType, "%s must be %s, not %s", name, what, n.Value)
			return
		}
		i, acc := v.Int64()
		if acc != big.Exact || i > hi || int64(int(i)) != i {
			p.errorf(n, code, "%s %s is out of range: it must be %s from %d to %d", name, n.Value, what, lo, hi)
			return
		}
		x := int(i)
		*dst = &x
	}
}

func (p *parser) criteria(n *yaml.Node, what string) []*Criterion {
	var out []*Criterion
	p.list(n, what, func(c *yaml.Node) { out = append(out, p.criterion(c)) })
	return out
}

func (p *parser) criterion(n *yaml.Node) *Criterion {
	c := &Criterion{}
	p.object(n, "a criterion", &c.Meta, []fieldSpec{
		{name: "condition", required: true, set: p.str(&c.Condition, "condition")},
		{name: "context", set: p.str(&c.Context, "context")},
		{name: "type", set: func(p *parser, n *yaml.Node) {
			c.TypeObject, c.Type, c.Version = p.expressionType(n, "type")
		}},
	}, true, false)
	return c
}

func (p *parser) requestBody(n *yaml.Node) *RequestBody {
	b := &RequestBody{}
	p.object(n, "a request body", &b.Meta, []fieldSpec{
		{name: "contentType", set: p.str(&b.ContentType, "contentType")},
		{name: "payload", set: p.anyValue(&b.Payload, &b.HasPayload)},
		{name: "replacements", set: func(p *parser, n *yaml.Node) {
			p.list(n, "replacements", func(c *yaml.Node) {
				r := &PayloadReplacement{}
				p.object(c, "a payload replacement", &r.Meta, []fieldSpec{
					{name: "target", required: true, set: p.str(&r.Target, "target")},
					{name: "targetSelectorType", v11: true, set: func(p *parser, n *yaml.Node) {
						r.TargetTypeObject, r.TargetSelectorType, r.TargetVersion = p.expressionType(n, "targetSelectorType")
					}},
					{name: "value", required: true, set: p.anyValue(&r.Value, nil)},
				}, true, false)
				b.Replacements = append(b.Replacements, r)
			})
		}},
	}, true, false)
	return b
}

func (p *parser) components(n *yaml.Node) *Components {
	c := &Components{KeyRanges: map[string]diag.Range{}}
	mapOf := func(kind string, item func(k, v *yaml.Node)) func(*parser, *yaml.Node) {
		return func(p *parser, n *yaml.Node) {
			n = deref(n)
			if n.Kind != yaml.MappingNode {
				p.errorf(n, CodeInvalidType, "components.%s must be an object, not %s", kind, kindName(n))
				return
			}
			seen := map[string]bool{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind != yaml.ScalarNode {
					p.errorf(k, CodeInvalidType, "keys of components.%s must be strings", kind)
					continue
				}
				if seen[k.Value] {
					continue // reported by duplicateKeys
				}
				seen[k.Value] = true
				c.KeyRanges[kind+"/"+k.Value] = nodeRange(p.doc.File, k)
				p.field(k, n.Content[i+1], func(p *parser, v *yaml.Node) { item(k, v) })
			}
		}
	}
	p.object(n, "components", &c.Meta, []fieldSpec{
		{name: "inputs", set: mapOf("inputs", func(k, v *yaml.Node) {
			if c.Inputs == nil {
				c.Inputs = map[string]any{}
			}
			val, err := yamlx.Value(v)
			if err != nil {
				p.errorf(v, CodeInvalidType, "%v", err)
				return
			}
			if _, ok := val.(map[string]any); !ok {
				if _, isBool := val.(bool); !isBool {
					p.errorf(v, CodeInvalidType, "components.inputs.%s must be a JSON Schema, not %s", k.Value, kindName(deref(v)))
				}
			}
			c.Inputs[k.Value] = val
		})},
		{name: "parameters", set: mapOf("parameters", func(k, v *yaml.Node) {
			if c.Parameters == nil {
				c.Parameters = map[string]*Parameter{}
			}
			prm := &Parameter{}
			p.object(v, "a parameter", &prm.Meta, []fieldSpec{
				{name: "name", required: true, set: p.str(&prm.Name, "name")},
				{name: "in", set: p.str(&prm.In, "in")},
				{name: "value", required: true, set: p.anyValue(&prm.Value, nil)},
			}, true, false)
			c.Parameters[k.Value] = prm
		})},
		{name: "successActions", set: mapOf("successActions", func(k, v *yaml.Node) {
			if c.SuccessActions == nil {
				c.SuccessActions = map[string]*Action{}
			}
			c.SuccessActions[k.Value] = p.action(deref(v), false)
		})},
		{name: "failureActions", set: mapOf("failureActions", func(k, v *yaml.Node) {
			if c.FailureActions == nil {
				c.FailureActions = map[string]*Action{}
			}
			c.FailureActions[k.Value] = p.action(deref(v), true)
		})},
	}, true, false)
	return c
}
