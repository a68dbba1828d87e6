package expr

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// selResolver resolves $response.body to body, $inputs from a map, and
// memoizes (counting builds).
func selResolver(body any) *critMemo {
	return &critMemo{critResolver: critResolver{body: body, inputs: map[string]any{"doc": map[string]any{"a": 1.0}}}}
}

const invoiceXML = `<?xml version="1.0"?>
<Invoice id="42"><Header><InvoiceNumber>INV-7</InvoiceNumber><Total>12.5</Total></Header>
<Item sku="a">one</Item><Item sku="b">two</Item><Note>see <b>bold</b></Note><!--c--></Invoice>`

// TestE25_SelectorResultShapes pins the result of each selector type
// (checklist §10.5): a jsonpointer gives the value and fails when it selects
// nothing; jsonpath gives null for no node (Nodes 0, to warn about), the
// value for one and an array for more; xpath gives an atomic result as it
// is, a node's string value (an element with element children serialized
// as XML), an array for several nodes, null for none. A string context is
// parsed as JSON for jsonpath and jsonpointer, as XML for xpath.
func TestE25_SelectorResultShapes(t *testing.T) {
	jsonBody := critJSON(t, `{"user":{"email":"a@x","tags":["t1","t2"]},"items":[{"id":1},{"id":2}],"n":null}`)
	tests := []struct {
		typ, version, context, selector string
		body                            any
		want                            string // JSON of the value
		nodes                           int
		err                             string // substring; "" = no error
	}{
		{typ: "jsonpointer", selector: "/user/email", body: jsonBody, want: `"a@x"`, nodes: 1},
		{typ: "jsonpointer", selector: "", body: jsonBody, want: `{"items":[{"id":1},{"id":2}],"n":null,"user":{"email":"a@x","tags":["t1","t2"]}}`, nodes: 1},
		{typ: "jsonpointer", selector: "/n", body: jsonBody, want: `null`, nodes: 1},
		{typ: "jsonpointer", selector: "/user/phone", body: jsonBody, err: "selects nothing"},
		{typ: "jsonpointer", selector: "/a", body: `{"a":[1,2]}`, want: `[1,2]`, nodes: 1},
		{typ: "jsonpointer", selector: "/a", body: `not json`, err: "not JSON"},
		{typ: "jsonpath", selector: "$.user.email", body: jsonBody, want: `"a@x"`, nodes: 1},
		{typ: "jsonpath", selector: "$.user.phone", body: jsonBody, want: `null`, nodes: 0},
		{typ: "jsonpath", selector: "$.items[*].id", body: jsonBody, want: `[1,2]`, nodes: 2},
		{typ: "jsonpath", selector: "$.items[?@.id > 1]", body: jsonBody, want: `{"id":2}`, nodes: 1},
		{typ: "jsonpath", selector: "$.user.tags", body: jsonBody, want: `["t1","t2"]`, nodes: 1},
		{typ: "jsonpath", selector: "$", body: `[1, {"a": true}]`, want: `[1,{"a":true}]`, nodes: 1},
		{typ: "jsonpath", version: VersionGoessnerJSONPath, selector: "$.items[?(@.id==2)].id", body: jsonBody, want: `2`, nodes: 1},
		{typ: "jsonpath", selector: "$.a", body: []byte(`{"a":"b"}`), want: `"b"`, nodes: 1},
		{typ: "jsonpath", selector: "$.a", body: `<a/>`, err: "not JSON"},
		{typ: "xpath", selector: "/Invoice/Header/InvoiceNumber", body: invoiceXML, want: `"INV-7"`, nodes: 1},
		{typ: "xpath", selector: "/Invoice/@id", body: invoiceXML, want: `"42"`, nodes: 1},
		{typ: "xpath", selector: "/Invoice/Item", body: invoiceXML, want: `["one","two"]`, nodes: 2},
		{typ: "xpath", selector: "/Invoice/Item/@sku", body: invoiceXML, want: `["a","b"]`, nodes: 2},
		{typ: "xpath", selector: "/Invoice/Header", body: invoiceXML, want: `"<Header><InvoiceNumber>INV-7</InvoiceNumber><Total>12.5</Total></Header>"`, nodes: 1},
		{typ: "xpath", selector: "/Invoice/Note", body: invoiceXML, want: `"<Note>see <b>bold</b></Note>"`, nodes: 1},
		{typ: "xpath", selector: "/Invoice/Missing", body: invoiceXML, want: `null`, nodes: 0},
		{typ: "xpath", selector: "count(/Invoice/Item)", body: invoiceXML, want: `2`, nodes: 1},
		{typ: "xpath", selector: "number(/Invoice/Header/Total) * 2", body: invoiceXML, want: `25`, nodes: 1},
		{typ: "xpath", selector: "/Invoice/Item[1] = 'one'", body: invoiceXML, want: `true`, nodes: 1},
		{typ: "xpath", selector: "concat(/Invoice/@id, '-', /Invoice/Item[2])", body: invoiceXML, want: `"42-two"`, nodes: 1},
		{typ: "xpath", selector: "/Invoice/Item/text()", body: invoiceXML, want: `["one","two"]`, nodes: 2},
		{typ: "xpath", selector: "/Invoice/comment()", body: invoiceXML, want: `"c"`, nodes: 1},
		{typ: "xpath", selector: "number('x')", body: invoiceXML, err: "not a JSON number"},
		{typ: "xpath", selector: "/a", body: jsonBody, err: "needs an XML context"},
		{typ: "xpath", version: VersionXPath30, selector: "/a/b", body: []byte(`<a><b>x</b></a>`), want: `"x"`, nodes: 1},
		{typ: "jsonpath", context: "$inputs.doc", selector: "$.a", want: `1`, nodes: 1},
	}
	for _, tc := range tests {
		name := tc.typ + " " + tc.selector
		t.Run(name, func(t *testing.T) {
			ctxExpr := tc.context
			if ctxExpr == "" {
				ctxExpr = "$response.body"
			}
			s, err := CompileSelector(SelectorSpec{Context: ctxExpr, Selector: tc.selector, Type: tc.typ, Version: tc.version}, v11)
			if err != nil {
				t.Fatal(err)
			}
			sel, err := s.Select(context.Background(), selResolver(tc.body))
			if tc.err != "" {
				var se *SelectorError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Select = %+v, %v; want a *SelectorError containing %q", sel, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sel.Present || sel.Nodes != tc.nodes || !reflect.DeepEqual(sel.Value, critJSON(t, tc.want)) {
				t.Errorf("Select = %#v; want %s with %d nodes", sel, tc.want, tc.nodes)
			}
			v, ok, err := s.Eval(context.Background(), selResolver(tc.body))
			if !ok || err != nil || !reflect.DeepEqual(v, sel.Value) {
				t.Errorf("Eval = %v, %v, %v", v, ok, err)
			}
		})
	}
}

// TestSelectorAbsentContext: an absent context selects nothing, without an
// error (the caller treats it as an absent expression).
func TestSelectorAbsentContext(t *testing.T) {
	s, err := CompileSelector(SelectorSpec{Context: "$inputs.missing", Selector: "/a", Type: "jsonpointer"})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := s.Select(context.Background(), selResolver(nil))
	if err != nil || sel.Present || sel.Value != nil {
		t.Errorf("Select = %+v, %v", sel, err)
	}
}

func TestSelectorCompileErrors(t *testing.T) {
	tests := []struct {
		spec   SelectorSpec
		target any // *CriterionTypeError, *ContextError or *SyntaxError
		msg    string
		offset int
	}{
		{SelectorSpec{Context: "$response.body", Selector: "$.a", Type: ""}, &CriterionTypeError{}, "needs a type", 0},
		{SelectorSpec{Context: "$response.body", Selector: "$.a", Type: "simple"}, &CriterionTypeError{}, "criterion type, not a selector type", 0},
		{SelectorSpec{Context: "$response.body", Selector: "$.a", Type: "JSONPath"}, &CriterionTypeError{}, "lower-case (jsonpath)", 0},
		{SelectorSpec{Context: "$response.body", Selector: "$.a", Type: "jmespath"}, &CriterionTypeError{}, "allowed types are jsonpath, xpath and jsonpointer", 0},
		{SelectorSpec{Context: "$response.body", Selector: "$.a", Type: "jsonpath", Version: "xpath-31"}, &CriterionTypeError{}, `unknown jsonpath version "xpath-31"`, 0},
		{SelectorSpec{Context: "$response.body", Selector: "/a", Type: "jsonpointer", Version: "rfc9535"}, &CriterionTypeError{}, "the only allowed version is rfc6901", 0},
		{SelectorSpec{Context: "", Selector: "$.a", Type: "jsonpath"}, &ContextError{}, "needs a context", 0},
		{SelectorSpec{Context: "$response.body.a", Selector: "$.a", Type: "jsonpath"}, &ContextError{}, "write $response.body#/a", 14},
		{SelectorSpec{Context: "$response.body", Selector: "", Type: "jsonpath"}, &SyntaxError{}, "empty selector", 0},
		{SelectorSpec{Context: "$response.body", Selector: "a/b", Type: "jsonpointer"}, &SyntaxError{}, "invalid JSON pointer", 0},
		{SelectorSpec{Context: "$response.body", Selector: "#/a", Type: "jsonpointer"}, &SyntaxError{}, "without \"#\"", 0},
		{SelectorSpec{Context: "$response.body", Selector: "$.a[", Type: "jsonpath"}, &SyntaxError{}, "invalid JSONPath query", 4},
		{SelectorSpec{Context: "$response.body", Selector: "$.status == 'ok'", Type: "jsonpath"}, &SyntaxError{}, "a comparison belongs in a criterion", 9},
		{SelectorSpec{Context: "$response.body", Selector: "/a/b eq 'x'", Type: "xpath"}, &SyntaxError{}, "XPath 2.0+", 5},
	}
	for _, tc := range tests {
		_, err := CompileSelector(tc.spec, v11)
		ok := false
		switch tc.target.(type) {
		case *CriterionTypeError:
			var e *CriterionTypeError
			ok = errors.As(err, &e)
		case *ContextError:
			var e *ContextError
			ok = errors.As(err, &e) && e.Offset == tc.offset
		case *SyntaxError:
			var e *SyntaxError
			ok = errors.As(err, &e) && e.Offset == tc.offset
		}
		if !ok || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%+v: %v; want a %T at %d containing %q", tc.spec, err, tc.target, tc.offset, tc.msg)
		}
	}
}

// TestSelectorPointer: jsonpointer selectors, and singular JSONPath queries
// of names and indexes, denote a pointer a type checker can check.
func TestSelectorPointer(t *testing.T) {
	tests := []struct {
		typ, sel string
		ptr      string
		ok       bool
	}{
		{"jsonpointer", "/a/0", "/a/0", true},
		{"jsonpath", "$.user.emails[0]", "/user/emails/0", true},
		{"jsonpath", "$['a/b'].c", "/a~1b/c", true},
		{"jsonpath", "$", "", true},
		{"jsonpath", "$.a[-1]", "", false},
		{"jsonpath", "$.a[*]", "", false},
		{"jsonpath", "$..a", "", false},
		{"xpath", "/a/b", "", false},
	}
	for _, tc := range tests {
		s, err := CompileSelector(SelectorSpec{Context: "$response.body#/data", Selector: tc.sel, Type: tc.typ})
		if err != nil {
			t.Fatal(err)
		}
		p, ok := s.Pointer()
		if ok != tc.ok || p.String() != tc.ptr {
			t.Errorf("%s %s: Pointer = %q, %v", tc.typ, tc.sel, p.String(), ok)
		}
		if ex := s.Exprs(); len(ex) != 1 || ex[0] != s.Context() || ex[0].Raw != "$response.body#/data" {
			t.Errorf("Exprs = %+v", ex)
		}
	}
}

func TestSelectorAccessors(t *testing.T) {
	s, err := CompileSelector(SelectorSpec{Context: "$response.body", Selector: "/a", Type: "xpath", Version: VersionXPath30})
	if err != nil {
		t.Fatal(err)
	}
	if s.Type() != "xpath" || s.Version() != VersionXPath30 || s.String() != "xpath (xpath-30) $response.body: /a" || s.Spec().Selector != "/a" {
		t.Errorf("%q %q %q %+v", s.Type(), s.Version(), s.String(), s.Spec())
	}
	for typ, want := range map[string]string{"jsonpath": VersionRFC9535, "xpath": VersionXPath31, "jsonpointer": VersionRFC6901} {
		sel := "/a"
		if typ == "jsonpath" {
			sel = "$.a"
		}
		s, err := CompileSelector(SelectorSpec{Context: "$response.body", Selector: sel, Type: typ})
		if err != nil || s.Version() != want {
			t.Errorf("%s default version %q, %v", typ, s.Version(), err)
		}
	}
}

// TestSelectorMemo: the parsed context is built once per value with a
// Memoizer, for JSON text and for XML.
func TestSelectorMemo(t *testing.T) {
	for typ, body := range map[string]string{"jsonpath": `{"a":[1,2,3]}`, "jsonpointer": `{"a":[1,2,3]}`, "xpath": `<a><b>1</b></a>`} {
		sel := map[string]string{"jsonpath": "$.a[1]", "jsonpointer": "/a/1", "xpath": "/a/b"}[typ]
		s, err := CompileSelector(SelectorSpec{Context: "$response.body", Selector: sel, Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		r := selResolver(body)
		for range 3 {
			if _, _, err := s.Eval(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]int{"jsonpath": 2, "jsonpointer": 1, "xpath": 1}[typ] // jsonpath: decoded text, then its tree
		if r.builds != want {
			t.Errorf("%s: %d builds, want %d", typ, r.builds, want)
		}
	}
}

// TestSelectorStops: a selector is bounded like a criterion: by the end of
// its context (promptly) and by MaxEvalCost.
func TestSelectorStops(t *testing.T) {
	settle(t)
	s, err := CompileSelector(SelectorSpec{Context: "$response.body", Selector: "//item[contains(., 'error')]", Type: "xpath"}, MaxEvalCost(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err = s.Eval(ctx, selResolver(nestedXML))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Eval error %v; want one wrapping context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond+time.Second {
		t.Errorf("returned after %v", d)
	}
	s, err = CompileSelector(SelectorSpec{Context: "$response.body", Selector: "//item", Type: "xpath"}, MaxEvalCost(100_000))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err = s.Eval(context.Background(), selResolver(nestedXML)); limitCode(err) != CodeEvalTooCostly {
		t.Errorf("Eval error %v; want %s", err, CodeEvalTooCostly)
	}
}

// TestE20_SelectorObjectsInValues: with the 1.1 grammar, an object whose
// keys are exactly context, selector and type (plus x- extensions), with a
// valid type, is a Selector Object wherever it is in a value; any other
// object is literal; with the 1.0 grammar all are literal.
func TestE20_SelectorObjectsInValues(t *testing.T) {
	body := critJSON(t, `{"user":{"email":"a@x"},"list":[]}`)
	sel := func(extra map[string]any) map[string]any {
		m := map[string]any{"context": "$response.body", "selector": "$.user.email", "type": "jsonpath"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name     string
		in       any
		selector bool
	}{
		{"plain", sel(nil), true},
		{"extension", sel(map[string]any{"x-note": 1.0}), true},
		{"type object", sel(map[string]any{"type": map[string]any{"type": "jsonpath", "version": "rfc9535", "x-a": true}}), true},
		{"type object without version", sel(map[string]any{"type": map[string]any{"type": "jsonpath"}}), true},
		{"extra key", sel(map[string]any{"other": 1.0}), false},
		{"expression alias (E24)", map[string]any{"expression": "$response.body", "selector": "$.a", "type": "jsonpath"}, false},
		{"missing type", map[string]any{"context": "$response.body", "selector": "$.a"}, false},
		{"bad type", sel(map[string]any{"type": "simple"}), false},
		{"bad version", sel(map[string]any{"type": map[string]any{"type": "jsonpath", "version": "xpath-30"}}), false},
		{"type object extra key", sel(map[string]any{"type": map[string]any{"type": "jsonpath", "other": "x"}}), false},
		{"non-string selector", sel(map[string]any{"selector": 1.0}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := map[string]any{"a": []any{tc.in}}
			v := CompileValue(payload, v11)
			if got := len(v.Selectors()) == 1; got != tc.selector {
				t.Fatalf("selector = %v, want %v", got, tc.selector)
			}
			if v.Err() != nil {
				t.Fatal(v.Err())
			}
			got, ok, err := v.EvalContext(context.Background(), selResolver(body))
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			want, _, _ := CompileValue(payload).Eval(selResolver(body))
			if tc.selector {
				want = map[string]any{"a": []any{"a@x"}}
				if ex := v.Exprs(); len(ex) != 1 || ex[0].Raw != "$response.body" {
					t.Errorf("Exprs = %+v", ex)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("EvalContext = %v, want %v", got, want)
			}
			if len(CompileValue(payload).Selectors()) != 0 {
				t.Error("1.0: a selector")
			}
		})
	}
}

// TestValueSelectorErrors: a Selector Object that does not compile is
// reported by Err and fails the evaluation; the rest of the value is
// unaffected.
func TestValueSelectorErrors(t *testing.T) {
	v := CompileValue(map[string]any{
		"ok":  map[string]any{"context": "$response.body", "selector": "/user", "type": "jsonpointer"},
		"bad": map[string]any{"context": "$response.body", "selector": "$.a[", "type": "jsonpath"},
	}, v11)
	var se *SelectorError
	var syn *SyntaxError
	if err := v.Err(); !errors.As(err, &se) || !errors.As(err, &syn) || se.Selector != "$.a[" {
		t.Fatalf("Err = %v", err)
	}
	if len(v.Selectors()) != 1 {
		t.Errorf("Selectors = %v", v.Selectors())
	}
	if _, _, err := v.Eval(selResolver(map[string]any{"user": 1.0})); !errors.As(err, &se) {
		t.Errorf("Eval error %v", err)
	}
}

// TestValueEvalContextReports: OnEmptySelection reports a selector that
// selects nothing (its value is null); OnAbsent an absent context (the
// member is omitted); a stopped context stops the evaluation.
func TestValueEvalContextReports(t *testing.T) {
	v := CompileValue(map[string]any{
		"empty":  map[string]any{"context": "$response.body", "selector": "$.nope", "type": "jsonpath"},
		"absent": map[string]any{"context": "$inputs.none", "selector": "$.a", "type": "jsonpath"},
		"expr":   "$inputs.gone",
	}, v11)
	var empty []*Selector
	var absent []string
	got, ok, err := v.EvalContext(context.Background(), selResolver(map[string]any{}),
		OnEmptySelection(func(s *Selector) { empty = append(empty, s) }),
		OnAbsent(func(e *Expr) { absent = append(absent, e.Raw) }))
	if err != nil || !ok || !reflect.DeepEqual(got, map[string]any{"empty": nil}) {
		t.Fatalf("EvalContext = %v, %v, %v", got, ok, err)
	}
	if len(empty) != 1 || empty[0].Spec().Selector != "$.nope" {
		t.Errorf("empty = %v", empty)
	}
	if !reflect.DeepEqual(absent, []string{"$inputs.none", "$inputs.gone"}) {
		t.Errorf("absent = %v", absent)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := v.EvalContext(ctx, selResolver(map[string]any{})); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	// A value without selectors does not look at the context.
	if _, _, err := CompileValue("$inputs.doc", v11).EvalContext(ctx, selResolver(nil)); err != nil {
		t.Errorf("no selectors: %v", err)
	}
}

func BenchmarkSelector(b *testing.B) {
	jsonBody := map[string]any{"user": map[string]any{"email": "a@x", "tags": []any{"t1", "t2"}}, "items": []any{map[string]any{"id": 1.0}}}
	for _, tc := range []struct {
		name string
		spec SelectorSpec
		body any
	}{
		{"jsonpointer", SelectorSpec{Type: "jsonpointer", Selector: "/user/email"}, jsonBody},
		{"jsonpath", SelectorSpec{Type: "jsonpath", Selector: "$.user.email"}, jsonBody},
		{"jsonpath-filter", SelectorSpec{Type: "jsonpath", Selector: "$.items[?@.id == 1].id"}, jsonBody},
		{"xpath", SelectorSpec{Type: "xpath", Selector: "/Invoice/Header/InvoiceNumber"}, invoiceXML},
		{"xpath-serialize", SelectorSpec{Type: "xpath", Selector: "/Invoice/Header"}, invoiceXML},
	} {
		tc.spec.Context = "$response.body"
		s, err := CompileSelector(tc.spec)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.Run(tc.name+"/memo", func(b *testing.B) {
			r := selResolver(tc.body)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Eval(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/cold", func(b *testing.B) {
			r := &critResolver{body: tc.body}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Eval(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzSelector compiles selectors and targets of every type and evaluates
// them: no panic, errors of the documented types.
func FuzzSelector(f *testing.F) {
	for _, s := range []string{"$.a", "$..*", "$.items[?@.id > 1]", "/a/0", "", "/Invoice/Item", "count(//*)", "$[0,0][0,0]", "//a/@b", "$.a[-1]"} {
		for k := range 3 {
			f.Add(s, uint8(k))
		}
	}
	types := []string{"jsonpath", "xpath", "jsonpointer"}
	jsonBody := map[string]any{"a": []any{1.0, map[string]any{"b": "x"}}, "items": []any{map[string]any{"id": 2.0}}}
	f.Fuzz(func(t *testing.T, sel string, kind uint8) {
		typ := types[int(kind)%len(types)]
		body := any(jsonBody)
		if typ == "xpath" {
			body = invoiceXML
		}
		s, err := CompileSelector(SelectorSpec{Context: "$response.body", Selector: sel, Type: typ}, v11)
		if err == nil {
			_, err := s.Select(context.Background(), selResolver(body))
			var se *SelectorError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("Select error %T %v", err, err)
			}
			if err != nil && strings.Contains(err.Error(), "failed:") {
				t.Fatalf("a library panicked: %v", err)
			}
		} else {
			var syn *SyntaxError
			if errors.As(err, &syn) && (syn.Offset < 0 || syn.Offset > len(sel)) {
				t.Fatalf("offset %d out of range: %v", syn.Offset, err)
			}
		}
		tg, err := CompileTarget(TargetSpec{Target: sel, Type: typ}, v11)
		if err != nil || typ == "xpath" {
			return
		}
		doc := critJSON(t, `{"a":[1,{"b":"x"}],"items":[{"id":2}]}`)
		if _, err := tg.Set(context.Background(), doc, "v"); err != nil {
			var te *TargetError
			if !errors.As(err, &te) {
				t.Fatalf("Set error %T %v", err, err)
			}
		}
		if !reflect.DeepEqual(doc, critJSON(t, `{"a":[1,{"b":"x"}],"items":[{"id":2}]}`)) {
			t.Fatal("Set modified its input")
		}
	})
}
