package expr

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/telaio/telaio/internal/jsonptr"
)

// TestE26_TargetTypeByMediaType: without a type, the media type decides:
// JSON Pointer for JSON, +json, form data and no media type; XPath for XML;
// with the 1.1 grammar anything else needs targetSelectorType, with the 1.0
// grammar it stays JSON Pointer (D29).
func TestE26_TargetTypeByMediaType(t *testing.T) {
	tests := []struct {
		contentType string
		want11      string // "" = error
		want10      string
	}{
		{"application/json", "jsonpointer", "jsonpointer"},
		{"application/json; charset=utf-8", "jsonpointer", "jsonpointer"},
		{"application/problem+json", "jsonpointer", "jsonpointer"},
		{"", "jsonpointer", "jsonpointer"},
		{"application/x-www-form-urlencoded", "jsonpointer", "jsonpointer"},
		{"multipart/form-data; boundary=x", "jsonpointer", "jsonpointer"},
		{"application/xml", "xpath", "xpath"},
		{"text/xml", "xpath", "xpath"},
		{"application/soap+xml", "xpath", "xpath"},
		{"text/plain", "", "jsonpointer"},
		{"application/octet-stream", "", "jsonpointer"},
	}
	for _, tc := range tests {
		target := "/a"
		tg, err := CompileTarget(TargetSpec{Target: target, ContentType: tc.contentType}, v11)
		switch {
		case tc.want11 == "":
			var te *CriterionTypeError
			if !errors.As(err, &te) || !strings.Contains(te.Msg, "targetSelectorType") {
				t.Errorf("1.1 %q: %v, want an error asking for targetSelectorType", tc.contentType, err)
			}
		case err != nil || tg.Type() != tc.want11:
			t.Errorf("1.1 %q: %v %v, want %s", tc.contentType, tg, err, tc.want11)
		}
		tg, err = CompileTarget(TargetSpec{Target: target, ContentType: tc.contentType})
		if err != nil || tg.Type() != tc.want10 {
			t.Errorf("1.0 %q: %v %v, want %s", tc.contentType, tg, err, tc.want10)
		}
		// An explicit type wins.
		tg, err = CompileTarget(TargetSpec{Target: "$.a", Type: "jsonpath", ContentType: tc.contentType}, v11)
		if err != nil || tg.Type() != "jsonpath" {
			t.Errorf("explicit %q: %v %v", tc.contentType, tg, err)
		}
	}
}

// TestE27_JSONPathTargets: a JSONPath target sets the value at every node it
// selects; selecting nothing is an error; a node inside another selected one
// is left to the outer replacement; the input is never modified.
func TestE27_JSONPathTargets(t *testing.T) {
	const src = `{"items":[{"sku":"ABC123","quantity":1},{"sku":"X","quantity":2},{"sku":"ABC123","quantity":3}],"x":{"x":{"x":1}}}`
	tests := []struct {
		target string
		want   string // JSON; "" = error
		err    string
	}{
		{target: "$.items[?(@.sku=='ABC123')].quantity", want: `{"items":[{"sku":"ABC123","quantity":9},{"sku":"X","quantity":2},{"sku":"ABC123","quantity":9}],"x":{"x":{"x":1}}}`},
		{target: "$.items[1].sku", want: `{"items":[{"sku":"ABC123","quantity":1},{"sku":9,"quantity":2},{"sku":"ABC123","quantity":3}],"x":{"x":{"x":1}}}`},
		{target: "$..x", want: `{"items":[{"sku":"ABC123","quantity":1},{"sku":"X","quantity":2},{"sku":"ABC123","quantity":3}],"x":9}`},
		{target: "$.items[0,0].quantity", want: `{"items":[{"sku":"ABC123","quantity":9},{"sku":"X","quantity":2},{"sku":"ABC123","quantity":3}],"x":{"x":{"x":1}}}`},
		{target: "$", want: `9`},
		{target: "$.items[?(@.sku=='none')].quantity", err: "selects nothing"},
		{target: "$.missing", err: "E27"},
	}
	for _, tc := range tests {
		tg, err := CompileTarget(TargetSpec{Target: tc.target, Type: "jsonpath"}, v11)
		if err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		doc := critJSON(t, src)
		got, err := tg.Set(context.Background(), doc, 9.0)
		if !reflect.DeepEqual(doc, critJSON(t, src)) {
			t.Errorf("%s: Set modified its input", tc.target)
		}
		if tc.err != "" {
			var te *TargetError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want a *TargetError containing %q", tc.target, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, critJSON(t, tc.want)) {
			t.Errorf("%s: Set = %v, %v; want %s", tc.target, got, err, tc.want)
		}
	}
}

// TestE28_TargetCreate: replacements over a request body without payload
// start from {} and create the objects a JSON pointer target needs;
// without SetCreate the parent must exist.
func TestE28_TargetCreate(t *testing.T) {
	tg, err := CompileTarget(TargetSpec{Target: "/order/pet/id", ContentType: "application/json"}, v11)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tg.SetCreate(context.Background(), nil, 7.0)
	if err != nil || !reflect.DeepEqual(got, critJSON(t, `{"order":{"pet":{"id":7}}}`)) {
		t.Errorf("SetCreate = %v, %v", got, err)
	}
	got, err = tg.SetCreate(context.Background(), got, 8.0)
	if err != nil || !reflect.DeepEqual(got, critJSON(t, `{"order":{"pet":{"id":8}}}`)) {
		t.Errorf("SetCreate again = %v, %v", got, err)
	}
	_, err = tg.Set(context.Background(), map[string]any{}, 7.0)
	var pe *jsonptr.Error
	if !errors.As(err, &pe) {
		t.Errorf("Set on {} = %v, want a *jsonptr.Error", err)
	}
	if p, ok := tg.Pointer(); !ok || p.String() != "/order/pet/id" {
		t.Errorf("Pointer = %v, %v", p, ok)
	}
	jp, _ := CompileTarget(TargetSpec{Target: "$.a", Type: "jsonpath"})
	if _, err := jp.SetCreate(context.Background(), nil, 1.0); err == nil {
		t.Error("a JSONPath target created a location")
	}
}

func TestTargetErrors(t *testing.T) {
	tests := []struct {
		spec TargetSpec
		msg  string
	}{
		{TargetSpec{Target: "a/b", Type: "jsonpointer"}, "invalid JSON pointer"},
		{TargetSpec{Target: "$.a", ContentType: "application/json"}, "needs targetSelectorType: jsonpath"},
		{TargetSpec{Target: "$.a[", Type: "jsonpath"}, "invalid JSONPath query"},
		{TargetSpec{Target: "/a/b eq 'x'", Type: "xpath"}, "XPath 2.0+"},
		{TargetSpec{Target: "/a", Type: "jmespath"}, "unknown replacement target type"},
		{TargetSpec{Target: "/a", Type: "xpath", Version: "rfc9535"}, "unknown xpath version"},
		{TargetSpec{Target: "", Type: "xpath"}, "empty target"},
	}
	for _, tc := range tests {
		if _, err := CompileTarget(tc.spec, v11); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%+v: %v; want %q", tc.spec, err, tc.msg)
		}
	}
	x, err := CompileTarget(TargetSpec{Target: "/Envelope/Header/CustomerId", ContentType: "application/xml"}, v11)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Set(context.Background(), "<a/>", "1"); !errors.Is(err, ErrXPathTarget) {
		t.Errorf("XPath Set: %v", err)
	}
	if x.Version() != VersionXPath31 || x.String() != "xpath: /Envelope/Header/CustomerId" {
		t.Errorf("%q %q", x.Version(), x.String())
	}
	if _, ok := x.Pointer(); ok {
		t.Error("an XPath target has a pointer")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	jp, _ := CompileTarget(TargetSpec{Target: "$.a", Type: "jsonpath"})
	if _, err := jp.Set(ctx, map[string]any{"a": 1.0}, 2.0); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	jp, _ = CompileTarget(TargetSpec{Target: "$..*", Type: "jsonpath"}, MaxContextNodes(10))
	if _, err := jp.Set(context.Background(), deepJSON(10), 2.0); limitCode(err) != CodeContextTooLarge {
		t.Errorf("large payload: %v", err)
	}
}
