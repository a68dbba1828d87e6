package oas_test

import (
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/oas"
)

func get(doc any, ptr string) (any, bool) {
	p, err := jsonptr.Parse(ptr)
	if err != nil {
		return nil, false
	}
	return p.Get(doc)
}

var smsOps = []string{"api_b2b_otp_v1_b2b_otp_sms_Send", "api_b2b_otp_v1_b2b_otp_sms_Authenticate"}

func stytchSubset(tb testing.TB, full *oas.Document, ids ...string) []byte {
	tb.Helper()
	var ops []*oas.Operation
	for _, id := range ids {
		op, err := full.OperationByID(id)
		if err != nil {
			tb.Fatal(err)
		}
		ops = append(ops, op)
	}
	entry, err := full.Subset(ops)
	if err != nil {
		tb.Fatal(err)
	}
	return entry
}

// TestSubset: a subset answers for its operations exactly as the whole
// description does (parameters, bodies, responses, media type order,
// security, servers) and every schema pointer resolves to the same value.
func TestSubset(t *testing.T) {
	full := loadStytch(t)
	entry := stytchSubset(t, full, smsOps...)
	sub, err := oas.LoadSubset(entry, full.Src, full.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !sub.Partial() || full.Partial() {
		t.Errorf("Partial: sub %v, full %v", sub.Partial(), full.Partial())
	}
	if n := len(sub.Operations()); n != len(smsOps) {
		t.Errorf("subset has %d operations", n)
	}
	if len(entry)*10 > len(full.Src) {
		t.Errorf("subset is %d bytes of a %d-byte description", len(entry), len(full.Src))
	}
	if !reflect.DeepEqual(sub.Servers, full.Servers) || !reflect.DeepEqual(sub.SecuritySchemes, full.SecuritySchemes) ||
		!reflect.DeepEqual(sub.Security, full.Security) || sub.UsesSecurity != full.UsesSecurity || sub.Version != full.Version {
		t.Errorf("document-level fields differ")
	}
	for _, id := range smsOps {
		a, _ := full.OperationByID(id)
		b, err := sub.OperationByID(id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Pointer != b.Pointer || a.Method != b.Method || a.Path != b.Path ||
			!reflect.DeepEqual(a.Parameters, b.Parameters) || !reflect.DeepEqual(a.Security, b.Security) {
			t.Errorf("%s: operation differs", id)
		}
		if !reflect.DeepEqual(a.Body, b.Body) || !reflect.DeepEqual(a.Responses, b.Responses) {
			t.Errorf("%s: body or responses differ", id)
		}
		// Every $ref reachable from the operation resolves in the subset.
		var check func(v any)
		check = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				if ref, ok := v["$ref"].(string); ok {
					want, ok1 := get(full.Raw, ref[1:])
					got, ok2 := get(sub.Raw, ref[1:])
					if !ok1 || !ok2 || !reflect.DeepEqual(want, got) {
						t.Errorf("%s: %s does not resolve the same (%v, %v)", id, ref, ok1, ok2)
						return
					}
					check(got)
				}
				for k, c := range v {
					if k != "$ref" {
						check(c)
					}
				}
			case []any:
				for _, c := range v {
					check(c)
				}
			}
		}
		check(b.Raw)
	}
	if sub.HasOperationID("api_b2b_totp_v1_Create") {
		t.Error("the subset knows an operation it was not cut for")
	}
}

func TestSubsetRefused(t *testing.T) {
	for name, src := range map[string]string{
		"anchor": `{"openapi": "3.1.0", "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok",
			"content": {"application/json": {"schema": {"$ref": "#pet"}}}}}}}}, "components": {"schemas": {"P": {"$anchor": "pet"}}}}`,
		"external": `{"openapi": "3.1.0", "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok",
			"content": {"application/json": {"schema": {"$ref": "other.yaml#/P"}}}}}}}}}`,
	} {
		d, err := oas.Load([]byte(src), name)
		if err != nil {
			t.Fatal(err)
		}
		op, _ := d.OperationByID("a")
		if _, err := d.Subset([]*oas.Operation{op}); !errors.Is(err, oas.ErrNoSubset) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSubsetMediaOrder: the declaration order of media types survives.
func TestSubsetMediaOrder(t *testing.T) {
	src := []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    post:
      operationId: a
      requestBody:
        content:
          text/plain: {schema: {type: string}}
          application/xml: {schema: {$ref: '#/components/schemas/X'}}
          application/json: {schema: {$ref: '#/components/schemas/X'}}
      responses:
        "200": {description: ok}
    get:
      operationId: other
      responses:
        "200": {description: ok}
components:
  schemas:
    X: {type: object, properties: {y: {$ref: '#/components/schemas/Y'}}}
    Y: {type: string}
    Unused: {type: integer}
`)
	full, err := oas.Load(src, "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := oas.LoadSubset(stytchSubset(t, full, "a"), src, "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	op, _ := sub.OperationByID("a")
	var got []string
	for _, mt := range op.Body.Content {
		got = append(got, mt.Name)
	}
	if want := []string{"text/plain", "application/xml", "application/json"}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if _, ok := get(sub.Raw, "/components/schemas/Y"); !ok {
		t.Error("a schema reached through another is missing")
	}
	if _, ok := get(sub.Raw, "/components/schemas/Unused"); ok {
		t.Error("an unreferenced schema was kept")
	}
	if sub.HasOperationID("other") {
		t.Error("another operation of the same path item was kept")
	}
	if _, err := oas.LoadSubset([]byte(`{"format": 99, "doc": {}}`), src, "a.yaml"); err == nil {
		t.Error("a subset of another format was accepted")
	}
}

func BenchmarkLoadSubset(b *testing.B) {
	src, err := os.ReadFile("../specs/stytch/openapi/stytch-b2b-openapi.yml")
	if err != nil {
		b.Fatal(err)
	}
	full, err := oas.Load(src, "stytch.yml")
	if err != nil {
		b.Fatal(err)
	}
	entry := stytchSubset(b, full, smsOps...)
	// Compare with BenchmarkLoadStytch, the whole description.
	b.ReportAllocs()
	b.ReportMetric(float64(len(entry)), "entry-bytes")
	for b.Loop() {
		if _, err := oas.LoadSubset(entry, src, "stytch.yml"); err != nil {
			b.Fatal(err)
		}
	}
}
