package schema

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// zoo has overlapping alternatives: {petType: Cat, name: x} is valid
// against both Cat and Dog.
const zoo = `
openapi: 3.0.3
info: {title: zoo, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      oneOf:
        - $ref: '#/components/schemas/Cat'
        - $ref: '#/components/schemas/Dog'
      discriminator: {propertyName: petType}
    Mapped:
      type: object
      required: [petType]
      anyOf:
        - $ref: '#/components/schemas/Cat'
        - $ref: '#/components/schemas/Dog'
      discriminator:
        propertyName: petType
        mapping:
          cat: '#/components/schemas/Cat'
          dog: Dog
    Owner:
      type: object
      properties:
        pet:
          nullable: true
          oneOf:
            - $ref: '#/components/schemas/Cat'
            - $ref: '#/components/schemas/Dog'
          discriminator: {propertyName: petType}
    Cat:
      type: object
      properties:
        petType: {type: string}
        name: {type: string}
        meows: {type: boolean}
    Dog:
      type: object
      properties:
        petType: {type: string}
        name: {type: string}
        barks: {type: boolean}
    Base:
      type: object
      required: [kind]
      properties:
        kind: {type: string}
      discriminator:
        propertyName: kind
        mapping: {lion: Lion}
    Lion:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            roars: {type: boolean}
    Broken:
      oneOf: [{$ref: '#/components/schemas/Cat'}]
      discriminator: {propertyName: petType, mapping: {x: Nope}}
    Remote:
      oneOf: [{$ref: '#/components/schemas/Cat'}]
      discriminator: {propertyName: petType, mapping: {x: 'other.yaml#/components/schemas/X'}}
    Animal:
      oneOf: [{$ref: '#/components/schemas/Bird'}]
      discriminator: {propertyName: kind}
    Bird:
      allOf:
        - $ref: '#/components/schemas/Animal'
        - properties: {wings: {type: integer}}
`

func TestDiscriminator(t *testing.T) {
	const (
		cat = "#/components/schemas/Cat"
		dog = "#/components/schemas/Dog"
	)
	obj := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name   string
		schema string
		v      any
		want   []Violation
		only30 bool
	}{
		{"overlapping alternatives: the value selects", "Pet", obj("petType", "Cat", "name", "Tom"), nil, false},
		{"only the selected alternative applies", "Pet", obj("petType", "Cat", "barks", "loud"), nil, false},
		{"violation inside the selected alternative", "Pet", obj("petType", "Cat", "meows", "yes"), []Violation{
			{"/meows", cat + "/properties/meows/type", "expected boolean, got string"}}, false},
		{"missing property: oneOf as written", "Pet", obj("name", "Tom"), []Violation{
			{"", "#/components/schemas/Pet/oneOf", "matches more than one alternative of oneOf (0 and 1)"}}, false},
		{"missing property, one alternative fits", "Pet", obj("meows", "yes"), nil, false},
		{"unknown value: oneOf as written", "Pet", obj("petType", "Cow"), []Violation{
			{"", "#/components/schemas/Pet/oneOf", "matches more than one alternative of oneOf (0 and 1)"}}, false},
		{"values are case-sensitive", "Pet", obj("petType", "cat", "meows", "yes"), nil, false},
		{"not an object", "Pet", "Tom", []Violation{
			{"", "#/components/schemas/Pet/oneOf", "expected object, got string"}}, false},
		{"mapping to a $ref", "Mapped", obj("petType", "cat", "meows", "yes"), []Violation{
			{"/meows", cat + "/properties/meows/type", "expected boolean, got string"}}, false},
		{"mapping to a bare name", "Mapped", obj("petType", "dog", "barks", "yes"), []Violation{
			{"/barks", dog + "/properties/barks/type", "expected boolean, got string"}}, false},
		{"unmapped schema name still selects", "Mapped", obj("petType", "Dog", "barks", "yes"), []Violation{
			{"/barks", dog + "/properties/barks/type", "expected boolean, got string"}}, false},
		{"unknown value: anyOf as written", "Mapped", obj("petType", "cow", "barks", "yes"), nil, false},
		{"missing property: only required says so", "Mapped", obj(), []Violation{
			{"", "#/components/schemas/Mapped/required", `missing required property "petType"`}}, false},
		{"nested and nullable", "Owner", obj("pet", obj("petType", "Dog", "barks", 1.0)), []Violation{
			{"/pet/barks", dog + "/properties/barks/type", "expected boolean, got number"}}, false},
		{"nullable 3.0", "Owner", obj("pet", nil), nil, true},
		{"allOf inheritance: the base does not dispatch", "Base", obj("kind", "lion", "roars", "loud"), nil, false},
		{"allOf inheritance: the subtype as written", "Lion", obj("kind", "lion", "roars", "loud"), []Violation{
			{"/roars", "#/components/schemas/Lion/allOf/1/properties/roars/type", "expected boolean, got string"}}, false},
		{"allOf inheritance: no recursion", "Lion", obj("kind", "tiger"), nil, false},
	}
	for _, version := range []string{"3.0.3", "3.1.0"} {
		o := openapi(t, strings.Replace(zoo, "openapi: 3.0.3", "openapi: "+version, 1))
		for _, tc := range tests {
			if tc.only30 && version != "3.0.3" {
				continue
			}
			t.Run(version+"/"+tc.name, func(t *testing.T) {
				for _, dir := range []Direction{Request, Response} {
					s, err := o.Compile("/components/schemas/"+tc.schema, dir)
					if err != nil {
						t.Fatal(err)
					}
					got := violations(t, s.Validate(tc.v))
					if !reflect.DeepEqual(got, tc.want) {
						t.Errorf("%s: got:\n%swant:\n%s", dir, dump(got), dump(tc.want))
					}
				}
			})
		}
	}
}

func TestDiscriminatorAccessors(t *testing.T) {
	o := openapi(t, zoo)
	s, err := o.Compile("/components/schemas/Mapped", Response)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Types(); !reflect.DeepEqual(got, []string{"object"}) {
		t.Errorf("Types = %v", got)
	}
	if got := s.Required(); !reflect.DeepEqual(got, []string{"petType"}) {
		t.Errorf("Required = %v", got)
	}
	if s.Location() != "#/components/schemas/Mapped" {
		t.Errorf("Location = %s", s.Location())
	}
	pet := s.Properties()
	if len(pet) != 0 {
		t.Errorf("Properties of alternatives must not leak: %v", pet)
	}
}

func TestDiscriminatorCompileErrors(t *testing.T) {
	for _, version := range []string{"3.0.3", "3.1.0"} {
		o := openapi(t, strings.Replace(zoo, "openapi: 3.0.3", "openapi: "+version, 1))
		for _, tc := range []struct{ schema, ref string }{
			{"Broken", "#/components/schemas/Nope"},
			{"Remote", "other.yaml#/components/schemas/X"},
		} {
			_, err := o.Compile("/components/schemas/"+tc.schema, Request)
			var ce *CompileError
			var re *RefError
			if !errors.As(err, &ce) || !errors.As(err, &re) || re.Ref != tc.ref {
				t.Errorf("%s %s: want a CompileError wrapping a RefError for %s, got %v", version, tc.schema, tc.ref, err)
			}
		}
	}
}

// A oneOf whose alternative refers back to it through allOf is cyclic as
// written; validation must end with an error, not hang or panic.
func TestDiscriminatorCycle(t *testing.T) {
	o := openapi(t, zoo)
	s, err := o.Compile("/components/schemas/Animal", Request)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{map[string]any{"kind": "Bird"}, map[string]any{"kind": "x"}} {
		if err := s.Validate(v); err == nil {
			t.Errorf("%v: want an error", v)
		} else {
			t.Log(err)
		}
	}
}
