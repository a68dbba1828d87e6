package transport

import (
	"context"
	"crypto/tls"
	"net/url"
	"strings"
	"time"
)

// Limits applied when SubscribeOptions leaves them zero.
const (
	// DefaultMaxBuffered is the number of received messages a subscription keeps
	// for Next before it overflows.
	DefaultMaxBuffered = 1024
	// DefaultMaxBytes is the number of bytes (payload, key and header names and
	// values) a subscription keeps for Next before it overflows.
	DefaultMaxBytes int64 = 32 << 20
)

// Driver connects to the brokers of one or more AsyncAPI protocols. A Driver
// holds no connection state: it is safe for concurrent use and may be shared by
// any number of engines.
type Driver interface {
	// Protocols returns the AsyncAPI protocol names the driver serves, in
	// lower case, for example "mqtt", "mqtts" and "secure-mqtt".
	Protocols() []string
	// Dial connects to the broker described by s. It returns once the
	// connection is usable (handshake and authentication done) or ctx is done.
	// Errors are *Error values and never contain the password.
	Dial(ctx context.Context, s Server) (Conn, error)
}

// Server says where a broker is and how to authenticate to it.
type Server struct {
	// Protocol is the AsyncAPI server protocol, for example "kafka-secure".
	Protocol string
	// ProtocolVersion is the AsyncAPI server protocolVersion, for example "5"
	// for MQTT. Empty means the driver's documented default.
	ProtocolVersion string
	// URL is the broker address. Each driver documents the forms it accepts.
	URL *url.URL
	// Credentials come from run configuration, never from a document. When
	// Username and Password are both empty, credentials in URL (user info)
	// are used.
	Credentials Credentials
	// TLS, when not nil, turns TLS on with this configuration (client
	// certificates, roots). Nil means the scheme decides: TLS for secure
	// protocols (mqtts, amqps, kafka-secure, tls://), plain TCP otherwise.
	TLS *tls.Config
	// Bindings are the server bindings of this protocol, as decoded JSON.
	Bindings map[string]any
}

// Credentials authenticate a connection.
type Credentials struct {
	Username string
	Password string
	// Mechanism selects the SASL mechanism for Kafka: "plain",
	// "scram-sha-256" or "scram-sha-512". Empty means plain. Drivers of
	// other protocols accept only empty or "plain".
	Mechanism string
}

// Conn is a connection to one broker. Its methods are safe for concurrent use.
type Conn interface {
	// Publish sends m and returns once the broker has it: the protocol's
	// acknowledgement where it has one (Kafka produce ack, AMQP publisher
	// confirm, MQTT PUBACK for QoS 1 and 2, NATS flush), else once the client
	// wrote it. ctx bounds the whole call.
	Publish(ctx context.Context, m *Message) (*Receipt, error)
	// Subscribe arms a subscription on ch: once it returns without error,
	// every message published to ch afterwards is delivered by Next (subject
	// to o.Filter). Messages published before the call are not delivered,
	// except where the channel is a queue that holds them (AMQP is: queue).
	Subscribe(ctx context.Context, ch Channel, o SubscribeOptions) (Subscription, error)
	// Close closes the connection and every subscription made on it.
	Close() error
}

// Channel is a resolved channel: its address and this protocol's bindings.
type Channel struct {
	// Address is the channel address with its parameters substituted
	// (subject, topic, routing key or queue name, as the protocol says).
	Address string
	// Bindings are this protocol's channel binding with the operation
	// binding's fields merged over it, as decoded JSON.
	Bindings map[string]any
}

// Message is a message to publish, or the content of a received one.
type Message struct {
	// Channel is where the message goes. On a Delivery, Address is where it
	// arrived (a subject, topic or routing key).
	Channel Channel
	// Headers are application headers plus the protocol's pseudo-headers
	// (see each driver's package documentation).
	Headers map[string]string
	// Payload is the encoded body.
	Payload []byte
	// ContentType is the payload's media type, where the protocol carries one
	// (AMQP content_type, MQTT 5 Content Type); otherwise it is ignored on
	// publish and empty on receive unless a header of the same name exists.
	ContentType string
	// Key is the Kafka record key; other protocols refuse a non-empty Key.
	Key []byte
	// Bindings are this protocol's message bindings, as decoded JSON.
	Bindings map[string]any
}

// Header returns the value of header name: the exact name first, then the
// first name equal under Unicode case folding, in sorted order, so the answer
// does not depend on map iteration.
func (m *Message) Header(name string) (string, bool) {
	if v, ok := m.Headers[name]; ok {
		return v, true
	}
	found, best := false, ""
	var val string
	for k, v := range m.Headers {
		if strings.EqualFold(k, name) && (!found || k < best) {
			found, best, val = true, k, v
		}
	}
	return val, found
}

// Size returns the number of bytes m counts against SubscribeOptions.MaxBytes:
// payload, key, and header names and values.
func (m *Message) Size() int64 {
	n := int64(len(m.Payload) + len(m.Key))
	for k, v := range m.Headers {
		n += int64(len(k) + len(v))
	}
	return n
}

// Receipt is what the broker said about a published message, as available:
// Kafka fills Partition and Offset; AMQP sets ID to the publisher confirm's
// delivery tag; MQTT 3.1.1 to the packet identifier for QoS 1 and 2. Fields
// the protocol does not give are empty, and Partition and Offset are -1.
type Receipt struct {
	Partition int32
	Offset    int64
	ID        string
}

// Delivery is a received message.
type Delivery struct {
	Message
	// Partition and Offset locate a Kafka record; -1 for other protocols.
	Partition int32
	Offset    int64
	// ID is the broker's identifier of the delivery where there is one (AMQP
	// delivery tag, MQTT packet identifier).
	ID string
	// Received is when the driver got the message from the client library.
	Received time.Time
}

// SubscribeOptions tune a subscription.
type SubscribeOptions struct {
	// Filter, when not nil, is called for every message before it is
	// buffered; messages for which it returns false are dropped and do not
	// count against the limits. It runs on the client's delivery goroutine
	// (inside Next for lazy drivers such as Kafka), one message at a time,
	// so it must be fast and must not block.
	Filter func(*Delivery) bool
	// MaxBuffered and MaxBytes bound what the subscription keeps for Next;
	// zero means DefaultMaxBuffered and DefaultMaxBytes. When a message does
	// not fit, the subscription overflows: it drops that message and every
	// later one, Next returns the messages already kept, then an error
	// wrapping ErrOverflow. A lazy driver (Kafka) fetches at most
	// MaxBuffered records and MaxBytes ahead and never overflows.
	MaxBuffered int
	MaxBytes    int64
	// Retained asks for the messages the broker keeps for new subscribers
	// (MQTT retained messages). They are dropped by default, because they
	// were published before the subscription was armed. Protocols without
	// such messages ignore it.
	Retained bool
}

// Subscription is an armed subscription. Its methods are safe for concurrent
// use.
type Subscription interface {
	// Next returns the next message, in arrival order. It blocks until a
	// message is there, ctx is done (ctx.Err() is returned), the
	// subscription is closed (ErrClosed) or it failed (overflow, connection
	// lost). Messages received before a failure are returned first.
	Next(ctx context.Context) (*Delivery, error)
	// Close stops the subscription; a blocked Next returns ErrClosed. Close
	// is idempotent.
	Close() error
}
