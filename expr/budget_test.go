package expr

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// hostile contexts of the reliability issue: an XPath criterion over 10,000
// nested elements ran 31.8 s past a 5 s timeout, a regex over an 8 MB body
// took 23 s, and nothing stopped them.
var (
	nestedXML   = strings.Repeat("<item>x", 10000) + strings.Repeat("</item>", 10000)
	body8MB     = strings.Repeat("a", 8<<20)
	deepJSONLen = 1000
)

func deepJSON(n int) any {
	var v any = map[string]any{"x": 1.0}
	for i := 0; i < n; i++ {
		v = map[string]any{"a": v, "b": []any{1.0, 2.0, map[string]any{"x": 2.0}}}
	}
	return v
}

// stopCase is an evaluation that runs for seconds unless stopped.
type stopCase struct {
	name string
	spec CriterionSpec
	body any
	opts []Option
}

func stopCases() []stopCase {
	unlimited := []Option{MaxEvalCost(1 << 62)}
	return []stopCase{
		{"xpath nested", CriterionSpec{Type: "xpath", Condition: "//item[contains(., 'error')]", Context: "$response.body"}, nestedXML, unlimited},
		{"regex 8MB", CriterionSpec{Type: "regex", Condition: "a{0,150}b", Context: "$response.body"}, body8MB, unlimited},
		{"jsonpath deep", CriterionSpec{Type: "jsonpath", Condition: "$..*..*", Context: "$response.body"}, deepJSON(deepJSONLen), unlimited},
	}
}

// settle waits, at the end of the test, for the goroutines the test leaves
// behind (an abandoned JSONPath query completes in the background) so that
// they do not disturb later tests that count allocations.
func settle(t testing.TB) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		for i := 0; i < 1000 && runtime.NumGoroutine() > before; i++ {
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestEvalContextStopsPromptly cancels each long evaluation while it runs,
// and checks that it returns soon after with an error that wraps
// context.Canceled: never "criterion not met". The bound is generous (the
// machine may be loaded); the same evaluations run for seconds otherwise.
func TestEvalContextStopsPromptly(t *testing.T) {
	for _, tc := range stopCases() {
		t.Run(tc.name, func(t *testing.T) {
			settle(t)
			c, err := CompileCriterion(tc.spec, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			r := &critMemo{critResolver: critResolver{body: tc.body}}
			ctx, cancel := context.WithCancel(context.Background())
			type result struct {
				ok  bool
				err error
				at  time.Time
			}
			done := make(chan result, 1)
			go func() {
				ok, err := c.EvalContext(ctx, r)
				done <- result{ok, err, time.Now()}
			}()
			time.Sleep(100 * time.Millisecond)
			canceled := time.Now()
			cancel()
			var res result
			select {
			case res = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the evaluation did not stop within 10 s of the cancel")
			}
			if res.ok || !errors.Is(res.err, context.Canceled) {
				t.Fatalf("EvalContext = %v, %v; want false and an error wrapping context.Canceled", res.ok, res.err)
			}
			var se *StoppedError
			var ce *CriterionError
			if !errors.As(res.err, &se) || !errors.As(res.err, &ce) {
				t.Errorf("error %T %v: want a *CriterionError holding a *StoppedError", res.err, res.err)
			}
			if d := res.at.Sub(canceled); d > time.Second {
				t.Errorf("returned %v after the cancel; want well under a second", d)
			}
			// The criterion is still usable after a stopped evaluation.
			small := &critResolver{body: smallBody(tc.spec.Type)}
			if _, err := c.EvalContext(context.Background(), small); err != nil {
				t.Errorf("evaluation after a stop: %v", err)
			}
		})
	}
}

func smallBody(typ string) any {
	switch typ {
	case "xpath":
		return "<item>error</item>"
	case "regex":
		return "aab"
	}
	return map[string]any{"a": map[string]any{"x": 1.0}}
}

// TestEvalContextDeadline: a deadline that passes during the evaluation
// gives an error wrapping context.DeadlineExceeded.
func TestEvalContextDeadline(t *testing.T) {
	for _, tc := range stopCases() {
		t.Run(tc.name, func(t *testing.T) {
			settle(t)
			c, err := CompileCriterion(tc.spec, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			ok, err := c.EvalContext(ctx, &critResolver{body: tc.body})
			if ok || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("EvalContext = %v, %v; want an error wrapping context.DeadlineExceeded", ok, err)
			}
		})
	}
}

// TestEvalContextAlreadyDone: every kind of criterion returns at once on a
// context that has ended, without evaluating.
func TestEvalContextAlreadyDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	specs := []CriterionSpec{
		{Condition: "$statusCode == 200"},
		{Type: "regex", Condition: "^2", Context: "$statusCode"},
		{Type: "jsonpath", Condition: "$.a", Context: "$response.body"},
		{Type: "xpath", Condition: "/a", Context: "$response.body"},
	}
	for _, spec := range specs {
		c, err := CompileCriterion(spec)
		if err != nil {
			t.Fatal(err)
		}
		ok, err := c.EvalContext(ctx, &critResolver{status: 200.0, body: "<a/>"})
		if ok || !errors.Is(err, context.Canceled) {
			t.Errorf("%s: EvalContext = %v, %v; want an error wrapping context.Canceled", c, ok, err)
		}
	}
}

// TestMaxEvalCost: without any deadline, the work of an evaluation is
// bounded: the hostile cases stop with an eval-too-costly limit error.
func TestMaxEvalCost(t *testing.T) {
	for _, tc := range stopCases() {
		if tc.spec.Type == "jsonpath" {
			continue // metered by its estimate, below
		}
		t.Run(tc.name, func(t *testing.T) {
			c, err := CompileCriterion(tc.spec, MaxEvalCost(1_000_000))
			if err != nil {
				t.Fatal(err)
			}
			ok, err := c.EvalContext(context.Background(), &critResolver{body: tc.body})
			if ok || limitCode(err) != CodeEvalTooCostly {
				t.Fatalf("EvalContext = %v, %v; want a %s limit error", ok, err, CodeEvalTooCostly)
			}
			var le *LimitError
			errors.As(err, &le)
			if le.Limit != 1_000_000 || !strings.Contains(le.Msg, "MaxEvalCost") {
				t.Errorf("LimitError = %+v", le)
			}
		})
	}
	t.Run("jsonpath estimate", func(t *testing.T) {
		c, err := CompileCriterion(CriterionSpec{Type: "jsonpath", Condition: "$..*..*", Context: "$response.body"}, MaxEvalCost(1000))
		if err != nil {
			t.Fatal(err)
		}
		ok, err := c.EvalContext(context.Background(), &critResolver{body: deepJSON(50)})
		if ok || limitCode(err) != CodeEvalTooCostly {
			t.Fatalf("EvalContext = %v, %v; want a %s limit error", ok, err, CodeEvalTooCostly)
		}
	})
	t.Run("regex early match", func(t *testing.T) {
		// Metering counts the characters read: a match found early in a
		// large input passes within a budget that the whole input exceeds.
		c, err := CompileCriterion(CriterionSpec{Type: "regex", Condition: "a{0,150}b", Context: "$response.body"}, MaxEvalCost(1_000_000))
		if err != nil {
			t.Fatal(err)
		}
		ok, err := c.EvalContext(context.Background(), &critResolver{body: "aab" + body8MB})
		if !ok || err != nil {
			t.Fatalf("EvalContext = %v, %v; want true", ok, err)
		}
	})
}

// TestRegexMeteredMatchesDirect: the metered reader gives the same result as
// a direct match, for anchors, word boundaries and invalid UTF-8.
func TestRegexMeteredMatchesDirect(t *testing.T) {
	patterns := []string{`^abc`, `abc$`, `\bfoo\b`, `^$`, `(?m)^x$`, `\xff`, `\x{FFFD}`, `é+`, `a.c`, `(?s)a.c`}
	inputs := []string{"", "abc", "xabc", "abcx", "foo", "a foo b", "afoob", "x\nx", "\xff", "éé", "a\nc", "a\xffc"}
	b := newBudget(context.Background(), 1<<40)
	for _, p := range patterns {
		c, err := compileRegex(p, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range inputs {
			want := c.re.MatchString(in)
			rr := &runeReader{s: in, b: b, cost: 1}
			if got := c.re.MatchReader(rr); got != want {
				t.Errorf("%q on %q: metered %v, direct %v", p, in, got, want)
			}
			rb := &runeReader{bs: []byte(in), b: b, cost: 1}
			if got := c.re.MatchReader(rb); got != want {
				t.Errorf("%q on bytes %q: metered %v, direct %v", p, in, got, want)
			}
		}
	}
}
