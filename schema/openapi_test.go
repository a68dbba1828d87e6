package schema

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/telaio/telaio/internal/yamlx"
)

const petstore30 = `
openapi: 3.0.3
info: {title: pets, version: "1"}
paths:
  /pets/{id}:
    put:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
  /owners:
    post:
      parameters:
        - $ref: '#/components/parameters/Limit'
      requestBody: {$ref: '#/components/requestBodies/Owner'}
      responses: {}
components:
  parameters:
    Limit:
      name: limit
      in: query
      schema: {type: integer, format: int32, minimum: 1}
  requestBodies:
    Owner:
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Owner'}
  schemas:
    Id:
      type: string
      format: uuid
      readOnly: true
    Pet:
      type: object
      required: [id, name, secret]
      properties:
        id: {$ref: '#/components/schemas/Id'}
        name: {type: string, nullable: true, example: Rex, x-internal: yes}
        secret: {type: string, writeOnly: true}
        created: {type: string, format: date-time, readOnly: true}
        tag:
          type: string
          enum: [a, b]
          nullable: true
        weight: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 100, exclusiveMaximum: false}
        owner:
          nullable: true
          allOf:
            - $ref: '#/components/schemas/Owner'
        vet:
          $ref: '#/components/schemas/Owner'
          nullable: true
          description: siblings of $ref are ignored in 3.0
          type: integer
        kind:
          oneOf:
            - $ref: '#/components/schemas/Cat'
            - $ref: '#/components/schemas/Dog'
          discriminator: {propertyName: petType}
    NewPet:
      allOf:
        - $ref: '#/components/schemas/Pet'
    Owner:
      type: object
      required: [name]
      properties:
        name: {type: string}
        country: {type: string, default: NL}
    Cat:
      type: object
      required: [petType, meows]
      properties:
        petType: {type: string}
        meows: {type: boolean}
    Dog:
      type: object
      required: [petType, barks]
      properties:
        petType: {type: string}
        barks: {type: boolean}
`

func openapi(t testing.TB, src string) *OpenAPI {
	t.Helper()
	o, err := NewOpenAPI(decode(t, src))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOpenAPI30(t *testing.T) {
	o := openapi(t, petstore30)
	req, err := o.Compile("/paths/~1pets~1{id}/put/requestBody/content/application~1json/schema", Request)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := o.Compile("#/paths/~1pets~1%7Bid%7D/put/responses/200/content/application~1json/schema", Response)
	if err != nil {
		t.Fatal(err)
	}
	base := func() map[string]any {
		return map[string]any{"name": "Rex", "secret": "pw"}
	}
	with := func(k string, v any) map[string]any {
		m := base()
		m[k] = v
		return m
	}
	const pet = "#/components/schemas/Pet"
	tests := []struct {
		name string
		s    *Schema
		v    any
		want []Violation
	}{
		{"request without readOnly id", req, base(), nil},
		{"nullable string", req, with("name", nil), nil},
		{"nullable enum", req, with("tag", nil), nil},
		{"enum still applies", req, with("tag", "c"), []Violation{{"/tag", pet + "/properties/tag/enum", `must be one of "a", "b", null`}}},
		{"readOnly sent in request", req, with("id", "123e4567-e89b-12d3-a456-426614174000"), []Violation{
			{"/id", pet + "/properties/id", "property is readOnly and must not be sent in a request"}}},
		{"readOnly (own keyword) sent", req, with("created", "2024-01-01T00:00:00Z"), []Violation{
			{"/created", pet + "/properties/created", "property is readOnly and must not be sent in a request"}}},
		{"exclusiveMinimum true", req, with("weight", 0.0), []Violation{{"/weight", pet + "/properties/weight/exclusiveMinimum", "must be > 0"}}},
		{"exclusiveMaximum false", req, with("weight", 100.0), nil},
		{"nullable allOf", req, with("owner", nil), nil},
		{"nullable allOf object", req, with("owner", map[string]any{}), []Violation{
			{"/owner", "#/components/schemas/Owner/required", `missing required property "name"`}}},
		{"nullable allOf wrong type", req, with("owner", 5.0), []Violation{
			{"/owner", pet + "/properties/owner/nullable", "expected object or null, got number"}}},
		{"nullable beside $ref", req, with("vet", nil), nil},
		{"$ref siblings ignored", req, with("vet", map[string]any{"name": "Dr"}), nil},
		{"oneOf with discriminator", req, with("kind", map[string]any{"petType": "cat", "meows": true}), nil},
		{"oneOf none", req, with("kind", map[string]any{"petType": "cat"}), []Violation{
			{"/kind", pet + "/properties/kind/oneOf", "does not match any of the 2 alternatives of oneOf"}}},
		{"response needs id, no secret", resp, map[string]any{"id": "123e4567-e89b-12d3-a456-426614174000", "name": "Rex"}, nil},
		{"response with writeOnly", resp, map[string]any{"id": "123e4567-e89b-12d3-a456-426614174000", "name": "Rex", "secret": "x"}, []Violation{
			{"/secret", pet + "/properties/secret", "property is writeOnly and must not appear in a response"}}},
		{"response format", resp, map[string]any{"id": "nope", "name": "Rex"}, []Violation{
			{"/id", "#/components/schemas/Id/format", `is not a valid "uuid"`}}},
		{"response missing id", resp, map[string]any{"name": "Rex"}, []Violation{
			{"", pet + "/required", `missing required property "id"`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := violations(t, tc.s.Validate(tc.v))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got:\n%swant:\n%s", dump(got), dump(tc.want))
			}
		})
	}

	props := req.Properties()
	if !props["id"].ReadOnly() || props["secret"].ReadOnly() || !props["secret"].WriteOnly() {
		t.Error("ReadOnly/WriteOnly accessors")
	}
	if got := props["name"].Types(); !reflect.DeepEqual(got, []string{"string", "null"}) {
		t.Errorf("nullable Types = %v", got)
	}
	if got := props["owner"].Types(); !reflect.DeepEqual(got, []string{"object", "null"}) {
		t.Errorf("nullable allOf Types = %v", got)
	}
	if got := req.Required(); !reflect.DeepEqual(got, []string{"name", "secret"}) {
		t.Errorf("request Required = %v", got)
	}
	if got := resp.Required(); !reflect.DeepEqual(got, []string{"id", "name"}) {
		t.Errorf("response Required = %v", got)
	}
	raw := props["name"].Raw().(map[string]any)
	if raw["nullable"] != true {
		t.Errorf("Raw must be untranslated: %v", raw)
	}
	filled := req.ApplyDefaults(map[string]any{"owner": map[string]any{"name": "x"}})
	if filled.(map[string]any)["owner"].(map[string]any)["country"] != "NL" {
		t.Errorf("defaults through nullable allOf: %v", filled)
	}
}

func TestOpenAPICacheAndErrors(t *testing.T) {
	o := openapi(t, petstore30)
	a, err := o.Compile("/components/schemas/Pet", Request)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := o.Compile("/components/schemas/Pet", Request)
	if a != b {
		t.Error("compiled schemas are not cached")
	}
	// a subschema of an already compiled schema, then its ancestor
	if _, err := o.Compile("/components/schemas/Owner/properties/name", Response); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Compile("/components/schemas/Owner", Response); err != nil {
		t.Fatal(err)
	}
	// Reference Objects along the pointer are followed
	body, err := o.Compile("/paths/~1owners/post/requestBody/content/application~1json/schema", Request)
	if err != nil {
		t.Fatal(err)
	}
	if got := violations(t, body.Validate(map[string]any{})); len(got) != 1 || got[0].SchemaPath != "#/components/schemas/Owner/required" {
		t.Errorf("requestBody via $ref: %v", got)
	}
	limit, err := o.Compile("/paths/~1owners/post/parameters/0/schema", Request)
	if err != nil {
		t.Fatal(err)
	}
	if got := violations(t, limit.Validate(3e10)); len(got) != 1 || got[0].Message != `is not a valid "int32"` {
		t.Errorf("parameter via $ref: %v", got)
	}
	if limit.Location() != "#/components/parameters/Limit/schema" {
		t.Errorf("Location = %s", limit.Location())
	}
	for _, ptr := range []string{"", "/components/schemas/Nope", "/paths/~1owners/post/requestBody/content/text~1plain/schema"} {
		_, err := o.Compile(ptr, Request)
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("%q: want CompileError, got %v", ptr, err)
		}
	}
	if _, err := o.Compile("/components/schemas/Pet", 0); err == nil {
		t.Error("want an error for a zero Direction")
	}
	for _, doc := range []any{"x", map[string]any{"openapi": "2.0"}, map[string]any{"swagger": "2.0"}} {
		if _, err := NewOpenAPI(doc); err == nil {
			t.Errorf("NewOpenAPI(%v): want an error", doc)
		}
	}
}

func TestOpenAPI31(t *testing.T) {
	o := openapi(t, `
openapi: 3.1.0
info: {title: t, version: "1"}
components:
  schemas:
    Item:
      $schema: https://spec.openapis.org/oas/3.1/dialect/base
      type: object
      required: [id]
      properties:
        id: {type: [string, integer], readOnly: true}
        note: {type: [string, 'null'], maxLength: 3}
        ref:
          $ref: '#/components/schemas/Code'
          maxLength: 2
        nullable: {type: string, nullable: true}
      discriminator: {propertyName: id}
    Code: {type: string, pattern: '^[A-Z]+$'}
`)
	s, err := o.Compile("/components/schemas/Item", Request)
	if err != nil {
		t.Fatal(err)
	}
	got := violations(t, s.Validate(map[string]any{"note": nil, "ref": "ABC", "nullable": nil}))
	want := []Violation{
		{"/nullable", "#/components/schemas/Item/properties/nullable/type", "expected string, got null"},
		{"/ref", "#/components/schemas/Item/properties/ref/maxLength", "must be at most 2 characters long"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s", dump(got))
	}
}

// TestOpenAPI32UsesThe31Dialect: OpenAPI 3.2 keeps the JSON Schema 2020-12
// dialect of 3.1 (type arrays, const, $defs; nullable is no keyword).
func TestOpenAPI32UsesThe31Dialect(t *testing.T) {
	o := openapi(t, `
openapi: 3.2.0
info: {title: t, version: "1"}
components:
  schemas:
    Item:
      type: object
      properties:
        id: {type: [string, integer]}
        kind: {const: a}
        tag: {$ref: '#/components/schemas/Item/$defs/Tag'}
        nullable: {type: string, nullable: true}
      $defs:
        Tag: {type: string, maxLength: 2}
`)
	s, err := o.Compile("/components/schemas/Item", Response)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(map[string]any{"id": 1.0, "kind": "a", "tag": "ab"}); err != nil {
		t.Errorf("valid: %v", err)
	}
	got := violations(t, s.Validate(map[string]any{"id": true, "kind": "b", "tag": "abc", "nullable": nil}))
	if len(got) != 4 {
		t.Errorf("got:\n%s", dump(got))
	}
}

var (
	stytchOnce sync.Once
	stytchDoc  any
	stytchErr  error
)

func stytch(t testing.TB) any {
	t.Helper()
	stytchOnce.Do(func() {
		src, err := os.ReadFile("../specs/stytch/openapi/stytch-b2b-openapi.yml")
		if err != nil {
			stytchErr = err
			return
		}
		stytchDoc, stytchErr = yamlx.Decode(src)
	})
	if stytchErr != nil {
		t.Skip("Stytch description unavailable:", stytchErr)
	}
	return stytchDoc
}

// smsSendBody is the request body schema of operation
// api_b2b_otp_v1_b2b_otp_sms_Send.
const smsSendBody = "/paths/~1v1~1b2b~1otps~1sms~1send/post/requestBody/content/application~1json/schema"

func TestStytchSMSSendRequest(t *testing.T) {
	doc := stytch(t)
	op, _ := lookup(doc, "/paths/~1v1~1b2b~1otps~1sms~1send/post/operationId")
	if op != "api_b2b_otp_v1_b2b_otp_sms_Send" {
		t.Fatalf("operationId at the path = %v", op)
	}
	o, err := NewOpenAPI(doc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.Compile(smsSendBody, Request)
	if err != nil {
		t.Fatal(err)
	}
	const req = "#/components/schemas/api_b2b_otp_v1_b2b_otp_sms_SendRequest"
	tests := []struct {
		name string
		v    any
		want []Violation
	}{
		{"minimal", map[string]any{"organization_id": "org-1", "member_id": "m-1"}, nil},
		{"full", map[string]any{"organization_id": "org-1", "member_id": "m-1", "mfa_phone_number": "+12025550123",
			"locale": "pt-br", "intermediate_session_token": "tok"}, nil},
		{"unknown fields allowed", map[string]any{"organization_id": "o", "member_id": "m", "x": 1.0}, nil},
		{"invalid", map[string]any{"member_id": 42.0, "locale": "de", "session_token": "SECRET-TOKEN"}, []Violation{
			{"", req + "/required", `missing required property "organization_id"`},
			{"/locale", "#/components/schemas/api_b2b_otp_v1_SendRequestLocale/enum", `must be one of "en", "es", "pt-br", "fr"`},
			{"/member_id", req + "/properties/member_id/type", "expected string, got number"},
		}},
		{"not an object", []any{}, []Violation{{"", req + "/type", "expected object, got array"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Validate(tc.v)
			got := violations(t, err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got:\n%swant:\n%s", dump(got), dump(tc.want))
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks a value: %s", err)
			}
		})
	}
}

func BenchmarkStytchNewOpenAPIAndCompile(b *testing.B) {
	doc := stytch(b)
	b.ReportAllocs()
	for b.Loop() {
		o, err := NewOpenAPI(doc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := o.Compile(smsSendBody, Request); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStytchValidate(b *testing.B) {
	doc := stytch(b)
	o, _ := NewOpenAPI(doc)
	s, err := o.Compile(smsSendBody, Request)
	if err != nil {
		b.Fatal(err)
	}
	valid := map[string]any{"organization_id": "org-1", "member_id": "m-1", "mfa_phone_number": "+12025550123", "locale": "en"}
	invalid := map[string]any{"member_id": 42.0, "locale": "de"}
	b.Run("valid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if s.Validate(valid) != nil {
				b.Fatal("unexpected error")
			}
		}
	})
	b.Run("invalid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if s.Validate(invalid) == nil {
				b.Fatal("want error")
			}
		}
	})
}

func BenchmarkCompileInputs(b *testing.B) {
	doc := decode(b, arazzoDoc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(doc, "/workflows/0/inputs"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyDefaults(b *testing.B) {
	doc := decode(b, arazzoDoc)
	s := mustCompile(b, doc, "/workflows/0/inputs")
	in := map[string]any{"username": "a", "options": map[string]any{}, "tags": []any{map[string]any{}}}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.ApplyDefaults(in)
	}
}

// TestOpenAPI30Draft7 pins the rules a translated 3.0 Schema Object is
// compiled under (package doc): draft-07, so 2020-12 keywords that the 3.0
// Schema Object does not have are not enforced, while everything the
// translation emits is.
func TestOpenAPI30Draft7(t *testing.T) {
	o := openapi(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Later:
      type: object
      properties: {a: {type: string}}
      unevaluatedProperties: false
      dependentRequired: {a: [b]}
      prefixItems: [{type: string}]
    Emitted:
      type: object
      properties:
        n: {type: number, minimum: 1, exclusiveMinimum: true}
        kind: {type: string, enum: [x], nullable: true}
`)
	later, err := o.Compile("/components/schemas/Later", Response)
	if err != nil {
		t.Fatal(err)
	}
	if err := later.Validate(map[string]any{"a": "x", "extra": 1.0}); err != nil {
		t.Errorf("2020-12 keywords enforced on a 3.0 schema: %v", err)
	}
	emitted, err := o.Compile("/components/schemas/Emitted", Response)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []map[string]any{{"n": 1.0}, {"kind": "y"}} {
		if emitted.Validate(v) == nil {
			t.Errorf("%v: want a violation", v)
		}
	}
	if err := emitted.Validate(map[string]any{"n": 1.5, "kind": nil}); err != nil {
		t.Error(err)
	}
}
