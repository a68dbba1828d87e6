package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"testing"

	"github.com/telaio/telaio/oas"
)

// Schemas libopenapi's renderer (v0.42), which the mock used to
// synthesize bodies, rendered invalid values for; every answer must pass
// the contract checks.
const repairs31 = `openapi: 3.1.0
info: {title: repairs, version: "1"}
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
                required: [any, noItems, neg, excl, mult, cst, small, nul, enumNum, tuple, nested, big, minlen, dt,
                  maxItems0, intFloat, arrOfArr, oneOfScalars, nullable, minItems]
                properties:
                  any: {}
                  noItems: {type: array}
                  neg: {type: integer, maximum: -5}
                  excl: {type: number, exclusiveMinimum: 10, exclusiveMaximum: 11}
                  mult: {type: integer, minimum: 1, multipleOf: 7}
                  cst: {const: fixed}
                  small: {type: number, minimum: 0.1, maximum: 0.2}
                  nul: {type: "null"}
                  enumNum: {enum: [1, 2]}
                  tuple: {type: array, prefixItems: [{type: string}, {type: integer}], minItems: 2}
                  nested: {type: object, required: [a], properties: {a: {}}}
                  big: {type: integer, minimum: 1000}
                  minlen: {type: string, minLength: 20, maxLength: 25}
                  dt: {type: string, format: date-time}
                  maxItems0: {type: array, maxItems: 0, items: {type: string}}
                  intFloat: {type: integer, format: float}
                  arrOfArr: {type: array, items: {type: array, items: {type: string}}}
                  oneOfScalars: {oneOf: [{type: string}, {type: integer}]}
                  nullable: {type: [string, "null"], format: email}
                  minItems: {type: array, minItems: 3, maxItems: 3, items: {type: integer, minimum: 5, maximum: 5}}
                  writeOnly: {type: string, writeOnly: true}
`

const repairs30 = `openapi: 3.0.3
info: {title: repairs, version: "1"}
paths:
  /t:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/T"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/T"}
components:
  schemas:
    T:
      type: object
      required: [excl, nullable, ro, wo, rec, all]
      properties:
        excl: {type: integer, minimum: 0, maximum: 1, exclusiveMinimum: true}
        nullable: {type: string, nullable: true, enum: [a, b]}
        ro: {type: string, readOnly: true}
        wo: {type: string, writeOnly: true}
        rec: {$ref: "#/components/schemas/Node"}
        all:
          allOf:
            - {type: object, required: [x], properties: {x: {type: integer, maximum: -1}}}
            - {type: object, required: [y], properties: {y: {enum: [true]}}}
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string}
        next: {$ref: "#/components/schemas/Node"}
`

func TestSynthesisRepairs(t *testing.T) {
	for name, doc := range map[string]string{"3.1": repairs31, "3.0": repairs30} {
		t.Run(name, func(t *testing.T) {
			for _, seed := range []int64{0, 1, 2, 3} {
				checkDoc(t, doc, WithSeed(seed), WithRequireAuth(false))
			}
		})
	}
}

func TestAppendJSON(t *testing.T) {
	values := []any{
		nil, true, false, "", "plain", "quote\" back\\slash", "ctl\x00\x01\x1f\n\r\t", "<html> & co",
		"bad utf8 \xff\xfe", "line\u2028sep\u2029", "émoji 🎉",
		0.0, 1.0, -1.5, 1e21, 1e20, 1e-7, 1e-6, 123456789.125, float64(math.MaxInt64), -0.000001234,
		[]any{}, map[string]any{}, []any{1.0, "a", nil, []any{map[string]any{"z": 1.0, "a": []any{}}}},
		map[string]any{"b": 1.0, "a": map[string]any{"d": "x", "c": nil}, "": "empty"},
	}
	for _, v := range values {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := appendJSON(nil, v, nil); !bytes.Equal(got, want) {
			t.Errorf("%#v:\n got %s\nwant %s", v, got, want)
		}
	}
}

func TestAppendJSONPatch(t *testing.T) {
	v := map[string]any{"a": []any{map[string]any{"id": "x", "n": 1.0}}, "id": "y"}
	p := &patch{}
	p.set([]any{"a", 0}, "id", "new\"")
	p.set(nil, "id", "top")
	got := string(appendJSON(nil, v, p))
	want := `{"a":[{"id":"new\"","n":1}],"id":"top"}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if v["id"] != "y" {
		t.Error("patch modified the value")
	}
}

func TestFixNumber(t *testing.T) {
	for _, tt := range []struct {
		doc  string
		want string
	}{
		{"{type: integer, maximum: -5}", "-5"},
		{"{type: integer, minimum: 3, maximum: 3}", "3"},
		{"{type: number, exclusiveMinimum: 0, exclusiveMaximum: 1}", "0.5"},
		{"{type: integer, minimum: 10, multipleOf: 4}", "12"},
	} {
		doc := fmt.Sprintf(`openapi: 3.1.0
info: {title: n, version: "1"}
paths:
  /n:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: %s
`, tt.doc)
		s, err := NewFromBytes([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		m := s.prepare(s.ops[0]).success.media[0]
		g := newGen(s.sd, dirResponse, 0, attempt{}, DefaultSynthNodes, DefaultSynthDepth)
		f := g.flatten([]any{m.schema}, false)
		got := fmt.Sprint(fixNumber(-1000.5, f, f.types[0] == "integer"))
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.doc, got, tt.want)
		}
	}
}

const mediaDoc = `openapi: 3.0.3
info: {title: media, version: "1"}
paths:
  /m:
    get:
      responses:
        "200":
          description: ok
          content:
            application/xml:
              schema: {$ref: "#/components/schemas/Pet"}
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
            application/yaml:
              schema: {$ref: "#/components/schemas/Pet"}
            text/plain:
              schema: {type: string, enum: [pong]}
  /any:
    get:
      responses:
        "200":
          description: ok
          content:
            "*/*":
              schema: {type: object, required: [a], properties: {a: {type: integer, enum: [1]}}}
components:
  schemas:
    Pet:
      type: object
      xml: {name: pet}
      required: [name]
      properties:
        name: {type: string, enum: [Rex]}
`

func TestMediaTypes(t *testing.T) {
	s, err := NewFromBytes([]byte(mediaDoc))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, tt := range []struct {
		path, accept, ctype, body string
	}{
		{"/m", "", "application/json", `{"name":"Rex"}`},
		{"/m", "*/*", "application/json", `{"name":"Rex"}`},
		{"/m", "application/xml", "application/xml", `<?xml version="1.0" encoding="UTF-8"?><pet><name>Rex</name></pet>`},
		{"/m", "application/yaml, text/html", "application/yaml", "name: Rex\n"},
		{"/m", "text/*", "text/plain", "pong"},
		{"/m", "image/png", "application/json", `{"name":"Rex"}`},
		{"/any", "", "application/json", `{"a":1}`},
	} {
		t.Run(tt.accept, func(t *testing.T) {
			e := send(t, ts, "GET", tt.path, "", "Accept: "+tt.accept)
			if e.status != 200 || e.header.Get("Content-Type") != tt.ctype || string(e.body) != tt.body {
				t.Errorf("got %d %q %q, want %q %q", e.status, e.header.Get("Content-Type"), e.body, tt.ctype, tt.body)
			}
		})
	}
}

// Constraints inside composition: every body must pass the contract
// checks, whichever alternative is built.
const combinators31 = `openapi: 3.1.0
info: {title: combinators, version: "1"}
paths:
  /c:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Order"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [pet, shape, drink, ids, code, meta, deps, strict, anyKind, tagged]
                properties:
                  pet: {$ref: "#/components/schemas/Pet"}
                  shape:
                    oneOf:
                      - {type: object, required: [kind, r], properties: {kind: {const: circle}, r: {type: number, exclusiveMinimum: 0}}}
                      - {type: object, required: [kind, w], properties: {kind: {const: square}, w: {type: number}}}
                  drink:
                    anyOf:
                      - allOf:
                          - {$ref: "#/components/schemas/Base"}
                          - {properties: {type: {enum: [coffee]}, shots: {type: integer, minimum: 1, maximum: 3}}, required: [shots]}
                  ids: {type: array, minItems: 3, uniqueItems: true, items: {type: string, enum: [a, b, c, d]}}
                  code: {type: string, pattern: "^[A-Z]{3}-[0-9]{4}$", minLength: 8}
                  meta: {type: object, minProperties: 2, additionalProperties: {type: integer}}
                  deps:
                    type: object
                    properties: {a: {type: string}, b: {type: string}}
                    dependentRequired: {a: [b]}
                  strict:
                    allOf:
                      - {type: object, additionalProperties: false, properties: {x: {type: string}, y: {type: string}}, required: [x]}
                  anyKind:
                    type: object
                    patternProperties: {"^n_": {type: integer}}
                    properties: {n_count: {type: number}}
                    required: [n_count]
                  tagged:
                    oneOf:
                      - {$ref: "#/components/schemas/Cat"}
                      - {$ref: "#/components/schemas/Dog"}
                    discriminator: {propertyName: petType}
components:
  schemas:
    Base:
      type: object
      required: [type]
      properties: {type: {type: string}}
    Order:
      type: object
      required: [item]
      properties:
        item: {type: string, minLength: 2, maxLength: 4}
        when: {type: string, format: date-time}
        id: {type: string, format: uuid, readOnly: true}
    Pet:
      type: object
      required: [petType]
      properties: {petType: {type: string}}
      discriminator:
        propertyName: petType
        mapping: {kitty: "#/components/schemas/Cat", doggo: Dog}
      oneOf:
        - {$ref: "#/components/schemas/Cat"}
        - {$ref: "#/components/schemas/Dog"}
    Cat:
      type: object
      required: [petType, meows]
      properties: {petType: {type: string}, meows: {type: boolean}}
    Dog:
      type: object
      required: [petType, barks]
      properties: {petType: {type: string}, barks: {type: boolean}}
`

const combinators30 = `openapi: 3.0.3
info: {title: combinators, version: "1"}
paths:
  /c:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [pet, maybe, excl, tree]
                properties:
                  pet:
                    oneOf:
                      - {$ref: "#/components/schemas/Cat"}
                      - {$ref: "#/components/schemas/Dog"}
                    discriminator:
                      propertyName: kind
                      mapping: {c: "#/components/schemas/Cat", d: "#/components/schemas/Dog"}
                  maybe: {type: string, nullable: true, enum: [x, y]}
                  excl: {type: number, minimum: 0, maximum: 1, exclusiveMinimum: true, exclusiveMaximum: true}
                  tree: {$ref: "#/components/schemas/Tree"}
components:
  schemas:
    Cat:
      type: object
      required: [kind, lives]
      properties: {kind: {type: string}, lives: {type: integer, enum: [9]}}
    Dog:
      type: object
      required: [kind, good]
      properties: {kind: {type: string}, good: {type: boolean}}
    Tree:
      type: object
      required: [name, parent, children]
      properties:
        name: {type: string}
        parent: {allOf: [{$ref: "#/components/schemas/Tree"}], nullable: true}
        children: {type: array, items: {$ref: "#/components/schemas/Tree"}}
`

// TestConstAndEnumInCombinators pins that const and enum inside
// oneOf/anyOf/allOf branches, discriminators, patterns, uniqueItems and
// the 3.0 dialect give bodies that pass the contract checks.
func TestConstAndEnumInCombinators(t *testing.T) {
	for name, doc := range map[string]string{"3.1": combinators31, "3.0": combinators30} {
		t.Run(name, func(t *testing.T) {
			for _, seed := range []int64{0, 1, 2, 3} {
				checkDoc(t, doc, WithSeed(seed), WithRequireAuth(false))
			}
		})
	}
}

// TestLongCycleOfOptionalSchemas pins issue 15 #5: a long cycle of
// optional schemas (S0.next is S1, ..., the last's is S0, with arrays and
// oneOfs between them) is answered with a valid, bounded body, not a 500.
func TestLongCycleOfOptionalSchemas(t *testing.T) {
	src := largeDescription(400, 3)
	doc, err := oas.Load(src, "cycle.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, limits := range [][2]int{{0, 0}, {50, 3}, {1, 1}} {
		t.Run(fmt.Sprint(limits), func(t *testing.T) {
			s, err := New(doc, WithSynthesisLimits(limits[0], limits[1]))
			if err != nil {
				t.Fatal(err)
			}
			checkAllOperations(t, doc, s)
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/resources0/x", nil)
			r.Header.Set("Authorization", "Bearer t")
			s.ServeHTTP(w, r)
			if w.Code != 200 || w.Body.Len() > 1<<20 {
				t.Errorf("status %d, %d bytes", w.Code, w.Body.Len())
			}
		})
	}
}
