package expr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// limitCode returns the code of the *LimitError in err, or "".
func limitCode(err error) string {
	var le *LimitError
	if errors.As(err, &le) {
		return le.Code
	}
	return ""
}

func TestLimits(t *testing.T) {
	long := "$inputs." + strings.Repeat("a", DefaultMaxExpressionLength)
	deep := map[string]any{"a": 1.0}
	for i := 0; i < 200; i++ {
		deep = map[string]any{"a": deep}
	}
	wide := make([]any, 2000)
	for i := range wide {
		wide[i] = map[string]any{"x": float64(i)}
	}
	body := func(v any) Resolver { return ResolverFunc(func(*Expr) (any, bool) { return v, true }) }
	tests := []struct {
		name   string
		err    func() error
		code   string
		offset int // of the *SyntaxError; -1 for an evaluation error, -2 for a *ContextError
	}{
		{"expression", func() error { _, err := Parse(long); return err }, CodeExpressionTooLong, DefaultMaxExpressionLength},
		{"expression option", func() error { _, err := ParseWith("$inputs.abc", MaxExpressionLength(8)); return err }, CodeExpressionTooLong, 8},
		{"context", func() error {
			_, err := CompileCriterion(CriterionSpec{Condition: "^a", Context: "$inputs.abc", Type: "regex"}, MaxExpressionLength(8))
			return err
		}, CodeExpressionTooLong, -2},
		{"condition", func() error {
			_, err := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200", Type: "simple"}, MaxConditionLength(10))
			return err
		}, CodeConditionTooLong, 10},
		{"regex program", func() error {
			_, err := CompileCriterion(CriterionSpec{Condition: "^(.{100}){10}$", Context: "$response.body", Type: "regex"})
			return err
		}, CodeRegexTooComplex, 0},
		{"regex program option", func() error {
			_, err := CompileCriterion(CriterionSpec{Condition: "^2\\d\\d$", Context: "$statusCode", Type: "regex"}, MaxRegexProgram(5))
			return err
		}, CodeRegexTooComplex, 0},
		{"jsonpath match pattern", func() error {
			_, err := CompileCriterion(CriterionSpec{Condition: "$[?match(@.a, '.{1000}x')]", Context: "$response.body", Type: "jsonpath"})
			return err
		}, CodeRegexTooComplex, 14},
		{"jsonpath selector lists", func() error {
			_, err := CompileCriterion(CriterionSpec{Condition: "$" + strings.Repeat("[0,0,0,0,0,0,0,0,0,0]", 8), Context: "$response.body", Type: "jsonpath"})
			return err
		}, CodeQueryTooComplex, 0},
		{"jsonpath goessner comparison", func() error {
			_, err := CompileCriterion(CriterionSpec{Condition: "$" + strings.Repeat("[0,0,0,0,0,0,0,0,0,0]", 8) + " == 1", Context: "$response.body",
				Type: "jsonpath", Version: VersionGoessnerJSONPath})
			return err
		}, CodeQueryTooComplex, 0},
		{"jsonpath nested descendants", func() error {
			c, err := CompileCriterion(CriterionSpec{Condition: "$..[?@..[?@..[?@..x]]]", Context: "$response.body", Type: "jsonpath"})
			if err != nil {
				return err
			}
			_, err = c.Eval(body(deep))
			return err
		}, CodeQueryTooComplex, -1},
		{"jsonpath absolute query in a filter", func() error {
			c, err := CompileCriterion(CriterionSpec{Condition: "$[?count($..x) > 1]", Context: "$response.body", Type: "jsonpath"}, MaxQueryCost(1_000_000))
			if err != nil {
				return err
			}
			_, err = c.Eval(body(wide))
			return err
		}, CodeQueryTooComplex, -1},
		{"jsonpath context", func() error {
			c, err := CompileCriterion(CriterionSpec{Condition: "$[0]", Context: "$response.body", Type: "jsonpath"}, MaxContextNodes(100))
			if err != nil {
				return err
			}
			_, err = c.Eval(body(wide))
			return err
		}, CodeContextTooLarge, -1},
		{"xpath nested absolute paths", func() error {
			c, err := CompileCriterion(CriterionSpec{Condition: "count(//*[count(//*[count(//*) > 0]) > 0]) > 0", Context: "$response.body", Type: "xpath"})
			if err != nil {
				return err
			}
			_, err = c.Eval(body("<r>" + strings.Repeat("<a><b>1</b></a>", 1000) + "</r>"))
			return err
		}, CodeQueryTooComplex, -1},
		{"xpath following axis", func() error {
			c, err := CompileCriterion(CriterionSpec{Condition: "//a/following::a/following::a", Context: "$response.body", Type: "xpath"}, MaxQueryCost(100_000))
			if err != nil {
				return err
			}
			_, err = c.Eval(body("<r>" + strings.Repeat("<a/>", 1000) + "</r>"))
			return err
		}, CodeQueryTooComplex, -1},
		{"xpath context", func() error {
			c, err := CompileCriterion(CriterionSpec{Condition: "/a", Context: "$response.body", Type: "xpath"}, MaxContextNodes(3))
			if err != nil {
				return err
			}
			_, err = c.Eval(body("<a><b/><b/><b/></a>"))
			return err
		}, CodeContextTooLarge, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := tt.err()
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if got := limitCode(err); got != tt.code {
				t.Fatalf("error %v has code %q, want %q", err, got, tt.code)
			}
			var se *SyntaxError
			var ce *ContextError
			switch {
			case tt.offset == -2 && !errors.As(err, &ce):
				t.Errorf("error %#v, want a *ContextError", err)
			case tt.offset >= 0 && (!errors.As(err, &se) || se.Offset != tt.offset):
				t.Errorf("error %#v, want a *SyntaxError at offset %d", err, tt.offset)
			case tt.offset == -1 && errors.As(err, &se):
				t.Errorf("error %v, want no *SyntaxError", err)
			}
		})
	}
}

// TestLimitsKeepOrdinaryQueries checks that the limits leave realistic
// criteria over realistic contexts alone.
func TestLimitsKeepOrdinaryQueries(t *testing.T) {
	pets := make([]any, 5000)
	for i := range pets {
		pets[i] = map[string]any{"id": float64(i), "name": "rex", "tags": []any{"a", "b"}, "owner": map[string]any{"name": "x"}}
	}
	xml := "<pets>" + strings.Repeat("<pet><id>1</id><name>rex</name></pet>", 3000) + "</pets>"
	r := ResolverFunc(func(e *Expr) (any, bool) {
		if e.Name == "xml" {
			return xml, true
		}
		return map[string]any{"pets": pets, "count": 5000.0}, true
	})
	for _, spec := range []CriterionSpec{
		{Condition: "$.pets[?@.name == 'rex']", Type: "jsonpath"},
		{Condition: "$..[?@.name == 'rex']", Type: "jsonpath"},
		{Condition: "$..tags[?@ == 'a']", Type: "jsonpath"},
		{Condition: "$.pets[?search(@.name, '^r')]", Type: "jsonpath"},
		{Condition: "$.pets[?@.id == $.count]", Type: "jsonpath"},
		{Condition: "$.pets[?count(@..name) > 1]", Type: "jsonpath"},
		{Condition: "$.pets[0,1,2]", Type: "jsonpath"},
		{Condition: "$.pets.length > 10", Type: "jsonpath", Version: VersionGoessnerJSONPath},
		{Condition: "count(//pet[name = 'rex']) > 10", Type: "xpath", Context: "$inputs.xml"},
		{Condition: "//pet[.//name = 'rex']/id", Type: "xpath", Context: "$inputs.xml"},
		{Condition: `^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`, Type: "regex", Context: "$inputs.id"},
		{Condition: `(?i)\pL{1,64}`, Type: "regex", Context: "$inputs.id"},
	} {
		if spec.Context == "" {
			spec.Context = "$response.body"
		}
		c, err := CompileCriterion(spec)
		if err != nil {
			t.Errorf("%s: %v", spec.Condition, err)
			continue
		}
		if _, err := c.Eval(r); err != nil && spec.Type != "regex" {
			t.Errorf("%s: %v", spec.Condition, err)
		}
	}
}

// TestParseTemplateLinear checks that templates in which many "{$" share one
// "}" are scanned in linear time (the plain scan took minutes for these).
func TestParseTemplateLinear(t *testing.T) {
	const n = 40000
	for _, tt := range []struct {
		s     string
		exprs int
	}{
		{strings.Repeat("{$response.body#/", n) + "~2}", 0},
		{strings.Repeat("{$response.body.", n) + "}", 0},
		{strings.Repeat("{$inputs.a", n) + "}", 1},
		{strings.Repeat("{$request.body#/x\xff", n) + "}", 0},
		{strings.Repeat("{$", 4*n) + "}", 0},
		{strings.Repeat("{$response.body#/{$", n) + "}", 1},
	} {
		start := time.Now()
		tpl := ParseTemplate(tt.s)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("ParseTemplate(%.20q... %d bytes) took %v", tt.s, len(tt.s), d)
		}
		if got := len(tpl.Exprs()); got != tt.exprs {
			t.Errorf("ParseTemplate(%.20q...) found %d expressions, want %d", tt.s, got, tt.exprs)
		}
	}
	// A body pointer holding "{$" is one expression.
	tpl := ParseTemplate("x{$response.body#/a{$inputs.b}")
	if len(tpl.Parts) != 2 || tpl.Parts[1].Expr == nil || tpl.Parts[1].Expr.Pointer.String() != "/a{$inputs.b" {
		t.Errorf("parts %+v", tpl.Parts)
	}
	// An embedded expression over the limit stays literal and is suspicious.
	tpl = ParseTemplate("a{$inputs.abcdef}b", MaxExpressionLength(8))
	if sus := tpl.Suspicious(); tpl.HasExprs() || len(sus) != 1 || limitCode(sus[0].Err) != CodeExpressionTooLong {
		t.Errorf("parts %+v, suspicious %+v", tpl.Parts, sus)
	}
	if v := CompileValue(map[string]any{"a": "$inputs.abcdef", "b": "{$inputs.abcdef}"}, MaxExpressionLength(8)); len(v.Exprs()) != 0 {
		t.Errorf("CompileValue with a short limit has expressions %v", v.Exprs())
	}
}
