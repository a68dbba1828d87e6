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
	"sort"
	"strings"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
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

const mockSynopsis = `telaio mock OPENAPI [--addr 127.0.0.1:PORT] [--no-auth] [--quiet]

Serves an OpenAPI description as a mock API until interrupted, logging each
request on stderr. A description split in several files is read inside its
checkout (the nearest folder holding .git, .hg or .svn), as run does.`

func cmdMock(ctx context.Context, args []string, e *env) int {
	fs := newFlags(e, "mock", mockSynopsis)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	noAuth := fs.Bool("no-auth", false, "do not check credentials")
	quiet := fs.Bool("quiet", false, "do not log requests")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, "mock", "give one OpenAPI description (usage: telaio mock OPENAPI)")
	}
	file := fs.Arg(0)
	d, err := loadDescription(ctx, file)
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
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.stdout, "mock of %s (%d operations) listening on http://%s\n", file, len(d.Operations()), ln.Addr())
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
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitFailed
	}
}

// loadDescription reads an OpenAPI description and the files its $refs
// name, inside the description's checkout (never fetching a URL).
func loadDescription(ctx context.Context, file string) (*oas.Document, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	root := arazzo.DefaultRoot(abs)
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, err
	}
	rel = filepath.ToSlash(rel)
	src, err := r.ReadFile(rel)
	if err != nil {
		return nil, err
	}
	d, err := oas.LoadFiles(ctx, src, rel, fileReader{r})
	if err != nil {
		return nil, err
	}
	if errs := d.RefErrors(); len(errs) > 0 {
		return nil, errs[0]
	}
	return d, nil
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
