package transport_test

import (
	"errors"
	"testing"

	"github.com/telaio/telaio/transport"
)

func TestHeaderExactThenCaseInsensitive(t *testing.T) {
	m := &transport.Message{Headers: map[string]string{"Request-Id": "a", "request-id": "b", "X": "x"}}
	for name, want := range map[string]string{"request-id": "b", "Request-Id": "a", "REQUEST-ID": "a", "x": "x"} {
		if got, ok := m.Header(name); !ok || got != want {
			t.Errorf("Header(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := m.Header("missing"); ok {
		t.Error("Header(missing) found")
	}
}

func TestErrorNamesProtocolOperationAndAddress(t *testing.T) {
	err := &transport.Error{Protocol: "mqtt", Op: "publish", Address: `a"b`, Err: transport.ErrUnsupported}
	if got, want := err.Error(), `mqtt publish "a\"b": transport: not supported by this protocol`; got != want {
		t.Errorf("Error() = %s, want %s", got, want)
	}
	if !errors.Is(err, transport.ErrUnsupported) {
		t.Error("errors.Is failed")
	}
}
