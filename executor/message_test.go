package executor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/amqp"
	"github.com/telaio/telaio/transport/kafka"
	"github.com/telaio/telaio/transport/mqtt"
	"github.com/telaio/telaio/transport/nats"
)

var rabbit brokertest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	rabbit.Stop()
	os.Exit(code)
}

// protocol is one broker the message tests run on.
type protocol struct {
	name   string
	driver transport.Driver
	start  func(t testing.TB) *brokertest.Broker
}

var protocols = []protocol{
	{"nats", nats.Driver{}, func(t testing.TB) *brokertest.Broker {
		return brokertest.NATS(t, brokertest.Options{Username: "orders", Password: "n4ts-s3cret-pass"})
	}},
	{"kafka", kafka.Driver{}, func(t testing.TB) *brokertest.Broker {
		return brokertest.Kafka(t, brokertest.Options{Username: "orders", Password: "k4fka-s3cret-pass", Mechanism: "scram-sha-256"})
	}},
	{"mqtt", mqtt.Driver{}, func(t testing.TB) *brokertest.Broker {
		return brokertest.Mosquitto(t, brokertest.Options{Username: "orders", Password: "mqtt-s3cret-pass"})
	}},
	{"amqp", amqp.Driver{}, func(t testing.TB) *brokertest.Broker {
		b := rabbit.RabbitMQ(t)
		declareExchange(t, b)
		return b
	}},
}

// declareExchange makes the exchange the AMQP bindings of the test
// description name: exchanges belong to the application, the driver never
// declares one.
func declareExchange(t testing.TB, b *brokertest.Broker) {
	t.Helper()
	u := *b.URL
	u.User = url.UserPassword(b.Credentials.Username, b.Credentials.Password)
	conn, err := amqp091.Dial(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclare("telaio.orders", "topic", false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
}

// brokerAuth gives a broker's credentials for the security scheme of its
// server in the test description.
func brokerAuth(p protocol, b *brokertest.Broker) executor.Option {
	scheme := "user"
	if p.name == "kafka" {
		scheme = "sasl"
	}
	return executor.WithAuth(scheme, b.Credentials.Username+":"+b.Credentials.Password)
}

// replied records when the responder published the reply of each order.
var replied sync.Map // order id -> time.Time

// responder plays the order service: for each order placed it confirms on
// orders.confirmed with the order's id in the orderId header, at once;
// "late-" orders 1.2 s later, "bad-" orders with a status the schema
// refuses.
func responder(t testing.TB, p protocol, b *brokertest.Broker) {
	t.Helper()
	srv := b.Server()
	if p.name == "mqtt" {
		srv.ProtocolVersion = "5"
	}
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := p.driver.Dial(ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	bind := map[string]any{}
	if p.name == "amqp" {
		bind = map[string]any{"is": "routingKey", "exchange": map[string]any{"name": "telaio.orders", "type": "topic"}}
	}
	sub, err := conn.Subscribe(ctx, transport.Channel{Address: "orders.placed", Bindings: bind}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			d, err := sub.Next(ctx)
			if err != nil {
				return
			}
			id := d.Headers["orderId"]
			status := "confirmed"
			delay := time.Duration(0)
			switch {
			case strings.HasPrefix(id, "late-"):
				delay = 1200 * time.Millisecond
			case strings.HasPrefix(id, "bad-"):
				status = "weird"
			}
			reply := func() {
				body, _ := json.Marshal(map[string]any{"orderId": id, "status": status})
				m := &transport.Message{Channel: transport.Channel{Address: "orders.confirmed", Bindings: bind},
					Headers: map[string]string{"orderId": id}, Payload: body, ContentType: "application/json"}
				if _, err := conn.Publish(ctx, m); err != nil && ctx.Err() == nil {
					t.Errorf("responder: %v", err)
				}
				replied.Store(p.name+"/"+id, time.Now())
			}
			if delay > 0 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					select {
					case <-time.After(delay):
						reply()
					case <-ctx.Done():
					}
				}()
				continue
			}
			reply()
		}
	}()
	t.Cleanup(func() {
		cancel()
		sub.Close()
		wg.Wait()
		conn.Close()
	})
}

// auditServer is the HTTP step between the send and the receive: it takes
// 150 ms, time enough for the confirmation to arrive before the receive
// step is reached.
func auditServer(t testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func ordersEngine(t testing.TB, p protocol, b *brokertest.Broker, opts ...executor.Option) *executor.Engine {
	t.Helper()
	doc, ds := arazzo.Load(context.Background(), "testdata/async/orders.arazzo.yaml")
	if doc != nil {
		ds = append(ds, arazzo.Validate(doc)...)
	}
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	e, err := executor.New(doc, append([]executor.Option{executor.Validated(), executor.WithTransport(p.driver),
		executor.WithServer("orders", b.URL.String()), brokerAuth(p, b), executor.WithServer("audit", auditServer(t))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestMessageSteps runs, on each protocol's real broker, a workflow that
// sends an order, calls an HTTP API, then receives the correlated
// confirmation (issue 17's acceptance list).
func TestMessageSteps(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			b := p.start(t)
			responder(t, p, b)
			e := ordersEngine(t, p, b)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			t.Run("send then correlated receive", func(t *testing.T) {
				// The confirmation is published during the 150 ms HTTP step,
				// before the receive step starts, and the subscription armed at
				// the start of the workflow keeps it. On a loaded machine the
				// responder may answer after the receive step started, which
				// proves nothing: then the run is tried again, up to 3 times.
				for try := range 3 {
					id := fmt.Sprintf("o-1-%d", try)
					var receiveStart time.Time
					obs := executor.ObserverFunc(func(ev executor.Event) {
						if ev.Kind == executor.StepStarted && ev.StepID == "confirm" {
							receiveStart = time.Now()
						}
					})
					res, err := e.Run(ctx, "order", map[string]any{"orderId": id, "qty": 2}, executor.RunWithObserver(obs))
					if err != nil {
						t.Fatal(err)
					}
					if res.Outputs["status"] != "confirmed" || res.Outputs["orderId"] != id {
						t.Errorf("outputs %v", res.Outputs)
					}
					place, confirm := res.Steps[0], res.Steps[2]
					if place.Direction != "send" || len(place.Messages) != 1 || place.Messages[0].Channel != "orders.placed" {
						t.Errorf("send trace %+v", place)
					}
					if confirm.Direction != "receive" || len(confirm.Messages) != 1 || confirm.Channel != "orders.confirmed" {
						t.Fatalf("receive trace %+v", confirm)
					}
					at, ok := replied.Load(p.name + "/" + id)
					if !ok {
						t.Fatalf("no reply recorded for %s", id)
					}
					if at.(time.Time).Before(receiveStart) {
						return
					}
					t.Logf("try %d: the reply was published at %v, after the receive step started at %v", try, at, receiveStart)
				}
				t.Error("the responder never answered before the receive step started: early arming is not shown")
			})

			t.Run("concurrent runs get their own reply", func(t *testing.T) {
				var wg sync.WaitGroup
				for i := range 6 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						id := fmt.Sprintf("c-%d", i)
						res, err := e.Run(ctx, "order", map[string]any{"orderId": id, "qty": 1})
						if err != nil {
							t.Errorf("%s: %v", id, err)
							return
						}
						if res.Outputs["orderId"] != id {
							t.Errorf("%s got the reply of %v", id, res.Outputs["orderId"])
						}
					}()
				}
				wg.Wait()
			})

			t.Run("timeout then a retry that succeeds", func(t *testing.T) {
				res, err := e.Run(ctx, "order", map[string]any{"orderId": "late-1", "qty": 1})
				if err != nil {
					t.Fatal(err)
				}
				confirm := res.Steps[2]
				if confirm.Attempts < 2 || !strings.Contains(confirm.Messages[0].Error, "within") {
					t.Errorf("attempts %d, first wait %+v", confirm.Attempts, confirm.Messages[0])
				}
			})

			t.Run("a message breaking its schema", func(t *testing.T) {
				res, err := e.Run(ctx, "order", map[string]any{"orderId": "bad-1", "qty": 1})
				var se *executor.StepError
				if !errors.As(err, &se) || se.StepID != "confirm" {
					t.Fatalf("err = %v", err)
				}
				found := false
				for _, v := range res.Steps[len(res.Steps)-1].Violations {
					found = found || v.Check == executor.CheckMessagePayload && v.InstancePath == "/status"
				}
				if !found {
					t.Errorf("violations %+v", res.Steps[len(res.Steps)-1].Violations)
				}
			})

			t.Run("credentials masked", func(t *testing.T) {
				res, err := e.Run(ctx, "order", map[string]any{"orderId": "m-1", "qty": 1})
				trace, _ := json.Marshal(res)
				text := string(trace) + fmt.Sprint(err)
				if strings.Contains(text, b.Credentials.Password) {
					t.Errorf("the broker password shows: %s", text)
				}
				// A wrong password: refused, and the error does not show it.
				scheme := "user"
				if p.name == "kafka" {
					scheme = "sasl"
				}
				doc, _ := arazzo.Load(context.Background(), "testdata/async/orders.arazzo.yaml")
				bad, err := executor.New(doc, executor.WithTransport(p.driver), executor.WithServer("orders", b.URL.String()),
					executor.WithAuth(scheme, b.Credentials.Username+":wr0ng-pass-word"), executor.WithServer("audit", auditServer(t)))
				if err != nil {
					t.Fatal(err)
				}
				defer bad.Close()
				res, err = bad.Run(ctx, "order", map[string]any{"orderId": "m-2", "qty": 1})
				trace, _ = json.Marshal(res)
				if err == nil || strings.Contains(string(trace)+err.Error(), "wr0ng-pass-word") {
					t.Errorf("a wrong password: %v\n%s", err, trace)
				}
			})
		})
	}
}
