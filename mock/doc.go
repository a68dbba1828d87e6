// Package mock serves an OpenAPI 3.0/3.1 description as a mock HTTP API: a
// *Server built by New (from a libopenapi.Document) or NewFromBytes is an
// http.Handler answering every operation of the description. It backs
// `telaio mock` and `telaio run --mock`, and works with any http.Server or
// httptest.Server.
//
//	srv, err := mock.NewFromBytes(spec, mock.WithSeed(1))
//	ts := httptest.NewServer(srv)
//
// # Requests
//
// Routing matches the path templates of the description, literal segments
// before templated ones ({id}, or mixed such as {name}.{ext}), with
// backtracking. A request may carry the path of any server URL (variables
// replaced by their defaults) or a WithBasePath prefix before the template,
// or not: https://x/v1 with /pets serves both /v1/pets and /pets. Path-item
// and operation-level servers are not considered. A trailing slash is
// ignored. HEAD is answered by GET when no HEAD operation exists. Unknown
// paths get 404, known paths with another method 405 with an Allow header.
//
// Then, in this order:
//
//   - Security (401): one alternative of the operation's security
//     requirements (else the document's) must be satisfied. Only presence is
//     checked: Basic needs an Authorization header whose base64 decodes to
//     user:password, bearer, oauth2 and openIdConnect a non-empty Bearer
//     token, apiKey its header, query parameter or cookie; mutualTLS is not
//     checked. When the document defines security schemes but writes no
//     requirement anywhere (the Stytch B2B description defines basicAuth but
//     requires it nowhere), any one defined scheme is required; with
//     WithAssumeSecurity(false) such a document needs no credentials.
//     WithRequireAuth(false) turns all checks off.
//   - Validation (400): required parameters must be present; path, query,
//     header and cookie values are decoded by style (simple, form, label,
//     matrix, spaceDelimited, pipeDelimited, deepObject; explode), numbers and
//     booleans are converted by the schema's type, and values are validated
//     against their schemas. Parameters using content are JSON-decoded.
//     Header parameters named Accept, Content-Type and Authorization are
//     ignored, as the specification says, and undeclared parameters are
//     ignored too. A body needs a declared media type
//     (exact, type/*, */*); JSON bodies and form-urlencoded ones are
//     validated against their schema, other media types are not. Bodies
//     larger than WithMaxBodyBytes get 413.
//
// Every problem found is listed in one JSON answer (see ErrorResponse):
//
//	{"error":"bad_request","message":"...","details":[
//	  {"in":"query","name":"limit","pointer":"","message":"must be <= 100"},
//	  {"in":"body","pointer":"/species","message":"must be one of \"cat\", \"dog\""}]}
//
// Schemas are compiled with package schema (which translates the OpenAPI 3.0
// dialect and asserts formats) from the description in the JSON data model,
// lazily: once per operation, on its first request. New takes a
// libopenapi.Document rather than a built *v3.Document because it needs
// both the model (routes, examples, synthesis) and the parsed YAML tree,
// which the first request converts to the JSON data model (about 20-60 ms
// for Stytch) unless WithRawDocument supplies it. Only local $refs are
// followed for validation.
//
// # Responses
//
// The response is the operation's lowest declared 2XX (exact codes before
// 2XX), else default (sent as 200), else the first declared. A request
// header Prefer: code=404 selects another declared response (exact code,
// else its range, else default with that status) and Prefer: example=name a
// named example of the chosen media type, as Prism does. The media type is
// application/json when declared and acceptable to the Accept header, else
// the first acceptable one (the first declared when none is; there is no
// 406).
//
// The body is the media type's example, else its first named example
// (externalValue examples are skipped), else a value synthesized from the
// schema by libopenapi's renderer with every declared property, formats
// respected (uuid, date-time, email, uri, int32, ...) and date-times fixed
// at 2025-01-01T12:00:00Z. The renderer is seeded from WithSeed and the
// operation, status and media type, so the same request always gets the
// same bytes, whatever the order of requests. Where the renderer produces
// values its schema rejects (const, enum without type, exclusive bounds,
// multipleOf, maxItems, untyped required properties, readOnly/writeOnly),
// the value is repaired so that synthesized bodies validate; a oneOf whose
// alternatives overlap cannot be repaired. Declared response headers get
// their example or a synthesized value.
//
// Echo: so that chained workflows stay consistent, in a synthesized JSON
// body a string property (at any depth) named like a path parameter or like
// a top-level string property of the request body takes the request's
// value, e.g. organization_id and member_id. An echoed value that breaks the
// response schema (a uuid format, an enum) is not echoed. Examples are
// returned verbatim. WithEcho(false) turns echo off.
//
// Errors the mock itself produces are JSON ErrorResponse bodies with a stable
// error code. A Server is immutable after New and safe for concurrent use;
// it never writes to stdout (build warnings go to WithLogger's logger).
package mock
