// Package oas indexes OpenAPI 3.0, 3.1 and 3.2 descriptions for Telaio: it
// finds operations by operationId or by JSON pointer, and exposes what the
// executor needs to build requests (servers, parameters with style and
// explode, request media types, security requirements and schemes) and what
// checks need to validate exchanges (JSON pointers of schemas, for package
// schema).
//
// Start with Load for a description in one document, or LoadFiles for one
// split in several files:
//
//	d, err := oas.LoadFiles(ctx, src, "api/openapi.yaml", reader)
//	for _, e := range d.RefErrors() { ... } // $refs that could not be followed
//	op, err := d.OperationByID("getPet")
//	ptr := op.Response(200).MediaType("application/json").SchemaPointer
//	pos := d.Locate(ptr) // e.g. api/schemas/pet.yaml:1:1
//
// A Document is built from the description decoded once into the JSON data
// model; local $refs are followed when the index is built, so later lookups
// never re-parse or re-resolve. Building the full libopenapi model of a large
// description costs tens of milliseconds and megabytes; Telaio needs a small
// part of it per run, so this index is what the hot path uses, and
// LibOpenAPI builds the complete libopenapi model on demand (once) for the
// consumers that need it, such as the mock server.
//
// # Descriptions in several files
//
// Load follows same-document references ("#/...") only: a $ref to another
// file or a URL stays unresolved, ExternalRefs lists it with its position,
// and a parameter that is such a ref is left out of Operation.Parameters.
//
// LoadFiles bundles: every $ref to another document is resolved against the
// file that holds it and read through a Reader, which owns every decision
// about what may be read (the arazzo loader's: files inside its root, URLs
// of allowed hosts, size and time limits). Each document is read once,
// cycles included. The values $refs reach are embedded under the root key
// "x-telaio-files" (the name package asyncapi uses), each file under its
// path relative to the root's folder (its URL for a remote one), and every
// $ref to them (and every discriminator mapping value that names a file) is
// rewritten into a local pointer such as
// "#/x-telaio-files/schemas~1pet.yaml/properties". Raw is then one
// self-contained tree that the index, package schema, the arazzo type
// checker, Subset and LibOpenAPI (which builds from Source, the bundle as
// JSON) share unchanged. Locate maps any pointer of Raw back to its file,
// line and column; Files lists the files with their SHA-256 (the plan cache
// keys on all of them). A $ref LoadFiles cannot follow is a RefError at the
// $ref, in the file that holds it, and stays as written.
//
// Decisions: only the parts of a file that some $ref reaches are searched
// for more $refs (a broken $ref in an unused component of a shared file is
// not read); a description is limited by DefaultMaxFiles and DefaultMaxBytes
// (options WithMaxFiles, WithMaxBytes); relative $refs resolve against the
// location the file was read from, never against $self (3.2) or a schema's
// $id; a $ref whose document part is the $id of a schema of the
// description names that schema and is left alone; $refs inside example,
// examples, default, const, enum and x- extensions are data, not
// references.
//
// # OpenAPI 3.2
//
// A 3.2 description is indexed like 3.1 (its schemas are JSON Schema
// 2020-12, the 3.1 dialect), plus: the query field of a Path Item is an
// operation (method QUERY); each additionalOperations entry is an operation
// whose Method is its key as written (e.g. PURGE), at the pointer
// /paths/<path>/additionalOperations/<method>; the parameter "in:
// querystring" (the whole query string, serialized by its one media type)
// is Operation.QueryString, not part of Parameters, so that code that
// builds query parameters does not meet it by accident; a media type that
// is a $ref (components/mediaTypes) is followed; itemSchema (sequential
// media types) is MediaType.ItemSchemaPointer. The index does not check
// the description: a querystring parameter beside query parameters, which
// 3.2 forbids, is indexed as written. In a 3.0 or 3.1 description, query
// and additionalOperations are not operations.
//
// A Document is immutable after Load and safe for concurrent use.
package oas
