package expr

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestE29_LenientForms: under Lenient, the forms real documents write are
// accepted and reported (Lenient, Standard), never silently; without it
// they stay errors whose message suggests the standard form.
func TestE29_LenientForms(t *testing.T) {
	tests := []struct {
		in       string
		opts     []Option
		kind     Kind
		name     string
		ptr      string // of the parsed Expr
		standard string
	}{
		{in: "$response.body.a.b[0]", kind: KindResponseBody, ptr: "/a/b/0", standard: "$response.body#/a/b/0"},
		{in: "$response.body.data[0].id", kind: KindResponseBody, ptr: "/data/0/id", standard: "$response.body#/data/0/id"},
		{in: "$response.body[2]", kind: KindResponseBody, ptr: "/2", standard: "$response.body#/2"},
		{in: "$request.body.user.na~me/x", kind: KindRequestBody, ptr: "/user/na~0me~1x", standard: "$request.body#/user/na~0me~1x"},
		{in: "$message.payload.a.b", opts: []Option{v11}, kind: KindMessagePayload, ptr: "/a/b", standard: "$message.payload#/a/b"},
		{in: "$inputs.a.b", kind: KindInputs, name: "a.b", standard: "$inputs.a#/b"},
		{in: "$inputs.a.b", opts: []Option{v11}, kind: KindInputs, name: "a.b", standard: "$inputs.a#/b"},
		{in: "$inputs.a[0].c", kind: KindInputs, name: "a[0].c", standard: "$inputs.a#/0/c"},
		{in: "$inputs.a[0].c", opts: []Option{v11}, kind: KindInputs, name: "a[0].c", standard: "$inputs.a#/0/c"},
		{in: "$inputs.a.b#/c", kind: KindInputs, name: "a.b", ptr: "/c", standard: "$inputs.a#/b/c"},
		{in: "$outputs.x.y", kind: KindOutputs, name: "x.y", standard: "$outputs.x#/y"},
		{in: "$steps.s.outputs.list[0]", kind: KindSteps, name: "list[0]", standard: "$steps.s.outputs.list#/0"},
		{in: "$workflows.w.inputs.a.b", kind: KindWorkflows, name: "a.b", standard: "$workflows.w.inputs.a#/b"},
		// Standard forms are not reported.
		{in: "$inputs.a", kind: KindInputs, name: "a"},
		{in: "$inputs.a#/b", kind: KindInputs, name: "a", ptr: "/b"},
		{in: "$inputs.a..b", kind: KindInputs, name: "a..b"},
		{in: "$response.body#/a", kind: KindResponseBody, ptr: "/a"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e, err := ParseWith(tc.in, append(tc.opts, Lenient())...)
			if err != nil {
				t.Fatal(err)
			}
			if e.Kind != tc.kind || e.Name != tc.name || e.Pointer.String() != tc.ptr || e.Raw != tc.in {
				t.Errorf("Parse = %+v", e)
			}
			if e.Lenient != (tc.standard != "") || e.Standard != tc.standard {
				t.Errorf("Lenient %v, Standard %q; want %q", e.Lenient, e.Standard, tc.standard)
			}
			if tc.standard == "" {
				return
			}
			std, err := ParseWith(tc.standard, append(tc.opts, Lenient())...)
			if err != nil || std.Lenient {
				t.Errorf("standard form %q: %v, %+v", tc.standard, err, std)
			}
			// Names are still read the D3 way without the option; body
			// forms are errors.
			plain, err := ParseWith(tc.in, tc.opts...)
			if tc.name != "" {
				if err == nil && (plain.Lenient || plain.Name != tc.name) {
					t.Errorf("without Lenient: %+v", plain)
				}
			} else if err == nil {
				t.Errorf("without Lenient: %+v, want an error", plain)
			}
		})
	}
}

// TestLenientBodyEval: the lenient body form evaluates as its standard form.
func TestLenientBodyEval(t *testing.T) {
	body := critJSON(t, `{"data":[{"id":7}]}`)
	r := ResolverFunc(func(e *Expr) (any, bool) { return body, e.Kind == KindResponseBody })
	e, err := ParseWith("$response.body.data[0].id", Lenient())
	if err != nil {
		t.Fatal(err)
	}
	if v, ok, err := e.Eval(r); v != 7.0 || !ok || err != nil {
		t.Errorf("Eval = %v, %v, %v", v, ok, err)
	}
	v := CompileValue(map[string]any{"id": "$response.body.data[0].id"}, Lenient())
	if ex := v.Exprs(); len(ex) != 1 || !ex[0].Lenient {
		t.Errorf("value exprs %+v", ex)
	}
	tpl := ParseTemplate("id={$response.body.data[0].id}", Lenient())
	if s, _, _ := tpl.Render(r); s != "id=7" {
		t.Errorf("Render = %q", s)
	}
	if !CompileValue("$response.body.data").IsLiteral() {
		t.Error("without Lenient, a dotted body path is an expression")
	}
}

// TestBodyDotSuggestion: without the option, the message suggests the JSON
// pointer with indexes as tokens (not "#/data[0]/id").
func TestBodyDotSuggestion(t *testing.T) {
	for in, want := range map[string]string{
		"$response.body.data[0].id": "write $response.body#/data/0/id",
		"$request.body[1].x":        "write $request.body#/1/x",
		"$response.body.a/b":        "write $response.body#/a~1b",
		"$message.payload.orderId":  "write $message.payload#/orderId",
		"$response.body.a..b":       "write $response.body#/a//b",
		"$response.body[x]":         `unexpected "[x]" after $response.body`,
	} {
		_, err := ParseWith(in, v11)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", in, err, want)
		}
	}
}

// TestE34_LenientJSONPathComparison: a jsonpath criterion with the
// "<path> <op> <literal>" form is an error under plain jsonpath; with
// Lenient it compiles with the Goessner semantics and says which version
// to declare.
func TestE34_LenientJSONPathComparison(t *testing.T) {
	body := critJSON(t, `{"status":"ok","results":[1,2]}`)
	r := &critResolver{body: body}
	for _, cond := range []string{"$.status == 'ok'", "$.results.length > 0"} {
		for _, opts := range [][]Option{nil, {v11}} {
			spec := CriterionSpec{Type: "jsonpath", Condition: cond, Context: "$response.body"}
			_, err := CompileCriterion(spec, opts...)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(se.Msg, "draft-goessner-dispatch-jsonpath-00") {
				t.Errorf("%s without Lenient: %v", cond, err)
			}
			c, err := CompileCriterion(spec, append(opts, Lenient())...)
			if err != nil {
				t.Fatalf("%s with Lenient: %v", cond, err)
			}
			if c.Lenient() != VersionGoessnerJSONPath {
				t.Errorf("Lenient() = %q", c.Lenient())
			}
			if ok, err := c.Eval(r); !ok || err != nil {
				t.Errorf("%s = %v, %v", cond, ok, err)
			}
		}
	}
	// Standard queries, and an explicit version, are not lenient.
	for _, spec := range []CriterionSpec{
		{Type: "jsonpath", Condition: "$[?@.status == 'ok']", Context: "$response.body"},
		{Type: "jsonpath", Version: VersionGoessnerJSONPath, Condition: "$.status == 'ok'", Context: "$response.body"},
	} {
		c, err := CompileCriterion(spec, Lenient())
		if err != nil || c.Lenient() != "" {
			t.Errorf("%+v: %v, Lenient %q", spec, err, c.Lenient())
		}
	}
	// Other non-RFC 9535 queries stay errors.
	if _, err := CompileCriterion(CriterionSpec{Type: "jsonpath", Condition: "$.a[?(@.b > 1)", Context: "$response.body"}, Lenient()); err == nil {
		t.Error("a broken query compiled")
	}
}

// FuzzParse11 parses with the 1.1 grammar, strict and lenient: never a
// panic, errors well-formed, and what 1.1 accepts among the 1.0 kinds the
// 1.0 grammar reads the same way (1.1 is stricter, except for control
// characters, which its JSON pointers allow).
func FuzzParse11(f *testing.F) {
	for _, tc := range tableA {
		f.Add(tc.in)
	}
	for _, s := range []string{"$message.payload#/a", "$message.header.x", "$self", `$request.query.a\u0041`,
		"$response.body.a.b[0]", "$inputs.a.b[2].c", "$message.payload.x[1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, opts := range [][]Option{{v11}, {v11, Lenient()}, {Lenient()}} {
			e, err := ParseWith(s, opts...)
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) || se.Msg == "" || se.Expr != s || e != nil {
					t.Fatalf("bad error %#v for %q", err, s)
				}
				continue
			}
			if e.Raw != s || e.Kind == KindInvalid || e.Kind > KindSelf {
				t.Fatalf("Parse(%q) = %+v", s, e)
			}
			if e.Lenient {
				if e.Standard == "" {
					t.Fatalf("lenient %q without a standard form", s)
				}
				std, err := ParseWith(e.Standard, opts...)
				if err != nil || std.Lenient {
					t.Fatalf("standard form %q of %q: %v %+v", e.Standard, s, err, std)
				}
				continue
			}
			if e.String() != s {
				t.Fatalf("String %q for %q", e.String(), s)
			}
			if len(opts) == 1 && e.Kind <= KindComponents && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
				e10, err := Parse(s)
				if err != nil || !reflect.DeepEqual(e10, e) {
					t.Fatalf("1.1 reads %q as %+v, 1.0 as %+v, %v", s, e, e10, err)
				}
			}
			for _, v := range []any{nil, "x", `{"a":[1]}`, []byte("[1,2]"), 1.0} {
				e.Eval(ResolverFunc(func(*Expr) (any, bool) { return v, true }))
			}
		}
	})
}
