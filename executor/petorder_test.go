package executor_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/specs"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/kafka"
)

// petService plays the pet service of the specification's AsyncAPI
// example on a real broker: each order on place-order is confirmed on
// confirm-order with the order's orderRequestId header and a new orderId.
func petService(t testing.TB, p protocol, srv transport.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := p.driver.Dial(ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := conn.Subscribe(ctx, transport.Channel{Address: "place-order"}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			d, err := sub.Next(ctx)
			if err != nil {
				return
			}
			body, _ := json.Marshal(map[string]any{"orderId": 100 + next.Add(1)})
			m := &transport.Message{Channel: transport.Channel{Address: "confirm-order"},
				Headers: map[string]string{"orderRequestId": d.Headers["orderRequestId"]}, Payload: body, ContentType: "application/json"}
			if _, err := conn.Publish(ctx, m); err != nil && ctx.Err() == nil {
				t.Errorf("pet service: %v", err)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		sub.Close()
		wg.Wait()
		conn.Close()
	})
}

// TestSpecAsyncExampleOnEachBroker runs the bundled workflow for the
// Arazzo 1.1 specification's AsyncAPI example (pet-asyncapi.yaml as
// published, which declares a Kafka server) on each real broker, the
// source pointed at the broker by WithServer as --server does: the order
// is sent to placeOrder and its reply received on confirm-order.
func TestSpecAsyncExampleOnEachBroker(t *testing.T) {
	starts := map[string]func(t testing.TB) *brokertest.Broker{
		"nats":  func(t testing.TB) *brokertest.Broker { return brokertest.NATS(t, brokertest.Options{}) },
		"kafka": func(t testing.TB) *brokertest.Broker { return brokertest.Kafka(t, brokertest.Options{}) },
		"mqtt":  func(t testing.TB) *brokertest.Broker { return brokertest.Mosquitto(t, brokertest.Options{}) },
		"amqp":  func(t testing.TB) *brokertest.Broker { return rabbit.RabbitMQ(t) },
	}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			b := starts[p.name](t)
			srv := b.Server()
			u := *b.URL
			if b.Credentials.Username != "" {
				u.User = url.UserPassword(b.Credentials.Username, b.Credentials.Password)
			}
			if p.name == "mqtt" {
				// The correlation id is a header: MQTT 5 user properties.
				srv.ProtocolVersion = "5"
				u.RawQuery = "protocolVersion=5"
			}
			petService(t, p, srv)
			doc, ds := arazzo.LoadFS(context.Background(), specs.FS, specs.PetOrderArazzo)
			if doc != nil {
				ds = append(ds, arazzo.Validate(doc)...)
			}
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			e, err := executor.New(doc, executor.Validated(), executor.WithTransport(p.driver), executor.WithServer("petOrders", u.String()))
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := e.Run(ctx, "purchasePet", map[string]any{"orderRequestId": "spec-" + p.name, "petId": 3})
			if err != nil {
				t.Fatalf("%v\n%+v", err, res)
			}
			if id, ok := res.Outputs["orderId"].(float64); !ok || id <= 100 {
				t.Errorf("outputs %v", res.Outputs)
			}
			confirm := res.Steps[len(res.Steps)-1]
			if confirm.Direction != "receive" || confirm.Channel != "confirm-order" || len(confirm.Messages) != 1 ||
				confirm.Messages[0].Headers["orderRequestId"] != "spec-"+p.name {
				t.Errorf("receive trace %+v", confirm)
			}
			if b.Credentials.Password != "" {
				trace, _ := json.Marshal(res)
				if strings.Contains(string(trace), b.Credentials.Password) {
					t.Errorf("the broker password shows in the trace")
				}
			}
		})
	}
}

// TestServerByName: WithServer(source, "@name") picks a server of the
// AsyncAPI description (--server NAME=@serverName); an unknown name is
// refused by New, naming the servers there are.
func TestServerByName(t *testing.T) {
	doc, ds := arazzo.LoadFS(context.Background(), specs.FS, specs.PetOrderArazzo)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	opts := []executor.Option{executor.Validated(), executor.WithTransport(kafka.Driver{})}
	e, err := executor.New(doc, append(opts, executor.WithServer("petOrders", "@localKafka"))...)
	if err != nil {
		t.Fatalf("@localKafka: %v", err)
	}
	e.Close()
	_, err = executor.New(doc, append(opts, executor.WithServer("petOrders", "@localKafak"))...)
	if err == nil || !strings.Contains(err.Error(), "localKafka") {
		t.Fatalf("@localKafak: %v; want an error naming localKafka", err)
	}
}
