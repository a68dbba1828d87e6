package transport

import (
	"errors"
	"strings"
)

// Errors that drivers wrap, for errors.Is.
var (
	// ErrClosed is returned by a Subscription or Conn that was closed.
	ErrClosed = errors.New("transport: closed")
	// ErrOverflow is returned by Next once a subscription dropped messages
	// because its buffer was full.
	ErrOverflow = errors.New("transport: subscription buffer overflow")
	// ErrUnsupported is returned when a message or option needs something
	// the protocol or its version cannot carry (headers on MQTT 3.1.1, a key
	// outside Kafka, an unknown SASL mechanism).
	ErrUnsupported = errors.New("transport: not supported by this protocol")
	// ErrConnectionLost is returned when the connection to the broker broke.
	// Drivers whose protocol would silently lose messages across a reconnect
	// do not reconnect: their subscriptions fail with this error instead.
	ErrConnectionLost = errors.New("transport: connection lost")
	// ErrAuth is returned by Dial when the broker refused the credentials.
	ErrAuth = errors.New("transport: authentication failed")
	// ErrBinding is returned when a binding value has the wrong type or an
	// unknown value.
	ErrBinding = errors.New("transport: invalid binding")
)

// Error is the error every driver returns: the protocol, the operation and
// the cause. The message never contains a password.
type Error struct {
	Protocol string // AsyncAPI protocol, e.g. "amqp"
	Op       string // "dial", "publish", "subscribe", "receive" or "close"
	Address  string // channel address, when the operation has one
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Protocol)
	b.WriteByte(' ')
	b.WriteString(e.Op)
	if e.Address != "" {
		b.WriteString(" ")
		b.WriteString(quote(e.Address))
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func quote(s string) string {
	const max = 200
	if len(s) > max {
		s = s[:max] + "..."
	}
	return "\"" + strings.ReplaceAll(s, "\"", "\\\"") + "\""
}
