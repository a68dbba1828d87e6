// Package kafka is the transport driver for Apache Kafka (AsyncAPI protocols
// "kafka" and "kafka-secure"), over github.com/twmb/franz-go.
//
//	conn, err := kafka.Driver{}.Dial(ctx, transport.Server{Protocol: "kafka", URL: u})
//
// # URL
//
// kafka://host:port[,host:port...] lists bootstrap brokers; the port
// defaults to 9092. Protocol "kafka-secure" (or scheme kafka-secure://, or
// Server.TLS) turns TLS on.
//
// # Credentials
//
// SASL with Credentials.Mechanism "plain" (the default), "scram-sha-256" or
// "scram-sha-512", through franz-go's sasl packages. Dial pings a broker, so
// a refused login is reported by Dial as transport.ErrAuth.
//
// # Mapping
//
// Topic = channel binding topic, else the channel address. Message.Key is
// the record key; headers are record headers (a repeated key: the first
// value). Message.ContentType is not carried. Receipt and Delivery carry the
// partition and offset. Bindings honoured: channel binding topic. The
// operation bindings groupId and clientId are not used (see below).
//
// # Decisions
//
//   - Publish waits for the produce acknowledgement (acks=all), with no
//     linger. Producing to a missing topic creates it where the broker
//     allows automatic creation.
//   - Subscribe arms by recording the end offset of every partition
//     (ListOffsets) and consumes from there with a client of its own and no
//     consumer group: no rebalance delay, no committed offsets left behind,
//     and no competition with the application's consumers. A topic that does
//     not exist yet is read from its start once it appears (every record in
//     it was written after arming). Partitions added after arming are not
//     read.
//   - Subscriptions are lazy: Next polls the client in the caller's
//     goroutine, the client fetches ahead at most MaxBytes, and the broker
//     keeps the rest, so a Kafka subscription never overflows and Filter runs
//     inside Next.
//   - The client reconnects by itself: reading by offset loses nothing.
package kafka
