// Package transport is the interface between Telaio's engine and message
// brokers, for Arazzo 1.1 steps that send and receive AsyncAPI messages. It
// plays the role database/sql/driver plays for databases: it has no broker
// dependency, and each protocol is a driver package that a program imports
// only when it needs that broker:
//
//	transport/nats   NATS                         (nats)
//	transport/kafka  Apache Kafka                 (kafka, kafka-secure)
//	transport/mqtt   MQTT 3.1, 3.1.1 and 5        (mqtt, mqtts, secure-mqtt)
//	transport/amqp   AMQP 0-9-1, i.e. RabbitMQ    (amqp, amqps)
//
// Drivers are values registered with the engine (no global registry): the
// engine picks the driver whose Protocols include the AsyncAPI server's
// protocol and calls Dial.
//
// # Where to start
//
// Driver.Dial gives a Conn. Conn.Publish sends a Message and returns once
// the broker has it. Conn.Subscribe arms a Subscription: once it returns,
// every message published to the channel afterwards is delivered by
// Subscription.Next. Arming before the step that makes the peer publish is
// what lets a receive step never miss its message (see the package example).
//
//	conn, err := nats.Driver{}.Dial(ctx, transport.Server{URL: u})
//	sub, err := conn.Subscribe(ctx, transport.Channel{Address: "orders.confirmed"}, transport.SubscribeOptions{
//		Filter: func(d *transport.Delivery) bool { return d.Headers["requestId"] == id },
//	})
//	_, err = conn.Publish(ctx, &transport.Message{Channel: transport.Channel{Address: "orders.placed"}, Payload: body})
//	d, err := sub.Next(ctx) // the correlated reply, or ctx.Err()
//
// # What the engine does, and what drivers do
//
// The engine resolves the AsyncAPI document: it substitutes channel
// parameters into Channel.Address, merges the protocol's channel and
// operation bindings into Channel.Bindings, encodes the payload, and
// evaluates correlation (typically inside SubscribeOptions.Filter). Drivers
// map addresses and bindings to the protocol, carry headers (plus
// protocol properties as documented pseudo-headers), wait for the broker's
// acknowledgement, and buffer received messages within limits.
//
// # Decisions
//
//   - Credentials come from Server.Credentials (run configuration) or the
//     URL's user info, never from a document. Error messages never contain
//     the password: drivers redact it from client library errors.
//   - Receive buffers are bounded (DefaultMaxBuffered, DefaultMaxBytes).
//     Filter runs before buffering, so uncorrelated traffic does not fill the
//     buffer. On overflow, Next returns the kept messages and then an error
//     wrapping ErrOverflow: the stream has a gap. Kafka subscriptions are
//     lazy (the broker keeps records until Next reads them) and never
//     overflow.
//   - A driver whose protocol would silently lose messages across a
//     reconnect (NATS core, MQTT with a clean session, AMQP) does not
//     reconnect: a lost connection fails Publish and Next with
//     ErrConnectionLost. Kafka reconnects by itself, as reading by offset
//     loses nothing.
//   - Every blocking call takes a context and returns when it is done.
//   - Errors are *Error values (protocol, operation, address) wrapping the
//     sentinels ErrClosed, ErrOverflow, ErrUnsupported, ErrConnectionLost,
//     ErrAuth and ErrBinding where they apply, for errors.Is.
//   - Conns and Subscriptions are safe for concurrent use; Drivers hold no
//     state.
//
// Package transport/transporttest is the conformance suite every driver
// passes.
package transport
