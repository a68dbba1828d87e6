package main

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/telaio/telaio/temporal"
)

// codecTokenEnv holds the bearer token a codec server off loopback
// requires.
const codecTokenEnv = "TELAIO_CODEC_TOKEN"

const codecSynopsis = `telaio codec-server [--addr 127.0.0.1:8081] [--allow-origin URL]...

Serves the payload codec of runs on Temporal (POST /encode, POST /decode),
so that the Temporal web UI shows the inputs, outputs and results sealed
with TELAIO_TEMPORAL_KEY: set the UI's codec endpoint to the URL printed.
Browsers may call it from the --allow-origin URLs (default
` + temporal.DefaultCodecOrigin + `, the dev server's UI). Whoever reaches it reads every
sealed payload, secret inputs included: it listens on loopback unless
--addr says otherwise, and off loopback it requires the bearer token of
TELAIO_CODEC_TOKEN (the UI's "pass access token" setting sends it).`

func cmdCodecServer(ctx context.Context, args []string, e *env) int {
	fs := newFlags(e, "codec-server", codecSynopsis)
	addr := fs.String("addr", "127.0.0.1:8081", "listen on `HOST:PORT`")
	origins := fs.StringArray("allow-origin", nil, "let pages of `URL` call the codec (repeatable; * for any)")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() != 0 {
		return usageError(e, "codec-server", "takes no file (usage: telaio codec-server [--addr HOST:PORT])")
	}
	key, err := keyFrom(e.getenv)
	switch {
	case err != nil:
		return usageError(e, "codec-server", "%v", err)
	case key == nil:
		return usageError(e, "codec-server", "%s is not set: the codec server opens what that key sealed", temporal.KeyEnv)
	}
	for _, o := range *origins {
		if o != "*" && !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return usageError(e, "codec-server", "--allow-origin %q: an origin is a URL such as %s, or *", o, temporal.DefaultCodecOrigin)
		}
	}
	h, err := temporal.CodecHandler(key, *origins...)
	if err != nil {
		return usageError(e, "codec-server", "%v", err)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageError(e, "codec-server", "--addr %q: %v", *addr, err)
	}
	token := strings.TrimSpace(e.getenv(codecTokenEnv))
	if !isLoopback(host) {
		if token == "" {
			return usageError(e, "codec-server", "--addr %s is not a loopback address: set %s, the bearer token callers must send", *addr, codecTokenEnv)
		}
	}
	if token != "" {
		h = bearer(h, token)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio codec-server: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "codec server listening on http://%s\n", ln.Addr())
	return serveUntilDone(ctx, e, "codec-server", ln, h)
}

// isLoopback reports whether host names the loopback interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bearer lets through preflight requests and requests with the token.
func bearer(next http.Handler, token string) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodOptions && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="telaio codec"`)
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
