package schema

import (
	"errors"
	"reflect"
	"testing"
)

// TestOpenAPIBundles compiles schemas of one document one after the other,
// as contract checks do: later schemas refer to subtrees an earlier call
// brought in (another bundle resource), a failed include leaves nothing
// behind, and every location is reported in the caller's document.
func TestOpenAPIBundles(t *testing.T) {
	for _, version := range []string{"3.0.3", "3.1.0"} {
		t.Run(version, func(t *testing.T) {
			o := openapi(t, `
openapi: `+version+`
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    A:
      type: object
      properties: {b: {$ref: '#/components/schemas/B'}}
    B:
      type: object
      required: [x]
      properties: {x: {type: integer}}
    C:
      type: object
      properties:
        ok: {type: string}
        bad: {$ref: '#/components/schemas/Missing'}
    D:
      type: array
      items: {$ref: '#/components/schemas/A'}
    E:
      $ref: '#/components/schemas/C/properties/ok'
`)
			a := mustOpenAPI(t, o, "/components/schemas/A")
			wantB := []Violation{{"/b/x", "#/components/schemas/B/properties/x/type", "expected integer, got string"}}
			if got := violations(t, a.Validate(map[string]any{"b": map[string]any{"x": "1"}})); !reflect.DeepEqual(got, wantB) {
				t.Errorf("A: %v", got)
			}
			for range 2 { // a failed compilation is not cached
				_, err := o.Compile("/components/schemas/C", Response)
				var ce *CompileError
				if !errors.As(err, &ce) || ce.Reason != "unresolvable $ref" {
					t.Fatalf("C: %v", err)
				}
			}
			d := mustOpenAPI(t, o, "/components/schemas/D")
			if d.Location() != "#/components/schemas/D" {
				t.Errorf("D location %s", d.Location())
			}
			wantD := []Violation{{"/1/b", "#/components/schemas/B/required", `missing required property "x"`}}
			if got := violations(t, d.Validate([]any{map[string]any{}, map[string]any{"b": map[string]any{}}})); !reflect.DeepEqual(got, wantD) {
				t.Errorf("D: %v", got)
			}
			e := mustOpenAPI(t, o, "/components/schemas/E")
			if e.Validate("s") != nil || e.Validate(1.0) == nil {
				t.Error("E: the part of C that compiles must still work")
			}
			if b := mustOpenAPI(t, o, "/components/schemas/B"); b.Location() != "#/components/schemas/B" || b.Validate(map[string]any{"x": 1.0}) != nil {
				t.Errorf("B: %s", b.Location())
			}
		})
	}
}

func mustOpenAPI(t *testing.T, o *OpenAPI, ptr string) *Schema {
	t.Helper()
	s, err := o.Compile(ptr, Response)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// BenchmarkStytchCompileResponses compiles the schemas of the two 200
// responses of the SMS seed (what its contract checks need), from a fresh
// OpenAPI value each time.
func BenchmarkStytchCompileResponses(b *testing.B) {
	doc := stytch(b)
	ptrs := []string{
		"/paths/~1v1~1b2b~1otps~1sms~1send/post/responses/200/content/application~1json/schema",
		"/paths/~1v1~1b2b~1otps~1sms~1authenticate/post/responses/200/content/application~1json/schema",
	}
	b.ReportAllocs()
	for b.Loop() {
		o, err := NewOpenAPI(doc)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ptrs {
			if _, err := o.Compile(p, Response); err != nil {
				b.Fatal(err)
			}
		}
	}
}
