package asyncmock_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/asyncmock"
	"github.com/telaio/telaio/specs"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/nats"
)

// The bundled pet order example: an order sent to place-order gets its
// confirmation on confirm-order, with the same orderRequestId header.
func ExampleStart() {
	src, _ := fs.ReadFile(specs.FS, specs.PetOrderAsyncAPI)
	d, err := asyncapi.Load(src, "pet-order.asyncapi.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := asyncmock.Start(ctx, []*asyncapi.Document{d}, asyncmock.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	for _, r := range b.Routes() {
		fmt.Println(r.Operation, r.Subject, "->", r.Reply)
	}

	// What a workflow's send and receive steps do, through the NATS driver.
	u, _ := url.Parse(b.URL())
	conn, err := nats.Driver{}.Dial(ctx, transport.Server{Protocol: "nats", URL: u})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	sub, _ := conn.Subscribe(ctx, transport.Channel{Address: "confirm-order"}, transport.SubscribeOptions{
		Filter: func(d *transport.Delivery) bool { return d.Headers["orderRequestId"] == "order-1" },
	})
	_, _ = conn.Publish(ctx, &transport.Message{
		Channel: transport.Channel{Address: "place-order"},
		Headers: map[string]string{"orderRequestId": "order-1"},
		Payload: []byte(`{"petId": 7, "quantity": 1}`),
	})
	rep, err := sub.Next(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Channel.Address, rep.Headers["orderRequestId"], string(rep.Payload))
	// Output:
	// placeOrder place-order -> confirm-order
	// confirm-order order-1 {"orderId":74}
}

// A request the responder cannot answer is logged, and nothing is sent
// for it; replies come in the order of requests.
func ExampleWithRequestLog() {
	src, _ := fs.ReadFile(specs.FS, specs.PetOrderAsyncAPI)
	d, _ := asyncapi.Load(src, "pet-order.asyncapi.yaml")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var log strings.Builder // written by one responder goroutine at a time
	b, err := asyncmock.Start(ctx, []*asyncapi.Document{d}, asyncmock.WithRequestLog(&log))
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := url.Parse(b.URL())
	conn, _ := nats.Driver{}.Dial(ctx, transport.Server{Protocol: "nats", URL: u})
	sub, _ := conn.Subscribe(ctx, transport.Channel{Address: "confirm-order"}, transport.SubscribeOptions{})
	for _, payload := range []string{`{"petId": "seven"}`, `{"petId": 7}`} {
		_, _ = conn.Publish(ctx, &transport.Message{
			Channel: transport.Channel{Address: "place-order"},
			Headers: map[string]string{"orderRequestId": "o-1"},
			Payload: []byte(payload),
		})
	}
	_, _ = sub.Next(ctx) // the reply to the second request
	conn.Close()
	b.Close()
	for line := range strings.Lines(log.String()) {
		f := strings.Fields(line)
		if f[0] == "SEND" {
			f = f[:len(f)-1] // the duration
		}
		fmt.Println(strings.Join(f, " "))
	}
	// Output:
	// RECV place-order placeOrder 35B
	// DROP place-order placeOrder: message placeOrder.message: payload: /petId: expected integer, got string
	// RECV place-order placeOrder 29B
	// SEND confirm-order placeOrder 31B
}
