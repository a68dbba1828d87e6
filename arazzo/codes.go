package arazzo

// Diagnostic codes. They are stable: tools and tests match on them.
const (
	CodeYAMLSyntax       = "yaml-syntax"
	CodeJSONSyntax       = "json-syntax"
	CodeInvalidDocument  = "invalid-document"
	CodeDocumentTooLarge = "document-too-large"
	CodeInvalidType      = "invalid-type"
	CodeUnknownField     = "unknown-field"
	CodeExtraField       = "ignored-field"
	CodeMissingField     = "missing-field"
	CodeDuplicateKey     = "duplicate-key"
	// CodeNotArazzo: the document is an OpenAPI, Swagger or AsyncAPI
	// description, not an Arazzo document.
	CodeNotArazzo = "not-arazzo"
	// CodeNestingTooDeep: objects and arrays nest deeper than
	// DefaultMaxNestingDepth (WithMaxNestingDepth).
	CodeNestingTooDeep = "nesting-too-deep"
)

// Loading.
const (
	CodeUnreadable        = "unreadable"
	CodeSourceUnavailable = "source-unavailable"
)

// Loading limits and refusals (see Load).
const (
	CodeSourceTimeout   = "source-timeout"
	CodeRedirectRefused = "redirect-refused"
	CodeTooManySources  = "too-many-sources"
	CodeExternalRef     = "external-ref"
)

// Versions.
const (
	// CodeRequires11: an Arazzo 1.1 feature in a document that declares
	// 1.0.x (E1).
	CodeRequires11 = "requires-arazzo-1.1"
)

// Arazzo 1.1 loading.
const (
	// CodeDuplicateSelf: two documents of one description have the same
	// resolved $self (E4).
	CodeDuplicateSelf = "duplicate-self"
)

// Arazzo 1.1 validation (see the package documentation, Decisions).
const (
	// CodeInvalidSelf: $self is not a URI reference, or has a fragment.
	CodeInvalidSelf = "invalid-self"
	// CodeStepAction: a step that targets an AsyncAPI operation or
	// channel without a valid action (send or receive), or an action on
	// another kind of step (E10).
	CodeStepAction = "invalid-step-action"
	// CodeUnsupportedXPath (warning): an xpath condition declared XPath 2.0
	// or later uses syntax the XPath 1.0 engine cannot evaluate; it fails
	// at run time (E23).
	CodeUnsupportedXPath = "unsupported-xpath"
	// CodeActionPerspective (warning): a step's action equals the AsyncAPI
	// operation's own action, which is from the point of view of the
	// application the AsyncAPI document describes (E10).
	CodeActionPerspective = "action-perspective"
	// CodeCorrelationID: correlationId on a step that does not receive,
	// or that nothing in the AsyncAPI message can be compared with (E11).
	CodeCorrelationID = "invalid-correlation-id"
	// CodeInvalidTimeout: a timeout that is not a positive number of
	// milliseconds (E12).
	CodeInvalidTimeout = "invalid-timeout"
	// CodeInvalidChannelPath: a channelPath that is not
	// {$sourceDescriptions.<name>.url}#/channels/<key> of an AsyncAPI
	// source.
	CodeInvalidChannelPath = "invalid-channel-path"
	// CodeUnknownChannel: a channelPath to a channel the AsyncAPI
	// description does not have.
	CodeUnknownChannel = "unknown-channel"
	// CodeInvalidDependency: a step dependsOn entry that is none of its
	// three forms (E15).
	CodeInvalidDependency = "invalid-dependency"
	// CodeForwardReference: a step reads the outputs of a later step of a
	// workflow that declares no dependsOn (checklist 5.6).
	CodeForwardReference = "forward-reference"
	// CodeInvalidQuerystring: an in: querystring parameter the operation
	// cannot take (E17).
	CodeInvalidQuerystring = "invalid-querystring"
	// CodeActionParameters: success or failure action parameters without
	// a workflow to receive them, or with in (E21).
	CodeActionParameters = "invalid-action-parameters"
	// CodeInvalidSelector: a Selector Object whose selector or type is
	// not valid (E20, E22-E25).
	CodeInvalidSelector = "invalid-selector"
	// CodeInvalidTarget: a payload replacement target or
	// targetSelectorType that is not valid (E26).
	CodeInvalidTarget = "invalid-target"
	// CodeChannelParameterIn (warning): in: channel on an AsyncAPI step,
	// which the 1.1 schema allows and its text does not name (E19).
	CodeChannelParameterIn = "channel-parameter-in"
	// CodeInvalidSchema: a workflow's inputs (or components.inputs) that
	// is not a valid JSON Schema.
	CodeInvalidSchema = "invalid-schema"
	// CodeOutputsOutOfScope: $outputs in the outputs of a step that calls
	// an operation (it reads the outputs of a called workflow).
	CodeOutputsOutOfScope = "outputs-out-of-scope"
)

// Leniencies: forms real documents write that the standard does not
// allow, each accepted with a warning that shows the standard form (and an
// error under Strict). See the package documentation. (A workflowId or
// stepId outside [A-Za-z0-9_-]+, a SHOULD, is the CodeInvalidID warning.)
const (
	// CodeNonstandardExpression: a runtime expression in a lenient form
	// ($response.body.a.b[0], $message.payload.a, $inputs.a.b for an
	// input a), read as the standard form the message gives.
	CodeNonstandardExpression = "nonstandard-expression"
	// CodeNonstandardJSONPath: a jsonpath condition that is not RFC 9535
	// but has the Goessner form <path> <op> <literal>, evaluated with
	// draft-goessner-dispatch-jsonpath-00 (E34).
	CodeNonstandardJSONPath = "nonstandard-jsonpath"
	// CodeNonstandardOperationPath: operationPath
	// $sourceDescriptions.<name>#<pointer>, read as
	// {$sourceDescriptions.<name>.url}#<pointer>.
	CodeNonstandardOperationPath = "nonstandard-operation-path"
	// CodeHeaderCase: two header parameters whose names differ only in
	// case: one header goes on the wire.
	CodeHeaderCase = "header-case"
)
