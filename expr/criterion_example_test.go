package expr_test

import (
	"fmt"

	"github.com/telaio/telaio/expr"
)

// response is a Resolver over one HTTP response, standing in for the
// executor.
type response struct {
	status float64
	body   any
}

func (r response) Lookup(e *expr.Expr) (any, bool) {
	switch e.Kind {
	case expr.KindStatusCode:
		return r.status, true
	case expr.KindResponseBody:
		return r.body, true
	}
	return nil, false
}

func ExampleCompileCriterion() {
	c, err := expr.CompileCriterion(expr.CriterionSpec{
		Condition: "$statusCode == 200 && $response.body#/status == 'available'",
	})
	if err != nil {
		panic(err)
	}
	ok, err := c.Eval(response{status: 200, body: map[string]any{"status": "Available"}})
	fmt.Println(ok, err)
	ok, err = c.Eval(response{status: 404, body: map[string]any{"status": "Available"}})
	fmt.Println(ok, err)
	// Output:
	// true <nil>
	// false <nil>
}

func ExampleCompileCriterion_jsonpath() {
	c, err := expr.CompileCriterion(expr.CriterionSpec{
		Condition: "$.pets[?@.tag == 'dog']",
		Context:   "$response.body",
		Type:      "jsonpath",
	})
	if err != nil {
		panic(err)
	}
	body := map[string]any{"pets": []any{map[string]any{"tag": "cat"}}}
	fmt.Println(c.Eval(response{status: 200, body: body}))
	// Output:
	// false <nil>
}

func ExampleCompileCriterion_syntaxError() {
	for _, spec := range []expr.CriterionSpec{
		{Condition: "!$statusCode == 200"},
		{Condition: `$response.body#/status == "ok"`},
		{Condition: "/a/b eq 'x'", Type: "xpath", Version: "xpath-10", Context: "$response.body"},
		{Condition: "$.a", Type: "jsonpath", Version: "rfc9535", Context: "$response.body"},
	} {
		_, err := expr.CompileCriterion(spec)
		fmt.Println(err)
	}
	// Output:
	// offset 0: "!" applies only to a parenthesised group or a single operand: write !($statusCode == ...)
	// offset 26: strings are enclosed in single quotes ('...'), not double quotes
	// offset 5: the value comparison "eq" (use "=") is not XPath 1.0
	// jsonpath version "rfc9535" is Arazzo 1.1; in 1.0.x omit the expression type object for RFC 9535 (the only allowed version is draft-goessner-dispatch-jsonpath-00)
}

func ExampleCriterion_Eval_error() {
	c, err := expr.CompileCriterion(expr.CriterionSpec{Condition: "/a", Type: "xpath", Context: "$response.body"})
	if err != nil {
		panic(err)
	}
	// A JSON body cannot be the context of an xpath criterion: the criterion
	// fails and the error says why.
	ok, err := c.Eval(response{status: 200, body: map[string]any{"a": 1.0}})
	fmt.Println(ok)
	fmt.Println(err)
	// Output:
	// false
	// criterion "/a" (context $response.body): an xpath criterion needs an XML context (a string or bytes), but the context value is a JSON object
}
