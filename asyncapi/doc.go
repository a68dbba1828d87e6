// Package asyncapi reads AsyncAPI descriptions, the source descriptions of
// Arazzo 1.1 steps that send or receive messages (`type: asyncapi`). It
// owns the AsyncAPI model Telaio works with (servers, channels, operations,
// replies, messages, parameters, security schemes and raw bindings), its
// loader (YAML or JSON with positions, $refs, traits), its validation (the
// official AsyncAPI JSON Schemas plus the rules they cannot express), the
// AsyncAPI runtime expressions ($message.header#/x) and the substitution of
// channel addresses and server URLs. It neither connects to brokers nor
// validates messages: the executor does, compiling message schemas with
// package schema from Document.Raw by pointer.
//
// # Where to start
//
// Load decodes a document and builds its Document; the Arazzo validator,
// type checker and executor then look operations up by id (an Arazzo
// operationId) or channels by pointer (an Arazzo channelPath fragment):
//
//	d, err := asyncapi.Load(src, "orders.asyncapi.yaml")
//	if err != nil { ... }                        // diag.Diagnostics, with positions
//	op, err := d.OperationByID("placeOrder")
//	c := op.Channel                              // or d.ChannelByPointer("#/channels/orders")
//	addr, err := c.ResolveAddress(map[string]string{"orderId": "42"})
//	url, err := d.Servers[0].URL(nil)            // "kafka://localhost:9092"
//	m := op.Messages[0]
//	s, err := schema.Compile(d.Raw, m.PayloadPointer)
//	id, ok := m.CorrelationID.Location.Eval(headers, payload)
//
// A Document is immutable after Load and safe for concurrent use. Every
// model object keeps the JSON pointer of its object in Raw (Pointer: where
// it is declared; Target: where its object is once $refs are followed) and
// its position (Range); Document.Range maps any pointer to a position.
//
// # Versions (E7)
//
// AsyncAPI 3.0.x and 3.1.x are read natively. 2.0 to 2.6 are read as an
// extension, with a CodeVersion2 warning, and normalised into the 3.0
// model: a channel's key is its address (so a channelPath names it escaped,
// "#/channels/user~1signedup"); its publish operation becomes an Operation
// whose Action is "receive" (2.x publish means the application receives)
// and its subscribe operation one whose Action is "send"; message.oneOf
// becomes Operation.Messages; a server url is split into Host and Pathname
// (its scheme dropped: Protocol says it); security requirement maps name
// components.securitySchemes; a 2.x operation's id is its operationId
// (operations without one are found by pointer only). Actions are always
// those of the application the document describes; Arazzo's own action is
// the workflow's (E10) and the caller compares them. Other versions are a
// CodeUnsupportedVersion error.
//
// # Validation
//
// Load checks the document against the official AsyncAPI JSON Schema of its
// version: the bundled 2.6.0, 3.0.0 and 3.1.0 schemas of npm
// @asyncapi/specs 6.11.1 (see schemas/README.md; Apache-2.0), compiled once
// per process with santhosh-tekuri/jsonschema v6. 2.0-2.5 documents are
// checked against 2.6.0, and 3.0.x/3.1.x patch versions against 3.0.0 and
// 3.1.0. Each violation is a CodeSchema error at the offending value (an
// unknown field at its key). Where a oneOf or anyOf fails (a Reference
// Object or an inline object, say), only the alternative the author most
// likely meant is reported: not the Reference Object unless the value has a
// $ref, then the one whose violations go deepest.
//
// Load also checks what the schema cannot: every $ref resolves (reported
// where the chain breaks; a loop once, as CodeRefCycle, never a hang); an
// operation's channel is a root channel; an operation's messages are
// messages of its channel (the spec's pointer identity: the $ref must point
// into the channel's messages, $refs along the way resolved); the same for
// a reply and its channel; every correlationId, parameter and reply address
// location is an AsyncAPI runtime expression; every {variable} of a server
// host, pathname or 2.x url is declared, with a default inside its enum;
// every {parameter} of a channel address is declared, with a default inside
// its enum; a channel's servers are root servers; 2.x operationIds are
// unique and security requirements name known schemes; no key is written
// twice; an operation read from another file (which the JSON Schema does
// not see) has an action and a channel. WithSchemaValidation(false) skips
// the JSON Schema (the model is still built; fields of the wrong type are
// ignored).
//
// Load returns the Document whenever the bytes decode and declare a
// supported version, even with errors, so that callers can still look
// operations up; the error (and Document.Diagnostics, warnings included) is
// a diag.Diagnostics sorted by position, at most 200.
//
// # References, traits and Raw
//
// $refs inside the document are followed wherever the model needs an
// object, also through a pointer that crosses a $ref
// ("#/channels/a/messages/m" when channel a is itself a $ref). A $ref to
// another file is read only through WithReadFile: the caller receives the
// path (resolved against the referring file, relative to the document) and
// enforces its own file-root rule; without the option such a $ref is a
// CodeExternalRef error at its position. A $ref to a URL is never fetched
// (CodeRemoteRef). The files read are embedded in Raw under
// "x-telaio-files", keyed by path, and every $ref in and to them is
// rewritten into a local one, so that pointers into them (and schemas that
// cross files) work like any other: package schema compiles them from Raw.
//
// Message and operation traits are applied at load time and the merged
// object replaces the original in Raw (without its traits field), so the
// pointers of the model point at what applies. 2.x merges each trait into
// the object in order (JSON Merge Patch; a trait's field wins); 3.x merges
// the traits in order and then the object over them, so the object's own
// fields win ("A property on a trait MUST NOT override the same property on
// the target object"). Raw is otherwise the document as written.
//
// # Decisions
//
//   - An operation (or reply) without a messages list has all the messages
//     of its channel. A reply with an address and no channel keeps its
//     messages unchecked.
//   - A $ref that reaches the right object another way (an operation's
//     channel written "#/components/channels/x" when exactly one root
//     channel references that object, or a message written
//     "#/components/messages/X" when exactly one of the channel's messages
//     references it) is accepted with a warning naming the $ref to write;
//     anything else outside the channel is an error.
//   - Channel.Address "" means unknown (3.x null or absent): the run
//     configuration must supply it (ResolveAddress returns
//     ErrUnknownAddress).
//   - Runtime expressions follow the AsyncAPI ABNF: the fragment is
//     optional ($message.payload is the whole payload), which the JSON
//     Schema's pattern is stricter about; the pointer is in string form
//     (no percent-decoding). A header name matches exactly, then without
//     regard to case (E33; among several case-insensitive matches the
//     smallest key wins, so the result never depends on map order); the
//     first value of a multi-valued header counts.
//   - ResolveAddress and Server.URL insert values as they are (no
//     escaping); a {name} used but not declared takes its value from the
//     given map only. Server.URL is "<protocol>://<host><pathname>".
//   - An unused server variable or channel parameter is a warning; an
//     undeclared one is an error.
//   - Bindings are kept raw per protocol (with BindingsPointer): the
//     executor reads the fields of the protocols it supports.
//   - Message.SchemaFormat "" is the AsyncAPI default; for a 3.x Multi
//     Format Schema Object the pointer is that of its schema;
//     IsJSONSchemaFormat tells which formats package schema can compile.
//   - A JSON text the YAML parser rejects ("\/", surrogate pairs) is
//     decoded with encoding/json and its diagnostics carry no line.
//
// # Limits
//
// DefaultMaxDocumentBytes (16 MiB) bounds the document plus every file its
// $refs read; DefaultMaxFiles (32) the files read; DefaultMaxRefHops (32)
// the $refs one resolution follows; YAML alias expansion is bounded by
// package yamlx. Each has an option; exceeding one is a coded error.
package asyncapi
