package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/telaio/telaio/oas"
	"github.com/telaio/telaio/schema"
	"github.com/telaio/telaio/specs"
)

var (
	stytchOnce sync.Once
	stytchDoc  *oas.Document
	stytchSrv  *Server
	stytchErr  error
)

// stytch builds the Stytch mock once per test binary (it is immutable).
func stytch(t testing.TB) *Server {
	t.Helper()
	stytchOnce.Do(func() {
		var src []byte
		src, stytchErr = specs.FS.ReadFile(specs.StytchOpenAPI)
		if stytchErr == nil {
			stytchDoc, stytchErr = oas.Load(src, specs.StytchOpenAPI)
		}
		if stytchErr == nil {
			stytchSrv, stytchErr = New(stytchDoc)
		}
	})
	if stytchErr != nil {
		t.Fatal(stytchErr)
	}
	return stytchSrv
}

// synthRequest synthesizes a value for a request schema, checked against
// the compiled schema like the mock's own bodies.
func synthRequest(t testing.TB, s *Server, ptr, key string) any {
	t.Helper()
	v, _, err := s.synthesize(ptr, key, dirRequest, s.compile(ptr, dirRequest))
	if err != nil {
		t.Fatalf("%s: %v", ptr, err)
	}
	return v
}

// validRequest builds a request for op that the mock must accept: path,
// query and header parameters and the body are synthesized from their
// schemas, and credentials of the first security alternative are attached
// (an OAuth2 client credentials token is fetched from the mock's token
// endpoint).
func validRequest(t testing.TB, s *Server, op *operation, base string) *http.Request {
	t.Helper()
	s.prepare(op)
	path := op.path
	q := url.Values{}
	hdr := http.Header{}
	var cookies []*http.Cookie
	for _, p := range op.params {
		if !p.required && p.in != "path" {
			continue
		}
		str := "x"
		if p.ptr != "" {
			v := synthRequest(t, s, p.ptr, "req "+op.path+" "+p.name)
			str = headerText(v)
			if p.content != "" && isJSON(p.content) {
				b, _ := json.Marshal(v)
				str = string(b)
			}
			if obj, ok := v.(map[string]any); ok && p.in == "query" && p.content == "" && (p.style == "deepObject" || p.explode) {
				for _, k := range sortedKeys(obj) {
					name := k
					if p.style == "deepObject" {
						name = p.name + "[" + k + "]"
					}
					q.Set(name, headerText(obj[k]))
				}
				continue
			}
			if list, ok := v.([]any); ok && p.in == "query" && p.style == "form" && p.explode {
				for _, e := range list {
					q.Add(p.name, headerText(e))
				}
				continue
			}
		}
		switch p.in {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.name+"}", url.PathEscape(str))
		case "query":
			q.Set(p.name, str)
		case "header":
			hdr.Set(p.name, str)
		case "cookie":
			cookies = append(cookies, &http.Cookie{Name: p.name, Value: url.QueryEscape(str)})
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
		case bm.ptr != "" && bm.name == "application/x-www-form-urlencoded":
			v := synthRequest(t, s, bm.ptr, "req body "+op.path)
			form := url.Values{}
			obj, _ := v.(map[string]any)
			for k, e := range obj {
				if list, ok := e.([]any); ok {
					for _, x := range list {
						form.Add(k, headerText(x))
					}
					continue
				}
				form.Set(k, headerText(e))
			}
			body = strings.NewReader(form.Encode())
			hdr.Set("Content-Type", bm.name)
		case bm.ptr != "" && isJSON(bm.name):
			v := synthRequest(t, s, bm.ptr, "req body "+op.path)
			b, _ := json.Marshal(v)
			body = bytes.NewReader(b)
			ct := bm.name
			if strings.Contains(ct, "*") {
				ct = "application/json"
			}
			hdr.Set("Content-Type", ct)
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
	for _, c := range cookies {
		req.AddCookie(c)
	}
	if len(op.security) > 0 {
		for _, c := range op.security[0] {
			sc := s.doc.SecuritySchemes[c.scheme]
			switch c.kind {
			case "basic":
				req.SetBasicAuth("project-test-1", "secret-test-1")
			case "bearer":
				tok := PlaceholderToken
				if sc != nil && sc.TokenURL != "" {
					tok = fetchToken(t, base, sc)
				}
				req.Header.Set("Authorization", "Bearer "+tok)
			case "http":
				req.Header.Set("Authorization", c.auth+" x")
			case "apiKey":
				switch c.in {
				case "header":
					req.Header.Set(c.name, PlaceholderToken)
				case "query":
					qq := req.URL.Query()
					qq.Set(c.name, PlaceholderToken)
					req.URL.RawQuery = qq.Encode()
				case "cookie":
					req.AddCookie(&http.Cookie{Name: c.name, Value: PlaceholderToken})
				}
			}
		}
	}
	return req
}

// fetchToken gets a token from the mock's token endpoint as the executor
// does (the client credentials in HTTP Basic).
func fetchToken(t testing.TB, base string, sc *oas.SecurityScheme) string {
	t.Helper()
	u, err := url.Parse(sc.TokenURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := url.Parse(base + "/")
	req, _ := http.NewRequest("POST", b.ResolveReference(&url.URL{Path: u.Path}).String(),
		strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	id, secret, _ := strings.Cut(PlaceholderCredential(sc), ":")
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil || res.StatusCode != 200 || tr.AccessToken == "" {
		t.Fatalf("token endpoint %s: %d %v", req.URL, res.StatusCode, err)
	}
	return tr.AccessToken
}

// contract checks a response as the executor's contract checks do
// (executor/contract.go), with a schema compiler of its own over the
// description's Raw: the status is declared, the Content-Type of a body is
// declared, a JSON body is valid against the declared schema, declared
// headers are present when required and valid.
type contract struct {
	doc  *oas.Document
	comp *schema.OpenAPI
}

func newContract(t testing.TB, doc *oas.Document) *contract {
	comp, err := schema.NewOpenAPI(doc.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{doc, comp}
}

func (c *contract) violations(op *oas.Operation, status int, hdr http.Header, body []byte) []string {
	r := op.Response(status)
	if r == nil {
		if len(op.Responses) > 0 {
			return []string{fmt.Sprintf("status %d is not declared", status)}
		}
		return nil
	}
	var out []string
	ct := hdr.Get("Content-Type")
	if len(body) > 0 && len(r.Content) > 0 {
		if ct == "" {
			out = append(out, "a body without Content-Type")
		} else if r.MediaType(ct) == nil {
			out = append(out, fmt.Sprintf("content type %q is not declared for %s", ct, r.Code))
		}
	}
	mt := r.MediaType(ct)
	if base, _, _ := mime.ParseMediaType(ct); len(body) > 0 && mt != nil && mt.SchemaPointer != "" && isJSON(base) {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			out = append(out, "the body is not JSON")
		} else if s, err := c.comp.Compile(mt.SchemaPointer, schema.Response); err != nil {
			out = append(out, "schema does not compile: "+err.Error())
		} else if err := s.Validate(v); err != nil {
			out = append(out, "body: "+err.Error())
		}
	}
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, "Content-Type") {
			continue
		}
		vals := hdr.Values(h.Name)
		if len(vals) == 0 {
			if h.Required {
				out = append(out, "required header "+h.Name+" is missing")
			}
			continue
		}
		if h.SchemaPointer == "" {
			continue
		}
		s, err := c.comp.Compile(h.SchemaPointer, schema.Response)
		if err != nil {
			out = append(out, "header schema does not compile: "+err.Error())
			continue
		}
		if err := s.Validate(coerceHeader(vals[0], s)); err != nil {
			out = append(out, "header "+h.Name+": "+err.Error())
		}
	}
	return out
}

func coerceHeader(v string, s *schema.Schema) any {
	for _, t := range s.Types() {
		switch t {
		case "integer", "number":
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return f
			}
		case "boolean":
			if b, err := strconv.ParseBool(v); err == nil {
				return b
			}
		}
	}
	return v
}

// unsatisfiable lists operations whose request schema no value can
// satisfy: the mock answers them with its 400, which must pass the
// contract checks too.
var unsatisfiable = map[string]string{
	"createCustomer": "bnpl: allOf adds a property to CustomerProperties, which has additionalProperties: false",
}

// unsatisfiableResponses lists operations whose success response schema
// no value can satisfy.
var unsatisfiableResponses = map[string]string{
	"Token": "FAPI-PAR: the 200 oneOf alternatives accept the same values (neither forbids additional properties)",
}

// checkAllOperations sends a valid request to every operation of doc's
// mock and checks each answer with the contract checks: the success
// response, then every other declared response code selected with
// Prefer: code=N. It returns the number of answers checked.
func checkAllOperations(t *testing.T, doc *oas.Document, s *Server) int {
	c := newContract(t, doc)
	ts := httptest.NewServer(s)
	defer ts.Close()
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	checked := 0
	for _, op := range s.ops {
		s.prepare(op)
		o, err := doc.OperationByPointer(op.pointer)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(opName(op), func(t *testing.T) {
			var codes []string
			for _, r := range op.resps {
				if r != op.success && r.code != "default" {
					codes = append(codes, strings.ToUpper(r.code))
				}
			}
			sort.Strings(codes)
			for _, code := range append([]string{""}, codes...) {
				req := validRequest(t, s, op, ts.URL)
				if code != "" {
					req.Header.Set("Prefer", "code="+strings.ReplaceAll(code, "X", "0"))
				}
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				checked++
				if code == "" && op.success != nil {
					want := op.success.status
					if _, ok := unsatisfiable[op.id]; ok {
						want = http.StatusBadRequest
					}
					if res.StatusCode != want {
						t.Errorf("status %d, want %d: %.500s", res.StatusCode, want, b)
					}
				}
				vs := c.violations(o, res.StatusCode, res.Header, b)
				if why, ok := unsatisfiableResponses[op.id]; ok && code == "" {
					if len(vs) == 0 {
						t.Errorf("valid, but expected a violation (%s)", why)
					}
					continue
				}
				if len(vs) > 0 {
					t.Errorf("Prefer code=%q: status %d: contract violations:\n%s\nbody: %.1000s", code, res.StatusCode, strings.Join(vs, "\n"), b)
				}
			}
		})
	}
	return checked
}

// TestContractAllOperations runs every operation of the Stytch
// description and of every description in testdata through the mock and
// checks every answer (success and each declared response) with the
// contract checks: zero violations.
func TestContractAllOperations(t *testing.T) {
	t.Run("stytch", func(t *testing.T) {
		s := stytch(t)
		if len(s.ops) != 97 {
			t.Errorf("routes: %d, want 97", len(s.ops))
		}
		t.Logf("%d answers checked", checkAllOperations(t, stytchDoc, s))
	})
	files, _ := filepath.Glob("testdata/*openapi.yaml")
	more, _ := filepath.Glob("testdata/realworld/*.openapi.yaml")
	files = append(files, more...)
	if len(files) < 8 {
		t.Fatalf("test descriptions missing: %v", files)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := oas.Load(src, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, seed := range []int64{0, 1} {
				s, err := New(doc, WithSeed(seed))
				if err != nil {
					t.Fatal(err)
				}
				if len(s.ops) == 0 {
					t.Fatal("no operations")
				}
				checkAllOperations(t, doc, s)
			}
		})
	}
}

// checkDoc runs checkAllOperations on a description given as text.
func checkDoc(t *testing.T, text string, opts ...Option) {
	t.Helper()
	doc, err := oas.Load([]byte(text), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(doc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	checkAllOperations(t, doc, s)
}
