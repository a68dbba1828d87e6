package asyncapi

import (
	"github.com/telaio/telaio/diag"
)

// Operation actions, from the point of view of the application the
// document describes (AsyncAPI 3 vocabulary; 2.x documents are normalised).
const (
	// ActionSend: the application sends messages to the channel (2.x
	// "subscribe").
	ActionSend = "send"
	// ActionReceive: the application receives messages from the channel
	// (2.x "publish").
	ActionReceive = "receive"
)

// Document is a loaded AsyncAPI description, normalised into the AsyncAPI
// 3.0 shape whatever its version. It is immutable after Load and safe for
// concurrent use.
type Document struct {
	// URL names the document (the url given to Load); diagnostics use it as
	// the file name.
	URL string
	// Version is the asyncapi field as written ("3.0.0", "2.6.0", ...).
	Version string
	// Major is 2 or 3. 2.x documents are an extension (E7): see the
	// package documentation.
	Major int
	// ID is the document's `id` field ("" when absent).
	ID string
	// Title and APIVersion are info.title and info.version.
	Title, APIVersion string
	// DefaultContentType is the document's defaultContentType ("" when
	// absent). Message.ContentType already falls back to it.
	DefaultContentType string
	// Raw is the document in the JSON data model (nil, bool, float64,
	// string, []any, map[string]any), normalised as the package
	// documentation describes: the traits of Message and Operation
	// Objects are applied (and their `traits` fields removed), and the
	// files reached by relative $refs are embedded under the
	// "x-telaio-files" key, every $ref rewritten to a local one. Every
	// pointer in the model points into Raw. Do not modify it.
	Raw any
	// Servers lists the root servers in document order.
	Servers []*Server
	// Channels lists the root channels in document order.
	Channels []*Channel
	// Messages lists components.messages in document order.
	Messages []*Message
	// SecuritySchemes lists components.securitySchemes in document order.
	SecuritySchemes []*SecurityScheme
	// Diagnostics holds every finding of Load, warnings included, sorted by
	// position. Load's error is Diagnostics.Err().
	Diagnostics diag.Diagnostics

	ops       []*Operation
	opsByID   map[string]*Operation
	opsByPtr  map[string]*Operation
	chanByKey map[string]*Channel
	files     *fileSet
}

// Operations lists the document's operations in document order (3.x: the
// root operations; 2.x: every publish and subscribe operation, channel by
// channel).
func (d *Document) Operations() []*Operation { return d.ops }

// Range is the position of the value a JSON pointer names in Raw ("" or
// "/channels/a~1b/address"; "#" fragments are accepted too). A pointer
// into a value Load built (a trait merge) maps to its nearest written
// ancestor. The range is only a file name when positions are unknown.
func (d *Document) Range(ptr string) diag.Range {
	if d == nil || d.files == nil {
		return diag.Range{}
	}
	return d.files.rangeOf(ptr)
}

// Server is a Server Object.
type Server struct {
	// Name is the key in the servers object.
	Name string
	// Protocol and ProtocolVersion are as written (e.g. "kafka", "mqtt",
	// "amqp", "nats", "ws").
	Protocol, ProtocolVersion string
	// Host may contain {variable} templates and a port. For 2.x servers it
	// is the url without its scheme and path.
	Host string
	// Pathname is the path on the host ("" when none); it may contain
	// {variable} templates.
	Pathname    string
	Title       string
	Summary     string
	Description string
	// Variables are the server variables by name.
	Variables map[string]*ServerVariable
	// Security lists the alternative security requirements (nil when none
	// is declared).
	Security []SecurityRequirement
	// Bindings maps a protocol name to its raw binding object.
	Bindings map[string]any
	// BindingsPointer locates the bindings object in Raw ("" when none).
	BindingsPointer string
	// Pointer locates the server (after $refs) in Raw.
	Pointer string
	Range   diag.Range
}

// ServerVariable is a Server Variable Object.
type ServerVariable struct {
	Name        string
	Enum        []string
	Default     string
	HasDefault  bool
	Description string
	Examples    []string
	Pointer     string

	defaultPtr string // where the default is written
}

// SecurityScheme is a Security Scheme Object. Credentials never come from
// the document: the run configuration supplies them.
type SecurityScheme struct {
	// Name is the key in components.securitySchemes ("" for an inline
	// scheme).
	Name string
	// Type is as written: userPassword, apiKey, X509, symmetricEncryption,
	// asymmetricEncryption, httpApiKey, http, oauth2, openIdConnect, plain,
	// scramSha256, scramSha512, gssapi.
	Type        string
	Description string
	// In and ParamName locate an apiKey ("user"/"password") or httpApiKey
	// ("query"/"header"/"cookie").
	In, ParamName string
	// Scheme and BearerFormat describe an http scheme.
	Scheme, BearerFormat string
	// OpenIDConnectURL is the openIdConnect discovery URL.
	OpenIDConnectURL string
	// Scopes are the scopes a 3.x oauth2/openIdConnect scheme requires.
	Scopes []string
	// Flows is the raw oauth2 flows object (nil when absent).
	Flows   any
	Pointer string
	Range   diag.Range
}

// SecurityRequirement is one alternative of a security list: every scheme in
// it applies together. A 3.x entry holds one scheme; a 2.x requirement map
// may hold several.
type SecurityRequirement struct {
	Schemes []*SecurityScheme
	// Scopes lists, parallel to Schemes, the scopes each scheme needs (2.x:
	// the requirement's values; 3.x: the scheme's own scopes).
	Scopes [][]string
}

// Channel is a Channel Object (2.x: a Channel Item Object).
type Channel struct {
	// Key is the key in the root channels object: the channel id in 3.x,
	// the address in 2.x. An Arazzo channelPath names it as
	// "#/channels/<Key>" (escaped per RFC 6901).
	Key string
	// Address is the channel address, possibly with {parameter}
	// expressions. "" means unknown (null or absent in 3.x): the address
	// must be supplied at run time.
	Address     string
	Title       string
	Summary     string
	Description string
	// Parameters are the address parameters in document order.
	Parameters []*Parameter
	// Messages are the messages that may flow on the channel, in document
	// order (2.x: those of its publish and subscribe operations).
	Messages []*Message
	// Servers are the servers the channel is declared on; empty means every
	// server of the document (see AvailableServers).
	Servers []*Server
	// Bindings maps a protocol name to its raw binding object.
	Bindings        map[string]any
	BindingsPointer string
	// Pointer is where the channel is declared: "/channels/<key>".
	Pointer string
	// Target is where its Channel Object is, after $refs (equal to Pointer
	// when written inline).
	Target string
	Range  diag.Range

	doc *Document
}

// AvailableServers is Servers, or every server of the document when the
// channel names none.
func (c *Channel) AvailableServers() []*Server {
	if len(c.Servers) > 0 || c.doc == nil {
		return c.Servers
	}
	return c.doc.Servers
}

// Parameter returns the address parameter with the given name, or nil.
func (c *Channel) Parameter(name string) *Parameter {
	for _, p := range c.Parameters {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Parameter is a channel address Parameter Object. For 2.x parameters,
// Enum and Default are read from the parameter's schema.
type Parameter struct {
	Name        string
	Description string
	Enum        []string
	Default     string
	HasDefault  bool
	Examples    []string
	// Location, when set, says where in a message the value also appears.
	Location *Location
	// Schema and SchemaPointer are a 2.x parameter's schema (nil, "" when
	// none).
	Schema        any
	SchemaPointer string
	Pointer       string
	Range         diag.Range

	defaultPtr string // where the default is written
}

// Operation is an Operation Object. In 2.x documents it is a channel's
// publish or subscribe operation, with Action translated.
type Operation struct {
	// ID is the key in the root operations object (3.x) or the
	// operationId (2.x; "" when absent, and the operation cannot be found
	// by id).
	ID string
	// Action is ActionSend or ActionReceive, from the point of view of the
	// application the document describes.
	Action      string
	Title       string
	Summary     string
	Description string
	// Channel is the operation's channel, one of Document.Channels (nil
	// only when it does not resolve, which is an error).
	Channel *Channel
	// Messages are the messages of the operation, each one of
	// Channel.Messages: the operation's messages list, or all the channel's
	// messages when the operation lists none.
	Messages []*Message
	// Reply is the operation's reply (3.x request/reply), or nil.
	Reply *Reply
	// Security lists the alternative security requirements (nil when none
	// is declared).
	Security        []SecurityRequirement
	Bindings        map[string]any
	BindingsPointer string
	// Pointer locates the operation in Raw: "/operations/<id>" or, for
	// 2.x, "/channels/<key>/publish" or ".../subscribe".
	Pointer string
	// Target is where its Operation Object is, after $refs.
	Target string
	Range  diag.Range
}

// Reply is an Operation Reply Object.
type Reply struct {
	// Channel is the reply channel (nil when the reply gives only an
	// address).
	Channel *Channel
	// AddressLocation is where a request message carries the reply address
	// (e.g. $message.header#/replyTo), or nil.
	AddressLocation *Location
	// AddressDescription describes the address.
	AddressDescription string
	// Messages are the reply messages, each one of Channel.Messages: the
	// reply's messages list, or all the reply channel's messages.
	Messages []*Message
	Pointer  string
	Range    diag.Range
}

// Message is a Message Object with its traits applied.
type Message struct {
	// ID is the key the message is declared under (in a channel's
	// messages or in components.messages); for an inline 2.x message it is
	// its messageId, else its name ("" when it has neither).
	ID string
	// Name is the message's `name` field.
	Name        string
	Title       string
	Summary     string
	Description string
	// ContentType is the message's contentType, or the document's
	// defaultContentType ("" when neither is set).
	ContentType string
	// Headers is the headers schema (nil when none) and HeadersPointer its
	// location in Raw. Compile it from Raw by pointer.
	Headers        any
	HeadersPointer string
	// HeadersSchemaFormat is the headers' schemaFormat for a 3.x Multi
	// Format Schema Object ("" = the AsyncAPI default).
	HeadersSchemaFormat string
	// Payload is the payload schema (nil when none) and PayloadPointer its
	// location in Raw.
	Payload        any
	PayloadPointer string
	// SchemaFormat is the payload's schemaFormat ("" = the AsyncAPI default
	// schema format). IsJSONSchemaFormat tells which formats are JSON
	// Schema.
	SchemaFormat string
	// CorrelationID is the message's correlation id, or nil.
	CorrelationID   *CorrelationID
	Bindings        map[string]any
	BindingsPointer string
	// Pointer is where the message is declared (e.g.
	// "/channels/place-order/messages/placeOrder.message"); an operation's
	// messages are identified by it.
	Pointer string
	// Target is where its Message Object is, after $refs (e.g.
	// "/components/messages/OrderRequest").
	Target string
	Range  diag.Range
}

// CorrelationID is a Correlation ID Object.
type CorrelationID struct {
	// Location is where a message carries the id (nil when it does not
	// parse, which is an error).
	Location    *Location
	Description string
	Pointer     string
	Range       diag.Range
}
