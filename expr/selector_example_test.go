package expr_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/telaio/telaio/expr"
)

// A Selector Object picks data out of a JSON or XML context (Arazzo 1.1).
func ExampleCompileSelector() {
	v11 := expr.ArazzoVersion("1.1.0")
	r := response{status: 200, body: map[string]any{
		"user":  map[string]any{"email": "ada@example.com"},
		"items": []any{map[string]any{"id": 1.0}, map[string]any{"id": 2.0}},
	}}
	for _, spec := range []expr.SelectorSpec{
		{Context: "$response.body", Selector: "$.user.email", Type: "jsonpath"},
		{Context: "$response.body", Selector: "$.items[*].id", Type: "jsonpath"},
		{Context: "$response.body", Selector: "$.user.phone", Type: "jsonpath"},
		{Context: "$response.body", Selector: "/items/1/id", Type: "jsonpointer"},
	} {
		s, err := expr.CompileSelector(spec, v11)
		if err != nil {
			fmt.Println(err)
			continue
		}
		sel, err := s.Select(context.Background(), r)
		fmt.Println(sel.Value, sel.Nodes, err)
	}
	// An XML context, and a static pointer for the type checker.
	xml := response{body: `<Invoice><Header><Number>INV-7</Number></Header></Invoice>`}
	s, _ := expr.CompileSelector(expr.SelectorSpec{Context: "$response.body", Selector: "/Invoice/Header/Number", Type: "xpath"}, v11)
	v, _, _ := s.Eval(context.Background(), xml)
	fmt.Println(v)
	s, _ = expr.CompileSelector(expr.SelectorSpec{Context: "$response.body", Selector: "$.user.email", Type: "jsonpath"}, v11)
	p, ok := s.Pointer()
	fmt.Println(p, ok)
	// Output:
	// ada@example.com 1 <nil>
	// [1 2] 2 <nil>
	// <nil> 0 <nil>
	// 2 1 <nil>
	// INV-7
	// /user/email true
}

// A payload may hold Selector Objects anywhere (Arazzo 1.1, E20).
func ExampleValue_EvalContext() {
	payload := map[string]any{
		"email": map[string]any{"context": "$response.body", "selector": "$.user.email", "type": "jsonpath"},
		"phone": map[string]any{"context": "$response.body", "selector": "$.user.phone", "type": "jsonpath"},
		"note":  map[string]any{"context": "a literal object", "other": "field"},
	}
	v := expr.CompileValue(payload, expr.ArazzoVersion("1.1.0"))
	r := response{body: map[string]any{"user": map[string]any{"email": "ada@example.com"}}}
	out, _, err := v.EvalContext(context.Background(), r,
		expr.OnEmptySelection(func(s *expr.Selector) { fmt.Println("warning: nothing selected by", s) }))
	fmt.Println(out, err)
	// Output:
	// warning: nothing selected by jsonpath $response.body: $.user.phone
	// map[email:ada@example.com note:map[context:a literal object other:field] phone:<nil>] <nil>
}

// A replacement target sets a value in a request body: a JSON pointer, or
// (Arazzo 1.1) a JSONPath query that sets every node it selects.
func ExampleCompileTarget() {
	body := map[string]any{"items": []any{
		map[string]any{"sku": "ABC123", "quantity": 1.0},
		map[string]any{"sku": "XYZ", "quantity": 1.0},
	}}
	t, _ := expr.CompileTarget(expr.TargetSpec{Target: "$.items[?(@.sku=='ABC123')].quantity", Type: "jsonpath"}, expr.ArazzoVersion("1.1.0"))
	out, err := t.Set(context.Background(), body, 5.0)
	fmt.Println(out, err)

	// Without a payload, a JSON pointer target creates what it needs (E28).
	t, _ = expr.CompileTarget(expr.TargetSpec{Target: "/order/petId", ContentType: "application/json"})
	out, err = t.SetCreate(context.Background(), nil, 7.0)
	fmt.Println(out, err)
	// Output:
	// map[items:[map[quantity:5 sku:ABC123] map[quantity:1 sku:XYZ]]] <nil>
	// map[order:map[petId:7]] <nil>
}

// An evaluation stops when its context ends, with an error that says so:
// a timed-out step, not a criterion that failed.
func ExampleCriterion_EvalContext() {
	c, _ := expr.CompileCriterion(expr.CriterionSpec{
		Condition: "//item[contains(., 'error')]", Context: "$response.body", Type: "xpath",
	}, expr.MaxEvalCost(1<<62))
	deep := strings.Repeat("<item>x", 10000) + strings.Repeat("</item>", 10000)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ok, err := c.EvalContext(ctx, response{body: deep})
	fmt.Println(ok, errors.Is(err, context.DeadlineExceeded))

	// Without a deadline, the work is still bounded (by
	// DefaultMaxEvalCost unless set, about a second of CPU).
	c, _ = expr.CompileCriterion(expr.CriterionSpec{
		Condition: "//item[contains(., 'error')]", Context: "$response.body", Type: "xpath",
	}, expr.MaxEvalCost(1_000_000))
	_, err = c.EvalContext(context.Background(), response{body: deep})
	var le *expr.LimitError
	fmt.Println(errors.As(err, &le), le.Code)
	// Output:
	// false true
	// true eval-too-costly
}

// Lenient accepts what real documents write, and says what to write
// instead.
func ExampleLenient() {
	e, _ := expr.ParseWith("$response.body.data[0].id", expr.Lenient())
	fmt.Println(e.Lenient, e.Standard)

	_, err := expr.Parse("$response.body.data[0].id")
	fmt.Println(err)

	c, _ := expr.CompileCriterion(expr.CriterionSpec{Condition: "$.status == 'ok'", Context: "$response.body", Type: "jsonpath"}, expr.Lenient())
	ok, _ := c.Eval(response{body: map[string]any{"status": "OK"}})
	fmt.Println(ok, c.Lenient())
	// Output:
	// true $response.body#/data/0/id
	// offset 14: only "#" and a JSON pointer may follow body: write $response.body#/data/0/id (dot navigation is not runtime-expression syntax)
	// true draft-goessner-dispatch-jsonpath-00
}

// ArazzoVersion selects the grammar of the document's version.
func ExampleArazzoVersion() {
	e, err := expr.ParseWith("$message.payload#/orderId", expr.ArazzoVersion("1.1.0"))
	fmt.Println(e.Kind, e.Pointer, err)
	_, err = expr.ParseWith("$message.payload#/orderId", expr.ArazzoVersion("1.0.1"))
	fmt.Println(err)
	// Output:
	// $message.payload /orderId <nil>
	// offset 0: $message is Arazzo 1.1 syntax, for AsyncAPI messages (it was removed in Arazzo 1.0.1): declare arazzo: 1.1.0 to use it (telaio upgrade converts a 1.0 document)
}
