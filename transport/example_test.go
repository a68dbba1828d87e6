package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/nats"
)

// Arm a subscription, publish, and receive the correlated reply: what an
// engine does for a send step followed by a receive step.
func Example() {
	srv, _ := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	go srv.Start()
	srv.ReadyForConnections(5 * time.Second)
	defer srv.Shutdown()
	u, _ := url.Parse(srv.ClientURL())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d transport.Driver = nats.Driver{}
	conn, err := d.Dial(ctx, transport.Server{Protocol: "nats", URL: u})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	ch := transport.Channel{Address: "orders.placed"}
	// Arm before publishing: everything published from now on is kept.
	sub, err := conn.Subscribe(ctx, ch, transport.SubscribeOptions{
		Filter: func(d *transport.Delivery) bool { return d.Headers["requestId"] == "42" },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sub.Close()

	for _, id := range []string{"41", "42"} {
		m := &transport.Message{Channel: ch, Headers: map[string]string{"requestId": id}, Payload: []byte(`{"id":` + id + `}`)}
		if _, err := conn.Publish(ctx, m); err != nil {
			fmt.Println(err)
			return
		}
	}
	got, err := sub.Next(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s on %s\n", got.Payload, got.Channel.Address)

	// Nothing else matches: Next gives up when its context does.
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	_, err = sub.Next(short)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output:
	// {"id":42} on orders.placed
	// true
}

// Drivers say what went wrong with typed errors.
func ExampleError() {
	var d transport.Driver = nats.Driver{}
	u, _ := url.Parse("nats://127.0.0.1:4222")
	_, err := d.Dial(context.Background(), transport.Server{URL: u, Credentials: transport.Credentials{
		Username: "u", Password: "secret", Mechanism: "scram-sha-256"}})
	var te *transport.Error
	fmt.Println(errors.As(err, &te), te.Op, errors.Is(err, transport.ErrUnsupported))
	fmt.Println(err)
	// Output:
	// true dial true
	// nats dial: transport: not supported by this protocol: credential mechanism "scram-sha-256"
}
