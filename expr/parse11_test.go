package expr

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var v11 = ArazzoVersion("1.1.0")

// TestArazzoVersion: only major.minor counts; 1.1 and later select the 1.1
// grammar, anything else the 1.0 grammar.
func TestArazzoVersion(t *testing.T) {
	for v, want := range map[string]bool{
		"": false, "1.0.0": false, "1.0.1": false, "1.0": false, "1.1.0": true, "1.1": true,
		"1.1.1-rc1": true, "1.2.0": true, "2.0.0": true, "0.9": false, "x": false, "1": false,
	} {
		if got := newLimits([]Option{ArazzoVersion(v)}).v11; got != want {
			t.Errorf("ArazzoVersion(%q): 1.1 grammar = %v, want %v", v, got, want)
		}
	}
}

// TestE2_GrammarPerVersion pins the verdicts that differ between the 1.0
// and the 1.1 grammar (checklist §13.1, E2, E29), and a few that do not.
func TestE2_GrammarPerVersion(t *testing.T) {
	tests := []struct {
		in       string
		ok10     bool
		ok11     bool
		kind     Kind // in 1.1
		name, id string
		ptr      string
	}{
		{in: "$message.header.X-Id", ok11: true, kind: KindMessageHeader, name: "X-Id"},
		{in: "$message.payload", ok11: true, kind: KindMessagePayload},
		{in: "$message.payload#/status", ok11: true, kind: KindMessagePayload, ptr: "/status"},
		{in: "$message.payload#", ok11: true, kind: KindMessagePayload, ptr: ""},
		{in: "$self", ok11: true, kind: KindSelf},
		{in: "$self.x"},
		{in: "$selfx"},
		// $inputs and $outputs take an identifier in 1.1, a name in 1.0.
		{in: "$inputs.café", ok10: true},
		{in: "$inputs.foo bar", ok10: true},
		{in: "$outputs.a[0]", ok10: true},
		{in: "$inputs.customer.firstName", ok10: true, ok11: true, kind: KindInputs, name: "customer.firstName"},
		{in: "$inputs.a-b_c.9#/x", ok10: true, ok11: true, kind: KindInputs, name: "a-b_c.9", ptr: "/x"},
		// CHAR: 1.1 defines it, without '"' and with JSON escapes only.
		{in: `$request.query.a"b`, ok10: true},
		{in: `$request.query.a\"b`, ok10: true, ok11: true, kind: KindRequestQuery, name: `a\"b`},
		{in: `$request.query.a\u00e9`, ok10: true, ok11: true, kind: KindRequestQuery, name: `a\u00e9`},
		{in: `$request.query.a\x`, ok10: true},
		{in: `$request.query.a\u00g9`, ok10: true},
		{in: `$request.path.a\`, ok10: true},
		{in: `$sourceDescriptions.s.op"x`, ok10: true},
		{in: `$request.query.é`, ok10: true, ok11: true, kind: KindRequestQuery, name: "é"},
		// Pointers: 1.1 excludes the braces everywhere, and only them.
		{in: "$response.body#/{a}", ok10: true},
		{in: "$steps.s.outputs.o#/a\x01", ok11: true, kind: KindSteps, id: "s", name: "o", ptr: "/a\x01"},
		{in: "$inputs.a#/b}"},
		// Identical in both.
		{in: "$steps.my-step.outputs.pets#/0/id", ok10: true, ok11: true, kind: KindSteps, id: "my-step", name: "pets", ptr: "/0/id"},
		{in: "$steps.my.step.outputs.x"},
		{in: "$workflows.w.steps.s.outputs.x"},
		{in: "$response.body.id"},
		{in: "$components.inputs.x"},
		{in: "$request.query.", ok10: false, ok11: false}, // D26 in both
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err10 := Parse(tc.in)
			if (err10 == nil) != tc.ok10 {
				t.Errorf("1.0: Parse(%q) error = %v, want ok %v", tc.in, err10, tc.ok10)
			}
			e, err := ParseWith(tc.in, v11)
			if (err == nil) != tc.ok11 {
				t.Fatalf("1.1: Parse(%q) error = %v, want ok %v", tc.in, err, tc.ok11)
			}
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(tc.in) || se.Expr != tc.in {
					t.Errorf("bad error %#v", err)
				}
				return
			}
			if e.Kind != tc.kind || e.Name != tc.name || e.ID != tc.id || e.Raw != tc.in || e.String() != tc.in {
				t.Errorf("1.1: Parse(%q) = %+v (String %q)", tc.in, e, e.String())
			}
			if tc.ptr != "" && e.Pointer.String() != tc.ptr {
				t.Errorf("pointer %q, want %q", e.Pointer.String(), tc.ptr)
			}
		})
	}
}

// TestE30_OverPermissiveSources: the 1.1 grammar shares one source rule for
// $request, $response and $message; the combinations without a meaning are
// rejected with a message that says what to write.
func TestE30_OverPermissiveSources(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{"$message.body", 9, "write $message.payload"},
		{"$message.body#/a", 9, "write $message.payload"},
		{"$message.query.x", 9, "only header and payload"},
		{"$message.path.x", 9, "only header and payload"},
		{"$request.payload", 9, "write $request.body"},
		{"$response.payload#/a", 10, "write $response.body"},
		{"$message.Payload", 9, "did you mean $message.payload?"},
		{"$message.headers.x", 9, "did you mean $message.header?"},
		{"$message", 8, "expected .<header or payload> after $message"},
		{"$message.", 9, "expected header or payload"},
		{"$message.payload.status", 16, "write $message.payload#/status"},
		{"$message.header.", 16, "empty header name"},
		{"$Message.payload", 1, "did you mean $message?"},
		{"$Self", 1, "did you mean $self?"},
		{"$nope", 1, "$message"},
	}
	for _, tc := range tests {
		_, err := ParseWith(tc.in, v11)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != tc.offset || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("1.1: Parse(%q) = %v; want offset %d containing %q", tc.in, err, tc.offset, tc.msg)
		}
	}
}

// TestE1_ArazzoElevenSyntaxIn10: in a 1.0 document $message and $self are
// errors that say they are Arazzo 1.1 and point to the upgrade.
func TestE1_ArazzoElevenSyntaxIn10(t *testing.T) {
	for _, in := range []string{"$message.payload#/a", "$message.header.x", "$self"} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), "Arazzo 1.1") || !strings.Contains(err.Error(), "telaio upgrade") {
			t.Errorf("Parse(%q) = %v; want an Arazzo 1.1 error pointing to telaio upgrade", in, err)
		}
	}
	// The 1.1 example form gets the same message in a template's Suspicious.
	tpl := ParseTemplate("id={$message.payload#/id}")
	if s := tpl.Suspicious(); len(s) != 1 || !strings.Contains(s[0].Err.Msg, "Arazzo 1.1") {
		t.Errorf("Suspicious = %+v", s)
	}
}

// TestE33_MessageExpressions: $message.header keeps the name as written
// (the resolver matches it exactly, then case-insensitively), and a
// payload the resolver returns undecoded is decoded for a pointer, as a
// body is. What $message means on an HTTP step (absent) is the resolver's.
func TestE33_MessageExpressions(t *testing.T) {
	payload := `{"status":"accepted","items":[{"id":7}]}`
	r := ResolverFunc(func(e *Expr) (any, bool) {
		switch e.Kind {
		case KindMessagePayload:
			return payload, true
		case KindMessageHeader:
			if strings.EqualFold(e.Name, "correlation-id") {
				return "c-1", true
			}
		case KindSelf:
			return "https://example.com/flow.arazzo.yaml", true
		}
		return nil, false
	})
	for in, want := range map[string]any{
		"$message.payload#/status":       "accepted",
		"$message.payload#/items/0/id":   7.0,
		"$message.header.Correlation-ID": "c-1",
		"$self":                          "https://example.com/flow.arazzo.yaml",
	} {
		e, err := ParseWith(in, v11)
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := e.Eval(r)
		if err != nil || !ok || got != want {
			t.Errorf("%s = %v, %v, %v; want %v", in, got, ok, err, want)
		}
	}
	e, _ := ParseWith("$message.payload#/missing", v11)
	if _, ok, err := e.Eval(r); ok || err != nil {
		t.Errorf("missing member: %v %v", ok, err)
	}
}

// TestE2_TemplatesAndValues11: templates and values take the grammar too.
func TestE2_TemplatesAndValues11(t *testing.T) {
	tpl := ParseTemplate("order {$message.payload#/id} from {$self}", v11)
	if got := len(tpl.Exprs()); got != 2 {
		t.Fatalf("1.1 template exprs = %d, want 2 (%+v)", got, tpl.Suspicious())
	}
	// A 1.0 body pointer may hold a brace, so "{$response.body#/{$inputs.x}"
	// is one expression up to the first "}"; in 1.1 it cannot, and the
	// inner one is found.
	s := "{$response.body#/{$inputs.x}}"
	if e := ParseTemplate(s).Exprs(); len(e) != 1 || e[0].Kind != KindResponseBody {
		t.Errorf("1.0: %+v", e)
	}
	if e := ParseTemplate(s, v11).Exprs(); len(e) != 1 || e[0].Kind != KindInputs {
		t.Errorf("1.1: %+v", e)
	}
	v := CompileValue(map[string]any{"id": "$message.payload#/id", "lit": "$message.body"}, v11)
	if ex := v.Exprs(); len(ex) != 1 || ex[0].Kind != KindMessagePayload {
		t.Errorf("1.1 value exprs = %+v", ex)
	}
	if !CompileValue("$message.payload").IsLiteral() {
		t.Error("1.0: $message.payload is an expression")
	}
}

// TestE31_EmbeddingRules: an embedded value is converted to a string:
// scalars to their string form (null to "null", numbers in JSON number
// form), parsed objects and arrays to RFC 8259 JSON, a string (such as an
// XML body kept unparsed) as it is.
func TestE31_EmbeddingRules(t *testing.T) {
	values := map[string]any{
		"s": "<a>x</a>", "n": 2.5, "i": 1e21, "t": true, "z": nil,
		"o": map[string]any{"b": []any{1.0, "<&>"}, "a": nil},
	}
	r := ResolverFunc(func(e *Expr) (any, bool) { v, ok := values[e.Name]; return v, ok })
	tpl := ParseTemplate("{$inputs.s}|{$inputs.n}|{$inputs.i}|{$inputs.t}|{$inputs.z}|{$inputs.o}", v11)
	got, complete, err := tpl.Render(r)
	want := `<a>x</a>|2.5|1e+21|true|null|{"a":null,"b":[1,"<&>"]}`
	if err != nil || !complete || got != want {
		t.Errorf("Render = %q, %v, %v; want %q", got, complete, err, want)
	}
}

// TestE23_XPathVersions11: with the 1.1 grammar the explicit default
// versions are accepted. An XPath 2.0+ construct the 1.0 engine cannot
// evaluate compiles in a condition declared 2.0 or later (or of the default
// version) and fails each evaluation (Unsupported); declared xpath-10, it
// is a syntax error, as is text that is no XPath at all.
func TestE23_XPathVersions11(t *testing.T) {
	for _, v := range []string{"", VersionXPath31, VersionXPath30, VersionXPath20, VersionXPath10} {
		if _, err := CompileCriterion(CriterionSpec{Type: "xpath", Version: v, Condition: "count(/a/b) > 0", Context: "$response.body"}, v11); err != nil {
			t.Errorf("version %q: %v", v, err)
		}
		for _, cond := range []string{"every $x in /a/b satisfies $x = 1", "for $x in /a return $x", "/a/b eq 'x'"} {
			c, err := CompileCriterion(CriterionSpec{Type: "xpath", Version: v, Condition: cond, Context: "$response.body"}, v11)
			var se *SyntaxError
			if v == VersionXPath10 {
				if !errors.As(err, &se) {
					t.Errorf("version %q, %q: %v; want a *SyntaxError", v, cond, err)
				}
				continue
			}
			if err != nil || c.Unsupported() == nil {
				t.Errorf("version %q, %q: %v; want a criterion that is Unsupported", v, cond, err)
				continue
			}
			pass, err := c.Eval(mapResolver{"$response.body": "<a><b>x</b></a>"})
			if pass || !errors.As(err, &se) || !strings.Contains(err.Error(), "XPath 2.0+") {
				t.Errorf("version %q, %q: eval = %v, %v; want a failed criterion with the syntax error", v, cond, pass, err)
			}
		}
		if _, err := CompileCriterion(CriterionSpec{Type: "xpath", Version: v, Condition: "/a/b ]", Context: "$response.body"}, v11); err == nil {
			t.Errorf("version %q: /a/b ] compiled", v)
		}
	}
	_, err := CompileCriterion(CriterionSpec{Type: "xpath", Version: "xpath-40", Condition: "/a", Context: "$response.body"}, v11)
	if err == nil || !strings.Contains(err.Error(), "xpath-31, xpath-30, xpath-20 and xpath-10") {
		t.Errorf("xpath-40: %v", err)
	}
}

// TestE22_CriterionJSONPointer: a criterion of type jsonpointer is refused,
// in both grammars, with a message that says what to write.
func TestE22_CriterionJSONPointer(t *testing.T) {
	for _, opts := range [][]Option{nil, {v11}} {
		_, err := CompileCriterion(CriterionSpec{Type: "jsonpointer", Version: VersionRFC6901, Condition: "/a", Context: "$response.body"}, opts...)
		var te *CriterionTypeError
		if !errors.As(err, &te) || !strings.Contains(te.Msg, "E22") || !strings.Contains(te.Msg, "simple condition") {
			t.Errorf("%v", err)
		}
	}
}

// TestCriterion11: criteria read $message, and accept the explicit 1.1
// default versions.
func TestCriterion11(t *testing.T) {
	r := ResolverFunc(func(e *Expr) (any, bool) {
		if e.Kind == KindMessagePayload {
			return map[string]any{"status": "accepted", "items": []any{1.0}}, true
		}
		return nil, false
	})
	specs := []CriterionSpec{
		{Condition: "$message.payload.status == 'accepted'"},
		{Condition: "$message.payload#/items/0 == 1"},
		{Condition: "$.items[0]", Type: "jsonpath", Version: VersionRFC9535, Context: "$message.payload"},
		{Condition: "^acc", Type: "regex", Context: "$message.payload#/status"},
	}
	for _, spec := range specs {
		c, err := CompileCriterion(spec, v11)
		if err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		if ok, err := c.EvalContext(context.Background(), r); !ok || err != nil {
			t.Errorf("%s = %v, %v", c, ok, err)
		}
		if _, err := CompileCriterion(spec); err == nil {
			t.Errorf("%+v compiles with the 1.0 grammar", spec)
		}
	}
	_, err := CompileCriterion(CriterionSpec{Type: "jsonpath", Version: "rfc9536", Condition: "$", Context: "$response.body"}, v11)
	if err == nil || !strings.Contains(err.Error(), "rfc9535 and draft-goessner-dispatch-jsonpath-00") {
		t.Errorf("rfc9536: %v", err)
	}
}

// BenchmarkParse11Vs10 parses the same expressions with the 1.0 and the 1.1
// grammar in alternating batches, so that both see the same machine load,
// and reports the time of each per parse (ns/parse-1.0, ns/parse-1.1).
func BenchmarkParse11Vs10(b *testing.B) {
	exprs := []string{"$statusCode", "$inputs.username", "$response.body#/data/0/id",
		"$steps.someStepId.outputs.pets#/0/id", "$request.query.filter", "$workflows.w.outputs.x#/a",
		"$sourceDescriptions.petStore.getPets", "$components.parameters.page"}
	g10, g11 := grammarOf([]Option{ArazzoVersion("1.0.1")}), grammarOf([]Option{v11})
	var t10, t11 time.Duration
	var e Expr
	const batch = 64
	n := 0
	for b.Loop() {
		start := time.Now()
		for range batch {
			for _, s := range exprs {
				e = Expr{}
				if err := parseIntoG(&e, s, g10); err != nil {
					b.Fatal(err)
				}
			}
		}
		mid := time.Now()
		for range batch {
			for _, s := range exprs {
				e = Expr{}
				if err := parseIntoG(&e, s, g11); err != nil {
					b.Fatal(err)
				}
			}
		}
		t10 += mid.Sub(start)
		t11 += time.Since(mid)
		n += batch * len(exprs)
	}
	b.ReportMetric(float64(t10.Nanoseconds())/float64(n), "ns/parse-1.0")
	b.ReportMetric(float64(t11.Nanoseconds())/float64(n), "ns/parse-1.1")
}

// FuzzTemplate11 checks the linear template scan against the plain one with
// the 1.1 grammar (where no embedded expression holds a brace) and with
// Lenient.
func FuzzTemplate11(f *testing.F) {
	for _, s := range []string{"{$message.payload#/a}", "{$response.body#/{$inputs.x}}", "{$a{$url}", "x{$self}y{$",
		"{$response.body.a[0]}", `{"id": {$inputs.id}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, opts := range [][]Option{{v11}, {v11, Lenient()}, {Lenient()}} {
			got := ParseTemplate(s, opts...)
			want := plainTemplateWith(s, opts)
			if !reflect.DeepEqual(got.Parts, want.Parts) || !reflect.DeepEqual(got.suspicious, want.suspicious) {
				t.Fatalf("ParseTemplate(%q):\n got %+v %+v\nwant %+v %+v", s, got.Parts, got.suspicious, want.Parts, want.suspicious)
			}
		}
	})
}

// plainTemplateWith is plainTemplate with options (and no length limit
// below the default).
func plainTemplateWith(s string, opts []Option) *Template {
	t := &Template{Raw: s}
	lit, i := 0, 0
	for {
		k := strings.Index(s[i:], "{$")
		if k < 0 {
			break
		}
		k += i
		closing := strings.IndexByte(s[k+2:], '}')
		if closing < 0 {
			inner := s[k+1:]
			t.suspicious = append(t.suspicious, Part{Lit: s[k:], Offset: k + 1,
				Err: &SyntaxError{Offset: len(inner), Msg: `no closing "}" for "{$"`, Expr: inner}})
			break
		}
		end := k + 2 + closing
		inner := s[k+1 : end]
		e, err := ParseWith(inner, opts...)
		if err != nil {
			if !strings.Contains(inner[1:], "{$") {
				t.suspicious = append(t.suspicious, Part{Lit: s[k : end+1], Offset: k + 1, Err: err.(*SyntaxError)})
			}
			i = k + 1
			continue
		}
		if k > lit {
			t.Parts = append(t.Parts, Part{Lit: s[lit:k], Offset: lit})
		}
		t.Parts = append(t.Parts, Part{Expr: e, Offset: k + 1})
		lit = end + 1
		i = lit
	}
	if lit < len(s) {
		t.Parts = append(t.Parts, Part{Lit: s[lit:], Offset: lit})
	}
	return t
}

// TestEmbeddedExpressionsInConditions11: with the 1.1 grammar, {$...} in
// regex, jsonpath and xpath conditions are substituted before evaluation
// (checklist-1.1 8.3); with the 1.0 grammar the condition is literal.
func TestEmbeddedExpressionsInConditions11(t *testing.T) {
	r := mapResolver{"prefix": "ord", "owner": "ann", "body": map[string]any{"id": "ord-42", "pets": []any{map[string]any{"owner": "ann"}}}, "xml": "<a><b>ann</b></a>"}
	ctx := func(name string) string { return "$inputs." + name }
	tests := []struct {
		spec CriterionSpec
		want bool
	}{
		{CriterionSpec{Type: "regex", Context: ctx("id"), Condition: "^{$inputs.prefix}-[0-9]+$"}, true},
		{CriterionSpec{Type: "regex", Context: ctx("id"), Condition: "^{$inputs.owner}-[0-9]+$"}, false},
		{CriterionSpec{Type: "jsonpath", Context: ctx("body"), Condition: "$.pets[?@.owner == '{$inputs.owner}']"}, true},
		{CriterionSpec{Type: "jsonpath", Context: ctx("body"), Condition: "$.pets[?@.owner == '{$inputs.prefix}']"}, false},
		{CriterionSpec{Type: "xpath", Context: ctx("xml"), Condition: "/a/b = '{$inputs.owner}'"}, true},
	}
	for _, tt := range tests {
		r["id"] = "ord-42"
		c, err := CompileCriterion(tt.spec, v11)
		if err != nil {
			t.Fatalf("%+v: %v", tt.spec, err)
		}
		got, err := c.Eval(r)
		if err != nil || got != tt.want {
			t.Errorf("%s: %v, %v; want %v", tt.spec.Condition, got, err, tt.want)
		}
		// The embedded expressions are listed with the context.
		if len(c.Exprs()) != 2 {
			t.Errorf("%s: Exprs %v", tt.spec.Condition, c.Exprs())
		}
	}
	// 1.0: literal (no substitution), so the regex does not match.
	c, err := CompileCriterion(CriterionSpec{Type: "regex", Context: ctx("id"), Condition: "^{$inputs.prefix}-[0-9]+$"})
	if err == nil {
		if ok, _ := c.Eval(r); ok {
			t.Error("1.0 grammar: the condition was substituted")
		}
	}
	// A substituted condition that does not compile fails the criterion.
	r["bad"] = "("
	c, err = CompileCriterion(CriterionSpec{Type: "regex", Context: ctx("id"), Condition: "^{$inputs.bad}"}, v11)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Eval(r); ok || err == nil || !strings.Contains(err.Error(), "after substitution") {
		t.Errorf("bad substitution: %v, %v", ok, err)
	}
	// Many distinct substitutions stay bounded.
	c, err = CompileCriterion(tests[0].spec, v11)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * maxSubstCache {
		r["prefix"] = fmt.Sprint("p", i)
		if _, err := c.Eval(r); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.subst.m); n == 0 || n > maxSubstCache {
		t.Errorf("cache holds %d entries", n)
	}
}
