package executor_test

import (
	"context"
	"encoding/json"
	"errors"
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

// armHost is a DurableHost that keeps a run's subscriptions between its
// attempts (an Armer), as a worker session does; every request and
// outcome goes through JSON.
type armHost struct {
	e    *executor.Engine
	subs *executor.Subscriptions
	t    testing.TB
	arms []string
}

func (h *armHost) Attempt(ctx context.Context, req *executor.StepRequest) (*executor.StepOutcome, error) {
	o, err := h.e.AttemptWith(ctx, roundTrip(h.t, req), h.subs)
	if err != nil {
		return nil, err
	}
	return roundTrip(h.t, o), nil
}

func (h *armHost) Arm(ctx context.Context, req *executor.ArmRequest) error {
	h.arms = append(h.arms, req.StepID+"@"+req.Address)
	return h.e.Arm(ctx, roundTrip(h.t, req), h.subs)
}

func (*armHost) Sleep(context.Context, time.Duration) error { return nil }
func (*armHost) Now() time.Time                             { return time.Now() }

// plainHost runs each attempt on its own, with no subscription kept.
type plainHost struct{ armHost }

func (h *plainHost) Attempt(ctx context.Context, req *executor.StepRequest) (*executor.StepOutcome, error) {
	return h.e.Attempt(ctx, roundTrip(h.t, req))
}

// TestDurableArmsReceiveSteps: through the durable seam, a host that keeps
// subscriptions (an Armer) gets the receive steps armed as Run arms them:
// the confirmation published during the HTTP step between the send and the
// receive is received, and so is the reply of the specification's pet
// order example, published at once. A host that is not an Armer has each
// receive subscribe when it runs, and misses them.
func TestDurableArmsReceiveSteps(t *testing.T) {
	p := protocols[0] // nats
	b := brokertest.NATS(t, brokertest.Options{Username: "orders", Password: "n4ts-s3cret-pass"})
	responder(t, p, b)
	e := ordersEngine(t, p, b)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	h := &armHost{e: e, subs: e.NewSubscriptions(), t: t}
	defer h.subs.Close()
	res, err := e.RunDurable(ctx, "order", map[string]any{"orderId": "d-1", "qty": 2}, h)
	if err != nil || res.Outputs["status"] != "confirmed" || res.Steps[2].Attempts != 1 {
		t.Fatalf("armed: %v %+v", err, res)
	}
	if want := "confirm@orders.confirmed"; len(h.arms) != 1 || h.arms[0] != want {
		t.Errorf("arms %v, want [%s]", h.arms, want)
	}

	ph := &plainHost{armHost{e: e, t: t}}
	res, err = e.RunDurable(ctx, "order", map[string]any{"orderId": "d-2", "qty": 2}, ph)
	// The step's timeout (800 ms) is how long its receive waits (E12).
	if err == nil || res.Success || !strings.Contains(res.Steps[2].Error, "within 800ms") {
		t.Errorf("not armed: the receive got the message published before it ran: %v %+v", err, res.Steps[2])
	}

	pb := brokertest.NATS(t, brokertest.Options{})
	petService(t, p, pb.Server())
	doc, ds := arazzo.LoadFS(context.Background(), specs.FS, specs.PetOrderArazzo)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pe, err := executor.New(doc, executor.WithTransport(p.driver), executor.WithServer("petOrders", pb.URL.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer pe.Close()
	ph2 := &armHost{e: pe, subs: pe.NewSubscriptions(), t: t}
	defer ph2.subs.Close()
	res, err = pe.RunDurable(ctx, "purchasePet", map[string]any{"orderRequestId": "durable-pet", "petId": 3}, ph2)
	if err != nil {
		t.Fatalf("pet order: %v %+v", err, res)
	}
	if id, ok := res.Outputs["orderId"].(float64); !ok || id <= 100 {
		t.Errorf("pet order outputs %v", res.Outputs)
	}
}

// TestArmErrors: Arm refuses a step that is not a receive step and
// subscriptions of another engine.
func TestArmErrors(t *testing.T) {
	p := protocols[0]
	b := brokertest.NATS(t, brokertest.Options{Username: "orders", Password: "n4ts-s3cret-pass"})
	e := ordersEngine(t, p, b)
	other := ordersEngine(t, p, b)
	ctx := context.Background()
	if err := e.Arm(ctx, &executor.ArmRequest{Workflow: "order", StepID: "place", Address: "x"}, e.NewSubscriptions()); !errors.Is(err, executor.ErrUnknownStep) {
		t.Errorf("a send step: %v", err)
	}
	if err := e.Arm(ctx, &executor.ArmRequest{Workflow: "order", StepID: "confirm", Address: "orders.confirmed"}, other.NewSubscriptions()); err == nil {
		t.Error("another engine's subscriptions are accepted")
	}
	if _, err := e.AttemptWith(ctx, &executor.StepRequest{Workflow: "order", StepID: "confirm"}, other.NewSubscriptions()); err == nil {
		t.Error("AttemptWith accepts another engine's subscriptions")
	}
}
