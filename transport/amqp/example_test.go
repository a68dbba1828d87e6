package amqp_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/amqp"
)

// Publish to a topic exchange with a correlation id and read the reply from
// a queue bound at arm time. (Needs RabbitMQ on localhost, so it does not
// run.)
func ExampleDriver() {
	ctx := context.Background()
	u, _ := url.Parse("amqp://localhost:5672/")
	conn, err := amqp.Driver{}.Dial(ctx, transport.Server{Protocol: "amqp", URL: u,
		Credentials: transport.Credentials{Username: "app", Password: "from-run-config"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	exchange := map[string]any{"is": "routingKey", "exchange": map[string]any{"name": "orders", "type": "topic"}}
	replies, _ := conn.Subscribe(ctx, transport.Channel{Address: "order.confirmed", Bindings: exchange}, transport.SubscribeOptions{
		Filter: func(d *transport.Delivery) bool { return d.Headers[amqp.HeaderCorrelationID] == "42" },
	})
	_, _ = conn.Publish(ctx, &transport.Message{
		Channel:     transport.Channel{Address: "order.placed", Bindings: exchange},
		Headers:     map[string]string{amqp.HeaderCorrelationID: "42", amqp.HeaderReplyTo: "order.confirmed"},
		ContentType: "application/json",
		Payload:     []byte(`{"item":"pen"}`),
	})
	reply, err := replies.Next(ctx)
	fmt.Println(reply, err)
}
