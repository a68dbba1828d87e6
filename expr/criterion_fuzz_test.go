package expr

import (
	"errors"
	"strings"
	"testing"
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
	for _, s := range []string{"$[?count(@.pets) > 0]", "$.pets[?@.tag == 'dog']", "$..x", "$.a["} {
		f.Add(s, uint8(2))
	}
	for _, s := range []string{"$.results.length > 0", "$.status == 'ok'", "$.pets[?(@.age > 2)].name == 'rex'"} {
		f.Add(s, uint8(3))
	}
	for _, s := range []string{"count(//pet[age > 1]) = 2", "/a/b eq 'x'", "every $x in /a satisfies $x", "//pet[1]/name = 'Rex'"} {
		f.Add(s, uint8(4))
	}
	f.Add("1 = 1 = 1", uint8(5))
	body := map[string]any{
		"a": nil, "b": false, "data": []any{map[string]any{"id": 42.0}}, "status": "OK",
		"results": []any{1.0, "x"}, "pets": []any{map[string]any{"tag": "dog", "age": 3.0, "name": "Rex"}},
		"xml": petsXML,
	}
	r := &critResolver{status: 200.0, body: body, headers: map[string]any{"X": "1"},
		inputs: map[string]any{"a": 1.0, "name": "it's ok", "list": []any{1.0}}}
	f.Fuzz(func(t *testing.T, cond string, kind uint8) {
		spec := fuzzKinds[int(kind)%len(fuzzKinds)]
		spec.Condition = cond
		c, err := CompileCriterion(spec)
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
