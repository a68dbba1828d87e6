package expr_test

import (
	"fmt"

	"github.com/telaio/telaio/expr"
)

// A Resolver backed by a few maps, standing in for the executor.
type resolver struct {
	inputs map[string]any
	steps  map[string]map[string]any
}

func (r resolver) Lookup(e *expr.Expr) (any, bool) {
	switch e.Kind {
	case expr.KindInputs:
		return expr.LookupName(r.inputs, e.Name)
	case expr.KindSteps:
		return expr.LookupName(r.steps[e.ID], e.Name)
	case expr.KindStatusCode:
		return 200.0, true
	}
	return nil, false
}

var example = resolver{
	inputs: map[string]any{"username": "ada", "count": 2.0},
	steps: map[string]map[string]any{
		"find": {"pets": []any{map[string]any{"id": 7.0}, map[string]any{"id": 8.0}}},
	},
}

func ExampleParse() {
	e, err := expr.Parse("$steps.find.outputs.pets#/1/id")
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Kind, e.ID, e.Field, e.Name, e.Pointer)
	v, ok, err := e.Eval(example)
	fmt.Println(v, ok, err)
	// Output:
	// $steps find outputs pets /1/id
	// 8 true <nil>
}

func ExampleParse_error() {
	for _, s := range []string{"$StatusCode", "$response.body.id", "$inputs."} {
		_, err := expr.Parse(s)
		fmt.Println(err)
	}
	// Output:
	// offset 1: unknown runtime expression $StatusCode: names are case-sensitive; did you mean $statusCode?
	// offset 14: only "#" and a JSON pointer may follow body: write $response.body#/id (dot navigation is not runtime-expression syntax)
	// offset 8: empty input name
}

func ExampleParseTemplate() {
	t := expr.ParseTemplate(`{"user": "{$inputs.username}", "code": {$statusCode}, "id": "{$input.id}"}`)
	s, complete, err := t.Render(example)
	fmt.Println(s, complete, err)
	for _, p := range t.Suspicious() {
		fmt.Printf("%s at %d: %s\n", p.Lit, p.Offset, p.Err.Msg)
	}
	// Output:
	// {"user": "ada", "code": 200, "id": "{$input.id}"} true <nil>
	// {$input.id} at 62: unknown runtime expression $input; did you mean $inputs?
}

func ExampleCompileValue() {
	v := expr.CompileValue(map[string]any{
		"count":    "$inputs.count",            // whole expression: keeps the number type
		"greeting": "hello {$inputs.username}", // template: a string
		"petIds":   []any{"$steps.find.outputs.pets#/0/id", "$inputs.missing"},
		"filter":   "$.items[*]",      // not an expression: literal
		"optional": "$inputs.missing", // absent: the member is omitted
	})
	out, present, err := v.Eval(example)
	fmt.Println(out, present, err)
	// Output:
	// map[count:2 filter:$.items[*] greeting:hello ada petIds:[7]] true <nil>
}
