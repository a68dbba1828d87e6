package executor_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
)

const oauthAPI = `openapi: 3.1.0
info: {title: t, version: "1"}
components:
  securitySchemes:
    cc:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: /token, scopes: {}}
security: [{cc: []}]
paths:
  /data:
    get:
      operationId: data
      responses: {"200": {description: ok}, "401": {description: refused}}
`

const oauthFlow = `arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: data
        successCriteria: [{condition: $statusCode == 200}]
`

func oauthEngine(t *testing.T, url string, opts ...executor.Option) *executor.Engine {
	t.Helper()
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(oauthFlow)}, "api.yaml": {Data: []byte(oauthAPI)}}
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	e, err := executor.New(doc, append([]executor.Option{executor.WithServer("api", url)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// tokenServer issues one token per (client, secret) pair whose secret is
// "good-*", counts token requests, and accepts a token on /data unless it
// was revoked.
type tokenServer struct {
	mu       sync.Mutex
	requests atomic.Int32
	issued   int
	revoked  map[string]bool
	hang     chan struct{}
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/token":
		s.requests.Add(1)
		if s.hang != nil {
			select {
			case <-s.hang:
			case <-r.Context().Done():
			}
			return
		}
		_, secret, _ := r.BasicAuth()
		if !strings.HasPrefix(secret, "good-") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		s.mu.Lock()
		s.issued++
		tok := fmt.Sprintf("token-%d-for-%s", s.issued, secret)
		s.mu.Unlock()
		time.Sleep(20 * time.Millisecond) // concurrent runs overlap
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token": %q, "expires_in": 3600}`, tok)
	case "/data":
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		bad := s.revoked[tok]
		s.mu.Unlock()
		if bad {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}
}

// TestOAuthTokenCacheKeyedBySecret: a run with a wrong secret never gets
// another run's token; runs with the same credentials share one request
// (issue 15 #9).
func TestOAuthTokenCacheKeyedBySecret(t *testing.T) {
	ts := &tokenServer{}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	e := oauthEngine(t, srv.URL)
	var wg sync.WaitGroup
	var wrongOK atomic.Int32
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			secret := "good-shared"
			if i%2 == 1 {
				secret = fmt.Sprintf("wrong-%d", i)
			}
			res, err := e.Run(context.Background(), "w", nil, executor.RunWithAuth("cc", "client:"+secret))
			if i%2 == 1 && err == nil && res.Success {
				wrongOK.Add(1)
			}
			if i%2 == 0 && err != nil {
				t.Errorf("run %d with the good secret: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if wrongOK.Load() != 0 {
		t.Errorf("%d runs with a wrong secret succeeded with another run's token", wrongOK.Load())
	}
	// 20 wrong secrets each asked once (refusals are not cached), the good
	// one once for its 20 concurrent runs.
	if n := ts.requests.Load(); n != 21 {
		t.Errorf("%d token requests, want 21", n)
	}
}

// TestOAuthRefusedTokenDropped: a token the API refuses is not served from
// the cache again.
func TestOAuthRefusedTokenDropped(t *testing.T) {
	ts := &tokenServer{revoked: map[string]bool{}}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	e := oauthEngine(t, srv.URL, executor.WithAuth("cc", "client:good-1"))
	if _, err := e.Run(context.Background(), "w", nil); err != nil {
		t.Fatal(err)
	}
	ts.mu.Lock()
	ts.revoked["token-1-for-good-1"] = true
	ts.mu.Unlock()
	if _, err := e.Run(context.Background(), "w", nil); err == nil {
		t.Fatal("the revoked token must fail the run")
	}
	if _, err := e.Run(context.Background(), "w", nil); err != nil {
		t.Errorf("a new token should have been fetched: %v", err)
	}
	if n := ts.requests.Load(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

// TestOAuthTokenRequestTimeout: a token endpoint that never answers is
// bounded by Limits.RequestTimeout, and by the run's context (issue 15 #4).
func TestOAuthTokenRequestTimeout(t *testing.T) {
	ts := &tokenServer{hang: make(chan struct{})}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	defer close(ts.hang)
	e := oauthEngine(t, srv.URL, executor.WithAuth("cc", "client:good-1"), executor.WithLimits(executor.Limits{RequestTimeout: 200 * time.Millisecond}))
	start := time.Now()
	_, err := e.Run(context.Background(), "w", nil)
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("err = %v", err)
	}
	e = oauthEngine(t, srv.URL, executor.WithAuth("cc", "client:good-2"))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	_, err = e.Run(ctx, "w", nil)
	if err == nil || time.Since(start) > 20*time.Second {
		t.Errorf("cancel: %v after %v", err, time.Since(start))
	}
}

// TestRedirectToPrivateAddresses: a redirect to a link-local or loopback
// address is refused unless the first request went to such an address
// (issue 15 #13).
func TestRedirectToPrivateAddresses(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	// A "public" server (by its address) that redirects: served locally by
	// a transport that answers every host.
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == "203.0.113.7" {
			h := http.Header{"Location": {r.URL.Query().Get("to")}}
			return &http.Response{StatusCode: http.StatusFound, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	for _, c := range []struct {
		to     string
		allow  bool
		refuse bool
	}{
		{"http://169.254.169.254/latest/meta-data/", false, true},
		{target.URL + "/data", false, true},
		{target.URL + "/data", true, false},
	} {
		doc := strings.Replace(oauthFlow, "operationId: data", "operationId: data\n        parameters: [{name: to, in: query, value: '"+c.to+"'}]", 1)
		api := strings.Replace(oauthAPI, "security: [{cc: []}]", "", 1)
		fsys := fstest.MapFS{"flow.yaml": {Data: []byte(doc)}, "api.yaml": {Data: []byte(api)}}
		d, _ := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
		e, err := executor.New(d, executor.Validated(), executor.WithServer("api", "http://203.0.113.7"), executor.WithRoundTripper(rt),
			executor.WithPrivateRedirects(c.allow), executor.WithLimits(executor.Limits{RequestTimeout: 2 * time.Second}))
		if err != nil {
			t.Fatal(err)
		}
		before := hits.Load()
		res, _ := e.Run(context.Background(), "w", nil)
		refused := res != nil && len(res.Steps) > 0 && strings.Contains(res.Steps[0].Error, "refused a redirect")
		if refused != c.refuse {
			t.Errorf("redirect to %s (allow %v): refused %v; step %+v", c.to, c.allow, refused, res.Steps)
		}
		if c.refuse && hits.Load() != before {
			t.Errorf("the refused target was reached")
		}
	}
	// Loopback to loopback is fine: the first request went there.
	local := httptest.NewServer(http.RedirectHandler(target.URL+"/data", http.StatusFound))
	defer local.Close()
	api := strings.Replace(oauthAPI, "security: [{cc: []}]", "", 1)
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(oauthFlow)}, "api.yaml": {Data: []byte(api)}}
	d, _ := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	e, _ := executor.New(d, executor.WithServer("api", local.URL))
	if res, err := e.Run(context.Background(), "w", nil); err != nil || !res.Success {
		t.Errorf("loopback to loopback: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
