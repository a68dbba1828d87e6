package oas

import (
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/yamlx"
)

// ExternalRef is a $ref whose target is outside the description (another
// file or a URL). Telaio never resolves one: nothing reads or fetches its
// target, so what lies behind it is unknown to every check (see the package
// documentation).
type ExternalRef struct {
	// Pointer locates the object that holds the $ref, e.g.
	// /paths/~1pets/get/parameters/0.
	Pointer string
	// Ref is the $ref value, e.g. common.yaml#/components/schemas/Pet.
	Ref string
	// Line and Column locate the $ref value in the description's text
	// (1-based; 0 when unknown).
	Line, Column int
}

// IsRemote reports whether the reference is an absolute http(s) URL.
func (r ExternalRef) IsRemote() bool {
	l := strings.ToLower(r.Ref)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// ExternalRefs lists the $refs that point to other documents, in document
// order (by position when known, then by pointer). $refs under x-
// extensions and inside literal values (example, examples, default, const,
// enum) are not references and are not listed, nor is a $ref naming a
// resource embedded in the description by its $id.
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
	"scopes": true,
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

type refWalker struct {
	toks []string
	ids  map[string]bool
	refs []ExternalRef
}

// externalRefs finds the external $refs of raw; node, when not nil, gives
// their positions.
func externalRefs(raw any, node *yaml.Node) []ExternalRef {
	w := &refWalker{ids: map[string]bool{}}
	w.walk(raw, inObject)
	if len(w.refs) == 0 {
		return nil
	}
	out := w.refs[:0]
	for _, r := range w.refs {
		doc, _, _ := strings.Cut(r.Ref, "#")
		if !w.ids[doc] { // else it names an embedded $id resource
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	locate(out, node)
	return out
}

// locate sets the positions of refs from the description's YAML tree (nil:
// unknown) and sorts them.
func locate(refs []ExternalRef, node *yaml.Node) {
	for i := range refs {
		toks, err := splitPointer(refs[i].Pointer)
		if node == nil || err != nil {
			continue
		}
		if n := yamlx.Lookup(node, append(toks, "$ref")); n != nil {
			refs[i].Line, refs[i].Column = n.Line, n.Column
		}
	}
	sortRefs(refs)
}

func sortRefs(refs []ExternalRef) {
	sort.Slice(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
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
		if ctx != inNames && ctx != inExamples {
			if ref, ok := x["$ref"].(string); ok && ref != "" && ref[0] != '#' {
				w.refs = append(w.refs, ExternalRef{Pointer: jsonptr.Pointer(w.toks).String(), Ref: ref})
			}
			if id, ok := x["$id"].(string); ok {
				w.ids[id] = true
			}
		}
		for k, e := range x {
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
