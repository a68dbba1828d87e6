package nats_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/nats"
	"github.com/telaio/telaio/transport/transporttest"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestHeadersAndReplySubject(t *testing.T) {
	b := brokertest.NATS(t, brokertest.Options{})
	c, err := nats.Driver{}.Dial(ctx(t), b.Server())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ch := transport.Channel{Address: "orders.created"}
	sub, err := c.Subscribe(ctx(t), transport.Channel{Address: "orders.*"}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Request-Id": "r1", "lower": "v", nats.HeaderReplyTo: "_INBOX.x"}
	if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Headers: hdr, Payload: []byte("p")}); err != nil {
		t.Fatal(err)
	}
	d, err := sub.Next(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if d.Headers[k] != v {
			t.Errorf("%s = %q, want %q (headers %v)", k, d.Headers[k], v, d.Headers)
		}
	}
	if d.Channel.Address != "orders.created" {
		t.Errorf("subject = %q", d.Channel.Address)
	}
}

func TestQueueBindingSharesMessages(t *testing.T) {
	b := brokertest.NATS(t, brokertest.Options{})
	c, err := nats.Driver{}.Dial(ctx(t), b.Server())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ch := transport.Channel{Address: "work", Bindings: map[string]any{"queue": "workers"}}
	s1, _ := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	s2, _ := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	const n = 20
	for range n {
		if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Payload: []byte("w")}); err != nil {
			t.Fatal(err)
		}
	}
	got := 0
	for _, s := range []transport.Subscription{s1, s2} {
		for {
			short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			_, err := s.Next(short)
			cancel()
			if err != nil {
				break
			}
			got++
		}
	}
	if got != n {
		t.Fatalf("queue group members got %d messages in all, want %d (each once)", got, n)
	}
}

func TestTokenAuth(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Setup {
		b := brokertest.NATS(t, brokertest.Options{Password: brokertest.Secret()})
		return transporttest.Setup{Driver: nats.Driver{}, Server: b.Server(), Stop: b.Stop}
	})
}

func TestSASLMechanismIsRefused(t *testing.T) {
	b := brokertest.NATS(t, brokertest.Options{})
	s := b.Server()
	s.Credentials = transport.Credentials{Username: "u", Password: "p", Mechanism: "scram-sha-256"}
	if _, err := (nats.Driver{}).Dial(ctx(t), s); !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("Dial with a SASL mechanism = %v, want ErrUnsupported", err)
	}
}
