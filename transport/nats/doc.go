// Package nats is the transport driver for NATS (AsyncAPI protocol "nats"),
// over github.com/nats-io/nats.go. It uses core NATS; JetStream is not used.
//
//	conn, err := nats.Driver{}.Dial(ctx, transport.Server{Protocol: "nats", URL: u})
//
// # URL
//
// nats://host:port or tls://host:port; several servers as
// nats://h1:4222,h2:4222. The port defaults to 4222. tls:// or
// Server.TLS turns TLS on.
//
// # Credentials
//
// Username and Password: user/password authentication. Password alone: token
// authentication. Mechanism must be empty or "plain". A refusal is
// transport.ErrAuth.
//
// # Mapping
//
// Channel address = subject (wildcards * and > allowed when subscribing; a
// Delivery's Address is the subject the message was published to).
// Bindings honoured: operation binding queue (subscribe in that queue group:
// the group's members share the messages). Message headers are NATS headers
// (a repeated header: the first value).
//
//	pseudo-header  NATS
//	reply_to       the message's reply subject (HeaderReplyTo)
//
// Message.ContentType is not carried (NATS has no such field; put a header
// in the message if the peer needs one); a Key is refused.
//
// # Decisions
//
//   - Publish returns after a flush: the server has processed the message.
//   - Subscribe returns after a flush: the server has registered the
//     subscription, so later publishes are delivered.
//   - No reconnect: a lost connection would drop messages silently, so it
//     fails every subscription with transport.ErrConnectionLost instead.
//   - A context without deadline is bounded by DefaultFlushTimeout for the
//     flushes (nats.go needs a deadline).
package nats
