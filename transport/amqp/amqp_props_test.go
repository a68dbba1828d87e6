package amqp_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/amqp"
)

func dial(t *testing.T) transport.Conn {
	t.Helper()
	s, _ := server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := amqp.Driver{}.Dial(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestPropertiesArePseudoHeaders(t *testing.T) {
	c := dial(t)
	ch := topicChannel("props." + brokertest.Secret())
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	want := map[string]string{
		amqp.HeaderCorrelationID:   "corr-1",
		amqp.HeaderReplyTo:         "replies",
		amqp.HeaderMessageID:       "m-1",
		amqp.HeaderContentEncoding: "gzip",
		amqp.HeaderType:            "order.placed",
		amqp.HeaderAppID:           "telaio-test",
		amqp.HeaderPriority:        "5",
		amqp.HeaderDeliveryMode:    "2",
		amqp.HeaderExpiration:      "60000",
		amqp.HeaderTimestamp:       ts,
		"x-app":                    "v",
	}
	m := &transport.Message{Channel: ch, Payload: []byte(`{}`), ContentType: "application/json", Headers: want}
	if _, err := c.Publish(ctx(t), m); err != nil {
		t.Fatal(err)
	}
	d, err := sub.Next(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if d.Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, d.Headers[k], v)
		}
	}
	if d.ContentType != "application/json" || d.Headers[amqp.HeaderContentType] != "application/json" {
		t.Errorf("content type = %q / %q", d.ContentType, d.Headers[amqp.HeaderContentType])
	}
	if d.ID == "" {
		t.Error("delivery tag missing")
	}
}

func TestOperationBindingsSetProperties(t *testing.T) {
	c := dial(t)
	ch := topicChannel("opb." + brokertest.Secret())
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pub := ch
	pub.Bindings = map[string]any{"is": "routingKey", "exchange": map[string]any{"name": "amq.topic"},
		"priority": float64(3), "deliveryMode": float64(1), "expiration": float64(1000), "timestamp": true}
	m := &transport.Message{Channel: pub, Payload: []byte(`x`), Bindings: map[string]any{"messageType": "t1"}}
	if _, err := c.Publish(ctx(t), m); err != nil {
		t.Fatal(err)
	}
	d, err := sub.Next(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"priority": "3", "delivery_mode": "1", "expiration": "1000", "type": "t1"} {
		if d.Headers[k] != v {
			t.Errorf("%s = %q, want %q", k, d.Headers[k], v)
		}
	}
	if d.Headers["timestamp"] == "" {
		t.Error("timestamp binding did not set the timestamp")
	}
}

func TestDefaultMappingIsAQueueNamedByTheAddress(t *testing.T) {
	c := dial(t)
	ch := transport.Channel{Address: "q." + brokertest.Secret()}
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Payload: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	d, err := sub.Next(ctx(t))
	if err != nil || string(d.Payload) != "1" {
		t.Fatalf("Next = %v, %v", d, err)
	}
	// The queue now exists: a message published while nobody consumes
	// waits in it and reaches the next subscription (is: queue semantics).
	_ = sub.Close()
	durable := transport.Channel{Address: "dq." + brokertest.Secret(), Bindings: map[string]any{
		"is": "queue", "queue": map[string]any{"durable": true}}}
	s1, err := c.Subscribe(ctx(t), durable, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s1.Close()
	if _, err := c.Publish(ctx(t), &transport.Message{Channel: durable, Payload: []byte("kept")}); err != nil {
		t.Fatal(err)
	}
	s2, err := c.Subscribe(ctx(t), durable, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, err = s2.Next(ctx(t))
	if err != nil || string(d.Payload) != "kept" {
		t.Fatalf("Next on the named queue = %v, %v", d, err)
	}
}

func TestMandatoryUnroutableIsAnError(t *testing.T) {
	c := dial(t)
	ch := topicChannel("nobody." + brokertest.Secret())
	ch.Bindings["mandatory"] = true
	_, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Payload: []byte("x")})
	if err == nil {
		t.Fatal("unroutable mandatory message was accepted")
	}
	// Without mandatory the broker drops it and confirms.
	delete(ch.Bindings, "mandatory")
	if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Payload: []byte("x")}); err != nil {
		t.Fatal(err)
	}
}

func TestMissingExchangeFailsAndTheNextPublishWorks(t *testing.T) {
	c := dial(t)
	bad := transport.Channel{Address: "k", Bindings: map[string]any{"exchange": map[string]any{"name": "no-such-exchange"}}}
	_, err := c.Publish(ctx(t), &transport.Message{Channel: bad, Payload: []byte("x")})
	if err == nil {
		t.Fatal("publish to a missing exchange succeeded")
	}
	if _, err := c.Subscribe(ctx(t), bad, transport.SubscribeOptions{}); err == nil {
		t.Fatal("subscribe to a missing exchange succeeded")
	}
	ch := topicChannel("after." + brokertest.Secret())
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Payload: []byte("ok")}); err != nil {
		t.Fatalf("publish after a channel error: %v", err)
	}
	if d, err := sub.Next(ctx(t)); err != nil || string(d.Payload) != "ok" {
		t.Fatalf("Next = %v, %v", d, err)
	}
}

func TestBadBindingsAndHeaders(t *testing.T) {
	c := dial(t)
	for name, m := range map[string]*transport.Message{
		"is":       {Channel: transport.Channel{Address: "a", Bindings: map[string]any{"is": "topic"}}},
		"priority": {Channel: transport.Channel{Address: "a", Bindings: map[string]any{"priority": "high"}}},
		"header":   {Channel: transport.Channel{Address: "a"}, Headers: map[string]string{amqp.HeaderDeliveryMode: "3"}},
		"key":      {Channel: transport.Channel{Address: "a"}, Key: []byte("k")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.Publish(ctx(t), m)
			var te *transport.Error
			if !errors.As(err, &te) || te.Op != "publish" {
				t.Fatalf("Publish = %v, want a publish *transport.Error", err)
			}
		})
	}
}
