package arazzo_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

const petAPI = "openapi: 3.1.0\ninfo: {title: a, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: get\n      responses:\n        '200': {description: ok}\n"

// flowFor is an Arazzo document whose one source description has url u
// (line 6, column 10).
func flowFor(u string) string {
	return "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - name: api\n    type: openapi\n    url: " + u +
		"\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: get}\n"
}

// loadURL loads flowFor(u) from memory.
func loadURL(t *testing.T, u string, opts ...arazzo.LoadOption) (*arazzo.Document, diag.Diagnostics) {
	t.Helper()
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(flowFor(u))}}
	return arazzo.LoadFS(context.Background(), fsys, "flow.yaml", opts...)
}

// wantOne checks that ds is exactly one diagnostic with code, at the url of
// the source description, whose message contains each of parts.
func wantOne(t *testing.T, ds diag.Diagnostics, code string, parts ...string) {
	t.Helper()
	if len(ds) != 1 || ds[0].Code != code {
		t.Fatalf("diagnostics = %v; want one %s", ds, code)
	}
	d := ds[0]
	if d.Range.File != "flow.yaml" || d.Range.Start.Line != 6 || d.Range.Start.Column != 10 {
		t.Errorf("at %v; want flow.yaml:6:10 (the url)", d.Range)
	}
	for _, p := range parts {
		if !strings.Contains(d.Message, p) {
			t.Errorf("message %q does not contain %q", d.Message, p)
		}
	}
}

// counter is a handler that counts its requests.
type counter struct {
	n atomic.Int32
	h http.HandlerFunc
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.n.Add(1); c.h(w, r) }

func serve(t *testing.T, h http.HandlerFunc) (*httptest.Server, *counter) {
	t.Helper()
	c := &counter{h: h}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv, c
}

func host(srv *httptest.Server) string { return strings.TrimPrefix(srv.URL, "http://") }

func TestLoadRedirects(t *testing.T) {
	other, otherHits := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, petAPI) })
	var srvURL string
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api.yaml":
			fmt.Fprint(w, petAPI)
		case "/same":
			http.Redirect(w, r, "/api.yaml", http.StatusFound)
		case "/other":
			http.Redirect(w, r, other.URL+"/api.yaml", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, srvURL+"/loop?"+r.URL.RawQuery+"x", http.StatusFound)
		case "/file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		}
	})
	srvURL = srv.URL
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/api.yaml", http.StatusFound)
	}))
	defer tlsSrv.Close()
	allowed := arazzo.WithAllowedHosts(host(srv), strings.TrimPrefix(tlsSrv.URL, "https://"))

	t.Run("same host", func(t *testing.T) {
		doc, ds := loadURL(t, srv.URL+"/same", allowed)
		if len(ds) > 0 || doc.Sources["api"].OpenAPI == nil {
			t.Fatalf("diagnostics %v, source %+v", ds, doc.Sources["api"])
		}
	})
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"host not allowed", "/other", []string{"redirect to host \"" + host(other) + "\"", "not allowed"}},
		{"too many", "/loop", []string{"stopped after 10 redirects"}},
		{"file scheme", "/file", []string{"file:///etc/passwd", "only http(s)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := loadURL(t, srv.URL+tc.path, allowed)
			wantOne(t, ds, arazzo.CodeRedirectRefused, tc.want...)
		})
	}
	if n := otherHits.n.Load(); n != 0 {
		t.Errorf("the host not allowed was asked %d times", n)
	}

	t.Run("https to http", func(t *testing.T) {
		c := tlsSrv.Client()
		_, ds := loadURL(t, tlsSrv.URL+"/api.yaml", allowed, arazzo.WithHTTPClient(c))
		wantOne(t, ds, arazzo.CodeRedirectRefused, "from https to http")
		if c.CheckRedirect != nil {
			t.Error("the caller's client was modified")
		}
	})
	t.Run("caller's policy applies too", func(t *testing.T) {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return errors.New("no redirects here") }}
		_, ds := loadURL(t, srv.URL+"/same", allowed, arazzo.WithHTTPClient(c))
		wantOne(t, ds, arazzo.CodeSourceUnavailable, "no redirects here")
	})
	t.Run("any host allowed", func(t *testing.T) {
		doc, ds := loadURL(t, srv.URL+"/other", arazzo.WithAllowedHosts("*"))
		if len(ds) > 0 || doc.Sources["api"].OpenAPI == nil {
			t.Fatalf("diagnostics %v", ds)
		}
	})
}

func TestLoadFetchTimeout(t *testing.T) {
	// release unblocks the handlers, so that the servers can close.
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	wait := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	slowHeaders, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { wait(r) })
	slowBody, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "openapi: 3.1.0\n")
		w.(http.Flusher).Flush()
		wait(r)
	})
	for _, srv := range []*httptest.Server{slowHeaders, slowBody} {
		start := time.Now()
		_, ds := loadURL(t, srv.URL+"/api.yaml", arazzo.WithAllowedHosts(host(srv)), arazzo.WithFetchTimeout(100*time.Millisecond))
		wantOne(t, ds, arazzo.CodeSourceTimeout, "longer than 100ms", "WithFetchTimeout")
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Load took %v", d)
		}
	}
}

func TestLoadFetchSize(t *testing.T) {
	const max = 1 << 10
	big := bytes.Repeat([]byte("# padding\n"), 1<<16)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(big)
	zw.Close()
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked": // no Content-Length
			for i := 0; i < len(big); i += 4096 {
				w.Write(big[i : i+4096])
				w.(http.Flusher).Flush()
			}
		case "/declared": // refused on the header: the body never comes
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "/gzip": // small on the wire, large once decompressed
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gz.Bytes())
		case "/understated": // the client reads no more than declared
			conn, buf, _ := w.(http.Hijacker).Hijack()
			defer conn.Close()
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n%s", big)
			buf.Flush()
		}
	})
	opts := []arazzo.LoadOption{arazzo.WithAllowedHosts(host(srv)), arazzo.WithMaxSourceBytes(max), arazzo.WithFetchTimeout(5 * time.Second)}
	for _, p := range []string{"/chunked", "/declared", "/gzip"} {
		t.Run(p, func(t *testing.T) {
			start := time.Now()
			_, ds := loadURL(t, srv.URL+p, opts...)
			wantOne(t, ds, arazzo.CodeDocumentTooLarge, "larger than 1024 bytes")
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Load took %v", d)
			}
		})
	}
	t.Run("/understated", func(t *testing.T) {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		_, ds := loadURL(t, srv.URL+"/understated", append(opts, arazzo.WithHTTPClient(c))...)
		// Only the 15 bytes declared are read: a comment, not a description.
		wantOne(t, ds, arazzo.CodeSourceUnavailable, "must be an object")
	})
}

func TestLoadFileSize(t *testing.T) {
	flow := flowFor("./api.yaml")
	fsys := fstest.MapFS{
		"flow.yaml": {Data: []byte(flow)},
		"api.yaml":  {Data: []byte(petAPI + strings.Repeat("# padding\n", 100))},
	}
	_, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml", arazzo.WithMaxSourceBytes(int64(len(flow))))
	wantOne(t, ds, arazzo.CodeDocumentTooLarge, "api.yaml is larger than")
}

func TestLoadMaxSources(t *testing.T) {
	t.Run("files", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n")
		fsys := fstest.MapFS{}
		for i := range 5 {
			fmt.Fprintf(&b, "  - {name: s%d, url: ./api%d.yaml}\n", i, i)
			fsys[fmt.Sprintf("api%d.yaml", i)] = &fstest.MapFile{Data: []byte(petAPI)}
		}
		b.WriteString("  - {name: again, url: ./api0.yaml}\n") // read once: not counted again
		b.WriteString("workflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: $sourceDescriptions.s0.get}\n")
		fsys["flow.yaml"] = &fstest.MapFile{Data: []byte(b.String())}
		doc, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml", arazzo.WithMaxSources(3))
		if len(ds) != 1 || ds[0].Code != arazzo.CodeTooManySources || ds[0].Range.Start.Line != 7 {
			t.Fatalf("diagnostics = %v; want one %s at 7:", ds, arazzo.CodeTooManySources)
		}
		for name, want := range map[string]bool{"s0": true, "s2": true, "s3": false, "s4": false, "again": true} {
			if got := doc.Sources[name].OpenAPI != nil; got != want {
				t.Errorf("source %s loaded = %v, want %v", name, got, want)
			}
		}
	})
	t.Run("endless remote chain", func(t *testing.T) {
		var n atomic.Int32
		srv, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: next, url: './d%d.yaml', type: arazzo}\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: x}\n", n.Add(1))
		})
		flow := strings.Replace(flowFor(srv.URL+"/d0.yaml"), "type: openapi", "type: arazzo", 1)
		fsys := fstest.MapFS{"flow.yaml": {Data: []byte(flow)}}
		_, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml", arazzo.WithAllowedHosts(host(srv)))
		if len(ds) != 1 || ds[0].Code != arazzo.CodeTooManySources {
			t.Fatalf("diagnostics = %v", ds)
		}
		if h := hits.n.Load(); h != arazzo.DefaultMaxSources {
			t.Errorf("%d fetches, want %d", h, arazzo.DefaultMaxSources)
		}
	})
}

func TestLoadSymlinks(t *testing.T) {
	tmp := t.TempDir()
	root, outside := filepath.Join(tmp, "root"), filepath.Join(tmp, "outside")
	for _, d := range []string{root, outside, filepath.Join(root, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, data string) {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "api.yaml"), petAPI)
	write(filepath.Join(root, "sub", "api.yaml"), petAPI)
	links := map[string]string{
		"out.yaml": filepath.Join(outside, "api.yaml"),         // a file outside
		"outdir":   outside,                                    // a directory outside
		"rel.yaml": filepath.Join("..", "outside", "api.yaml"), // relative, outside
		"in.yaml":  filepath.Join("sub", "api.yaml"),           // inside: fine
		"abs.yaml": filepath.Join(root, "sub", "api.yaml"),     // inside, absolute: fine
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skipf("cannot create symbolic links: %v", err)
		}
	}
	for _, tc := range []struct {
		url  string
		want string // a code, "" for loaded
	}{
		{"./out.yaml", arazzo.CodeSourceUnavailable},
		{"./outdir/api.yaml", arazzo.CodeSourceUnavailable},
		{"./rel.yaml", arazzo.CodeSourceUnavailable},
		{"./in.yaml", ""},
		{"./abs.yaml", ""},
	} {
		t.Run(tc.url, func(t *testing.T) {
			flow := filepath.Join(root, "flow.yaml")
			write(flow, flowFor(tc.url))
			doc, ds := arazzo.Load(context.Background(), flow, arazzo.WithRoot(root))
			if tc.want == "" {
				if len(ds) > 0 || doc.Sources["api"].OpenAPI == nil {
					t.Fatalf("diagnostics %v", ds)
				}
				return
			}
			if len(ds) != 1 || ds[0].Code != tc.want || ds[0].Range.Start.Line != 6 || !strings.Contains(ds[0].Message, "outside the allowed file tree through a symbolic link") {
				t.Fatalf("diagnostics = %v; want one %s about the link at line 6", ds, tc.want)
			}
		})
	}
	t.Run("entry document", func(t *testing.T) {
		// The caller names the document itself: a link to it is read.
		write(filepath.Join(outside, "flow.yaml"), flowFor("./sub/api.yaml"))
		if err := os.Symlink(filepath.Join(outside, "flow.yaml"), filepath.Join(root, "linked-flow.yaml")); err != nil {
			t.Fatal(err)
		}
		doc, ds := arazzo.Load(context.Background(), filepath.Join(root, "linked-flow.yaml"), arazzo.WithRoot(root))
		if len(ds) > 0 || doc.Sources["api"].OpenAPI == nil {
			t.Fatalf("diagnostics %v", ds)
		}
	})
}

func TestLoadNotRegularFile(t *testing.T) {
	fsys := fstest.MapFS{
		"flow.yaml":    {Data: []byte(flowFor("./dir"))},
		"dir/api.yaml": {Data: []byte(petAPI)},
	}
	_, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	wantOne(t, ds, arazzo.CodeSourceUnavailable, "it is a directory")
}

// openLog is an fs.FS that records the names opened.
type openLog struct {
	fs.FS
	mu     sync.Mutex
	opened []string
}

func (o *openLog) Open(name string) (fs.File, error) {
	o.mu.Lock()
	o.opened = append(o.opened, name)
	o.mu.Unlock()
	return o.FS.Open(name)
}

// TestLoadExternalRefs: the $refs of an OpenAPI source to other documents
// are followed: a file inside the root is read, a URL is fetched from an
// allowed host (once), and the description is one document, for the index
// and for the libopenapi model alike.
func TestLoadExternalRefs(t *testing.T) {
	srv, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "components:\n  schemas:\n    X: {type: string}\n")
	})
	api := strings.Replace(petAPI, "      responses:", "      parameters: [{$ref: '#/components/parameters/P'}]\n      responses:", 1) +
		"components:\n  parameters:\n    P: {$ref: 'common.yaml#/components/parameters/P'}\n  schemas:\n    X: {$ref: '" + srv.URL + "/x.yaml#/components/schemas/X'}\n    Y: {$ref: '" + srv.URL + "/x.yaml#/components/schemas/X'}\n"
	fsys := &openLog{FS: fstest.MapFS{
		"flow.yaml":   {Data: []byte(flowFor("./api.yaml"))},
		"api.yaml":    {Data: []byte(api)},
		"common.yaml": {Data: []byte("components:\n  parameters:\n    P: {name: p, in: query}\n")},
	}}
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml", arazzo.WithAllowedHosts(host(srv)))
	if len(ds) != 0 {
		t.Fatalf("diagnostics = %v", ds)
	}
	o := doc.Sources["api"].OpenAPI
	op, err := o.OperationByID("get")
	if err != nil {
		t.Fatal(err)
	}
	if p := op.Param("p", "query"); p == nil {
		t.Errorf("parameters = %+v; want p from common.yaml", op.Parameters)
	}
	if got := o.Files(); len(got) != 3 || got[1].Location != "common.yaml" || got[2].Location != srv.URL+"/x.yaml" {
		t.Errorf("Files = %+v", got)
	}
	lib, err := o.LibOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.BuildV3Model(); err != nil {
		t.Errorf("BuildV3Model: %v", err)
	}
	if n := hits.n.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

// TestLoadExternalRefsRemoteNotAllowed: a $ref to a URL of a host not
// allowed stays unresolved, with the external-ref warning at the $ref (in
// the description's file) naming the --allow-host that would follow it;
// nothing is fetched, and the other $refs are followed.
func TestLoadExternalRefsRemoteNotAllowed(t *testing.T) {
	srv, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "components:\n  schemas:\n    X: {type: string}\n")
	})
	api := petAPI + "components:\n  parameters:\n    P: {$ref: 'common.yaml#/components/parameters/P'}\n  schemas:\n    X: {$ref: '" + srv.URL + "/x.yaml#/components/schemas/X'}\n    Y: {$ref: '" + srv.URL + "/x.yaml#/components/schemas/X'}\n"
	fsys := &openLog{FS: fstest.MapFS{
		"flow.yaml":   {Data: []byte(flowFor("./api.yaml"))},
		"api.yaml":    {Data: []byte(api)},
		"common.yaml": {Data: []byte("components:\n  parameters:\n    P: {name: p, in: query}\n")},
	}}
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if len(ds) != 1 {
		t.Fatalf("diagnostics = %v", ds)
	}
	d := ds[0]
	want := `source description "api": $ref "` + srv.URL + `/x.yaml#/components/schemas/X" (and 1 more $ref to the same document) was not fetched: fetching from host "` + host(srv) + `" is not allowed (allow it with --allow-host ` + host(srv) + `, or WithAllowedHosts); what it describes is not checked`
	if d.Code != arazzo.CodeExternalRef || d.Severity != diag.Warning || d.Range.String() != "api.yaml:13:15" || d.Message != want {
		t.Errorf("diagnostic = %s %v %s %s\nwant                      %s", d.Code, d.Severity, d.Range, d.Message, want)
	}
	if n := hits.n.Load(); n != 0 {
		t.Errorf("%d fetches", n)
	}
	o := doc.Sources["api"].OpenAPI
	if refs := o.ExternalRefs(); len(refs) != 2 || !refs[0].IsRemote() {
		t.Errorf("ExternalRefs = %+v", refs)
	}
	lib, err := o.LibOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.BuildV3Model(); err == nil {
		t.Error("BuildV3Model: want the remote refs reported as unresolved")
	}
}

// TestLoadExternalRefsFile: the same from disk, with an untyped (sniffed)
// source: the file its $ref names is read, relative to the description.
func TestLoadExternalRefsFile(t *testing.T) {
	doc, ds := arazzo.Load(context.Background(), "testdata/load/external-ref.arazzo.yaml", arazzo.WithRoot("testdata"))
	if len(ds) != 0 {
		t.Fatalf("diagnostics = %v", ds)
	}
	o := doc.Sources["pets"].OpenAPI
	op, err := o.OperationByID("getPet")
	if err != nil {
		t.Fatal(err)
	}
	ptr := op.Response(200).MediaType("application/json").SchemaPointer
	if got := o.Locate(ptr + "/$ref").String(); got != "load/external-ref.openapi.yaml:15:23" {
		t.Errorf("Locate($ref) = %s", got)
	}
	if got := o.Locate("/x-telaio-files/schemas.yaml/Pet/required").String(); got != "load/schemas.yaml:3:13" {
		t.Errorf("Locate(Pet/required) = %s", got)
	}
}
