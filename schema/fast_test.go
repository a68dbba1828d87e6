package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/telaio/telaio/internal/yamlx"
)

func (r verdict) String() string {
	switch r {
	case vValid:
		return "valid"
	case vInvalid:
		return "invalid"
	case vUnsure:
		return "unsure"
	}
	return fmt.Sprintf("verdict(%d)", uint8(r))
}

// fastVerdict is the fast path's answer; vUnsure when s has no program.
func fastVerdict(s *Schema, v any) verdict {
	p := s.fastProgram()
	if p == nil {
		return vUnsure
	}
	return p.run(v)
}

// agree checks the invariant for (s, v), a sure fast answer being the
// library's answer, and returns the fast answer and the library's.
func agree(t testing.TB, s *Schema, v any, what string) (verdict, bool) {
	t.Helper()
	got := fastVerdict(s, v)
	lib := s.lib.Validate(v) == nil
	if got == vValid && !lib || got == vInvalid && lib {
		t.Fatalf("%s: fast path says %v, library says valid=%v", what, got, lib)
	}
	return got, lib
}

func jsonValue(t testing.TB, src string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

func jsonValueYAML(t testing.TB, src string) any {
	t.Helper()
	v, err := yamlx.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const (
	draft4    = `"$schema": "http://json-schema.org/draft-04/schema#", `
	draft6    = `"$schema": "http://json-schema.org/draft-06/schema#", `
	draft7    = `"$schema": "http://json-schema.org/draft-07/schema#", `
	draft2019 = `"$schema": "https://json-schema.org/draft/2019-09/schema", `
	draft2020 = `"$schema": "https://json-schema.org/draft/2020-12/schema", `
)

var allDrafts = []string{draft4, draft6, draft7, draft2019, draft2020, ""}

type fastCase struct {
	name       string
	schema     string   // JSON
	opts       []Option // compile options
	valid      []string // the library accepts them and the fast path is sure
	invalid    []string // the library rejects them (the fast path must not say valid)
	unsure     []string // the fast path is unsure (the library may say either)
	ineligible bool     // the schema gets no program at all
}

// forDrafts repeats a case (its schema an object body without braces)
// under each draft.
func forDrafts(drafts []string, c fastCase) []fastCase {
	var out []fastCase
	for _, d := range drafts {
		x := c
		x.name = c.name + "/" + draftName(d)
		x.schema = "{" + d + c.schema + "}"
		out = append(out, x)
	}
	return out
}

func draftName(d string) string {
	switch d {
	case draft4:
		return "4"
	case draft6:
		return "6"
	case draft7:
		return "7"
	case draft2019:
		return "2019"
	case draft2020:
		return "2020"
	}
	return "default"
}

func fastCases() []fastCase {
	all := allDrafts
	from6 := []string{draft6, draft7, draft2019, draft2020}
	from2019 := []string{draft2019, draft2020, ""}
	var cs []fastCase
	add := func(c ...fastCase) { cs = append(cs, c...) }

	// type
	add(forDrafts(all, fastCase{name: "integer", schema: `"type": "integer"`,
		valid:   []string{`1`, `1.0`, `-0`, `1e300`, `9007199254740993`, `-4503599627370497`},
		invalid: []string{`1.5`, `"1"`, `null`, `[]`, `{}`, `true`, `1e-300`, `4503599627370495.5`}})...)
	add(forDrafts(all, fastCase{name: "types", schema: `"type": ["string", "null", "boolean"]`,
		valid: []string{`"x"`, `null`, `false`}, invalid: []string{`1`, `[]`, `{}`}})...)
	add(forDrafts(all, fastCase{name: "number", schema: `"type": ["number", "array", "object"]`,
		valid: []string{`1.5`, `0`, `[]`, `{}`}, invalid: []string{`"1"`, `null`}})...)
	add(fastCase{name: "true", schema: `true`, valid: []string{`1`, `{}`, `null`}},
		fastCase{name: "false", schema: `false`, invalid: []string{`1`, `{}`, `null`}})
	add(forDrafts(from6, fastCase{name: "false property", schema: `"properties": {"a": false, "b": true}`,
		valid: []string{`{}`, `{"b": 1}`, `1`}, invalid: []string{`{"a": 1}`}})...)

	// const, enum
	add(forDrafts(from6, fastCase{name: "const", schema: `"const": {"a": [1, "x", null, true, 0.1]}`,
		valid:   []string{`{"a": [1.0, "x", null, true, 0.1]}`},
		invalid: []string{`{"a": [1, "x", null, false, 0.1]}`, `{"a": [1, "x", null, true]}`, `{"a": [1, "x", null, true, 0.1], "b": 1}`, `1`, `{}`}})...)
	add(forDrafts(from6, fastCase{name: "const zero", schema: `"const": 0`,
		valid: []string{`-0`, `0.0`, `0`}, invalid: []string{`1e-300`, `"0"`, `false`, `null`}})...)
	add(forDrafts(all, fastCase{name: "enum", schema: `"enum": [1, "a", null, 0.1, [1, 2], {"k": false}]`,
		valid:   []string{`1`, `"a"`, `null`, `0.1`, `[1, 2]`, `{"k": false}`, `1.0`},
		invalid: []string{`2`, `"b"`, `[2, 1]`, `{"k": true}`, `true`, `0.30000000000000004`, `[1]`, `{}`}})...)
	add(forDrafts(from2019, fastCase{name: "empty enum", schema: `"enum": []`, invalid: []string{`1`, `null`}})...)

	// numbers
	add(forDrafts(all, fastCase{name: "min max", schema: `"minimum": 1, "maximum": 10`,
		valid:   []string{`1`, `10`, `5.5`, `"x"`, `1.0000000000000002`, `9.999999999999998`},
		invalid: []string{`0.999`, `10.5`, `-1`, `0.9999999999999999`, `10.000000000000002`}})...)
	add(forDrafts(from6, fastCase{name: "exclusive", schema: `"exclusiveMinimum": 0, "exclusiveMaximum": 1`,
		valid: []string{`0.5`, `5e-324`, `0.9999999999999999`}, invalid: []string{`0`, `1`, `-0`, `2`, `-5e-324`}})...)
	add(forDrafts([]string{draft4}, fastCase{name: "exclusive bool",
		schema: `"minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true`,
		valid:  []string{`0.5`}, invalid: []string{`0`, `1`}})...)
	add(forDrafts(all, fastCase{name: "decimal bound", schema: `"maximum": 0.1, "minimum": -0.3`,
		valid:   []string{`0.05`, `0`, `-0.29`, `-0.2`},
		invalid: []string{`0.2`, `-0.31`},
		unsure:  []string{`0.1`, `0.10000000000000002`, `0.09999999999999999`, `-0.3`}})...)
	add(forDrafts(all, fastCase{name: "huge bound", schema: `"minimum": 1e308, "maximum": 1.7976931348623157e308`,
		valid: []string{`1.5e308`}, invalid: []string{`1`, `-1e308`}, unsure: []string{`1e308`, `1.7976931348623157e308`}})...)
	add(forDrafts(all, fastCase{name: "bound beyond 2^53", schema: `"maximum": 9007199254740993`,
		valid: []string{`9007199254740991`, `1e15`}, invalid: []string{`9007199254740994`, `1e16`},
		unsure: []string{`9007199254740992`}})...)
	add(forDrafts(all, fastCase{name: "multipleOf", schema: `"multipleOf": 3`,
		valid:   []string{`9`, `0`, `-3`, `-0`, `3e15`, `"x"`, `3e20`},
		invalid: []string{`10`, `4.5`, `0.1`, `1e20`}})...)
	add(forDrafts(all, fastCase{name: "multipleOf fraction", schema: `"multipleOf": 0.01`,
		valid: []string{`"x"`, `null`, `0.07`, `1`, `-12.34`, `0`, `1e300`, `19.99`}, invalid: []string{`0.075`, `1e-300`, `0.001`}})...)
	add(forDrafts(all, fastCase{name: "multipleOf 2.5", schema: `"multipleOf": 2.5`,
		valid: []string{`7.5`, `-5`, `1e20`}, invalid: []string{`1`, `2.4999999999999996`}})...)

	// strings
	add(forDrafts(all, fastCase{name: "length", schema: `"minLength": 2, "maxLength": 3`,
		valid:   []string{`"ab"`, `"héé"`, `"日本"`, `1`},
		invalid: []string{`"a"`, `"abcd"`, `"日本語のテ"`, `""`}})...)
	add(forDrafts(all, fastCase{name: "pattern", schema: `"pattern": "^a+$"`,
		valid: []string{`"aaa"`, `1`}, invalid: []string{`"ab"`, `""`}})...)
	add(forDrafts(all, fastCase{name: "unanchored pattern", schema: `"pattern": "b"`,
		valid: []string{`"abc"`}, invalid: []string{`"ac"`}})...)
	add(fastCase{name: "pattern RE2 cannot compile", schema: `{"pattern": "(?=a)b"}`, valid: []string{`"zzz"`}})

	// formats
	add(forDrafts(all, fastCase{name: "date-time", schema: `"format": "date-time"`,
		valid: []string{`"2025-01-02T03:04:05Z"`, `1`}, invalid: []string{`"yesterday"`}})...)
	add(fastCase{name: "date-time not asserted", schema: `{"format": "date-time"}`, opts: []Option{WithFormatAssertion(false)},
		valid: []string{`"yesterday"`}})
	add(fastCase{name: "email", schema: `{"format": "email"}`, valid: []string{`"a@b.example"`}, invalid: []string{`"a"`}})
	add(fastCase{name: "uuid", schema: `{"format": "uuid"}`, valid: []string{`"123e4567-e89b-12d3-a456-426614174000"`}, invalid: []string{`"123"`}})
	add(fastCase{name: "unknown format", schema: `{"format": "password"}`, valid: []string{`"x"`}})
	add(fastCase{name: "int32", schema: `{"format": "int32"}`,
		valid:   []string{`2147483647`, `-2147483648`, `"x"`, `0`, `-0`},
		invalid: []string{`2147483648`, `1.5`, `-2147483649`}})
	add(fastCase{name: "int64", schema: `{"format": "int64"}`,
		valid:   []string{`-9223372036854775808`, `9223372036854774784`, `1e18`},
		invalid: []string{`9223372036854775807`, `1e19`, `0.5`}})
	add(fastCase{name: "double", schema: `{"format": "double"}`, valid: []string{`1.5`, `"x"`}})
	add(fastCase{name: "byte", schema: `{"format": "byte"}`, valid: []string{`"aGk="`}, invalid: []string{`"!"`}})

	// objects
	add(forDrafts(all, fastCase{name: "properties",
		schema:  `"properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": false`,
		valid:   []string{`{"a": "x"}`, `1`},
		invalid: []string{`{}`, `{"a": 1}`, `{"a": "x", "b": 1}`}})...)
	add(forDrafts(all, fastCase{name: "additional schema", schema: `"additionalProperties": {"type": "integer"}`,
		valid: []string{`{"x": 1}`, `{}`}, invalid: []string{`{"x": "1"}`}})...)
	add(forDrafts(all, fastCase{name: "patternProperties",
		schema: `"properties": {"id": {}}, "patternProperties": {"^x-": {"type": "string"}, "y$": {"minLength": 2}}, "additionalProperties": false`,
		valid:  []string{`{"x-a": "1"}`, `{}`, `{"id": 1, "x-y": "ab"}`}, invalid: []string{`{"x-a": 1}`, `{"z": 1}`, `{"x-y": "a"}`}})...)
	add(forDrafts(all, fastCase{name: "min max properties", schema: `"minProperties": 1, "maxProperties": 2`,
		valid: []string{`{"a": 1}`, `[]`}, invalid: []string{`{}`, `{"a": 1, "b": 2, "c": 3}`}})...)
	add(forDrafts(from6, fastCase{name: "propertyNames", schema: `"propertyNames": {"maxLength": 2}`,
		valid: []string{`{"ab": 1}`, `{}`}, invalid: []string{`{"abc": 1}`}})...)
	add(forDrafts([]string{draft4}, fastCase{name: "propertyNames ignored", schema: `"propertyNames": {"maxLength": 2}`,
		valid: []string{`{"abc": 1}`}})...)
	add(forDrafts(all, fastCase{name: "dependencies", schema: `"dependencies": {"a": ["b"], "c": {"required": ["d"]}}`,
		valid:   []string{`{"a": 1, "b": 2}`, `{"c": 1, "d": 1}`, `{}`, `{"b": 1}`},
		invalid: []string{`{"a": 1}`, `{"c": 1}`}})...)
	add(forDrafts(from2019, fastCase{name: "dependentX", schema: `"dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"required": ["d"]}}`,
		valid:   []string{`{"a": 1, "b": 2}`, `{"c": 1, "d": 1}`, `{}`},
		invalid: []string{`{"a": 1}`, `{"c": 1}`}})...)
	add(forDrafts([]string{draft6, draft7}, fastCase{name: "dependentX ignored", schema: `"dependentRequired": {"a": ["b"]}`,
		valid: []string{`{"a": 1}`}})...)

	// arrays
	add(forDrafts(from2019[1:], fastCase{name: "prefixItems", schema: `"prefixItems": [{"type": "string"}], "items": {"type": "integer"}`,
		valid: []string{`["a", 1, 2]`, `[]`, `["a"]`, `{}`}, invalid: []string{`[1]`, `["a", "b"]`}})...)
	add(forDrafts(from2019[1:], fastCase{name: "items false", schema: `"prefixItems": [{}], "items": false`,
		valid: []string{`[1]`, `[]`}, invalid: []string{`[1, 2]`}})...)
	add(forDrafts([]string{draft4, draft6, draft7, draft2019}, fastCase{name: "items list", schema: `"items": [{"type": "string"}], "additionalItems": {"type": "integer"}`,
		valid: []string{`["a", 1]`, `[]`}, invalid: []string{`["a", "b"]`, `[1]`}})...)
	add(forDrafts([]string{draft4, draft6, draft7, draft2019}, fastCase{name: "additionalItems false", schema: `"items": [{}], "additionalItems": false`,
		valid: []string{`[1]`}, invalid: []string{`[1, 2]`}})...)
	add(forDrafts(all, fastCase{name: "items", schema: `"items": {"type": "integer"}, "minItems": 1, "maxItems": 2`,
		valid: []string{`[1, 2]`, `[1]`}, invalid: []string{`[1, "a"]`, `[]`, `[1, 2, 3]`}})...)
	add(forDrafts(all, fastCase{name: "uniqueItems", schema: `"uniqueItems": true`,
		valid:   []string{`[1, 2, "1", [1], [2], {"a": 1}, {"a": 2}, {"b": 1}, null, true, false]`, `[]`, `[1]`},
		invalid: []string{`[1, 1.0]`, `[{"a": [1]}, {"a": [1]}]`, `[0, -0]`, `[null, null]`, `["a", "a"]`}})...)
	add(forDrafts(from6, fastCase{name: "contains", schema: `"contains": {"type": "string"}`,
		valid: []string{`[1, "a"]`, `{}`}, invalid: []string{`[1, 2]`, `[]`}})...)
	add(forDrafts(from2019, fastCase{name: "minContains", schema: `"contains": {"type": "string"}, "minContains": 2, "maxContains": 3`,
		valid: []string{`["a", "b", 1]`}, invalid: []string{`["a"]`, `["a", "b", "c", "d"]`}})...)
	add(forDrafts(from2019, fastCase{name: "minContains 0", schema: `"contains": {"type": "string"}, "minContains": 0`,
		valid: []string{`[]`, `[1]`}})...)

	// combinators
	add(forDrafts(all, fastCase{name: "anyOf", schema: `"anyOf": [{"type": "string"}, {"minimum": 2}]`,
		valid: []string{`"a"`, `3`}, invalid: []string{`1`}})...)
	add(forDrafts(all, fastCase{name: "oneOf", schema: `"oneOf": [{"type": "integer"}, {"minimum": 2}]`,
		valid: []string{`1`, `2.5`}, invalid: []string{`3`, `1.5`}})...)
	add(forDrafts(all, fastCase{name: "allOf", schema: `"allOf": [{"type": "object"}, {"required": ["a"]}]`,
		valid: []string{`{"a": 1}`}, invalid: []string{`{}`, `1`}})...)
	add(forDrafts(all, fastCase{name: "not", schema: `"not": {"type": "string"}`,
		valid: []string{`1`}, invalid: []string{`"a"`}})...)
	add(forDrafts(all, fastCase{name: "not unsure", schema: `"not": {"maximum": 0.1}`,
		valid: []string{`1`}, invalid: []string{`0`}, unsure: []string{`0.1`}})...)
	add(forDrafts([]string{draft7, draft2019, draft2020}, fastCase{name: "if",
		schema:  `"if": {"properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}, "else": {"required": ["y"]}`,
		valid:   []string{`{"k": "a", "x": 1}`, `{"k": "b", "y": 1}`},
		invalid: []string{`{"k": "a"}`, `{"y": 1}`, `{"k": "b"}`}})...)
	add(forDrafts([]string{draft4, draft6}, fastCase{name: "if ignored",
		schema: `"if": {"const": 1}, "then": false`, valid: []string{`1`}})...)

	// references
	add(forDrafts(from2019, fastCase{name: "tree",
		schema:  `"$defs": {"node": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}, "$ref": "#/$defs/node"`,
		valid:   []string{`{"kids": [{"kids": []}, {}]}`},
		invalid: []string{`{"kids": [{"kids": 1}]}`, `[]`}})...)
	add(forDrafts([]string{draft4, draft6, draft7}, fastCase{name: "ref siblings ignored",
		schema:  `"definitions": {"s": {"type": "string"}}, "properties": {"p": {"$ref": "#/definitions/s", "maxLength": 1}}`,
		valid:   []string{`{"p": "abc"}`},
		invalid: []string{`{"p": 1}`}})...)
	add(forDrafts(from2019, fastCase{name: "ref siblings apply",
		schema:  `"$defs": {"s": {"type": "string"}}, "properties": {"p": {"$ref": "#/$defs/s", "maxLength": 1}}`,
		valid:   []string{`{"p": "a"}`},
		invalid: []string{`{"p": "ab"}`, `{"p": 1}`}})...)
	add(forDrafts(all, fastCase{name: "ref cycle under not",
		schema: `"definitions": {"loop": {"$ref": "#/definitions/loop2"}, "loop2": {"allOf": [{"$ref": "#/definitions/loop"}]}}, "not": {"$ref": "#/definitions/loop"}`,
		unsure: []string{`1`, `{}`}})...)
	add(forDrafts(all, fastCase{name: "ref cycle",
		schema: `"definitions": {"a": {"anyOf": [{"$ref": "#/definitions/a"}, {"type": "string"}]}}, "properties": {"p": {"$ref": "#/definitions/a"}}`,
		valid:  []string{`{}`, `{"p": "x"}`}, unsure: []string{`{"p": 1}`}})...)

	// not modelled
	add(forDrafts(from2019, fastCase{name: "unevaluatedProperties", schema: `"unevaluatedProperties": false`, ineligible: true})...)
	add(forDrafts(from2019, fastCase{name: "unevaluatedItems deep", schema: `"properties": {"a": {"items": {"unevaluatedItems": false}}}`, ineligible: true})...)
	add(fastCase{name: "recursiveRef", schema: `{` + draft2019 + `"$recursiveAnchor": true, "properties": {"a": {"$recursiveRef": "#"}}}`, ineligible: true})
	add(fastCase{name: "dynamicRef", schema: `{"$dynamicAnchor": "n", "properties": {"a": {"$dynamicRef": "#n"}}}`, ineligible: true})
	return cs
}

func TestFastKeywords(t *testing.T) {
	sure := 0
	for _, c := range fastCases() {
		t.Run(c.name, func(t *testing.T) {
			s := mustCompile(t, jsonValue(t, c.schema), "", c.opts...)
			if got := s.fastProgram() == nil; got != c.ineligible {
				t.Fatalf("ineligible = %v, want %v", got, c.ineligible)
			}
			for _, src := range c.valid {
				got, lib := agree(t, s, jsonValue(t, src), src)
				if !lib {
					t.Errorf("%s: the library rejects it", src)
				}
				if got != vValid {
					t.Errorf("%s: fast path is %v, want valid", src, got)
				}
				if err := s.Validate(jsonValue(t, src)); err != nil {
					t.Errorf("%s: Validate: %v", src, err)
				}
				sure++
			}
			for _, src := range c.invalid {
				got, lib := agree(t, s, jsonValue(t, src), src)
				if lib {
					t.Errorf("%s: the library accepts it", src)
				}
				if got == vInvalid {
					sure++
				}
				if s.Validate(jsonValue(t, src)) == nil {
					t.Errorf("%s: Validate accepted it", src)
				}
			}
			for _, src := range c.unsure {
				if got, _ := agree(t, s, jsonValue(t, src), src); got != vUnsure {
					t.Errorf("%s: fast path is %v, want unsure", src, got)
				}
			}
		})
	}
	t.Logf("%d sure answers", sure)
}

func TestFastGoValues(t *testing.T) {
	s := mustCompile(t, jsonValue(t, `{"properties": {"a": {"type": "integer"}, "b": {"enum": [1, [1]]}, "c": {"uniqueItems": true}}}`), "")
	cases := []struct {
		v    any
		want verdict
	}{
		{map[string]any{"a": 1.0}, vValid},
		{map[string]any{"a": 1}, vUnsure},
		{map[string]any{"a": json.Number("1")}, vUnsure},
		{map[string]any{"a": float32(1)}, vUnsure},
		{map[string]any{"a": math.NaN()}, vUnsure},
		{map[string]any{"a": math.Inf(1)}, vUnsure},
		{map[string]any{"z": 1}, vValid}, // not looked at
		{map[string]any{"b": []any{1}}, vUnsure},
		{map[string]any{"b": []any{1.0}}, vValid},
		{map[string]any{"c": []any{map[string]any{"x": 1}, map[string]any{"x": 2}}}, vUnsure},
		{map[string]any{"c": []any{[]string{"x"}}}, vValid}, // one item: never compared
		{map[string]string{"a": "x"}, vUnsure},
		{struct{}{}, vUnsure},
	}
	for i, c := range cases {
		if got, _ := agree(t, s, c.v, fmt.Sprintf("case %d %#v", i, c.v)); got != c.want {
			t.Errorf("case %d %#v: %v, want %v", i, c.v, got, c.want)
		}
	}
	// A value that contains itself: bounded, never valid by the fast path.
	m := map[string]any{}
	m["a"] = m
	d := mustCompile(t, jsonValue(t, `{"$ref": "#/$defs/n", "$defs": {"n": {"additionalProperties": {"$ref": "#/$defs/n"}}}}`), "")
	if got := fastVerdict(d, m); got != vUnsure {
		t.Errorf("cyclic value: %v", got)
	}
}

// TestFastBudget: a schema whose applicators fan out exponentially gets a
// quick "unsure" (the library alone would take about forever on it).
func TestFastBudget(t *testing.T) {
	defs := map[string]any{"a40": map[string]any{"type": "number"}}
	for i := range 40 {
		next := map[string]any{"$ref": fmt.Sprintf("#/$defs/a%d", i+1)}
		defs[fmt.Sprintf("a%d", i)] = map[string]any{"allOf": []any{next, map[string]any{"not": map[string]any{"not": next}}}}
	}
	s := mustCompile(t, map[string]any{"$defs": defs, "$ref": "#/$defs/a0"}, "")
	if got := s.fastProgram().runWith(1.0, 1<<16); got != vUnsure {
		t.Errorf("got %v", got)
	}
}

// TestFastEnumNumbers covers enum values the library holds as json.Number
// (it decodes documents with UseNumber) and as Go integers.
func TestFastEnumNumbers(t *testing.T) {
	root := map[string]any{"enum": []any{json.Number("0.10000000000000001"), json.Number("1.50"), json.Number("1e2"), 7, json.Number("1e400")}}
	s := mustCompile(t, root, "")
	for _, c := range []struct {
		v    float64
		want verdict
	}{{0.1, vInvalid}, {1.5, vValid}, {100, vValid}, {7, vValid}, {0.10000000000000001, vInvalid}, {2, vInvalid}} {
		if got, _ := agree(t, s, c.v, fmt.Sprint(c.v)); got != c.want {
			t.Errorf("%v: %v, want %v", c.v, got, c.want)
		}
	}
}

// TestFastNumberSemantics compares the number helpers with the library's
// reading of a float64 (the shortest decimal form as an exact rational).
func TestFastNumberSemantics(t *testing.T) {
	rat := func(v any) *big.Rat {
		r, ok := new(big.Rat).SetString(fmt.Sprint(v))
		if !ok {
			t.Fatalf("rat %v", v)
		}
		return r
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	randFloat := func() float64 {
		switch rnd.IntN(6) {
		case 0:
			return float64(rnd.IntN(2001) - 1000)
		case 1:
			return float64(rnd.IntN(2001)-1000) / 100
		case 2:
			return math.Float64frombits(rnd.Uint64())
		case 3:
			return (rnd.Float64() - 0.5) * math.Pow(10, float64(rnd.IntN(40)-20))
		case 4:
			return math.Ldexp(float64(rnd.Int64N(1<<53)), rnd.IntN(20))
		}
		return float64(rnd.IntN(10)) / 10
	}
	bounds := []string{"0", "1", "-1", "0.1", "0.3", "-0.3", "1e308", "1e400", "-1e400", "9007199254740993",
		"0.1000000000000000055511151231257827021181583404541015625", "2.5", "1e-400", "123456789.123456789"}
	var checked, unsure [2]int // far bounds, near bounds
	for range 20000 {
		v := randFloat()
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		var B *big.Rat
		near := rnd.IntN(2)
		if near == 0 {
			B = rat(bounds[rnd.IntN(len(bounds))])
		} else {
			// a bound near v
			w := v
			for range rnd.IntN(3) {
				w = math.Nextafter(w, math.Inf(2*rnd.IntN(2)-1))
			}
			if math.IsInf(w, 0) {
				continue
			}
			B = rat(w)
		}
		want := rat(v).Cmp(B)
		got, sure := newBound(B).cmp(v)
		checked[near]++
		if !sure {
			unsure[near]++
			continue
		}
		if got != want {
			t.Fatalf("cmp(%v, %v) = %d, want %d", v, B.FloatString(30), got, want)
		}
		// integer type and multipleOf an integer
		isInt := rat(v).IsInt()
		if (v == math.Trunc(v)) != isInt {
			t.Fatalf("integer(%v): library %v", v, isInt)
		}
	}
	if unsure[0]*100 > checked[0] {
		t.Errorf("unsure for %d of %d comparisons with fixed bounds", unsure[0], checked[0])
	}
	t.Logf("fixed bounds: %d comparisons, %d unsure; bounds within 2 ulps: %d, %d unsure", checked[0], unsure[0], checked[1], unsure[1])

	// multipleOf
	muls := []string{"0.01", "0.1", "0.3", "2.5", "1e-5", "7", "3", "0.0001", "1e-10", "123.456", "1e20", "9007199254740993", "18446744073709551617"}
	mulSure := 0
	for range 20000 {
		v := randFloat()
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if w := math.Round(v*100) / 100; rnd.IntN(3) == 0 && !math.IsInf(w, 0) {
			v = w // a decimal with two digits
		}
		M := rat(muls[rnd.IntN(len(muls))])
		b := &fastBuilder{memo: map[*jsonschema.Schema]*fnode{}, ok: true}
		c := b.number(&jsonschema.Schema{MultipleOf: M})
		got := c.eval(v)
		want := new(big.Rat).Quo(rat(v), M).IsInt()
		if got == vUnsure {
			continue
		}
		mulSure++
		if (got == vValid) != want {
			t.Fatalf("%v multipleOf %v: %v, library %v", v, M.FloatString(10), got, want)
		}
	}
	if mulSure < 15000 {
		t.Errorf("multipleOf sure for %d of 20000", mulSure)
	}

	// exactInt: the shortest form of such a float64 is the integer itself.
	for _, v := range []float64{0, 1, -1, 1 << 52, 1<<53 - 1, -(1<<53 - 1), 123456789012345} {
		if !exactInt(v) || rat(v).Cmp(new(big.Rat).SetFloat64(v)) != 0 {
			t.Errorf("exactInt(%v)", v)
		}
	}
}

// TestFastNativeFormats compares the natively evaluated number formats
// with their Validate functions.
func TestFastNativeFormats(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 1.5, math.MaxInt32, math.MaxInt32 + 1, math.MinInt32, math.MinInt32 - 1,
		1 << 62, 1 << 63, -(1 << 63), math.Nextafter(1<<63, 0), math.Nextafter(-(1 << 63), math.Inf(-1)), 1e300, -1e300, 5e-324}
	for _, f := range extraFormats {
		kind := nativeFormat(f)
		if kind == fmtNone && f.Name != "byte" {
			t.Errorf("format %s not native", f.Name)
		}
		if kind == fmtNone {
			continue
		}
		n := &fnode{format: f, numFormat: kind}
		for _, v := range vals {
			want := f.Validate(v) == nil
			if got := n.checkFormat(v, tNumber) == vValid; got != want {
				t.Errorf("%s(%v) = %v, want %v", f.Name, v, got, want)
			}
		}
		for _, v := range []any{"x", nil, true, []any{}, map[string]any{}} {
			if n.checkFormat(v, kindOf(v)) != vValid || f.Validate(v) != nil {
				t.Errorf("%s(%v) must pass", f.Name, v)
			}
		}
	}
}

const fastOAS30 = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, format: int64, readOnly: true}
        name: {type: string, nullable: true, maxLength: 20}
        secret: {type: string, writeOnly: true}
        tag: {type: string, enum: [a, b], nullable: true}
        weight: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 100}
        owner:
          nullable: true
          allOf: [{$ref: '#/components/schemas/Owner'}]
        vet: {$ref: '#/components/schemas/Owner', nullable: true, type: integer}
        kind:
          oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
          discriminator: {propertyName: petType}
        born: {type: string, format: date}
        children: {type: array, items: {$ref: '#/components/schemas/Pet'}}
        meta: {type: object, additionalProperties: {type: string}}
    Owner:
      type: object
      required: [name]
      properties:
        name: {type: string}
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

const fastOAS31 = `
openapi: 3.1.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Item:
      type: object
      required: [id]
      properties:
        id: {type: [string, "null"]}
        n: {type: integer, exclusiveMinimum: 0}
        c: {const: fixed}
        list: {type: array, prefixItems: [{type: string}], items: {type: number}}
`

func TestFastOpenAPI(t *testing.T) {
	o30, err := NewOpenAPI(jsonValueYAML(t, fastOAS30))
	if err != nil {
		t.Fatal(err)
	}
	o31, err := NewOpenAPI(jsonValueYAML(t, fastOAS31))
	if err != nil {
		t.Fatal(err)
	}
	compile := func(o *OpenAPI, ptr string, dir Direction) *Schema {
		s, err := o.Compile(ptr, dir)
		if err != nil {
			t.Fatal(err)
		}
		if s.fastProgram() == nil {
			t.Fatalf("%s: no fast program", ptr)
		}
		return s
	}
	resp := compile(o30, "/components/schemas/Pet", Response)
	req := compile(o30, "/components/schemas/Pet", Request)
	item := compile(o31, "/components/schemas/Item", Response)
	cases := []struct {
		s       *Schema
		v       string
		libOK   bool
		wantFst verdict
	}{
		{resp, `{"id": 1, "name": "Rex"}`, true, vValid},
		{resp, `{"id": 1, "name": null, "tag": null, "owner": null, "vet": null}`, true, vValid},
		{resp, `{"id": 1, "name": "Rex", "tag": "a", "weight": 100, "owner": {"name": "o"}, "vet": {"name": "v"}}`, true, vValid},
		{resp, `{"id": 1, "name": "Rex", "kind": {"petType": "Cat", "meows": true}}`, true, vValid},
		{resp, `{"id": 1, "name": "Rex", "kind": {"petType": "x", "barks": true}}`, true, vValid},
		{resp, `{"id": 1, "name": "Rex", "born": "2020-02-29", "children": [{"id": 2, "name": "Pup"}], "meta": {"a": "b"}}`, true, vValid},
		{resp, `{"id": 1, "name": "Rex", "secret": "x"}`, false, vInvalid},
		{resp, `{"id": 1.5, "name": "Rex"}`, false, vInvalid},
		{resp, `{"id": 1, "name": "Rex", "weight": 0}`, false, vInvalid},
		{resp, `{"id": 1, "name": "Rex", "tag": "c"}`, false, vInvalid},
		{resp, `{"id": 1, "name": "Rex", "owner": {}}`, false, vInvalid},
		{resp, `{"id": 1, "name": "Rex", "kind": {"petType": "Cat"}}`, false, vInvalid},
		{resp, `{"id": 1, "name": "Rex", "born": "2021-02-29"}`, false, vInvalid},
		{resp, `{"id": 1, "name": "Rex", "children": [{"name": "Pup"}]}`, false, vInvalid},
		{resp, `{"id": 1, "name": "Rex", "meta": {"a": 1}}`, false, vInvalid},
		{resp, `{"name": "Rex"}`, false, vInvalid},
		{req, `{"name": "Rex", "secret": "x"}`, true, vValid},
		{req, `{"id": 1, "name": "Rex"}`, false, vInvalid},
		{item, `{"id": null, "n": 1, "c": "fixed", "list": ["a", 1.5]}`, true, vValid},
		{item, `{"id": "x"}`, true, vValid},
		{item, `{"id": 1}`, false, vInvalid},
		{item, `{"id": "x", "n": 0}`, false, vInvalid},
		{item, `{"id": "x", "c": "other"}`, false, vInvalid},
		{item, `{"id": "x", "list": [1]}`, false, vInvalid},
	}
	for _, c := range cases {
		v := jsonValue(t, c.v)
		got, lib := agree(t, c.s, v, c.v)
		if lib != c.libOK || got != c.wantFst {
			t.Errorf("%s: library valid=%v fast=%v, want %v %v", c.v, lib, got, c.libOK, c.wantFst)
		}
		if (c.s.Validate(v) == nil) != c.libOK {
			t.Errorf("%s: Validate disagrees with the library", c.v)
		}
	}
}

// Stytch B2B SMS OTP responses as the conformance fake produces them.
const (
	fastSMSSend200 = "/paths/~1v1~1b2b~1otps~1sms~1send/post/responses/200/content/application~1json/schema"
	fastSMSAuth200 = "/paths/~1v1~1b2b~1otps~1sms~1authenticate/post/responses/200/content/application~1json/schema"

	fastMember = `{"organization_id":"organization-test-1","member_id":"member-test-1","email_address":"ada@example.com","status":"active","name":"","sso_registrations":[],"is_breakglass":false,"member_password_id":"","oauth_registrations":[],"email_address_verified":true,"mfa_phone_number_verified":true,"is_admin":false,"totp_registration_id":"","retired_email_addresses":[],"is_locked":false,"mfa_enrolled":false,"mfa_phone_number":"+15005550006","default_mfa_method":"sms_otp","roles":[{"role_id":"stytch_member","sources":[{"type":"direct_assignment"}]}],"trusted_metadata":{},"untrusted_metadata":{},"created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z"}`
	fastOrg    = `{"organization_id":"organization-test-1","organization_name":"Example Org","organization_logo_url":"","organization_slug":"example-org","sso_jit_provisioning":"NOT_ALLOWED","sso_jit_provisioning_allowed_connections":[],"sso_active_connections":[],"email_allowed_domains":[],"email_jit_provisioning":"NOT_ALLOWED","email_invites":"ALL_ALLOWED","auth_methods":"ALL_ALLOWED","allowed_auth_methods":[],"mfa_policy":"OPTIONAL","rbac_email_implicit_role_assignments":[],"mfa_methods":"ALL_ALLOWED","allowed_mfa_methods":[],"oauth_tenant_jit_provisioning":"NOT_ALLOWED","claimed_email_domains":[],"first_party_connected_apps_allowed_type":"ALL_ALLOWED","allowed_first_party_connected_apps":[],"third_party_connected_apps_allowed_type":"ALL_ALLOWED","allowed_third_party_connected_apps":[],"custom_roles":[],"trusted_metadata":{},"created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z"}`

	fastSendBody = `{"request_id":"request-id-test-ebee25bb-e31c-4085-8f67-09fbe36d7629","member_id":"member-test-1","member":` + fastMember + `,"organization":` + fastOrg + `,"status_code":200}`
	fastAuthBody = `{"request_id":"request-id-test-5664415e-3a1e-49eb-8f61-276766ea6ee1","member_id":"member-test-1","member":` + fastMember + `,"organization":` + fastOrg + `,"session_token":"KknCvgdzEP_cqF2S-2TdI1SCzo9kY0VMqkTrVeHu-MHA","session_jwt":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJtZW1iZXItdGVzdC0xIn0.-MurRSbpK9u2bxyoWK3Sz51tYwjccPDarOvT8NK4IqE","member_session":{"member_session_id":"member-session-test-c0a6dcc4-6e25-4b71-962a-d3a692603516","member_id":"member-test-1","started_at":"2025-01-02T03:04:05Z","last_accessed_at":"2025-01-02T03:04:05Z","expires_at":"2025-01-02T03:34:05Z","authentication_factors":[{"type":"otp","delivery_method":"sms","last_authenticated_at":"2025-01-02T03:04:05Z","created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z","phone_number_factor":{"phone_id":"member-phone-test-e2717777-4a88-4968-b5ac-8cd8d0be4cf9","phone_number":"+15005550006"}}],"organization_id":"organization-test-1","roles":["stytch_member"],"organization_slug":"example-org"},"status_code":200}`
)

func stytchSMS(t testing.TB) (send, auth *Schema) {
	t.Helper()
	o, err := NewOpenAPI(stytch(t))
	if err != nil {
		t.Fatal(err)
	}
	if send, err = o.Compile(fastSMSSend200, Response); err != nil {
		t.Fatal(err)
	}
	if auth, err = o.Compile(fastSMSAuth200, Response); err != nil {
		t.Fatal(err)
	}
	return send, auth
}

func TestFastStytchSMS(t *testing.T) {
	send, auth := stytchSMS(t)
	for _, c := range []struct {
		name string
		s    *Schema
		body string
	}{{"send", send, fastSendBody}, {"authenticate", auth, fastAuthBody}} {
		t.Run(c.name, func(t *testing.T) {
			if c.s.fastProgram() == nil {
				t.Fatal("no fast program")
			}
			v := jsonValue(t, c.body)
			if got, lib := agree(t, c.s, v, "body"); got != vValid || !lib {
				t.Fatalf("fast %v, library valid=%v", got, lib)
			}
			if n := testing.AllocsPerRun(20, func() { _ = c.s.Validate(v) }); n != 0 {
				t.Errorf("Validate allocates %v times on a valid body", n)
			}
			mutations := []struct {
				name string
				mut  func(m map[string]any)
			}{
				{"no member_id", func(m map[string]any) { delete(m, "member_id") }},
				{"status_code string", func(m map[string]any) { m["status_code"] = "200" }},
				{"status_code fraction", func(m map[string]any) { m["status_code"] = 200.5 }},
				{"status_code int32 overflow", func(m map[string]any) { m["status_code"] = 3e9 }},
				{"member not object", func(m map[string]any) { m["member"] = []any{} }},
				{"member without status", func(m map[string]any) { delete(m["member"].(map[string]any), "status") }},
				{"role sources", func(m map[string]any) {
					m["member"].(map[string]any)["roles"].([]any)[0].(map[string]any)["sources"] = "x"
				}},
				{"org name null", func(m map[string]any) { m["organization"].(map[string]any)["organization_name"] = nil }},
			}
			for _, mu := range mutations {
				v := jsonValue(t, c.body).(map[string]any)
				mu.mut(v)
				got, lib := agree(t, c.s, v, mu.name)
				if lib || got == vValid {
					t.Errorf("%s: library valid=%v, fast %v", mu.name, lib, got)
				}
				if c.s.Validate(v) == nil {
					t.Errorf("%s: Validate accepted it", mu.name)
				}
			}
		})
	}
}

// stytchResponses lists the pointers of every JSON response schema of the
// Stytch description.
func stytchResponses(doc any) []string {
	var out []string
	paths, _ := doc.(map[string]any)["paths"].(map[string]any)
	for p, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			om, _ := op.(map[string]any)
			resps, _ := om["responses"].(map[string]any)
			for code, r := range resps {
				rm, _ := r.(map[string]any)
				content, _ := rm["content"].(map[string]any)
				media, _ := content["application/json"].(map[string]any)
				if _, ok := media["schema"]; ok {
					out = append(out, "/paths/"+fastEscape(p)+"/"+method+"/responses/"+code+"/content/application~1json/schema")
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func fastEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// TestFastStytchAll checks that every Stytch response schema gets a
// program and, on instances generated from the schema and mutated at
// random, that the fast path never contradicts the library and is sure of
// the valid ones.
func TestFastStytchAll(t *testing.T) {
	doc := stytch(t)
	o, err := NewOpenAPI(doc)
	if err != nil {
		t.Fatal(err)
	}
	ptrs := stytchResponses(doc)
	if testing.Short() {
		ptrs = ptrs[:min(len(ptrs), 20)]
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	var total, libValid, sureValid int
	for _, p := range ptrs {
		s, err := o.Compile(p, Response)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if s.fastProgram() == nil {
			t.Errorf("%s: no fast program", p)
			continue
		}
		for i := range 6 {
			v := genInstance(s.lib, rnd, 0)
			if i > 0 {
				v = mutate(v, rnd)
			}
			got, lib := agree(t, s, v, p)
			total++
			if lib {
				libValid++
				if got == vValid {
					sureValid++
				}
			}
		}
	}
	t.Logf("%d schemas, %d instances, %d valid, fast path sure of %d", len(ptrs), total, libValid, sureValid)
	if libValid == 0 || sureValid*10 < libValid*9 {
		t.Errorf("fast path sure of %d of %d valid instances", sureValid, libValid)
	}
}

// genInstance builds a value meant to satisfy sch (best effort: the
// library decides).
func genInstance(sch *jsonschema.Schema, rnd *rand.Rand, depth int) any {
	if sch == nil || depth > 12 {
		return nil
	}
	if sch.Ref != nil {
		return genInstance(sch.Ref, rnd, depth+1)
	}
	if sch.Enum != nil && len(sch.Enum.Values) > 0 {
		return normalizeNumbers(sch.Enum.Values[rnd.IntN(len(sch.Enum.Values))])
	}
	if sch.Const != nil {
		return normalizeNumbers(*sch.Const)
	}
	for _, alts := range [][]*jsonschema.Schema{sch.AllOf, sch.AnyOf, sch.OneOf} {
		if len(alts) > 0 {
			for _, a := range alts {
				if a.Types == nil || a.Types.ToStrings()[0] != "null" {
					return genInstance(a, rnd, depth+1)
				}
			}
		}
	}
	var types []string
	if sch.Types != nil {
		types = sch.Types.ToStrings()
	}
	typ := "object"
	if len(types) > 0 {
		typ = types[rnd.IntN(len(types))]
	} else if len(sch.Properties) == 0 {
		typ = "string"
	}
	switch typ {
	case "null":
		return nil
	case "boolean":
		return rnd.IntN(2) == 0
	case "integer":
		v := float64(rnd.IntN(1000))
		if sch.Minimum != nil {
			f, _ := sch.Minimum.Float64()
			v += math.Ceil(f)
		}
		return v
	case "number":
		return rnd.Float64() * 100
	case "string":
		if sch.Format != nil {
			switch sch.Format.Name {
			case "date-time":
				return "2025-01-02T03:04:05Z"
			case "date":
				return "2025-01-02"
			case "email":
				return "a@example.com"
			case "uri":
				return "https://example.com/x"
			case "uuid":
				return "123e4567-e89b-12d3-a456-426614174000"
			}
		}
		return fmt.Sprintf("s%d", rnd.IntN(100))
	case "array":
		n := rnd.IntN(3)
		out := make([]any, n)
		for i := range out {
			var it *jsonschema.Schema
			if s, ok := sch.Items.(*jsonschema.Schema); ok {
				it = s
			} else {
				it = sch.Items2020
			}
			out[i] = genInstance(it, rnd, depth+1)
		}
		return out
	}
	m := map[string]any{}
	for name, p := range sch.Properties {
		if slices.Contains(sch.Required, name) || rnd.IntN(2) == 0 {
			if p.Bool != nil && !*p.Bool {
				continue
			}
			m[name] = genInstance(p, rnd, depth+1)
		}
	}
	return m
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case int:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeNumbers(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = normalizeNumbers(e)
		}
		return out
	}
	return v
}

// mutate replaces one random node of v (in place where it can).
func mutate(v any, rnd *rand.Rand) any {
	repl := []any{nil, true, 1.5, 7.0, "x", []any{}, map[string]any{}, -1.0, 3e9}
	switch x := v.(type) {
	case map[string]any:
		if len(x) > 0 && rnd.IntN(4) != 0 {
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			k := keys[rnd.IntN(len(keys))]
			switch rnd.IntN(3) {
			case 0:
				delete(x, k)
			default:
				x[k] = mutate(x[k], rnd)
			}
			return x
		}
	case []any:
		if len(x) > 0 && rnd.IntN(4) != 0 {
			i := rnd.IntN(len(x))
			x[i] = mutate(x[i], rnd)
			return x
		}
	}
	return repl[rnd.IntN(len(repl))]
}

// TestFastRandomSchemas compares both paths on random schemas (every
// modelled keyword, all drafts) and random instances.
func TestFastRandomSchemas(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	n := 600
	if testing.Short() {
		n = 100
	}
	if e, err := strconv.Atoi(os.Getenv("TELAIO_FAST_RANDOM")); err == nil {
		n = e // longer runs: TELAIO_FAST_RANDOM=100000
	}
	drafts := []string{"http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
		"http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2019-09/schema", "https://json-schema.org/draft/2020-12/schema"}
	var compiled, cases, sure, libValid, sureValid int
	for range n {
		root := randSchema(rnd, 0)
		m, ok := root.(map[string]any)
		if !ok {
			m = map[string]any{"allOf": []any{root}}
		}
		m["$schema"] = drafts[rnd.IntN(len(drafts))]
		m["$defs"] = map[string]any{"d": randSchema(rnd, 2)}
		m["definitions"] = map[string]any{"d": randSchema(rnd, 2)}
		s, err := Compile(m, "")
		if err != nil {
			continue
		}
		compiled++
		for range 12 {
			v := randValue(rnd, 0)
			got, lib := agree(t, s, v, fmt.Sprintf("schema %v instance %v", m, v))
			cases++
			if got != vUnsure {
				sure++
			}
			if lib {
				libValid++
				if got == vValid {
					sureValid++
				}
			}
		}
	}
	t.Logf("%d schemas compiled, %d cases, %d sure, fast path sure of %d of %d valid", compiled, cases, sure, sureValid, libValid)
	if sure*10 < cases*8 || sureValid*10 < libValid*8 {
		t.Errorf("fast path too often unsure")
	}
}

var (
	randNumbers = []any{0.0, math.Copysign(0, -1), 1.0, 2.0, 2.5, 0.1, 0.30000000000000004, 1e300, -7.0, 3.0, 9007199254740992.0, 5e-324, 0.07, 100.0}
	randStrings = []any{"", "a", "ab", "abc", "日本", "2025-01-02T03:04:05Z", "x-1", "b"}
	randKeys    = []string{"a", "b", "c", "x-1"}
)

func randValue(rnd *rand.Rand, depth int) any {
	k := rnd.IntN(10)
	if depth > 2 && k >= 7 {
		k = rnd.IntN(7)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return rnd.IntN(2) == 0
	case 2, 3:
		return randNumbers[rnd.IntN(len(randNumbers))]
	case 4, 5, 6:
		return randStrings[rnd.IntN(len(randStrings))]
	case 7:
		a := make([]any, rnd.IntN(4))
		for i := range a {
			a[i] = randValue(rnd, depth+1)
		}
		return a
	}
	m := map[string]any{}
	for range rnd.IntN(4) {
		m[randKeys[rnd.IntN(len(randKeys))]] = randValue(rnd, depth+1)
	}
	return m
}

func randSchema(rnd *rand.Rand, depth int) any {
	if depth > 3 || rnd.IntN(12) == 0 {
		switch rnd.IntN(4) {
		case 0:
			return true
		case 1:
			return false
		}
		return map[string]any{"type": []string{"string", "number", "integer", "object", "array", "null", "boolean"}[rnd.IntN(7)]}
	}
	sub := func() any { return randSchema(rnd, depth+1) }
	subs := func() []any {
		out := make([]any, 1+rnd.IntN(3))
		for i := range out {
			out[i] = sub()
		}
		return out
	}
	keys := func() []any {
		var out []any
		for _, k := range randKeys {
			if rnd.IntN(2) == 0 {
				out = append(out, k)
			}
		}
		return out
	}
	m := map[string]any{}
	for range 1 + rnd.IntN(3) {
		switch rnd.IntN(34) {
		case 0:
			m["type"] = []string{"string", "number", "integer", "object", "array", "null", "boolean"}[rnd.IntN(7)]
		case 1:
			m["type"] = []any{"integer", "string", "null"}[:1+rnd.IntN(3)]
		case 2:
			vals := []any{}
			for range 1 + rnd.IntN(3) {
				vals = append(vals, randValue(rnd, 2))
			}
			m["enum"] = vals
		case 3:
			m["const"] = randValue(rnd, 2)
		case 4:
			m["minimum"] = randNumbers[rnd.IntN(len(randNumbers))]
		case 5:
			m["maximum"] = randNumbers[rnd.IntN(len(randNumbers))]
		case 6:
			if rnd.IntN(2) == 0 {
				m["exclusiveMinimum"] = randNumbers[rnd.IntN(len(randNumbers))]
			} else {
				m["exclusiveMaximum"] = randNumbers[rnd.IntN(len(randNumbers))]
			}
		case 7:
			m["multipleOf"] = []any{0.01, 0.1, 2.0, 3.0, 2.5, 1e-9}[rnd.IntN(6)]
		case 8:
			m["minLength"] = float64(rnd.IntN(3))
			m["maxLength"] = float64(rnd.IntN(4))
		case 9:
			m["pattern"] = []string{"^a", "b", "^x-", "(?=a)", "^$"}[rnd.IntN(5)]
		case 10:
			m["format"] = []string{"date-time", "int32", "email", "password", "uuid", "double", "byte"}[rnd.IntN(7)]
		case 11, 12:
			props := map[string]any{}
			for _, k := range keys() {
				props[k.(string)] = sub()
			}
			m["properties"] = props
		case 13:
			m["required"] = keys()
		case 14:
			if rnd.IntN(2) == 0 {
				m["additionalProperties"] = rnd.IntN(2) == 0
			} else {
				m["additionalProperties"] = sub()
			}
		case 15:
			m["patternProperties"] = map[string]any{"^x-": sub(), "b": sub()}
		case 16:
			m["propertyNames"] = sub()
		case 17:
			m["minProperties"] = float64(rnd.IntN(3))
			m["maxProperties"] = float64(rnd.IntN(4))
		case 18:
			m["dependencies"] = map[string]any{"a": []any{"b"}, "b": sub()}
		case 19:
			m["dependentRequired"] = map[string]any{"a": []any{"c"}}
			m["dependentSchemas"] = map[string]any{"b": sub()}
		case 20:
			m["items"] = sub()
		case 21:
			m["items"] = subs()
			m["additionalItems"] = sub()
		case 22:
			m["prefixItems"] = subs()
		case 23:
			m["contains"] = sub()
			if rnd.IntN(2) == 0 {
				m["minContains"] = float64(rnd.IntN(3))
				m["maxContains"] = float64(rnd.IntN(3))
			}
		case 24:
			m["uniqueItems"] = true
		case 25:
			m["minItems"] = float64(rnd.IntN(3))
			m["maxItems"] = float64(rnd.IntN(4))
		case 26:
			m["allOf"] = subs()
		case 27:
			m["anyOf"] = subs()
		case 28:
			m["oneOf"] = subs()
		case 29:
			m["not"] = sub()
		case 30:
			m["if"] = sub()
			m["then"] = sub()
			m["else"] = sub()
		case 31:
			m["$ref"] = []string{"#", "#/$defs/d", "#/definitions/d"}[rnd.IntN(3)]
		case 32:
			m["items"] = rnd.IntN(2) == 0
		case 33:
			m["additionalItems"] = false
		}
	}
	return m
}

func TestFastConcurrent(t *testing.T) {
	send, _ := stytchSMS(t)
	v := jsonValue(t, fastSendBody)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if err := send.Validate(v); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkValidateFast validates the two Stytch SMS 200 bodies per
// iteration, through Validate (fast path) and through the library alone.
func BenchmarkValidateFast(b *testing.B) {
	send, auth := stytchSMS(b)
	sv, av := jsonValue(b, fastSendBody), jsonValue(b, fastAuthBody)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if send.Validate(sv) != nil || auth.Validate(av) != nil {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if send.lib.Validate(sv) != nil || auth.lib.Validate(av) != nil {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if buildFast(auth.lib) == nil {
				b.Fatal("no program")
			}
		}
	})
}

// FuzzFast decodes a schema and an instance, compiles the schema and checks
// that a sure fast answer is the library's answer.
func FuzzFast(f *testing.F) {
	for _, c := range fastCases() {
		for _, v := range append(append(append([]string{}, c.valid...), c.invalid...), c.unsure...) {
			f.Add(c.schema, v)
		}
	}
	f.Fuzz(func(t *testing.T, schemaSrc, instSrc string) {
		var root, inst any
		if json.Unmarshal([]byte(schemaSrc), &root) != nil || json.Unmarshal([]byte(instSrc), &inst) != nil {
			return
		}
		s, err := Compile(root, "")
		if err != nil {
			return
		}
		agree(t, s, inst, "fuzz")
		if (s.Validate(inst) == nil) != (s.lib.Validate(inst) == nil) {
			t.Fatal("Validate disagrees with the library")
		}
	})
}

// TestFastJSONSchemaSuite runs JSON-Schema-Test-Suite style files (arrays
// of {schema, tests: [{data}]}) through both paths when
// TELAIO_JSONSCHEMA_SUITE names directories holding them (separated by
// the OS list separator). A directory name such as draft7 or
// draft2019-09 sets the default draft; TELAIO_JSONSCHEMA_REMOTES names the
// directory served as http://localhost:1234/. With
// TELAIO_JSONSCHEMA_ALLDRAFTS set, every file runs under every draft.
func TestFastJSONSchemaSuite(t *testing.T) {
	dirs := os.Getenv("TELAIO_JSONSCHEMA_SUITE")
	if dirs == "" {
		t.Skip("TELAIO_JSONSCHEMA_SUITE not set")
	}
	remotes := os.Getenv("TELAIO_JSONSCHEMA_REMOTES")
	drafts := map[string]*jsonschema.Draft{"draft4": jsonschema.Draft4, "draft6": jsonschema.Draft6, "draft7": jsonschema.Draft7,
		"draft2019-09": jsonschema.Draft2019, "draft2020-12": jsonschema.Draft2020}
	var cases, sure, sureValid, libValid, ineligible, skipped int
	for _, dir := range filepath.SplitList(dirs) {
		err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || !strings.HasSuffix(path, ".json") {
				return err
			}
			fileDrafts := []*jsonschema.Draft{jsonschema.Draft2020}
			for name, d := range drafts {
				if strings.Contains(path, string(filepath.Separator)+name+string(filepath.Separator)) {
					fileDrafts = []*jsonschema.Draft{d}
				}
			}
			if os.Getenv("TELAIO_JSONSCHEMA_ALLDRAFTS") != "" {
				fileDrafts = []*jsonschema.Draft{jsonschema.Draft4, jsonschema.Draft6, jsonschema.Draft7, jsonschema.Draft2019, jsonschema.Draft2020}
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var groups []struct {
				Description string
				Schema      json.RawMessage
				Tests       []struct {
					Description string
					Data        json.RawMessage
				}
			}
			if json.Unmarshal(src, &groups) != nil {
				return nil // not a test file
			}
			for _, d := range fileDrafts {
				for gi, g := range groups {
					for _, assert := range []bool{false, true} {
						c := jsonschema.NewCompiler()
						c.DefaultDraft(d)
						if assert {
							c.AssertFormat()
						}
						c.UseLoader(suiteLoader(remotes))
						doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(g.Schema)))
						if err != nil {
							skipped++
							continue
						}
						url := fmt.Sprintf("http://suite.invalid/%s/%d.json", filepath.Base(path), gi)
						if c.AddResource(url, doc) != nil {
							skipped++
							continue
						}
						sch, err := c.Compile(url)
						if err != nil {
							skipped++
							continue
						}
						prog := buildFast(sch)
						if prog == nil {
							ineligible++
						}
						for _, tc := range g.Tests {
							var v any
							if json.Unmarshal(tc.Data, &v) != nil {
								continue
							}
							cases++
							lib := sch.Validate(v) == nil
							got := vUnsure
							if prog != nil {
								got = prog.run(v)
							}
							if got == vValid && !lib || got == vInvalid && lib {
								t.Errorf("%s %q/%q (draft %v, formats %v): fast %v, library valid=%v", path, g.Description, tc.Description, d, assert, got, lib)
							}
							if got != vUnsure {
								sure++
							}
							if lib {
								libValid++
								if got == vValid {
									sureValid++
								}
							}
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d cases, %d sure (%d of %d valid ones), %d ineligible schema compilations, %d skipped", cases, sure, sureValid, libValid, ineligible, skipped)
}

type suiteLoader string

func (l suiteLoader) Load(url string) (any, error) {
	const prefix = "http://localhost:1234/"
	if l == "" || !strings.HasPrefix(url, prefix) {
		return nil, fmt.Errorf("no remote %s", url)
	}
	f, err := os.Open(filepath.Join(string(l), filepath.FromSlash(strings.TrimPrefix(url, prefix))))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}
