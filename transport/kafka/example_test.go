package kafka_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/kafka"
)

// Arm on a topic, produce a keyed record, and read it back with its
// partition and offset.
func ExampleDriver() {
	cluster, _ := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	defer cluster.Close()
	u := &url.URL{Scheme: "kafka", Host: strings.Join(cluster.ListenAddrs(), ",")}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := kafka.Driver{}.Dial(ctx, transport.Server{Protocol: "kafka", URL: u})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	ch := transport.Channel{Address: "place-order", Bindings: map[string]any{"topic": "orders"}}
	sub, _ := conn.Subscribe(ctx, ch, transport.SubscribeOptions{})
	r, err := conn.Publish(ctx, &transport.Message{Channel: ch, Key: []byte("o-1"), Payload: []byte(`{"qty":2}`),
		Headers: map[string]string{"requestId": "r-1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := sub.Next(ctx)
	fmt.Println(d.Channel.Address, string(d.Key), string(d.Payload), d.Headers["requestId"], d.Offset == r.Offset)
	// Output: orders o-1 {"qty":2} r-1 true
}
