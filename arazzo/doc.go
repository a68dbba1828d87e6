// Package arazzo reads Arazzo 1.0.x descriptions: it owns the document model
// (Document, Workflow, Step, Parameter, Criterion, actions, Components), with
// the position of every object and field; the parser for YAML and JSON;
// the loader that resolves source descriptions (OpenAPI descriptions and
// other Arazzo documents); and the semantic validation that the official
// JSON Schema cannot express. It does not run workflows: see the executor
// package, which consumes a validated Document.
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
// loaded OpenAPI descriptions). The Examples show each entry point.
//
// # Diagnostics and positions
//
// Parse reports structure: YAML or JSON syntax, unknown fields (with a
// suggestion), wrong types, missing required fields and duplicate keys.
// Validate reports the rules of checklist sections 1-16 and 18.3: versions,
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
//   - workflowId, stepId and source description names outside
//     [A-Za-z0-9_-]+ are errors (the text says SHOULD): runtime expressions
//     such as $steps.<id> could not address them.
//   - Parameter identity is (name, in); header names compare without regard
//     to case (D14). A step parameter with the identity of a workflow
//     parameter overrides it; the same identity twice in one list is an
//     error. An action's identity is its name (D13).
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
//     outputs or in a step that calls a workflow get a warning (D25): they
//     evaluate to null. In the outputs of a step that calls a workflow,
//     $outputs.<name> reads the called workflow's outputs.
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
//     retryAfter a non-negative number.
//   - stepId or workflowId on an end action, and retryAfter or retryLimit
//     on a non-retry action, are ignored with a warning.
//   - x- extensions are kept in Meta.Extensions; the prefixes reserved for
//     the OpenAPI Initiative (x-oai-, x-oas-, x-arazzo) get a warning.
//   - Duplicate keys in any mapping are errors, at the second occurrence.
//   - $sourceDescriptions.<name>.<x> names an operation or workflow first,
//     then a source description field such as url (D37).
//
// # Safety
//
// Parse, Load and Validate never panic, on any input (FuzzParse). Parse
// refuses documents larger than DefaultMaxDocumentBytes (16 MiB; option
// WithMaxDocumentBytes) with a document-too-large diagnostic; alias
// expansion is bounded. The expressions, conditions and queries inside a
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
