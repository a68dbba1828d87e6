// Package arazzo reads Arazzo 1.0.x and 1.1.x descriptions: it owns the
// document model (Document, Workflow, Step, Parameter, Criterion, Selector,
// actions, Components), with the position of every object and field; the
// parser for YAML and JSON; the loader that resolves source descriptions
// (OpenAPI and AsyncAPI descriptions and other Arazzo documents); the
// semantic validation that the official JSON Schemas cannot express; and
// the type checker. It does not run workflows: see the executor package,
// which consumes a validated Document.
//
// # Where to start
//
// Load (or LoadFS, for an fs.FS) reads a document and its sources; Validate
// checks it. Both return diag.Diagnostics: every problem found, not just the
// first, each with a file:line:col position, a severity and a stable code
// (the Code* constants). Warnings do not make a document invalid; use
// HasErrors or Err.
//
//	doc, diags := arazzo.LoadFS(ctx, specs.FS, specs.StytchSMSOTP)
//	if doc != nil {
//		diags = diags.Extend(arazzo.Validate(doc))
//	}
//	for _, d := range diags {
//		fmt.Println(d) // file:line:col: severity: message [code]
//	}
//	if err := diags.Err(); err != nil {
//		return err // nil when there are only warnings
//	}
//
// diag.Format adds the source line and a caret under the column.
//
// Parse alone decodes bytes without reading sources; Validate then checks
// everything that does not need them (operations are only checked against
// loaded OpenAPI and AsyncAPI descriptions). The Examples show each entry
// point.
//
// # Versions
//
// One model serves both versions: the arazzo field of each document
// selects the rules it is read by (Document.Is11). A 1.1 document may use
// $self, asyncapi sources, AsyncAPI steps (channelPath, action,
// correlationId), timeout, step dependsOn, in: querystring and in: channel,
// success and failure action parameters, Selector Objects,
// targetSelectorType, the Expression Type Object versions rfc9535,
// xpath-31 and rfc6901, and the runtime expressions $message.header,
// $message.payload and $self, by the strict 1.1 grammar. In a 1.0 document
// each of these is an error that says it is Arazzo 1.1 and points to
// telaio upgrade (E1; requires-arazzo-1.1, or the code that already
// reported a bad value there: invalid-source-type, invalid-parameter-in,
// invalid-criterion-type). A description may mix versions: each document is
// read by its own (E3), so a 1.0 document can call the workflows of a 1.1
// one and the other way round. Document.ExprOptions are the package expr
// options the document's expressions are read with (its grammar, and
// expr.Lenient: see Leniencies); consumers compile with them.
//
// For the executor, a 1.1 document also says what each step targets
// (Document.StepKind), resolves AsyncAPI targets (ResolveMessage,
// StepMessages) and dependencies (ResolveDependency), lists each step's
// dependencies (Step.Dependencies) and the order a workflow's steps run in
// (Workflow.ExecutionOrder), and its base URI (Document.BaseURI, the value
// of $self).
//
// # Diagnostics and positions
//
// Parse reports structure: YAML or JSON syntax, unknown fields (with a
// suggestion), wrong types, missing required fields, duplicate keys, and
// 1.1 fields in a 1.0 document.
// Validate reports the rules of checklist sections 1-16 and 18.3 (and of
// checklist-1.1 sections 1-13 for 1.1 documents): versions,
// identifier patterns, uniqueness, references between steps, workflows,
// sources and components, runtime expressions (each must parse and name
// something that exists), criteria (types, versions, regular expressions,
// JSONPath and XPath syntax), operations (operationId and operationPath must
// exist in the referenced OpenAPI description) and dependsOn (resolves, no
// duplicate, no cycle, across documents too). Diagnostics are sorted by
// position; Parse and Validate each return at most 200.
//
// A field with a wrong value is reported at the value, or at its key when
// the value starts on a later line; a missing field at the object that
// lacks it; a duplicate (key, id, parameter, action) at its second
// occurrence; a YAML syntax error at the first line whose prefix no longer
// parses (the YAML library often names the start of the enclosing block); a
// JSON syntax error at the offending byte. Columns count bytes.
//
// JSON documents are decoded by this package (with positions), because a
// YAML parser does not read every JSON text: the "\/" escape, surrogate
// pairs and keys longer than 1024 bytes are valid JSON.
//
// # Decisions
//
// Where the Arazzo 1.0.1 text is silent, or disagrees with the official
// JSON Schema, validation decides as follows (Dn are the decisions of the
// checklist, section 24):
//
//   - The spec text wins over the JSON Schema (D34): extra properties of a
//     Reusable Object, x- extensions included, are ignored with a warning
//     (ignored-field); "type: simple" without a context is accepted; the
//     Criterion Expression Type Object form (type: {type, version}) is
//     accepted, while the schema's flat "version" next to "type" is an
//     unknown field; a Payload Replacement value may be of any type.
//     Output and component keys must match ^[a-zA-Z0-9.\-_]+$, which the
//     schema does not enforce for outputs.
//   - Source description names outside [A-Za-z0-9_-]+ are errors (the
//     text says SHOULD): runtime expressions such as $sourceDescriptions.<name>
//     could not address them. A workflowId or stepId outside it is a
//     warning (invalid-id) that says no runtime expression can reference
//     it; an expression that tries is an error saying so.
//   - Parameter identity is (name, in); header names compare without regard
//     to case (D14). A step parameter with the identity of a workflow
//     parameter overrides it; the same identity twice in one list is an
//     error, except two headers whose names differ only in case, a warning
//     (header-case: one header is sent). An action's identity is its name
//     (D13); an action parameter's, its name.
//   - "in" is required for the parameters of a step that calls an operation.
//     A workflow-level parameter without "in" is an error as soon as one
//     step of the workflow calls an operation (D35); the same holds for a
//     Reusable whose component has no "in". "in: body" (removed in 1.0.1)
//     is an error.
//   - A source description without type is sniffed from its root field
//     (D31). With several OpenAPI sources, an operationId must be written
//     $sourceDescriptions.<name>.<operationId>; before Load, only declared
//     types count. A workflow of an arazzo-type source must always be
//     qualified, even with a single such source (the 1.0.1 rule).
//   - An operationPath must be {$sourceDescriptions.<name>.url}#<pointer to
//     an operation>: a pointer to a path item is an error (D32); an
//     operationPath to an operation that has an operationId gets a warning
//     (prefer-operation-id).
//   - requestBody on a step that calls a workflow is ignored with a warning
//     (D33), as is a request body for GET, HEAD or DELETE.
//   - $statusCode, $response.*, $request.*, $url and $method in a workflow's
//     outputs get a warning (D25): they evaluate to null. In a step that
//     calls a workflow they get a warning too, but read the called
//     workflow's last HTTP exchange (this replaces D25's null; other tools
//     may not). In the outputs of a step that calls a workflow,
//     $outputs.<name> reads the called workflow's outputs; in the outputs
//     of a step that calls an operation it is an error
//     (outputs-out-of-scope).
//   - A workflow's inputs and every components.inputs entry must be valid
//     JSON Schemas (package schema compiles them): required: true on a
//     property is an error (invalid-schema) at the offending keyword.
//   - $inputs.<name> must be declared by the workflow's inputs schema when
//     it lists properties: an error when additionalProperties is false, a
//     warning otherwise.
//   - A string value that starts like a runtime expression ("$" and a
//     source word, such as $steps. or $inputs.) but does not parse is an
//     error rather than literal text; so is a "{$...}" template whose inside
//     starts that way. Other "{$...}" text that does not parse stays literal
//     with a warning (suspicious-template). This refines D27.
//   - successCriteria: [] and criteria: [] on a success action are errors;
//     criteria: [] on a failure action is accepted (the schema allows it).
//     A retry action needs neither retryAfter nor a target (the text, over
//     an older schema); retryLimit must be a non-negative integer and
//     retryAfter a non-negative number. An integral number written with a
//     fraction or an exponent (3.0, 1e3) is an integer, as in JSON Schema;
//     a number too large for the field (retryLimit 1e300, a timeout past
//     MaxTimeoutMillis) is out of range, reported with the field's code
//     (invalid-retry, invalid-timeout) and the range allowed.
//   - stepId or workflowId on an end action, and retryAfter or retryLimit
//     on a non-retry action, are ignored with a warning.
//   - x- extensions are kept in Meta.Extensions; the prefixes reserved for
//     the OpenAPI Initiative (x-oai-, x-oas-, x-arazzo) get a warning.
//   - Duplicate keys in any mapping are errors, at the second occurrence.
//   - $sourceDescriptions.<name>.<x> names an operation or workflow first,
//     then a source description field such as url (D37); for an asyncapi
//     source, an AsyncAPI operation id first (E32).
//
// # Arazzo 1.1 decisions
//
// Where the Arazzo 1.1.0 text is silent, or disagrees with its JSON Schema
// (checklist-1.1 section 19), validation decides as follows; each decision
// is pinned by a test named after it (TestE15_DependsOnCycle).
//
//   - E1: a 1.1 feature in a 1.0 document is an error naming telaio
//     upgrade (see Versions). E3: each document by its own version.
//   - E4: a source url that is the resolved $self of a document already
//     loaded resolves to it without a fetch (identity before location; a
//     relative url resolves against the referring document's $self when
//     that is absolute). Two documents with one $self are an error
//     (duplicate-self). A document's sources at absolute http(s) urls are
//     resolved after its other sources, so a url names by identity any
//     document supplied by the entry document's tree loaded so far,
//     whatever the order of the sourceDescriptions (checklist-1.1 2.2:
//     every supplied document is parsed before a reference is resolved).
//     $self must not have a fragment (invalid-self).
//   - E5: the base URI, and the value of $self, is the absolute $self, a
//     relative $self resolved against the retrieval location, or that
//     location (Document.BaseURI).
//   - E6: a source without type is sniffed by its root field: openapi,
//     asyncapi or arazzo. An AsyncAPI source is read with package asyncapi
//     (3.0 and 3.1; 2.x with its warning, E7); its $refs to other files
//     are read through the loader, inside the root; its diagnostics are
//     Load's.
//   - E8: a channelPath step sends or receives the channel's messages
//     (StepMessages).
//   - E9: operationPath never targets an AsyncAPI operation: an error that
//     gives the operationId to write.
//   - E10: action (send or receive) is required on every step that targets
//     an AsyncAPI operation or channel, and an error elsewhere
//     (invalid-step-action); when it equals the AsyncAPI operation's own
//     action (which is the described application's), a warning
//     (action-perspective) says the workflow plays that application.
//   - E11: correlationId only on receive steps; it is a runtime expression,
//     a template or literal text (numbers and booleans compared as text).
//     The step's messages must define correlationId.location, else an error;
//     a location in a header on an MQTT 3.1.1 server (no headers) is an
//     error naming the server (invalid-correlation-id).
//   - E12: timeout is a positive integer of milliseconds (invalid-timeout).
//   - E14: requestBody on a receive step is ignored with a warning.
//   - E15: step dependsOn entries are a stepId of the workflow,
//     $workflows.<id>.steps.<id> or $sourceDescriptions.<name>.<id>.steps.<id>
//     (invalid-dependency otherwise, with the stepId to write for $steps.x);
//     each must name an existing step (unknown-step, unknown-workflow;
//     checked in loaded Arazzo sources), none twice, not the step itself;
//     dependsOn: [] is an error. $steps.<id>.outputs references are
//     implicit dependencies: a cycle through dependsOn and references is an
//     error (dependency-cycle), so is a step reading its own outputs before
//     it runs; in a workflow without dependsOn, a reference to a later step
//     is an error (forward-reference, checklist 5.6).
//   - E16: Workflow.ExecutionOrder is the stable topological order of a
//     workflow's steps (list order when nothing points forward; ties by
//     position; nil for a cycle); dependencies on other workflows' steps do
//     not reorder, the executor checks they have run.
//   - E17: an in: querystring parameter needs an operation that declares
//     one (OpenAPI 3.2), of the same name; it cannot stand beside an in:
//     query parameter (step or workflow level) or another querystring; its
//     value is a string or template (invalid-querystring).
//   - E19: in: channel (and in: path) on an AsyncAPI step name a channel
//     address parameter; channel is accepted with a warning
//     (channel-parameter-in: in the schema, not the text); channel on an
//     OpenAPI step, cookie and querystring on an AsyncAPI step, and query
//     unless a server of the channel is ws or http, are errors.
//   - E20: an object with selector and context (or expression) keys is a
//     Selector Object wherever a value may hold one (parameter values,
//     payloads, replacement values; outputs may hold only one): its
//     structure, type, selector syntax and context are checked, each at its
//     position (invalid-selector); other objects are literal.
//   - E21: action parameters go to the workflow a goto or retry action
//     transfers to: they need its workflowId, cannot be on an end action or
//     use in, are its only inputs (the type checker checks them against its
//     inputs), and may be Reusable Objects (invalid-action-parameters).
//   - E22: a criterion of type jsonpointer is an error.
//   - E24: a Selector Object's expression field (its first name) is an
//     error saying to write context.
//   - E25, E27, E28, E31: evaluation (package expr and the executor).
//   - E26: a replacement target is checked against its targetSelectorType,
//     or the type its media type implies; a media type that implies none
//     needs one (invalid-target).
//   - E29, E34: the lenient forms below.
//   - E33: $message has no value in a step that calls an OpenAPI operation
//     or a workflow, nor in workflow outputs; $statusCode, $response.* and
//     the other HTTP expressions none in an AsyncAPI step: warnings
//     (no-response-in-scope).
//
// The official 1.1 schema fixtures are golden tests (testdata/spec11,
// TestSpec11Fixtures): every FAIL fixture is rejected for its reason,
// every PASS fixture validates, except those checklist-1.1 section 17
// shows wrong, each pinned with the reason.
//
// # Leniencies
//
// Real documents, other tools and the 1.1 specification's own examples
// write forms the standard does not allow but whose meaning is clear. Each
// is accepted with a warning that shows the standard form, has its own
// code, and is an error under Strict:
//
//	nonstandard-expression      $response.body.a.b[0] read as $response.body#/a/b/0;
//	                            also $request.body.x and $message.payload.x; and
//	                            $inputs.a.b, $steps.s.outputs.a[0], ... when no input
//	                            or output has the whole name (read as $inputs.a#/b)
//	nonstandard-jsonpath        a type: jsonpath condition that is not RFC 9535 but
//	                            has the form <path> <op> <literal>, evaluated with
//	                            draft-goessner-dispatch-jsonpath-00 (E34); the warning
//	                            names the (Criterion) Expression Type Object to declare
//	nonstandard-operation-path  operationPath $sourceDescriptions.x#/paths/... read as
//	                            {$sourceDescriptions.x.url}#/paths/... (ResolveOperation too)
//	invalid-id                  a workflowId or stepId outside [A-Za-z0-9_-]+
//	header-case                 header parameters whose names differ only in case
//	no-response-in-scope        $statusCode or $response.* in a step that calls a
//	                            workflow: the called workflow's last HTTP exchange
//
// The executor reads these forms as the validator does by compiling with
// Document.ExprOptions (expr.Lenient): the model keeps the text as written.
//
// The type checker follows a step's intent: when a step's success criteria
// accept an error status ($statusCode == 400, >= 400, a $statusCode regex
// matching only errors), it is a deliberate negative test, and what its
// request breaks of the operation's contract is reported as warnings.
//
// # Safety
//
// Parse, Load and Validate never panic, on any input (FuzzParse). Parse
// refuses documents larger than DefaultMaxDocumentBytes (16 MiB; option
// WithMaxDocumentBytes) with a document-too-large diagnostic, and
// documents whose objects and arrays nest deeper than
// DefaultMaxNestingDepth (1000 levels, counting what aliases expand to;
// option WithMaxNestingDepth) with one nesting-too-deep diagnostic at the
// first collection past the limit; alias expansion is bounded. The expressions, conditions and queries inside a
// document are bounded by the limits of package expr. Load reads relative
// urls only inside its root, and fetches http(s) urls only from hosts
// allowed with WithAllowedHosts. A loaded Document is not
// modified afterwards and may be shared by goroutines.
//
// Each refusal is a diagnostic at the source description's url:
//   - A file source stays inside the root (os.Root): "..", absolute paths,
//     file: urls and symbolic links leading outside are refused
//     (source-unavailable).
//   - A host not allowed is not fetched (source-not-loaded, a warning); a
//     redirect is followed only to an allowed host, never from https to
//     http, at most MaxRedirects times (redirect-refused). A client given
//     with WithHTTPClient is copied, not modified.
//   - Every read is capped in size (WithMaxSourceBytes, document-too-large),
//     every fetch in time (WithFetchTimeout, source-timeout), and one Load
//     reads at most WithMaxSources sources (too-many-sources).
//   - A $ref to another document inside an OpenAPI source is followed under
//     the same rules as a source: a relative one resolves against the file
//     that holds it and must stay inside the root; a URL is fetched only
//     from an allowed host, with the same size, time and redirect limits;
//     each document counts against WithMaxSources, and a description's
//     files together against WithMaxSourceBytes. Each document is read once
//     per Load, and the description becomes one tree (oas.LoadFiles: the
//     files are embedded under x-telaio-files, every $ref made local) that
//     the oas index, the type checker, schema compilation, the plan cache
//     and the libopenapi model share. A $ref that cannot be followed is
//     reported at the $ref, file:line:col in the file that holds it (the
//     exception to the rule above): an error (external-ref, or the code of
//     the limit it broke), or, for a host not allowed, an external-ref
//     warning naming the --allow-host to pass; what lies behind it is then
//     unchecked.
//
// # Plan cache
//
// A large OpenAPI description costs most of a short run to parse (60 ms of
// the 1.4 MB Stytch YAML). WithCache(dir) keeps, for each description's
// bytes and each set of operations a document calls, the subset of the
// description those operations need (oas.Subset) in a file named by their
// SHA-256; the next Load of the same bytes for the same operations reads
// that subset (about 5 ms for the Stytch seed). Entries are written only
// when every named operation resolves and the description has no external
// $ref, so a cached load reports the same diagnostics as a whole one; a
// corrupt entry is rebuilt, and writes are atomic and best effort. The
// cached Document's description is Partial: it knows only those
// operations, and its Src is still the whole text (libopenapi models and
// mock servers see everything). Off unless asked; telaio turns it on.
package arazzo
