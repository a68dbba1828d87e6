package expr

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// critResolver is a Resolver over a response and a few maps; inputs and
// step outputs are found with LookupName (D3).
type critResolver struct {
	status  any
	body    any
	headers map[string]any
	inputs  map[string]any
	steps   map[string]map[string]any
}

func (r *critResolver) Lookup(e *Expr) (any, bool) {
	switch e.Kind {
	case KindStatusCode:
		return r.status, r.status != nil
	case KindResponseBody:
		return r.body, true
	case KindResponseHeader:
		for k, v := range r.headers {
			if strings.EqualFold(k, e.Name) {
				return v, true
			}
		}
	case KindInputs:
		return LookupName(r.inputs, e.Name)
	case KindSteps:
		return LookupName(r.steps[e.ID], e.Name)
	}
	return nil, false
}

func critJSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON %q: %v", s, err)
	}
	return v
}

// TestConditionParseTableC runs the parse verdicts of
// runtime-expression-cases.md section C.
func TestConditionParseTableC(t *testing.T) {
	tests := []struct {
		cond string
		ok   bool
	}{
		{"$statusCode == 200", true},
		{"$statusCode==200", true},
		{"$statusCode == 200 || $statusCode == 201", true},
		{"$statusCode >= 200 && $statusCode < 300", true},
		{"$response.body#/existingCustomerNotEligible == false", true},
		{"$response.body#/redirectAuthToken != null", true},
		{"$steps.checkLoanCanBeProvided.outputs.eligibilityCheckRequired == true", true},
		{"$response.body.count > $inputs.threshold", true},
		{"$response.body.data[0].id > 10", true},
		{"!($statusCode == 200)", true},
		{"!$response.body.active", true},
		{"!$statusCode == 200", false},
		{"!!$inputs.a", false},
		{"$inputs.a == (1)", false},
		{"$inputs.a == 1 || $inputs.b == 2 && $inputs.c == 3", true},
		{"$inputs.name == 'it''s ok'", true},
		{"$statusCode == '200'", true},
		{"$inputs.customer.firstName == 'x'", true},
		{"'^200$'", true},
		{"true", true},
		{"$statusCode == 2.0e2", true},
		{"{$statusCode == 401}", false},
		{"$[?count(@.pets) > 0]", false},
		{"$statusCode < 200 < 300", false},
		{"$statusCode === 200", false},
		{"$statusCode = 200", false},
		{"$statusCode == 200 and $statusCode < 300", false},
		{"$statusCode == +200", false},
		{"$statusCode == .5", false},
		{"$statusCode == 0x10", false},
		{`$response.body.status == "available"`, false},
		{"$response.body.items[-1] == null", false},
		{"$response.body['a'] == 1", false},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			_, err := CompileCriterion(CriterionSpec{Condition: tt.cond})
			if (err == nil) != tt.ok {
				t.Fatalf("CompileCriterion(%q) error = %v, want ok=%v", tt.cond, err, tt.ok)
			}
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error %T is not a *SyntaxError", err)
				}
				if se.Expr != tt.cond || se.Offset < 0 || se.Offset > len(tt.cond) {
					t.Fatalf("bad SyntaxError %+v", se)
				}
			}
		})
	}
}

// TestConditionErrors checks each error message and its offset.
func TestConditionErrors(t *testing.T) {
	tests := []struct {
		cond string
		off  int
		msg  string
	}{
		{"", 0, "empty condition"},
		{"   ", 0, "empty condition"},
		{"!$statusCode == 200", 0, `"!" applies only to a parenthesised group or a single operand: write !($statusCode == ...)`},
		{"!!$inputs.a", 1, `double negation "!!" is not allowed`},
		{"$inputs.a == (1)", 13, "parentheses group logical expressions, not operands"},
		{"($inputs.a) == 1", 12, "a group cannot be compared with =="},
		{"{$statusCode == 401}", 0, "a condition is not a template: remove the braces"},
		{"$[?count(@.pets) > 0]", 0, "looks like a JSONPath query, which is not a simple condition: use type jsonpath with a context"},
		{"$.status == 'ok'", 0, "looks like a JSONPath query"},
		{"$statusCode < 200 < 300", 18, "comparisons do not chain"},
		{"'x' < 'y' < 'z'", 10, "comparisons do not chain"},
		{"$statusCode === 200", 12, `"===" is not an operator: use "=="`},
		{"$statusCode !== 200", 12, `"!==" is not an operator: use "!="`},
		{"$statusCode = 200", 12, `"=" is not an operator: use "==" to compare`},
		{"$statusCode == 200 and $statusCode < 300", 19, `"and" is not an operator: use "&&"`},
		{"$url == 1 or $url == 2", 10, `"or" is not an operator: use "||"`},
		{"not $a", 0, `"not" is not an operator: use "!"`},
		{"$statusCode == +200", 15, `a number cannot start with "+"`},
		{"$statusCode == .5", 15, "a number needs a digit before the decimal point: write 0.5"},
		{"$statusCode == 0x10", 15, "hexadecimal numbers are not supported"},
		{"$statusCode == 010", 15, "a number cannot have a leading zero"},
		{"$statusCode == 1.", 16, "a decimal point must be followed by a digit"},
		{"$statusCode == 1e", 15, "an exponent needs digits"},
		{"$statusCode == 1e999", 15, "number 1e999 is out of range"},
		{"$statusCode == 12abc", 17, `unexpected "abc" after the number 12`},
		{`$response.body.status == "available"`, 25, "strings are enclosed in single quotes ('...'), not double quotes"},
		{"$response.body.items[-1] == null", 20, "an index must be a non-negative integer"},
		{"$response.body['a'] == 1", 14, "bracket member access is not supported"},
		{"$response.body.a[x] == 1", 16, `"[" must be followed by an index`},
		{"$response.body.a[1 == 1", 18, `an index must be digits followed by "]"`},
		{"$response.body..a == 1", 14, `empty property name after "."`},
		{"$response.body.a[01] == 1", 17, "invalid index 01"},
		{"'abc", 0, "unterminated string"},
		{"$statusCode == 200 &", 19, `"&" is not an operator: use "&&"`},
		{"$statusCode == 200 | $a", 19, `"|" is not an operator: use "||"`},
		{"$statusCode <> 200", 12, `"<>" is not an operator: use "!="`},
		{"$statusCode => 200", 12, `"=>" is not an operator: use ">="`},
		{"($statusCode == 200", 0, `unclosed "("`},
		{"$statusCode == 200)", 18, `unbalanced ")"`},
		{"()", 1, `unexpected ")": expected an operand`},
		{"$statusCode ==", 14, "unexpected end of condition: expected an operand after \"==\""},
		{"== 200", 0, `comparison "==" needs an operand on its left`},
		{"$statusCode 200", 12, "operands must be joined by a comparison operator"},
		{"$url == 1 && || $url", 13, `unexpected "||"`},
		{"$statusCode == !$a", 15, `"!" cannot be an operand of ==`},
		{"!", 1, "unexpected end of condition"},
		{"foo == 1", 0, `unexpected word "foo": strings are enclosed in single quotes`},
		{"TRUE", 0, "the literals true, false and null are lower-case"},
		{"$statusCode == -", 15, `"-" must be followed by a digit`},
		{"$StatusCode == 200", 1, "names are case-sensitive; did you mean $statusCode?"},
		{"$response.body.x == 1 #", 22, `unexpected "#"`},
		{"$url == [1]", 8, "index navigation must follow a runtime expression"},
		{"$x == 1", 1, "unknown runtime expression $x"},
		{"$statusCode == 200 @", 19, `unexpected character '@'`},
		{"$inputs.a == 'x' \xff", 17, "invalid UTF-8"},
		{strings.Repeat("(", 70) + "true" + strings.Repeat(")", 70), 64, "nested too deeply"},
		{strings.Repeat("!(", 70) + "true" + strings.Repeat(")", 70), 129, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			_, err := CompileCriterion(CriterionSpec{Condition: tt.cond})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v (%T), want *SyntaxError", err, err)
			}
			if se.Offset != tt.off || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("got offset %d %q, want offset %d containing %q", se.Offset, se.Msg, tt.off, tt.msg)
			}
			if se.Expr != tt.cond {
				t.Fatalf("SyntaxError.Expr = %q", se.Expr)
			}
		})
	}
}

func TestConditionTooLong(t *testing.T) {
	cond := "$statusCode == 200 && " + strings.Repeat("true && ", 20) + "true"
	if _, err := CompileCriterion(CriterionSpec{Condition: cond}, MaxConditionLength(50)); limitCode(err) != CodeConditionTooLong || !strings.Contains(err.Error(), "longer than the limit of 50") {
		t.Fatalf("error = %v", err)
	}
	if _, err := CompileCriterion(CriterionSpec{Condition: cond}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("$statusCode == 200 && ", DefaultMaxConditionLength/22+1) + "true"
	if _, err := CompileCriterion(CriterionSpec{Condition: long}); err == nil {
		t.Fatalf("a condition of %d bytes compiled", len(long))
	}
}

// TestConditionEvalTableC runs the evaluation rows of section C and more
// coercion, precedence and navigation cases.
func TestConditionEvalTableC(t *testing.T) {
	r := &critResolver{
		status: 200.0,
		body: critJSON(t, `{"status":"Available","count":"5","missing":null,"data":[{"id":42}],
			"active":true,"inactive":false,"zero":0,"empty":"","n":3,"f":2.5,"tags":["a","B"],"obj":{"x":1},
			"big":1e300,"neg":-1,"existingCustomerNotEligible":false,"redirectAuthToken":"tok"}`),
		headers: map[string]any{"X-Count": "12", "Content-Type": "application/JSON"},
		inputs: map[string]any{"threshold": 3.0, "customer": map[string]any{"firstName": "Ada"},
			"a.b": "dotted", "a": map[string]any{"b": "nested"}, "name": "it's ok", "list": []any{1.0, 2.0},
			"i": 7, "i64": int64(7), "num": json.Number("7"), "tags": []any{"A", "b"}, "obj": map[string]any{"x": 1.0}},
		steps: map[string]map[string]any{"checkLoanCanBeProvided": {"eligibilityCheckRequired": true}},
	}
	tests := []struct {
		cond string
		want bool
	}{
		// Section C evaluation table.
		{"$response.body.status == 'AVAILABLE'", true},
		{"$response.body.count > $inputs.threshold", true},
		{"$statusCode == '200'", true},
		{"$response.body.missing == null", true},
		{"$response.body.nothere == null", true},
		{"$response.body.missing < 1", false},
		{"$response.body.status > 'a'", true},
		{"true == 'true'", false},
		{"1 == true", false},
		{"$response.body.data[0].id", true},
		// Spec and example conditions.
		{"$statusCode == 200", true},
		{"$statusCode==200", true},
		{"$statusCode == 200 || $statusCode == 201", true},
		{"$statusCode >= 200 && $statusCode < 300", true},
		{"$statusCode == 2.0e2", true},
		{"$statusCode == 20e1", true},
		{"$statusCode == 2000E-1", true},
		{"$response.body#/existingCustomerNotEligible == false", true},
		{"$response.body#/redirectAuthToken != null", true},
		{"$steps.checkLoanCanBeProvided.outputs.eligibilityCheckRequired == true", true},
		{"$response.body.data[0].id > 10", true},
		{"$response.body.data[1].id == null", true},
		{"$response.body.data[0].id.x == null", true},
		{"!($statusCode == 200)", false},
		{"!$response.body.active", false},
		{"!$response.body.inactive", true},
		{"!$response.body.nothere", true},
		{"$inputs.name == 'it''s ok'", true},
		{"$inputs.name == 'IT''S OK'", true},
		{"$inputs.customer.firstName == 'ada'", true},
		{"$inputs.a.b == 'dotted'", true},
		{"'^200$'", true},
		{"''", true},
		{"true", true},
		{"false", false},
		{"null", false},
		{"0", true},
		// Truthiness (D4).
		{"$response.body.zero", true},
		{"$response.body.empty", true},
		{"$response.body.missing", false},
		{"$response.body.nothere", false},
		{"$response.body.inactive", false},
		{"$response.body.obj", true},
		// Precedence: && binds tighter than ||; ! on groups.
		{"true || false && false", true},
		{"(true || false) && false", false},
		{"false && false || true", true},
		{"false && (false || true)", false},
		{"!(false) && true", true},
		{"!(true || true) || true", true},
		{"!(true && false)", true},
		{"$inputs.a == 1 || $inputs.b == 2 && $inputs.c == 3", false},
		{"$statusCode == 200 || $inputs.b == 2 && $inputs.c == 3", true},
		{"$statusCode == 500 || $statusCode == 200 && $inputs.threshold == 3", true},
		{"(((($statusCode == 200))))", true},
		{" \t\n$statusCode\n==\t200 ", true},
		// Numbers.
		{"$statusCode != 200", false},
		{"$statusCode < 200", false},
		{"$statusCode <= 200", true},
		{"$statusCode > 199.5", true},
		{"$statusCode >= 200.0", true},
		{"$response.body.neg < 0", true},
		{"$response.body.neg == -1", true},
		{"$response.body.f == 2.5", true},
		{"$response.body.big > 1e299", true},
		{"$inputs.i == 7 && $inputs.i64 == 7 && $inputs.num == 7", true},
		{"$inputs.i == $inputs.num", true},
		{"$inputs.i < 7.5", true},
		// Numeric strings are coerced only against numbers.
		{"$response.header.X-Count == 12", true},
		{"$response.header.X-Count > 9", true},
		{"$response.header.X-Count > '9'", false},
		{"'10' == '10.0'", false},
		{"'10' == 10.0", true},
		{"'1e1' == 10", true},
		{"' 10 ' == 10", true},
		{"'0x10' == 16", false},
		{"'+5' == 5", false},
		{"'abc' == 0", false},
		{"'abc' != 0", true},
		{"'abc' < 1", false},
		{"'abc' > 1", false},
		// Strings: case-insensitive equality and ordering.
		{"$response.header.content-type == 'application/json'", true},
		{"'abc' == 'ABC'", true},
		{"'abc' != 'ABC'", false},
		{"'abc' < 'ABD'", true},
		{"'ABC' < 'abd'", true},
		{"'b' > 'A'", true},
		{"'a' <= 'A'", true},
		{"'a' >= 'A'", true},
		{"'ab' > 'a'", true},
		{"'Straße' == 'STRASSE'", false},
		{"'ǅ' == 'ǆ'", true},
		// null.
		{"null == null", true},
		{"null != null", false},
		{"null == 0", false},
		{"null == ''", false},
		{"null == false", false},
		{"null != 0", true},
		{"null < 1", false},
		{"null <= null", false},
		{"null >= 0", false},
		{"$response.body.nothere < 1 || $response.body.nothere >= 1", false},
		// No bool/string or number/bool coercion.
		{"true == 'true'", false},
		{"true != 'true'", true},
		{"1 == true", false},
		{"0 == false", false},
		{"true == true", true},
		{"true != false", true},
		{"true > false", false},
		{"true >= true", false},
		{"$response.body.active == true", true},
		// Arrays and objects compare by value.
		{"$response.body.tags == $inputs.tags", true},
		{"$response.body.obj == $inputs.obj", true},
		{"$response.body.obj == $response.body.tags", false},
		{"$response.body.tags < $inputs.tags", false},
		{"$inputs.list == 1", false},
		// Navigation on the wrong type gives null.
		{"$statusCode.x == null", true},
		{"$statusCode[0] == null", true},
		{"$response.body.tags[5] == null", true},
		{"$response.body.tags[1] == 'b'", true},
		{"$response.body.status[0] == null", true},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			c, err := CompileCriterion(CriterionSpec{Condition: tt.cond})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Eval(r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Eval = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestConditionOperandBoundary checks where a runtime expression ends, and
// how the rest becomes navigation.
func TestConditionOperandBoundary(t *testing.T) {
	tests := []struct {
		cond  string
		exprs []string // Raw of each operand
		nav   []string // navigation of each operand, as text
	}{
		{"$response.body#/a==1", []string{"$response.body#/a"}, []string{""}},
		{"$response.body#/a!=1", []string{"$response.body#/a"}, []string{""}},
		{"$response.body#/a<1", []string{"$response.body#/a"}, []string{""}},
		{"($response.body#/a)", []string{"$response.body#/a"}, []string{""}},
		{"$response.body#/a.b == 1", []string{"$response.body#/a.b"}, []string{""}},
		{"$response.body.data[0].id > 10", []string{"$response.body"}, []string{".data[0].id"}},
		{"$response.body.count > $inputs.threshold", []string{"$response.body", "$inputs.threshold"}, []string{".count", ""}},
		{"$inputs.customer.firstName == 'x'", []string{"$inputs.customer.firstName"}, []string{""}},
		{"$inputs.list[0] == 1", []string{"$inputs.list[0]"}, []string{""}},
		{"$statusCode.a[2]", []string{"$statusCode"}, []string{".a[2]"}},
		{"$steps.s.outputs.a#/b&&$url", []string{"$steps.s.outputs.a#/b", "$url"}, []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			c, err := CompileCriterion(CriterionSpec{Condition: tt.cond})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.cond.operands) != len(tt.exprs) {
				t.Fatalf("got %d operands, want %d", len(c.cond.operands), len(tt.exprs))
			}
			for i, o := range c.cond.operands {
				if o.expr.Raw != tt.exprs[i] {
					t.Errorf("operand %d = %q, want %q", i, o.expr.Raw, tt.exprs[i])
				}
				var nav strings.Builder
				for _, s := range o.nav {
					if s.isIdx {
						nav.WriteString("[" + strconv.Itoa(s.index) + "]")
					} else {
						nav.WriteString("." + s.name)
					}
				}
				if nav.String() != tt.nav[i] {
					t.Errorf("operand %d navigation = %q, want %q", i, nav.String(), tt.nav[i])
				}
			}
		})
	}
}

// TestConditionNoExprLangText makes sure condition text never reaches the
// expr-lang lexer: # and $env inside operands and strings are inert.
func TestConditionNoExprLangText(t *testing.T) {
	r := &critResolver{body: map[string]any{"env": "x"}, inputs: map[string]any{"env": "$env"}}
	for _, cond := range []string{
		"$inputs.env == '$env'",
		"$response.body#/env == 'x'",
		"'#' != '$env' && '\" + 1 + \"' == '\" + 1 + \"'",
		"'\\n' == '\\n' && '\\' == '\\'",
	} {
		c, err := CompileCriterion(CriterionSpec{Condition: cond})
		if err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		got, err := c.Eval(r)
		if err != nil || !got {
			t.Fatalf("%s: Eval = %v, %v", cond, got, err)
		}
	}
	c, _ := CompileCriterion(CriterionSpec{Condition: "'a\\b' == 'a\\\\b'"})
	if got, _ := c.Eval(r); got {
		t.Fatal("backslashes in strings must be literal")
	}
}

// TestConditionEvalError: an operand that cannot be evaluated fails the
// criterion and reports the error (D7).
func TestConditionEvalError(t *testing.T) {
	r := &critResolver{status: 200.0, body: "not json"}
	c, err := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200 && $response.body#/a == 1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Eval(r)
	var ce *CriterionError
	if got || !errors.As(err, &ce) || ce.Offset != 22 {
		t.Fatalf("Eval = %v, %v", got, err)
	}
	var ee *EvalError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v does not wrap an *EvalError", err)
	}
	// Short-circuit: the failing operand is never evaluated.
	c, _ = CompileCriterion(CriterionSpec{Condition: "$statusCode == 200 || $response.body#/a == 1"})
	if got, err := c.Eval(r); !got || err != nil {
		t.Fatalf("Eval = %v, %v", got, err)
	}
	// Navigation into an undecoded body decodes it.
	c, _ = CompileCriterion(CriterionSpec{Condition: "$response.body.a == 1"})
	if got, err := c.Eval(&critResolver{body: []byte(`{"a":1}`)}); !got || err != nil {
		t.Fatalf("Eval = %v, %v", got, err)
	}
	if got, err := c.Eval(&critResolver{body: `{"a":1}`}); !got || err != nil {
		t.Fatalf("Eval = %v, %v", got, err)
	}
	if got, err := c.Eval(r); got || err == nil {
		t.Fatalf("Eval = %v, %v", got, err)
	}
}

func TestLooseCompareHelpers(t *testing.T) {
	if !looseEq(uint8(3), 3.0) || !looseEq(float32(2.5), "2.5") || looseEq(json.Number("x"), "x") {
		t.Fatal("number kinds")
	}
	deep := any(1.0)
	for i := 0; i < 300; i++ {
		deep = []any{deep}
	}
	if looseEq(deep, deep) {
		t.Fatal("equality deeper than maxEqualDepth must be false")
	}
	if compareFold("a", "a") != 0 || compareFold("a", "b") != -1 || compareFold("B", "a") != 1 || compareFold("ab", "A") != 1 || compareFold("a", "AB") != -1 {
		t.Fatal("compareFold")
	}
	for s, ok := range map[string]bool{"0": true, "-0": true, "1.5e-3": true, "1E+2": true, "": false, "-": false, "01": false, "1.": false, ".1": false, "1e": false, "Inf": false, "NaN": false, "1_0": false} {
		if isJSONNumber(s) != ok {
			t.Errorf("isJSONNumber(%q) = %v", s, !ok)
		}
	}
}
