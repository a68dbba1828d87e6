package nats_test

import (
	"context"
	"fmt"
	"net/url"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/nats"
)

// A reply subject travels as the reply_to pseudo-header.
func ExampleDriver() {
	srv, _ := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	go srv.Start()
	srv.ReadyForConnections(5 * time.Second)
	defer srv.Shutdown()
	u, _ := url.Parse(srv.ClientURL())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := nats.Driver{}.Dial(ctx, transport.Server{Protocol: "nats", URL: u})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	sub, _ := conn.Subscribe(ctx, transport.Channel{Address: "orders.>"}, transport.SubscribeOptions{})
	_, _ = conn.Publish(ctx, &transport.Message{
		Channel: transport.Channel{Address: "orders.placed"},
		Headers: map[string]string{nats.HeaderReplyTo: "replies.7", "requestId": "7"},
		Payload: []byte("{}"),
	})
	d, _ := sub.Next(ctx)
	fmt.Println(d.Channel.Address, d.Headers[nats.HeaderReplyTo], d.Headers["requestId"])
	// Output: orders.placed replies.7 7
}
