// Package oas indexes OpenAPI 3.0 and 3.1 descriptions for Telaio: it finds
// operations by operationId or by JSON pointer, and exposes what the executor
// needs to build requests (servers, parameters with style and explode,
// request media types, security requirements and schemes) and what checks
// need to validate exchanges (JSON pointers of schemas, for package schema).
//
// A Document is built from the description decoded once into the JSON data
// model; local $refs are followed when the index is built, so later lookups
// never re-parse or re-resolve. Building the full libopenapi model of a large
// description costs tens of milliseconds and megabytes; Telaio needs a small
// part of it per run, so this index is what the hot path uses, and
// LibOpenAPI builds the complete libopenapi model on demand (once) for the
// consumers that need it, such as the mock server.
//
// Only same-document references ("#/...") are followed. A $ref to another
// file or a URL is never resolved: nothing here reads a file or fetches a
// URL, and LibOpenAPI configures libopenapi with file and remote
// references off. ExternalRefs lists such refs with their positions, so
// that callers (the arazzo loader) can say what is left unchecked; a
// parameter that is such a ref is left out of Operation.Parameters.
//
// A Document is immutable after Load and safe for concurrent use.
package oas
