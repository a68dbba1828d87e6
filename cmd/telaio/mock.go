package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/asyncmock"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/suggest"
	"github.com/telaio/telaio/mock"
	"github.com/telaio/telaio/oas"
)

// startMocks serves an in-process mock of every OpenAPI source description
// that --server does not already point elsewhere, on 127.0.0.1. It returns
// the executor options routing each source to its mock, the security
// schemes that get placeholder credentials, and a stop function.
func startMocks(doc *arazzo.Document, servers []string, auth map[string]string) ([]executor.Option, []string, func(), error) {
	overridden := map[string]bool{}
	for _, s := range servers {
		if name, _, ok := strings.Cut(s, "="); ok {
			overridden[name] = true
		}
	}
	var opts []executor.Option
	var stops []func()
	stop := func() {
		for _, s := range stops {
			s()
		}
	}
	placeholders := map[string]bool{}
	served := map[*oas.Document]string{}
	// AsyncAPI sources share one embedded broker (package asyncmock).
	var asyncDocs []*asyncapi.Document
	asyncSources := map[*asyncapi.Document][]string{}
	var walk func(d *arazzo.Document, depth int) error
	walk = func(d *arazzo.Document, depth int) error {
		if depth > 16 {
			return nil
		}
		names := make([]string, 0, len(d.Sources))
		for n := range d.Sources {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			src := d.Sources[name]
			if src.Arazzo != nil && src.Arazzo != d {
				if err := walk(src.Arazzo, depth+1); err != nil {
					return err
				}
				continue
			}
			if src.AsyncAPI != nil && !overridden[name] {
				if _, ok := asyncSources[src.AsyncAPI]; !ok {
					asyncDocs = append(asyncDocs, src.AsyncAPI)
				}
				asyncSources[src.AsyncAPI] = append(asyncSources[src.AsyncAPI], name)
				continue
			}
			if src.OpenAPI == nil || overridden[name] {
				continue
			}
			url, ok := served[src.OpenAPI]
			if !ok {
				var stopOne func()
				var err error
				url, stopOne, err = serveMock(src.OpenAPI)
				if err != nil {
					return fmt.Errorf("source %q: %v", name, err)
				}
				stops = append(stops, stopOne)
				served[src.OpenAPI] = url
			}
			// The mock also serves the token endpoints of its schemes.
			opts = append(opts, executor.WithServer(name, url), executor.WithTokenServer(name, url))
			for scheme := range src.OpenAPI.SecuritySchemes {
				if _, ok := auth[scheme]; !ok {
					placeholders[scheme] = true
				}
			}
		}
		return nil
	}
	if err := walk(doc, 0); err != nil {
		stop()
		return nil, nil, nil, err
	}
	if len(asyncDocs) > 0 {
		srv, err := asyncmock.Start(context.Background(), asyncDocs)
		if err != nil {
			stop()
			return nil, nil, nil, err
		}
		stops = append(stops, func() { _ = srv.Close() })
		for _, d := range asyncDocs {
			for _, name := range asyncSources[d] {
				opts = append(opts, executor.WithServer(name, srv.URL()))
			}
		}
	}
	var ph []string
	for p := range placeholders {
		ph = append(ph, p)
	}
	sort.Strings(ph)
	return opts, ph, stop, nil
}

func serveMock(d *oas.Document) (string, func(), error) {
	h, err := mock.New(d)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// placeholderCredential is the credential the mock accepts for a scheme
// (mock.PlaceholderCredential), found in any loaded description.
func placeholderCredential(doc *arazzo.Document, scheme string) string {
	var found *oas.SecurityScheme
	seen := map[*arazzo.Document]bool{}
	var walk func(d *arazzo.Document)
	walk = func(d *arazzo.Document) {
		if d == nil || seen[d] || found != nil {
			return
		}
		seen[d] = true
		for _, src := range d.Sources {
			if src.OpenAPI != nil && src.OpenAPI.SecuritySchemes[scheme] != nil {
				found = src.OpenAPI.SecuritySchemes[scheme]
				return
			}
			walk(src.Arazzo)
		}
	}
	walk(doc)
	return mock.PlaceholderCredential(found)
}

const mockSynopsis = `telaio mock DESCRIPTION [--addr 127.0.0.1:PORT] [--broker nats] [--no-auth] [--quiet]

Serves a description until interrupted, logging each request on stderr.
An OpenAPI description is served as a mock HTTP API. An AsyncAPI
description is served by an embedded NATS broker (--broker nats, the
default for AsyncAPI) whose responders answer every operation that
declares a reply with a synthesized message carrying the request's
correlation value; point a run at it with --server SOURCE=URL. A
description split in several files is read inside its checkout (the
nearest folder holding .git, .hg or .svn), as run does.`

// mockBrokers are the brokers telaio mock can stand in for.
var mockBrokers = []string{"nats"}

func cmdMock(ctx context.Context, args []string, e *env) int {
	fs := newFlags(e, "mock", mockSynopsis)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (AsyncAPI: default a free port of 127.0.0.1)")
	broker := fs.String("broker", "", "for an AsyncAPI description, the broker to serve it with: "+strings.Join(mockBrokers, ", "))
	noAuth := fs.Bool("no-auth", false, "do not check credentials")
	quiet := fs.Bool("quiet", false, "do not log requests")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, "mock", "give one description (usage: telaio mock DESCRIPTION)")
	}
	file := fs.Arg(0)
	addrSet := false
	fs.Visit(func(f *pflag.Flag) { addrSet = addrSet || f.Name == "addr" })
	dsc, err := readInCheckout(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitUsage
	}
	defer dsc.root.Close()
	if dsc.isAsyncAPI() {
		if *broker != "" && !slices.Contains(mockBrokers, *broker) {
			return usageError(e, "mock", "--broker %q: the mock serves AsyncAPI descriptions with %s%s", *broker, strings.Join(mockBrokers, ", "), suggest.DidYouMean(*broker, mockBrokers))
		}
		return mockBroker(ctx, e, dsc, *addr, addrSet, *quiet)
	}
	if *broker != "" {
		return usageError(e, "mock", "--broker is for AsyncAPI descriptions; %s is not one", file)
	}
	d, err := dsc.openAPI(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitUsage
	}
	opts := []mock.Option{mock.WithRequireAuth(!*noAuth)}
	if !*quiet {
		opts = append(opts, mock.WithRequestLog(e.stderr))
	}
	h, err := mock.New(d, opts...)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "mock of %s (%d operations) listening on http://%s\n", file, len(d.Operations()), ln.Addr())
	return serveUntilDone(ctx, e, "mock", ln, h)
}

// serveUntilDone serves h on ln until ctx ends (then shuts down, waiting
// up to 5 s for requests under way).
func serveUntilDone(ctx context.Context, e *env, cmd string, ln net.Listener, h http.Handler) int {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return exitOK
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return exitOK
		}
		fmt.Fprintf(e.stderr, "telaio %s: %v\n", cmd, err)
		return exitFailed
	}
}

// asyncAPIRoot finds a top-level asyncapi key in YAML, or one first in a
// JSON object: the cheap look that tells the two kinds of description
// apart before either is decoded.
var asyncAPIRoot = regexp.MustCompile(`(?m)^["']?asyncapi["']?\s*:|^\s*\{\s*"asyncapi"\s*:`)

// mockBroker serves an AsyncAPI description with package asyncmock's
// embedded NATS broker until ctx ends.
func mockBroker(ctx context.Context, e *env, dsc *description, addr string, addrSet, quiet bool) int {
	file := dsc.file
	d, err := dsc.asyncAPI()
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitUsage
	}
	var opts []asyncmock.Option
	if addrSet {
		host, port, err := net.SplitHostPort(addr)
		p, perr := strconv.Atoi(port)
		if err != nil || perr != nil || p < 0 || p > 65535 || host != "127.0.0.1" && host != "localhost" && host != "" {
			return usageError(e, "mock", "--addr %q: the broker listens on 127.0.0.1:PORT", addr)
		}
		opts = append(opts, asyncmock.WithPort(p))
	}
	if !quiet {
		opts = append(opts, asyncmock.WithRequestLog(e.stderr))
	}
	srv, err := asyncmock.Start(ctx, []*asyncapi.Document{d}, opts...)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitFailed
	}
	defer srv.Close()
	routes := srv.Routes()
	answered := 0
	for _, r := range routes {
		if r.Err == nil {
			answered++
		}
	}
	fmt.Fprintf(e.stdout, "mock broker of %s (%d operations answered) listening on %s\n", file, answered, srv.URL())
	for _, r := range routes {
		if r.Err != nil {
			fmt.Fprintf(e.stdout, "  %s: not answered: %v\n", r.Operation, r.Err)
			continue
		}
		fmt.Fprintf(e.stdout, "  %s: %s -> %s\n", r.Operation, r.Subject, r.Reply)
	}
	<-ctx.Done()
	return exitOK
}

// description is a description file read inside its checkout (the
// nearest folder holding .git, .hg or .svn, as run reads sources), with
// the root its $refs are read from.
type description struct {
	file string   // as given
	root *os.Root // the checkout; the caller closes it
	rel  string   // the file, slash-separated, relative to root
	src  []byte
}

func readInCheckout(file string) (*description, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	root := arazzo.DefaultRoot(abs)
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	d := &description{file: file, root: r, rel: filepath.ToSlash(rel)}
	if d.src, err = r.ReadFile(d.rel); err != nil {
		r.Close()
		return nil, err
	}
	return d, nil
}

// isAsyncAPI reports whether the description's root has an asyncapi field.
func (d *description) isAsyncAPI() bool {
	head := d.src[:min(len(d.src), 64<<10)]
	return asyncAPIRoot.Match(head)
}

// openAPI loads the description as OpenAPI, with the files its $refs
// name (never a URL).
func (d *description) openAPI(ctx context.Context) (*oas.Document, error) {
	doc, err := oas.LoadFiles(ctx, d.src, d.rel, fileReader{d.root})
	if err != nil {
		return nil, err
	}
	if errs := doc.RefErrors(); len(errs) > 0 {
		return nil, errs[0]
	}
	return doc, nil
}

// asyncAPI loads the description as AsyncAPI, with the files its $refs
// name, by the same rule.
func (d *description) asyncAPI() (*asyncapi.Document, error) {
	fr := fileReader{d.root}
	return asyncapi.Load(d.src, d.file, asyncapi.WithReadFile(func(ref string) ([]byte, error) {
		// WithReadFile gives ref relative to the document's folder.
		p, err := fr.Resolve(d.rel, ref)
		if err != nil {
			return nil, err
		}
		return fr.Read(context.Background(), p)
	}))
}

// fileReader reads the files a description's $refs name, inside an
// os.Root.
type fileReader struct{ r *os.Root }

func (f fileReader) Resolve(base, ref string) (string, error) {
	if strings.Contains(ref, "://") {
		return "", fmt.Errorf("%s: telaio mock reads no URL", ref)
	}
	if path.IsAbs(ref) {
		return "", fmt.Errorf("%s: an absolute path is outside the description's tree", ref)
	}
	p := path.Join(path.Dir(base), ref)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("%s resolves outside the description's checkout", ref)
	}
	return p, nil
}

func (f fileReader) Read(_ context.Context, loc string) ([]byte, error) { return f.r.ReadFile(loc) }
