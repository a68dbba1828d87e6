package mock_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/mock"
	"github.com/telaio/telaio/schema"
)

// An AsyncAPI 3.0 description whose message schemas exercise the
// generator: $refs across components, formats, enums, bounds, nested
// objects, arrays, oneOf, readOnly/writeOnly (which messages do not honour).
const ordersAsyncAPI = `asyncapi: 3.0.0
info: {title: Orders, version: "1"}
channels:
  orders:
    address: orders.{region}
    parameters:
      region: {enum: [eu, us]}
    messages:
      placed: {$ref: "#/components/messages/Placed"}
operations:
  placeOrder:
    action: receive
    channel: {$ref: "#/channels/orders"}
components:
  messages:
    Placed:
      correlationId: {location: "$message.header#/requestId"}
      headers:
        type: object
        required: [requestId, attempt]
        properties:
          requestId: {type: string, format: uuid}
          attempt: {type: integer, minimum: 1, maximum: 3}
      payload:
        $ref: "#/components/schemas/Order"
  schemas:
    Order:
      type: object
      required: [orderId, lines, placedAt, status, ro, wo, contact]
      additionalProperties: false
      properties:
        orderId: {type: integer, minimum: 1000, multipleOf: 5}
        placedAt: {type: string, format: date-time}
        status: {type: string, enum: [placed, approved]}
        ro: {type: string, readOnly: true}
        wo: {type: string, writeOnly: true}
        lines:
          type: array
          minItems: 2
          uniqueItems: true
          items: {$ref: "#/components/schemas/Line"}
        contact:
          oneOf:
            - {type: object, required: [email], properties: {email: {type: string, format: email}}, additionalProperties: false}
            - {type: object, required: [phone], properties: {phone: {type: string, pattern: "^\\+[0-9]{8,12}$"}}, additionalProperties: false}
    Line:
      type: object
      required: [sku, qty]
      properties:
        sku: {type: string, pattern: "^[A-Z]{3}-[0-9]{4}$"}
        qty: {type: integer, exclusiveMinimum: 0, maximum: 9}
    Clash:
      allOf:
        - {type: object, required: [a], properties: {a: {type: string}}}
        - {type: object, properties: {a: {type: integer}}}
`

func loadAsyncAPI(t testing.TB, src string) *asyncapi.Document {
	t.Helper()
	d, err := asyncapi.Load([]byte(src), "orders.asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSynthesize_AsyncAPIMessageSchemasValidate(t *testing.T) {
	d := loadAsyncAPI(t, ordersAsyncAPI)
	m := d.Messages[0]
	for _, ptr := range []string{m.PayloadPointer, m.HeadersPointer, "#/components/schemas/Line", "/components/schemas/Order/properties/contact"} {
		t.Run(ptr, func(t *testing.T) {
			sch, err := schema.Compile(d.Raw, ptr)
			if err != nil {
				t.Fatal(err)
			}
			for seed := range int64(20) {
				v, err := mock.Synthesize(d.Raw, ptr, seed)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if err := sch.Validate(v); err != nil {
					t.Fatalf("seed %d: %s does not validate: %v", seed, js(v), err)
				}
			}
		})
	}
}

func TestSynthesize_ReadOnlyAndWriteOnlyPropertiesAreBuilt(t *testing.T) {
	d := loadAsyncAPI(t, ordersAsyncAPI)
	v, err := mock.Synthesize(d.Raw, d.Messages[0].PayloadPointer, 1)
	if err != nil {
		t.Fatal(err)
	}
	o := v.(map[string]any)
	if _, ok := o["ro"]; !ok {
		t.Errorf("readOnly property left out: %s", js(v))
	}
	if _, ok := o["wo"]; !ok {
		t.Errorf("writeOnly property left out: %s", js(v))
	}
}

func TestSynthesizer_SameSeedSameValue_OtherSeedOtherValue(t *testing.T) {
	d := loadAsyncAPI(t, ordersAsyncAPI)
	s, err := mock.NewSynthesizer(d.Raw, d.Messages[0].PayloadPointer)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Value(7)
	b, _ := s.Value(7)
	c, _ := s.Value(8)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("seed 7 twice: %s != %s", js(a), js(b))
	}
	if reflect.DeepEqual(a, c) {
		t.Errorf("seeds 7 and 8 gave the same value %s", js(a))
	}
}

func TestSynthesizer_ConcurrentValues(t *testing.T) {
	d := loadAsyncAPI(t, ordersAsyncAPI)
	s, err := mock.NewSynthesizer(d.Raw, d.Messages[0].PayloadPointer)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.Value(3)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if v, err := s.Value(3); err != nil || !reflect.DeepEqual(v, want) {
					t.Errorf("got %s, %v", js(v), err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSynthesize_Errors(t *testing.T) {
	d := loadAsyncAPI(t, ordersAsyncAPI)
	external := map[string]any{"s": map[string]any{"$ref": "other.json#/x"}}
	never := map[string]any{"s": false}
	tests := []struct {
		name, ptr string
		root      any
		want      error
		value     bool // a value comes with the error
	}{
		{name: "no value at the pointer", root: d.Raw, ptr: "/components/schemas/Nope", want: mock.ErrNoSchema},
		{name: "bad fragment", root: d.Raw, ptr: "#/a%zz", want: mock.ErrNoSchema},
		{name: "false schema", root: never, ptr: "/s", want: mock.ErrUnsatisfiable},
		{name: "contradictory allOf", root: d.Raw, ptr: "#/components/schemas/Clash", want: mock.ErrNotValid, value: true},
		{name: "remote $ref", root: external, ptr: "/s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := mock.Synthesize(tc.root, tc.ptr, 1)
			var se *mock.SynthesisError
			if !errors.As(err, &se) {
				t.Fatalf("want a *SynthesisError, got %v", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("want %v, got %v", tc.want, err)
			}
			if tc.want == nil {
				var ce *schema.CompileError
				if !errors.As(err, &ce) {
					t.Fatalf("want a *schema.CompileError, got %v", err)
				}
			}
			if (v != nil) != tc.value {
				t.Fatalf("value %s with %v", js(v), err)
			}
			if tc.want == mock.ErrNotValid && se.Violation == "" {
				t.Errorf("no violation in %v", err)
			}
		})
	}
}

func TestSynthesize_MockServerUnchanged(t *testing.T) {
	// The generator without direction must not change the server's bodies:
	// readOnly properties still appear in responses, writeOnly ones not.
	const doc = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /t:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [ro, wo]
                properties:
                  ro: {type: string, readOnly: true}
                  wo: {type: string, writeOnly: true}
`
	srv, err := mock.NewFromBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/t", nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body["ro"] == nil || body["wo"] != nil {
		t.Errorf("body %v", body)
	}
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Values for an AsyncAPI message payload, from its schema.
func ExampleSynthesize() {
	d, err := asyncapi.Load([]byte(`asyncapi: 3.0.0
info: {title: Pets, version: "1"}
channels:
  confirm-order:
    address: confirm-order
    messages:
      confirmed:
        payload:
          type: object
          required: [orderId, status]
          properties:
            orderId: {type: integer, minimum: 1, maximum: 1}
            status: {type: string, enum: [placed]}
`), "pets.asyncapi.yaml")
	if err != nil {
		panic(err)
	}
	v, err := mock.Synthesize(d.Raw, d.Channels[0].Messages[0].PayloadPointer, 1)
	fmt.Println(js(v), err)

	_, err = mock.Synthesize(d.Raw, "/components/schemas/Missing", 1)
	fmt.Println(errors.Is(err, mock.ErrNoSchema), err)
	// Output:
	// {"orderId":1,"status":"placed"} <nil>
	// true mock: no schema at the pointer (schema "/components/schemas/Missing")
}
