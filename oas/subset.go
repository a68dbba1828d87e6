package oas

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// A subset of a description holds the operations a workflow document calls
// and everything they reach through local $refs, so that a large
// description need not be parsed again when the same workflows run again:
// the arazzo loader keeps subsets in its plan cache. The subset keeps the
// pointers of the whole description (a schema is at the same JSON pointer in
// both), the declaration order of media types, and the security schemes,
// servers and document-level fields.

// subsetFormat versions the encoding of Subset; a change of the encoding or
// of what a Document is built from must change it.
const subsetFormat = 2

// ErrNoSubset is returned by Subset for a description whose references
// cannot be followed without the whole document (a $ref that is not a
// "#/..." pointer, or $id, $anchor or $dynamicRef, which resolve by name);
// such a description is used whole.
var ErrNoSubset = errors.New("the description cannot be cut to a subset")

type subsetEntry struct {
	Format int                 `json:"format"`
	Doc    map[string]any      `json:"doc"`
	Order  map[string][]string `json:"order,omitempty"`
	// Files lists the description's files (Document.Files) when its $refs
	// read others: the caller checks them before trusting the entry.
	Files []subsetFile `json:"files,omitempty"`
}

type subsetFile struct {
	Location string `json:"location"`
	Key      string `json:"key,omitempty"`
	SHA256   string `json:"sha256"`
}

// Subset encodes the part of d that ops need (see LoadSubset): their path
// items without the other operations, every component they reach through
// local $refs and discriminator mappings, the security schemes, and the
// document-level fields other than paths, webhooks and components. For a
// description whose $refs read other files, the parts of the embedded
// files they reach are kept, and the list of files (Files), so that the
// caller can check that none changed.
func (d *Document) Subset(ops []*Operation) ([]byte, error) {
	root, ok := d.Raw.(map[string]any)
	if !ok || len(d.extRefs) > 0 || len(d.refErrs) > 0 || d.partial {
		return nil, ErrNoSubset
	}
	s := &subsetter{raw: root, out: map[string]any{}, copied: map[string]bool{}}
	for k, v := range root {
		if k != "paths" && k != "webhooks" && k != "components" && k != filesKey {
			s.out[k] = v
			s.walk(v)
		}
	}
	if comps, ok := root["components"].(map[string]any); ok {
		if schemes, ok := comps["securitySchemes"]; ok {
			s.put([]string{"components", "securitySchemes"}, schemes)
			s.walk(schemes)
		}
	}
	for _, op := range ops {
		if op == nil || op.Doc != d {
			return nil, fmt.Errorf("oas: Subset: an operation of another document")
		}
		if err := s.operation(op); err != nil {
			return nil, err
		}
	}
	for len(s.queue) > 0 && s.err == nil {
		v := s.queue[0]
		s.queue = s.queue[1:]
		s.walk(v)
	}
	if s.err != nil {
		return nil, s.err
	}
	e := subsetEntry{Format: subsetFormat, Doc: s.out}
	if d.bundled {
		for _, f := range d.files {
			e.Files = append(e.Files, subsetFile{Location: f.Location, Key: f.key, SHA256: hex.EncodeToString(f.SHA256[:])})
		}
	}
	for ptr, keys := range d.order {
		if _, ok := jsonptr.Lookup(s.out, ptr); ok {
			if e.Order == nil {
				e.Order = map[string][]string{}
			}
			e.Order[ptr] = keys
		}
	}
	return json.Marshal(e)
}

// LoadSubset builds a Document from an encoding of Subset. src is the whole
// description the subset was cut from, as Source returns it (for a
// description in several files, the bundle): LibOpenAPI builds its model
// from it. The Document knows only the subset's operations; Partial
// reports it.
func LoadSubset(entry, src []byte, url string) (*Document, error) {
	d, err := LoadSubsetFunc(entry, nil, url)
	if err != nil {
		return nil, err
	}
	d.Src = src
	return d, nil
}

// LoadSubsetFunc is LoadSubset for a caller that has not read the whole
// description: read is called, once, when Source (or LibOpenAPI) needs its
// bytes, and must return what Source of the whole description returns.
// Files lists the files of the description the subset was cut from: a
// caller checks their digests before trusting the entry.
func LoadSubsetFunc(entry []byte, read func() ([]byte, error), url string) (*Document, error) {
	var e subsetEntry
	if err := json.Unmarshal(entry, &e); err != nil {
		return nil, &Error{URL: url, Msg: "invalid subset: " + err.Error()}
	}
	if e.Format != subsetFormat || e.Doc == nil {
		return nil, &Error{URL: url, Msg: fmt.Sprintf("subset format %d is not %d", e.Format, subsetFormat)}
	}
	if err := checkVersion(e.Doc, url); err != nil {
		return nil, err
	}
	d, err := build(e.Doc, url, nil, e.Order, nil)
	if err != nil {
		return nil, err
	}
	d.srcRead, d.partial = read, true
	if len(e.Files) > 0 {
		d.bundled = true
		d.locByKey = map[string]string{}
		for _, f := range e.Files {
			sum, err := hex.DecodeString(f.SHA256)
			if err != nil || len(sum) != sha256.Size {
				return nil, &Error{URL: url, Msg: "invalid subset: a file digest is not SHA-256"}
			}
			file := File{Location: f.Location}
			copy(file.SHA256[:], sum)
			d.manifest = append(d.manifest, file)
			if f.Key != "" {
				d.locByKey[f.Key] = f.Location
			}
		}
	}
	return d, nil
}

// Partial reports whether d is a subset of its description (LoadSubset):
// operations outside it are unknown to d.
func (d *Document) Partial() bool { return d.partial }

type subsetter struct {
	raw    map[string]any
	out    map[string]any
	copied map[string]bool
	queue  []any
	err    error
}

// operation copies the path item of op (with op, its common parameters and
// servers, but not the item's other operations) and queues what it
// references.
func (s *subsetter) operation(op *Operation) error {
	toks, err := splitPointer(op.Pointer)
	if err != nil || len(toks) < 2 {
		return ErrNoSubset
	}
	itemToks := toks[:len(toks)-1]
	extra := len(toks) >= 3 && toks[len(toks)-2] == "additionalOperations"
	if extra {
		itemToks = toks[:len(toks)-2]
	}
	if s.copied[joinPointer(itemToks)] {
		return nil // the whole path item is in already
	}
	item, ok := jsonptr.Lookup(s.raw, "/"+joinPointer(itemToks))
	im, isMap := item.(map[string]any)
	if !ok || !isMap {
		return ErrNoSubset
	}
	have, _ := getAt(s.out, itemToks).(map[string]any)
	if have == nil {
		have = map[string]any{}
		for k, v := range im {
			if !isMethod(k) && k != "additionalOperations" {
				have[k] = v
				s.queue = append(s.queue, v)
			}
		}
		s.put(itemToks, have)
	}
	m := toks[len(toks)-1]
	if extra {
		all, _ := im["additionalOperations"].(map[string]any)
		ops, _ := have["additionalOperations"].(map[string]any)
		if ops == nil {
			ops = map[string]any{}
			have["additionalOperations"] = ops
		}
		ops[m] = all[m]
		s.queue = append(s.queue, all[m])
		return nil
	}
	have[m] = im[m]
	s.queue = append(s.queue, im[m])
	// A path item reached through a $ref (components/pathItems): keep the
	// entry of paths that refers to it.
	if itemToks[0] != "paths" {
		if paths, ok := s.raw["paths"].(map[string]any); ok {
			if ref, ok := paths[op.Path]; ok {
				s.put([]string{"paths", op.Path}, ref)
			}
		}
	}
	return nil
}

func isMethod(k string) bool {
	for _, m := range methods {
		if k == m {
			return true
		}
	}
	return false
}

// walk finds the references in v and copies their targets.
func (s *subsetter) walk(v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range []string{"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef"} {
			if _, ok := v[k]; ok && s.err == nil {
				s.err = ErrNoSubset
			}
		}
		if ref, ok := v["$ref"].(string); ok {
			s.ref(ref)
		}
		if disc, ok := v["discriminator"].(map[string]any); ok {
			if mapping, ok := disc["mapping"].(map[string]any); ok {
				for _, t := range mapping {
					if t, ok := t.(string); ok {
						if !strings.Contains(t, "/") && !strings.Contains(t, "#") {
							t = "#/components/schemas/" + jsonptr.EscapeToken(t)
						}
						s.ref(t)
					}
				}
			}
		}
		for _, c := range v {
			s.walk(c)
		}
	case []any:
		for _, c := range v {
			s.walk(c)
		}
	}
}

// ref copies the unit that holds the target of a local reference: a whole
// component (/components/KIND/NAME), a whole path item, or a whole
// top-level member.
func (s *subsetter) ref(ref string) {
	if s.err != nil {
		return
	}
	if ref == "#" {
		return
	}
	if !strings.HasPrefix(ref, "#/") {
		s.err = ErrNoSubset
		return
	}
	toks, err := jsonptr.ParseFragment(ref)
	if err != nil || len(toks) == 0 {
		s.err = ErrNoSubset
		return
	}
	n := unitLen(toks)
	unit := toks[:n]
	key := joinPointer(unit)
	if s.copied[key] {
		return
	}
	s.copied[key] = true
	v := getAt(s.raw, unit)
	if v == nil {
		return // a dangling reference stays dangling
	}
	s.put(unit, v)
	s.queue = append(s.queue, v)
}

// unitLen is how many tokens of a pointer name the unit copied for it: a
// component (/components/KIND/NAME), a path item, a top-level member; in
// an embedded file, the same inside the file (a document), or its
// top-level member.
func unitLen(toks []string) int {
	base := 0
	if toks[0] == filesKey && len(toks) >= 2 {
		base = 2
		if len(toks) == 2 {
			return 2 // the whole file
		}
	}
	n := 1
	switch toks[base] {
	case "components":
		n = 3
	case "paths", "webhooks":
		n = 2
	}
	return min(base+n, len(toks))
}

// put sets the member at toks of the output, creating the objects on the
// way.
func (s *subsetter) put(toks []string, v any) {
	cur := s.out
	for _, t := range toks[:len(toks)-1] {
		next, ok := cur[t].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[t] = next
		}
		cur = next
	}
	cur[toks[len(toks)-1]] = v
}

func getAt(root map[string]any, toks []string) any {
	v, _ := jsonptr.Pointer(toks).Get(root)
	return v
}

func joinPointer(toks []string) string {
	return strings.TrimPrefix(jsonptr.Pointer(toks).String(), "/")
}
