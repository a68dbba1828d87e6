package oas

import (
	"reflect"
	"sort"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// ExternalRef is a $ref whose target is outside the description (another
// file or a URL) and that stays unresolved: Load never follows one, and
// LoadFiles lists those it could not follow (see RefErrors). Nothing that
// lies behind it is known to any check (see the package documentation).
type ExternalRef struct {
	// Pointer locates the object that holds the $ref in Raw, e.g.
	// /paths/~1pets/get/parameters/0.
	Pointer string
	// Ref is the $ref value, e.g. common.yaml#/components/schemas/Pet.
	Ref string
	// File is the location of the file that holds the $ref: Document.URL,
	// or one of the files LoadFiles read.
	File string
	// Line and Column locate the $ref value in File (1-based, Column in
	// bytes; 0 when unknown).
	Line, Column int
}

// Position is where the $ref is written.
func (r ExternalRef) Position() Position {
	return Position{File: r.File, Line: r.Line, Column: r.Column}
}

// IsRemote reports whether the reference is an absolute http(s) URL.
func (r ExternalRef) IsRemote() bool { return isRemote(r.Ref) }

// ExternalRefs lists the $refs that point to other documents and stay
// unresolved, in document order (by position when known, then by
// pointer). $refs under x- extensions and inside literal values (example,
// examples, default, const, enum) are not references and are not listed,
// nor is a $ref naming a resource embedded in the description by its $id.
func (d *Document) ExternalRefs() []ExternalRef { return d.extRefs }

// keyed maps are the fields whose value maps names (not keywords) to
// objects: paths, properties, responses by status code, and so on.
var keyed = map[string]bool{
	"paths": true, "webhooks": true, "callbacks": true, "responses": true,
	"content": true, "headers": true, "links": true, "encoding": true,
	"schemas": true, "parameters": true, "requestBodies": true,
	"securitySchemes": true, "pathItems": true, "variables": true,
	"properties": true, "patternProperties": true, "$defs": true,
	"definitions": true, "dependentSchemas": true, "mapping": true,
	"scopes": true, "mediaTypes": true, "additionalOperations": true,
}

// literal are the fields whose value is data, never a Reference Object.
var literal = map[string]bool{"example": true, "default": true, "const": true, "enum": true}

type walkCtx int

const (
	inObject   walkCtx = iota // an object whose keys are field names
	inNames                   // a map whose keys are names
	inExamples                // the names map of Example Objects
	inExample                 // an Example Object (its value is data)
)

// refWalker finds the references of a decoded description: it calls onRef
// for each object with a string $ref (key "$ref") in a place where a
// Reference Object or a JSON Schema may be, and, with mappings set, for
// each value of a discriminator mapping (key the mapping's name).
type refWalker struct {
	toks     []string
	ids      map[string]bool // the $id values met
	mappings bool
	onRef    func(holder map[string]any, key string, toks []string)
	// visited, when set, holds the objects already walked: they are
	// skipped (and the walk records the new ones).
	visited map[uintptr]bool
}

// externalRefs finds the external $refs of raw; f, when not nil, gives
// their positions.
func externalRefs(raw any, f *srcFile, url string) []ExternalRef {
	var refs []ExternalRef
	w := &refWalker{ids: map[string]bool{}}
	w.onRef = func(holder map[string]any, _ string, toks []string) {
		if ref, _ := holder["$ref"].(string); ref != "" && ref[0] != '#' {
			refs = append(refs, ExternalRef{Pointer: jsonptr.Pointer(toks).String(), Ref: ref, File: url})
		}
	}
	w.walk(raw, inObject)
	out := refs[:0]
	for _, r := range refs {
		doc, _, _ := strings.Cut(r.Ref, "#")
		if !w.ids[doc] { // else it names an embedded $id resource
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	if f != nil {
		for i := range out {
			if toks, err := splitPointer(out[i].Pointer); err == nil {
				p := f.locate(append(toks, "$ref"))
				out[i].Line, out[i].Column = p.Line, p.Column
			}
		}
	}
	sortRefs(out)
	return out
}

func sortRefs(refs []ExternalRef) {
	sort.SliceStable(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Pointer < b.Pointer
	})
}

func (w *refWalker) walk(v any, ctx walkCtx) {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			w.toks = append(w.toks, itoa(i))
			w.walk(e, inObject)
			w.toks = w.toks[:len(w.toks)-1]
		}
	case map[string]any:
		if w.visited != nil {
			id := reflect.ValueOf(x).Pointer()
			if w.visited[id] {
				return
			}
			w.visited[id] = true
		}
		if ctx != inNames && ctx != inExamples {
			if ref, ok := x["$ref"].(string); ok && ref != "" {
				w.onRef(x, "$ref", w.toks)
			}
			if id, ok := x["$id"].(string); ok {
				w.ids[id] = true
			}
			if w.mappings {
				w.mapping(x)
			}
		}
		for _, k := range sortedKeys(x) {
			e := x[k]
			next := inObject
			switch ctx {
			case inNames:
			case inExamples:
				next = inExample
			default:
				switch {
				case k == "$ref" || strings.HasPrefix(k, "x-") || literal[k]:
					continue
				case ctx == inExample && (k == "value" || k == "dataValue"):
					continue
				case k == "examples":
					if _, ok := e.(map[string]any); !ok {
						continue // a JSON Schema examples array: data
					}
					next = inExamples
				case keyed[k]:
					if _, ok := e.(map[string]any); ok {
						next = inNames
					}
				}
			}
			w.toks = append(w.toks, k)
			w.walk(e, next)
			w.toks = w.toks[:len(w.toks)-1]
		}
	}
}

// mapping reports the values of the discriminator mapping of x.
func (w *refWalker) mapping(x map[string]any) {
	disc, ok := x["discriminator"].(map[string]any)
	if !ok {
		return
	}
	m, ok := disc["mapping"].(map[string]any)
	if !ok {
		return
	}
	w.toks = append(w.toks, "discriminator", "mapping")
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if _, ok := v.(string); ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.onRef(m, k, w.toks)
	}
	w.toks = w.toks[:len(w.toks)-2]
}

// sortedKeys lists the keys of m whose values may hold references (objects
// and arrays), sorted: the walk is stable.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		switch v.(type) {
		case map[string]any, []any:
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
