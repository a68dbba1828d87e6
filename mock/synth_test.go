package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"testing"
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
