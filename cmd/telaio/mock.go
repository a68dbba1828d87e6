package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
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
			opts = append(opts, executor.WithServer(name, url))
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

// placeholderCredential is a credential of the right shape for a scheme, for
// mocks that only check that credentials are present.
func placeholderCredential(doc *arazzo.Document, scheme string) string {
	for _, src := range doc.Sources {
		if src.OpenAPI == nil {
			continue
		}
		if s := src.OpenAPI.SecuritySchemes[scheme]; s != nil && s.Type == "http" && s.Scheme == "basic" {
			return "telaio-mock:placeholder"
		}
	}
	return "telaio-mock-placeholder"
}

func cmdMock(ctx context.Context, args []string, e *env) int {
	fs := newFlags(e, "mock", "telaio mock OPENAPI [--addr 127.0.0.1:PORT] [--no-auth]\n\nServes an OpenAPI description as a mock API until interrupted.")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	noAuth := fs.Bool("no-auth", false, "do not check credentials")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, "mock", "give one OpenAPI description (usage: telaio mock OPENAPI)")
	}
	src, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitUsage
	}
	d, err := oas.Load(src, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio mock: %v\n", err)
		return exitUsage
	}
	h, err := mock.New(d, mock.WithRequireAuth(!*noAuth))
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
	fmt.Fprintf(e.stdout, "mock of %s (%d operations) listening on http://%s\n", fs.Arg(0), len(d.Operations()), ln.Addr())
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
