package oas

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/yamlx"
)

// filesKey is the root key under which LoadFiles embeds the files that
// $refs read, each under its key (see fileKey), in Document.Raw. The name
// is the one package asyncapi uses for the same purpose.
const filesKey = "x-telaio-files"

// File is one file of a description: its root document or a file its
// $refs read (LoadFiles).
type File struct {
	// Location is where the file was read from: the root's is
	// Document.URL, the others' what the Reader's Resolve returned.
	Location string
	// SHA256 is the digest of the file's bytes.
	SHA256 [sha256.Size]byte
}

// Position is a place in one file of a description.
type Position struct {
	// File is the location of the file (File.Location).
	File string
	// Line and Column are 1-based; Column counts bytes. Both are 0 when
	// the position is unknown (a Subset, or a JSON text the YAML parser
	// cannot read).
	Line, Column int
}

func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// srcFile is one decoded file of a description, with what maps pointers
// into it to positions.
type srcFile struct {
	File
	key string // its key under filesKey; "" for the root
	src []byte
	raw any
	// yaml is set when the text was decoded as YAML (node is its tree).
	yaml bool

	posOnce sync.Once
	node    *yaml.Node // the YAML tree (parsed on demand for JSON)
	lines   *yamlx.Lines
}

func newSrcFile(loc, key string, src []byte, node *yaml.Node, raw any) *srcFile {
	return &srcFile{File: File{Location: loc, SHA256: sha256.Sum256(src)}, key: key, src: src, raw: raw, node: node, yaml: node != nil}
}

// tree returns the file's YAML tree and line index; a JSON text decoded by
// encoding/json is parsed as YAML the first time (nil when it cannot be:
// "\/" is not YAML).
func (f *srcFile) tree() (*yaml.Node, *yamlx.Lines) {
	f.posOnce.Do(func() {
		if f.src == nil {
			return
		}
		if f.node == nil {
			f.node = parseQuiet(f.src)
		}
		f.lines = yamlx.NewLines(f.src)
	})
	return f.node, f.lines
}

// parseQuiet parses src as YAML for positions only; any failure (a panic of
// the YAML library included) gives nil.
func parseQuiet(src []byte) (n *yaml.Node) {
	defer func() {
		if recover() != nil {
			n = nil
		}
	}()
	n, _ = yamlx.Parse(src)
	return n
}

// locate returns the position of the node at toks in f, or of the deepest
// node the tokens reach. A block mapping or sequence (or a block scalar)
// that starts on a later line than its key is located at the key.
func (f *srcFile) locate(toks []string) Position {
	p := Position{File: f.Location}
	n, lines := f.tree()
	if n == nil {
		return p
	}
	var key *yaml.Node
	for _, t := range toks {
		n = deref(n)
		var k, next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == t {
					k, next = n.Content[i], n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, ok := jsonptr.Index(t, len(n.Content)); ok && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			break
		}
		key, n = k, next
	}
	n = deref(n)
	if key != nil && n.Line != key.Line {
		switch {
		case (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0,
			n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			n = key
		}
	}
	p.Line = n.Line
	p.Column, _ = lines.Pos(n.Line, n.Column)
	return p
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// fileOf splits a pointer into Document.Raw: the file it points into and
// the tokens inside that file.
func (d *Document) fileOf(toks []string) (*srcFile, []string) {
	if len(toks) >= 2 && toks[0] == filesKey {
		if f, ok := d.byKey[toks[1]]; ok {
			return f, toks[2:]
		}
	}
	if len(d.files) == 0 {
		return nil, toks
	}
	return d.files[0], toks
}

// Locate maps a JSON pointer into Raw to the file it lies in and, when
// known, its line and column there: for a description whose $refs read
// other files (LoadFiles), a pointer under the embedded files points into
// the file it came from. The position is that of the node the pointer
// names, or of the deepest node it reaches.
func (d *Document) Locate(ptr string) Position {
	toks, err := splitPointer(strings.TrimPrefix(ptr, "#"))
	if err != nil {
		return Position{File: d.URL}
	}
	f, rest := d.fileOf(toks)
	if f == nil {
		if len(toks) >= 2 && toks[0] == filesKey {
			if loc := d.locByKey[toks[1]]; loc != "" {
				return Position{File: loc}
			}
		}
		return Position{File: d.URL}
	}
	return f.locate(rest)
}

// nodeAt returns the YAML node at a pointer into Raw, nil when unknown. A
// JSON text is not parsed as YAML for it (that would cost more than
// decoding it): its maps keep no declaration order.
func (d *Document) nodeAt(toks []string) *yaml.Node {
	f, rest := d.fileOf(toks)
	if f == nil || !f.yaml {
		return nil
	}
	n, _ := f.tree()
	return yamlx.Lookup(n, rest)
}

// Files lists the files of the description: the root first, then, for a
// description loaded by LoadFiles, every file its $refs read, in the order
// they were read. A Subset keeps the list (with no bytes). It is empty for
// a Document built by FromValue.
func (d *Document) Files() []File {
	out := make([]File, 0, len(d.files)+len(d.manifest))
	for _, f := range d.files {
		out = append(out, f.File)
	}
	return append(out, d.manifest...)
}

// Bundled reports whether the description's $refs read other files, which
// are then embedded in Raw.
func (d *Document) Bundled() bool { return d.bundled }

// fileKey is the key under filesKey of the file at loc, for a description
// whose root is at root: the path relative to the root's folder when both
// are paths, else loc itself (a URL).
func fileKey(root, loc string) string {
	if isRemote(root) || isRemote(loc) || strings.HasPrefix(root, "/") != strings.HasPrefix(loc, "/") {
		return loc
	}
	return relSlash(dirOf(root), loc)
}

func isRemote(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// relSlash is the slash-separated path of to relative to the folder from
// (both clean, relative to the same base).
func relSlash(from, to string) string {
	split := func(p string) []string {
		var out []string
		for _, s := range strings.Split(p, "/") {
			if s != "" && s != "." {
				out = append(out, s)
			}
		}
		return out
	}
	a, b := split(from), split(to)
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] && a[i] != ".." {
		i++
	}
	var out []string
	for range a[i:] {
		out = append(out, "..")
	}
	out = append(out, b[i:]...)
	if len(out) == 0 {
		return "."
	}
	return strings.Join(out, "/")
}

// bundledPtr is the pointer into Raw of the value at toks in the embedded
// file key.
func bundledPtr(key string, toks []string) string {
	return "/" + filesKey + "/" + jsonptr.EscapeToken(key) + jsonptr.Pointer(toks).String()
}
