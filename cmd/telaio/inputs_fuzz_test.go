package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseInput checks that no --input argument makes parseInput or
// readInputs panic, that a parsed value survives a JSON round trip, that an
// input declared as a string keeps its text (or a JSON string's value), and that no --inputs
// file text makes decodeInputs panic. Seeds: testdata/fuzz/FuzzParseInput.
func FuzzParseInput(f *testing.F) {
	for _, s := range []string{
		"a=1", "a=x=y", `a={"b":[1,true]}`, "a=hello", "a=", "a=null", "=1", "novalue", "a= 1 ",
		"code=0042", "n=1e400", `s="quoted"`, `s="\ud800"`, "a=[[[[[[]]]]]]", "a=-0", "a=1.5e-7",
		"token=Bearer abc", "a=\xff", "a: 1\nb: [x]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		_, _ = decodeInputs([]byte(p))
		name, v, err := parseInput(p)
		if err != nil {
			if strings.Contains(err.Error(), p) && len(p) > 8 {
				t.Fatalf("the error echoes the argument: %v", err)
			}
			return
		}
		raw, ok := strings.CutPrefix(p, name+"=")
		if name == "" || strings.Contains(name, "=") || !ok {
			t.Fatalf("parseInput(%q) name %q", p, name)
		}
		if s, isStr := v.(string); isStr && s != raw {
			// Only a JSON string literal decodes to other text.
			var want string
			if json.Unmarshal([]byte(raw), &want) != nil || want != s {
				t.Fatalf("parseInput(%q) = %q", p, s)
			}
		}
		in, err := mergeInputs(nil, []string{p}, map[string]bool{name: true})
		if s, isStr := v.(string); err != nil || in[name] != raw && !(isStr && in[name] == s) {
			t.Fatalf("readInputs(%q) as a string input = %#v, %v; want %q", p, in[name], err, raw)
		}
		if !utf8.ValidString(p) {
			return // JSON encoding replaces invalid UTF-8 with U+FFFD
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("parseInput(%q) = %#v, which does not encode: %v", p, v, err)
		}
		name2, v2, err := parseInput(name + "=" + string(b))
		if err != nil || name2 != name || !reflect.DeepEqual(v, v2) {
			t.Fatalf("round trip of %q through %s: %#v, want %#v (%v)", p, b, v2, v, err)
		}
	})
}
