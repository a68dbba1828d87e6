package asyncmock

import (
	"log/slog"
	"testing"

	natsgo "github.com/nats-io/nats.go"

	"github.com/telaio/telaio/asyncapi"
)

const fuzzDoc = `asyncapi: 3.0.0
info: {title: Fuzz, version: "1"}
channels:
  in:
    address: in.{region}.{id}
    parameters:
      region: {enum: [eu, us]}
      id: {}
    messages:
      req:
        correlationId: {location: '$message.payload#/meta/id'}
        headers: {type: object, properties: {n: {type: integer}}}
        payload:
          type: object
          required: [meta]
          properties:
            meta: {type: object, properties: {id: {}}}
  out:
    address: out.{region}
    parameters:
      region: {enum: [eu, us]}
    messages:
      res:
        correlationId: {location: '$message.header#/cid'}
        headers: {type: object, properties: {cid: {type: integer}}}
        payload: {type: object, required: [ok], properties: {ok: {type: boolean}}}
operations:
  op:
    action: receive
    channel: {$ref: '#/channels/in'}
    reply:
      address: {location: '$message.header#/to'}
      channel: {$ref: '#/channels/out'}
`

// The responder reads untrusted requests: subjects, headers and payloads
// never make it panic, and every reply it builds goes to a subject it can
// publish to.
func FuzzPrepare(f *testing.F) {
	d, err := asyncapi.Load([]byte(fuzzDoc), "fuzz.asyncapi.yaml")
	if err != nil {
		f.Fatal(err)
	}
	op, _ := d.OperationByID("op")
	cfg := &config{log: slog.New(slog.DiscardHandler), limits: Limits{}.withDefaults()}
	r, route := newResponder(d, op, cfg, &lineWriter{})
	if route.Err != nil {
		f.Fatal(route.Err)
	}
	f.Add("in.eu.1", `{"meta":{"id":7}}`, "n", "3", "")
	f.Add("in.us.x", `{"meta":{"id":"7"}}`, "to", "inbox.a", "")
	f.Add("in.eu.1", `{"meta":{"id":[1,{"a":null}]}}`, "to", "bad subject", "_INBOX.r")
	f.Add("in.mars.1", `{"meta":{}}`, "n", "x", "")
	f.Add("in.eu.1", `[`, "", "", "")
	f.Fuzz(func(t *testing.T, subject, data, hk, hv, reply string) {
		m := &natsgo.Msg{Subject: subject, Data: []byte(data), Reply: reply}
		if hk != "" {
			m.Header = natsgo.Header{hk: []string{hv}}
		}
		out, err := r.prepare(m)
		if err != nil {
			if _, ok := err.(*dropError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if !validPublishSubject(out.Subject) {
			t.Fatalf("reply subject %q", out.Subject)
		}
		if out.Header.Get("cid") == "" {
			t.Fatalf("reply without its correlation header: %v", out.Header)
		}
	})
}
