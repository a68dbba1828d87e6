package expr

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseTemplateTableB runs every row of runtime-expression-cases.md table
// B. want is the list of expressions our lenient scanner (D27) substitutes;
// where it differs from the strict v2.0.3/v3.1.0 extract the note says why.
func TestParseTemplateTableB(t *testing.T) {
	tests := []struct {
		in         string
		want       []string
		suspicious []string // Lit of the Suspicious parts
		note       string
	}{
		{in: "client_id={$inputs.clientId}&grant_type={$inputs.grantType}", want: []string{"$inputs.clientId", "$inputs.grantType"}},
		{in: "{$url}", want: []string{"$url"}},
		{in: "prefix{$url}suffix", want: []string{"$url"}},
		{in: "pet={$steps.someStepId.outputs.pets#/0/id}", want: []string{"$steps.someStepId.outputs.pets#/0/id"}},
		{in: "{$request.body#/url}", want: []string{"$request.body#/url"}, note: "v2.0.3 gives []; reading to the next } is the 1.1.0 behaviour"},
		{in: "{$response.body#/status}", want: []string{"$response.body#/status"}, note: "as the previous row"},
		{in: "{{$url}}", want: []string{"$url"}, note: "strict grammars reject the whole string; the lenient scanner keeps the outer braces as text"},
		{in: "{}", want: nil},
		{in: "{$url}}", want: []string{"$url"}, note: "strict: []; lenient: the stray } is text"},
		{in: "text with } in it", want: nil},
		{in: `{"petId": "{$inputs.pet_id}"}`, want: []string{"$inputs.pet_id"}, note: "strict: []; the spec's JSON Templated Example needs the lenient scanner"},
		{in: "{\n  \"petOrder\": {\n    \"petId\": \"{$inputs.pet_id}\",\n    \"complete\": false\n  }\n}", want: []string{"$inputs.pet_id"}, note: "as the previous row"},
		{in: "<petId>{$inputs.pet_id}</petId>", want: []string{"$inputs.pet_id"}},
		{in: "client_id={$inputs.clientId}&code{$steps.browser-authorize.outputs.code}&scope=$inputs.scope}", want: []string{"$inputs.clientId", "$steps.browser-authorize.outputs.code"}, note: "strict: [] (spec typo); lenient keeps the typo as text"},
		{in: "{$sourceDescriptions.petStoreDescription.url}#/paths/~1pet~1findByStatus/get", want: []string{"$sourceDescriptions.petStoreDescription.url"}},
		{in: "{$statusCode == 401}", want: nil, suspicious: []string{"{$statusCode == 401}"}, note: "spec typo: not an expression, reported by Suspicious"},
		{in: "$inputs.username", want: nil, note: "no braces: a template has nothing to substitute (CompileValue makes it a whole-value expression)"},
		{in: "Bearer {$steps.login.outputs.token}", want: []string{"$steps.login.outputs.token"}},
		{in: "{$invalid}", want: nil, suspicious: []string{"{$invalid}"}},
		{in: "{$inputs.customer#/firstName}", want: []string{"$inputs.customer#/firstName"}},
		{in: "a|b{$url}c|d", want: []string{"$url"}},
		{in: "{ $url }", want: nil},

		// Extra rows.
		{in: "", want: nil},
		{in: "{$", want: nil, suspicious: []string{"{$"}},
		{in: "x{$url", want: nil, suspicious: []string{"{$url"}},
		{in: "{$a{$url}", want: []string{"$url"}, note: "the outer {$ contains another {$: not reported"},
		{in: "{$inputs.a{b}", want: nil, suspicious: []string{"{$inputs.a{b}"}},
		{in: "{$url}{$method}", want: []string{"$url", "$method"}},
		{in: "{$response.body#/a}b}", want: []string{"$response.body#/a"}},
		{in: "{$URL}", want: nil, suspicious: []string{"{$URL}"}},
		{in: "$.items[*]", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			tpl := ParseTemplate(tc.in)
			var got []string
			for _, e := range tpl.Exprs() {
				got = append(got, e.Raw)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("exprs = %q; want %q (%s)", got, tc.want, tc.note)
			}
			if tpl.HasExprs() != (len(tc.want) > 0) {
				t.Errorf("HasExprs = %v", tpl.HasExprs())
			}
			var sus []string
			for _, p := range tpl.Suspicious() {
				sus = append(sus, p.Lit)
				if p.Err == nil || p.Err.Msg == "" {
					t.Errorf("suspicious part %q without an error", p.Lit)
				}
				if tc.in[p.Offset-1:p.Offset+1] != "{$" {
					t.Errorf("suspicious offset %d does not point at '$'", p.Offset)
				}
			}
			if !reflect.DeepEqual(sus, tc.suspicious) {
				t.Errorf("Suspicious = %q; want %q", sus, tc.suspicious)
			}
			checkParts(t, tpl)
		})
	}
}

// checkParts verifies the invariants of Parts: exactly one of Lit/Expr,
// offsets pointing into Raw, and the parts spelling Raw again.
func checkParts(t *testing.T, tpl *Template) {
	t.Helper()
	var b strings.Builder
	prevLit := false
	for _, p := range tpl.Parts {
		switch {
		case p.Expr != nil && p.Lit != "":
			t.Fatalf("part has both Lit and Expr: %+v", p)
		case p.Expr == nil && p.Lit == "":
			t.Fatalf("empty literal part at %d", p.Offset)
		case p.Expr != nil:
			if b.Len() != p.Offset-1 || tpl.Raw[p.Offset-1] != '{' || !strings.HasPrefix(tpl.Raw[p.Offset:], p.Expr.Raw+"}") {
				t.Fatalf("bad expr offset %d in %q", p.Offset, tpl.Raw)
			}
			b.WriteString("{" + p.Expr.Raw + "}")
			prevLit = false
		default:
			if prevLit {
				t.Fatalf("adjacent literal parts in %q", tpl.Raw)
			}
			if b.Len() != p.Offset {
				t.Fatalf("bad literal offset %d in %q", p.Offset, tpl.Raw)
			}
			b.WriteString(p.Lit)
			prevLit = true
		}
	}
	if b.String() != tpl.Raw {
		t.Fatalf("parts spell %q, not %q", b.String(), tpl.Raw)
	}
}

func TestTemplateRender(t *testing.T) {
	r := newTestResolver(t)
	tests := []struct {
		in       string
		want     string
		complete bool
	}{
		{"plain", "plain", true},
		{"", "", true},
		{"{$inputs.username}", "ada", true},
		{"n={$inputs.count}", "n=3", true},
		{"{$inputs.count}", "3", true},
		{"{$response.body#/pets/1/id}", "2.5", true},
		{"{$statusCode}", "200", true},
		{"ok={$outputs.bar}", "ok=true", true},
		{"v={$inputs.nothing}", "v=null", true},
		{`{"customer": {$inputs.customer}}`, `{"customer": {"firstName":"Ada","tags":["a","b"]}}`, true},
		{"tags={$inputs.customer#/tags}", `tags=["a","b"]`, true},
		{"Bearer {$steps.login.outputs.token}", "Bearer t0k", true},
		{"x={$inputs.absent}&y={$inputs.username}", "x=&y=ada", false},
		{"{$inputs.absent}", "", false},
		{`{"petId": "{$inputs.username}"}`, `{"petId": "ada"}`, true},
		{"{$statusCode == 401}", "{$statusCode == 401}", true},
		{"{{$url}}", "{https://api.example.com/pets?limit=2}", true},
		{"{$inputs.username}{$inputs.username}", "adaada", true},
		{"{$inputs.x.y}", "dotted", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, complete, err := ParseTemplate(tc.in).Render(r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || complete != tc.complete {
				t.Errorf("Render = %q, %v; want %q, %v", got, complete, tc.want, tc.complete)
			}
		})
	}
	// A substituted value is never re-scanned.
	r.inputs["username"] = "{$inputs.count}"
	if got, _, _ := ParseTemplate("<{$inputs.username}>").Render(r); got != "<{$inputs.count}>" {
		t.Errorf("re-scanned: %q", got)
	}
}

func TestTemplateRenderError(t *testing.T) {
	r := &testResolver{respBody: "not json", hasBody: true}
	for _, s := range []string{"{$response.body#/a}", "x{$response.body#/a}"} {
		if _, _, err := ParseTemplate(s).Render(r); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
	bad := ResolverFunc(func(*Expr) (any, bool) { return map[string]any{"f": func() {}}, true })
	for _, s := range []string{"{$url}", "x{$url}"} {
		if _, _, err := ParseTemplate(s).Render(bad); err == nil {
			t.Errorf("%q: unserializable value gave no error", s)
		}
	}
}

func TestTemplateSuspiciousOffsets(t *testing.T) {
	s := `{"a": "{$inputs.}"}`
	sus := ParseTemplate(s).Suspicious()
	if len(sus) != 1 {
		t.Fatalf("Suspicious = %+v", sus)
	}
	p := sus[0]
	if at := p.Offset + p.Err.Offset; s[at:] != `}"}` {
		t.Errorf("error at %d (%q): %v", at, s[at:], p.Err)
	}
}
