package nats_test

import (
	"context"
	"testing"

	natsgo "github.com/nats-io/nats.go"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/nats"
	"github.com/telaio/telaio/transport/transporttest"
)

// BenchmarkRoundTrip compares a publish + correlated receive through the
// driver with the same round trip on nats.go alone (PublishMsg + Flush, a
// channel subscription).
func BenchmarkRoundTrip(b *testing.B) {
	br := brokertest.NATS(b, brokertest.Options{})
	ctx := context.Background()
	c, err := nats.Driver{}.Dial(ctx, br.Server())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ch := transport.Channel{Address: "bench.driver"}
	sub, err := c.Subscribe(ctx, ch, transport.SubscribeOptions{})
	if err != nil {
		b.Fatal(err)
	}

	nc, err := natsgo.Connect(br.URL.String())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	msgs := make(chan *natsgo.Msg, 1024)
	if _, err := nc.ChanSubscribe("bench.direct", msgs); err != nil {
		b.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		b.Fatal(err)
	}
	direct := func(ctx context.Context, id string) error {
		m := &natsgo.Msg{Subject: "bench.direct", Header: natsgo.Header{transporttest.CorrelationHeader: {id}}, Data: []byte(`{"id":"` + id + `"}`)}
		if err := nc.PublishMsg(m); err != nil {
			return err
		}
		if err := nc.FlushWithContext(ctx); err != nil {
			return err
		}
		for got := range msgs {
			if got.Header.Get(transporttest.CorrelationHeader) == id {
				return nil
			}
		}
		return nil
	}
	transporttest.BenchRoundTrip(b, c, ch, sub, direct)
}
