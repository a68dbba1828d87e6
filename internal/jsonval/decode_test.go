package jsonval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// compareWithStdlib decodes data with Decode, DecodeString and
// json.Unmarshal and describes how they differ ("" when they agree): same
// value (float64s bit for bit, so -0 is not 0), or errors of the same
// kind with the same message and Offset. It overwrites data.
func compareWithStdlib(data []byte) string {
	var want any
	werr := json.Unmarshal(data, &want)
	got, gerr := Decode(data)
	got2, gerr2 := DecodeString(string(data))
	if !reflect.DeepEqual(got, got2) || fmt.Sprint(gerr) != fmt.Sprint(gerr2) {
		return fmt.Sprintf("Decode and DecodeString differ: %#v, %v vs %#v, %v", got, gerr, got2, gerr2)
	}
	if werr == nil && gerr == nil {
		if !reflect.DeepEqual(got, want) {
			return fmt.Sprintf("value %#v, encoding/json %#v", got, want)
		}
		if p := sameBits(got, want, "$"); p != "" {
			return "value differs at " + p
		}
		// Nothing in the result shares memory with the argument.
		scribbled := bytes.Repeat([]byte{'#'}, len(data))
		copy(data, scribbled)
		if !reflect.DeepEqual(got, want) {
			return fmt.Sprintf("changing the argument after Decode changed its result to %#v", got)
		}
		return ""
	}
	if werr == nil || gerr == nil {
		return fmt.Sprintf("error %v, encoding/json %v", gerr, werr)
	}
	var de *DecodeError
	if !errors.As(gerr, &de) {
		return fmt.Sprintf("error %T is not a *DecodeError", gerr)
	}
	var wantKind error
	var wantOffset int64
	wantMsg := werr.Error()
	switch e := werr.(type) {
	case *json.SyntaxError:
		wantKind, wantOffset = ErrSyntax, e.Offset
		if strings.Contains(wantMsg, "exceeded max depth") {
			wantKind = ErrTooDeep
		}
	case *json.UnmarshalTypeError:
		wantKind, wantOffset = ErrNumberRange, e.Offset
		if len(e.Value) > len("number ")+maxNumberInMessage {
			wantMsg = "json: cannot unmarshal " + e.Value[:len("number ")+maxNumberInMessage] + "... into Go value of type float64"
		}
	default:
		return fmt.Sprintf("encoding/json error of unexpected type %T: %v", werr, werr)
	}
	if !errors.Is(gerr, wantKind) || de.Msg != wantMsg || gerr.Error() != wantMsg || de.Offset != wantOffset {
		return fmt.Sprintf("error %v (%q at %d), encoding/json %q at %d", de.Err, de.Msg, de.Offset, wantMsg, wantOffset)
	}
	return ""
}

// sameBits reports where two equal values hold float64s with different
// bits (reflect.DeepEqual says -0 == 0).
func sameBits(a, b any, path string) string {
	switch x := a.(type) {
	case float64:
		if math.Float64bits(x) != math.Float64bits(b.(float64)) {
			return path
		}
	case []any:
		for i := range x {
			if p := sameBits(x[i], b.([]any)[i], fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case map[string]any:
		for k := range x {
			if p := sameBits(x[k], b.(map[string]any)[k], path+"."+k); p != "" {
				return p
			}
		}
	}
	return ""
}

// trickyInputs are the inputs where a JSON decoder can go wrong; every
// test below and the fuzz seeds use them.
var trickyInputs = []string{
	// Scalars and white space.
	`null`, `true`, `false`, `0`, `-0`, `-0.0`, `0e0`, `-0e-0`, `1`, `-1`, ` 1 `, "\t\r\n 1\n", `1.5`, `-1.5e3`,
	`1E+2`, `1e-2`, `123456789012345`, `1234567890123456`, `-999999999999999`, `9007199254740993`,
	`12345678901234567890123`, `0.1`, `1023`, `1024`, `255`, `-255`,
	`1e308`, `1.7976931348623157e308`, `1.7976931348623159e308`, `1e309`, `1e400`, `-1e400`, `1e-400`,
	`4.9e-324`, `2.4e-324`, `0.` + strings.Repeat("0", 400) + `1`, `1` + strings.Repeat("0", 400),
	`[1e400, 2]`, `{"a": 1e999}`, `[1e400, 1e500]`, `[1e400, x]`, `[1e400`, `1e` + strings.Repeat("9", 100),
	`""`, `"a"`, `"héllo"`, `"日本語"`, `"\u00e9"`, `"\u00E9"`, `"\/\\\"\b\f\n\r\t"`, `"\u0000"`,
	`"\ud83d\ude00"`, `"\uD83D\uDE00"`, `"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d"`,
	`"\ud83d\ud83d\ude00"`, `"\ude00\ud83d"`, `"a\ud83d"`, `"\ud83d\"`, `"\ud83d\\"`, `"\ud83d\n"`, `"\ufffd"`,
	`"\uffff"`, `"\uFEFF"`, `"\u2028"`, "\"\xff\"", "\"a\xffb\"", "\"\xed\xa0\x80\"", "\"\xc3\"", "\"\xc3\xa9\"",
	"\"\xe2\x82\"", "\"\xf0\x9f\x98\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xc0\xaf\"", "\"\xef\xbf\xbd\"",
	"\"\xff\\n\"", "\"\\u00e9\xff\"", `"` + strings.Repeat(`\u00e9`, 100) + `"`, `"` + strings.Repeat("\xff", 100) + `"`,
	"\"\x7f\"", "\"\t\"", "\"\n\"", "\"\x00\"", "\"\x1f\"", `"\'"`, `"\x41"`, `"\U0041"`, `"\u00g0"`, `"\u12"`,
	`"\u`, `"\u1`, `"\`, `"abc`, `"`, `"\z"`,
	// Containers.
	`[]`, `{}`, ` [ ] `, ` { } `, `[[]]`, `[{}]`, `{"a":[]}`, `{"a":{}}`, `[1,2,3]`, `[1, "a", true, null, {}, []]`,
	`{"a":1,"b":2}`, `{"a":1,"a":2}`, `{"a":1,"b":2,"a":3}`, `{"a":{"x":1},"a":[2]}`, `{"":1}`, `{"\u0061":1,"a":2}`,
	`{"a\nb":1}`, `{"\ud83d":1,"\ude00":2}`, "{\"\xff\":1,\"\xfe\":2}", `[{"id":1,"k":"v"},{"id":2,"k":"w"}]`,
	`{"a" : 1 , "b" : [ 1 , 2 ] }`, "{\n\t\"a\":\r\n1}",
	// Syntax errors, one per scanner state.
	``, ` `, `x`, `nul`, `nulx`, `nulll`, `tru`, `trUe`, `true1`, `truex`, `f`, `fals`, `falsE`, `n`, `t`,
	`-`, `-x`, `--1`, `+1`, `01`, `-01`, `00`, `1.`, `1.x`, `.5`, `1e`, `1e+`, `1ex`, `1e+x`, `1.5e`, `0x1`,
	`1a`, `Infinity`, `NaN`, `-Infinity`, `1 2`, `1,`, `[1 2]`, `[1,]`, `[,1]`, `[1,,2]`, `[`, `[1`, `[1,`,
	`]`, `}`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":1 "b":2}`,
	`{a:1}`, `{'a':1}`, `{1:1}`, `{"a"::1}`, `{"a":1}}`, `[1]]`, `[}`, `{]`, `[1}`, `{"a":1]`, `"a" "b"`,
	`{} x`, `[] x`, "1\x00", "\xef\xbb\xbf1", "\xff", "[\xff]", "1\xff", `// c`, `/* c */ 1`, `'a'`,
	"[1\x0b]", "\v1", "\f1", "1\f", `[-]`, `[1.]`, `[1e]`, `{"a":tru}`, `{"a":-}`, `["\u12"]`, `[01]`,
	`{"a":01}`, `[1true]`, `{"a":1true}`, `[0x]`, `truefalse`, `nullnull`,
}

func TestDecode_AgreesWithEncodingJSON(t *testing.T) {
	for _, in := range trickyInputs {
		if d := compareWithStdlib([]byte(in)); d != "" {
			t.Errorf("%q: %s", in, d)
		}
	}
}

// nested opens depth containers of open, around inner.
func nested(depth int, open, close, inner string) string {
	return strings.Repeat(open, depth) + inner + strings.Repeat(close, depth)
}

func TestDecode_DepthLimitAsEncodingJSON(t *testing.T) {
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"arrays at the limit", nested(MaxDepth, "[", "]", ""), true},
		{"arrays over the limit", nested(MaxDepth+1, "[", "]", ""), false},
		{"objects at the limit", nested(MaxDepth, `{"a":`, "}", "1"), true},
		{"objects over the limit", nested(MaxDepth+1, `{"a":`, "}", "1"), false},
		{"empty object over the limit", nested(MaxDepth, "[", "]", "{}"), false},
		{"mixed at the limit", nested(MaxDepth/2, `[{"k":`, "}]", "null"), true},
		{"mixed over the limit", nested(MaxDepth/2, `[{"k":`, "}]", "[]"), false},
		{"unclosed at the limit", nested(MaxDepth, "[", "", ""), false},
		{"far over the limit, truncated", strings.Repeat("[", 3*MaxDepth), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := compareWithStdlib([]byte(c.in)); d != "" {
				t.Fatal(d)
			}
			_, err := DecodeString(c.in)
			if (err == nil) != c.ok {
				t.Fatalf("error %v, want ok=%v", err, c.ok)
			}
		})
	}
	_, err := DecodeString(nested(MaxDepth+1, "[", "]", ""))
	var de *DecodeError
	if !errors.Is(err, ErrTooDeep) || !errors.As(err, &de) || de.Offset != MaxDepth+1 {
		t.Errorf("over the limit: %#v, want ErrTooDeep at offset %d", err, MaxDepth+1)
	}
}

func TestDecode_ErrorKindsAndOffsets(t *testing.T) {
	cases := []struct {
		in     string
		kind   error
		offset int64
		msg    string
	}{
		{`[1, x]`, ErrSyntax, 5, "invalid character 'x' looking for beginning of value"},
		{`{"a":1`, ErrSyntax, 6, "unexpected end of JSON input"},
		{`[1.`, ErrSyntax, 3, "invalid character ' ' after decimal point in numeric literal"},
		{`{} {}`, ErrSyntax, 4, "invalid character '{' after top-level value"},
		{`[1e400, "a"]`, ErrNumberRange, 7, "json: cannot unmarshal number 1e400 into Go value of type float64"},
		// A syntax error anywhere wins over a number out of range, as in
		// encoding/json, which checks the whole input first.
		{`[1e400, "a"`, ErrSyntax, 11, "unexpected end of JSON input"},
	}
	for _, c := range cases {
		_, err := DecodeString(c.in)
		var de *DecodeError
		if !errors.As(err, &de) || !errors.Is(err, c.kind) || de.Offset != c.offset || err.Error() != c.msg {
			t.Errorf("%q: %#v, want %v at %d: %q", c.in, err, c.kind, c.offset, c.msg)
		}
	}
}

func TestDecode_LongNumberOutOfRangeIsCutInMessage(t *testing.T) {
	in := "1" + strings.Repeat("0", 1000) + "e400"
	_, err := DecodeString(in)
	if !errors.Is(err, ErrNumberRange) || len(err.Error()) > 200 {
		t.Fatalf("error of %d bytes: %.100v", len(err.Error()), err)
	}
	if d := compareWithStdlib([]byte(in)); d != "" {
		t.Fatal(d)
	}
}

// manySmallObjects is a body like the one that ran a polling workflow out
// of memory: an array of n small objects.
func manySmallObjects(n int) []byte {
	var b strings.Builder
	b.WriteByte('[')
	statuses := []string{"pending", "running", "done", "failed"}
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"status":%q,"n":"x"}`, i+1, statuses[i%len(statuses)])
	}
	b.WriteByte(']')
	return []byte(b.String())
}

// stringHeavy is an array of n records with long text, a third of it with
// escapes and non-ASCII text.
func stringHeavy(n int) []byte {
	var b strings.Builder
	b.WriteByte('[')
	text := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 8)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		desc := text
		switch i % 3 {
		case 1:
			desc = strings.ReplaceAll(text, ". ", `.\n\"quoted\"\t`)
		case 2:
			desc = strings.ReplaceAll(text, "fox", "renard \u00e9t\u00e9 \\u00e9 \u65e5\u672c")
		}
		fmt.Fprintf(&b, `{"title":"Record number %d","description":"%s","tags":["alpha","beta","gamma"],"url":"https://example.com/records/%d"}`, i, desc, i)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

func TestDecode_LargeInputsAgree(t *testing.T) {
	for name, in := range map[string][]byte{
		"many small objects": manySmallObjects(20000),
		"string heavy":       stringHeavy(2000),
		"api response":       apiResponse(t),
		"long string":        []byte(`"` + strings.Repeat("abc\\n\xff\u00e9", 100000) + `"`),
		"long array":         []byte("[" + strings.Repeat("1.5,-0,true,null,\"s\",", 100000) + "0]"),
	} {
		if d := compareWithStdlib(in); d != "" {
			t.Errorf("%s: %s", name, d)
		}
	}
}

func TestDecode_DoesNotRetainItsArgument(t *testing.T) {
	data := []byte(`{"k":"value","a":["x"]}`)
	v, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'z'
	}
	want := map[string]any{"k": "value", "a": []any{"x"}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("after changing the input: %#v", v)
	}
}

// pointsInto reports whether s's bytes lie in the memory of in.
func pointsInto(s string, in []byte) bool {
	p, base := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.SliceData(in)))
	return len(s) > 0 && base <= p && p < base+uintptr(len(in))
}

// The strings of DecodeString's result share the input's memory: this
// saves copies, and is why a kept string keeps the whole input alive.
func TestDecodeString_StringsShareTheInput(t *testing.T) {
	in := `{"key":"value","list":["plain","esc\naped"]}`
	v, err := DecodeString(in)
	if err != nil {
		t.Fatal(err)
	}
	mem := unsafe.Slice(unsafe.StringData(in), len(in))
	m := v.(map[string]any)
	list := m["list"].([]any)
	if !pointsInto(m["key"].(string), mem) || !pointsInto(list[0].(string), mem) {
		t.Error("a string without escapes is a copy, not a substring of the input")
	}
	if pointsInto(list[1].(string), mem) {
		t.Error("a string with escapes points into the input")
	}
	for k := range m {
		if !pointsInto(k, mem) {
			t.Errorf("key %q is a copy", k)
		}
	}
}

func TestDecode_StringsDoNotShareTheArgument(t *testing.T) {
	in := []byte(`{"key":"value","list":["plain","esc\naped", "` + strings.Repeat("long ", 20) + `"]}`)
	v, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if pointsInto(x, in) {
				t.Errorf("%q points into the argument", x)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				walk(k)
				walk(e)
			}
		}
	}
	walk(v)
}

func TestDecode_KeysAndShortValuesAreInterned(t *testing.T) {
	in := `[{"a\u0062":"pending"},{"a\u0062":"pending"},{"\u0061b":"pend\u0069ng"}]`
	for name, decode := range map[string]func() (any, error){
		"Decode":       func() (any, error) { return Decode([]byte(in)) },
		"DecodeString": func() (any, error) { return DecodeString(in) },
	} {
		v, err := decode()
		if err != nil {
			t.Fatal(err)
		}
		keys, vals := map[*byte]bool{}, map[*byte]bool{}
		for _, o := range v.([]any) {
			for k, e := range o.(map[string]any) {
				keys[unsafe.StringData(k)] = true
				vals[unsafe.StringData(e.(string))] = true
			}
		}
		if len(keys) != 1 || len(vals) != 1 {
			t.Errorf("%s: %d copies of the key, %d of the value, want 1", name, len(keys), len(vals))
		}
	}
}

// allocatedBytes is how many bytes f allocates on the heap.
func allocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The requirement behind Decode: a body of many small objects must not
// cost 50 times its size. Measured against encoding/json in the same run.
func TestDecode_AllocatesLessThan20BytesPerInputByte(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a few hundred megabytes")
	}
	data := manySmallObjects(50000)
	var sink any
	ours := allocatedBytes(func() { sink, _ = Decode(data) })
	theirs := allocatedBytes(func() { _ = json.Unmarshal(data, &sink) })
	perByte := float64(ours) / float64(len(data))
	t.Logf("%d input bytes: Decode %.1f, encoding/json %.1f allocated bytes per input byte",
		len(data), perByte, float64(theirs)/float64(len(data)))
	if perByte >= 20 || ours >= theirs {
		t.Errorf("Decode allocates %.1f bytes per input byte (encoding/json %.1f)", perByte, float64(theirs)/float64(len(data)))
	}
}

// randomDocument writes a random JSON document of the data model, with
// arrays and objects of up to 60 elements (crossing the scratch stacks'
// chunks), repeated and escaped keys and strings.
func randomDocument(rng *rand.Rand, b *strings.Builder, depth int) {
	words := []string{"id", "status", "a\\u0062", "pending", "", "\\n", "é", "\\ud83d\\ude00", "k1", "k2", "long key name"}
	switch k := rng.IntN(10); {
	case depth > 0 && k < 2:
		b.WriteByte('[')
		for i := range rng.IntN(60) {
			if i > 0 {
				b.WriteString(", ")
			}
			randomDocument(rng, b, depth-1)
		}
		b.WriteByte(']')
	case depth > 0 && k < 4:
		b.WriteByte('{')
		for i := range rng.IntN(60) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, `"%s%d":`, words[rng.IntN(len(words))], rng.IntN(40))
			randomDocument(rng, b, depth-1)
		}
		b.WriteByte('}')
	case k < 6:
		fmt.Fprintf(b, `"%s"`, words[rng.IntN(len(words))])
	case k < 7:
		b.WriteString([]string{"true", "false", "null"}[rng.IntN(3)])
	default:
		b.WriteString([]string{"0", "-0", "1023", "1024", "-7", "3.25", "1e3", "-2.5E-3", "123456789012345678"}[rng.IntN(9)])
	}
}

func TestDecode_RandomDocumentsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for range 200 {
		var b strings.Builder
		randomDocument(rng, &b, 3)
		in := b.String()
		if d := compareWithStdlib([]byte(in)); d != "" {
			t.Fatalf("%.200q: %s", in, d)
		}
	}
}
