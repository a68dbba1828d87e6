package expr

import (
	"errors"
	"reflect"
	"testing"
)

func TestCompileValueEval(t *testing.T) {
	r := newTestResolver(t)
	tests := []struct {
		name    string
		in      string // JSON
		want    string // JSON; "" = absent
		literal bool
		exprs   []string
	}{
		{name: "number", in: `7`, want: `7`, literal: true},
		{name: "null", in: `null`, want: `null`, literal: true},
		{name: "literal string", in: `"hello"`, want: `"hello"`, literal: true},
		{name: "jsonpath stays literal", in: `"$.items[*]"`, want: `"$.items[*]"`, literal: true},
		{name: "dollar text", in: `"costs 5$"`, want: `"costs 5$"`, literal: true},
		{name: "broken expression", in: `"$inputs."`, want: `"$inputs."`, literal: true},
		{name: "suspicious template", in: `"{$statusCode == 401}"`, want: `"{$statusCode == 401}"`, literal: true},
		{name: "whole expression keeps type", in: `"$inputs.count"`, want: `3`, exprs: []string{"$inputs.count"}},
		{name: "whole expression object", in: `"$inputs.customer"`, want: `{"firstName":"Ada","tags":["a","b"]}`, exprs: []string{"$inputs.customer"}},
		{name: "absent whole expression", in: `"$inputs.absent"`, want: ``, exprs: []string{"$inputs.absent"}},
		{name: "present null", in: `"$inputs.nothing"`, want: `null`, exprs: []string{"$inputs.nothing"}},
		{name: "embedded is a string", in: `"{$inputs.count}"`, want: `"3"`, exprs: []string{"$inputs.count"}},
		{name: "lone embedded absent", in: `"{$inputs.absent}"`, want: ``, exprs: []string{"$inputs.absent"}},
		{name: "partial template", in: `"a{$inputs.absent}b"`, want: `"ab"`, exprs: []string{"$inputs.absent"}},
		{name: "object", in: `{"petId": "$inputs.count", "name": "{$inputs.username}!", "fixed": [1, "x"], "gone": "$inputs.absent", "nul": "$inputs.nothing", "lit": null}`,
			want:  `{"petId": 3, "name": "ada!", "fixed": [1, "x"], "nul": null, "lit": null}`,
			exprs: []string{"$inputs.absent", "{$inputs.username}", "$inputs.nothing", "$inputs.count"}},
		{name: "array omits absent", in: `["$inputs.absent", "$inputs.username", 1, ["$inputs.absent"]]`, want: `["ada", 1, []]`,
			exprs: []string{"$inputs.absent", "$inputs.username", "$inputs.absent"}},
		{name: "nested object", in: `{"a": {"b": {"c": "$steps.login.outputs.pets#/1/id"}}}`, want: `{"a": {"b": {"c": 11}}}`,
			exprs: []string{"$steps.login.outputs.pets#/1/id"}},
		{name: "literal object", in: `{"a": {"b": [1, 2, "$.x"]}}`, want: `{"a": {"b": [1, 2, "$.x"]}}`, literal: true},
		{name: "empty object", in: `{}`, want: `{}`, literal: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := decodeJSONTest(t, tc.in)
			before := decodeJSONTest(t, tc.in)
			v := CompileValue(raw)
			if v.IsLiteral() != tc.literal {
				t.Errorf("IsLiteral = %v", v.IsLiteral())
			}
			var exprs []string
			for _, e := range v.Exprs() {
				exprs = append(exprs, e.Raw)
			}
			// Template expressions are listed by their Raw without braces.
			want := make([]string, len(tc.exprs))
			for i, s := range tc.exprs {
				want[i] = trimBraces(s)
			}
			if len(want) == 0 {
				want = nil
			}
			if !equalMultiset(exprs, want) {
				t.Errorf("Exprs = %q; want %q", exprs, want)
			}
			got, ok, err := v.Eval(r)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if ok {
					t.Errorf("Eval = %#v, want absent", got)
				}
			} else if !ok || !reflect.DeepEqual(got, decodeJSONTest(t, tc.want)) {
				t.Errorf("Eval = %#v, %v; want %s", got, ok, tc.want)
			}
			if !reflect.DeepEqual(raw, before) {
				t.Errorf("Eval modified the compiled value")
			}
			if !reflect.DeepEqual(v.Raw(), before) {
				t.Errorf("Raw() = %v", v.Raw())
			}
		})
	}
}

func trimBraces(s string) string {
	if len(s) > 1 && s[0] == '{' {
		return s[1 : len(s)-1]
	}
	return s
}

func equalMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	n := map[string]int{}
	for _, s := range a {
		n[s]++
	}
	for _, s := range b {
		n[s]--
	}
	for _, c := range n {
		if c != 0 {
			return false
		}
	}
	return true
}

func TestValueEvalWith(t *testing.T) {
	r := newTestResolver(t)
	v := CompileValue(map[string]any{"a": "$inputs.absent", "b": "x{$steps.login.outputs.nope}", "c": []any{"$inputs.username"}})
	var absent []string
	got, ok, err := v.EvalWith(r, func(e *Expr) { absent = append(absent, e.Raw) })
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if !reflect.DeepEqual(got, map[string]any{"b": "x", "c": []any{"ada"}}) {
		t.Errorf("got %#v", got)
	}
	if !equalMultiset(absent, []string{"$inputs.absent", "$steps.login.outputs.nope"}) {
		t.Errorf("absent = %q", absent)
	}
}

func TestValueEvalError(t *testing.T) {
	r := &testResolver{respBody: "<x/>", hasBody: true}
	for _, in := range []any{"$response.body#/a", "a{$response.body#/a}", map[string]any{"k": "$response.body#/a"}, []any{"$response.body#/a"}} {
		_, _, err := CompileValue(in).Eval(r)
		var ee *EvalError
		if !errors.As(err, &ee) {
			t.Errorf("%v: err = %v", in, err)
		}
	}
}

func TestValueLiteralShared(t *testing.T) {
	raw := map[string]any{"a": []any{1.0}}
	v := CompileValue(raw)
	allocs := testing.AllocsPerRun(100, func() {
		got, _, _ := v.Eval(nil)
		if got == nil {
			t.Fatal("nil")
		}
	})
	if allocs != 0 {
		t.Errorf("literal Eval allocates %v times", allocs)
	}
	got, _, _ := v.Eval(nil)
	if reflect.ValueOf(got).Pointer() != reflect.ValueOf(raw).Pointer() {
		t.Error("literal value was copied")
	}
}

func TestValueOtherTypes(t *testing.T) {
	// Go values outside the JSON model are literal.
	for _, in := range []any{42, map[string]string{"a": "$inputs.x"}, []string{"$inputs.x"}, struct{}{}} {
		if !CompileValue(in).IsLiteral() {
			t.Errorf("%#v not literal", in)
		}
	}
}

func BenchmarkValueEval(b *testing.B) {
	r := newTestResolver(b)
	b.Run("expr", func(b *testing.B) {
		v := CompileValue("$steps.login.outputs.pets#/1/id")
		b.ReportAllocs()
		for b.Loop() {
			v.Eval(r)
		}
	})
	b.Run("literal", func(b *testing.B) {
		v := CompileValue(decodeJSONTest(b, `{"a": [1, 2, {"b": "c"}]}`))
		b.ReportAllocs()
		for b.Loop() {
			v.Eval(r)
		}
	})
	b.Run("template", func(b *testing.B) {
		v := CompileValue("Bearer {$steps.login.outputs.token}")
		b.ReportAllocs()
		for b.Loop() {
			v.Eval(r)
		}
	})
	b.Run("payload", func(b *testing.B) {
		v := CompileValue(decodeJSONTest(b, `{"petId": "$inputs.count", "name": "{$inputs.username}!", "tags": ["x", "$inputs.customer#/tags/0"], "fixed": {"a": 1}}`))
		b.ReportAllocs()
		for b.Loop() {
			v.Eval(r)
		}
	})
}
