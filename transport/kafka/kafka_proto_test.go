package kafka_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/kafka"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func dial(t *testing.T, b *brokertest.Broker) transport.Conn {
	t.Helper()
	c, err := kafka.Driver{}.Dial(ctx(t), b.Server())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestKeyPartitionOffset(t *testing.T) {
	b := brokertest.Kafka(t, brokertest.Options{}, kfake.SeedTopics(3, "orders"))
	c := dial(t, b)
	ch := transport.Channel{Address: "orders"}
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var receipts []*transport.Receipt
	for _, key := range []string{"k1", "k1", "k2"} {
		r, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Key: []byte(key), Payload: []byte(key)})
		if err != nil {
			t.Fatal(err)
		}
		if r.Partition < 0 || r.Offset < 0 {
			t.Fatalf("receipt %+v lacks partition/offset", r)
		}
		receipts = append(receipts, r)
	}
	if receipts[0].Partition != receipts[1].Partition || receipts[1].Offset != receipts[0].Offset+1 {
		t.Errorf("same key went to %+v then %+v", receipts[0], receipts[1])
	}
	got := map[[2]int64]string{}
	for range receipts {
		d, err := sub.Next(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if string(d.Key) != string(d.Payload) {
			t.Errorf("key %q, payload %q", d.Key, d.Payload)
		}
		got[[2]int64{int64(d.Partition), d.Offset}] = string(d.Key)
	}
	for _, r := range receipts {
		if _, ok := got[[2]int64{int64(r.Partition), r.Offset}]; !ok {
			t.Errorf("receipt %+v has no matching delivery (%v)", r, got)
		}
	}
}

func TestArmingSkipsRecordsOfEveryPartition(t *testing.T) {
	b := brokertest.Kafka(t, brokertest.Options{}, kfake.SeedTopics(4, "events"))
	c := dial(t, b)
	ch := transport.Channel{Address: "events"}
	for i := range 20 { // spread over the partitions
		if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Key: []byte{byte(i)}, Payload: []byte("old")}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Key: []byte{byte(i)}, Payload: []byte("new")}); err != nil {
			t.Fatal(err)
		}
	}
	for range 8 {
		d, err := sub.Next(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if string(d.Payload) != "new" {
			t.Fatalf("got a record published before arming (partition %d offset %d)", d.Partition, d.Offset)
		}
	}
}

func TestTopicBindingRenamesTheChannel(t *testing.T) {
	b := brokertest.Kafka(t, brokertest.Options{})
	c := dial(t, b)
	ch := transport.Channel{Address: "place-order", Bindings: map[string]any{"topic": "orders.v1"}}
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Payload: []byte("x"), Headers: map[string]string{"h": "v"}}); err != nil {
		t.Fatal(err)
	}
	d, err := sub.Next(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if d.Channel.Address != "orders.v1" || d.Headers["h"] != "v" {
		t.Fatalf("delivery on %q with headers %v", d.Channel.Address, d.Headers)
	}
}

func TestUnknownSASLMechanismIsRefused(t *testing.T) {
	b := brokertest.Kafka(t, brokertest.Options{})
	s := b.Server()
	s.Credentials = transport.Credentials{Username: "u", Password: "p", Mechanism: "gssapi"}
	_, err := kafka.Driver{}.Dial(ctx(t), s)
	if !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("Dial = %v, want ErrUnsupported", err)
	}
}

func TestLazySubscriptionKeepsEverythingBeyondMaxBuffered(t *testing.T) {
	b := brokertest.Kafka(t, brokertest.Options{})
	c := dial(t, b)
	ch := transport.Channel{Address: "lazy"}
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{MaxBuffered: 2})
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	for i := range n {
		if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Payload: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		d, err := sub.Next(ctx(t))
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if d.Payload[0] != byte(i) {
			t.Fatalf("message %d has payload %d", i, d.Payload[0])
		}
	}
}
