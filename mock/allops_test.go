package mock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/telaio/telaio/specs"
)

var (
	stytchOnce sync.Once
	stytchSrc  []byte
	stytchSrv  *Server
	stytchErr  error
)

// stytch builds the Stytch mock once per test binary (it is immutable).
func stytch(t testing.TB) *Server {
	t.Helper()
	stytchOnce.Do(func() {
		stytchSrc, stytchErr = specs.FS.ReadFile(specs.StytchOpenAPI)
		if stytchErr == nil {
			stytchSrv, stytchErr = NewFromBytes(stytchSrc)
		}
	})
	if stytchErr != nil {
		t.Fatal(stytchErr)
	}
	return stytchSrv
}

// validRequest builds a request for op that the mock must accept: path,
// query and header parameters and the body are synthesized from their
// schemas, and basic credentials are attached.
func validRequest(t *testing.T, s *Server, op *operation, base string) *http.Request {
	t.Helper()
	path := op.path
	q := url.Values{}
	hdr := http.Header{}
	for _, p := range op.params {
		if !p.required && p.in != "path" {
			continue
		}
		var str string
		if p.schema != nil {
			v, err := s.synthesize(p.schema, "req "+op.path+p.name, dirRequest)
			if err != nil {
				t.Fatalf("%s: param %s: %v", opName(op), p.name, err)
			}
			str = headerText(v)
			if p.content != "" && isJSON(p.content) {
				b, _ := json.Marshal(v)
				str = string(b)
			}
		} else {
			str = "x"
		}
		switch p.in {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.name+"}", url.PathEscape(str))
		case "query":
			q.Set(p.name, str)
		case "header":
			hdr.Set(p.name, str)
		}
	}
	var body io.Reader
	if op.body != nil && len(op.body.media) > 0 {
		bm := op.body.media[0]
		for _, m := range op.body.media {
			if m.name == "application/json" {
				bm = m
			}
		}
		switch {
		case bm.schema != nil && bm.name == "application/x-www-form-urlencoded":
			v, err := s.synthesize(bm.schema, "req body "+op.path, dirRequest)
			if err != nil {
				t.Fatalf("%s: body: %v", opName(op), err)
			}
			form := url.Values{}
			for k, e := range v.(map[string]any) {
				form.Set(k, headerText(e))
			}
			body = strings.NewReader(form.Encode())
			hdr.Set("Content-Type", bm.name)
		case bm.schema != nil && isJSON(bm.name):
			v, err := s.synthesize(bm.schema, "req body "+op.path, dirRequest)
			if err != nil {
				t.Fatalf("%s: body: %v", opName(op), err)
			}
			b, _ := json.Marshal(v)
			body = bytes.NewReader(b)
			hdr.Set("Content-Type", bm.name)
		}
	}
	u := base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(op.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if len(op.security) > 0 {
		for _, c := range op.security[0] {
			switch c.kind {
			case "basic":
				req.SetBasicAuth("project-test-1", "secret-test-1")
			case "bearer":
				req.Header.Set("Authorization", "Bearer tok")
			case "http":
				req.Header.Set("Authorization", c.auth+" x")
			case "apiKey":
				switch c.in {
				case "header":
					req.Header.Set(c.name, "key")
				case "query":
					qq := req.URL.Query()
					qq.Set(c.name, "key")
					req.URL.RawQuery = qq.Encode()
				case "cookie":
					req.AddCookie(&http.Cookie{Name: c.name, Value: "key"})
				}
			}
		}
	}
	return req
}

// unsatisfiable lists operations whose request schema no value can
// satisfy, with the reason.
var unsatisfiable = map[string]string{
	"Token":          "FAPI-PAR: the 200 oneOf alternatives accept the same values (neither forbids additional properties)",
	"createCustomer": "bnpl: allOf adds a property to CustomerProperties, which has additionalProperties: false",
}

// exerciseAll sends a valid request to every operation of s and checks the
// answer is its success response with a body valid against its schema.
func exerciseAll(t *testing.T, s *Server) {
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, op := range s.ops {
		t.Run(opName(op), func(t *testing.T) {
			req := validRequest(t, s, op, ts.URL)
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if op.success == nil {
				return
			}
			if why, ok := unsatisfiable[op.id]; ok && op.id == "createCustomer" {
				if res.StatusCode != http.StatusBadRequest {
					t.Errorf("status %d, want 400 (%s)", res.StatusCode, why)
				}
				return
			}
			if res.StatusCode != op.success.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, op.success.status, b)
			}
			m := pickMedia(op.success.media, "")
			if m == nil {
				return
			}
			if !isJSON(m.name) {
				return
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("response is not JSON: %v: %s", err, b)
			}
			chk := s.responseChecker(m)
			if chk == nil {
				if m.schema != nil {
					t.Fatalf("no response checker for %s", m.name)
				}
				return
			}
			checked.Add(1)
			if vs := chk.check(v); len(vs) > 0 {
				if why, ok := unsatisfiable[op.id]; ok {
					t.Logf("invalid as expected (%s): %v", why, vs)
					return
				}
				t.Errorf("synthesized %s body is invalid: %v\n%s", m.name, vs, b)
			}
		})
	}
}

var checked atomic.Int64

func TestStytchAllOperations(t *testing.T) {
	s := stytch(t)
	checked.Store(0)
	defer func() { t.Logf("%d response bodies validated", checked.Load()) }()
	if len(s.ops) != 97 {
		t.Errorf("routes: %d, want 97", len(s.ops))
	}
	exerciseAll(t, s)
}

func TestExampleDescriptions(t *testing.T) {
	files, _ := filepath.Glob("testdata/*openapi.yaml")
	if len(files) == 0 {
		t.Skip("no shared examples")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewFromBytes(src)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.ops) == 0 {
				t.Fatal("no operations")
			}
			exerciseAll(t, s)
		})
	}
}
