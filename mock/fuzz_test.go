package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FuzzServeHTTP sends arbitrary requests to the pets mock: whatever the
// method, target, headers and body, the mock must answer without panicking
// (a recovered panic would be a 500 mock_failure).
func FuzzServeHTTP(f *testing.F) {
	src, err := os.ReadFile("testdata/pets.openapi.yaml")
	if err != nil {
		f.Fatal(err)
	}
	s, err := NewFromBytes(src, WithMaxBodyBytes(1<<16))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest("GET", "http://127.0.0.1"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		if method != "" && !strings.ContainsAny(method, " \t\r\n") {
			req.Method = method
		}
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("500 for %s %s: %s", req.Method, target, w.Body)
		}
	})
}

// FuzzSynthesis builds a body for an arbitrary response schema (JSON
// text, with components for $refs to reach): whatever the schema, the
// mock must answer without panicking, and within its budgets.
func FuzzSynthesis(f *testing.F) {
	for _, s := range []string{
		`{"type":"object","required":["a"],"properties":{"a":{"$ref":"#/components/schemas/A"}}}`,
		`{"oneOf":[{"const":1},{"type":"string","pattern":"^[a-z]{2,}\\d+$"}],"discriminator":{"propertyName":"k"}}`,
		`{"type":"array","minItems":3,"uniqueItems":true,"items":{"enum":[1,2]}}`,
		`{"allOf":[{"$ref":"#/components/schemas/A"},{"additionalProperties":false,"minProperties":4}]}`,
		`{"type":"string","pattern":"(a|b)*c{3,5}[^x-z]?","minLength":7,"maxLength":9,"format":"uuid"}`,
		`{"type":["integer","null"],"exclusiveMinimum":1.5,"maximum":1.7,"multipleOf":0.1}`,
		`{"$ref":"#/components/schemas/A","nullable":true}`,
		`false`,
		`{"oneOf":[true,{"$ref":"#/components/schemas/A"},false],"anyOf":[1]}`,
	} {
		f.Add("3.1.0", s)
		f.Add("3.0.3", s)
	}
	f.Fuzz(func(t *testing.T, version, sch string) {
		if !json.Valid([]byte(sch)) || len(sch) > 4096 {
			return
		}
		doc := `{"openapi":` + strconv.Quote(version) + `,"info":{"title":"f","version":"1"},
"paths":{"/x":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":` + sch + `}}}}}}},
"components":{"schemas":{"A":{"type":"object","properties":{"self":{"$ref":"#/components/schemas/A"},"b":` + sch + `}}}}}`
		s, err := NewFromBytes([]byte(doc))
		if err != nil {
			return
		}
		op := s.prepare(s.ops[0])
		m := op.success.media[0]
		for _, a := range attempts {
			g := newGen(s.sd, dirResponse, 1, a, DefaultSynthNodes, DefaultSynthDepth)
			g.value([]any{m.schema}, 0, false, nil)
			if g.nodes > hardNodes+1 {
				t.Fatalf("%d nodes", g.nodes)
			}
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
		if w.Code == http.StatusInternalServerError && strings.Contains(w.Body.String(), "runtime error") {
			t.Fatalf("panic: %s", w.Body)
		}
	})
}
