package asyncmock_test

import (
	"context"
	"github.com/telaio/telaio/internal/testproc"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/asyncmock"
	"github.com/telaio/telaio/transport/nats"
)

// petOrder26 is the pet order example written in AsyncAPI 2.6, plus a
// channel whose request and reply are both described on it (core NATS
// request/reply), one with no reply at all, and one whose reply could be
// on either of two channels.
const petOrder26 = `asyncapi: 2.6.0
info: {title: Pet orders, version: "1"}
servers:
  local: {url: "localhost:4222", protocol: nats}
channels:
  place-order:
    publish:
      operationId: placeOrder
      message: {$ref: '#/components/messages/OrderRequest'}
  confirm-order:
    subscribe:
      operationId: confirmOrder
      message: {$ref: '#/components/messages/OrderResponse'}
  greet:
    publish:
      operationId: greet
      message: {payload: {type: object, required: [name], properties: {name: {type: string}}}}
    subscribe:
      operationId: greeting
      message: {payload: {type: object, required: [hello], properties: {hello: {type: string, enum: [world]}}}}
  audit:
    publish:
      operationId: audit
      message:
        correlationId: {location: '$message.payload#/auditId'}
        payload: {type: object}
  audit.a:
    subscribe:
      message:
        correlationId: {location: '$message.payload#/auditId'}
        payload: {type: object}
  audit.b:
    subscribe:
      message:
        correlationId: {location: '$message.payload#/auditId'}
        payload: {type: object}
  lonely:
    publish:
      message: {payload: {type: string}}
components:
  messages:
    OrderRequest:
      contentType: application/json
      correlationId: {location: '$message.header#/orderRequestId'}
      headers:
        type: object
        required: [orderRequestId]
        properties: {orderRequestId: {type: string}}
      payload: {type: object, required: [petId], properties: {petId: {type: integer}}}
    OrderResponse:
      contentType: application/json
      correlationId: {location: '$message.header#/orderRequestId'}
      headers:
        type: object
        required: [orderRequestId]
        properties: {orderRequestId: {type: string}}
      payload:
        type: object
        required: [orderId, status]
        properties:
          orderId: {type: integer, minimum: 1}
          status: {type: string, enum: [placed]}
`

func load26(t testing.TB) *asyncapi.Document {
	t.Helper()
	d, err := asyncapi.Load([]byte(petOrder26), "pet-order-26.asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestV2_Routes(t *testing.T) {
	b := start(t, []*asyncapi.Document{load26(t)})
	var got []string
	for _, r := range b.Routes() {
		s := r.Operation + " " + r.Subject + " -> " + r.Reply
		if r.Err != nil {
			s += " ! " + r.Err.Error()
		}
		got = append(got, s)
	}
	want := []string{
		"placeOrder place-order -> $message.header#/reply_to, confirm-order",
		"greet greet -> $message.header#/reply_to",
		"audit audit ->  ! asyncmock: operation not answered: AsyncAPI 2.x: several channels may carry the reply ([\"audit.a\" \"audit.b\"]), and the operation's channel has no subscribe operation",
		"/channels/lonely/publish lonely ->  ! asyncmock: operation not answered: AsyncAPI 2.x: no subscribe operation describes a reply (none on the operation's channel, none elsewhere with the request's correlationId location)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A 2.x publish operation is paired with the one subscribe operation
// elsewhere whose message has the same correlationId location: the
// workflow's send and receive steps of the pet order example work with a
// 2.6 description too.
func TestV2_ReplyOnThePairedChannel(t *testing.T) {
	d := load26(t)
	b := start(t, []*asyncapi.Document{d})
	conn := dial(t, b)
	rep := exchange(t, conn, "confirm-order", byHeader("orderRequestId", "o-26"),
		msg("place-order", map[string]string{"orderRequestId": "o-26"}, `{"petId":3}`))
	op, _ := d.OperationByID("confirmOrder")
	m := op.Messages[0]
	validate(t, d, m.PayloadPointer, decode(t, rep.Payload))
	validate(t, d, m.HeadersPointer, headerObject(rep.Headers))
}

// Core NATS request/reply: the reply goes to the request's reply subject,
// on a 2.x channel that describes both the request (publish) and the
// reply (subscribe), and on a paired channel too (the reply subject wins).
func TestV2_ReplyToTheNATSReplySubject(t *testing.T) {
	d := load26(t)
	b := start(t, []*asyncapi.Document{d})
	nc, err := natsgo.Connect(b.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rep, err := nc.Request("greet", []byte(`{"name":"ada"}`), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if string(rep.Data) != `{"hello":"world"}` {
		t.Errorf("greet reply %s", rep.Data)
	}
	req := natsgo.NewMsg("place-order")
	req.Header.Set("orderRequestId", "o-1")
	req.Data = []byte(`{"petId":1}`)
	rep, err = nc.RequestMsg(req, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Header.Get("orderRequestId") != "o-1" {
		t.Errorf("place-order reply headers %v", rep.Header)
	}
}

// Without a reply subject, a request on a channel whose reply is
// described on the same channel is not answered: replying there would
// reach every requester.
func TestV2_SameChannelReplyNeedsAReplySubject(t *testing.T) {
	log := &testproc.Buffer{}
	b := start(t, []*asyncapi.Document{load26(t)}, asyncmock.WithRequestLog(log))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn := dial(t, b)
	if _, err := conn.Publish(ctx, msg("greet", nil, `{"name":"ada"}`)); err != nil {
		t.Fatal(err)
	}
	// The log line is written before any later request is handled: a
	// request/reply round trip after it orders the two.
	rep := exchange(t, conn, "_INBOX.v2", nil, msg("greet", map[string]string{nats.HeaderReplyTo: "_INBOX.v2"}, `{"name":"bob"}`))
	if string(rep.Payload) != `{"hello":"world"}` {
		t.Errorf("reply %s", rep.Payload)
	}
	if !strings.Contains(log.String(), "DROP greet greet: no reply address at $message.header#/reply_to\n") {
		t.Errorf("log:\n%s", log)
	}
}
