package schema

import (
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Direction says which way a value travels, which decides how readOnly and
// writeOnly properties are treated.
type Direction int

const (
	// Request: readOnly properties are not required, and sending one is a
	// violation. Use it for request bodies and parameters.
	Request Direction = iota + 1
	// Response: the same for writeOnly properties.
	Response
)

func (d Direction) String() string {
	switch d {
	case Request:
		return "request"
	case Response:
		return "response"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// OpenAPI compiles Schema Objects of one decoded OpenAPI 3.0.x, 3.1.x or
// 3.2.x document on demand. Each requested schema (and what it references) is
// translated and compiled once per Direction and cached; nothing else in
// the document is read. It is safe for concurrent use.
type OpenAPI struct {
	root    any
	dialect dialect
	cfg     config
	dirs    [2]dirState
}

type dirState struct {
	mu sync.Mutex
	b  *builder
	c  *jsonschema.Compiler
	d  *docInfo
	// compiled maps a pointer, as callers wrote it and normalised, to its
	// schema: the contract checks of every run find theirs without a lock.
	compiled sync.Map // string -> *Schema
}

// NewOpenAPI prepares root, a whole decoded OpenAPI document (JSON data
// model). The dialect comes from root["openapi"]: "3.0.x" documents are
// translated from the OpenAPI 3.0 Schema Object (nullable, boolean
// exclusiveMinimum/exclusiveMaximum, $ref siblings ignored), "3.1.x" and
// "3.2.x" ones are JSON Schema 2020-12 (3.2 keeps the 3.1 dialect). Format assertion is on unless
// WithFormatAssertion(false) is given. NewOpenAPI does not walk the
// document.
func NewOpenAPI(root any, opts ...Option) (*OpenAPI, error) {
	m, ok := root.(map[string]any)
	if !ok {
		return nil, &CompileError{Reason: "an OpenAPI document must be an object"}
	}
	v, _ := m["openapi"].(string)
	var d dialect
	switch {
	case strings.HasPrefix(v, "3.0."), v == "3.0":
		d = dialectOAS30
	case strings.HasPrefix(v, "3.1."), v == "3.1", strings.HasPrefix(v, "3.2."), v == "3.2":
		d = dialectOAS31
	default:
		return nil, &CompileError{Reason: fmt.Sprintf("unsupported \"openapi\" version %q (want 3.0.x, 3.1.x or 3.2.x)", v)}
	}
	return &OpenAPI{root: root, dialect: d, cfg: newConfig(opts)}, nil
}

// Compile returns the compiled Schema Object at pointer (a JSON pointer such
// as "/paths/~1pets/post/requestBody/content/application~1json/schema";
// "#/..." is accepted), for values travelling in direction dir. Reference
// Objects met along the pointer (a requestBody or parameter that is a
// "$ref" to components) are followed. Results are cached; a failed
// compilation is not.
func (o *OpenAPI) Compile(pointer string, dir Direction) (*Schema, error) {
	if dir != Request && dir != Response {
		return nil, &CompileError{Pointer: pointer, Reason: "direction must be Request or Response"}
	}
	st := &o.dirs[dir-1]
	if s, ok := st.compiled.Load(pointer); ok {
		return s.(*Schema), nil
	}
	ptr, err := normalizePointer(pointer)
	if err != nil {
		return nil, err
	}
	if ptr == "" {
		return nil, &CompileError{Pointer: ptr, Reason: "the document root is not a Schema Object"}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.compiled.Load(ptr); ok {
		st.compiled.Store(pointer, s)
		return s.(*Schema), nil
	}
	if st.b == nil {
		st.b = newBundler(o.root, o.dialect, dir)
		st.c = newCompiler(o.cfg)
		if o.dialect == dialectOAS30 {
			// See the package doc: draft-07 rules for the translated 3.0
			// Schema Object.
			st.c.DefaultDraft(jsonschema.Draft7)
		}
		st.d = &docInfo{orig: o.root, b: st.b, dialect: o.dialect}
	}
	// The schemas ptr needs that no earlier call brought in become one
	// more resource (bundle.go).
	target, err := st.b.include(ptr)
	if err != nil {
		st.b.discard()
		return nil, err
	}
	if u, doc, ok := st.b.flush(); ok {
		if err := st.c.AddResource(u, doc); err != nil {
			st.b = nil // cannot happen: the URL is ours; start afresh
			return nil, &CompileError{Pointer: ptr, Reason: "invalid document", Err: err}
		}
	}
	loc, _ := st.b.locate(target)
	lib, err := st.c.Compile(loc)
	if err != nil {
		return nil, libCompileError(ptr, err)
	}
	s := &Schema{lib: lib, d: st.d}
	st.compiled.Store(ptr, s)
	st.compiled.Store(pointer, s)
	return s, nil
}
