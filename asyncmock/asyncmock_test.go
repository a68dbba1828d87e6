package asyncmock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/telaio/telaio/internal/testproc"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/asyncmock"
	"github.com/telaio/telaio/schema"
	"github.com/telaio/telaio/specs"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/nats"
)

// Every test stops what it starts: the embedded server, the responder's
// connection and the requesters' connections leave no goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// shop exercises the reply rules: correlation in the payload, a reply
// address taken from the request, channel parameters, a correlation value
// that changes type, and NATS's own reply subject.
const shop = `asyncapi: 3.0.0
info: {title: Shop, version: "1"}
channels:
  pay:
    address: payments.request
    messages:
      req: {$ref: '#/components/messages/PayReq'}
  paid:
    address: payments.done
    messages:
      res: {$ref: '#/components/messages/PayRes'}
  lookup:
    address: lookup.request
    messages:
      req: {$ref: '#/components/messages/LookupReq'}
  lookupReply:
    address: null
    messages:
      res: {$ref: '#/components/messages/LookupRes'}
  orders:
    address: shop.{region}.orders.{orderId}
    parameters:
      region: {enum: [eu, us]}
      orderId: {}
    messages:
      req: {$ref: '#/components/messages/OrderReq'}
  confirmations:
    address: shop.{region}.confirmed
    parameters:
      region: {enum: [eu, us]}
    messages:
      res: {$ref: '#/components/messages/OrderRes'}
  count:
    address: count
    messages:
      req: {$ref: '#/components/messages/CountReq'}
  counted:
    address: counted
    messages:
      res: {$ref: '#/components/messages/CountRes'}
  ping:
    address: ping
    messages:
      req: {$ref: '#/components/messages/Ping'}
  pong:
    address: null
    messages:
      res: {$ref: '#/components/messages/Pong'}
operations:
  pay:
    action: receive
    channel: {$ref: '#/channels/pay'}
    reply:
      channel: {$ref: '#/channels/paid'}
  lookup:
    action: receive
    channel: {$ref: '#/channels/lookup'}
    reply:
      address: {location: '$message.header#/replyTo'}
      channel: {$ref: '#/channels/lookupReply'}
  order:
    action: receive
    channel: {$ref: '#/channels/orders'}
    reply:
      channel: {$ref: '#/channels/confirmations'}
  count:
    action: receive
    channel: {$ref: '#/channels/count'}
    reply:
      channel: {$ref: '#/channels/counted'}
  ping:
    action: receive
    channel: {$ref: '#/channels/ping'}
    reply:
      address: {location: '$message.header#/reply_to'}
      channel: {$ref: '#/channels/pong'}
  notify:
    action: send
    channel: {$ref: '#/channels/paid'}
components:
  messages:
    PayReq:
      correlationId: {location: '$message.payload#/paymentId'}
      payload:
        type: object
        required: [paymentId, amount]
        properties:
          paymentId: {type: string}
          amount: {type: number, exclusiveMinimum: 0}
    PayRes:
      correlationId: {location: '$message.payload#/payment/id'}
      payload:
        type: object
        required: [payment, status]
        properties:
          payment:
            type: object
            required: [id]
            properties:
              id: {type: string}
          status: {type: string, enum: [ok]}
    LookupReq:
      correlationId: {location: '$message.header#/lookupId'}
      headers:
        type: object
        required: [lookupId, replyTo]
        properties:
          lookupId: {type: string}
          replyTo: {type: string}
      payload: {type: object, properties: {q: {type: string}}}
    LookupRes:
      correlationId: {location: '$message.header#/lookupId'}
      headers:
        type: object
        required: [lookupId, hits]
        properties:
          lookupId: {type: string}
          hits: {type: integer, minimum: 0, maximum: 9}
      payload:
        type: array
        minItems: 1
        items: {type: string, format: uuid}
    OrderReq:
      correlationId: {location: '$message.header#/orderId'}
      headers: {type: object, required: [orderId], properties: {orderId: {type: string}}}
      payload: {type: object}
    OrderRes:
      correlationId: {location: '$message.header#/orderId'}
      headers: {type: object, required: [orderId], properties: {orderId: {type: string}}}
      payload: {type: object, required: [total], properties: {total: {type: number, minimum: 1}}}
    CountReq:
      correlationId: {location: '$message.header#/seq'}
      headers: {type: object, properties: {seq: {type: integer}}}
    CountRes:
      correlationId: {location: '$message.payload#/seq'}
      payload: {type: object, required: [seq, n], properties: {seq: {type: integer}, n: {type: integer}}}
    Ping:
      correlationId: {location: '$message.header#/id'}
      payload: {type: string}
    Pong:
      contentType: text/plain
      payload: {type: string, enum: [pong]}
`

func load(t testing.TB, src, name string) *asyncapi.Document {
	t.Helper()
	d, err := asyncapi.Load([]byte(src), name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func petOrder(t testing.TB) *asyncapi.Document {
	t.Helper()
	src, err := fs.ReadFile(specs.FS, specs.PetOrderAsyncAPI)
	if err != nil {
		t.Fatal(err)
	}
	return load(t, string(src), specs.PetOrderAsyncAPI)
}

func start(t testing.TB, docs []*asyncapi.Document, opts ...asyncmock.Option) *asyncmock.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := asyncmock.Start(ctx, docs, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func dial(t testing.TB, b *asyncmock.Server) transport.Conn {
	t.Helper()
	u, err := url.Parse(b.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := nats.Driver{}.Dial(ctx, transport.Server{Protocol: "nats", URL: u})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// exchange arms a subscription on replyAddr, publishes the request and
// returns the first delivery filter accepts.
func exchange(t testing.TB, conn transport.Conn, replyAddr string, filter func(*transport.Delivery) bool, req *transport.Message) *transport.Delivery {
	t.Helper()
	ctx := ctxT(t)
	sub, err := conn.Subscribe(ctx, transport.Channel{Address: replyAddr}, transport.SubscribeOptions{Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := conn.Publish(ctx, req); err != nil {
		t.Fatal(err)
	}
	d, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func decode(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("reply payload %q: %v", b, err)
	}
	return v
}

func validate(t testing.TB, d *asyncapi.Document, ptr string, v any) {
	t.Helper()
	s, err := schema.Compile(d.Raw, ptr)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%v does not validate against %s: %v", v, ptr, err)
	}
}

func headerObject(h map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range h {
		out[k] = v
	}
	return out
}

func msg(addr string, headers map[string]string, payload string) *transport.Message {
	return &transport.Message{Channel: transport.Channel{Address: addr}, Headers: headers, Payload: []byte(payload)}
}

func byHeader(name, value string) func(*transport.Delivery) bool {
	return func(d *transport.Delivery) bool { return d.Headers[name] == value }
}

// The bundled example, as `telaio run --mock` runs it: the workflow sends
// an order with its orderRequestId header and receives the confirmation
// carrying the same header, valid against the reply message's schemas.
func TestPetOrder_CorrelatedReplyInHeaders(t *testing.T) {
	d := petOrder(t)
	b := start(t, []*asyncapi.Document{d})
	conn := dial(t, b)
	rep := exchange(t, conn, "confirm-order", byHeader("orderRequestId", "order-42"),
		msg("place-order", map[string]string{"orderRequestId": "order-42"}, `{"petId":7,"quantity":1}`))
	if rep.Channel.Address != "confirm-order" {
		t.Errorf("reply on %q", rep.Channel.Address)
	}
	op, _ := d.OperationByID("placeOrder")
	m := op.Reply.Messages[0]
	payload := decode(t, rep.Payload)
	validate(t, d, m.PayloadPointer, payload)
	validate(t, d, m.HeadersPointer, headerObject(rep.Headers))
	if got, ok := m.CorrelationID.Location.Eval(rep.Headers, payload); !ok || got != "order-42" {
		t.Errorf("correlation value %v, %v", got, ok)
	}
}

func TestReply_CorrelationInPayload(t *testing.T) {
	d := load(t, shop, "shop.asyncapi.yaml")
	b := start(t, []*asyncapi.Document{d})
	conn := dial(t, b)
	rep := exchange(t, conn, "payments.done", nil, msg("payments.request", nil, `{"paymentId":"p-9","amount":12.5}`))
	v := decode(t, rep.Payload)
	op, _ := d.OperationByID("pay")
	validate(t, d, op.Reply.Messages[0].PayloadPointer, v)
	if id, _ := v.(map[string]any)["payment"].(map[string]any)["id"]; id != "p-9" {
		t.Errorf("payment.id = %v in %s", id, rep.Payload)
	}
}

func TestReply_CorrelationValueTakesTheReplySchemaType(t *testing.T) {
	d := load(t, shop, "shop.asyncapi.yaml")
	b := start(t, []*asyncapi.Document{d})
	conn := dial(t, b)
	rep := exchange(t, conn, "counted", nil, msg("count", map[string]string{"seq": "42"}, ``))
	v := decode(t, rep.Payload).(map[string]any)
	if v["seq"] != 42.0 {
		t.Errorf("seq = %#v, want the number 42", v["seq"])
	}
}

func TestReply_AddressFromRequestHeader(t *testing.T) {
	d := load(t, shop, "shop.asyncapi.yaml")
	b := start(t, []*asyncapi.Document{d})
	conn := dial(t, b)
	rep := exchange(t, conn, "inbox.alice.7", nil,
		msg("lookup.request", map[string]string{"lookupId": "L1", "replyTo": "inbox.alice.7"}, `{"q":"cats"}`))
	if rep.Channel.Address != "inbox.alice.7" || rep.Headers["lookupId"] != "L1" {
		t.Fatalf("reply on %q with headers %v", rep.Channel.Address, rep.Headers)
	}
	op, _ := d.OperationByID("lookup")
	m := op.Reply.Messages[0]
	validate(t, d, m.PayloadPointer, decode(t, rep.Payload))
	// hits is an integer header: its text is valid JSON for the schema.
	h := headerObject(rep.Headers)
	h["hits"] = decode(t, []byte(rep.Headers["hits"]))
	validate(t, d, m.HeadersPointer, h)
}

func TestReply_AddressFromNATSReplySubject(t *testing.T) {
	d := load(t, shop, "shop.asyncapi.yaml")
	b := start(t, []*asyncapi.Document{d})
	conn := dial(t, b)
	rep := exchange(t, conn, "_INBOX.t1", nil,
		msg("ping", map[string]string{nats.HeaderReplyTo: "_INBOX.t1", "id": "x"}, `"hello"`))
	// A text/plain reply whose payload is a string is sent as it is.
	if rep.Channel.Address != "_INBOX.t1" || string(rep.Payload) != "pong" {
		t.Fatalf("reply on %q: %q", rep.Channel.Address, rep.Payload)
	}
}

func TestReply_ChannelParameters(t *testing.T) {
	d := load(t, shop, "shop.asyncapi.yaml")
	log := &testproc.Buffer{}
	b := start(t, []*asyncapi.Document{d}, asyncmock.WithRequestLog(log))
	conn := dial(t, b)
	for _, region := range []string{"eu", "us"} {
		rep := exchange(t, conn, "shop."+region+".confirmed", nil,
			msg("shop."+region+".orders.o-1", map[string]string{"orderId": "o-1"}, `{}`))
		if rep.Headers["orderId"] != "o-1" {
			t.Errorf("%s: headers %v", region, rep.Headers)
		}
	}
	// A region outside the parameter's enum is not answered: the next
	// (valid) request's reply is the first to arrive, as replies come in
	// order.
	ctx := ctxT(t)
	sub, err := conn.Subscribe(ctx, transport.Channel{Address: "shop.*.confirmed"}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for _, m := range []*transport.Message{
		msg("shop.mars.orders.o-2", map[string]string{"orderId": "o-2"}, `{}`),
		msg("shop.eu.orders.o-3", map[string]string{"orderId": "o-3"}, `{}`),
	} {
		if _, err := conn.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Headers["orderId"] != "o-3" {
		t.Errorf("first reply for %v", rep.Headers)
	}
	if !strings.Contains(log.String(), "DROP shop.mars.orders.o-2 order: channel parameter region: not one of the allowed values") {
		t.Errorf("log:\n%s", log)
	}
}

func TestReply_MissingCorrelationValueIsLoggedAndNotAnswered(t *testing.T) {
	d := petOrder(t)
	log := &testproc.Buffer{}
	b := start(t, []*asyncapi.Document{d}, asyncmock.WithRequestLog(log))
	conn := dial(t, b)
	ctx := ctxT(t)
	sub, err := conn.Subscribe(ctx, transport.Channel{Address: "confirm-order"}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// Without its orderRequestId header (which the request's headers
	// schema requires), then a valid order: the first reply is the second
	// order's. TestReply_MissingCorrelationValueInValidRequest has a
	// request valid without it.
	for _, m := range []*transport.Message{
		msg("place-order", map[string]string{"other": "1"}, `{"petId":1}`),
		msg("place-order", map[string]string{"orderRequestId": "ok"}, `{"petId":1}`),
	} {
		if _, err := conn.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Headers["orderRequestId"] != "ok" {
		t.Fatalf("first reply: %v", rep.Headers)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "RECV place-order placeOrder ") ||
		lines[1] != `DROP place-order placeOrder: message placeOrder.message: headers: /: missing required property "orderRequestId"` ||
		!strings.HasPrefix(lines[3], "SEND confirm-order placeOrder ") {
		t.Errorf("log:\n%s", log)
	}
}

// The correlation header is not required by the request's schema here:
// the request is valid, and only the missing correlation value keeps it
// from being answered.
func TestReply_MissingCorrelationValueInValidRequest(t *testing.T) {
	d := load(t, shop, "shop.asyncapi.yaml")
	log := &testproc.Buffer{}
	b := start(t, []*asyncapi.Document{d}, asyncmock.WithRequestLog(log))
	conn := dial(t, b)
	ctx := ctxT(t)
	sub, err := conn.Subscribe(ctx, transport.Channel{Address: "counted"}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for _, m := range []*transport.Message{msg("count", nil, ``), msg("count", map[string]string{"seq": "2"}, ``)} {
		if _, err := conn.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := decode(t, rep.Payload).(map[string]any)["seq"]; v != 2.0 {
		t.Fatalf("first reply for seq %v", v)
	}
	if !strings.Contains(log.String(), "DROP count count: no correlation value at $message.header#/seq\n") {
		t.Errorf("log:\n%s", log)
	}
}

func TestReply_InvalidRequestsAreNotAnswered(t *testing.T) {
	d := load(t, shop, "shop.asyncapi.yaml")
	log := &testproc.Buffer{}
	b := start(t, []*asyncapi.Document{d}, asyncmock.WithRequestLog(log))
	conn := dial(t, b)
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"not JSON", `{"paymentId":`, "DROP payments.request pay: message req: the payload is not JSON: "},
		{"schema", `{"paymentId":"p","amount":0}`, "DROP payments.request pay: message req: payload: /amount: must be > 0"},
		{"no reply address", ``, ""},
	}
	ctx := ctxT(t)
	sub, err := conn.Subscribe(ctx, transport.Channel{Address: "payments.done"}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for _, tc := range tests[:2] {
		if _, err := conn.Publish(ctx, msg("payments.request", nil, tc.payload)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Publish(ctx, msg("payments.request", nil, `{"paymentId":"good","amount":1}`)); err != nil {
		t.Fatal(err)
	}
	rep, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rep.Payload), `"good"`) {
		t.Fatalf("first reply %s", rep.Payload)
	}
	for _, tc := range tests[:2] {
		if !strings.Contains(log.String(), tc.want) {
			t.Errorf("%s: no %q in log:\n%s", tc.name, tc.want, log)
		}
	}
	// The lookup reply address is in the request: without it (and with no
	// reply channel address) nothing is answered.
	sub2, err := conn.Subscribe(ctx, transport.Channel{Address: "inbox.>"}, transport.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub2.Close()
	for _, m := range []*transport.Message{
		msg("lookup.request", map[string]string{"lookupId": "a"}, `{}`),
		msg("lookup.request", map[string]string{"lookupId": "b", "replyTo": "inbox.b"}, `{}`),
	} {
		if _, err := conn.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := sub2.Next(ctx); err != nil || rep.Headers["lookupId"] != "b" {
		t.Fatalf("first lookup reply %v, %v", rep, err)
	}
}

// Two requesters, each with its own reply address and its own correlation
// values, send concurrently: each receives exactly its replies.
func TestReply_ConcurrentRequestersGetTheirOwnReplies(t *testing.T) {
	d := load(t, shop, "shop.asyncapi.yaml")
	b := start(t, []*asyncapi.Document{d})
	const n = 50
	var wg sync.WaitGroup
	for _, who := range []string{"alice", "bob"} {
		conn := dial(t, b)
		wg.Go(func() {
			ctx := ctxT(t)
			inbox := "inbox." + who
			sub, err := conn.Subscribe(ctx, transport.Channel{Address: inbox}, transport.SubscribeOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			defer sub.Close()
			var pub sync.WaitGroup
			for i := range n {
				pub.Go(func() {
					h := map[string]string{"lookupId": fmt.Sprintf("%s-%d", who, i), "replyTo": inbox}
					if _, err := conn.Publish(ctx, msg("lookup.request", h, `{}`)); err != nil {
						t.Error(err)
					}
				})
			}
			pub.Wait()
			seen := map[string]bool{}
			for range n {
				rep, err := sub.Next(ctx)
				if err != nil {
					t.Error(who, err)
					return
				}
				id := rep.Headers["lookupId"]
				if !strings.HasPrefix(id, who+"-") || seen[id] {
					t.Errorf("%s received the reply for %q", who, id)
				}
				seen[id] = true
			}
		})
	}
	wg.Wait()
}

// On one shared reply channel, each requester's filter on its correlation
// value finds its reply and nobody else's.
func TestReply_ConcurrentRequestersOnASharedReplyChannel(t *testing.T) {
	d := petOrder(t)
	b := start(t, []*asyncapi.Document{d})
	var wg sync.WaitGroup
	for i := range 8 {
		conn := dial(t, b)
		id := fmt.Sprintf("order-%d", i)
		wg.Go(func() {
			rep := exchange(t, conn, "confirm-order", byHeader("orderRequestId", id),
				msg("place-order", map[string]string{"orderRequestId": id}, fmt.Sprintf(`{"petId":%d}`, i)))
			if rep.Headers["orderRequestId"] != id {
				t.Errorf("%s got %v", id, rep.Headers)
			}
		})
	}
	wg.Wait()
}

func TestReply_SameRequestSameReply_SeedChangesIt(t *testing.T) {
	d := petOrder(t)
	replies := func(seed int64) []string {
		b := start(t, []*asyncapi.Document{d}, asyncmock.WithSeed(seed))
		conn := dial(t, b)
		var out []string
		for _, id := range []string{"a", "a", "b"} {
			rep := exchange(t, conn, "confirm-order", nil, msg("place-order", map[string]string{"orderRequestId": id}, `{"petId":1}`))
			out = append(out, string(rep.Payload))
		}
		_ = b.Close()
		return out
	}
	s1, s2 := replies(1), replies(2)
	if s1[0] != s1[1] || s1[0] == s1[2] {
		t.Errorf("seed 1: %q", s1)
	}
	if s1[0] == s2[0] && s1[2] == s2[2] {
		t.Errorf("the seed changes nothing: %q %q", s1, s2)
	}
}

func TestRoutes(t *testing.T) {
	const odd = `asyncapi: 3.0.0
info: {title: Odd, version: "1"}
channels:
  unknown:
    address: null
    messages:
      m: {payload: {type: string}}
  avro:
    address: avro.in
    messages:
      m: {payload: {type: string}}
  avroOut:
    address: avro.out
    messages:
      m:
        payload:
          schemaFormat: application/vnd.apache.avro;version=1.9.0
          schema: {type: record, name: R, fields: []}
  spaced:
    address: has space
    messages:
      m: {payload: {type: string}}
operations:
  unknownIn:
    action: receive
    channel: {$ref: '#/channels/unknown'}
    reply: {channel: {$ref: '#/channels/avro'}}
  avroReply:
    action: receive
    channel: {$ref: '#/channels/avro'}
    reply: {channel: {$ref: '#/channels/avroOut'}}
  spaced:
    action: receive
    channel: {$ref: '#/channels/spaced'}
    reply: {channel: {$ref: '#/channels/avro'}}
  noReply:
    action: receive
    channel: {$ref: '#/channels/avro'}
  sends:
    action: send
    channel: {$ref: '#/channels/avro'}
    reply: {channel: {$ref: '#/channels/avro'}}
`
	b := start(t, []*asyncapi.Document{load(t, shop, "shop.asyncapi.yaml"), nil, load(t, odd, "odd.asyncapi.yaml")})
	var got []string
	for _, r := range b.Routes() {
		s := fmt.Sprintf("%s %s %s -> %s", r.Document, r.Operation, r.Subject, r.Reply)
		if r.Err != nil {
			if !errors.Is(r.Err, asyncmock.ErrNotServed) {
				t.Errorf("%s: %v does not wrap ErrNotServed", s, r.Err)
			}
			s += " ! " + r.Err.Error()
		}
		got = append(got, s)
	}
	want := []string{
		"shop.asyncapi.yaml pay payments.request -> payments.done",
		"shop.asyncapi.yaml lookup lookup.request -> $message.header#/replyTo",
		"shop.asyncapi.yaml order shop.*.orders.* -> shop.{region}.confirmed",
		"shop.asyncapi.yaml count count -> counted",
		"shop.asyncapi.yaml ping ping -> $message.header#/reply_to",
		"odd.asyncapi.yaml unknownIn  ->  ! asyncmock: operation not answered: the channel address is unknown (null or absent)",
		`odd.asyncapi.yaml avroReply avro.in -> avro.out ! asyncmock: operation not answered: reply message "m": schemaFormat "application/vnd.apache.avro;version=1.9.0" is not JSON Schema`,
		`odd.asyncapi.yaml spaced  ->  ! asyncmock: operation not answered: address "has space" is not a NATS subject (empty token or white space)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestStart_ContextDoneIsErrStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b, err := asyncmock.Start(ctx, nil)
	if !errors.Is(err, asyncmock.ErrStart) || b != nil {
		t.Fatalf("got %v, %v", b, err)
	}
}

func TestStart_BadPortIsErrStart(t *testing.T) {
	_, err := asyncmock.Start(context.Background(), nil, asyncmock.WithPort(70000))
	if !errors.Is(err, asyncmock.ErrStart) {
		t.Fatalf("got %v", err)
	}
}

func TestServer_ListensOnLoopback(t *testing.T) {
	b := start(t, nil)
	u, err := url.Parse(b.URL())
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "nats" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "4222" {
		t.Errorf("URL %s", b.URL())
	}
}

// The message limit is the server's: a larger request is refused.
func TestLimits_MaxMessageBytes(t *testing.T) {
	b := start(t, []*asyncapi.Document{petOrder(t)}, asyncmock.WithLimits(asyncmock.Limits{MaxMessageBytes: 1024}))
	conn := dial(t, b)
	big := `{"petId":1,"pad":"` + strings.Repeat("x", 2048) + `"}`
	_, err := conn.Publish(ctxT(t), msg("place-order", map[string]string{"orderRequestId": "big"}, big))
	if err == nil {
		t.Fatal("a 2 KiB message went through a 1 KiB limit")
	}
	// The connection is still usable for messages within the limit.
	rep := exchange(t, conn, "confirm-order", nil, msg("place-order", map[string]string{"orderRequestId": "small"}, `{"petId":1}`))
	if rep.Headers["orderRequestId"] != "small" {
		t.Errorf("reply %v", rep.Headers)
	}
}

// Requests over the rate wait for their turn; Close does not wait for it.
func TestLimits_RateAndCloseWhileWaiting(t *testing.T) {
	log := &testproc.Buffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := asyncmock.Start(ctx, []*asyncapi.Document{petOrder(t)},
		asyncmock.WithRequestLog(log), asyncmock.WithLimits(asyncmock.Limits{Rate: 0.001, Burst: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	conn := dial(t, b)
	exchange(t, conn, "confirm-order", nil, msg("place-order", map[string]string{"orderRequestId": "1"}, `{"petId":1}`))
	if _, err := conn.Publish(ctx, msg("place-order", map[string]string{"orderRequestId": "2"}, `{"petId":1}`)); err != nil {
		t.Fatal(err)
	}
	for strings.Count(log.String(), "RECV") < 2 {
		if ctx.Err() != nil {
			t.Fatalf("the second request never arrived:\n%s", log)
		}
		time.Sleep(time.Millisecond)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "SEND"); n != 1 {
		t.Errorf("%d replies within the rate of one:\n%s", n, log)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// After Close the port is free and the broker refuses connections.
func TestClose_StopsTheServer(t *testing.T) {
	b := start(t, []*asyncapi.Document{petOrder(t)})
	u, _ := url.Parse(b.URL())
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if c, err := (nats.Driver{}).Dial(ctx, transport.Server{Protocol: "nats", URL: u}); err == nil {
		c.Close()
		t.Fatal("dialled a closed broker")
	}
	// goleak (TestMain) checks that nothing is left running.
}

func TestClose_NothingLeftRunning(t *testing.T) {
	before := goleak.IgnoreCurrent()
	b := start(t, []*asyncapi.Document{petOrder(t), load(t, shop, "shop.asyncapi.yaml")}, asyncmock.WithRequestLog(&testproc.Buffer{}))
	conn := dial(t, b)
	exchange(t, conn, "confirm-order", nil, msg("place-order", map[string]string{"orderRequestId": "1"}, `{"petId":1}`))
	_ = conn.Close()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, before)
}

func TestRequestLog_Lines(t *testing.T) {
	log := &testproc.Buffer{}
	b := start(t, []*asyncapi.Document{petOrder(t)}, asyncmock.WithRequestLog(log))
	conn := dial(t, b)
	exchange(t, conn, "confirm-order", nil, msg("place-order", map[string]string{"orderRequestId": "1"}, `{"petId":1}`))
	// The SEND line is written once the reply is published: the reply may
	// reach the test first.
	var lines []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		lines = strings.Split(strings.TrimSpace(log.String()), "\n")
		if len(lines) >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if len(lines) != 2 {
		t.Fatalf("log:\n%s", log)
	}
	// RECV <subject> <operation> <bytes>B ; SEND <subject> <operation> <bytes>B <duration>
	var n int
	if _, err := fmt.Sscanf(lines[0], "RECV place-order placeOrder %dB", &n); err != nil || n != len(`{"petId":1}`)+len("orderRequestId1") {
		t.Errorf("line %q: %v (n=%d)", lines[0], err, n)
	}
	f := strings.Fields(lines[1])
	if len(f) != 5 || f[0] != "SEND" || f[1] != "confirm-order" || f[2] != "placeOrder" || !strings.HasSuffix(f[3], "B") {
		t.Errorf("line %q", lines[1])
	}
	if _, err := time.ParseDuration(f[4]); err != nil {
		t.Errorf("line %q: %v", lines[1], err)
	}
}
