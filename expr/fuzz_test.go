package expr

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, tc := range tableA {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *SyntaxError", err)
			}
			if se.Offset < 0 || se.Offset > len(s) || se.Msg == "" || se.Expr != s {
				t.Fatalf("bad SyntaxError %+v for %q", se, s)
			}
			if e != nil {
				t.Fatal("non-nil Expr with an error")
			}
			return
		}
		if e.Raw != s || e.String() != s {
			t.Fatalf("Raw %q / String %q for %q", e.Raw, e.String(), s)
		}
		if e.Kind == KindInvalid || e.Kind > KindComponents {
			t.Fatalf("kind %v", e.Kind)
		}
		if e.HasPointer && !e.Kind.takesPointer() || !e.HasPointer && len(e.Pointer) > 0 {
			t.Fatalf("pointer on %v", e.Kind)
		}
		// Evaluation never panics, whatever the resolver returns.
		for _, v := range []any{nil, "x", `{"a":[1]}`, []byte("[1,2]"), 1.0, map[string]any{"a": []any{map[string]any{}}}} {
			e.Eval(ResolverFunc(func(*Expr) (any, bool) { return v, true }))
		}
	})
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"client_id={$inputs.clientId}&grant_type={$inputs.grantType}",
		`{"petId": "{$inputs.pet_id}"}`,
		"{{$url}}", "{$url}}", "{$", "{$a{$url}", "{$statusCode == 401}",
		"{$response.body#/a}b}", "x{$steps.a.outputs.b#/0}y{$inputs.é}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tpl := ParseTemplate(s)
		checkParts(t, tpl)
		for _, p := range tpl.Suspicious() {
			if p.Err == nil || p.Offset < 1 || p.Offset+p.Err.Offset > len(s) || s[p.Offset-1:p.Offset+1] != "{$" {
				t.Fatalf("bad suspicious part %+v in %q", p, s)
			}
		}
		r := ResolverFunc(func(e *Expr) (any, bool) {
			switch e.Kind {
			case KindInputs:
				return nil, false
			case KindURL:
				return "{$url}", true
			}
			return map[string]any{"a": []any{1.5, "x", nil}}, true
		})
		if _, _, err := tpl.Render(r); err != nil {
			t.Fatal(err)
		}
		CompileValue(s).Eval(r)
	})
}

func BenchmarkParse(b *testing.B) {
	for _, s := range []string{
		"$statusCode",
		"$inputs.username",
		"$response.body#/data/0/id",
		"$steps.someStepId.outputs.pets#/0/id",
		"$sourceDescriptions.petStore.getPets",
	} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("template", func(b *testing.B) {
		s := `{"petId": "{$inputs.pet_id}", "qty": {$inputs.qty}, "note": "{not an expr}"}`
		b.ReportAllocs()
		for b.Loop() {
			ParseTemplate(s)
		}
	})
}
