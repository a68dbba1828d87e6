package expr

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
)

// testResolver is a map-backed Resolver for tests.
type testResolver struct {
	url, method    string
	status         float64
	reqHeaders     map[string]any
	query, path    map[string]any
	reqBody        any
	respHeaders    map[string]any
	respBody       any
	hasBody        bool
	inputs         map[string]any
	outputs        map[string]any
	steps          map[string]map[string]any
	workflowInputs map[string]map[string]any
	workflowOuts   map[string]map[string]any
}

func (r *testResolver) Lookup(e *Expr) (any, bool) {
	get := func(m map[string]any, k string) (any, bool) { v, ok := m[k]; return v, ok }
	switch e.Kind {
	case KindURL:
		return r.url, r.url != ""
	case KindMethod:
		return r.method, r.method != ""
	case KindStatusCode:
		return r.status, r.status != 0
	case KindRequestHeader:
		return get(r.reqHeaders, e.Name)
	case KindRequestQuery:
		return get(r.query, e.Name)
	case KindRequestPath:
		return get(r.path, e.Name)
	case KindRequestBody:
		return r.reqBody, r.reqBody != nil
	case KindResponseHeader:
		return get(r.respHeaders, e.Name)
	case KindResponseBody:
		return r.respBody, r.hasBody
	case KindInputs:
		return LookupName(r.inputs, e.Name)
	case KindOutputs:
		return LookupName(r.outputs, e.Name)
	case KindSteps:
		return LookupName(r.steps[e.ID], e.Name)
	case KindWorkflows:
		if e.Field == "inputs" {
			return LookupName(r.workflowInputs[e.ID], e.Name)
		}
		return LookupName(r.workflowOuts[e.ID], e.Name)
	}
	return nil, false
}

func decodeJSONTest(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func newTestResolver(t testing.TB) *testResolver {
	return &testResolver{
		url:         "https://api.example.com/pets?limit=2",
		method:      "GET",
		status:      200,
		reqHeaders:  map[string]any{"accept": "application/json"},
		query:       map[string]any{"limit": "2"},
		path:        map[string]any{"id": "7"},
		reqBody:     decodeJSONTest(t, `{"user":{"uuid":"u-1"}}`),
		respHeaders: map[string]any{"Server": "nginx"},
		respBody:    decodeJSONTest(t, `{"status":"ok","pets":[{"id":1},{"id":2.5}],"":"empty","a/b":1,"a~b":2,"nul":null,"n":"x"}`),
		hasBody:     true,
		inputs: map[string]any{
			"username": "ada", "count": 3.0, "customer": decodeJSONTest(t, `{"firstName":"Ada","tags":["a","b"]}`),
			"x.y": "dotted", "nothing": nil,
		},
		outputs: map[string]any{"bar": true},
		steps: map[string]map[string]any{
			"login": {"token": "t0k", "pets": decodeJSONTest(t, `[{"id":10},{"id":11}]`)},
		},
		workflowInputs: map[string]map[string]any{"foo": {"username": "bob"}},
		workflowOuts:   map[string]map[string]any{"foo": {"mappedResponse": decodeJSONTest(t, `{"name":"n1"}`)}},
	}
}

func TestExprEval(t *testing.T) {
	r := newTestResolver(t)
	tests := []struct {
		in      string
		want    any
		present bool
	}{
		{"$url", "https://api.example.com/pets?limit=2", true},
		{"$method", "GET", true},
		{"$statusCode", 200.0, true},
		{"$request.header.accept", "application/json", true},
		{"$request.query.limit", "2", true},
		{"$request.path.id", "7", true},
		{"$request.body#/user/uuid", "u-1", true},
		{"$response.header.Server", "nginx", true},
		{"$response.header.Missing", nil, false},
		{"$response.body#/status", "ok", true},
		{"$response.body#/pets/1/id", 2.5, true},
		{"$response.body#/pets/2/id", nil, false},
		{"$response.body#/pets/-", nil, false},
		{"$response.body#/pets/01", nil, false},
		{"$response.body#/", "empty", true},
		{"$response.body#/a~1b", 1.0, true},
		{"$response.body#/a~0b", 2.0, true},
		{"$response.body#/nul", nil, true},
		{"$response.body#/status/x", nil, false}, // through a string
		{"$response.body#/nul/x", nil, false},    // through null
		{"$response.body#/missing", nil, false},
		{"$inputs.username", "ada", true},
		{"$inputs.count", 3.0, true},
		{"$inputs.customer#/firstName", "Ada", true},
		{"$inputs.customer.firstName", "Ada", true},
		{"$inputs.customer.tags[1]", "b", true},
		{"$inputs.customer.tags[2]", nil, false},
		{"$inputs.x.y", "dotted", true},
		{"$inputs.nothing", nil, true},
		{"$inputs.absent", nil, false},
		{"$outputs.bar", true, true},
		{"$steps.login.outputs.token", "t0k", true},
		{"$steps.login.outputs.pets#/0/id", 10.0, true},
		{"$steps.login.outputs.token#/0", nil, false}, // pointer into a string output
		{"$steps.other.outputs.token", nil, false},
		{"$workflows.foo.inputs.username", "bob", true},
		{"$workflows.foo.outputs.mappedResponse#/name", "n1", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := e.Eval(r)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.present || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Eval = %#v, %v; want %#v, %v", got, ok, tc.want, tc.present)
			}
		})
	}

	whole, _, _ := mustParseExpr(t, "$response.body").Eval(r)
	if !reflect.DeepEqual(whole, r.respBody) {
		t.Errorf("$response.body = %v", whole)
	}
	hash, ok, _ := mustParseExpr(t, "$response.body#").Eval(r)
	if !ok || !reflect.DeepEqual(hash, r.respBody) {
		t.Errorf("$response.body# = %v", hash)
	}
}

func mustParseExpr(t testing.TB, s string) *Expr {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestExprEvalUndecodedBody(t *testing.T) {
	for _, body := range []any{`{"a":[1,2]}`, []byte(`{"a":[1,2]}`)} {
		r := &testResolver{respBody: body, hasBody: true}
		v, ok, err := mustParseExpr(t, "$response.body#/a/1").Eval(r)
		if err != nil || !ok || v != 2.0 {
			t.Errorf("%T body: %v %v %v", body, v, ok, err)
		}
		// Without a pointer the body comes back as it is.
		v, ok, err = mustParseExpr(t, "$response.body").Eval(r)
		if err != nil || !ok || !reflect.DeepEqual(v, body) {
			t.Errorf("%T whole body: %v %v %v", body, v, ok, err)
		}
	}
	r := &testResolver{respBody: "<xml/>", hasBody: true}
	_, ok, err := mustParseExpr(t, "$response.body#/a").Eval(r)
	var ee *EvalError
	if ok || !errors.As(err, &ee) {
		t.Fatalf("non-JSON body: ok=%v err=%v", ok, err)
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		t.Errorf("EvalError does not unwrap to the JSON error: %v", err)
	}
}

func TestLookupName(t *testing.T) {
	m := decodeJSONTest(t, `{
		"a": {"b": {"c": 1}, "b.c": 2, "list": [[0, {"x": "deep"}]]},
		"a.b": {"c": 3},
		"p": {"q.r": {"s": 4}},
		"arr": [10, 20],
		"e": null
	}`).(map[string]any)
	tests := []struct {
		name string
		want any
		ok   bool
	}{
		{"a.b.c", 3.0, true}, // "a.b" is the longest defined prefix
		{"a.b", map[string]any{"c": 3.0}, true},
		{"a.list[0][1].x", "deep", true},
		{"a.list[0][2]", nil, false},
		{"p.q.r.s", 4.0, true}, // longest name applied at every level
		{"arr[1]", 20.0, true},
		{"arr[01]", nil, false},
		{"arr[x]", nil, false},
		{"arr[1", nil, false},
		{"arr.1", nil, false},
		{"e", nil, true},
		{"e.x", nil, false},
		{"a.", nil, false},
		{"missing.x", nil, false},
		{"", nil, false},
		{"a.b.c.d", nil, false}, // no backtracking to "a" + "b.c"...
		{"a.nope", nil, false},
	}
	for _, tc := range tests {
		got, ok := LookupName(m, tc.name)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("LookupName(%q) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := LookupName(nil, "a"); ok {
		t.Error("nil map")
	}
}

func TestStringify(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, "null"},
		{"s", "s"},
		{"", ""},
		{true, "true"},
		{false, "false"},
		{7.0, "7"},
		{2.5, "2.5"},
		{math.Copysign(0, -1), "-0"},
		{1e21, "1e+21"},
		{1e20, "100000000000000000000"},
		{1e-7, "1e-7"},
		{0.000001, "0.000001"},
		{123456789.0, "123456789"},
		{float32(0.1), "0.1"},
		{7, "7"},
		{int64(-3), "-3"},
		{uint64(3), "3"},
		{json.Number("1.50"), "1.50"},
		{[]byte("raw"), "raw"},
		{math.Inf(1), "+Inf"},
		{map[string]any{"b": 1.0, "a": "<&>"}, `{"a":"<&>","b":1}`},
		{[]any{1.0, "x", nil, true}, `[1,"x",null,true]`},
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{struct{ A int }{1}, `{"A":1}`},
		{map[string]any{"f": func() {}}, "map[f:"}, // not JSON: fmt fallback (prefix checked)
	}
	for _, tc := range tests {
		got := Stringify(tc.in)
		if got != tc.want && !(len(tc.want) > 0 && tc.want[len(tc.want)-1] == ':' && len(got) >= len(tc.want) && got[:len(tc.want)] == tc.want) {
			t.Errorf("Stringify(%#v) = %q; want %q", tc.in, got, tc.want)
		}
	}
	// Numbers agree with encoding/json.
	for _, f := range []float64{0, 1, -1, 0.1, 1.5e300, 4.9e-324, 123.456e-10, 1e6, 12345678901234567890} {
		b, _ := json.Marshal(f)
		if got := Stringify(f); got != string(b) {
			t.Errorf("Stringify(%v) = %q; encoding/json %q", f, got, b)
		}
	}
}

type countingResolver struct{ m map[string]any }

func (c countingResolver) Lookup(e *Expr) (any, bool) { v, ok := c.m[e.Name]; return v, ok }

func TestExprEvalAllocs(t *testing.T) {
	r := countingResolver{map[string]any{"pets": decodeJSONTest(t, `[{"id":1}]`)}}
	e := mustParseExpr(t, "$steps.a.outputs.pets#/0/id")
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok, _ := e.Eval(r); !ok {
			t.Fatal("absent")
		}
	})
	if allocs != 0 {
		t.Errorf("Expr.Eval allocates %v times", allocs)
	}
}

func BenchmarkExprEval(b *testing.B) {
	r := countingResolver{map[string]any{"pets": decodeJSONTest(b, `[{"id":1}]`)}}
	e := mustParseExpr(b, "$steps.a.outputs.pets#/0/id")
	b.ReportAllocs()
	for b.Loop() {
		e.Eval(r)
	}
}
