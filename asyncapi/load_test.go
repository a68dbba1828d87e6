package asyncapi_test

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/schema"
)

// load reads a testdata file and fails the test on any error diagnostic.
func load(t *testing.T, name string, opts ...asyncapi.Option) *asyncapi.Document {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := asyncapi.Load(src, name, opts...)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return d
}

// loadString loads an inline document and returns the document and its
// diagnostics.
func loadString(t *testing.T, src string, opts ...asyncapi.Option) (*asyncapi.Document, diag.Diagnostics) {
	t.Helper()
	d, err := asyncapi.Load([]byte(src), "doc.yaml", opts...)
	var ds diag.Diagnostics
	if err != nil && !errors.As(err, &ds) {
		t.Fatalf("Load error is %T, want diag.Diagnostics", err)
	}
	if d != nil {
		if err != nil && len(d.Diagnostics) != len(ds) {
			t.Fatalf("Document.Diagnostics has %d entries, the error %d", len(d.Diagnostics), len(ds))
		}
		ds = d.Diagnostics
	}
	return d, ds
}

func at(r diag.Range) string { return r.String() }

func opByID(t *testing.T, d *asyncapi.Document, id string) *asyncapi.Operation {
	t.Helper()
	op, err := d.OperationByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func chanByKey(t *testing.T, d *asyncapi.Document, key string) *asyncapi.Channel {
	t.Helper()
	for _, c := range d.Channels {
		if c.Key == key {
			return c
		}
	}
	t.Fatalf("no channel %q", key)
	return nil
}

func TestLoad_PetExample(t *testing.T) {
	d := load(t, "testdata/pet-asyncapi.yaml")
	if d.Version != "3.0.0" || d.Major != 3 || d.Title != "Simple Pet Purchase API" || d.APIVersion != "1.0.0" {
		t.Errorf("header: %q %d %q %q", d.Version, d.Major, d.Title, d.APIVersion)
	}
	if len(d.Diagnostics) != 0 {
		t.Errorf("diagnostics: %v", d.Diagnostics)
	}
	if len(d.Servers) != 1 || d.Servers[0].Name != "localKafka" || d.Servers[0].Protocol != "kafka" || d.Servers[0].Host != "localhost:9092" {
		t.Fatalf("servers: %+v", d.Servers)
	}
	if u, err := d.Servers[0].URL(nil); err != nil || u != "kafka://localhost:9092" {
		t.Errorf("URL = %q, %v", u, err)
	}
	op := opByID(t, d, "placeOrder")
	if op.Action != asyncapi.ActionReceive || op.Description != "Place an order" || op.Pointer != "/operations/placeOrder" {
		t.Errorf("operation: %+v", op)
	}
	if got := at(op.Range); got != "testdata/pet-asyncapi.yaml:26:3" {
		t.Errorf("operation range %s", got)
	}
	place := op.Channel
	if place == nil || place.Key != "place-order" || place.Address != "place-order" || place != chanByKey(t, d, "place-order") {
		t.Fatalf("channel: %+v", place)
	}
	if len(op.Messages) != 1 || op.Messages[0] != place.Messages[0] {
		t.Fatalf("operation messages are not the channel's: %+v", op.Messages)
	}
	m := op.Messages[0]
	want := asyncapi.Message{ID: "placeOrder.message", ContentType: "application/json",
		Pointer: "/channels/place-order/messages/placeOrder.message", Target: "/components/messages/OrderRequest",
		HeadersPointer: "/components/messages/OrderRequest/headers", PayloadPointer: "/components/messages/OrderRequest/payload"}
	if m.ID != want.ID || m.ContentType != want.ContentType || m.Pointer != want.Pointer || m.Target != want.Target ||
		m.HeadersPointer != want.HeadersPointer || m.PayloadPointer != want.PayloadPointer || m.SchemaFormat != "" {
		t.Errorf("message = %+v", m)
	}
	if m.CorrelationID == nil || m.CorrelationID.Location.String() != "$message.header#/orderRequestId" ||
		m.CorrelationID.Location.Source != asyncapi.SourceHeader || !slices.Equal(m.CorrelationID.Location.Path, []string{"orderRequestId"}) {
		t.Errorf("correlationId = %+v", m.CorrelationID)
	}
	if got := at(d.Range(m.PayloadPointer)); got != "testdata/pet-asyncapi.yaml:54:7" {
		t.Errorf("payload range %s", got)
	}
	r := op.Reply
	if r == nil || r.Channel == nil || r.Channel.Key != "confirm-order" || r.AddressLocation != nil {
		t.Fatalf("reply = %+v", r)
	}
	if len(r.Messages) != 1 || r.Messages[0] != r.Channel.Messages[0] || r.Messages[0].Target != "/components/messages/OrderResponse" {
		t.Errorf("reply messages = %+v", r.Messages)
	}
	c, err := d.ChannelByPointer("#/channels/confirm-order")
	if err != nil || c != r.Channel {
		t.Errorf("ChannelByPointer = %v, %v", c, err)
	}
	// The caller compiles the schemas from Raw by pointer.
	s, err := schema.Compile(d.Raw, m.PayloadPointer)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(map[string]any{"petId": 7.0}); err != nil {
		t.Error(err)
	}
	if err := s.Validate(map[string]any{"petId": "seven"}); err == nil {
		t.Error("a string petId validated")
	}
}

func TestLoad_V3EveryField(t *testing.T) {
	d := load(t, "testdata/v3-full.yaml")
	if d.ID != "urn:example:orders" || d.DefaultContentType != "application/json" || d.Title != "Orders" || d.APIVersion != "2.1.0" {
		t.Errorf("header: %+v", d)
	}
	if len(d.Diagnostics) != 0 {
		t.Errorf("diagnostics: %v", d.Diagnostics)
	}
	names := []string{}
	for _, s := range d.Servers {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"production", "rabbit", "mosquitto", "nats"}) {
		t.Errorf("servers in document order: %v", names)
	}

	prod := d.Servers[0]
	if prod.Protocol != "kafka" || prod.ProtocolVersion != "3.5" || prod.Host != "{region}.broker.example.com:{port}" || prod.Pathname != "/v1" || prod.Description != "Production cluster" {
		t.Errorf("production = %+v", prod)
	}
	if v := prod.Variables["port"]; v == nil || v.Default != "9092" || !v.HasDefault || !slices.Equal(v.Enum, []string{"9092", "9093"}) || v.Description != "Broker port" {
		t.Errorf("port variable ($ref) = %+v", v)
	}
	if u, err := prod.URL(map[string]string{"region": "us"}); err != nil || u != "kafka://us.broker.example.com:9092/v1" {
		t.Errorf("URL = %q, %v", u, err)
	}
	if len(prod.Security) != 1 || prod.Security[0].Schemes[0] != d.SecuritySchemes[0] || d.SecuritySchemes[0].Name != "sasl" || d.SecuritySchemes[0].Type != "scramSha256" {
		t.Errorf("production security = %+v", prod.Security)
	}
	if prod.Bindings["kafka"].(map[string]any)["schemaRegistryVendor"] != "confluent" || prod.BindingsPointer != "/servers/production/bindings" {
		t.Errorf("kafka server binding = %v at %q", prod.Bindings, prod.BindingsPointer)
	}
	if rabbit := d.Servers[1]; len(rabbit.Security) != 1 || rabbit.Security[0].Schemes[0].Type != "userPassword" || rabbit.Security[0].Schemes[0].Name != "" {
		t.Errorf("inline security scheme = %+v", rabbit.Security)
	}
	if mq := d.Servers[2]; mq.Bindings["mqtt"].(map[string]any)["clientId"] != "telaio" {
		t.Errorf("mqtt server binding = %v", mq.Bindings)
	}
	if nats := d.Servers[3]; nats.Protocol != "nats" || nats.Host != "localhost:4222" || nats.Pointer != "/servers/nats" {
		t.Errorf("$ref server = %+v", nats)
	}

	placed := chanByKey(t, d, "orderPlaced")
	if placed.Address != "orders/{region}/{orderId}/placed" || placed.Title != "Order placed" {
		t.Errorf("channel = %+v", placed)
	}
	if len(placed.Servers) != 2 || placed.Servers[0] != prod || placed.Servers[1] != d.Servers[1] {
		t.Errorf("channel servers = %v", placed.Servers)
	}
	if all := chanByKey(t, d, "dynamicReplies").AvailableServers(); len(all) != 4 {
		t.Errorf("a channel without servers is on all %d servers, got %d", len(d.Servers), len(all))
	}
	if len(placed.Parameters) != 2 {
		t.Fatalf("parameters = %+v", placed.Parameters)
	}
	region, orderID := placed.Parameter("region"), placed.Parameter("orderId")
	if region.Default != "eu" || !region.HasDefault || !slices.Equal(region.Enum, []string{"eu", "us"}) || region.Description != "Region" {
		t.Errorf("region = %+v", region)
	}
	if orderID.HasDefault || orderID.Location == nil || orderID.Location.String() != "$message.payload#/orderId" || orderID.Description != "The order id" {
		t.Errorf("orderId ($ref) = %+v", orderID)
	}
	if k := placed.Bindings["kafka"].(map[string]any); k["topic"] != "orders.placed" {
		t.Errorf("kafka channel binding = %v", k)
	}
	if a := placed.Bindings["amqp"].(map[string]any); a["is"] != "routingKey" || a["exchange"].(map[string]any)["name"] != "orders" {
		t.Errorf("amqp channel binding = %v", a)
	}

	dyn := chanByKey(t, d, "dynamicReplies")
	if dyn.Address != "" {
		t.Errorf("null address = %q, want unknown", dyn.Address)
	}
	if _, err := dyn.ResolveAddress(nil); !errors.Is(err, asyncapi.ErrUnknownAddress) {
		t.Errorf("ResolveAddress of an unknown address: %v", err)
	}
	conf := chanByKey(t, d, "confirmations")
	if conf.Pointer != "/channels/confirmations" || conf.Target != "/components/channels/confirmations" || conf.Address != "orders.confirmations" {
		t.Errorf("$ref channel = %+v", conf)
	}
	if len(conf.Messages) != 1 || conf.Messages[0].Pointer != "/components/channels/confirmations/messages/confirmed" {
		t.Errorf("$ref channel messages = %+v", conf.Messages)
	}

	ops := []string{}
	for _, op := range d.Operations() {
		ops = append(ops, op.ID)
	}
	if !slices.Equal(ops, []string{"placeOrder", "onOrderPlaced", "confirmDynamic"}) {
		t.Errorf("operations in document order: %v", ops)
	}
	place := opByID(t, d, "placeOrder")
	if place.Action != asyncapi.ActionSend || place.Channel != placed {
		t.Errorf("placeOrder = %+v", place)
	}
	// 3.x traits: the operation's own summary wins; the trait adds the rest.
	if place.Summary != "Place an order" || place.Description != "Produces to Kafka" || place.Bindings["kafka"] == nil {
		t.Errorf("operation traits: summary %q description %q bindings %v", place.Summary, place.Description, place.Bindings)
	}
	if place.BindingsPointer != "/operations/placeOrder/bindings" {
		t.Errorf("merged bindings pointer %q", place.BindingsPointer)
	}
	if len(place.Messages) != 1 || place.Messages[0] != placed.Messages[0] {
		t.Errorf("placeOrder messages = %+v", place.Messages)
	}
	if len(place.Security) != 1 || place.Security[0].Schemes[0].Name != "sasl" {
		t.Errorf("operation security = %+v", place.Security)
	}
	r := place.Reply
	if r == nil || r.Channel != conf || r.AddressLocation.String() != "$message.header#/replyTo" || r.AddressDescription != "Where to reply" {
		t.Fatalf("reply = %+v", r)
	}
	if len(r.Messages) != 1 || r.Messages[0] != conf.Messages[0] {
		t.Errorf("reply messages = %+v", r.Messages)
	}

	recv := opByID(t, d, "onOrderPlaced")
	if recv.Action != asyncapi.ActionReceive || len(recv.Messages) != 2 || recv.Messages[1] != placed.Messages[1] {
		t.Errorf("an operation without messages has the channel's: %+v", recv.Messages)
	}
	if recv.Bindings["mqtt"].(map[string]any)["qos"] != 1.0 || recv.Bindings["nats"].(map[string]any)["queue"] != "workers" {
		t.Errorf("mqtt/nats operation bindings = %v", recv.Bindings)
	}
	if dynOp := opByID(t, d, "confirmDynamic"); dynOp.Target != "/components/operations/confirmDynamic" || dynOp.Channel != dyn {
		t.Errorf("$ref operation = %+v", dynOp)
	}

	m := placed.Messages[0]
	// 3.x message traits: the message's own contentType wins over both
	// traits; the first trait's summary wins over the second's, and it
	// brings the headers.
	if m.Name != "OrderPlaced" || m.Title != "Order placed" || m.ContentType != "application/vnd.orders+json" || m.Summary != "from the second trait" {
		t.Errorf("message traits (3.x): %+v", m)
	}
	if m.HeadersPointer != "/components/messages/OrderPlaced/headers" || m.Headers.(map[string]any)["properties"].(map[string]any)["replyTo"] == nil {
		t.Errorf("headers from a trait = %v at %q", m.Headers, m.HeadersPointer)
	}
	if m.CorrelationID.Location.String() != "$message.header#/requestId" || m.CorrelationID.Pointer != "/components/correlationIds/byRequest" {
		t.Errorf("$ref correlationId = %+v", m.CorrelationID)
	}
	if key := m.Bindings["kafka"].(map[string]any)["key"]; key == nil || m.BindingsPointer != "/components/messages/OrderPlaced/bindings" {
		t.Errorf("kafka message binding = %v", m.Bindings)
	}
	legacy := placed.Messages[1]
	if legacy.SchemaFormat != "application/vnd.apache.avro;version=1.9.0" || legacy.PayloadPointer != "/components/messages/OrderPlacedLegacy/payload/schema" || asyncapi.IsJSONSchemaFormat(legacy.SchemaFormat) {
		t.Errorf("multi-format payload = %q at %q", legacy.SchemaFormat, legacy.PayloadPointer)
	}
	if legacy.ContentType != "application/json" {
		t.Errorf("defaultContentType not applied: %q", legacy.ContentType)
	}
	confirmed := conf.Messages[0]
	if confirmed.PayloadPointer != "/components/schemas/Confirmation" || !asyncapi.IsJSONSchemaFormat(confirmed.SchemaFormat) {
		t.Errorf("multi-format $ref payload at %q (%q)", confirmed.PayloadPointer, confirmed.SchemaFormat)
	}
	if !slices.Equal(confirmed.CorrelationID.Location.Path, []string{"correlation/id"}) {
		t.Errorf("escaped pointer = %q", confirmed.CorrelationID.Location.Path)
	}
	if len(d.Messages) != 3 || d.Messages[0].Pointer != "/components/messages/OrderPlaced" || d.Messages[0].ID != "OrderPlaced" {
		t.Errorf("components messages = %+v", d.Messages)
	}
	// Both schemas compile from Raw, the one behind a $ref too.
	for _, ptr := range []string{m.HeadersPointer, m.PayloadPointer, confirmed.PayloadPointer} {
		if _, err := schema.Compile(d.Raw, ptr); err != nil {
			t.Errorf("compile %s: %v", ptr, err)
		}
	}
}

func TestLoad_V2NormalisedInto3(t *testing.T) {
	d := load(t, "testdata/v2-full.yaml")
	if d.Major != 2 || d.Version != "2.6.0" || !d.Diagnostics.HasCode(asyncapi.CodeVersion2) {
		t.Errorf("version %q major %d diagnostics %v", d.Version, d.Major, d.Diagnostics)
	}
	prod := d.Servers[0]
	if prod.Host != "{host}:{port}" || prod.Pathname != "/base" || prod.Protocol != "mqtt" || prod.ProtocolVersion != "5" {
		t.Errorf("url split into host and pathname: %+v", prod)
	}
	if u, err := prod.URL(map[string]string{"port": "8883"}); err != nil || u != "mqtt://broker.example.com:8883/base" {
		t.Errorf("URL = %q, %v", u, err)
	}
	if k := d.Servers[1]; k.Host != "localhost:9092" || k.Pathname != "" {
		t.Errorf("url without scheme: %+v", k)
	}
	if len(prod.Security) != 1 || len(prod.Security[0].Schemes) != 2 || prod.Security[0].Schemes[1].Name != "oauth" ||
		!slices.Equal(prod.Security[0].Scopes[1], []string{"write:users"}) {
		t.Errorf("2.x security requirement map = %+v", prod.Security)
	}

	c, err := d.ChannelByPointer("#/channels/user~1{userId}~1signedup")
	if err != nil {
		t.Fatal(err)
	}
	if c.Key != "user/{userId}/signedup" || c.Address != c.Key || c.Description != "A user signed up" || len(c.Servers) != 1 || c.Servers[0] != prod {
		t.Errorf("2.x channel keyed by address = %+v", c)
	}
	p := c.Parameter("userId")
	if p == nil || p.Default != "anonymous" || !slices.Equal(p.Enum, []string{"anonymous", "admin"}) || p.SchemaPointer != "/components/parameters/userId/schema" || p.Location.String() != "$message.payload#/user/id" {
		t.Errorf("2.x parameter = %+v", p)
	}
	if a, err := c.ResolveAddress(nil); err != nil || a != "user/anonymous/signedup" {
		t.Errorf("ResolveAddress = %q, %v", a, err)
	}

	send := opByID(t, d, "onUserSignedUp")
	if send.Action != asyncapi.ActionSend || send.Pointer != "/channels/user~1{userId}~1signedup/subscribe" || send.Channel != c {
		t.Errorf("subscribe = the application sends: %+v", send)
	}
	if send.Summary != "from the trait" || send.Bindings["mqtt"].(map[string]any)["qos"] != 1.0 {
		t.Errorf("2.x operation trait wins: summary %q bindings %v", send.Summary, send.Bindings)
	}
	if len(send.Messages) != 2 || send.Messages[0].ID != "userSignedUp" || send.Messages[1].ID != "legacySignup" {
		t.Fatalf("message.oneOf becomes a list: %+v", send.Messages)
	}
	signed := send.Messages[0]
	if signed.ContentType != "application/cloudevents+json" {
		t.Errorf("2.x message trait wins: contentType %q", signed.ContentType)
	}
	props := signed.Headers.(map[string]any)["properties"].(map[string]any)
	if props["traceId"] == nil || props["requestId"] == nil || signed.Headers.(map[string]any)["type"] != "object" {
		t.Errorf("2.x traits are merged into the object (JSON Merge Patch): %v", signed.Headers)
	}
	if signed.CorrelationID.Location.String() != "$message.header#/requestId" {
		t.Errorf("correlationId = %+v", signed.CorrelationID)
	}
	if s := send.Messages[1]; s.SchemaFormat != "application/vnd.aai.asyncapi;version=2.6.0" || !asyncapi.IsJSONSchemaFormat(s.SchemaFormat) || s.Name != "LegacySignup" {
		t.Errorf("2.x schemaFormat = %+v", s)
	}
	recv := opByID(t, d, "sendWelcome")
	if recv.Action != asyncapi.ActionReceive || len(recv.Messages) != 1 || recv.Messages[0].ID != "Welcome" {
		t.Errorf("publish = the application receives: %+v", recv)
	}
	if len(c.Messages) != 3 || c.Messages[0] != send.Messages[0] || c.Messages[2] != recv.Messages[0] {
		t.Errorf("channel messages are its operations' = %+v", c.Messages)
	}

	orders := chanByKey(t, d, "orders")
	if orders.Target != "/components/channels/orders" || len(orders.Servers) != 1 || orders.Servers[0].Name != "kafka" {
		t.Errorf("$ref channel item = %+v", orders)
	}
	ro := opByID(t, d, "receiveOrder")
	if ro.Pointer != "/channels/orders/publish" || ro.Target != "/components/channels/orders/publish" || ro.Channel != orders {
		t.Errorf("operation of a $ref channel = %+v", ro)
	}
	if op, err := d.OperationByPointer("#/channels/orders/publish"); err != nil || op != ro {
		t.Errorf("OperationByPointer = %v, %v", op, err)
	}
	if len(ro.Security) != 1 || ro.Security[0].Schemes[0].Type != "userPassword" {
		t.Errorf("2.5+ operation security = %+v", ro.Security)
	}
	if ro.Bindings["kafka"] == nil || ro.Messages[0].Bindings["kafka"] == nil {
		t.Errorf("kafka bindings kept raw: %v / %v", ro.Bindings, ro.Messages[0].Bindings)
	}
	if ids := d.OperationIDs(); !slices.Equal(ids, []string{"onUserSignedUp", "receiveOrder", "sendWelcome"}) {
		t.Errorf("OperationIDs = %v", ids)
	}
	if _, err := schema.Compile(d.Raw, signed.HeadersPointer); err != nil {
		t.Error(err)
	}
}

// E7: 2.0-2.5 documents are read too, against the 2.6 schema; 3.1 is
// native; other versions are refused with a clear error.
func TestE7_Versions(t *testing.T) {
	const body = "\ninfo: {title: t, version: '1'}\nchannels: {}\n"
	for _, tc := range []struct {
		version string
		major   int
		code    string
	}{
		{"2.0.0", 2, asyncapi.CodeVersion2},
		{"2.3.0", 2, asyncapi.CodeVersion2},
		{"2.6.0", 2, asyncapi.CodeVersion2},
		{"3.0.0", 3, ""},
		{"3.1.0", 3, ""},
		{"1.2.0", 0, asyncapi.CodeUnsupportedVersion},
		{"2.7.0", 0, asyncapi.CodeUnsupportedVersion},
		{"3.2.0", 0, asyncapi.CodeUnsupportedVersion},
		{"3.0", 0, asyncapi.CodeUnsupportedVersion},
		{"4.0.0", 0, asyncapi.CodeUnsupportedVersion},
	} {
		t.Run(tc.version, func(t *testing.T) {
			d, ds := loadString(t, "asyncapi: '"+tc.version+"'"+body)
			if tc.major == 0 {
				if d != nil || !ds.HasCode(tc.code) || at(ds[0].Range) != "doc.yaml:1:11" {
					t.Fatalf("got %v, %v", d, ds)
				}
				return
			}
			if d == nil || d.Major != tc.major || ds.HasErrors() {
				t.Fatalf("got %v, %v", d, ds)
			}
			if tc.code != "" && (!ds.HasCode(tc.code) || ds[0].Severity != diag.Warning) {
				t.Errorf("want a %s warning, got %v", tc.code, ds)
			}
			if tc.code == "" && len(ds) != 0 {
				t.Errorf("diagnostics: %v", ds)
			}
		})
	}
}

func TestLoad_V31Native(t *testing.T) {
	d := load(t, "testdata/v31.yaml")
	if d.Version != "3.1.0" || len(d.Diagnostics) != 0 {
		t.Fatalf("%s: %v", d.Version, d.Diagnostics)
	}
	op := opByID(t, d, "ping")
	if op.Reply == nil || op.Reply.AddressLocation.String() != "$message.header#/replyTo" || len(op.Reply.Messages) != 1 || op.Reply.Channel != nil {
		t.Errorf("reply with an address only: %+v", op.Reply)
	}
}

// memFS returns a WithReadFile reader over an fs.FS, recording the names it
// was asked for.
func memFS(fsys fs.FS, asked *[]string) asyncapi.Option {
	return asyncapi.WithReadFile(func(ref string) ([]byte, error) {
		*asked = append(*asked, ref)
		return fs.ReadFile(fsys, ref)
	})
}

func TestExternalRefs_ReadThroughTheCallerOnly(t *testing.T) {
	var asked []string
	root := os.DirFS("testdata/ext")
	src, _ := fs.ReadFile(root, "main.yaml")
	d, err := asyncapi.Load(src, "testdata/ext/main.yaml", memFS(root, &asked))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(asked, []string{"messages.yaml", "schemas/order.yaml", "common.yaml"}) {
		t.Errorf("files asked for: %v", asked)
	}
	op := opByID(t, d, "createOrder")
	m := op.Messages[0]
	if m.Target != "/x-telaio-files/messages.yaml/OrderCreated" || m.PayloadPointer != "/x-telaio-files/schemas~1order.yaml" {
		t.Errorf("message from another file: %+v", m)
	}
	if m.CorrelationID == nil || m.CorrelationID.Location.String() != "$message.header#/requestId" {
		t.Errorf("a local $ref inside another file: %+v", m.CorrelationID)
	}
	if got := at(m.CorrelationID.Range); got != "testdata/ext/messages.yaml:7:1" {
		t.Errorf("positions come from the other file: %s", got)
	}
	s, err := schema.Compile(d.Raw, m.PayloadPointer)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(map[string]any{"id": "a", "total": -1.0}); err == nil {
		t.Error("the schema two files away was not applied")
	}
}

func TestExternalRefs_Errors(t *testing.T) {
	const doc = `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m:
        $ref: 'other.yaml#/M'
`
	t.Run("without WithReadFile", func(t *testing.T) {
		_, ds := loadString(t, doc)
		if !ds.HasCode(asyncapi.CodeExternalRef) || at(ds.Errors()[0].Range) != "doc.yaml:8:15" || !strings.Contains(ds.Error(), `"other.yaml#/M"`) {
			t.Errorf("got %v", ds)
		}
	})
	t.Run("refused by the reader", func(t *testing.T) {
		read := asyncapi.WithReadFile(func(string) ([]byte, error) { return nil, errors.New("outside the root") })
		_, ds := loadString(t, doc, read)
		if !ds.HasCode(asyncapi.CodeExternalRef) || !strings.Contains(ds.Error(), "outside the root") {
			t.Errorf("got %v", ds)
		}
	})
	t.Run("fragment missing", func(t *testing.T) {
		var asked []string
		fsys := fstest.MapFS{"other.yaml": {Data: []byte("N: {payload: {type: string}}\n")}}
		_, ds := loadString(t, doc, memFS(fsys, &asked))
		if !ds.HasCode(asyncapi.CodeUnresolvedRef) || at(ds.Errors()[0].Range) != "doc.yaml:8:15" || !strings.Contains(ds.Error(), `"other.yaml#/M"`) {
			t.Errorf("got %v", ds)
		}
	})
	t.Run("file does not decode", func(t *testing.T) {
		var asked []string
		fsys := fstest.MapFS{"other.yaml": {Data: []byte("a: [\n")}}
		_, ds := loadString(t, doc, memFS(fsys, &asked))
		if !ds.HasCode(asyncapi.CodeExternalRef) || !strings.Contains(ds.Error(), "other.yaml:") {
			t.Errorf("got %v", ds)
		}
	})
	t.Run("remote", func(t *testing.T) {
		remote := strings.Replace(doc, "other.yaml#/M", "https://example.com/m.yaml", 1)
		read := asyncapi.WithReadFile(func(string) ([]byte, error) { t.Fatal("a URL reached the reader"); return nil, nil })
		_, ds := loadString(t, remote, read)
		if !ds.HasCode(asyncapi.CodeRemoteRef) || at(ds.Errors()[0].Range) != "doc.yaml:8:15" {
			t.Errorf("got %v", ds)
		}
	})
	t.Run("too many files", func(t *testing.T) {
		fsys := fstest.MapFS{}
		for i := range 5 {
			next := "f" + string(rune('0'+i+1)) + ".yaml"
			fsys["f"+string(rune('0'+i))+".yaml"] = &fstest.MapFile{Data: []byte("M: {$ref: '" + next + "#/M'}\n")}
		}
		var asked []string
		chain := strings.Replace(doc, "other.yaml", "f0.yaml", 1)
		_, ds := loadString(t, chain, memFS(fsys, &asked), asyncapi.WithMaxFiles(3))
		if !ds.HasCode(asyncapi.CodeTooManyFiles) || len(asked) != 3 {
			t.Errorf("asked %v, got %v", asked, ds)
		}
	})
	t.Run("bytes of all files count", func(t *testing.T) {
		var asked []string
		fsys := fstest.MapFS{"other.yaml": {Data: []byte("M: {payload: {type: string, description: '" + strings.Repeat("x", 400) + "'}}\n")}}
		_, ds := loadString(t, doc, memFS(fsys, &asked), asyncapi.WithMaxDocumentBytes(int64(len(doc)+100)))
		if !ds.HasCode(asyncapi.CodeDocumentTooLarge) {
			t.Errorf("got %v", ds)
		}
	})
	t.Run("a file naming the document itself", func(t *testing.T) {
		self := strings.Replace(doc, "other.yaml#/M", "doc.yaml#/components/messages/M", 1) + "components:\n  messages:\n    M: {payload: {type: string}}\n"
		d, ds := loadString(t, self)
		if ds.HasErrors() || d.Channels[0].Messages[0].Target != "/components/messages/M" {
			t.Errorf("got %v", ds)
		}
	})
}

func TestPathsPassedToTheReader(t *testing.T) {
	fsys := fstest.MapFS{
		"a/b.yaml":   {Data: []byte("M: {$ref: '../c/d.yaml#/M'}\n")},
		"c/d.yaml":   {Data: []byte("M: {$ref: './e%20f.yaml#/M'}\n")},
		"c/e f.yaml": {Data: []byte("M: {payload: {type: string}}\n")},
	}
	var asked []string
	doc := `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    messages:
      m: {$ref: 'a/b.yaml#/M'}
`
	d, ds := loadString(t, doc, memFS(fsys, &asked))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if !slices.Equal(asked, []string{"a/b.yaml", "c/d.yaml", "c/e f.yaml"}) {
		t.Errorf("asked %v", asked)
	}
	if m := d.Channels[0].Messages[0]; m.Target != "/x-telaio-files/c~1e f.yaml/M" || path.Base(at(m.Range)) != "doc.yaml:6:10" {
		t.Errorf("message %+v at %s", m, at(m.Range))
	}
}

// Traits are applied in Raw itself, so that pointers name what applies.
func TestTraitsAppliedInRaw(t *testing.T) {
	d := load(t, "testdata/v3-full.yaml")
	m := d.Raw.(map[string]any)["components"].(map[string]any)["messages"].(map[string]any)["OrderPlaced"].(map[string]any)
	if _, ok := m["traits"]; ok || m["headers"] == nil || m["contentType"] != "application/vnd.orders+json" {
		t.Errorf("Raw message after traits: %v", m)
	}
	// The trait itself is untouched.
	tr := d.Raw.(map[string]any)["components"].(map[string]any)["messageTraits"].(map[string]any)["commonHeaders"].(map[string]any)
	if tr["contentType"] != "application/xml" {
		t.Errorf("trait modified: %v", tr)
	}
}

// Loads run concurrently (the official schemas compile once), and a loaded
// Document is read concurrently; run with -race.
func TestLoad_Concurrent(t *testing.T) {
	files := []string{"testdata/pet-asyncapi.yaml", "testdata/v3-full.yaml", "testdata/v2-full.yaml", "testdata/v31.yaml"}
	srcs := make([][]byte, len(files))
	for i, f := range files {
		var err error
		if srcs[i], err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	shared := load(t, "testdata/v3-full.yaml")
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			i := g % len(files)
			d, err := asyncapi.Load(srcs[i], files[i])
			if err == nil && len(d.Operations()) == 0 {
				err = errors.New("no operations")
			}
			for _, op := range shared.Operations() {
				_, _ = op.Channel.ResolveAddress(map[string]string{"orderId": "1"})
				_ = shared.Range(op.Target)
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
