// Package asyncmock stands in for the brokers of AsyncAPI source
// descriptions: Start runs an embedded NATS server on 127.0.0.1 and, for
// every operation that receives requests and declares a reply, a responder
// that plays the application the description describes, answering each
// request with a synthesized, schema-valid reply that carries the
// request's correlation value. It backs `telaio run --mock` (one server
// for every AsyncAPI source) and `telaio mock --broker nats`.
//
//	d, err := asyncapi.Load(src, "orders.asyncapi.yaml")
//	srv, err := asyncmock.Start(ctx, []*asyncapi.Document{d},
//		asyncmock.WithSeed(1), asyncmock.WithRequestLog(os.Stderr))
//	defer srv.Close()
//	eng, err := executor.New(doc,
//		executor.WithTransport(nats.Driver{}),
//		executor.WithServer("orders", srv.URL())) // nats://127.0.0.1:<port>
//
// The broker is an ordinary NATS server: any client (the transport/nats
// driver, nats.go, the nats CLI) connects to Server.URL, and messages that
// no responder answers are routed between clients as usual, so a workflow
// that both sends and receives on a channel works too. Whatever protocol
// the description's servers declare (Kafka, MQTT, AMQP...), the mock
// speaks NATS: the run configuration points the source at Server.URL with
// the nats scheme, and channel addresses are used as NATS subjects.
//
// # Which operations are answered
//
// AsyncAPI 3.x: every operation whose action is receive (the application
// receives) and that has a reply. Server.Routes lists them, with the
// subject the responder subscribes to and where replies go; an operation
// that cannot be answered is listed with Route.Err (wrapping
// ErrNotServed) and a warning is logged, and Start still succeeds: the
// channel address is unknown (null) or not a NATS subject (white space,
// an empty token, ">" before the end), the reply has neither an address
// location nor a channel with an address, or the reply message's
// schemaFormat is not a JSON Schema one (Avro, Protobuf...).
//
// AsyncAPI 2.x (an extension, as for package asyncapi; decision E7 of
// asyncapi): 2.x has no reply object, so the reply of a publish operation
// (the application receives) is derived from the document:
//
//   - the NATS reply subject of a request (nats.go's Request, or the
//     transport/nats driver's reply_to pseudo-header) always wins;
//   - else, if exactly one other channel has subscribe operations (the
//     application sends) whose message carries its correlationId at the
//     location the request's message does, replies go to that channel,
//     built from that operation's message: the usual two-channel
//     request/reply of 2.x documents, such as the pet order example;
//   - else, if the request's own channel has a subscribe operation, its
//     message is the reply, sent to the reply subject only: a request
//     without one is not answered (replying on the request's channel would
//     reach every requester, and their requests too);
//   - else the operation is not answered (Route.Err), as when several
//     channels could carry the reply.
//
// A 2.x operation without operationId is named by its pointer
// ("/channels/lonely/publish") in Routes and logs.
//
// # Requests and replies
//
// A channel address is read as a NATS subject: each token with a
// {parameter} becomes the wildcard *, and the token's text gives the
// parameter's value (a token such as eu-{id} must also match its literal
// text). A value outside the parameter's enum is not answered. A request
// is matched against the operation's messages in order: its payload is
// decoded as JSON (text for other content types) and validated, with its
// headers, against the message's schemas (header values are NATS text;
// one whose schema property has another type is read as JSON); the first
// message it is valid against is the request's message. A request valid
// against none is not answered.
//
// The correlation value is read at the request message's correlationId
// location (else the reply message's) with AsyncAPI's runtime expressions
// ($message.header#/orderRequestId, $message.payload#/meta/id), and
// written at the reply message's location (else the request's): in a
// header, or in the payload, objects created along the way. It keeps its
// type when the reply schema accepts it, else takes the one that the
// schema accepts among its text and the number or boolean its text spells
// (a header "42" becomes the payload number 42). A request without a
// correlation value, where one is declared, is not answered.
//
// The reply goes to the reply address location read on the request (for
// example $message.header#/replyTo; the request's NATS reply subject is
// the pseudo-header reply_to, HeaderReplyTo), else to the reply channel's
// address, whose {parameters} take the request's values of the same name
// (else their defaults). Its payload and headers are synthesized from the
// first reply message's schemas by mock.Synthesizer (the generator of
// the HTTP mock's bodies), seeded by the server's
// seed (WithSeed), the operation and the correlation value (else the
// request's payload): the same request always gets the same reply, and
// two requests with different correlation values get replies of their
// own. A reply message without a payload schema has an empty payload. A
// JSON reply is encoded as JSON; a text one whose payload is a string is
// sent as it is. A synthesized reply that does not validate against its
// schema (a schema the generator cannot satisfy) is sent anyway, with a
// warning.
//
// Requests are answered one at a time per operation, in order of arrival;
// different operations are answered concurrently.
//
// # Limits
//
// Everything a client can make the broker spend is bounded (Limits,
// WithLimits): the size of every message, headers included, which the
// server enforces (DefaultMaxMessageBytes; a larger reply is not sent); the
// rate of replies, all operations together (DefaultRate, DefaultBurst:
// requests above it wait, and Close does not wait for them); and the
// requests one operation holds while it waits (DefaultMaxPending,
// DefaultMaxPendingBytes; beyond, requests are dropped with a warning).
// Start is bounded by its context, else by DefaultStartTimeout.
//
// # Request log
//
// WithRequestLog writes one line per event, each written whole:
//
//	RECV <subject> <operation> <bytes>B
//	SEND <reply subject> <operation> <bytes>B <duration>
//	DROP <subject> <operation>: <why the request is not answered>
//
// where bytes count the payload and header names and values.
//
// # Lifetime
//
// Start returns once the server accepts connections and every responder
// is subscribed: a request published after Start returns is answered. The
// Server's methods are safe for concurrent use; Close stops the responders
// (a request being handled finishes), then the server, and frees its port.
// Nothing is left running after Close.
package asyncmock
