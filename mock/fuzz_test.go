package mock

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// FuzzServeHTTP sends arbitrary requests to the pets mock: whatever the
// method, target, headers and body, the mock must answer without panicking
// (a recovered panic would be a 500 mock_failure).
func FuzzServeHTTP(f *testing.F) {
	src, err := os.ReadFile("testdata/pets.openapi.yaml")
	if err != nil {
		f.Fatal(err)
	}
	s, err := NewFromBytes(src, WithMaxBodyBytes(1<<16))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest("GET", "http://127.0.0.1"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		if method != "" && !strings.ContainsAny(method, " \t\r\n") {
			req.Method = method
		}
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("500 for %s %s: %s", req.Method, target, w.Body)
		}
	})
}
