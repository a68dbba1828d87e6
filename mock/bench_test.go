package mock

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"

	"github.com/telaio/telaio/specs"
)

// BenchmarkNewStytch measures New on a document whose v3 model is already
// built (what `telaio run --mock` pays on top of loading the description).
func BenchmarkNewStytch(b *testing.B) {
	src, err := specs.FS.ReadFile(specs.StytchOpenAPI)
	if err != nil {
		b.Fatal(err)
	}
	cfg := datamodel.NewDocumentConfiguration()
	cfg.Logger = slog.New(slog.DiscardHandler)
	doc, err := libopenapi.NewDocumentWithConfiguration(src, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := doc.BuildV3Model(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewFromBytesStytch measures parsing plus New.
func BenchmarkNewFromBytesStytch(b *testing.B) {
	src, err := specs.FS.ReadFile(specs.StytchOpenAPI)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewFromBytes(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServeStytch measures one warm request through ServeHTTP
// (routing, security, parameter and body validation, response with echo),
// without the network.
func BenchmarkServeStytch(b *testing.B) {
	s := stytch(b)
	for _, tc := range []struct{ name, method, path, body string }{
		{"GET organization", "GET", "/v1/b2b/organizations/organization-test-123", ""},
		{"POST members search", "POST", "/v1/b2b/organizations/members/search",
			`{"organization_ids":["organization-test-123"],"limit":10}`},
		{"POST create member", "POST", "/v1/b2b/organizations/organization-test-123/members",
			`{"email_address":"ada@example.com","name":"Ada"}`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			mk := func() *http.Request {
				r := httptest.NewRequest(tc.method, tc.path, bytes.NewReader([]byte(tc.body)))
				r.SetBasicAuth("project-test", "secret")
				if tc.body != "" {
					r.Header.Set("Content-Type", "application/json")
				}
				return r
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, mk())
			if w.Code/100 != 2 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := discardWriter{h: http.Header{}}
				s.ServeHTTP(&w, mk())
			}
		})
	}
}

type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(c int)           { w.code = c }
func (w *discardWriter) Write(p []byte) (int, error) { return io.Discard.Write(p) }

// BenchmarkNewLarge measures what serving a large description costs until
// the first answer: NewFromBytes on a generated 24 MB description (6000
// schemas in one long cycle of optional properties, 30000 operations) and
// one request.
func BenchmarkNewLarge(b *testing.B) {
	src := largeDescription(6000, 6000)
	b.Logf("description: %d bytes", len(src))
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewFromBytes(src)
		if err != nil {
			b.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/v1/resources0/r-1", nil)
		r.Header.Set("Authorization", "Bearer t")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 && w.Code != 500 { // 500: today's mock fails on the cycle
			b.Fatalf("status %d: %.300s", w.Code, w.Body)
		}
	}
}
