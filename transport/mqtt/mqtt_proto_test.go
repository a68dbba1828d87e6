package mqtt_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/mqtt"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func dial(t *testing.T, b *brokertest.Broker, version string) transport.Conn {
	t.Helper()
	s := b.Server()
	s.ProtocolVersion = version
	c, err := mqtt.Driver{}.Dial(ctx(t), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestSupportsHeaders(t *testing.T) {
	for v, want := range map[string]bool{"": false, "3.1.1": false, "3.1": false, "4": false, "5": true, "5.0": true, "6": false} {
		if got := mqtt.SupportsHeaders(v); got != want {
			t.Errorf("SupportsHeaders(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestMQTT5UserPropertiesAndPseudoHeaders(t *testing.T) {
	b := brokertest.Mosquitto(t, brokertest.Options{})
	c := dial(t, b, "5")
	ch := transport.Channel{Address: "orders/" + brokertest.Secret()}
	sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{
		"requestId":                "r-1",
		mqtt.HeaderCorrelationData: "corr-42",
		mqtt.HeaderResponseTopic:   "replies/1",
		mqtt.HeaderContentType:     "application/json",
	}
	if _, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Headers: hdr, Payload: []byte(`{}`)}); err != nil {
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
	if d.ContentType != "application/json" {
		t.Errorf("ContentType = %q", d.ContentType)
	}
}

func TestMQTT311RefusesHeadersNamingTheProtocol(t *testing.T) {
	b := brokertest.Mosquitto(t, brokertest.Options{})
	c := dial(t, b, "") // the default is 3.1.1
	_, err := c.Publish(ctx(t), &transport.Message{Channel: transport.Channel{Address: "a"}, Headers: map[string]string{"x": "y"}})
	if !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("Publish = %v, want ErrUnsupported", err)
	}
	if want := "MQTT 3.1.1"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %q", err, want)
	}
}

func TestRetainedMessagesAreIgnoredUnlessAsked(t *testing.T) {
	b := brokertest.Mosquitto(t, brokertest.Options{})
	for _, v := range []string{"3.1.1", "5"} {
		t.Run(v, func(t *testing.T) {
			c := dial(t, b, v)
			topic := "state/" + brokertest.Secret()
			// QoS 1: Publish returns once the broker has the message, so
			// the subscriptions below cannot overtake it (the 3.1.1 client
			// sends subscriptions on a path of their own).
			retained := transport.Channel{Address: topic, Bindings: map[string]any{"retain": true, "qos": 1}}
			if _, err := c.Publish(ctx(t), &transport.Message{Channel: retained, Payload: []byte("old")}); err != nil {
				t.Fatal(err)
			}
			plain, err := c.Subscribe(ctx(t), transport.Channel{Address: topic}, transport.SubscribeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			asked, err := c.Subscribe(ctx(t), transport.Channel{Address: topic}, transport.SubscribeOptions{Retained: true})
			if err != nil {
				t.Fatal(err)
			}
			if d, err := asked.Next(ctx(t)); err != nil || string(d.Payload) != "old" {
				t.Fatalf("Retained subscription: %v, %v; want the retained message", d, err)
			}
			if _, err := c.Publish(ctx(t), &transport.Message{Channel: transport.Channel{Address: topic}, Payload: []byte("new")}); err != nil {
				t.Fatal(err)
			}
			if d, err := plain.Next(ctx(t)); err != nil || string(d.Payload) != "new" {
				t.Fatalf("plain subscription: %v, %v; want only the new message", d, err)
			}
		})
	}
}

func TestWildcardSubscriptionReportsTheTopic(t *testing.T) {
	b := brokertest.Mosquitto(t, brokertest.Options{})
	c := dial(t, b, "5")
	root := "dev/" + brokertest.Secret()
	sub, err := c.Subscribe(ctx(t), transport.Channel{Address: root + "/+/temp"}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{root + "/a/humidity", root + "/b/temp"} {
		if _, err := c.Publish(ctx(t), &transport.Message{Channel: transport.Channel{Address: topic}, Payload: []byte(topic)}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := sub.Next(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if d.Channel.Address != root+"/b/temp" {
		t.Fatalf("delivery topic = %q", d.Channel.Address)
	}
}

func TestQoSBinding(t *testing.T) {
	b := brokertest.Mosquitto(t, brokertest.Options{})
	c := dial(t, b, "3.1.1")
	for _, q := range []float64{0, 1, 2} {
		ch := transport.Channel{Address: "q/" + brokertest.Secret(), Bindings: map[string]any{"qos": q}}
		sub, err := c.Subscribe(ctx(t), ch, transport.SubscribeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Publish(ctx(t), &transport.Message{Channel: ch, Payload: []byte("x")})
		if err != nil {
			t.Fatalf("qos %v: %v", q, err)
		}
		if (q > 0) != (r.ID != "") {
			t.Errorf("qos %v: receipt ID %q", q, r.ID)
		}
		if _, err := sub.Next(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Publish(ctx(t), &transport.Message{Channel: transport.Channel{Address: "a", Bindings: map[string]any{"qos": float64(3)}}})
	if !errors.Is(err, transport.ErrBinding) {
		t.Fatalf("qos 3: %v, want ErrBinding", err)
	}
}

func TestUnknownProtocolVersionIsRefused(t *testing.T) {
	b := brokertest.Mosquitto(t, brokertest.Options{})
	s := b.Server()
	s.ProtocolVersion = "6"
	_, err := mqtt.Driver{}.Dial(ctx(t), s)
	if !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("Dial = %v, want ErrUnsupported", err)
	}
}
