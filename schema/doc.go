// Package schema compiles and applies JSON Schemas: the `inputs` of Arazzo
// workflows (JSON Schema 2020-12) and the Schema Objects of OpenAPI 3.0,
// 3.1 and 3.2 documents. It wraps github.com/santhosh-tekuri/jsonschema/v6; no other
// package depends on that library directly.
//
// Start with Compile for a schema inside any decoded document, or NewOpenAPI
// and OpenAPI.Compile for OpenAPI descriptions:
//
//	doc, _ := yamlx.Decode(src)                      // JSON data model
//	s, err := schema.Compile(doc, "/workflows/0/inputs")
//	inputs = s.ApplyDefaults(inputs)                 // a copy; inputs untouched
//	if err := s.Validate(inputs); err != nil { ... } // *schema.ValidationError
//
// # Documents and references
//
// The pointer names the schema inside the whole document, so "$ref":
// "#/components/inputs/x" resolves against that document. Only the schema
// and the local references it reaches are copied and compiled (a 1.4 MB
// OpenAPI description costs well under a millisecond per schema); circular
// references work. Nothing is ever fetched: a reference to another document
// is a *CompileError wrapping a *RefError that names it. Anchors and
// "$id"-relative references are resolved by the library within the copied
// schemas only.
//
// # OpenAPI dialects
//
// An OpenAPI 3.0 Schema Object is translated before compiling: `nullable:
// true` allows null (added to `type` and to `enum`; a schema without `type`
// whose composition keywords or `$ref` would reject null is wrapped in
// anyOf [null, schema]; `nullable` beside a `$ref` is honoured although 3.0
// ignores $ref siblings), boolean exclusiveMinimum/exclusiveMaximum become
// numeric, other siblings of `$ref` are ignored, a non-JSON `type` such as
// "file" is dropped, and example, xml, externalDocs and x- keywords are
// ignored. The translated schema is compiled under JSON Schema draft-07
// rules, the draft nearest to the 3.0 Schema Object that has everything the
// translation emits (numeric exclusive bounds, const, if/then/else, boolean
// schemas): keywords 3.0 does not have and draft-07 does not know either
// (prefixItems, unevaluatedProperties, dependentRequired, $defs) are
// ignored, and compiling is cheaper (the 2020-12 meta-schema is the
// costlier to check). OpenAPI 3.1 and 3.2 schemas are JSON Schema
// 2020-12 (3.2 keeps the dialect of 3.1); an OAS dialect "$schema" is
// ignored.
//
// In both OpenAPI dialects a `discriminator` beside oneOf (or, without
// oneOf, anyOf) selects the alternative: a payload whose propertyName
// value is a key of `mapping` (a "$ref" such as "#/components/schemas/Cat"
// or a bare schema name, read as "#/components/schemas/<name>"), or else
// the last segment of an alternative's "$ref" (implicit mapping;
// case-sensitive), is validated against the selected schema only, so
// overlapping alternatives are accepted and errors come from that schema
// ("#/components/schemas/Cat/properties/meows/type"). A non-object, a
// missing property or a value that selects nothing is checked against
// oneOf/anyOf as written (lenient; the property is required only if
// `required` says so). A mapping target that does not resolve is a
// *CompileError. A discriminator without oneOf/anyOf (the allOf
// inheritance form: a base schema named by its subtypes' allOf) selects
// nothing, since dispatching from the base to a subtype that includes the
// base would recurse; the schema is validated as written. Translation
// adds an allOf member and moves the alternatives into it, so a "$ref"
// that points inside a discriminated oneOf/anyOf does not resolve.
//
// The Direction decides readOnly/writeOnly: in a Request a readOnly
// property is never required and sending one is a violation ("property is
// readOnly and must not be sent in a request"); a Response does the same
// for writeOnly. The flag is read on the property's schema, following local
// $refs and allOf. Only `required` lists of the object that declares the
// property are adjusted.
//
// # Formats and patterns
//
// Format assertion is on by default (WithFormatAssertion): the library's
// formats (date-time, date, time, duration, email, hostname, ipv4, ipv6,
// uri, uri-reference, uuid, json-pointer, regex, ...) plus int32, int64
// (integral and in range), float, double and byte (base64) are checked;
// unknown formats such as "password" are annotations. Patterns use Go's
// RE2; a pattern RE2 cannot compile (lookaround, backreferences) is not
// enforced.
//
// # Errors
//
// Validate returns a *ValidationError listing every leaf violation with a
// JSON pointer into the value, the absolute keyword location in the
// document ("#/components/schemas/Pet/properties/age/type") and a message
// that never quotes the value (values can be secrets; lengths of strings
// are not shown either). For a failed anyOf/oneOf, the violations of the
// one alternative whose type fits are listed, else one violation for the
// combinator. Compilation problems are *CompileError.
//
// # Cost
//
// An OpenAPI document is compiled piecemeal: each Compile hands the library
// one new resource holding only the schemas no earlier call brought in
// (bundle.go), so a shared component is translated, checked against the
// meta-schema and compiled once per OpenAPI value and Direction. From its
// second Validate on, a Schema first asks a boolean fast path (fast.go), a
// program over the library's compiled schema that answers "valid for sure"
// without allocating; only then is the library skipped. Anything the
// program does not model exactly, or any doubt, goes to the library, which
// stays the authority: every report comes from it.
//
// Schema values are immutable and safe for concurrent use; so is OpenAPI,
// which compiles lazily and caches per pointer and Direction.
package schema
