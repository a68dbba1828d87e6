package temporal

import (
	"net/http"
	"slices"
	"strings"

	"go.temporal.io/sdk/converter"
)

// MaxCodecRequestBytes bounds the body of one codec server request (the
// payloads of one history event or one batch the UI sends: Temporal
// refuses payloads over 2 MB).
const MaxCodecRequestBytes = 8 << 20

// DefaultCodecOrigin is the origin of the dev server's web UI
// (temporal server start-dev), allowed by CodecHandler when no origin is
// given.
const DefaultCodecOrigin = "http://localhost:8233"

// CodecHandler is a codec server: it answers POST /encode and POST
// /decode (the remote codec protocol of the Temporal UI and CLI: JSON
// {"payloads": [...]}) with a Codec of key, so that the Temporal web UI
// shows the inputs, outputs and results a key sealed; give the handler's
// URL as the UI's codec endpoint. Browsers may call it from allowOrigins
// (DefaultCodecOrigin when none; "*" allows any): preflight requests are
// answered and the CORS headers set for them only. Bodies over
// MaxCodecRequestBytes are refused.
//
// Whoever reaches the handler can read every sealed payload, secret
// inputs included: serve it on a loopback address, or behind
// authentication (telaio codec-server requires a bearer token off
// loopback).
func CodecHandler(key []byte, allowOrigins ...string) (http.Handler, error) {
	c, err := NewCodec(key)
	if err != nil {
		return nil, err
	}
	if len(allowOrigins) == 0 {
		allowOrigins = []string{DefaultCodecOrigin}
	}
	return &codecServer{next: converter.NewPayloadCodecHTTPHandler(c), origins: allowOrigins}, nil
}

type codecServer struct {
	next    http.Handler
	origins []string
}

func (s *codecServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" && (slices.Contains(s.origins, "*") || slices.Contains(s.origins, strings.TrimSuffix(o, "/"))) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
		h.Add("Vary", "Origin")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		http.Error(w, "the codec server answers POST /encode and POST /decode", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > MaxCodecRequestBytes {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxCodecRequestBytes)
	s.next.ServeHTTP(w, r)
}
