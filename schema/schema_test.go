package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/telaio/telaio/internal/yamlx"
)

func decode(t testing.TB, src string) any {
	t.Helper()
	v, err := yamlx.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustCompile(t testing.TB, root any, ptr string, opts ...Option) *Schema {
	t.Helper()
	s, err := Compile(root, ptr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func violations(t *testing.T, err error) []Violation {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %T %v", err, err)
	}
	return ve.Violations
}

const arazzoDoc = `
arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions: [{name: api, url: ./api.yaml}]
workflows:
  - workflowId: login
    inputs:
      $ref: '#/components/inputs/credentials'
    steps: []
  - workflowId: inline
    inputs:
      type: object
      required: [count]
      properties:
        count: {type: integer, minimum: 1}
components:
  inputs:
    credentials:
      type: object
      required: [username, password]
      properties:
        username: {type: string, minLength: 3}
        password: {type: string, format: password}
        region:
          $ref: '#/components/inputs/region'
        options:
          type: object
          properties:
            retries: {type: integer, default: 3}
            verbose: {type: boolean, default: false}
        tags:
          type: array
          items:
            type: object
            properties:
              weight: {type: number, default: 1.5}
    region:
      type: string
      enum: [eu, us]
      default: eu
`

func TestCompileInputsWithRefToComponents(t *testing.T) {
	doc := decode(t, arazzoDoc)
	s := mustCompile(t, doc, "/workflows/0/inputs")
	tests := []struct {
		name string
		in   string
		want []Violation
	}{
		{"valid", `{"username":"alice","password":"pw","region":"us"}`, nil},
		{"missing both", `{}`, []Violation{
			{"", "#/components/inputs/credentials/required", `missing required property "password"`},
			{"", "#/components/inputs/credentials/required", `missing required property "username"`},
		}},
		{"through nested ref", `{"username":"alice","password":"pw","region":"mars"}`, []Violation{
			{"/region", "#/components/inputs/region/enum", `must be one of "eu", "us"`},
		}},
		{"not an object", `"alice"`, []Violation{
			{"", "#/components/inputs/credentials/type", "expected object, got string"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.in), &v); err != nil {
				t.Fatal(err)
			}
			got := violations(t, s.Validate(v))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestValidateListsEveryViolation(t *testing.T) {
	doc := decode(t, `
type: object
required: [id, name]
additionalProperties: false
properties:
  id: {type: integer}
  name: {type: string, minLength: 2, maxLength: 5, pattern: '^[a-z]+$'}
  age: {type: integer, minimum: 0, maximum: 150}
  ratio: {type: number, exclusiveMaximum: 1, multipleOf: 0.25}
  tags: {type: array, items: {type: string}, uniqueItems: true, maxItems: 3}
  child:
    type: object
    properties:
      when: {type: string, format: date-time}
`)
	s := mustCompile(t, doc, "")
	v := map[string]any{
		"name":  "X",
		"age":   200.0,
		"ratio": 1.1,
		"tags":  []any{"a", "a", 3.0, "d"},
		"extra": true,
		"child": map[string]any{"when": "yesterday"},
	}
	got := violations(t, s.Validate(v))
	want := []Violation{
		{"", "#/required", `missing required property "id"`},
		{"/age", "#/properties/age/maximum", "must be <= 150"},
		{"/child/when", "#/properties/child/properties/when/format", `is not a valid "date-time"`},
		{"/extra", "#/additionalProperties", "property is not allowed (additionalProperties)"},
		{"/name", "#/properties/name/minLength", "must be at least 2 characters long"},
		{"/name", "#/properties/name/pattern", `does not match pattern "^[a-z]+$"`},
		{"/ratio", "#/properties/ratio/exclusiveMaximum", "must be < 1"},
		{"/ratio", "#/properties/ratio/multipleOf", "must be a multiple of 0.25"},
		{"/tags", "#/properties/tags/maxItems", "has 4 items, want at most 3"},
		{"/tags", "#/properties/tags/uniqueItems", "items 0 and 1 are equal (uniqueItems)"},
		{"/tags/2", "#/properties/tags/items/type", "expected string, got number"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", dump(got), dump(want))
	}
	err := s.Validate(v)
	if lines := strings.Count(err.Error(), "\n") + 1; lines != len(want) {
		t.Errorf("Error() has %d lines, want %d:\n%s", lines, len(want), err)
	}
	if !strings.Contains(err.Error(), "at /tags/2: expected string, got number") {
		t.Errorf("Error() = %s", err)
	}
}

func dump(vs []Violation) string {
	var sb strings.Builder
	for _, v := range vs {
		sb.WriteString(v.InstancePath + " | " + v.SchemaPath + " | " + v.Message + "\n")
	}
	return sb.String()
}

func TestErrorsNeverQuoteInstanceValues(t *testing.T) {
	doc := decode(t, `
type: object
properties:
  a: {type: string, pattern: '^x'}
  b: {type: string, enum: [one, two]}
  c: {type: string, format: email}
  d: {type: string, maxLength: 3}
  e: {const: fixed}
  f: {type: integer}
  g: {not: {type: string}}
  h: {type: string, format: uuid}
  i: {oneOf: [{type: string, minLength: 100}, {type: string, maxLength: 1}]}
propertyNames: {maxLength: 10}
`)
	s := mustCompile(t, doc, "")
	secret := "hunter2-SECRET"
	v := map[string]any{"a": secret, "b": secret, "c": secret, "d": secret, "e": secret, "f": secret, "g": secret, "h": secret, "i": secret}
	err := s.Validate(v)
	if err == nil {
		t.Fatal("want errors")
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error leaks the value:\n%s", err)
	}
	if n := len(violations(t, err)); n != 9 {
		t.Errorf("got %d violations, want 9:\n%s", n, err)
	}
}

func TestApplyDefaults(t *testing.T) {
	doc := decode(t, arazzoDoc)
	s := mustCompile(t, doc, "/workflows/0/inputs")
	tests := []struct {
		name, in, want string
	}{
		{"top-level through $ref", `{"username":"a"}`, `{"username":"a","region":"eu"}`},
		{"present value kept", `{"region":"us"}`, `{"region":"us"}`},
		{"nested object present", `{"options":{}}`, `{"options":{"retries":3,"verbose":false},"region":"eu"}`},
		{"nested partially set", `{"options":{"retries":0}}`, `{"options":{"retries":0,"verbose":false},"region":"eu"}`},
		{"array items", `{"tags":[{},{"weight":2}]}`, `{"tags":[{"weight":1.5},{"weight":2}],"region":"eu"}`},
		{"nil root", `null`, `{"region":"eu"}`},
		{"not an object", `"x"`, `"x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in, want any
			json.Unmarshal([]byte(tc.in), &in)
			json.Unmarshal([]byte(tc.want), &want)
			before, _ := json.Marshal(in)
			got := s.ApplyDefaults(in)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			after, _ := json.Marshal(in)
			if string(before) != string(after) {
				t.Errorf("input modified: %s -> %s", before, after)
			}
		})
	}
}

func TestApplyDefaultsAllOfAndRootDefault(t *testing.T) {
	doc := decode(t, `
defs:
  base:
    properties:
      kind: {default: basic}
  withDefault:
    type: object
    default: {size: 1}
    properties:
      size: {type: integer}
      unit: {type: string, default: cm}
  wrapper:
    allOf:
      - $ref: '#/defs/base'
      - properties:
          level: {default: 2}
`)
	s := mustCompile(t, doc, "/defs/wrapper")
	got := s.ApplyDefaults(map[string]any{})
	want := map[string]any{"kind": "basic", "level": 2.0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("allOf: got %v", got)
	}
	s = mustCompile(t, doc, "/defs/withDefault")
	got = s.ApplyDefaults(nil)
	want = map[string]any{"size": 1.0, "unit": "cm"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("root default: got %v", got)
	}
	// the schema's default is copied, not shared
	got.(map[string]any)["size"] = 9.0
	if again := s.ApplyDefaults(nil); again.(map[string]any)["size"] != 1.0 {
		t.Error("default value was shared with a result")
	}
}

func TestCircularRefs(t *testing.T) {
	doc := decode(t, `
components:
  schemas:
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string}
        label: {type: string, default: none}
        children:
          type: array
          items: {$ref: '#/components/schemas/Node'}
        parent: {$ref: '#/components/schemas/Node'}
`)
	s := mustCompile(t, doc, "/components/schemas/Node")
	v := map[string]any{"name": "a", "children": []any{
		map[string]any{"name": "b", "children": []any{map[string]any{"name": 1.0}}},
		map[string]any{"parent": map[string]any{"name": "c"}},
	}}
	got := violations(t, s.Validate(v))
	want := []Violation{
		{"/children/0/children/0/name", "#/components/schemas/Node/properties/name/type", "expected string, got number"},
		{"/children/1", "#/components/schemas/Node/required", `missing required property "name"`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s", dump(got))
	}
	filled := s.ApplyDefaults(v).(map[string]any)
	deep := filled["children"].([]any)[1].(map[string]any)["parent"].(map[string]any)
	if deep["label"] != "none" {
		t.Errorf("defaults through a recursive ref: %v", deep)
	}
}

func TestCompileErrors(t *testing.T) {
	doc := decode(t, `
a: {$ref: 'https://example.com/other.json#/x'}
b: {$ref: '#/nowhere'}
c: {type: 5}
d: {properties: {x: {$ref: 'other.yaml#/X'}}}
`)
	tests := []struct {
		ptr, ref, contains string
	}{
		{"/a", "https://example.com/other.json#/x", "remote references are not supported"},
		{"/b", "#/nowhere", "target not found"},
		{"/c", "", "invalid schema"},
		{"/d", "other.yaml#/X", "remote references"},
		{"/missing", "", "no value at this pointer"},
		{"a/b", "", "must be empty or start with '/'"},
	}
	for _, tc := range tests {
		t.Run(tc.ptr, func(t *testing.T) {
			_, err := Compile(doc, tc.ptr)
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("want *CompileError, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not contain %q", err, tc.contains)
			}
			var re *RefError
			if tc.ref != "" && (!errors.As(err, &re) || re.Ref != tc.ref) {
				t.Errorf("want RefError for %q, got %v", tc.ref, err)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		format string
		good   []any
		bad    []any
	}{
		{"uuid", []any{"123e4567-e89b-12d3-a456-426614174000"}, []any{"123e4567"}},
		{"date-time", []any{"2024-05-01T10:00:00Z"}, []any{"2024-05-01 10:00"}},
		{"date", []any{"2024-05-01"}, []any{"2024-13-01"}},
		{"email", []any{"a@example.com"}, []any{"not-an-email"}},
		{"uri", []any{"https://example.com/x"}, []any{"/relative"}},
		{"ipv4", []any{"10.0.0.1"}, []any{"10.0.0.256"}},
		{"ipv6", []any{"::1"}, []any{"1:::2"}},
		{"int32", []any{2147483647.0, -2147483648.0, 7}, []any{2147483648.0, 1.5}},
		{"int64", []any{9007199254740992.0, json.Number("9223372036854775807")}, []any{1e19, json.Number("9223372036854775808")}},
		{"byte", []any{"aGVsbG8=", "aGVsbG8"}, []any{"***"}},
		{"password", []any{"anything"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			doc := map[string]any{"format": tc.format}
			s := mustCompile(t, doc, "")
			off := mustCompile(t, doc, "", WithFormatAssertion(false))
			for _, g := range tc.good {
				if err := s.Validate(g); err != nil {
					t.Errorf("%v: %v", g, err)
				}
			}
			for _, b := range tc.bad {
				if err := s.Validate(b); err == nil {
					t.Errorf("%v: want a violation", b)
				}
				if err := off.Validate(b); err != nil {
					t.Errorf("%v with assertion off: %v", b, err)
				}
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	doc := decode(t, arazzoDoc)
	s := mustCompile(t, doc, "/workflows/0/inputs")
	if got := s.Location(); got != "#/workflows/0/inputs" {
		t.Errorf("Location = %q", got)
	}
	raw, _ := s.Raw().(map[string]any)
	if raw["type"] != "object" {
		t.Errorf("Raw not resolved through $ref: %v", raw)
	}
	if got := s.Types(); !reflect.DeepEqual(got, []string{"object"}) {
		t.Errorf("Types = %v", got)
	}
	if got := s.Required(); !reflect.DeepEqual(got, []string{"username", "password"}) {
		t.Errorf("Required = %v", got)
	}
	props := s.Properties()
	if len(props) != 5 {
		t.Fatalf("Properties = %v", props)
	}
	if f := props["password"].Format(); f != "password" {
		t.Errorf("Format = %q", f)
	}
	region := props["region"]
	if got := region.Types(); !reflect.DeepEqual(got, []string{"string"}) {
		t.Errorf("region Types = %v", got)
	}
	if err := region.Validate("mars"); err == nil {
		t.Error("property schema does not validate")
	}
	if got := region.Location(); got != "#/components/inputs/credentials/properties/region" {
		t.Errorf("region Location = %q", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	doc := decode(t, petstore30)
	o, err := NewOpenAPI(doc)
	if err != nil {
		t.Fatal(err)
	}
	ptrs := []string{"/components/schemas/Pet", "/components/schemas/NewPet", "/components/schemas/Owner"}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir := Direction(i%2 + 1)
			s, err := o.Compile(ptrs[i%len(ptrs)], dir)
			if err != nil {
				t.Error(err)
				return
			}
			for range 20 {
				_ = s.Validate(map[string]any{"id": "x", "name": 3.0})
				_ = s.ApplyDefaults(nil)
			}
		}()
	}
	wg.Wait()
}
