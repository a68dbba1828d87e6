package schema

import (
	"strconv"
	"strings"
	"sync"

	"github.com/telaio/telaio/internal/jsonptr"
)

// dialect says how raw schemas are read before the JSON Schema library sees
// them.
type dialect int

const (
	dialectJSONSchema dialect = iota // plain JSON Schema (2020-12 unless $schema says otherwise)
	dialectOAS30                     // OpenAPI 3.0 Schema Object
	dialectOAS31                     // OpenAPI 3.1 Schema Object (2020-12 + OAS base vocabulary)
)

// maxNesting bounds the recursion over schema trees (protects against
// cyclic Go values handed in by callers and absurdly deep documents).
const maxNesting = 512

// builder copies the schemas a compilation needs out of the caller's
// document into a sparse document (same pointers, nothing else), translating
// OpenAPI dialects on the way. The sparse document is what the JSON Schema
// library compiles, so a 1.4 MB OpenAPI description costs only the subtrees
// that are actually referenced.
//
// A builder is used under its owner's lock; the alias and forbidden maps are
// read without it (sync.Map) while validating.
type builder struct {
	orig    any
	sparse  any             // map[string]any unless the whole document is one schema
	placed  map[string]bool // the subtrees placed in sparse (sparse mode)
	dialect dialect
	dir     Direction

	// Bundle mode (OpenAPI documents, see bundle.go): the subtrees an
	// include adds form one new JSON Schema resource instead of growing
	// the sparse document.
	bundled bool
	bundles []string       // resource URL of each bundle made
	home    map[string]int // placed pointer -> index in bundles (placed is unused)
	pending map[string]any // the subtrees of the bundle being built
	sites   []refSite      // their local "$ref"s, rewritten when it is made

	// alias maps a pointer in the sparse document that has no counterpart in
	// the original (the result of wrapping a nullable schema) to the original
	// pointer.
	alias sync.Map // string -> string
	// forbidden records properties replaced by `false` because they are
	// readOnly in a request or writeOnly in a response: pointer -> keyword.
	forbidden sync.Map // string -> string
}

func newBuilder(orig any, d dialect, dir Direction) *builder {
	return &builder{orig: orig, sparse: map[string]any{}, placed: map[string]bool{}, dialect: d, dir: dir}
}

// include copies the schema at ptr and, transitively, every local $ref
// target into the sparse document. It returns the pointer to compile: ptr,
// or where ptr leads when it passes through Reference Objects.
func (b *builder) include(ptr string) (string, error) {
	if c, ok := canonical(b.orig, ptr); ok {
		ptr = c
	}
	queue := []string{ptr}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if b.covered(p) {
			continue
		}
		v, ok := lookup(b.orig, p)
		if !ok {
			if p == ptr {
				return "", &CompileError{Pointer: ptr, Reason: "no value at this pointer"}
			}
			return "", &CompileError{Pointer: ptr, Reason: "unresolvable $ref", Err: &RefError{Ref: "#" + p, Reason: "target not found in the document"}}
		}
		t := translator{b: b}
		out, err := t.schema(v, p, p, 0, false)
		if err != nil {
			return "", err
		}
		b.place(p, out)
		queue = append(queue, t.refs...)
		b.sites = append(b.sites, t.sites...)
	}
	return ptr, nil
}

func (b *builder) covered(p string) bool {
	_, ok := b.placedPrefix(p)
	return ok
}

// placedPrefix returns the longest placed pointer that is p or one of its
// ancestors.
func (b *builder) placedPrefix(p string) (string, bool) {
	for q := p; ; {
		if _, inBundle := b.home[q]; inBundle || b.placed[q] {
			return q, true
		}
		if q == "" {
			return "", false
		}
		q = q[:max(strings.LastIndexByte(q, '/'), 0)]
	}
}

// place stores v at pointer p in the sparse document, creating intermediate
// containers shaped like the original's.
func (b *builder) place(p string, v any) {
	if b.bundled {
		b.home[p] = len(b.bundles)
		b.pending[p] = v
		return
	}
	for q := range b.placed {
		if isPrefix(p, q) {
			delete(b.placed, q) // now inside the new, larger subtree
		}
	}
	b.placed[p] = true
	toks := splitPointer(p)
	if len(toks) == 0 {
		b.sparse = v
		return
	}
	cur := b.sparse
	origCur := b.orig
	for i, raw := range toks {
		tok, _ := unescapeToken(raw)
		last := i == len(toks)-1
		origNext, _ := lookup(origCur, "/"+raw)
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[tok] = v
				return
			}
			next, ok := c[tok]
			if !ok || next == nil {
				next = emptyLike(origNext)
				c[tok] = next
			}
			cur = next
		case []any:
			idx, _ := strconv.Atoi(tok)
			if last {
				c[idx] = v
				return
			}
			if c[idx] == nil {
				c[idx] = emptyLike(origNext)
			}
			cur = c[idx]
		default:
			return // cannot happen: lookup succeeded on the original
		}
		origCur = origNext
	}
}

func emptyLike(v any) any {
	if a, ok := v.([]any); ok {
		return make([]any, len(a))
	}
	return map[string]any{}
}

// originalPointer maps a pointer of the sparse document back to the
// caller's document.
func (b *builder) originalPointer(p string) string {
	best, bestTo := "", ""
	found := false
	b.alias.Range(func(k, v any) bool {
		ks := k.(string)
		if isPrefix(ks, p) && (!found || len(ks) > len(best)) {
			best, bestTo, found = ks, v.(string), true
		}
		return true
	})
	if !found {
		return p
	}
	return bestTo + p[len(best):]
}

// translator walks one subtree.
type translator struct {
	b     *builder
	refs  []string
	sites []refSite // the "$ref"s to rewrite in bundle mode
}

// schemaMapKeywords hold a map of name -> schema.
var schemaMapKeywords = map[string]bool{
	"properties": true, "patternProperties": true, "$defs": true, "definitions": true, "dependentSchemas": true,
}

// schemaKeywords hold one schema.
var schemaKeywords = map[string]bool{
	"additionalProperties": true, "additionalItems": true, "not": true, "if": true, "then": true, "else": true,
	"contains": true, "propertyNames": true, "unevaluatedProperties": true, "unevaluatedItems": true,
	"contentSchema": true,
}

// schemaArrayKeywords hold a list of schemas.
var schemaArrayKeywords = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}

// oasDropped are OpenAPI-only keywords with no validation meaning of
// their own (a discriminator beside oneOf/anyOf is translated by
// planDispatch/applyDispatch).
var oasDropped = map[string]bool{"example": true, "xml": true, "externalDocs": true, "discriminator": true}

// annotations copied onto the wrapper of a nullable 3.0 schema.
var annotations = []string{"title", "description", "default", "readOnly", "writeOnly", "deprecated"}

var validTypes = map[string]bool{"null": true, "boolean": true, "object": true, "array": true, "number": true, "integer": true, "string": true}

// schema translates the schema v found at original pointer optr, to be placed
// at sparse pointer tptr. hasID is true below a "$id".
func (t *translator) schema(v any, optr, tptr string, depth int, hasID bool) (any, error) {
	if depth > maxNesting {
		return nil, &CompileError{Pointer: optr, Reason: "schema nested too deeply"}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v, nil // boolean schema, or garbage the library will reject
	}
	oas := t.b.dialect != dialectJSONSchema
	if _, ok := m["$id"].(string); ok {
		hasID = true
	}

	// OpenAPI 3.0: siblings of $ref are ignored (we keep `nullable`, which
	// real documents put there to make a reference nullable).
	if t.b.dialect == dialectOAS30 {
		if ref, ok := m["$ref"].(string); ok {
			if err := t.ref(ref, optr, hasID); err != nil {
				return nil, err
			}
			out := map[string]any{"$ref": ref}
			t.site(out, ref, hasID)
			if m["nullable"] == true {
				t.b.wrapped(tptr, optr)
				return map[string]any{"anyOf": []any{map[string]any{"type": "null"}, out}}, nil
			}
			return out, nil
		}
	}

	wrap := t.b.dialect == dialectOAS30 && m["nullable"] == true && m["type"] == nil &&
		(m["allOf"] != nil || m["anyOf"] != nil || m["oneOf"] != nil || m["not"] != nil || m["const"] != nil)
	inner := tptr
	if wrap {
		inner = tptr + "/anyOf/1"
		t.b.wrapped(tptr, optr)
	}

	var disc *dispatch
	if oas {
		disc = planDispatch(m)
	}
	var alts any // the translated alternatives of a dispatched combinator

	out := make(map[string]any, len(m))
	for k, val := range m {
		switch {
		case oas && (oasDropped[k] || strings.HasPrefix(k, "x-")):
			continue
		case disc != nil && k == disc.kw:
			arr := val.([]any) // checked by planDispatch
			base := disc.altPointer(inner)
			na := make([]any, len(arr))
			for i, sub := range arr {
				tok := "/" + strconv.Itoa(i)
				s, err := t.schema(sub, optr+"/"+k+tok, base+tok, depth+1, hasID)
				if err != nil {
					return nil, err
				}
				na[i] = s
			}
			alts = na
		case schemaMapKeywords[k]:
			sm, ok := val.(map[string]any)
			if !ok {
				out[k] = val
				continue
			}
			nm := make(map[string]any, len(sm))
			for name, sub := range sm {
				tok := "/" + k + "/" + jsonptr.EscapeToken(name)
				s, err := t.schema(sub, optr+tok, inner+tok, depth+1, hasID)
				if err != nil {
					return nil, err
				}
				nm[name] = s
			}
			out[k] = nm
		case schemaKeywords[k] || (k == "items" && !isArray(val)):
			s, err := t.schema(val, optr+"/"+k, inner+"/"+k, depth+1, hasID)
			if err != nil {
				return nil, err
			}
			out[k] = s
		case schemaArrayKeywords[k] || k == "items":
			arr, ok := val.([]any)
			if !ok {
				out[k] = val
				continue
			}
			na := make([]any, len(arr))
			for i, sub := range arr {
				tok := "/" + k + "/" + strconv.Itoa(i)
				s, err := t.schema(sub, optr+tok, inner+tok, depth+1, hasID)
				if err != nil {
					return nil, err
				}
				na[i] = s
			}
			out[k] = na
		case k == "dependencies":
			dm, ok := val.(map[string]any)
			if !ok {
				out[k] = val
				continue
			}
			nm := make(map[string]any, len(dm))
			for name, sub := range dm {
				if isArray(sub) {
					nm[name] = sub
					continue
				}
				tok := "/" + k + "/" + jsonptr.EscapeToken(name)
				s, err := t.schema(sub, optr+tok, inner+tok, depth+1, hasID)
				if err != nil {
					return nil, err
				}
				nm[name] = s
			}
			out[k] = nm
		case k == "$ref":
			out[k] = val
			if ref, ok := val.(string); ok {
				if err := t.ref(ref, optr, hasID); err != nil {
					return nil, err
				}
				t.site(out, ref, hasID)
			}
		case k == "$schema" && oas:
			// OpenAPI dialect identifiers are not loadable meta-schemas;
			// a JSON Schema draft identifier is honoured.
			if s, ok := val.(string); ok && strings.Contains(s, "json-schema.org") && t.b.dialect == dialectOAS31 {
				out[k] = val
			}
		case k == "nullable" && t.b.dialect == dialectOAS30:
			continue
		default:
			out[k] = val
		}
	}

	if disc != nil {
		if err := t.applyDispatch(disc, out, alts, optr, inner, hasID); err != nil {
			return nil, err
		}
	}
	if t.b.dialect == dialectOAS30 {
		oas30Numbers(out)
		if typ, ok := out["type"].(string); ok && !validTypes[typ] {
			delete(out, "type") // e.g. "file": not a JSON type, no constraint
		}
		if m["nullable"] == true {
			nullable(out)
		}
	}
	if t.b.dir != 0 {
		t.hideProperties(m, out, inner)
	}
	if wrap {
		w := map[string]any{"anyOf": []any{map[string]any{"type": "null"}, out}}
		for _, a := range annotations {
			if v, ok := out[a]; ok {
				w[a] = v
			}
		}
		return w, nil
	}
	return out, nil
}

// wrapped records the pointers of a nullable wrapper built at tptr for the
// original schema at optr: the wrapper's anyOf stands for `nullable`, its
// second branch for the schema itself.
func (b *builder) wrapped(tptr, optr string) {
	b.alias.Store(tptr+"/anyOf", optr+"/nullable")
	b.alias.Store(tptr+"/anyOf/1", optr)
}

func isArray(v any) bool { _, ok := v.([]any); return ok }

func (t *translator) ref(ref, optr string, hasID bool) error {
	if p, ok := localRef(ref); ok {
		t.refs = append(t.refs, p)
		return nil
	}
	if strings.HasPrefix(ref, "#") || hasID {
		return nil // an anchor, or relative to a $id: the library resolves it
	}
	return &CompileError{Pointer: optr, Reason: "unsupported $ref", Err: &RefError{Ref: ref, Reason: "remote references are not supported"}}
}

// oas30Numbers converts the boolean exclusiveMinimum/exclusiveMaximum of
// OpenAPI 3.0 (JSON Schema draft 4) to the numeric form.
func oas30Numbers(out map[string]any) {
	for _, kw := range [...][2]string{{"exclusiveMinimum", "minimum"}, {"exclusiveMaximum", "maximum"}} {
		ex, ok := out[kw[0]].(bool)
		if !ok {
			continue
		}
		delete(out, kw[0])
		if ex {
			if bound, ok := out[kw[1]]; ok {
				out[kw[0]] = bound
				delete(out, kw[1])
			}
		}
	}
}

// nullable applies OpenAPI 3.0 `nullable: true` to a schema with a type or
// an enum (the wrapped case is handled by the caller).
func nullable(out map[string]any) {
	switch typ := out["type"].(type) {
	case string:
		if typ != "null" {
			out["type"] = []any{typ, "null"}
		}
	case []any:
		has := false
		for _, x := range typ {
			if x == "null" {
				has = true
			}
		}
		if !has {
			out["type"] = append(append([]any{}, typ...), "null")
		}
	}
	if enum, ok := out["enum"].([]any); ok {
		for _, x := range enum {
			if x == nil {
				return
			}
		}
		out["enum"] = append(append([]any{}, enum...), nil)
	}
}

// hideProperties applies readOnly (requests) or writeOnly (responses): such
// a property is not required, and sending it is a violation.
func (t *translator) hideProperties(orig, out map[string]any, tptr string) {
	flag := "readOnly"
	if t.b.dir == Response {
		flag = "writeOnly"
	}
	props, ok := orig["properties"].(map[string]any)
	if !ok {
		return
	}
	var hidden map[string]bool
	for name, p := range props {
		if t.b.hasFlag(p, flag, 0) {
			if hidden == nil {
				hidden = map[string]bool{}
			}
			hidden[name] = true
		}
	}
	if hidden == nil {
		return
	}
	np, _ := out["properties"].(map[string]any)
	for name := range hidden {
		np[name] = false
		t.b.forbidden.Store(tptr+"/properties/"+jsonptr.EscapeToken(name), flag)
	}
	if req, ok := out["required"].([]any); ok {
		kept := make([]any, 0, len(req))
		for _, r := range req {
			if s, ok := r.(string); ok && hidden[s] {
				continue
			}
			kept = append(kept, r)
		}
		out["required"] = kept
	}
}

// hasFlag reports whether schema v (following local $refs and allOf) sets
// keyword flag (readOnly/writeOnly) to true.
func (b *builder) hasFlag(v any, flag string, depth int) bool {
	m, ok := v.(map[string]any)
	if !ok || depth > 32 {
		return false
	}
	if m[flag] == true {
		return true
	}
	if ref, ok := m["$ref"].(string); ok {
		if p, ok := localRef(ref); ok {
			if target, ok := lookup(b.orig, p); ok && b.hasFlag(target, flag, depth+1) {
				return true
			}
		}
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, s := range all {
			if b.hasFlag(s, flag, depth+1) {
				return true
			}
		}
	}
	return false
}
