package expr

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// evalFuzzKinds are the criterion kinds FuzzCriterionEval evaluates over
// the whole body.
var evalFuzzKinds = []CriterionSpec{
	{Type: "regex", Context: "$response.body"},
	{Type: "jsonpath", Context: "$response.body"},
	{Type: "jsonpath", Version: VersionGoessnerJSONPath, Context: "$response.body"},
	{Type: "xpath", Context: "$response.body"},
	{Type: "xpath", Version: VersionXPath10, Context: "$response.body"},
	{Condition: "", Context: ""}, // simple, over $response.body operands
}

// FuzzCriterionEval evaluates criteria of every kind over hostile bodies
// under a deadline. The body is open repeated n times then close repeated n
// times (n up to 20,000), so that small seeds make large, deep or
// repetitive documents. An evaluation must return soon after its deadline
// (2 s of slack, for loaded machines), never panic, and report a passed
// deadline as an error wrapping context.DeadlineExceeded rather than as a
// verdict.
func FuzzCriterionEval(f *testing.F) {
	settle(f)
	f.Add("//item[contains(., 'error')]", uint8(3), "<item>x", "</item>", uint16(10000))
	f.Add("a{0,150}b", uint8(0), "aaaaaaaa", "", uint16(20000))
	f.Add("$..*..*", uint8(1), `{"a":[1,2,{"x":2}],"b":`, "}", uint16(1000))
	f.Add("$..[?@..[?@..x]]", uint8(1), `[`, "]", uint16(5000))
	f.Add("count(//*[count(//*) > 0]) > 0", uint8(4), "<a>", "</a>", uint16(3000))
	f.Add("//a/following::*/preceding::*", uint8(3), "<a/>", "", uint16(20000))
	f.Add("$response.body#/a == 'x' && $response.body.b[0] != null", uint8(5), `{"a":"x","b":[`, "]}", uint16(1))
	f.Add("$.a.length > 0", uint8(2), `{"a":"`, `"}`, uint16(1))
	f.Fuzz(func(t *testing.T, cond string, kind uint8, open, close string, n uint16) {
		if len(open) > 64 || len(close) > 64 {
			return
		}
		body := strings.Repeat(open, int(n)%20001) + strings.Repeat(close, int(n)%20001)
		spec := evalFuzzKinds[int(kind)%len(evalFuzzKinds)]
		spec.Condition = cond
		c, err := CompileCriterion(spec)
		if err != nil {
			return
		}
		const deadline = 50 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		start := time.Now()
		ok, err := c.EvalContext(ctx, &critMemo{critResolver: critResolver{status: 200.0, body: []byte(body)}})
		if d := time.Since(start); d > deadline+2*time.Second {
			t.Fatalf("returned %v after starting, with a deadline of %v", d, deadline)
		}
		if ok && err != nil {
			t.Fatalf("passed with an error: %v", err)
		}
		if err == nil {
			return
		}
		if strings.Contains(err.Error(), "failed:") {
			t.Fatalf("a library panicked: %v", err)
		}
		var se *StoppedError
		if errors.As(err, &se) && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("stopped without the deadline: %v", err)
		}
	})
}
