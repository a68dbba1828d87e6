package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// recorded is a request the test API received.
type recorded struct {
	Method   string
	Path     string // as sent: percent-encoding kept
	RawQuery string
	Header   http.Header
	Body     []byte
	Routed   bool
}

// testAPI serves a case's server.yaml: each route answers its responses in
// turn (the last one repeats) and every request is recorded.
type testAPI struct {
	routes []*route
	mu     sync.Mutex
	calls  map[*route]int
	reqs   []*recorded
}

func newTestAPI(routes []*route) *testAPI {
	return &testAPI{routes: routes, calls: map[*route]int{}}
}

// start serves the API on 127.0.0.1 (httptest's default listener).
func (a *testAPI) start() *httptest.Server { return httptest.NewServer(a) }

func (a *testAPI) requests() []*recorded {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*recorded(nil), a.reqs...)
}

func (a *testAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	path, rawQuery, _ := strings.Cut(r.RequestURI, "?")
	rec := &recorded{Method: r.Method, Path: path, RawQuery: rawQuery, Header: r.Header.Clone(), Body: body}
	a.mu.Lock()
	a.reqs = append(a.reqs, rec)
	rt := a.match(r.Method, path)
	var resp *response
	if rt != nil {
		rec.Routed = true
		i := a.calls[rt]
		a.calls[rt]++
		if i >= len(rt.Responses) {
			i = len(rt.Responses) - 1
		}
		resp = rt.Responses[i]
	}
	a.mu.Unlock()
	if resp == nil {
		http.Error(w, fmt.Sprintf("conformance: no route in server.yaml for %s %s", r.Method, path), http.StatusNotFound)
		return
	}
	if resp.DelayMs > 0 {
		t := time.NewTimer(time.Duration(resp.DelayMs) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	out, ct := resp.body, resp.ContentType
	if resp.Echo {
		out = body
		if ct == "" {
			ct = r.Header.Get("Content-Type")
		}
	}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(out)
}

// match finds the route for a method and a raw path: a literal segment must
// be equal, a {param} segment matches any one non-empty segment.
func (a *testAPI) match(method, path string) *route {
	segs := strings.Split(path, "/")
	for _, rt := range a.routes {
		if rt.Method != strings.ToUpper(method) {
			continue
		}
		pat := strings.Split(rt.Path, "/")
		if len(pat) != len(segs) {
			continue
		}
		ok := true
		for i, p := range pat {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				continue
			}
			if p != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt
		}
	}
	return nil
}

// jsonMarshal encodes v without HTML escaping.
func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
