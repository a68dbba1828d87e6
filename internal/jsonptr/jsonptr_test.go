package jsonptr

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   Pointer
		errOff int // -1: no error
	}{
		{"", Pointer{}, -1},
		{"/", Pointer{""}, -1},
		{"//", Pointer{"", ""}, -1},
		{"/a/b", Pointer{"a", "b"}, -1},
		{"/a~1b", Pointer{"a/b"}, -1},
		{"/a~0b", Pointer{"a~b"}, -1},
		{"/~01", Pointer{"~1"}, -1},
		{"/~10", Pointer{"/0"}, -1},
		{"/ é/{}/%20", Pointer{" é", "{}", "%20"}, -1},
		{"a", nil, 0},
		{"#/a", nil, 0},
		{"/a~", nil, 2},
		{"/a~2b", nil, 2},
		{"/ok/x~y", nil, 5},
	}
	for _, tc := range tests {
		p, err := Parse(tc.in)
		if tc.errOff >= 0 {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset != tc.errOff {
				t.Errorf("Parse(%q) err = %v; want offset %d", tc.in, err, tc.errOff)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(p, tc.want) {
			t.Errorf("Parse(%q) = %q, %v; want %q", tc.in, p, err, tc.want)
		}
		if s := p.String(); s != tc.in {
			t.Errorf("String() = %q; want %q", s, tc.in)
		}
	}
}

func TestParseFragment(t *testing.T) {
	tests := []struct {
		in   string
		want Pointer
		err  bool
	}{
		{"#", Pointer{}, false},
		{"", Pointer{}, false},
		{"#/a%20b", Pointer{"a b"}, false},
		{"#/a%2Fb/c", Pointer{"a/b", "c"}, false},
		{"#/a~1b", Pointer{"a/b"}, false},
		{"#/%7E1", Pointer{"/"}, false}, // %7E is "~", then "~1" is decoded
		{"/c%25d", Pointer{"c%d"}, false},
		{"#/paths/~1pet~1findByStatus/get", Pointer{"paths", "/pet/findByStatus", "get"}, false},
		{"#/a%2", nil, true},
		{"#/a%zz", nil, true},
		{"#a%20", nil, true},
		{"#/a~2%20", nil, true},
		{"#x", nil, true},
	}
	for _, tc := range tests {
		p, err := ParseFragment(tc.in)
		if tc.err {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(tc.in) {
				t.Errorf("ParseFragment(%q) err = %v", tc.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(p, tc.want) {
			t.Errorf("ParseFragment(%q) = %q, %v; want %q", tc.in, p, err, tc.want)
		}
	}
}

func TestGet(t *testing.T) {
	doc := decode(t, `{"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\j":5,"k\"l":6," ":7,"m~n":8,
		"arr":[0,1,2,3,4,5,6,7,8,9,10],"nul":null,"obj":{"x":{"y":true}}}`)
	tests := []struct {
		ptr  string
		want any
		ok   bool
	}{
		// RFC 6901 §5 examples.
		{"", doc, true},
		{"/foo", []any{"bar", "baz"}, true},
		{"/foo/0", "bar", true},
		{"/", 0.0, true},
		{"/a~1b", 1.0, true},
		{"/c%d", 2.0, true},
		{"/e^f", 3.0, true},
		{"/g|h", 4.0, true},
		{"/i\\j", 5.0, true},
		{"/k\"l", 6.0, true},
		{"/ ", 7.0, true},
		{"/m~0n", 8.0, true},
		// Array index rules.
		{"/arr/10", 10.0, true},
		{"/arr/11", nil, false},
		{"/arr/01", nil, false},
		{"/arr/-", nil, false},
		{"/arr/+1", nil, false},
		{"/arr/-1", nil, false},
		{"/arr/1.0", nil, false},
		{"/arr/", nil, false},
		{"/arr/99999999999999999999999", nil, false},
		// Missing and non-containers.
		{"/nul", nil, true},
		{"/nul/a", nil, false},
		{"/foo/0/x", nil, false},
		{"/obj/x/y", true, true},
		{"/obj/x/y/z", nil, false},
		{"/missing", nil, false},
		{"/obj/0", nil, false},
	}
	for _, tc := range tests {
		got, ok := MustParse(tc.ptr).Get(doc)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Get(%q) = %v, %v; want %v, %v", tc.ptr, got, ok, tc.want, tc.ok)
		}
	}
	if v, ok := (Pointer(nil)).Get(42.0); !ok || v != 42.0 {
		t.Error("nil pointer on a scalar")
	}
}

func TestSet(t *testing.T) {
	const src = `{"a":{"b":[1,2,{"c":3}]},"s":"str","n":null}`
	tests := []struct {
		ptr   string
		value any
		want  string // JSON; "" = error
		token int    // Error.Token when want == ""
	}{
		{"", "root", `"root"`, 0},
		{"/x", 1.0, `{"a":{"b":[1,2,{"c":3}]},"s":"str","n":null,"x":1}`, 0},
		{"/a/b/2/c", 4.0, `{"a":{"b":[1,2,{"c":4}]},"s":"str","n":null}`, 0},
		{"/a/b/2/d", 5.0, `{"a":{"b":[1,2,{"c":3,"d":5}]},"s":"str","n":null}`, 0},
		{"/a/b/0", "z", `{"a":{"b":["z",2,{"c":3}]},"s":"str","n":null}`, 0},
		{"/a/b/-", "end", `{"a":{"b":[1,2,{"c":3},"end"]},"s":"str","n":null}`, 0},
		{"/a", nil, `{"a":null,"s":"str","n":null}`, 0},
		{"/a/b/3", 1.0, "", 2},
		{"/a/b/01", 1.0, "", 2},
		{"/a/b/x", 1.0, "", 2},
		{"/a/b/-/x", 1.0, "", 2},
		{"/missing/x", 1.0, "", 0},
		{"/s/x", 1.0, "", 1},
		{"/n/x", 1.0, "", 1},
	}
	for _, tc := range tests {
		doc := decode(t, src)
		got, err := MustParse(tc.ptr).Set(doc, tc.value)
		if !reflect.DeepEqual(doc, decode(t, src)) {
			t.Errorf("Set(%q) modified its input", tc.ptr)
		}
		if tc.want == "" {
			var pe *Error
			if !errors.As(err, &pe) || pe.Token != tc.token || pe.Pointer != tc.ptr {
				t.Errorf("Set(%q) err = %#v; want token %d", tc.ptr, err, tc.token)
			}
			continue
		}
		if err != nil {
			t.Errorf("Set(%q): %v", tc.ptr, err)
			continue
		}
		if !reflect.DeepEqual(got, decode(t, tc.want)) {
			t.Errorf("Set(%q) = %v; want %s", tc.ptr, got, tc.want)
		}
	}
}

func TestSetSharesUntouched(t *testing.T) {
	doc := decode(t, `{"keep":{"big":[1,2,3]},"edit":{"x":1}}`).(map[string]any)
	out, err := MustParse("/edit/x").Set(doc, 2.0)
	if err != nil {
		t.Fatal(err)
	}
	m := out.(map[string]any)
	if reflect.ValueOf(m["keep"]).Pointer() != reflect.ValueOf(doc["keep"]).Pointer() {
		t.Error("untouched subtree was copied")
	}
	if doc["edit"].(map[string]any)["x"] != 1.0 {
		t.Error("input modified")
	}
}

func TestIndex(t *testing.T) {
	for _, tc := range []struct {
		s  string
		n  int
		ok bool
	}{{"0", 0, true}, {"7", 7, true}, {"10", 10, true}, {"", 0, false}, {"00", 0, false}, {"-", 0, false}, {"1a", 0, false}, {"11", 0, false}} {
		n, ok := Index(tc.s, 10)
		if n != tc.n || ok != tc.ok {
			t.Errorf("Index(%q) = %d, %v", tc.s, n, ok)
		}
	}
}

func TestErrorStrings(t *testing.T) {
	_, err := Parse("x")
	if err.Error() != `offset 0: a JSON pointer must be empty or start with "/"` {
		t.Error(err)
	}
	_, err = MustParse("/a/b").Set(map[string]any{}, 1)
	if err.Error() != `json pointer "/a/b": member "a" does not exist` {
		t.Error(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParse did not panic")
		}
	}()
	MustParse("x")
}

func FuzzPointer(f *testing.F) {
	for _, s := range []string{"", "/", "/a/b", "/a~1b~0c", "/0/-", "/~", "/~2", "#/a%20b", "/arr/01", "/00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := map[string]any{"a": []any{1.0, map[string]any{"b": "c"}}, "": map[string]any{"": nil}}
		if p, err := ParseFragment(s); err == nil {
			p.Get(doc)
		} else if se := new(SyntaxError); !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
			t.Fatalf("ParseFragment(%q): %v", s, err)
		}
		p, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset >= len(s) {
				t.Fatalf("Parse(%q): %v", s, err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q for %q", p.String(), s)
		}
		p.Get(doc)
		out, err := p.Set(doc, "new")
		if doc["a"].([]any)[0] != 1.0 || len(doc) != 2 {
			t.Fatal("Set modified its input")
		}
		if err == nil && (len(p) == 0 || p[len(p)-1] != "-") {
			if v, ok := p.Get(out); !ok || v != "new" {
				t.Fatalf("Get after Set(%q) = %v, %v", s, v, ok)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Parse("/data/0/items/12/name")
	}
}

func BenchmarkGet(b *testing.B) {
	doc := decode(b, `{"data":[{"items":[{"name":"x"}]}]}`)
	p := MustParse("/data/0/items/0/name")
	b.ReportAllocs()
	for b.Loop() {
		p.Get(doc)
	}
}

func TestLookupAndEscapeToken(t *testing.T) {
	doc := map[string]any{"a/b": []any{map[string]any{"~k": 1.0}}}
	ptr := "/" + EscapeToken("a/b") + "/0/" + EscapeToken("~k")
	if ptr != "/a~1b/0/~0k" {
		t.Errorf("escaped %q", ptr)
	}
	if v, ok := Lookup(doc, ptr); !ok || v != 1.0 {
		t.Errorf("Lookup = %v, %v", v, ok)
	}
	for _, bad := range []string{"a", "/a~2b", "/a~1b/01", "/x"} {
		if _, ok := Lookup(doc, bad); ok {
			t.Errorf("Lookup(%q) found something", bad)
		}
	}
}
