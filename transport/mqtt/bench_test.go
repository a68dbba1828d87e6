package mqtt_test

import (
	"context"
	"net"
	"testing"

	"github.com/eclipse/paho.golang/packets"
	paho5 "github.com/eclipse/paho.golang/paho"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/internal/enginebench"
	"github.com/telaio/telaio/transport/mqtt"
	"github.com/telaio/telaio/transport/transporttest"
)

// BenchmarkRoundTrip compares a QoS 1 publish + correlated receive (MQTT 5,
// user property) through the driver with the same round trip on paho.golang
// alone (Publish waits for PUBACK; received messages go to a channel).
func BenchmarkRoundTrip(b *testing.B) {
	br := brokertest.Mosquitto(b, brokertest.Options{})
	ctx := context.Background()
	s := br.Server()
	s.ProtocolVersion = "5"
	c, err := mqtt.Driver{}.Dial(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ch := transport.Channel{Address: "bench/driver"}
	sub, err := c.Subscribe(ctx, ch, transport.SubscribeOptions{})
	if err != nil {
		b.Fatal(err)
	}

	cl, msgs := pahoClient(b, br, "bench-direct")
	if _, err := cl.Subscribe(ctx, &paho5.Subscribe{Subscriptions: []paho5.SubscribeOptions{{Topic: "bench/direct", QoS: 1, RetainHandling: 2}}}); err != nil {
		b.Fatal(err)
	}
	direct := func(ctx context.Context, id string) error {
		p := &paho5.Publish{Topic: "bench/direct", QoS: 1, Payload: []byte(`{"id":"` + id + `"}`),
			Properties: &paho5.PublishProperties{User: paho5.UserProperties{{Key: transporttest.CorrelationHeader, Value: id}}}}
		if _, err := cl.Publish(ctx, p); err != nil {
			return err
		}
		for got := range msgs {
			if got.Properties != nil && got.Properties.User.Get(transporttest.CorrelationHeader) == id {
				return nil
			}
		}
		return nil
	}
	transporttest.BenchRoundTrip(b, c, ch, sub, direct)
}

// BenchmarkEngineRoundTrip compares an Engine.Run of a two-step Arazzo 1.1
// workflow (send with user property corr, then the correlated receive on the
// same topic, MQTT 5) with the same work on paho.golang alone. A run
// subscribes when the workflow starts and unsubscribes when it ends, on a
// connection the Engine made once; so the library side does per round trip
// SUBSCRIBE (wait for SUBACK), a QoS 1 publish (wait for PUBACK), the wait
// for the correlated message, and UNSUBSCRIBE (wait for UNSUBACK).
func BenchmarkEngineRoundTrip(b *testing.B) {
	br := brokertest.Mosquitto(b, brokertest.Options{})
	engine := enginebench.Engine(b, enginebench.Config{Driver: mqtt.Driver{}, Broker: br, Address: "bench/engine", ProtocolVersion: "5"})

	cl, msgs := pahoClient(b, br, "bench-engine-direct")
	direct := func(ctx context.Context, id string) error {
		if _, err := cl.Subscribe(ctx, &paho5.Subscribe{Subscriptions: []paho5.SubscribeOptions{{Topic: "bench/direct", QoS: 1, RetainHandling: 2}}}); err != nil {
			return err
		}
		p := &paho5.Publish{Topic: "bench/direct", QoS: 1, Payload: []byte(`{"id":"` + id + `"}`),
			Properties: &paho5.PublishProperties{User: paho5.UserProperties{{Key: transporttest.CorrelationHeader, Value: id}}}}
		if _, err := cl.Publish(ctx, p); err != nil {
			return err
		}
		for got := range msgs {
			if got.Properties != nil && got.Properties.User.Get(transporttest.CorrelationHeader) == id {
				break
			}
		}
		_, err := cl.Unsubscribe(ctx, &paho5.Unsubscribe{Topics: []string{"bench/direct"}})
		return err
	}
	transporttest.BenchCompare(b, "engine", engine, "direct", direct)
}

// pahoClient connects an MQTT 5 client of paho.golang alone to br
// (disconnected when b ends); msgs receives what it is delivered.
func pahoClient(b *testing.B, br *brokertest.Broker, id string) (*paho5.Client, chan *paho5.Publish) {
	b.Helper()
	nc, err := net.Dial("tcp", br.Addr())
	if err != nil {
		b.Fatal(err)
	}
	msgs := make(chan *paho5.Publish, 1024)
	cl := paho5.NewClient(paho5.ClientConfig{
		ClientID: id,
		Conn:     packets.NewThreadSafeConn(nc),
		OnPublishReceived: []func(paho5.PublishReceived) (bool, error){func(pr paho5.PublishReceived) (bool, error) {
			msgs <- pr.Packet
			return true, nil
		}},
	})
	if _, err := cl.Connect(context.Background(), &paho5.Connect{ClientID: id, CleanStart: true, KeepAlive: 30}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cl.Disconnect(&paho5.Disconnect{}) })
	return cl, msgs
}
