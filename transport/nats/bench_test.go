package nats_test

import (
	"context"
	"testing"

	natsgo "github.com/nats-io/nats.go"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/internal/enginebench"
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

// BenchmarkEngineRoundTrip compares an Engine.Run of a two-step Arazzo 1.1
// workflow (send with header corr, then the correlated receive on the same
// subject) with the same work on nats.go alone. A run subscribes when the
// workflow starts and unsubscribes when it ends, on a connection the Engine
// dialed once; so the library side subscribes per round trip too, flushes
// (the driver's subscription is armed once the server has it), publishes
// with a flush, waits for the correlated message and unsubscribes. (A channel subscription
// with a small buffer: SubscribeSync allocates a 64k-slot channel per
// subscription, which alone costs more than the round trip.)
func BenchmarkEngineRoundTrip(b *testing.B) {
	br := brokertest.NATS(b, brokertest.Options{})
	engine := enginebench.Engine(b, enginebench.Config{Driver: nats.Driver{}, Broker: br, Address: "bench.engine"})

	nc, err := natsgo.Connect(br.URL.String())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	direct := func(ctx context.Context, id string) error {
		msgs := make(chan *natsgo.Msg, 64)
		sub, err := nc.ChanSubscribe("bench.direct", msgs)
		if err != nil {
			return err
		}
		defer sub.Unsubscribe()
		if err := nc.FlushWithContext(ctx); err != nil {
			return err
		}
		m := &natsgo.Msg{Subject: "bench.direct", Header: natsgo.Header{transporttest.CorrelationHeader: {id}}, Data: []byte(`{"id":"` + id + `"}`)}
		if err := nc.PublishMsg(m); err != nil {
			return err
		}
		if err := nc.FlushWithContext(ctx); err != nil {
			return err
		}
		for {
			select {
			case got := <-msgs:
				if got.Header.Get(transporttest.CorrelationHeader) == id {
					return nil
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	transporttest.BenchCompare(b, "engine", engine, "direct", direct)
}
