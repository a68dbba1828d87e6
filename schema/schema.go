package schema

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL names the (sparse copy of the) caller's document inside the JSON
// Schema library. It is never fetched.
const docURL = "https://telaio.invalid/document"

// Option configures compilation.
type Option func(*config)

type config struct {
	formats bool
}

func newConfig(opts []Option) config {
	cfg := config{formats: true}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return cfg
}

// WithFormatAssertion turns `format` checks on (the default) or off. When
// on, the formats known to the JSON Schema library (date-time, date, time,
// duration, email, hostname, ipv4, ipv6, uri, uri-reference, uuid, regex,
// json-pointer, ...) and the OpenAPI formats int32, int64, float, double and
// byte are asserted; unknown formats (e.g. "password") are ignored. When
// off, every format is an annotation, as JSON Schema 2020-12 says by default.
func WithFormatAssertion(on bool) Option { return func(c *config) { c.formats = on } }

// Schema is a compiled schema. It is immutable and safe for concurrent use.
type Schema struct {
	lib  *jsonschema.Schema
	d    *docInfo
	fast fastState // boolean fast path of Validate, built lazily (fast.go)
}

// docInfo is what a compiled schema needs from the document it came from.
type docInfo struct {
	orig    any
	b       *builder
	dialect dialect
}

// Compile compiles the JSON Schema found at pointer inside root, a whole
// decoded document (JSON data model), so that a "$ref" such as
// "#/components/inputs/x" resolves against root. pointer is a JSON pointer
// ("/workflows/0/inputs"; "#/..." fragment form is accepted too; "" is
// root itself). Objects along the pointer that are only a local "$ref"
// (OpenAPI Reference Objects) are followed.
//
// The dialect is JSON Schema 2020-12 unless the schema's "$schema" names
// another draft. Only the schema and what it references are read. Remote
// references are never fetched: a "$ref" to another document is a
// *CompileError wrapping a *RefError that names it.
func Compile(root any, pointer string, opts ...Option) (*Schema, error) {
	cfg := newConfig(opts)
	ptr, err := normalizePointer(pointer)
	if err != nil {
		return nil, err
	}
	b := newBuilder(root, dialectJSONSchema, 0)
	if ptr, err = b.include(ptr); err != nil {
		return nil, err
	}
	c := newCompiler(cfg)
	if err := c.AddResource(docURL, b.sparse); err != nil {
		return nil, &CompileError{Pointer: ptr, Reason: "invalid document", Err: err}
	}
	lib, err := c.Compile(docURL + fragment(ptr))
	if err != nil {
		return nil, libCompileError(ptr, err)
	}
	return &Schema{lib: lib, d: &docInfo{orig: root, b: b, dialect: dialectJSONSchema}}, nil
}

func newCompiler(cfg config) *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(noRemote{})
	c.UseRegexpEngine(lenientRegexp)
	for _, f := range extraFormats {
		c.RegisterFormat(f)
	}
	if cfg.formats {
		c.AssertFormat()
	}
	return c
}

func libCompileError(ptr string, err error) error {
	var le *jsonschema.LoadURLError
	if errors.As(err, &le) {
		if re, ok := le.Err.(*RefError); ok {
			return &CompileError{Pointer: ptr, Reason: "unsupported $ref", Err: re}
		}
	}
	return &CompileError{Pointer: ptr, Reason: "invalid schema", Err: err}
}

// noRemote refuses every URL: documents are never fetched.
type noRemote struct{}

func (noRemote) Load(u string) (any, error) {
	return nil, &RefError{Ref: u, Reason: "remote references are not supported"}
}

// lenientRegexp compiles patterns with Go's RE2 engine. A pattern RE2
// cannot compile (lookaround, backreferences: ECMA-262 features) is not
// enforced rather than making the whole schema unusable.
func lenientRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(s)
	if err != nil {
		return anyString(s), nil
	}
	return re, nil
}

type anyString string

func (a anyString) String() string          { return string(a) }
func (a anyString) MatchString(string) bool { return true }

// pointerOf maps a library schema location to a pointer in the caller's
// document. Locations in other resources (a "$id" inside the schema) are
// returned as absolute URLs.
func (d *docInfo) pointerOf(loc string) string {
	p, ok := d.b.docPointer(loc)
	if !ok {
		return loc
	}
	return d.b.originalPointer(p)
}

func (d *docInfo) forbidden(loc string) (string, bool) {
	p, ok := d.b.docPointer(loc)
	if !ok {
		return "", false
	}
	f, ok := d.b.forbidden.Load(p)
	if !ok {
		return "", false
	}
	return f.(string), true
}

// Validate checks v (JSON data model; numbers may be float64, any Go integer
// type or json.Number) and returns nil or a *ValidationError listing every
// violation.
func (s *Schema) Validate(v any) error {
	if s.fastValid(v) {
		return nil // sure; otherwise the library decides and reports
	}
	err := s.lib.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err
	}
	return s.d.convert(ve)
}

// Location is the schema's location in its document, "#" followed by an
// unencoded JSON pointer (for example "#/components/schemas/Pet").
func (s *Schema) Location() string {
	p := s.d.pointerOf(s.lib.Location)
	if strings.Contains(p, "#") {
		return p
	}
	return "#" + p
}

// Raw returns the schema as written in the caller's document (OpenAPI 3.0
// keywords such as `nullable` untranslated). A schema that is only a local
// "$ref" (plus descriptive keywords; in OpenAPI 3.0 any siblings) is
// resolved to its target. The value is shared with the document: do not
// modify it. Raw is nil when the schema does not come from the document
// (a "$id" resource).
func (s *Schema) Raw() any {
	p := s.d.pointerOf(s.lib.Location)
	v, ok := lookup(s.d.orig, p)
	if !ok {
		return nil
	}
	return s.d.resolve(v)
}

var refAnnotations = map[string]bool{"$ref": true, "description": true, "summary": true, "title": true, "$comment": true}

func (d *docInfo) resolve(v any) any {
	for range 32 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		if d.dialect != dialectOAS30 {
			for k := range m {
				if !refAnnotations[k] {
					return v
				}
			}
		}
		p, ok := localRef(ref)
		if !ok {
			return v
		}
		t, ok := lookup(d.orig, p)
		if !ok {
			return v
		}
		v = t
	}
	return v
}

// views returns sch and the schemas that apply to the same instance
// unambiguously: $ref targets, allOf members and, for an anyOf/oneOf whose
// alternatives are all `type: null` but one, that one.
func views(sch *jsonschema.Schema) []*jsonschema.Schema {
	var out []*jsonschema.Schema
	seen := map[*jsonschema.Schema]bool{}
	var walk func(s *jsonschema.Schema, depth int)
	walk = func(s *jsonschema.Schema, depth int) {
		if s == nil || seen[s] || depth > 32 {
			return
		}
		seen[s] = true
		out = append(out, s)
		walk(s.Ref, depth+1)
		if s.DynamicRef != nil {
			walk(s.DynamicRef.Ref, depth+1)
		}
		for _, a := range s.AllOf {
			walk(a, depth+1)
		}
		for _, alts := range [][]*jsonschema.Schema{s.AnyOf, s.OneOf} {
			if one := soleNonNull(alts); one != nil {
				walk(one, depth+1)
			}
		}
	}
	walk(sch, 0)
	return out
}

func soleNonNull(alts []*jsonschema.Schema) *jsonschema.Schema {
	var one *jsonschema.Schema
	for _, a := range alts {
		if a.Types != nil && len(a.Types.ToStrings()) == 1 && a.Types.ToStrings()[0] == "null" {
			continue
		}
		if one != nil {
			return nil
		}
		one = a
	}
	return one
}

// Properties returns the object properties the schema declares, merged
// through $ref, allOf and nullable wrappers (the first declaration of a
// name wins). In an OpenAPI Request schema a readOnly property (Response:
// writeOnly) is present as a schema that accepts nothing; Raw still shows
// the declaration.
func (s *Schema) Properties() map[string]*Schema {
	out := map[string]*Schema{}
	for _, v := range views(s.lib) {
		for name, p := range v.Properties {
			if _, ok := out[name]; !ok {
				out[name] = &Schema{lib: p, d: s.d}
			}
		}
	}
	return out
}

// Closed reports whether the schema refuses object members it does not
// declare (additionalProperties: false, through $ref, allOf and nullable
// wrappers).
func (s *Schema) Closed() bool {
	for _, v := range views(s.lib) {
		if b, ok := v.AdditionalProperties.(bool); ok && !b {
			return true
		}
	}
	return false
}

// Required returns the required property names, merged like Properties (in
// an OpenAPI Request schema readOnly properties are not required; in a
// Response schema writeOnly ones are not).
func (s *Schema) Required() []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range views(s.lib) {
		for _, r := range v.Required {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// Types returns the JSON types the schema allows ("null" last, and
// included for an OpenAPI 3.0 nullable schema), from the first view that
// declares any; nil means unconstrained.
func (s *Schema) Types() []string {
	nullable := false
	var ts []string
	for _, v := range views(s.lib) {
		for _, alts := range [][]*jsonschema.Schema{v.AnyOf, v.OneOf} {
			if len(alts) == 2 && soleNonNull(alts) != nil {
				nullable = true
			}
		}
		if ts == nil && v.Types != nil && !v.Types.IsEmpty() {
			ts = v.Types.ToStrings()
		}
	}
	if ts == nil {
		return nil
	}
	out := make([]string, 0, len(ts)+1)
	for _, t := range ts {
		if t != "null" {
			out = append(out, t)
		}
	}
	if nullable || contains(ts, "null") {
		out = append(out, "null")
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Format returns the `format` of the schema (through views), or "".
func (s *Schema) Format() string {
	for _, v := range views(s.lib) {
		if v.Format != nil {
			return v.Format.Name
		}
	}
	if m, ok := s.Raw().(map[string]any); ok {
		if f, ok := m["format"].(string); ok {
			return f
		}
	}
	return ""
}

// ReadOnly reports whether the schema is marked readOnly (following local
// $refs and allOf in the document).
func (s *Schema) ReadOnly() bool { return s.flag("readOnly") }

// WriteOnly reports whether the schema is marked writeOnly.
func (s *Schema) WriteOnly() bool { return s.flag("writeOnly") }

func (s *Schema) flag(name string) bool {
	v, ok := lookup(s.d.orig, s.d.pointerOf(s.lib.Location))
	if !ok {
		return false
	}
	return s.d.b.hasFlag(v, name, 0)
}

// ApplyDefaults returns a deep copy of v in which every missing object
// property whose schema declares a `default` is set to (a copy of) that
// default, recursively: into properties present in v, into array items,
// through $ref, allOf and nullable wrappers. Defaults are themselves
// completed. Other alternatives of anyOf/oneOf/if are ambiguous and not
// followed. v is never modified.
//
// When v is nil and the root schema has a default, a copy of it is
// returned; when v is nil and defaults fill some properties of a root
// object schema, the resulting map is returned; otherwise nil.
func (s *Schema) ApplyDefaults(v any) any {
	if v == nil {
		vs := views(s.lib)
		for _, x := range vs {
			if x.Default != nil {
				c := deepCopy(*x.Default)
				return fill(s.lib, c, 0)
			}
		}
		m := map[string]any{}
		fill(s.lib, m, 0)
		if len(m) == 0 {
			return nil
		}
		return m
	}
	return fill(s.lib, deepCopy(v), 0)
}

// fill completes v (our own copy) in place and returns it.
func fill(sch *jsonschema.Schema, v any, depth int) any {
	if sch == nil || depth > maxNesting {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		for _, view := range views(sch) {
			for name, ps := range view.Properties {
				if cur, ok := x[name]; ok {
					x[name] = fill(ps, cur, depth+1)
					continue
				}
				for _, pv := range views(ps) {
					if pv.Default != nil {
						x[name] = fill(ps, deepCopy(*pv.Default), depth+1)
						break
					}
				}
			}
		}
	case []any:
		for _, view := range views(sch) {
			for i := range x {
				var is *jsonschema.Schema
				switch {
				case i < len(view.PrefixItems):
					is = view.PrefixItems[i]
				case view.Items2020 != nil:
					is = view.Items2020
				default:
					switch it := view.Items.(type) {
					case *jsonschema.Schema:
						is = it
					case []*jsonschema.Schema:
						if i < len(it) {
							is = it[i]
						}
					}
				}
				if is != nil {
					x[i] = fill(is, x[i], depth+1)
				}
			}
		}
	}
	return v
}

// deepCopy copies maps and slices of the JSON data model.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	case json.RawMessage:
		return append(json.RawMessage(nil), x...)
	}
	return v
}
