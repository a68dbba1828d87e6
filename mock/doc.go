// Package mock serves an OpenAPI 3.0/3.1 description as a mock HTTP API: a
// *Server built by New (from an *oas.Document) or NewFromBytes is an
// http.Handler answering every operation of the description. It backs
// `telaio mock` and `telaio run --mock`, and works with any http.Server or
// httptest.Server. Its answers are meant to pass Telaio's own contract
// checks (executor/contract.go) for every operation.
//
//	doc, err := oas.Load(src, "openapi.yaml")
//	srv, err := mock.New(doc, mock.WithSeed(1), mock.WithRequestLog(os.Stderr))
//	ts := httptest.NewServer(srv)
//
// # Cost
//
// New reads the route table from the document's operation index and
// nothing else; an operation's parameters, bodies and responses are read
// from the index on its first request, and schemas are compiled, and
// bodies synthesized, on first use, once. Start-up is therefore
// proportional to the number of operations: New and a first request take
// about 0.1 s and 23 MB on a generated 24 MB description with 30000
// operations (BenchmarkNewLarge; loading it with oas.Load takes about 1 s
// and 230 MB more).
// Schemas are compiled with package schema from the description in the
// JSON data model, as the contract checks do; a schema that reaches more
// than WithMaxSchemaNodes JSON values through its $refs is not compiled
// (compiling costs more than linear time in that size), so requests are
// not validated against it and bodies synthesized from it are not checked.
// A document that is a subset from the plan cache (oas.Document.Partial)
// is served as it is: only its operations are routed.
//
// # Requests
//
// Routing matches the path templates of the description, literal segments
// before templated ones ({id}, or mixed such as {name}.{ext}), with
// backtracking. A request may carry the path of any server URL (document,
// path-item or operation level; variables replaced by their defaults) or a
// WithBasePath prefix before the template, or not: https://x/v1 with /pets
// serves both /v1/pets and /pets. A trailing slash is ignored. HEAD is
// answered by GET when no HEAD operation exists. Unknown paths get 404,
// known paths with another method 405 with an Allow header.
//
// OAuth2 token endpoint: for every security scheme with a clientCredentials
// flow, the mock serves the path of its tokenUrl (a relative URL resolved
// against "/", or the path of an absolute one; with or without a base
// path), unless the description declares an operation there. A POST of an
// application/x-www-form-urlencoded body with grant_type=client_credentials
// and the client authenticated by HTTP Basic or a client_id field (any
// values) gets {"access_token": ..., "token_type": "Bearer", "expires_in":
// 3600}; other requests get an RFC 6749 error (invalid_request,
// unsupported_grant_type, invalid_client).
//
// Then, in this order:
//
//   - Security (401): one alternative of the operation's security
//     requirements (else the document's) must be satisfied. Only presence is
//     checked: Basic needs an Authorization header whose base64 decodes to
//     user:password, bearer, oauth2 and openIdConnect a non-empty Bearer
//     token (the token endpoint's, or any), apiKey its header, query
//     parameter or cookie; mutualTLS is not checked. When the document
//     defines security schemes but writes no requirement anywhere (the
//     Stytch B2B description defines basicAuth but requires it nowhere), any
//     one defined scheme is required; with WithAssumeSecurity(false) such a
//     document needs no credentials. WithRequireAuth(false) turns all checks
//     off. PlaceholderCredential gives, per scheme, a credential of the form
//     the executor expects that the mock accepts: "telaio-mock:placeholder"
//     for HTTP Basic and for OAuth2 client credentials (sent to the token
//     endpoint as clientId:clientSecret), "telaio-mock-placeholder"
//     otherwise.
//   - Validation (400): required parameters must be present; path, query,
//     header and cookie values are decoded by style (simple, form, label,
//     matrix, spaceDelimited, pipeDelimited, deepObject; explode), numbers and
//     booleans are converted by the schema's type, and values are validated
//     against their schemas. Parameters using content are JSON-decoded.
//     Header parameters named Accept, Content-Type and Authorization are
//     ignored, as the specification says, and undeclared parameters are
//     ignored too. A body needs a declared media type (exact, type/*, */*);
//     JSON bodies and form-urlencoded ones are validated against their
//     schema, other media types are not. Bodies larger than
//     WithMaxBodyBytes get 413. Only local $refs are followed.
//
// Every problem found is listed in one answer. When the operation declares
// no response for the status (exact code, else its range, else default),
// or declares one without a JSON media type, that answer is an
// ErrorResponse in application/json:
//
//	{"error":"bad_request","message":"...","details":[
//	  {"in":"query","name":"limit","pointer":"","message":"must be <= 100"},
//	  {"in":"body","pointer":"/species","message":"must be one of \"cat\", \"dog\""}]}
//
// Otherwise the answer has the declared JSON media type and a body valid
// against its schema, the first of: the ErrorResponse (for a problem+json
// media type, RFC 9457 problem details {type, title, status, detail} with
// the error code and details as extension members); the same in brief
// ({error, message} or {type, title, status, detail}, the details written
// into the message); the media type's example or synthesized body with
// the message (details included), code and status written into the
// properties it already has that are named like them (message, detail,
// title, error, code, status, ...); that body as it is.
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
// 406). Declared response headers get their example (or first named one)
// or a synthesized value.
//
// The body is the media type's example, else its first named example in
// name order (the JSON data model keeps no key order; externalValue
// examples are skipped), else a value synthesized from the schema. The
// schemas that apply to a value ($ref targets, allOf members and one
// chosen alternative of each oneOf/anyOf, recursively) are merged into one
// set of constraints, so a const or an enum anywhere among them is
// honoured; a discriminator gets the value that selects the chosen
// alternative (its mapping key, else the last segment of its $ref). Every
// declared property is built, required ones first, then scalars, then
// nested objects and arrays; arrays get one item (or minItems). Formats
// are respected (uuid, date-time, email, uri, ...; date-times are fixed at
// 2025-01-01T12:00:00Z), patterns by building a string from the regular
// expression, bounds, multipleOf, lengths, uniqueItems, minProperties,
// dependentRequired, additionalProperties: false, readOnly (left out of
// requests) and writeOnly (left out of responses), and the OpenAPI 3.0
// dialect (nullable, boolean exclusive bounds, $ref siblings ignored).
// Scalar example, examples and default values of the schemas are used
// when they fit. Strings are words, numbers lie within the bounds: values
// derive from WithSeed and the operation, status and media type, so the
// same request always gets the same bytes, whatever the order of requests.
//
// Cycles end: once a body holds WithSynthesisLimits' node budget
// (DefaultSynthNodes), below its depth (DefaultSynthDepth), or inside a
// schema that is already being built, only required properties and
// minItems items are added, a nullable object or array is null, and a
// null-only or non-recursive oneOf alternative is preferred. The value is
// then checked against the compiled schema; when it does not validate,
// synthesis is retried with the schemas' examples ignored, with required
// content only, and with other oneOf/anyOf alternatives, and the first
// valid value wins. A schema no value satisfies (a oneOf whose
// alternatives accept the same values, an allOf adding a property that
// additionalProperties: false forbids) gets the first value built, and a
// warning is logged.
//
// Echo: so that chained workflows stay consistent, in a synthesized JSON
// body a string property (at any depth) named like a path parameter or like
// a top-level string property of the request body takes the request's
// value, e.g. organization_id and member_id, when the value satisfies the
// property's string constraints (format, pattern, lengths, enum, const)
// and the echoed body as a whole still validates (when it would not, the
// properties are echoed in order as long as it does: two items of a
// uniqueItems array are never made equal). Examples are returned verbatim.
// WithEcho(false) turns echo off.
//
// # Synthesis for other documents
//
// Synthesize and Synthesizer expose the same generator over any document
// in the JSON data model, read as plain JSON Schema (no OpenAPI 3.0
// dialect, no direction): package asyncmock builds AsyncAPI reply messages
// with it.
//
//	v, err := mock.Synthesize(d.Raw, msg.PayloadPointer, seed) // d an *asyncapi.Document
//
// # Logging
//
// WithRequestLog writes one line per request (method, path without the
// query, status, duration: "GET /v1/pets/42 200 1.204ms"); `telaio mock`
// passes its standard error unless --quiet is given. WithLogger receives
// warnings (a schema that does not compile or is too large, a synthesized
// value that does not validate) and one debug line per request. The
// server never writes to stdout.
//
// Errors the mock itself produces outside an operation (404, 405, 500) are
// JSON ErrorResponse bodies with a stable error code. A Server is immutable
// after New (what it prepares on first use is prepared once) and safe for
// concurrent use.
package mock
