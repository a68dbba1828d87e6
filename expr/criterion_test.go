package expr

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// critMemo is a critResolver with a Memoizer that counts builds.
type critMemo struct {
	critResolver
	mu     sync.Mutex
	memo   map[any]any
	builds int
}

func (m *critMemo) Memo(key any, build func() (any, error)) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.memo[key]; ok {
		return v, nil
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	if m.memo == nil {
		m.memo = map[any]any{}
	}
	m.memo[key] = v
	m.builds++
	return v, nil
}

var _ Memoizer = (*critMemo)(nil)

func TestCriterionTypes(t *testing.T) {
	tests := []struct {
		spec CriterionSpec
		msg  string // "" = ok
	}{
		{CriterionSpec{Condition: "true"}, ""},
		{CriterionSpec{Condition: "true", Type: "simple"}, ""},
		{CriterionSpec{Condition: "true", Type: "simple", Context: "$response.body"}, ""},
		{CriterionSpec{Condition: "^2", Type: "regex", Context: "$statusCode"}, ""},
		{CriterionSpec{Condition: "$.a", Type: "jsonpath", Context: "$response.body"}, ""},
		{CriterionSpec{Condition: "$.a", Type: "jsonpath", Version: "draft-goessner-dispatch-jsonpath-00", Context: "$response.body"}, ""},
		{CriterionSpec{Condition: "/a", Type: "xpath", Context: "$response.body"}, ""},
		{CriterionSpec{Condition: "/a", Type: "xpath", Version: "xpath-30", Context: "$response.body"}, ""},
		{CriterionSpec{Condition: "/a", Type: "xpath", Version: "xpath-20", Context: "$response.body"}, ""},
		{CriterionSpec{Condition: "/a", Type: "xpath", Version: "xpath-10", Context: "$response.body"}, ""},
		{CriterionSpec{Condition: "true", Type: "Simple"}, `unknown criterion type "Simple": types are lower-case (simple)`},
		{CriterionSpec{Condition: "true", Type: "javascript"}, `unknown criterion type "javascript": the allowed types are simple, regex, jsonpath and xpath`},
		{CriterionSpec{Condition: "$.a", Type: "jsonpath", Version: "rfc9535", Context: "$response.body"}, `jsonpath version "rfc9535" is Arazzo 1.1`},
		{CriterionSpec{Condition: "$.a", Type: "jsonpath", Version: "goessner", Context: "$response.body"}, `unknown jsonpath version "goessner": the only allowed version is draft-goessner-dispatch-jsonpath-00`},
		{CriterionSpec{Condition: "/a", Type: "xpath", Version: "xpath-31", Context: "$response.body"}, `xpath version "xpath-31" is Arazzo 1.1`},
		{CriterionSpec{Condition: "/a", Type: "xpath", Version: "3.0", Context: "$response.body"}, `unknown xpath version "3.0": the allowed versions are xpath-30, xpath-20 and xpath-10`},
		{CriterionSpec{Condition: "/a", Type: "xpath", Version: "draft-goessner-dispatch-jsonpath-00", Context: "$response.body"}, `unknown xpath version`},
		{CriterionSpec{Condition: "x", Type: "regex", Version: "xpath-10", Context: "$response.body"}, `a regex criterion takes no version`},
		{CriterionSpec{Condition: "true", Version: "xpath-10"}, `a simple criterion takes no version`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.spec.Type, tt.spec.Version), func(t *testing.T) {
			_, err := CompileCriterion(tt.spec)
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var te *CriterionTypeError
			if !errors.As(err, &te) || !strings.Contains(te.Error(), tt.msg) {
				t.Fatalf("error = %v, want a *CriterionTypeError containing %q", err, tt.msg)
			}
		})
	}
}

func TestCriterionContext(t *testing.T) {
	for _, typ := range []string{"regex", "jsonpath", "xpath"} {
		_, err := CompileCriterion(CriterionSpec{Condition: "x", Type: typ})
		var ce *ContextError
		if !errors.As(err, &ce) || !strings.Contains(ce.Error(), "a "+typ+" criterion needs a context") {
			t.Errorf("%s without context: %v", typ, err)
		}
	}
	_, err := CompileCriterion(CriterionSpec{Condition: "x", Type: "regex", Context: "$response.body.x"})
	var ce *ContextError
	if !errors.As(err, &ce) || ce.Offset != 14 || ce.Context != "$response.body.x" {
		t.Fatalf("error = %#v", err)
	}
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 14 {
		t.Fatalf("ContextError does not wrap the *SyntaxError: %v", err)
	}
	if _, err := CompileCriterion(CriterionSpec{Condition: "x", Type: "regex", Context: "{$response.body}"}); !errors.As(err, &ce) {
		t.Fatalf("braced context: %v", err)
	}
}

func TestCriterionExprsAndString(t *testing.T) {
	c, err := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200 && $response.body.a[0] == $inputs.x", Context: "$url"})
	if err != nil {
		t.Fatal(err)
	}
	var raws []string
	for _, e := range c.Exprs() {
		raws = append(raws, e.Raw)
	}
	if got := strings.Join(raws, " "); got != "$statusCode $response.body $inputs.x $url" {
		t.Fatalf("Exprs = %s", got)
	}
	if c.Type() != "simple" || c.Spec().Context != "$url" {
		t.Fatal("Type/Spec")
	}
	for _, tt := range []struct {
		spec CriterionSpec
		want string
	}{
		{CriterionSpec{Condition: "$statusCode == 200"}, "$statusCode == 200"},
		{CriterionSpec{Condition: "^200$", Type: "regex", Context: "$statusCode"}, "regex $statusCode: ^200$"},
		{CriterionSpec{Condition: "$.a", Type: "jsonpath", Version: VersionGoessnerJSONPath, Context: "$response.body"}, "jsonpath (draft-goessner-dispatch-jsonpath-00) $response.body: $.a"},
	} {
		c, err := CompileCriterion(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if c.String() != tt.want {
			t.Errorf("String = %q, want %q", c.String(), tt.want)
		}
		if n := len(c.Exprs()); tt.spec.Type != "" && (n != 1 || c.Exprs()[0].Raw != tt.spec.Context) {
			t.Errorf("Exprs of %s = %v", tt.want, c.Exprs())
		}
	}
}

func TestCriterionRegex(t *testing.T) {
	r := &critResolver{
		status: 200.0,
		body:   critJSON(t, `{"message":"Pet added","id":12,"ok":true,"list":[1,"a"]}`),
		headers: map[string]any{
			"Location": "/pets/12",
		},
	}
	tests := []struct {
		ctx, cond string
		want      bool
	}{
		{"$statusCode", "^200$", true},
		{"$statusCode", "^20", true},
		{"$statusCode", "^201$", false},
		{"$statusCode", "0", true},
		{"$response.header.Location", `^/pets/\d+$`, true},
		{"$response.header.location", `pets`, true},
		{"$response.header.Missing", `.*`, false},
		{"$response.body#/message", "added", true},
		{"$response.body#/message", "^added", false},
		{"$response.body#/message", "(?i)^PET", true},
		{"$response.body#/ok", "^true$", true},
		{"$response.body#/id", `^\d+$`, true},
		{"$response.body#/list", `^\[1,"a"\]$`, true},
		{"$response.body", `"id":12`, true},
		{"$response.body#/nothere", `.*`, false},
	}
	for _, tt := range tests {
		t.Run(tt.ctx+" "+tt.cond, func(t *testing.T) {
			c, err := CompileCriterion(CriterionSpec{Condition: tt.cond, Context: tt.ctx, Type: "regex"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Eval(r)
			if err != nil || got != tt.want {
				t.Fatalf("Eval = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	c, _ := CompileCriterion(CriterionSpec{Condition: "^ab", Context: "$response.body", Type: "regex"})
	if got, err := c.Eval(&critResolver{body: []byte("abc")}); !got || err != nil {
		t.Fatalf("[]byte context: %v %v", got, err)
	}
	for _, tt := range []struct{ cond, msg string }{
		{"a(b", "missing closing ): a(b"},
		{"(?<=a)b", "(lookaround assertions are not supported by RE2)"},
		{"(?!a)b", "(lookaround assertions are not supported by RE2)"},
		{`(a)\1`, "(backreferences are not supported by RE2)"},
		{"a**", "invalid nested repetition operator: **"},
	} {
		_, err := CompileCriterion(CriterionSpec{Condition: tt.cond, Context: "$statusCode", Type: "regex"})
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%s: error = %v, want %q", tt.cond, err, tt.msg)
		}
	}
	_, err := CompileCriterion(CriterionSpec{Condition: "ab(c", Context: "$statusCode", Type: "regex"})
	var se *SyntaxError
	if errors.As(err, &se); se == nil || se.Offset != 0 {
		t.Fatalf("offset: %v", err)
	}
	_, err = CompileCriterion(CriterionSpec{Condition: "abc[", Context: "$statusCode", Type: "regex"})
	if errors.As(err, &se); se == nil || se.Offset != 3 {
		t.Fatalf("offset: %+v", se)
	}
}

const petsJSON = `{"pets":[{"id":1,"name":"Rex","tag":"dog","age":3},{"id":2,"name":"Tom","tag":"cat","age":1.5}],
	"count":2,"status":"OK","results":[1,2,3],"empty":[],"name":"abc","meta":{"length":7},"obj":{"a":1,"b":2},"nil":null,
	"access_token":"t"}`

func TestCriterionJSONPath(t *testing.T) {
	r := &critResolver{body: critJSON(t, petsJSON)}
	tests := []struct {
		cond, version string
		want          bool
	}{
		{"$.pets", "", true},
		{"$.nothere", "", false},
		{"$.pets[?@.tag == 'dog']", "", true},
		{"$.pets[?@.tag == 'fish']", "", false},
		{"$.pets[?@.age > 2]", "", true},
		{"$.pets[?@.age == 1.5]", "", true},
		{"$.pets[?@.id == 2]", "", true},
		{"$.pets[?@.id == 2.0]", "", true},
		// Filters run over the children of the root, and an absent member
		// compared with != null is true (RFC 9535), so the oauth example
		// condition holds for any non-empty object.
		{"$[?@.access_token != null]", "", true},
		{"$[?@.access_token == null]", "", false},
		{"$[?@ == 'OK']", "", true},
		{"$.empty[*]", "", false},
		{"$.nil", "", true}, // a node holding null is still a node
		{"$..name", "", true},
		{"$.pets[?count(@.*) > 3]", "", true},
		{"$.pets[?length(@.name) == 3]", "", true},
		{"$.pets[?match(@.name, 'R.*')]", "", true},
		{"$[?count(@.pets) > 0]", "", false}, // spec example: nothing, @ runs over the members of the body
		{"$.pets[0].name", VersionGoessnerJSONPath, true},
		{"$.pets[?(@.tag == 'cat')]", VersionGoessnerJSONPath, true},
		// The comparison form of the Goessner dialect.
		{"$.results.length > 0", VersionGoessnerJSONPath, true},
		{"$.results.length == 3", VersionGoessnerJSONPath, true},
		{"$.empty.length > 0", VersionGoessnerJSONPath, false},
		{"$.empty.length == 0", VersionGoessnerJSONPath, true},
		{"$.name.length == 3", VersionGoessnerJSONPath, true},
		{"$.obj.length == 2", VersionGoessnerJSONPath, true},
		{"$.meta.length == 7", VersionGoessnerJSONPath, true},
		{"$.nothere.length > 0", VersionGoessnerJSONPath, false},
		{"$.nothere.length == null", VersionGoessnerJSONPath, true},
		{"$.status == 'ok'", VersionGoessnerJSONPath, true},
		{`$.status == "OK"`, VersionGoessnerJSONPath, true},
		{"$.status != 'ok'", VersionGoessnerJSONPath, false},
		{"$.count >= 2", VersionGoessnerJSONPath, true},
		{"$.count == '2'", VersionGoessnerJSONPath, true},
		{"$.count < 2", VersionGoessnerJSONPath, false},
		{"$.count <= 2", VersionGoessnerJSONPath, true},
		{"$.nil == null", VersionGoessnerJSONPath, true},
		{"$.pets[0].age>2", VersionGoessnerJSONPath, true},
		{"$.pets[?(@.age > 2)].name == 'rex'", VersionGoessnerJSONPath, true},
		{"$.pets[1] == 1", VersionGoessnerJSONPath, false},
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.cond, func(t *testing.T) {
			c, err := CompileCriterion(CriterionSpec{Condition: tt.cond, Context: "$response.body", Type: "jsonpath", Version: tt.version})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Eval(r)
			if err != nil || got != tt.want {
				t.Fatalf("Eval = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	// The spec's example selects the body when the body is wrapped in an array.
	c, _ := CompileCriterion(CriterionSpec{Condition: "$[?count(@.pets) > 0]", Context: "$inputs.wrapped", Type: "jsonpath"})
	got, err := c.Eval(&critResolver{inputs: map[string]any{"wrapped": []any{critJSON(t, petsJSON)}}})
	if !got || err != nil {
		t.Fatalf("wrapped: %v %v", got, err)
	}
}

func TestCriterionJSONPathContexts(t *testing.T) {
	c, err := CompileCriterion(CriterionSpec{Condition: "$[?@ > 1]", Context: "$response.body", Type: "jsonpath"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		body any
		want bool
		err  string
	}{
		{[]any{1.0, 2.0}, true, ""},
		{[]any{1, int64(2)}, true, ""},
		{[]int{0, 5}, true, ""},
		{map[string]int{"a": 5}, true, ""},
		{[]byte(`[0, 3]`), true, ""},
		{[]byte(`[0, 1]`), false, ""},
		{[]byte(`{`), false, "context is not JSON"},
		{nil, false, ""},
		{"text", false, ""},
		{5.0, false, ""},
		{make(chan int), false, "is not JSON data"},
	} {
		got, err := c.Eval(&critResolver{body: tt.body})
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("body %v: Eval = %v, %v; want %v, %q", tt.body, got, err, tt.want, tt.err)
		}
	}
	// Absent context fails without an error.
	c, _ = CompileCriterion(CriterionSpec{Condition: "$", Context: "$inputs.none", Type: "jsonpath"})
	if got, err := c.Eval(&critResolver{}); got || err != nil {
		t.Fatalf("absent: %v %v", got, err)
	}
}

func TestCriterionJSONPathErrors(t *testing.T) {
	tests := []struct {
		cond, version string
		off           int
		msg           string
	}{
		{"$.a[", "", 4, "invalid JSONPath query: unmatched ["},
		{"foo", "", 0, "invalid JSONPath query: expected '$'"},
		{"$.results.length > 0", "", 17, "a comparison outside a filter is not RFC 9535"},
		{"$.status == 'ok'", "", 9, "a comparison outside a filter is not RFC 9535"},
		{"$.a\n.b[", "", 7, "invalid JSONPath query"},
		{"$.status = 'ok'", VersionGoessnerJSONPath, 9, `"=" is not a comparison operator`},
		{"$.status === 'ok'", VersionGoessnerJSONPath, 9, `"===" is not a comparison operator: use ==`},
		{"== 'ok'", VersionGoessnerJSONPath, 0, "a JSONPath query is expected before =="},
		{"$.status == ", VersionGoessnerJSONPath, 12, "a literal (number, 'string', true, false or null) is expected"},
		{"$.status == $.other", VersionGoessnerJSONPath, 12, "a literal (number, 'string', true, false or null) is expected"},
		{"$.status == 'a' || true", VersionGoessnerJSONPath, 12, "only a literal"},
		{`$.status == "a`, VersionGoessnerJSONPath, 12, "invalid double-quoted string"},
		{"  $.a.. == 1", VersionGoessnerJSONPath, 6, "invalid JSONPath query"},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			_, err := CompileCriterion(CriterionSpec{Condition: tt.cond, Context: "$response.body", Type: "jsonpath", Version: tt.version})
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset != tt.off || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("error = %v, want offset %d %q", err, tt.off, tt.msg)
			}
		})
	}
	c, _ := CompileCriterion(CriterionSpec{Condition: "$.pets[*].id == 1", Context: "$response.body", Type: "jsonpath", Version: VersionGoessnerJSONPath})
	got, err := c.Eval(&critResolver{body: critJSON(t, petsJSON)})
	if got || err == nil || !strings.Contains(err.Error(), "the query selects 2 nodes") {
		t.Fatalf("Eval = %v, %v", got, err)
	}
}

func TestCriterionJSONPathMemoAndLimit(t *testing.T) {
	body := critJSON(t, petsJSON)
	r := &critMemo{critResolver: critResolver{body: body}}
	a, _ := CompileCriterion(CriterionSpec{Condition: "$.pets[?@.tag == 'dog']", Context: "$response.body", Type: "jsonpath"})
	b, _ := CompileCriterion(CriterionSpec{Condition: "$.count", Context: "$response.body", Type: "jsonpath"})
	for i := 0; i < 3; i++ {
		for _, c := range []*Criterion{a, b} {
			if got, err := c.Eval(r); !got || err != nil {
				t.Fatalf("Eval = %v, %v", got, err)
			}
		}
	}
	if r.builds != 1 {
		t.Fatalf("the context was converted %d times, want once", r.builds)
	}
	small, _ := CompileCriterion(CriterionSpec{Condition: "$.count", Context: "$response.body", Type: "jsonpath"}, MaxContextNodes(10))
	if got, err := small.Eval(r); got || limitCode(err) != CodeContextTooLarge || !strings.Contains(err.Error(), "more than the limit of 10") {
		t.Fatalf("limit with memo: %v %v", got, err)
	}
	if got, err := small.Eval(&critResolver{body: body}); got || limitCode(err) != CodeContextTooLarge || !strings.Contains(err.Error(), "more than 10 JSON values") {
		t.Fatalf("limit: %v %v", got, err)
	}
	// A self-referencing value stops at the limit.
	loop := map[string]any{}
	loop["self"] = loop
	if got, err := b.Eval(&critResolver{body: loop}); got || err == nil {
		t.Fatalf("cycle: %v %v", got, err)
	}
}

const petsXML = `<?xml version="1.0"?>
<pets count="2">
  <pet id="1"><name>Rex</name><tag>dog</tag><age>3</age></pet>
  <pet id="2"><name>Tom</name><tag>cat</tag><age>1.5</age></pet>
  <status>OK</status>
</pets>`

func TestCriterionXPath(t *testing.T) {
	r := &critResolver{body: petsXML}
	tests := []struct {
		cond, version string
		want          bool
	}{
		{"/pets/pet", "", true},
		{"/pets/fish", "", false},
		{"/pets/pet[tag = 'dog']", "", true},
		{"/pets/pet[tag = 'fish']", "", false},
		{"count(/pets/pet) = 2", "", true},
		{"count(/pets/pet) > 2", "", false},
		{"count(//pet)", "", true},
		{"count(//fish)", "", false},
		{"/pets/@count = 2", "", true},
		{"/pets/status = 'OK'", "", true},
		{"string(/pets/status)", "", true},
		{"string(/pets/nothing)", "", false},
		{"boolean(/pets/pet[@id = '2'])", "", true},
		{"sum(//age) > 4", "", true},
		{"sum(//age) div 2 = 2.25", "", true},
		{"//pet[age > 2]/name = 'Rex'", "", true},
		{"not(//pet[age > 5])", "", true},
		{"/pets/pet[1]/name = 'Rex' and /pets/pet[last()]/name = 'Tom'", "", true},
		{"/pets/pet[position() = 2]/name = 'Tom'", "", true},
		{"contains(/pets/status, 'O') or false()", "", true},
		{"starts-with(//pet[2]/name, 'T')", "", true},
		{"concat(//pet[1]/name, '-', //pet[2]/name) = 'Rex-Tom'", "", true},
		{"translate(/pets/status, 'OK', 'ok') = 'ok'", "", true},
		{"normalize-space('  a  b ') = 'a b'", "", true},
		{"substring(/pets/status, 2) = 'K'", "", true},
		{"string-length(/pets/status) = 2", "", true},
		{"floor(1.5) = 1 and ceiling(1.5) = 2 and round(1.5) = 2", "", true},
		{"number('x') = number('x')", "", false},
		{"0", "", false},
		{"-1", "", true},
		{"''", "", false},
		{"'x'", "", true},
		{"lower-case(/pets/status) = 'ok'", "", true},
		{"ends-with(//pet[1]/name, 'ex')", "xpath-20", true},
		{"string-join(//name, ',') = 'Rex,Tom'", "xpath-30", true},
		{"/pets/pet | /pets/status", "xpath-10", true},
		{"1 = 1 = 1", "xpath-10", true},
		{"'abc' < 'abd'", "xpath-10", false}, // XPath 1.0 compares numbers: NaN < NaN
		{"true() = 1", "xpath-10", true},
		{"//pet[tag='cat']/following-sibling::status", "", true},
		{"//name[text() = 'Tom']/parent::pet/@id = 2", "", true},
		{"count(/pets/pet/ancestor-or-self::*) = 3", "", true},
		{"//*[local-name() = 'tag'][. = 'cat']", "", true},
		{"/descendant::pet[2]/child::name = 'Tom'", "", true},
		{"(//pet)[2]/name = 'Tom'", "", true},
		{"//pet[2]/name/../tag = 'cat'", "", true},
		{"/pets/comment()", "", false},
		{"/pets/node()", "", true},
		{"/pets/pet[-1 < 0]", "", true},
		{"/", "", true},
		{"2 * 3 = 6 and 7 mod 2 = 1", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.cond, func(t *testing.T) {
			c, err := CompileCriterion(CriterionSpec{Condition: tt.cond, Context: "$response.body", Type: "xpath", Version: tt.version})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Eval(r)
			if err != nil || got != tt.want {
				t.Fatalf("Eval = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestCriterionXPathRejects(t *testing.T) {
	const v2 = "is XPath 2.0+ syntax, which the XPath 1.0 engine cannot evaluate"
	tests := []struct {
		cond, version string
		off           int
		msg           string
	}{
		{"/a/b eq 'x'", "", 5, `the value comparison "eq" (use "=") ` + v2},
		{"/a/b ne 'x'", "xpath-30", 5, `"ne"`},
		{"/a/b lt 1", "", 5, `"lt"`},
		{"/a/b ge 1", "", 5, `"ge"`},
		{"/a/b eq 'x'", "xpath-10", 5, `the value comparison "eq" (use "=") is not XPath 1.0`},
		{"every $x in /a/b satisfies $x = 'x'", "", 0, "a quantified expression (\"every ... satisfies\") " + v2},
		{"some $x in /a/b satisfies $x = 'x'", "", 0, "a quantified expression (\"some ... satisfies\")"},
		{"for $x in /a/b return $x", "xpath-20", 0, "a for expression"},
		{"let $x := 1 return $x", "", 7, "a let binding"},
		{"if (/a) then 1 else 0", "", 0, "an if expression"},
		{"/a/b instance of element()", "", 5, `"instance of"`},
		{"/a/b treat as node()", "", 5, `"treat as"`},
		{"/a/c castable as xs:integer", "", 5, `"castable as"`},
		{"/a/c cast as xs:integer", "", 5, `"cast as"`},
		{"'a' || 'b'", "", 4, `the string concatenation operator "||"`},
		{"/a/b ! string()", "", 5, `the simple map operator "!"`},
		{"/a/b => count()", "", 5, `the arrow operator "=>"`},
		{"1 to 3", "", 2, `the range expression "to"`},
		{"/a/b union /a/c", "", 5, `"union" (use "|")`},
		{"/a/b intersect /a/c", "", 5, `"intersect"`},
		{"/a/b except /a/c", "", 5, `"except"`},
		{"/a/b is /a/b", "", 5, `the node comparison "is"`},
		{"/a/b << /a/c", "", 5, `the node order comparison "<<"`},
		{"4 idiv 2", "", 2, `"idiv"`},
		{"(1, 2)", "", 2, `a sequence "(a, b)"`},
		{"()", "", 0, `the empty sequence "()"`},
		{"/a[. = 1], 2", "", 9, "a sequence"},
		{"(: note :) /a", "", 0, "a comment"},
		{"1e3 > 1", "", 0, "a number with an exponent"},
		{"'it''s' = /a", "", 3, "a doubled quote inside a string literal"},
		{"/a/element()", "", 3, "the kind test element()"},
		{"element(a)", "", 0, "the kind test element()"},
		{"/a/b = 1 = 1", "", 9, "comparisons do not chain in XPath 2.0+"},
		{"1 = '1'", "", 2, "comparing values of different types (string, number, boolean) is a type error in XPath 2.0+"},
		{"string(/a) != 1", "xpath-20", 11, "comparing values of different types"},
		{"true() = 1", "", 7, "comparing values of different types"},
		{"/a = (1 = 1) = 2", "xpath-10", -1, ""},
		{"'a' + 1 = 1", "", 4, "arithmetic on a string or boolean is a type error in XPath 2.0+"},
		{"-'a'", "", 0, "arithmetic on a string or boolean"},
		{"boolean(/a) * 2", "", 12, "arithmetic on a string or boolean"},
		{"'abc' < 'abd'", "", 6, `"<" compares strings in XPath 2.0+ but numbers in XPath 1.0 unless one side is a number`},
		{"/a/x >= /a/y", "xpath-30", 5, `">=" compares strings in XPath 2.0+`},
		{"/a/x > 'm'", "", 5, `">" compares strings`},
		{"/a/x > number(/a/y)", "", -1, ""},
		{"count(/a) > count(/b) + 1", "", -1, ""},
		{"/a/x > 1", "", -1, ""},
		{"'abc' < 'abd'", "xpath-10", -1, ""},
		{"fn:count(/a) = 1", "", 0, `the namespace prefix "fn:"`},
		{"map { 'a': 1 }", "", 4, "a map, array or function constructor"},
		{"[1, 2]", "", 0, `an array constructor "[...]"`},
		{"/a?b", "", 2, `the lookup operator "?"`},
		{"count#1", "", 5, "a named function reference"},
		{"./a[1]", "", -1, ""},
		{".[1]", "", 1, `a predicate after "." or ".."`},
		{"ends-with('ab', 'b')", "xpath-10", 0, "ends-with() is not an XPath 1.0 function"},
		{"upper-case('a') = 'A'", "", 0, "the function upper-case() is not supported"},
		{"id('x')", "", 0, "the XPath 1.0 function id() is not supported by the XPath engine"},
		{"lang('en')", "", 0, "lang() is not supported"},
		{"count() = 1", "", 0, "count() takes 1 argument(s), not 0"},
		{"concat('a')", "", 0, "concat() takes at least 2 argument(s), not 1"},
		{"substring('a')", "", 0, "substring() takes 2 to 3 argument(s)"},
		{"$x", "", 0, "variable references such as $x are not supported"},
		{"/a/b)", "", 4, `unexpected ")"`},
		{"/a/b foo", "", 5, `unexpected "foo"`},
		{"/a/b[", "", 5, "unexpected end of the XPath expression"},
		{"/a/b[]", "", 5, "empty predicate"},
		{"/a/", "", 3, "expected a node test"},
		{"//", "", 2, "expected a node test"},
		{"'abc", "", 0, "unterminated string literal"},
		{"/a/b = ", "", 7, "unexpected end of the XPath expression: expected an operand"},
		{"foo::a", "", 0, `unknown axis "foo"`},
		{"/a/foo()", "", 6, `"foo()" is not a node test`},
		{"count(/a", "", 8, `expected "," or ")"`},
		{"/a \x01", "", 3, "unexpected character"},
		{"(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))", "", 32, "nested too deeply"},
		{"count(/a/b, 1)", "", 0, "count() takes 1 argument(s), not 2"},
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.cond, func(t *testing.T) {
			_, err := CompileCriterion(CriterionSpec{Condition: tt.cond, Context: "$response.body", Type: "xpath", Version: tt.version})
			if tt.off < 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset != tt.off || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("error = %v, want offset %d %q", err, tt.off, tt.msg)
			}
		})
	}
}

func TestCriterionXPathContexts(t *testing.T) {
	c, err := CompileCriterion(CriterionSpec{Condition: "/a", Context: "$response.body", Type: "xpath"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		body any
		want bool
		err  string
	}{
		{"<a/>", true, ""},
		{[]byte("<a>x</a>"), true, ""},
		{"<b/>", false, ""},
		{nil, false, ""},
		{map[string]any{"a": 1.0}, false, "needs an XML context (a string or bytes), but the context value is a JSON object"},
		{[]any{}, false, "is a JSON array"},
		{5.0, false, "is a number"},
		{true, false, "is a boolean"},
		{`{"a": 1}`, false, "not well-formed XML"},
		{"<a><b></a>", false, "not well-formed XML"},
		{"", false, "not well-formed XML"},
	} {
		got, err := c.Eval(&critResolver{body: tt.body})
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("body %v: Eval = %v, %v; want %v, %q", tt.body, got, err, tt.want, tt.err)
		}
	}
	r := &critMemo{critResolver: critResolver{body: petsXML}}
	for i := 0; i < 3; i++ {
		if got, err := c.Eval(r); got || err != nil {
			t.Fatal(got, err)
		}
	}
	if r.builds != 1 {
		t.Fatalf("parsed %d times, want once", r.builds)
	}
	small, _ := CompileCriterion(CriterionSpec{Condition: "/pets", Context: "$response.body", Type: "xpath"}, MaxContextNodes(5))
	if got, err := small.Eval(r); got || limitCode(err) != CodeContextTooLarge || !strings.Contains(err.Error(), "more than the limit of 5") {
		t.Fatalf("limit: %v %v", got, err)
	}
}

// TestCriterionConcurrent evaluates shared criteria from many goroutines
// (run with -race).
func TestCriterionConcurrent(t *testing.T) {
	specs := []CriterionSpec{
		{Condition: "$statusCode == 200 && $response.body#/count >= 2"},
		{Condition: "^2", Context: "$statusCode", Type: "regex"},
		{Condition: "$.pets[?@.tag == 'dog']", Context: "$response.body#/inner", Type: "jsonpath"},
		{Condition: "$.pets.length == 2", Context: "$response.body#/inner", Type: "jsonpath", Version: VersionGoessnerJSONPath},
		{Condition: "count(//pet[age > 1]) = 2", Context: "$response.body#/xml", Type: "xpath"},
	}
	var cs []*Criterion
	for _, s := range specs {
		c, err := CompileCriterion(s)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	body := map[string]any{"count": 2.0, "inner": critJSON(t, petsJSON), "xml": petsXML}
	shared := &critMemo{critResolver: critResolver{status: 200.0, body: body}}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var r Resolver = shared
			if g%2 == 0 {
				r = &critResolver{status: 200.0, body: body}
			}
			for i := 0; i < 50; i++ {
				for _, c := range cs {
					if got, err := c.Eval(r); !got || err != nil {
						t.Errorf("%s: %v %v", c, got, err)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
}

// critStatic is a resolver over already-decoded values that does not
// allocate.
type critStatic struct {
	status any
	body   any
}

func (r critStatic) Lookup(e *Expr) (any, bool) {
	switch e.Kind {
	case KindStatusCode:
		return r.status, true
	case KindResponseBody:
		return r.body, true
	}
	return nil, false
}

func TestCriterionSimpleAllocs(t *testing.T) {
	if critRace {
		t.Skip("sync.Pool drops items under the race detector")
	}
	c, err := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200 && $response.body#/ok == true"})
	if err != nil {
		t.Fatal(err)
	}
	r := Resolver(critStatic{status: any(404.0), body: any(map[string]any{"ok": true})})
	for _, status := range []any{200.0, 404.0} {
		r = critStatic{status: status, body: map[string]any{"ok": true}}
		want := status == 200.0
		allocs := testing.AllocsPerRun(200, func() {
			got, err := c.Eval(r)
			if err != nil || got != want {
				t.Fatalf("Eval = %v, %v", got, err)
			}
		})
		if allocs != 0 {
			t.Fatalf("Eval allocates %v times per run, want 0", allocs)
		}
	}
}

func BenchmarkCriterionSimple(b *testing.B) {
	c, err := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200 && $response.body#/ok == true"})
	if err != nil {
		b.Fatal(err)
	}
	r := Resolver(critStatic{status: 200.0, body: map[string]any{"ok": true}})
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := c.Eval(r); !ok {
			b.Fatal("false")
		}
	}
}

func BenchmarkCriterionSimpleParallel(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200 && $response.body#/ok == true"})
	r := Resolver(critStatic{status: 200.0, body: map[string]any{"ok": true}})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Eval(r)
		}
	})
}

func BenchmarkCompileCriterionSimple(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200 && $response.body#/ok == true"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCriterionJSONPath(b *testing.B) {
	body := critJSON(b, petsJSON)
	c, _ := CompileCriterion(CriterionSpec{Condition: "$.pets[?@.tag == 'dog']", Context: "$response.body", Type: "jsonpath"})
	b.Run("memo", func(b *testing.B) {
		r := &critMemo{critResolver: critResolver{body: body}}
		b.ReportAllocs()
		for b.Loop() {
			c.Eval(r)
		}
	})
	b.Run("convert", func(b *testing.B) {
		r := &critResolver{body: body}
		b.ReportAllocs()
		for b.Loop() {
			c.Eval(r)
		}
	})
}

func BenchmarkCriterionXPath(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Condition: "//pet[tag = 'dog']", Context: "$response.body", Type: "xpath"})
	b.Run("memo", func(b *testing.B) {
		r := &critMemo{critResolver: critResolver{body: petsXML}}
		b.ReportAllocs()
		for b.Loop() {
			c.Eval(r)
		}
	})
	b.Run("parse", func(b *testing.B) {
		r := &critResolver{body: petsXML}
		b.ReportAllocs()
		for b.Loop() {
			c.Eval(r)
		}
	})
}

func BenchmarkCriterionRegex(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Condition: "^2\\d\\d$", Context: "$statusCode", Type: "regex"})
	r := &critResolver{status: 200.0}
	b.ReportAllocs()
	for b.Loop() {
		c.Eval(r)
	}
}
