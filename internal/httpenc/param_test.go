package httpenc

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func ptr(b bool) *bool { return &b }

var (
	colorString = "blue"
	colorArray  = []any{"blue", "black", "brown"}
	colorObject = map[string]any{"R": 100.0, "G": 200.0, "B": 150.0}
)

// render shows query pairs unescaped, as the OpenAPI style table does.
func render(pairs []QueryPair) string {
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.Name + "=" + p.Value
	}
	return strings.Join(parts, "&")
}

// TestStyleExamples reproduces the "Style Examples" table of OpenAPI 3.1.1
// (label explode=false uses commas, as corrected after 3.1.0). Object
// members come out in sorted key order (B, G, R), since map[string]any has
// no order; the spec lists R, G, B. "n/a" cells are covered by
// TestStyleOutsideTable. Query styles show unescaped pairs (the spec's
// "%20" for spaceDelimited is EncodeQuery's job, see TestEncodeQuery).
func TestStyleExamples(t *testing.T) {
	const na = "\x00n/a"
	tests := []struct {
		style   string
		explode bool
		empty   string
		str     string
		arr     string
		obj     string
	}{
		{"matrix", false, ";color", ";color=blue", ";color=blue,black,brown", ";color=B,150,G,200,R,100"},
		{"matrix", true, ";color", ";color=blue", ";color=blue;color=black;color=brown", ";B=150;G=200;R=100"},
		{"label", false, ".", ".blue", ".blue,black,brown", ".B,150,G,200,R,100"},
		{"label", true, ".", ".blue", ".blue.black.brown", ".B=150.G=200.R=100"},
		{"form", false, "color=", "color=blue", "color=blue,black,brown", "color=B,150,G,200,R,100"},
		{"form", true, "color=", "color=blue", "color=blue&color=black&color=brown", "B=150&G=200&R=100"},
		{"simple", false, "", "blue", "blue,black,brown", "B,150,G,200,R,100"},
		{"simple", true, "", "blue", "blue,black,brown", "B=150,G=200,R=100"},
		{"spaceDelimited", false, na, na, "color=blue black brown", "color=B 150 G 200 R 100"},
		{"pipeDelimited", false, na, na, "color=blue|black|brown", "color=B|150|G|200|R|100"},
		{"deepObject", true, na, na, na, "color[B]=150&color[G]=200&color[R]=100"},
	}
	for _, tc := range tests {
		p := Param{Name: "color", Style: tc.style, Explode: ptr(tc.explode)}
		ser := func(v any) (string, error) {
			switch tc.style {
			case "matrix", "label", "simple":
				return p.Path(v)
			}
			pairs, err := p.Query(v)
			return render(pairs), err
		}
		for _, cell := range []struct {
			name string
			v    any
			want string
		}{{"empty", nil, tc.empty}, {"string", colorString, tc.str}, {"array", colorArray, tc.arr}, {"object", colorObject, tc.obj}} {
			if cell.want == na {
				continue
			}
			got, err := ser(cell.v)
			if err != nil || got != cell.want {
				t.Errorf("%s explode=%v %s: got %q, %v; want %q", tc.style, tc.explode, cell.name, got, err, cell.want)
			}
		}
	}
}

func TestStyleOutsideTable(t *testing.T) {
	tests := []struct {
		name    string
		p       Param
		v       any
		want    string
		wantErr bool
	}{
		{"spaceDelimited primitive is a one-item list", Param{Name: "c", Style: "spaceDelimited"}, "blue", "c=blue", false},
		{"pipeDelimited nil", Param{Name: "c", Style: "pipeDelimited"}, nil, "c=", false},
		{"spaceDelimited exploded behaves like form", Param{Name: "c", Style: "spaceDelimited", Explode: ptr(true)}, colorArray, "c=blue&c=black&c=brown", false},
		{"deepObject default explode", Param{Name: "c", Style: "deepObject"}, colorObject, "c[B]=150&c[G]=200&c[R]=100", false},
		{"deepObject nested", Param{Name: "f", Style: "deepObject"}, map[string]any{"a": map[string]any{"b": 1.0}, "l": []any{"x", "y"}}, "f[a][b]=1&f[l]=x&f[l]=y", false},
		{"deepObject nil", Param{Name: "c", Style: "deepObject"}, nil, "", false},
		{"deepObject primitive", Param{Name: "c", Style: "deepObject"}, "blue", "", true},
		{"deepObject array", Param{Name: "c", Style: "deepObject"}, colorArray, "", true},
		{"form default explode", Param{Name: "c"}, colorArray, "c=blue&c=black&c=brown", false},
		{"form exploded empty array", Param{Name: "c"}, []any{}, "", false},
		{"form empty array", Param{Name: "c", Explode: ptr(false)}, []any{}, "c=", false},
		{"unknown style", Param{Name: "c", Style: "matrix"}, "x", "", true},
		{"numbers", Param{Name: "n", Explode: ptr(false)}, []any{7.0, 2.5, 1e21, -0.000001, int64(9), json.Number("3.10"), true}, "n=7,2.5,1e+21,-0.000001,9,3.10,true", false},
		{"nested values are JSON", Param{Name: "n", Explode: ptr(false)}, []any{map[string]any{"a": "<b>"}, []any{1.0}}, `n={"a":"<b>"},[1]`, false},
		{"Go slices and maps", Param{Name: "s"}, []string{"a", "b"}, "s=a&s=b", false},
		{"NaN", Param{Name: "n"}, []any{nanValue()}, "", true},
		{"unsupported type", Param{Name: "n"}, struct{}{}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pairs, err := tc.p.Query(tc.v)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("want *Error, got %T", err)
			}
			if got := render(pairs); !tc.wantErr && got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func nanValue() float64 { z := 0.0; return z / z }

func TestPathEscaping(t *testing.T) {
	tests := []struct {
		name string
		p    Param
		v    any
		want string
	}{
		{"reserved escaped", Param{Name: "id"}, "a/b?c#d e", "a%2Fb%3Fc%23d%20e"},
		{"AllowReserved ignored in paths", Param{Name: "id", AllowReserved: true}, "a/b", "a%2Fb"},
		{"delimiters in items", Param{Name: "id"}, []any{"a,b", "c"}, "a%2Cb,c"},
		{"unicode", Param{Name: "id"}, "é", "%C3%A9"},
		{"matrix name escaped", Param{Name: "a b", Style: "matrix"}, "x", ";a%20b=x"},
		{"matrix empty string", Param{Name: "c", Style: "matrix"}, "", ";c"},
		{"label empty object", Param{Name: "c", Style: "label"}, map[string]any{}, "."},
		{"integer-valued float", Param{Name: "id"}, 42.0, "42"},
		{"bool", Param{Name: "id"}, false, "false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.Path(tc.v)
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := (Param{Name: "x", Style: "form"}).Path("a"); err == nil {
		t.Error("form is not a path style")
	}
}

func TestEncodeQuery(t *testing.T) {
	q := func(p Param, v any) []QueryPair {
		t.Helper()
		pairs, err := p.Query(v)
		if err != nil {
			t.Fatal(err)
		}
		return pairs
	}
	tests := []struct {
		name  string
		pairs []QueryPair
		want  string
	}{
		{"form list keeps comma delimiters", q(Param{Name: "c", Explode: ptr(false)}, []any{"a,b", "c d"}), "c=a%2Cb,c%20d"},
		{"spaceDelimited", q(Param{Name: "c", Style: "spaceDelimited"}, colorArray), "c=blue%20black%20brown"},
		{"pipeDelimited", q(Param{Name: "c", Style: "pipeDelimited"}, []any{"a|b", "c"}), "c=a%7Cb%7Cc"},
		{"deepObject brackets", q(Param{Name: "c", Style: "deepObject"}, map[string]any{"R": 1.0}), "c%5BR%5D=1"},
		{"reserved escaped", q(Param{Name: "u"}, "https://x.test/?a=1&b=2#f"), "u=https%3A%2F%2Fx.test%2F%3Fa%3D1%26b%3D2%23f"},
		{"allowReserved", q(Param{Name: "u", AllowReserved: true}, "https://x.test/?a=1#f %41 %zz"), "u=https://x.test/?a=1%23f%20%41%20%25zz"},
		{"unreserved kept", q(Param{Name: "k"}, "a-b_c.d~e"), "k=a-b_c.d~e"},
		{"several params", append(q(Param{Name: "a"}, 1.0), q(Param{Name: "b"}, true)...), "a=1&b=true"},
		{"empty", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := EncodeQuery(tc.pairs); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		name    string
		p       Param
		v       any
		want    string
		wantErr bool
	}{
		{"string", Param{Name: "X"}, "blue", "blue", false},
		{"array", Param{Name: "X"}, colorArray, "blue,black,brown", false},
		{"object", Param{Name: "X"}, colorObject, "B,150,G,200,R,100", false},
		{"object exploded", Param{Name: "X", Explode: ptr(true)}, colorObject, "B=150,G=200,R=100", false},
		{"not escaped", Param{Name: "X"}, "a b/c", "a b/c", false},
		{"nil", Param{Name: "X"}, nil, "", false},
		{"number", Param{Name: "X"}, 3.0, "3", false},
		{"injection", Param{Name: "X"}, "a\r\nSet-Cookie: x", "", true},
		{"bad style", Param{Name: "X", Style: "form"}, "a", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.Header(tc.v)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "Set-Cookie") {
				t.Errorf("error echoes the value: %v", err)
			}
		})
	}
}

func TestCookie(t *testing.T) {
	tests := []struct {
		name    string
		p       Param
		v       any
		want    string
		wantErr bool
	}{
		{"string", Param{Name: "color"}, "blue", "color=blue", false},
		{"array exploded (default)", Param{Name: "color"}, colorArray, "color=blue; color=black; color=brown", false},
		{"array", Param{Name: "color", Explode: ptr(false)}, colorArray, "color=blue,black,brown", false},
		{"object exploded", Param{Name: "color"}, colorObject, "B=150; G=200; R=100", false},
		{"object", Param{Name: "color", Explode: ptr(false)}, colorObject, "color=B,150,G,200,R,100", false},
		{"nil", Param{Name: "color"}, nil, "color=", false},
		{"escaping", Param{Name: "s"}, "a b;c,d\"%", "s=a%20b%3Bc%2Cd%22%25", false},
		{"bad name", Param{Name: "a b"}, "x", "", true},
		{"bad style", Param{Name: "c", Style: "simple"}, "x", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.Cookie(tc.v)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
