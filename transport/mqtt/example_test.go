package mqtt_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/mqtt"
)

// Request/reply over MQTT 5: the response topic and correlation data travel
// as pseudo-headers. (Needs a broker on localhost:1883, so it does not run.)
func ExampleDriver() {
	ctx := context.Background()
	u, _ := url.Parse("mqtt://localhost:1883")
	conn, err := mqtt.Driver{}.Dial(ctx, transport.Server{Protocol: "mqtt", ProtocolVersion: "5", URL: u})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	replies, _ := conn.Subscribe(ctx, transport.Channel{Address: "orders/replies"}, transport.SubscribeOptions{
		Filter: func(d *transport.Delivery) bool { return d.Headers[mqtt.HeaderCorrelationData] == "42" },
	})
	_, _ = conn.Publish(ctx, &transport.Message{
		Channel: transport.Channel{Address: "orders/place", Bindings: map[string]any{"qos": 1}},
		Headers: map[string]string{mqtt.HeaderResponseTopic: "orders/replies", mqtt.HeaderCorrelationData: "42"},
		Payload: []byte(`{"item":"pen"}`),
	})
	reply, err := replies.Next(ctx)
	fmt.Println(reply, err)
}

func ExampleSupportsHeaders() {
	fmt.Println(mqtt.SupportsHeaders("5"), mqtt.SupportsHeaders("3.1.1"), mqtt.SupportsHeaders(""))
	// Output: true false false
}
