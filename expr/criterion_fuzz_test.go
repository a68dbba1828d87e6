package expr

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// fuzzKinds are the criterion kinds FuzzCondition compiles a condition as.
var fuzzKinds = []CriterionSpec{
	{},
	{Type: "regex", Context: "$response.body"},
	{Type: "jsonpath", Context: "$response.body"},
	{Type: "jsonpath", Version: VersionGoessnerJSONPath, Context: "$response.body"},
	{Type: "xpath", Context: "$response.body#/xml"},
	{Type: "xpath", Version: VersionXPath10, Context: "$response.body#/xml"},
}

// FuzzCondition compiles and evaluates conditions of every criterion type.
// Set EXPR_FUZZ_SLOW (a duration, e.g. 2s) to also evaluate over a larger,
// deeper context with a lower MaxQueryCost, and fail on slow inputs: a
// query the cost estimate lets through must run quickly.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{
		"$statusCode == 200", "$statusCode == 200 || $statusCode == 201", "!($statusCode == 200)",
		"$response.body.data[0].id > 10", "$inputs.name == 'it''s ok'", "$statusCode == 2.0e2",
		"$response.body#/a != null && !$response.body.b", "'x' < 'y' < 'z'", "$a == (1)", "!!$inputs.a",
	} {
		f.Add(s, uint8(0))
	}
	for _, s := range []string{"^200$", "(?i)ok", "a(b"} {
		f.Add(s, uint8(1))
	}
	for _, s := range []string{"$[?count(@.pets) > 0]", "$.pets[?@.tag == 'dog']", "$..x", "$.a[",
		"$[0,0][0,0][0,0]", "$..[?@..[?@..x]]", "$[?match(@.tag, 'd.g')]", "$..[?search(@, '(?i)\\pL{3}')]",
		"$[?count($..*) > 1]", "$[\"a\",'b',0:2,*][?@..id]"} {
		f.Add(s, uint8(2))
	}
	for _, s := range []string{"$.results.length > 0", "$.status == 'ok'", "$.pets[?(@.age > 2)].name == 'rex'"} {
		f.Add(s, uint8(3))
	}
	for _, s := range []string{"count(//pet[age > 1]) = 2", "/a/b eq 'x'", "every $x in /a satisfies $x", "//pet[1]/name = 'Rex'",
		"count(//*[count(//*[count(//*) > 0]) > 0]) > 0", "//pet/following::*/preceding::*", "//pet[ancestor::*//name]"} {
		f.Add(s, uint8(4))
	}
	f.Add("1 = 1 = 1", uint8(5))
	body := map[string]any{
		"a": nil, "b": false, "data": []any{map[string]any{"id": 42.0}}, "status": "OK",
		"results": []any{1.0, "x"}, "pets": []any{map[string]any{"tag": "dog", "age": 3.0, "name": "Rex"}},
		"xml": petsXML,
	}
	var opts []Option
	slow := time.Duration(0)
	if v := os.Getenv("EXPR_FUZZ_SLOW"); v != "" {
		slow, _ = time.ParseDuration(v)
		deep := any(1.0)
		for i := 0; i < 60; i++ {
			deep = map[string]any{"a": deep, "id": float64(i)}
		}
		wide := make([]any, 400)
		for i := range wide {
			wide[i] = map[string]any{"id": float64(i), "tag": "dog", "x": []any{1.0, "a"}}
		}
		body["deep"], body["wide"] = deep, wide
		body["xml"] = "<r>" + strings.Repeat("<pet><name>a</name><age>1</age></pet>", 300) + strings.Repeat("<a>", 60) + strings.Repeat("</a>", 60) + "</r>"
		opts = append(opts, MaxQueryCost(1_000_000))
	}
	r := &critResolver{status: 200.0, body: body, headers: map[string]any{"X": "1"},
		inputs: map[string]any{"a": 1.0, "name": "it's ok", "list": []any{1.0}}}
	f.Fuzz(func(t *testing.T, cond string, kind uint8) {
		if slow > 0 {
			start := time.Now()
			defer func() {
				if d := time.Since(start); d > slow {
					t.Errorf("slow input: %v", d)
				}
			}()
		}
		spec := fuzzKinds[int(kind)%len(fuzzKinds)]
		spec.Condition = cond
		c, err := CompileCriterion(spec, opts...)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SyntaxError", err, err)
			}
			if se.Offset < 0 || se.Offset > len(cond) || se.Msg == "" || se.Expr != cond {
				t.Fatalf("bad SyntaxError %+v", se)
			}
			if strings.Contains(se.Msg, "internal error") {
				t.Fatalf("internal error: %v", se)
			}
			return
		}
		got, err := c.Eval(r)
		if err != nil {
			if strings.Contains(err.Error(), "failed:") {
				t.Fatalf("a library panicked: %v", err)
			}
			if spec.Type == "" || spec.Type == "regex" {
				t.Fatalf("Eval error %v", err)
			}
		}
		_ = c.String()
		if spec.Type != "" {
			return
		}
		// Negating a simple condition negates its result.
		n, err := CompileCriterion(CriterionSpec{Condition: "!(" + cond + ")"})
		if err != nil {
			return // too deep
		}
		if ng, err := n.Eval(r); err != nil || ng == got {
			t.Fatalf("!(%s) = %v, %v; %s = %v", cond, ng, err, cond, got)
		}
	})
}
