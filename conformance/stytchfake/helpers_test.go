package stytchfake

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testProject = "project-test-11111111-2222-3333-4444-555555555555"
	testSecret  = "secret-test-6Yx2u0qkV0l9Wc0S1pN3a8hJ3rQ="
	testOrg     = "organization-test-aaaaaaaa-0000-0000-0000-000000000001"
	testOrgName = "Acme Widgets"
	testMember  = "member-test-bbbbbbbb-0000-0000-0000-000000000001"
	testEmail   = "ada@acme.example"
	testPhone   = "+15005550006"
	// A member of testOrg that starts with an MFA phone number.
	phoneMember = "member-test-bbbbbbbb-0000-0000-0000-000000000002"
	otherOrg    = "organization-test-aaaaaaaa-0000-0000-0000-000000000002"
	otherMember = "member-test-bbbbbbbb-0000-0000-0000-000000000003"
	fixedOTP    = "424242"
	fixedSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

var testStart = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	t     testing.TB
	clock *clock
	fake  *Server
	srv   *httptest.Server
}

// newFixture starts a fake with two organizations and three members, a
// fixed clock, a seeded random source, a fixed OTP code and a fixed TOTP
// secret. opts may change the configuration.
func newFixture(t testing.TB, opts ...func(*Config)) *fixture {
	t.Helper()
	clk := &clock{now: testStart}
	cfg := Config{
		ProjectID:  testProject,
		Secret:     testSecret,
		Clock:      clk.Now,
		Rand:       rand.NewChaCha8([32]byte{1, 2, 3}),
		OTPCode:    func() string { return fixedOTP },
		TOTPSecret: func() string { return fixedSecret },
	}
	for _, o := range opts {
		o(&cfg)
	}
	fake := New(cfg)
	must(t, fake.AddOrganization(testOrg, testOrgName))
	must(t, fake.AddOrganization(otherOrg, "Other Org"))
	must(t, fake.AddMember(testOrg, testMember, testEmail, ""))
	must(t, fake.AddMember(testOrg, phoneMember, "grace@acme.example", testPhone))
	must(t, fake.AddMember(otherOrg, otherMember, "linus@other.example", ""))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &fixture{t: t, clock: clk, fake: fake, srv: srv}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// post sends body (marshaled to JSON unless it is a string or []byte) with
// the right credentials.
func (f *fixture) post(path string, body any) (int, map[string]any) {
	f.t.Helper()
	return f.do(http.MethodPost, path, body, func(r *http.Request) {
		r.SetBasicAuth(testProject, testSecret)
		r.Header.Set("Content-Type", "application/json")
	})
}

func (f *fixture) do(method, path string, body any, prep func(*http.Request)) (int, map[string]any) {
	f.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			f.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		f.t.Fatal(err)
	}
	if prep != nil {
		prep(req)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		f.t.Fatalf("%s %s: response is not a JSON object: %v: %s", method, path, err, out)
	}
	if sc, ok := m["status_code"].(float64); !ok || int(sc) != resp.StatusCode {
		f.t.Errorf("%s %s: status_code %v, HTTP status %d", method, path, m["status_code"], resp.StatusCode)
	}
	return resp.StatusCode, m
}

// wantError checks an error response's status and error_type.
func wantError(t testing.TB, status int, body map[string]any, wantStatus int, wantType string) {
	t.Helper()
	if status != wantStatus || body["error_type"] != wantType {
		t.Fatalf("got %d %v (%v), want %d %s", status, body["error_type"], body["error_message"], wantStatus, wantType)
	}
	if !strings.HasPrefix(body["request_id"].(string), "request-id-test-") {
		t.Errorf("request_id %v", body["request_id"])
	}
}

func wantOK(t testing.TB, status int, body map[string]any) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("got %d %v: %v", status, body["error_type"], body["error_message"])
	}
}

// path reads a value from nested maps by keys ("member", "mfa_phone_number").
func path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func sendBody(member string, extra ...any) map[string]any {
	b := map[string]any{"organization_id": testOrg, "member_id": member}
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i].(string)] = extra[i+1]
	}
	return b
}
