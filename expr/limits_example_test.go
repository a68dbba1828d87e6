package expr_test

import (
	"errors"
	"fmt"

	"github.com/telaio/telaio/expr"
)

// Going over a limit is an error with a *LimitError inside, at compile time
// or, for a limit that depends on the context, when the criterion runs.
func ExampleLimitError() {
	_, err := expr.ParseWith("$inputs.customerName", expr.MaxExpressionLength(16))
	var le *expr.LimitError
	if errors.As(err, &le) {
		fmt.Println(le.Code, le.Limit, le.Size)
	}

	// Selector lists multiply the nodes selected: 10^8 here, whatever the
	// context.
	q := "$[0,1,2,3,4,5,6,7,8,9][0,1,2,3,4,5,6,7,8,9][0,1,2,3,4,5,6,7,8,9][0,1,2,3,4,5,6,7,8,9]" +
		"[0,1,2,3,4,5,6,7,8,9][0,1,2,3,4,5,6,7,8,9][0,1,2,3,4,5,6,7,8,9][0,1,2,3,4,5,6,7,8,9]"
	_, err = expr.CompileCriterion(expr.CriterionSpec{Condition: q, Context: "$response.body", Type: "jsonpath"})
	if errors.As(err, &le) {
		fmt.Println(le.Code)
	}

	// Nested descendant segments multiply the work by the depth of the
	// context, known when the criterion runs.
	c, _ := expr.CompileCriterion(expr.CriterionSpec{Condition: "$..[?@..[?@..id]]", Context: "$response.body", Type: "jsonpath"},
		expr.MaxQueryCost(1000))
	var body any = map[string]any{"id": 1.0}
	for range 20 {
		body = map[string]any{"next": body}
	}
	ok, err := c.Eval(expr.ResolverFunc(func(*expr.Expr) (any, bool) { return body, true }))
	fmt.Println(ok, errors.As(err, &le), le.Code)
	// Output:
	// expression-too-long 16 20
	// query-too-complex
	// false true query-too-complex
}
