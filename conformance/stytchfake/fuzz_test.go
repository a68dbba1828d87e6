package stytchfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzServeHTTP sends arbitrary bodies to every route: the fake must never
// panic or fail with a 500, every response must be JSON with a matching
// status_code, errors must have the error shape and successes must match
// the operation's response schema.
func FuzzServeHTTP(f *testing.F) {
	for _, seed := range []struct {
		route uint8
		body  string
	}{
		{0, `{"organization_id":"` + testOrg + `","member_id":"` + phoneMember + `"}`},
		{0, `{"organization_id":"acme-widgets","member_id":"` + testMember + `","mfa_phone_number":"+15005550006","locale":"fr"}`},
		{1, `{"organization_id":"` + testOrg + `","member_id":"` + phoneMember + `","code":"424242","session_duration_minutes":30}`},
		{2, `{"organization_id":"` + testOrg + `","member_id":"` + testMember + `","expiration_minutes":5}`},
		{3, `{"organization_id":"` + testOrg + `","member_id":"` + testMember + `","code":"123456","session_token":"x"}`},
		{1, `{"organization_id":"` + testOrg + `","member_id":"` + phoneMember + `","code":"424242","session_custom_claims":{"a":null}}`},
		{0, `[]`},
		{1, `{"code":`},
		{3, `null`},
	} {
		f.Add(seed.route, []byte(seed.body))
	}
	fx := newFixture(f, withSpec(f))
	sp := loadSpec(f).spec
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		p := allPaths[int(route)%len(allPaths)]
		req := httptest.NewRequest(http.MethodPost, p, bytes.NewReader(body))
		req.SetBasicAuth(testProject, testSecret)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		fx.fake.ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("500 for %q: %s", body, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("response is not a JSON object: %v", err)
		}
		if out["status_code"] != float64(rec.Code) {
			t.Fatalf("status_code %v, HTTP %d", out["status_code"], rec.Code)
		}
		if rec.Code == http.StatusOK {
			op := lookupOperation(p).id
			if err := sp.ValidateResponse(op, out); err != nil {
				t.Fatalf("%s response invalid: %v", op, err)
			}
			return
		}
		var eb ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.ErrorType == "" || eb.ErrorMessage == "" || len(out) != 5 {
			t.Fatalf("error body %s", rec.Body)
		}
		fx.clock.Advance(time.Second)
	})
}

// FuzzTOTPCode: any secret and time gives a 6-digit code or ErrInvalidSecret.
func FuzzTOTPCode(f *testing.F) {
	f.Add("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", int64(59))
	f.Add("jbswy3dpehpk3pxp====", int64(-1))
	f.Add("", int64(0))
	f.Add("A", int64(1<<62))
	f.Fuzz(func(t *testing.T, secret string, unix int64) {
		code, err := TOTPCode(secret, time.Unix(unix, 0))
		if err != nil {
			return
		}
		if !isDigits(code, TOTPDigits) {
			t.Fatalf("code %q", code)
		}
	})
}

// BenchmarkSMSFlow measures a send and an authenticate through ServeHTTP
// (no network), with and without request/response schema checks.
func BenchmarkSMSFlow(b *testing.B) {
	for _, withSchemas := range []bool{false, true} {
		name := "no-spec"
		var opts []func(*Config)
		if withSchemas {
			name = "spec"
			opts = append(opts, withSpec(b))
		}
		b.Run(name, func(b *testing.B) {
			fx := newFixture(b, opts...)
			send := []byte(`{"organization_id":"` + testOrg + `","member_id":"` + phoneMember + `"}`)
			auth := []byte(`{"organization_id":"` + testOrg + `","member_id":"` + phoneMember + `","code":"` + fixedOTP + `"}`)
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range []struct {
					p    string
					body []byte
				}{{pSend, send}, {pSMSAuth, auth}} {
					req := httptest.NewRequest(http.MethodPost, r.p, bytes.NewReader(r.body))
					req.SetBasicAuth(testProject, testSecret)
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					fx.fake.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", r.p, rec.Code, rec.Body)
					}
				}
				fx.fake.Reset()
			}
		})
	}
}
