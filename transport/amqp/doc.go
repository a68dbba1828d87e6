// Package amqp is the transport driver for AMQP 0-9-1 (AsyncAPI protocols
// "amqp" and "amqps"), i.e. RabbitMQ, over github.com/rabbitmq/amqp091-go.
//
//	conn, err := amqp.Driver{}.Dial(ctx, transport.Server{Protocol: "amqp", URL: u})
//
// # URL
//
// amqp://host:port/vhost (port 5672) or amqps://host:port/vhost (port 5671,
// TLS). The virtual host is the URL path ("/" by default, "/%2f" is "/").
// Credentials use SASL PLAIN; Mechanism must be empty or "plain"; without
// any, amqp091-go's default guest/guest is sent. A refused login is
// transport.ErrAuth.
//
// # Channel bindings
//
//	binding                                publish                           subscribe
//	is: routingKey (or absent), exchange   exchange.name, key = address      server-named exclusive auto-delete
//	  name set                                                               queue bound to exchange.name with key = address
//	is: queue, or no exchange name         default exchange, key = queue     consume queue.name (else address); declared
//	                                       name (queue.name, else address)   with queue.durable/exclusive/autoDelete
//	                                                                         if missing; a competing consumer
//
// Exchanges are not declared: they belong to the application, and a missing
// one is an error (NOT_FOUND) from Publish or Subscribe. Bindings of headers
// exchanges (arguments) are not supported.
//
// Operation bindings honoured on publish: expiration (ms), userId, priority,
// deliveryMode (1, 2), mandatory, timestamp (true: now), cc and bcc (sent as
// CC/BCC headers). Message bindings: contentEncoding, messageType.
//
// # Headers
//
// Headers are the AMQP headers table (received values as strings: numbers
// and booleans in Go syntax, times in RFC 3339, tables and arrays as JSON).
// Basic properties are pseudo-headers under their AMQP names; on publish
// they set the property (after the bindings and Message.ContentType, so they
// win) and are not put in the table; on receive a set property wins over a
// table entry of the same name:
//
//	content_type  content_encoding  correlation_id  reply_to  message_id
//	type  user_id  app_id
//	expiration     milliseconds, decimal
//	timestamp      Unix seconds, decimal (RFC 3339 accepted on publish)
//	priority       0-255
//	delivery_mode  1 (transient) or 2 (persistent)
//
// Receipt.ID and Delivery.ID are delivery tags. A Key is refused.
//
// # Decisions
//
//   - Publisher confirms are on: Publish returns on basic.ack and fails on
//     basic.nack or a channel error. With the mandatory binding, an
//     unroutable message is an error (mandatory publishes are serialised on
//     the Conn to match basic.return to its publish).
//   - A broker error closes an AMQP channel: the next Publish opens a new
//     one. Each subscription has its own channel.
//   - Consumers auto-acknowledge: a message taken from a named queue is
//     removed from it.
//   - No reconnect: a lost connection fails every subscription with
//     transport.ErrConnectionLost.
package amqp
