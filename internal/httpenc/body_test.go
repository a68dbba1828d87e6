package httpenc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"testing"
)

func TestEncodeJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"no HTML escaping", map[string]any{"q": "<a&b>"}, `{"q":"<a&b>"}`},
		{"integers", []any{7.0, 2.5, int64(3)}, `[7,2.5,3]`},
		{"nil", nil, `null`},
		{"string", "x", `"x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EncodeJSON(tc.v)
			if err != nil || string(got) != tc.want {
				t.Errorf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	var e *Error
	if _, err := EncodeJSON(nanValue()); !errors.As(err, &e) {
		t.Errorf("NaN: want *Error, got %v", err)
	}
}

func TestEncodeForm(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		want    string
		wantErr bool
	}{
		{"object", map[string]any{"grant_type": "password", "n": 7.0, "r": 2.5, "ok": true, "none": nil},
			"grant_type=password&n=7&none=&ok=true&r=2.5", false},
		{"escaping", map[string]any{"a b": "x&y=z é"}, "a+b=x%26y%3Dz+%C3%A9", false},
		{"nested as JSON", map[string]any{"o": map[string]any{"k": 1.0}, "l": []any{"a", 2.0}},
			"l=%5B%22a%22%2C2%5D&o=%7B%22k%22%3A1%7D", false},
		{"string verbatim", "a=1&b={x}", "a=1&b={x}", false},
		{"nil", nil, "", false},
		{"Go map", map[string]string{"a": "1"}, "a=1", false},
		{"array", []any{"a"}, "", true},
		{"number", 1.0, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EncodeForm(tc.v)
			if (err != nil) != tc.wantErr || string(got) != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestEncodeMultipart(t *testing.T) {
	v := map[string]any{
		"name":  "Rex \"the\" dog",
		"age":   7.0,
		"tags":  []any{"a", "b"},
		"meta":  map[string]any{"k": "<v>"},
		"photo": []byte{0xff, 0x00},
		"none":  nil,
	}
	body, ct, err := EncodeMultipart(v, "XyZ")
	if err != nil {
		t.Fatal(err)
	}
	if ct != "multipart/form-data; boundary=XyZ" {
		t.Errorf("content type %q", ct)
	}
	_, params, _ := mime.ParseMediaType(ct)
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	type part struct{ name, file, ctype, body string }
	var got []part
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		got = append(got, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
	}
	want := []part{
		{"age", "", "text/plain; charset=utf-8", "7"},
		{"meta", "", "application/json", `{"k":"<v>"}`},
		{"name", "", "text/plain; charset=utf-8", `Rex "the" dog`},
		{"none", "", "text/plain; charset=utf-8", ""},
		{"photo", "photo", "application/octet-stream", "\xff\x00"},
		{"tags", "", "text/plain; charset=utf-8", "a"},
		{"tags", "", "text/plain; charset=utf-8", "b"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d parts: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("part %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	if _, ct, err := EncodeMultipart(map[string]any{}, ""); err != nil || len(ct) < 40 {
		t.Errorf("random boundary: %q %v", ct, err)
	}
	for _, bad := range []struct {
		v any
		b string
	}{{"text", ""}, {[]any{1.0}, ""}, {map[string]any{}, "bad boundary with spaces at end "}} {
		if _, _, err := EncodeMultipart(bad.v, bad.b); err == nil {
			t.Errorf("EncodeMultipart(%v, %q): want error", bad.v, bad.b)
		}
	}
}

func TestEncodeXML(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		want    string
		wantErr bool
	}{
		{"verbatim", "<a>{$inputs.x}</a>", "<a>{$inputs.x}</a>", false},
		{"object", map[string]any{"pet": map[string]any{"name": "R&<>", "age": 3.0, "tags": []any{"a", "b"}, "none": nil}},
			"<pet><age>3</age><name>R&amp;&lt;&gt;</name><none/><tags>a</tags><tags>b</tags></pet>", false},
		{"scalar root", map[string]any{"n": 2.5}, "<n>2.5</n>", false},
		{"nil", nil, "", false},
		{"two roots", map[string]any{"a": 1.0, "b": 2.0}, "", true},
		{"array root", map[string]any{"a": []any{1.0}}, "", true},
		{"bad name", map[string]any{"1a": "x"}, "", true},
		{"bad nested name", map[string]any{"a": map[string]any{"b c": "x"}}, "", true},
		{"array payload", []any{"x"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EncodeXML(tc.v)
			if (err != nil) != tc.wantErr || string(got) != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestNumbersMatchEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 7, -7, 2.5, 1e20, 1e21, 1.5e-7, 1e-6, 123456789012, 0.1 + 0.2, math.Copysign(0, -1)} {
		want, _ := json.Marshal(f)
		got, _, err := scalar(f)
		if err != nil || got != string(want) {
			t.Errorf("%v: got %q, want %s", f, got, want)
		}
	}
	for _, f := range []float32{7, 2.5, 1e-7, 3.4e38} {
		want, _ := json.Marshal(f)
		got, _, _ := scalar(f)
		if got != string(want) {
			t.Errorf("float32 %v: got %q, want %s", f, got, want)
		}
	}
}
