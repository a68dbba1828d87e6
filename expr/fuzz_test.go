package expr

import (
	"errors"
	"reflect"
	"strings"
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
		// The linear scan finds what the plain one does, also with a limit
		// on embedded expressions.
		for _, max := range []int{DefaultMaxExpressionLength, 12} {
			got, want := parseTemplate(s, max), plainTemplate(s, max)
			if !reflect.DeepEqual(got.Parts, want.Parts) || !reflect.DeepEqual(got.suspicious, want.suspicious) {
				t.Fatalf("ParseTemplate(%q) with limit %d:\n got %+v %+v\nwant %+v %+v", s, max, got.Parts, got.suspicious, want.Parts, want.suspicious)
			}
		}
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

// plainTemplate is the template scan without the shortcuts of parseTemplate
// (quadratic when many "{$" share one "}"): the reference FuzzTemplate
// compares it with.
func plainTemplate(s string, max int) *Template {
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
		e, err := ParseWith(inner, MaxExpressionLength(max))
		if err != nil {
			if !strings.Contains(inner[1:], "{$") {
				se := err.(*SyntaxError)
				if se.Err != nil { // the message names the embedded expression
					se = tooLong(CodeExpressionTooLong, "the embedded expression", inner, max)
				}
				t.suspicious = append(t.suspicious, Part{Lit: s[k : end+1], Offset: k + 1, Err: se})
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
