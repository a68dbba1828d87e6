package asyncapi

// Diagnostic codes of Load. They are stable: tools and tests match on them
// (errors.Is(err, &diag.Diagnostic{Code: asyncapi.CodeSchema})).
const (
	// CodeDocumentTooLarge: the document, or the document and the files
	// its $refs read, exceed the byte limit.
	CodeDocumentTooLarge = "asyncapi-document-too-large"
	// CodeSyntax: the bytes are not YAML or JSON.
	CodeSyntax = "asyncapi-syntax"
	// CodeInvalidDocument: the document is empty or not an object.
	CodeInvalidDocument = "asyncapi-invalid-document"
	// CodeUnsupportedVersion: the asyncapi field is missing or names a
	// version Telaio does not read.
	CodeUnsupportedVersion = "asyncapi-unsupported-version"
	// CodeVersion2 (warning): a 2.x document, read as an extension (E7).
	CodeVersion2 = "asyncapi-v2-extension"
	// CodeDuplicateKey: a key written twice in one object.
	CodeDuplicateKey = "asyncapi-duplicate-key"
	// CodeSchema: a violation of the official AsyncAPI JSON Schema.
	CodeSchema = "asyncapi-schema"
	// CodeUnresolvedRef: a $ref whose target does not exist, or that is not
	// a valid reference.
	CodeUnresolvedRef = "asyncapi-unresolved-ref"
	// CodeRefCycle: a chain of $refs that loops or is longer than the hop
	// limit.
	CodeRefCycle = "asyncapi-ref-cycle"
	// CodeExternalRef: a $ref to another file that cannot be read (no
	// WithReadFile option, the reader refused it, or its content does not
	// decode).
	CodeExternalRef = "asyncapi-external-ref"
	// CodeRemoteRef: a $ref to a URL; remote documents are never fetched.
	CodeRemoteRef = "asyncapi-remote-ref"
	// CodeTooManyFiles: the $refs reach more files than the limit.
	CodeTooManyFiles = "asyncapi-too-many-files"
	// CodeOperationChannel: an operation's (or reply's) channel is missing,
	// does not resolve, or is not a channel of the root channels object.
	CodeOperationChannel = "asyncapi-operation-channel"
	// CodeOperationMessage: an operation's (or reply's) message is not one
	// of its channel's messages (a warning when it is the same Message
	// Object reached another way).
	CodeOperationMessage = "asyncapi-operation-message"
	// CodeDuplicateOperationID: two 2.x operations share an operationId.
	CodeDuplicateOperationID = "asyncapi-duplicate-operation-id"
	// CodeInvalidLocation: a correlationId, parameter or reply address
	// location that is not an AsyncAPI runtime expression.
	CodeInvalidLocation = "asyncapi-invalid-location"
	// CodeServerVariable: a server host or pathname whose {variables} are
	// undeclared or malformed, or a default outside the enum (an unused
	// variable is a warning).
	CodeServerVariable = "asyncapi-server-variable"
	// CodeChannelParameter: a channel address whose {parameters} are
	// undeclared or malformed, or a default outside the enum (an unused
	// parameter is a warning).
	CodeChannelParameter = "asyncapi-channel-parameter"
	// CodeChannelServer: a channel's server that is not a root server.
	CodeChannelServer = "asyncapi-channel-server"
	// CodeInvalidObject: an object the JSON Schema did not check (it comes
	// from another file, or schema validation is off) lacks what the model
	// needs, such as an operation's action.
	CodeInvalidObject = "asyncapi-invalid-object"
	// CodeSecurity: a security requirement naming an unknown scheme.
	CodeSecurity = "asyncapi-security"
)
