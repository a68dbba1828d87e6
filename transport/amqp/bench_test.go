package amqp_test

import (
	"context"
	"errors"
	"github.com/telaio/telaio/internal/brokertest"
	"testing"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/amqp"
	"github.com/telaio/telaio/transport/internal/enginebench"
	"github.com/telaio/telaio/transport/transporttest"
)

// BenchmarkRoundTrip compares a confirmed publish + correlated receive
// (exclusive queue bound to amq.topic) through the driver with the same
// round trip on amqp091-go alone.
func BenchmarkRoundTrip(b *testing.B) {
	br := rabbit.RabbitMQ(b)
	ctx := context.Background()
	c, err := amqp.Driver{}.Dial(ctx, br.Server())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ch := topicChannel("bench.driver")
	sub, err := c.Subscribe(ctx, ch, transport.SubscribeOptions{})
	if err != nil {
		b.Fatal(err)
	}

	ac, pub := confirming(b, br)
	cons, err := ac.Channel()
	if err != nil {
		b.Fatal(err)
	}
	q, err := cons.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := cons.QueueBind(q.Name, "bench.direct", "amq.topic", false, nil); err != nil {
		b.Fatal(err)
	}
	deliveries, err := cons.Consume(q.Name, "", true, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	direct := func(ctx context.Context, id string) error {
		dc, err := pub.PublishWithDeferredConfirmWithContext(ctx, "amq.topic", "bench.direct", false, false, amqp091.Publishing{
			Headers: amqp091.Table{transporttest.CorrelationHeader: id}, Body: []byte(`{"id":"` + id + `"}`)})
		if err != nil {
			return err
		}
		if _, err := dc.WaitContext(ctx); err != nil {
			return err
		}
		for d := range deliveries {
			if d.Headers[transporttest.CorrelationHeader] == id {
				return nil
			}
		}
		return nil
	}
	transporttest.BenchRoundTrip(b, c, ch, sub, direct)
}

// BenchmarkEngineRoundTrip compares an Engine.Run of a two-step Arazzo 1.1
// workflow (send with header corr to amq.topic, then the correlated receive
// on the same routing key) with the same work on amqp091-go alone. A run
// arms its receive when the workflow starts and closes it when the run ends,
// on a connection the Engine dialed once; arming an AMQP subscription is a
// channel of its own, an exclusive server-named queue bound to the routing
// key, and a consumer. So the library side does per round trip: open a
// channel, declare and bind the queue, consume, publish with a publisher
// confirm (on a channel kept open, as the driver does), wait for the
// correlated delivery, cancel the consumer and close the channel.
func BenchmarkEngineRoundTrip(b *testing.B) {
	br := rabbit.RabbitMQ(b)
	engine := enginebench.Engine(b, enginebench.Config{Driver: amqp.Driver{}, Broker: br, Address: "bench.engine",
		Bindings: "{is: routingKey, exchange: {name: amq.topic, type: topic}}"})

	ac, pub := confirming(b, br)
	direct := func(ctx context.Context, id string) error {
		cons, err := ac.Channel()
		if err != nil {
			return err
		}
		defer cons.Close()
		q, err := cons.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			return err
		}
		if err := cons.QueueBind(q.Name, "bench.direct", "amq.topic", false, nil); err != nil {
			return err
		}
		deliveries, err := cons.Consume(q.Name, "bench-"+id, true, false, false, false, nil)
		if err != nil {
			return err
		}
		defer cons.Cancel("bench-"+id, false)
		dc, err := pub.PublishWithDeferredConfirmWithContext(ctx, "amq.topic", "bench.direct", false, false, amqp091.Publishing{
			Headers: amqp091.Table{transporttest.CorrelationHeader: id}, Body: []byte(`{"id":"` + id + `"}`)})
		if err != nil {
			return err
		}
		if _, err := dc.WaitContext(ctx); err != nil {
			return err
		}
		for d := range deliveries {
			if d.Headers[transporttest.CorrelationHeader] == id {
				return nil
			}
		}
		return errors.New("the consumer's deliveries closed")
	}
	transporttest.BenchCompare(b, "engine", engine, "direct", direct)
}

// confirming connects to br with amqp091-go alone (closed when b ends) and
// opens a channel in publisher-confirm mode.
func confirming(b *testing.B, br *brokertest.Broker) (*amqp091.Connection, *amqp091.Channel) {
	b.Helper()
	u := *br.URL
	u.User = nil
	ac, err := amqp091.DialConfig(u.String(), amqp091.Config{SASL: []amqp091.Authentication{
		&amqp091.PlainAuth{Username: br.Credentials.Username, Password: br.Credentials.Password}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ac.Close() })
	pub, err := ac.Channel()
	if err != nil {
		b.Fatal(err)
	}
	if err := pub.Confirm(false); err != nil {
		b.Fatal(err)
	}
	return ac, pub
}
