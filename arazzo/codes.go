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
