package mock

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/telaio/telaio/oas"
	"github.com/telaio/telaio/specs"
)

// BenchmarkNewStytch measures New on a loaded description (what `telaio
// run --mock` pays on top of loading the description).
func BenchmarkNewStytch(b *testing.B) {
	src, err := specs.FS.ReadFile(specs.StytchOpenAPI)
	if err != nil {
		b.Fatal(err)
	}
	doc, err := oas.Load(src, "stytch")
	if err != nil {
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
// the first answer, on a generated 24 MB description (6000 schemas in one
// long cycle of optional properties, 30000 operations):
//
//   - New: New on the loaded description and one request (what `telaio
//     run --mock` and `telaio mock` pay on top of loading the description,
//     which they do anyway);
//   - NewFromBytes: loading (oas.Load), New and one request.
//
// The first answer must be a 200 valid against its schema.
func BenchmarkNewLarge(b *testing.B) {
	src := largeDescription(6000, 6000)
	b.Logf("description: %d bytes", len(src))
	first := func(b *testing.B, s *Server) {
		r := httptest.NewRequest("GET", "/v1/resources0/r-1", nil)
		r.Header.Set("Authorization", "Bearer t")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %.300s", w.Code, w.Body)
		}
	}
	b.Run("New", func(b *testing.B) {
		doc, err := oas.Load(src, "large.json")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			s, err := New(doc)
			if err != nil {
				b.Fatal(err)
			}
			first(b, s)
		}
	})
	b.Run("NewFromBytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, err := NewFromBytes(src)
			if err != nil {
				b.Fatal(err)
			}
			first(b, s)
		}
	})
}
