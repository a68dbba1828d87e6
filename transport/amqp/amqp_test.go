package amqp_test

import (
	"os"
	"testing"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/amqp"
	"github.com/telaio/telaio/transport/transporttest"
)

var rabbit brokertest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	rabbit.Stop()
	os.Exit(code)
}

// server returns a Server that reaches the package's RabbitMQ through a
// proxy of its own, and the proxy's Stop (the broker "goes away" for this
// connection only).
func server(t *testing.T) (transport.Server, func()) {
	t.Helper()
	b := rabbit.RabbitMQ(t)
	p := brokertest.NewProxy(t, b.Addr())
	s := b.Server()
	s.URL.Host = p.Addr()
	return s, p.Stop
}

func topicChannel(name string) transport.Channel {
	return transport.Channel{Address: name, Bindings: map[string]any{
		"is":       "routingKey",
		"exchange": map[string]any{"name": "amq.topic", "type": "topic"},
	}}
}

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Setup {
		s, stop := server(t)
		return transporttest.Setup{Driver: amqp.Driver{}, Server: s, Stop: stop, Channel: topicChannel,
			Headers: map[string]string{amqp.HeaderCorrelationID: "c-1", amqp.HeaderReplyTo: "replies"}}
	})
}
