package mock

import (
	"encoding/json"
	"errors"
	"github.com/telaio/telaio/internal/testproc"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telaio/telaio/oas"
)

func petsServer(t testing.TB, opts ...Option) *httptest.Server {
	t.Helper()
	src, err := os.ReadFile("testdata/pets.openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewFromBytes(src, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

type exchange struct {
	status int
	header http.Header
	body   []byte
}

func (e exchange) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(e.body, &v); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, e.body)
	}
	return v
}

func (e exchange) errorBody(t *testing.T) ErrorResponse {
	t.Helper()
	var er ErrorResponse
	if err := json.Unmarshal(e.body, &er); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, e.body)
	}
	return er
}

const bearer = "Bearer t0ken"

// send makes a request; hdr is "Name: value" lines.
func send(t *testing.T, ts *httptest.Server, method, path, body string, hdr ...string) exchange {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hdr {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return exchange{res.StatusCode, res.Header, b}
}

func TestRouting(t *testing.T) {
	ts := petsServer(t)
	tests := []struct {
		name, method, path string
		hdr                []string
		status             int
		wantErr            string // ErrorResponse.Error
		allow              string
		contains           string
	}{
		{name: "literal before template", method: "GET", path: "/pets/mine", status: 200, contains: `"Rex"`},
		{name: "template", method: "GET", path: "/pets/3", hdr: []string{"Authorization: " + bearer}, status: 200},
		{name: "server base path", method: "GET", path: "/v1/pets/mine", status: 200},
		{name: "trailing slash", method: "GET", path: "/pets/mine/", status: 200},
		{name: "mixed segment", method: "GET", path: "/files/readme.md", status: 200, contains: "hello"},
		{name: "mixed segment bad enum", method: "GET", path: "/files/readme.doc", status: 400, wantErr: "bad_request"},
		{name: "escaped segment", method: "GET", path: "/owners/a%2Fb/pets", hdr: []string{"Authorization: " + bearer}, status: 200, contains: `"ownerId":"a/b"`},
		{name: "unknown path", method: "GET", path: "/nope", status: 404, wantErr: "not_found"},
		{name: "unknown under base path", method: "GET", path: "/v1/nope", status: 404, wantErr: "not_found"},
		{name: "too many segments", method: "GET", path: "/pets/1/2", status: 404, wantErr: "not_found"},
		{name: "wrong method", method: "PATCH", path: "/pets/3", status: 405, wantErr: "method_not_allowed", allow: "DELETE, GET"},
		{name: "wrong method literal", method: "DELETE", path: "/pets", status: 405, allow: "GET, POST"},
		{name: "head falls back to get", method: "HEAD", path: "/pets/mine", status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := send(t, ts, tt.method, tt.path, "", tt.hdr...)
			if e.status != tt.status {
				t.Fatalf("status %d, want %d: %s", e.status, tt.status, e.body)
			}
			if tt.wantErr != "" {
				if got := e.errorBody(t).Error; got != tt.wantErr {
					t.Errorf("error %q, want %q", got, tt.wantErr)
				}
			}
			if got := e.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			if !strings.Contains(string(e.body), tt.contains) {
				t.Errorf("body %s does not contain %s", e.body, tt.contains)
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	ts := petsServer(t)
	auth := "Authorization: " + bearer
	json := "Content-Type: application/json"
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		want                     []Problem // compared ignoring Message
	}{
		{name: "missing required query", method: "GET", path: "/pets", hdr: []string{auth},
			want: []Problem{{In: "query", Name: "limit"}}},
		{name: "query not an integer", method: "GET", path: "/pets?limit=ten", hdr: []string{auth},
			want: []Problem{{In: "query", Name: "limit"}}},
		{name: "query out of range", method: "GET", path: "/pets?limit=1000", hdr: []string{auth},
			want: []Problem{{In: "query", Name: "limit"}}},
		{name: "every problem listed", method: "GET", path: "/pets?limit=0&tags=cat&tags=bird&verbose=maybe&filter[age]=old",
			hdr: []string{auth, "X-Trace: 1, x", "Cookie: session=ab"},
			want: []Problem{
				{In: "query", Name: "limit"}, {In: "query", Name: "tags", Pointer: "/1"},
				{In: "query", Name: "filter", Pointer: "/age"}, {In: "header", Name: "X-Trace", Pointer: "/1"},
				{In: "cookie", Name: "session"}, {In: "query", Name: "verbose"},
			}},
		{name: "path parameter type", method: "GET", path: "/pets/zero", hdr: []string{auth},
			want: []Problem{{In: "path", Name: "petId"}}},
		{name: "body missing", method: "POST", path: "/pets", hdr: []string{auth},
			want: []Problem{{In: "body"}}},
		{name: "content type not declared", method: "POST", path: "/pets", body: "name=x", hdr: []string{auth, "Content-Type: text/plain"},
			want: []Problem{{In: "header", Name: "Content-Type"}}},
		{name: "no content type", method: "POST", path: "/pets", body: "{}", hdr: []string{auth},
			want: []Problem{{In: "header", Name: "Content-Type"}}},
		{name: "invalid JSON", method: "POST", path: "/pets", body: "{", hdr: []string{auth, json},
			want: []Problem{{In: "body"}}},
		{name: "trailing data", method: "POST", path: "/pets", body: "{} {}", hdr: []string{auth, json},
			want: []Problem{{In: "body"}}},
		{name: "body schema", method: "POST", path: "/pets", body: `{"name":"","species":"bird","age":-1,"extra":1,"owner":"nobody"}`,
			hdr: []string{auth, json},
			want: []Problem{
				{In: "body", Pointer: "/extra"}, {In: "body", Pointer: "/age"}, {In: "body", Pointer: "/name"},
				{In: "body", Pointer: "/owner"}, {In: "body", Pointer: "/species"},
			}},
		{name: "form body", method: "POST", path: "/pets", body: "name=Tom&species=cow&age=x",
			hdr:  []string{auth, "Content-Type: application/x-www-form-urlencoded"},
			want: []Problem{{In: "body", Pointer: "/age"}, {In: "body", Pointer: "/species"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := send(t, ts, tt.method, tt.path, tt.body, tt.hdr...)
			if e.status != 400 {
				t.Fatalf("status %d, want 400: %s", e.status, e.body)
			}
			er := e.errorBody(t)
			if er.Error != "bad_request" {
				t.Errorf("error %q", er.Error)
			}
			var got []Problem
			for _, p := range er.Details {
				if p.Message == "" {
					t.Errorf("problem without message: %+v", p)
				}
				p.Message = ""
				got = append(got, p)
			}
			if !sameProblems(got, tt.want) {
				t.Errorf("details\n got %+v\nwant %+v\n%s", got, tt.want, e.body)
			}
		})
	}
}

// sameProblems compares as sets (a location may carry several messages).
func sameProblems(got, want []Problem) bool {
	set := func(ps []Problem) map[Problem]bool {
		m := map[Problem]bool{}
		for _, p := range ps {
			m[p] = true
		}
		return m
	}
	return reflect.DeepEqual(set(got), set(want))
}

func TestValidRequests(t *testing.T) {
	ts := petsServer(t)
	auth := "Authorization: " + bearer
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
	}{
		{"query styles", "GET", "/pets?limit=5&tags=cat&tags=dog&filter[age]=3&verbose=true", "",
			[]string{auth, "X-Trace: 1, 2", "Cookie: session=abc"}, 200},
		{"json body", "POST", "/pets", `{"name":"Tom","species":"cat","age":null}`,
			[]string{auth, "Content-Type: application/json; charset=utf-8"}, 201},
		{"form body", "POST", "/pets", "name=Tom&species=cat&age=3",
			[]string{auth, "Content-Type: application/x-www-form-urlencoded"}, 201},
		{"no content", "DELETE", "/pets/1", "", []string{"X-API-Key: k"}, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := send(t, ts, tt.method, tt.path, tt.body, tt.hdr...)
			if e.status != tt.status {
				t.Fatalf("status %d, want %d: %s", e.status, tt.status, e.body)
			}
		})
	}
}

func TestSecurity(t *testing.T) {
	ts := petsServer(t)
	tests := []struct {
		name, method, path string
		hdr                []string
		status             int
		challenge          string
	}{
		{"document requirement: missing", "GET", "/pets/1", nil, 401, `Bearer realm="mock"`},
		{"document requirement: wrong scheme", "GET", "/pets/1", []string{"Authorization: Basic dTpw"}, 401, `Bearer realm="mock"`},
		{"document requirement: empty token", "GET", "/pets/1", []string{"Authorization: Bearer "}, 401, `Bearer realm="mock"`},
		{"document requirement: present", "GET", "/pets/1", []string{"Authorization: " + bearer}, 200, ""},
		{"operation opts out", "GET", "/pets/mine", nil, 200, ""},
		{"alternatives: none", "DELETE", "/pets/1", nil, 401, `Basic realm="mock"`},
		{"alternatives: api key", "DELETE", "/pets/1", []string{"X-API-Key: k"}, 204, ""},
		{"alternatives: basic", "DELETE", "/pets/1", []string{"Authorization: Basic dTpw"}, 204, ""},
		{"basic without colon", "DELETE", "/pets/1", []string{"Authorization: Basic dXNlcg=="}, 401, `Basic realm="mock"`},
		{"401 before 400", "GET", "/pets/zero", nil, 401, `Bearer realm="mock"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := send(t, ts, tt.method, tt.path, "", tt.hdr...)
			if e.status != tt.status {
				t.Fatalf("status %d, want %d: %s", e.status, tt.status, e.body)
			}
			if got := e.header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			if tt.status == 401 {
				er := e.errorBody(t)
				if er.Error != "unauthorized" || len(er.Details) == 0 {
					t.Errorf("error body %s", e.body)
				}
			}
		})
	}
	t.Run("WithRequireAuth(false)", func(t *testing.T) {
		ts := petsServer(t, WithRequireAuth(false))
		if e := send(t, ts, "GET", "/pets/1", ""); e.status != 200 {
			t.Errorf("status %d: %s", e.status, e.body)
		}
	})
}

const openDoc = `openapi: 3.0.3
info: {title: open, version: "1"}
paths:
  /x:
    get:
      responses:
        "200": {description: ok}
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: key}
    basic: {type: http, scheme: basic}
`

func TestAssumeSecurity(t *testing.T) {
	for _, tt := range []struct {
		name   string
		doc    string
		opts   []Option
		path   string
		hdr    []string
		status int
	}{
		{"assumed by default", openDoc, nil, "/x", nil, 401},
		{"any one scheme: api key", openDoc, nil, "/x?key=1", nil, 200},
		{"any one scheme: basic", openDoc, nil, "/x", []string{"Authorization: Basic dTpw"}, 200},
		{"turned off", openDoc, []Option{WithAssumeSecurity(false)}, "/x", nil, 200},
		{"root security: [] is a requirement", openDoc + "security: []\n", nil, "/x", nil, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewFromBytes([]byte(tt.doc), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(s)
			defer ts.Close()
			if e := send(t, ts, "GET", tt.path, "", tt.hdr...); e.status != tt.status {
				t.Errorf("status %d, want %d: %s", e.status, tt.status, e.body)
			}
		})
	}
	t.Run("stytch needs basic", func(t *testing.T) {
		ts := httptest.NewServer(stytch(t))
		defer ts.Close()
		e := send(t, ts, "GET", "/v1/b2b/organizations/org-1", "")
		if e.status != 401 || e.header.Get("WWW-Authenticate") != `Basic realm="mock"` {
			t.Errorf("status %d %v: %s", e.status, e.header, e.body)
		}
	})
}

func TestResponses(t *testing.T) {
	ts := petsServer(t)
	auth := "Authorization: " + bearer
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		want                     string // exact body
		ctype                    string
	}{
		{"media example", "GET", "/pets/mine", "", nil, 200, `[{"id":7,"name":"Rex","species":"dog"}]`, "application/json"},
		{"first named example", "GET", "/pets/1", "", []string{auth}, 200, `{"id":1,"name":"Rex","species":"dog"}`, "application/json"},
		{"Prefer example", "GET", "/pets/1", "", []string{auth, "Prefer: example=tom"}, 200, `{"id":2,"name":"Tom","species":"cat"}`, "application/json"},
		{"Prefer unknown example", "GET", "/pets/1", "", []string{auth, "Prefer: example=nope"}, 200, `{"id":1,"name":"Rex","species":"dog"}`, "application/json"},
		{"Prefer code and example", "POST", "/pets", `{"name":"a","species":"cat"}`,
			[]string{auth, "Content-Type: application/json", `Prefer: code=400, example="badSpecies"`}, 400, `{"code":2,"message":"unknown species"}`, "application/json"},
		{"Prefer code via default", "GET", "/pets/1", "", []string{auth, "Prefer: code=503"}, 503, "", "application/json"},
		{"Prefer undeclared code", "GET", "/pets/mine", "", []string{"Prefer: code=418"}, 200, `[{"id":7,"name":"Rex","species":"dog"}]`, "application/json"},
		{"text example", "GET", "/files/a.txt", "", nil, 200, "hello", "text/plain"},
		{"no content", "DELETE", "/pets/1", "", []string{"X-API-Key: k"}, 204, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := send(t, ts, tt.method, tt.path, tt.body, tt.hdr...)
			if e.status != tt.status {
				t.Fatalf("status %d, want %d: %s", e.status, tt.status, e.body)
			}
			if tt.want != "" && string(e.body) != tt.want {
				t.Errorf("body %s, want %s", e.body, tt.want)
			}
			if got := e.header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
		})
	}
	t.Run("synthesized body and headers", func(t *testing.T) {
		e := send(t, ts, "GET", "/pets?limit=1", "", auth)
		if e.status != 200 {
			t.Fatalf("status %d: %s", e.status, e.body)
		}
		if got := e.header.Get("X-Rate-Limit"); got != "10" {
			t.Errorf("X-Rate-Limit %q", got)
		}
		if got := e.header.Get("X-Next"); got != "cursor-2" {
			t.Errorf("X-Next %q", got)
		}
		list, ok := e.json(t).([]any)
		if !ok || len(list) == 0 {
			t.Fatalf("body %s", e.body)
		}
		pet := list[0].(map[string]any)
		for _, k := range []string{"id", "name", "species", "age", "born"} {
			if _, ok := pet[k]; !ok {
				t.Errorf("property %s missing in %s", k, e.body)
			}
		}
		if _, ok := pet["secret"]; ok {
			t.Errorf("writeOnly property in a response: %s", e.body)
		}
	})
}

func TestEcho(t *testing.T) {
	ts := petsServer(t)
	auth := "Authorization: " + bearer
	t.Run("path parameter", func(t *testing.T) {
		e := send(t, ts, "GET", "/owners/own-42/pets", "", auth)
		v := e.json(t).(map[string]any)
		if v["ownerId"] != "own-42" {
			t.Errorf("ownerId not echoed: %s", e.body)
		}
	})
	t.Run("body property", func(t *testing.T) {
		e := send(t, ts, "POST", "/pets", `{"name":"Felix","species":"cat"}`, auth, "Content-Type: application/json")
		v := e.json(t).(map[string]any)
		if v["name"] != "Felix" || v["species"] != "cat" {
			t.Errorf("body not echoed: %s", e.body)
		}
	})
	t.Run("invalid echo reverted", func(t *testing.T) {
		e := send(t, ts, "GET", "/owners/not-a-uuid", "", auth)
		v := e.json(t).(map[string]any)
		if v["uuid"] == "not-a-uuid" {
			t.Errorf("echo broke format uuid: %s", e.body)
		}
		e2 := send(t, ts, "GET", "/owners/123e4567-e89b-42d3-a456-426614174000", "", auth)
		if v := e2.json(t).(map[string]any); v["uuid"] != "123e4567-e89b-42d3-a456-426614174000" {
			t.Errorf("valid uuid not echoed: %s", e2.body)
		}
	})
	t.Run("WithEcho(false)", func(t *testing.T) {
		ts := petsServer(t, WithEcho(false))
		e := send(t, ts, "GET", "/owners/own-42/pets", "", auth)
		if v := e.json(t).(map[string]any); v["ownerId"] == "own-42" {
			t.Errorf("echoed: %s", e.body)
		}
	})
}

func TestDeterminism(t *testing.T) {
	get := func(ts *httptest.Server) string {
		return string(send(t, ts, "GET", "/pets?limit=1", "", "Authorization: "+bearer).body)
	}
	a, b := petsServer(t), petsServer(t)
	first := get(a)
	if again := get(a); again != first {
		t.Errorf("same server differs:\n%s\n%s", first, again)
	}
	// A different request order on the other server must not matter.
	send(t, b, "GET", "/owners/x/pets", "", "Authorization: "+bearer)
	if other := get(b); other != first {
		t.Errorf("second server differs:\n%s\n%s", first, other)
	}
	if seeded := get(petsServer(t, WithSeed(42))); seeded == first {
		t.Errorf("WithSeed(42) gave the same body as seed 0: %s", seeded)
	}
}

func TestBodyLimit(t *testing.T) {
	ts := petsServer(t, WithMaxBodyBytes(10))
	e := send(t, ts, "POST", "/pets", `{"name":"Felix","species":"cat"}`, "Authorization: "+bearer, "Content-Type: application/json")
	if e.status != 413 || e.errorBody(t).Error != "payload_too_large" {
		t.Errorf("status %d: %s", e.status, e.body)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(nil); !errors.Is(err, ErrNoModel) {
		t.Errorf("nil document: %v", err)
	}
	if _, err := NewFromBytes([]byte("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n")); !errors.Is(err, ErrNoModel) {
		t.Errorf("swagger 2: %v", err)
	}
	if _, err := NewFromBytes([]byte("not: [an openapi")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestBrokenRefs(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: broken, version: "1"}
paths:
  /a:
    parameters:
      - $ref: "#/components/parameters/missing"
    get:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Missing"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Missing"}
  /b:
    $ref: "#/components/pathItems/missing"
`
	s, err := NewFromBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	// Any answer but a panic (500 mock_failure) is fine.
	for _, p := range []string{"/a", "/b"} {
		e := send(t, ts, "GET", p, `{}`, "Content-Type: application/json")
		if e.status == 500 && strings.Contains(string(e.body), "panic") {
			t.Errorf("%s: %s", p, e.body)
		}
	}
}

func TestRoutesList(t *testing.T) {
	ts := petsServer(t)
	s := ts.Config.Handler.(*Server)
	var got []string
	for _, r := range s.Routes() {
		got = append(got, r.Method+" "+r.Path+" "+r.OperationID)
	}
	want := []string{
		"GET /files/{name}.{ext} getFile", "GET /owners/{ownerId}/pets ownerPets", "GET /owners/{uuid} getOwner",
		"GET /pets listPets", "POST /pets createPet", "GET /pets/mine myPets", "GET /pets/{petId} getPet",
		"DELETE /pets/{petId} deletePet",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes\n got %q\nwant %q", got, want)
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := stytch(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ops := s.ops
	if testing.Short() {
		ops = ops[:10]
	}
	// Build the requests first (the helper synthesizes with the renderer).
	type pending struct {
		op  *operation
		req func() *http.Request
	}
	var reqs []pending
	for _, op := range ops {
		proto := validRequest(t, s, op, ts.URL)
		var body []byte
		if proto.Body != nil {
			body, _ = io.ReadAll(proto.Body)
		}
		reqs = append(reqs, pending{op, func() *http.Request {
			r := proto.Clone(proto.Context())
			if body != nil {
				r.Body = io.NopCloser(strings.NewReader(string(body)))
			}
			return r
		}})
	}
	results := make([][]string, 4)
	var wg sync.WaitGroup
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range reqs {
				res, err := ts.Client().Do(p.req())
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				results[g] = append(results[g], string(b))
			}
		}()
	}
	wg.Wait()
	for g := 1; g < len(results); g++ {
		if !reflect.DeepEqual(results[g], results[0]) {
			t.Fatalf("goroutine %d saw different bodies", g)
		}
	}
}

// TestStytchWorkflowEcho walks the bundled SMS OTP workflow's two calls:
// the ids a workflow sends come back where its outputs read them.
func TestStytchWorkflowEcho(t *testing.T) {
	ts := httptest.NewServer(stytch(t))
	defer ts.Close()
	basic := "Authorization: Basic cHJvamVjdC10ZXN0OnNlY3JldA=="
	ct := "Content-Type: application/json"
	e := send(t, ts, "POST", "/v1/b2b/otps/sms/send",
		`{"organization_id":"organization-test-1","member_id":"member-test-2","mfa_phone_number":"+15555550100"}`, basic, ct)
	if e.status != 200 {
		t.Fatalf("send: %d %s", e.status, e.body)
	}
	if v := e.json(t).(map[string]any); v["member_id"] != "member-test-2" {
		t.Errorf("send: member_id %v", v["member_id"])
	}
	e = send(t, ts, "POST", "/v1/b2b/otps/sms/authenticate",
		`{"organization_id":"organization-test-1","member_id":"member-test-2","code":"123456"}`, basic, ct)
	if e.status != 200 {
		t.Fatalf("authenticate: %d %s", e.status, e.body)
	}
	v := e.json(t).(map[string]any)
	org, _ := v["organization"].(map[string]any)
	if v["member_id"] != "member-test-2" || org["organization_id"] != "organization-test-1" || v["session_token"] == nil {
		t.Errorf("authenticate: %s", e.body)
	}
	// A null for an optional string property is a schema violation.
	e = send(t, ts, "POST", "/v1/b2b/otps/sms/send",
		`{"organization_id":"o","member_id":"m","mfa_phone_number":null}`, basic, ct)
	if e.status != 400 {
		t.Errorf("null optional property: %d %s", e.status, e.body)
	}
}

// TestRequestLog pins the WithRequestLog format: one line per request,
// method, path without the query, status and duration.
func TestRequestLog(t *testing.T) {
	var buf testproc.Buffer
	ts := petsServer(t, WithRequestLog(&buf))
	send(t, ts, "GET", "/v1/pets/mine?secret=1", "")
	send(t, ts, "GET", "/pets/1", "")
	send(t, ts, "PUT", "/nope", "")
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := []string{`GET /v1/pets/mine 200 `, `GET /pets/1 401 `, `PUT /nope 404 `}
	if len(lines) != len(want) {
		t.Fatalf("log:\n%s", buf.String())
	}
	for i, l := range lines {
		rest, ok := strings.CutPrefix(l, want[i])
		if _, err := time.ParseDuration(rest); !ok || err != nil {
			t.Errorf("line %q, want %q followed by a duration", l, want[i])
		}
	}
	t.Run("off by default", func(t *testing.T) {
		s, err := NewFromBytes([]byte(openDoc))
		if err != nil {
			t.Fatal(err)
		}
		if s.cfg.reqLog != nil {
			t.Error("a request log by default")
		}
	})
}

const errorsDoc = `openapi: 3.1.0
info: {title: errors, version: "1"}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Strict:
      type: object
      additionalProperties: false
      required: [code, message]
      properties:
        code: {type: integer}
        message: {type: string}
security: [{key: []}]
paths:
  /problem:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
      responses:
        "201": {description: ok}
        "4XX":
          description: bad
          content:
            application/problem+json:
              schema: {type: object, properties: {title: {type: string}, status: {type: integer}}}
  /strict:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
      responses:
        "201": {description: ok}
        default:
          description: error
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Strict"}
  /bare:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
      responses:
        "201": {description: ok}
`

// TestOwnErrorsUseDeclaredResponse pins issue 14: the mock's own 400 and
// 401 use the operation's declared response for the status (exact, range,
// default): its JSON media type and a body valid against its schema,
// problem details for application/problem+json; without one, the
// ErrorResponse.
func TestOwnErrorsUseDeclaredResponse(t *testing.T) {
	doc, err := oas.Load([]byte(errorsDoc), "errors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(doc)
	if err != nil {
		t.Fatal(err)
	}
	c := newContract(t, doc)
	ts := httptest.NewServer(s)
	defer ts.Close()
	key := "X-Key: k"
	ct := "Content-Type: application/json"
	for _, tt := range []struct {
		name, path string
		hdr        []string
		status     int
		ctype      string
		want       string // a fragment of the body
	}{
		{"problem details", "/problem", []string{key, ct}, 400, "application/problem+json", `"title":"Bad Request"`},
		{"problem details carry the details", "/problem", []string{key, ct}, 400, "application/problem+json", `"details":[{"in":"body"`},
		{"problem details for 401", "/problem", []string{ct}, 401, "application/problem+json", `"status":401`},
		{"strict schema: the message written in", "/strict", []string{key, ct}, 400, "application/json", `"message":"the request does not match the operation POST /strict: body: missing required property \"name\""`},
		{"strict schema: the status as code", "/strict", []string{key, ct}, 400, "application/json", `"code":400`},
		{"nothing declared", "/bare", []string{key, ct}, 400, "application/json", `"error":"bad_request"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := send(t, ts, "POST", tt.path, `{"other":1}`, tt.hdr...)
			if e.status != tt.status || e.header.Get("Content-Type") != tt.ctype || !strings.Contains(string(e.body), tt.want) {
				t.Fatalf("got %d %q %s, want %d %q with %s", e.status, e.header.Get("Content-Type"), e.body, tt.status, tt.ctype, tt.want)
			}
			op, err := doc.OperationByPointer("/paths/~1" + tt.path[1:] + "/post")
			if err != nil {
				t.Fatal(err)
			}
			if tt.path != "/bare" {
				if vs := c.violations(op, e.status, e.header, e.body); len(vs) > 0 {
					t.Errorf("contract violations: %v", vs)
				}
			}
		})
	}
}

// TestPartialDocumentServesItsOperations pins the decision for a subset
// from the plan cache (oas.Document.Partial): it is served as it is, its
// operations only, without reading the whole description.
func TestPartialDocumentServesItsOperations(t *testing.T) {
	src, err := os.ReadFile("testdata/pets.openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	whole, err := oas.Load(src, "pets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	op, err := whole.OperationByID("getPet")
	if err != nil {
		t.Fatal(err)
	}
	entry, err := whole.Subset([]*oas.Operation{op})
	if err != nil {
		t.Fatal(err)
	}
	read := func() ([]byte, error) { t.Error("the whole description was read"); return src, nil }
	part, err := oas.LoadSubsetFunc(entry, read, "pets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(part)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Routes(); len(r) != 1 || r[0].OperationID != "getPet" {
		t.Errorf("routes %v", r)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	if e := send(t, ts, "GET", "/v1/pets/1", "", "Authorization: "+bearer); e.status != 200 {
		t.Errorf("getPet: %d %s", e.status, e.body)
	}
	if e := send(t, ts, "GET", "/pets/1", "", "Authorization: "+bearer, "Prefer: code=500"); e.status != 500 {
		t.Errorf("getPet default: %d %s", e.status, e.body)
	}
	if e := send(t, ts, "GET", "/pets?limit=1", "", "Authorization: "+bearer); e.status != 404 {
		t.Errorf("listPets: %d %s", e.status, e.body)
	}
}

// TestEchoKeepsTheBodyValid pins that an echo is left out when the echoed
// body as a whole would no longer validate, although each string does
// (here two items of a uniqueItems array would become equal): the sites
// are taken in order while the body stays valid.
func TestEchoKeepsTheBodyValid(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: echo, version: "1"}
paths:
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, list]
                properties:
                  id: {type: string}
                  list:
                    type: array
                    minItems: 2
                    uniqueItems: true
                    items: {type: object, required: [id], properties: {id: {type: string}}}
`
	checkDoc(t, doc)
	s, err := NewFromBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	e := send(t, ts, "GET", "/things/t-1", "")
	v := e.json(t).(map[string]any)
	if e.status != 200 || v["id"] != "t-1" {
		t.Errorf("%d %s", e.status, e.body)
	}
	list := v["list"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["id"] != "t-1" || list[1].(map[string]any)["id"] == "t-1" {
		t.Errorf("body %s", e.body)
	}
}
