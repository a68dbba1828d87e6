package stytchfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	pSend     = "/v1/b2b/otps/sms/send"
	pSMSAuth  = "/v1/b2b/otps/sms/authenticate"
	pTOTP     = "/v1/b2b/totp"
	pTOTPAuth = "/v1/b2b/totp/authenticate"
)

var allPaths = []string{pSend, pSMSAuth, pTOTP, pTOTPAuth}

func TestBasicAuth(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		prep func(*http.Request)
	}{
		{"no credentials", func(r *http.Request) {}},
		{"wrong secret", func(r *http.Request) { r.SetBasicAuth(testProject, "nope") }},
		{"wrong project", func(r *http.Request) { r.SetBasicAuth("project-test-x", testSecret) }},
		{"secret as project", func(r *http.Request) { r.SetBasicAuth(testSecret, testProject) }},
		{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testSecret) }},
		{"garbled basic", func(r *http.Request) { r.Header.Set("Authorization", "Basic !!!") }},
	}
	for _, tt := range tests {
		for _, p := range allPaths {
			t.Run(tt.name+p, func(t *testing.T) {
				st, body := f.do(http.MethodPost, p, sendBody(testMember), func(r *http.Request) {
					r.Header.Set("Content-Type", "application/json")
					tt.prep(r)
				})
				wantError(t, st, body, http.StatusUnauthorized, ErrorTypeUnauthorizedCredentials)
				// Exactly the shape of the OpenAPI 401 example.
				keys := slices.Sorted(func(yield func(string) bool) {
					for k := range body {
						if !yield(k) {
							return
						}
					}
				})
				want := []string{"error_message", "error_type", "error_url", "request_id", "status_code"}
				if !reflect.DeepEqual(keys, want) {
					t.Errorf("keys %v", keys)
				}
				if body["error_message"] != "Unauthorized credentials." || body["error_url"] != "https://stytch.com/docs/api/errors/401" {
					t.Errorf("body %v", body)
				}
			})
		}
	}
	// Nothing was issued by the refused requests.
	if _, ok := f.fake.LastOTP(phoneMember); ok {
		t.Error("an unauthorized send issued a code")
	}
}

func TestRoutes(t *testing.T) {
	f := newFixture(t)
	st, body := f.post("/v1/b2b/otps/email/send", sendBody(testMember))
	wantError(t, st, body, http.StatusNotFound, ErrorTypeRouteNotFound)
	for _, p := range allPaths {
		st, body = f.do(http.MethodGet, p, nil, func(r *http.Request) { r.SetBasicAuth(testProject, testSecret) })
		wantError(t, st, body, http.StatusMethodNotAllowed, ErrorTypeMethodNotAllowed)
	}
}

func TestRequestBodyErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		path  string
		body  any
		ctype string
		want  string
	}{
		{"not JSON", pSend, "organization_id=x", "application/json", ErrorTypeBadRequest},
		{"empty body", pSend, "", "application/json", ErrorTypeBadRequest},
		{"text content type", pSend, sendBody(phoneMember), "text/plain", ErrorTypeBadRequest},
		{"no content type", pSend, sendBody(phoneMember), "", ErrorTypeBadRequest},
		{"trailing data", pSend, `{"organization_id":"a","member_id":"b"} {}`, "application/json", ErrorTypeBadRequest},
		{"array", pSend, `[1,2]`, "application/json", ErrorTypeBadRequest},
		{"missing member_id", pSend, map[string]any{"organization_id": testOrg}, "application/json", ErrorTypeBadRequest},
		{"member_id number", pSend, map[string]any{"organization_id": testOrg, "member_id": 7}, "application/json", ErrorTypeBadRequest},
		{"missing code", pSMSAuth, sendBody(phoneMember), "application/json", ErrorTypeBadRequest},
		{"code number", pTOTPAuth, sendBody(testMember, "code", 123456), "application/json", ErrorTypeBadRequest},
		{"duration string", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_duration_minutes", "30"), "application/json", ErrorTypeBadRequest},
		{"duration fraction", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_duration_minutes", 30.5), "application/json", ErrorTypeBadRequest},
		{"duration too small", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_duration_minutes", 4), "application/json", ErrorTypeInvalidSessionDuration},
		{"duration too large", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_duration_minutes", 527041), "application/json", ErrorTypeInvalidSessionDuration},
		{"expiration too large", pTOTP, sendBody(testMember, "expiration_minutes", 1441), "application/json", ErrorTypeInvalidExpiration},
		{"claims not object", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_custom_claims", "x"), "application/json", ErrorTypeBadRequest},
		{"claims too large", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_custom_claims", map[string]any{"k": strings.Repeat("x", 5000)}), "application/json", ErrorTypeCustomClaimsTooLarge},
		{"bad enrollment", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "set_mfa_enrollment", "maybe"), "application/json", ErrorTypeBadRequest},
		{"null phone", pSend, sendBody(phoneMember, "mfa_phone_number", nil), "application/json", ErrorTypeBadRequest},
		{"too large", pSend, `{"member_id":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, "application/json", ErrorTypeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := f.do(http.MethodPost, tt.path, tt.body, func(r *http.Request) {
				r.SetBasicAuth(testProject, testSecret)
				if tt.ctype != "" {
					r.Header.Set("Content-Type", tt.ctype)
				}
			})
			wantError(t, st, body, http.StatusBadRequest, tt.want)
		})
	}
	// A send then a bad authenticate: the code survives the refused request.
	st, body := f.post(pSend, sendBody(phoneMember))
	wantOK(t, st, body)
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_duration_minutes", 4))
	wantError(t, st, body, http.StatusBadRequest, ErrorTypeInvalidSessionDuration)
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP))
	wantOK(t, st, body)
}

func TestNullAsAbsent(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.NullAsAbsent = true })
	st, body := f.post(pSend, sendBody(phoneMember, "mfa_phone_number", nil))
	wantOK(t, st, body)
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_duration_minutes", nil))
	wantOK(t, st, body)
	if got := f.fake.Requests()[0].Body["mfa_phone_number"]; got != nil {
		t.Errorf("recorded body lost the null: %v", f.fake.Requests()[0].Body)
	}
	if _, ok := f.fake.Requests()[0].Body["mfa_phone_number"]; !ok {
		t.Error("Received.Body should hold the body as sent")
	}
}

func TestUnknownOrganizationOrMember(t *testing.T) {
	f := newFixture(t)
	for _, p := range allPaths {
		body := map[string]any{"organization_id": "organization-test-nope", "member_id": testMember, "code": "000000"}
		st, resp := f.post(p, body)
		wantError(t, st, resp, http.StatusNotFound, ErrorTypeOrganizationNotFound)

		body = map[string]any{"organization_id": testOrg, "member_id": "member-test-nope", "code": "000000"}
		st, resp = f.post(p, body)
		wantError(t, st, resp, http.StatusNotFound, ErrorTypeMemberNotFound)

		// A member of another organization is not found in this one.
		body = map[string]any{"organization_id": testOrg, "member_id": otherMember, "code": "000000"}
		st, resp = f.post(p, body)
		wantError(t, st, resp, http.StatusNotFound, ErrorTypeMemberNotFound)
	}
	// The organization slug works in place of its ID.
	st, resp := f.post(pSend, map[string]any{"organization_id": "acme-widgets", "member_id": phoneMember})
	wantOK(t, st, resp)
	if path(resp, "organization", "organization_id") != testOrg {
		t.Errorf("organization %v", resp["organization"])
	}
}

func TestSMSSendPhoneNumbers(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name      string
		member    string
		phone     any
		wantSt    int
		wantType  string
		wantPhone string
	}{
		{"not E.164", testMember, "5005550006", http.StatusBadRequest, ErrorTypeInvalidPhoneNumber, ""},
		{"letters", testMember, "+1500555000x", http.StatusBadRequest, ErrorTypeInvalidPhoneNumber, ""},
		{"too long", testMember, "+1234567890123456", http.StatusBadRequest, ErrorTypeInvalidPhoneNumber, ""},
		{"leading zero", testMember, "+0123456789", http.StatusBadRequest, ErrorTypeInvalidPhoneNumber, ""},
		{"no number anywhere", testMember, nil, http.StatusBadRequest, ErrorTypeMemberPhoneNumberNotFound, ""},
		{"mismatch", phoneMember, "+15005550009", http.StatusBadRequest, ErrorTypeMemberPhoneNumberMismatch, ""},
		{"same number", phoneMember, testPhone, http.StatusOK, "", testPhone},
		{"enrolled number", phoneMember, nil, http.StatusOK, "", testPhone},
		{"enrolls", testMember, "+447700900123", http.StatusOK, "", "+447700900123"},
		{"then refuses another", testMember, "+447700900124", http.StatusBadRequest, ErrorTypeMemberPhoneNumberMismatch, ""},
		{"then uses the enrolled one", testMember, nil, http.StatusOK, "", "+447700900123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := sendBody(tt.member)
			if tt.phone != nil {
				body["mfa_phone_number"] = tt.phone
			}
			st, resp := f.post(pSend, body)
			if tt.wantType != "" {
				wantError(t, st, resp, tt.wantSt, tt.wantType)
				return
			}
			wantOK(t, st, resp)
			if resp["member_id"] != tt.member || path(resp, "member", "mfa_phone_number") != tt.wantPhone ||
				path(resp, "member", "mfa_phone_number_verified") != false || path(resp, "organization", "organization_id") != testOrg {
				t.Errorf("response %v", resp)
			}
		})
	}
}

func TestSMSCodeIsSingleUse(t *testing.T) {
	f := newFixture(t)
	st, body := f.post(pSend, sendBody(phoneMember))
	wantOK(t, st, body)
	if c, ok := f.fake.LastOTP(phoneMember); !ok || c != fixedOTP {
		t.Fatalf("LastOTP = %q, %v", c, ok)
	}
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", "000000"))
	wantError(t, st, body, http.StatusUnauthorized, ErrorTypeOTPCodeNotFound)
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP))
	wantOK(t, st, body)
	if body["member_id"] != phoneMember || path(body, "organization", "organization_id") != testOrg ||
		path(body, "member", "mfa_phone_number_verified") != true || path(body, "member", "default_mfa_method") != defaultMFASMSOTP {
		t.Errorf("response %v", body)
	}
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP))
	wantError(t, st, body, http.StatusUnauthorized, ErrorTypeOTPCodeNotFound)
	// A member who was never sent a code.
	st, body = f.post(pSMSAuth, sendBody(testMember, "code", fixedOTP))
	wantError(t, st, body, http.StatusUnauthorized, ErrorTypeOTPCodeNotFound)
}

func TestSMSCodeExpiresAfterTwoMinutes(t *testing.T) {
	tests := []struct {
		wait time.Duration
		ok   bool
	}{
		{0, true},
		{OTPTTL - time.Second, true},
		{OTPTTL - time.Nanosecond, true},
		{OTPTTL, false},
		{time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.wait.String(), func(t *testing.T) {
			f := newFixture(t)
			st, body := f.post(pSend, sendBody(phoneMember))
			wantOK(t, st, body)
			f.clock.Advance(tt.wait)
			st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP))
			if tt.ok {
				wantOK(t, st, body)
			} else {
				wantError(t, st, body, http.StatusUnauthorized, ErrorTypeOTPCodeNotFound)
			}
		})
	}
}

func TestSMSResendInvalidatesPreviousCode(t *testing.T) {
	codes := []string{"111111", "222222"}
	var mu sync.Mutex
	f := newFixture(t, func(c *Config) {
		c.OTPCode = func() string {
			mu.Lock()
			defer mu.Unlock()
			code := codes[0]
			codes = codes[1:]
			return code
		}
	})
	for range 2 {
		st, body := f.post(pSend, sendBody(phoneMember))
		wantOK(t, st, body)
	}
	st, body := f.post(pSMSAuth, sendBody(phoneMember, "code", "111111"))
	wantError(t, st, body, http.StatusUnauthorized, ErrorTypeOTPCodeNotFound)
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", "222222"))
	wantOK(t, st, body)
}

func TestDefaultOTPCodeIsSixRandomDigits(t *testing.T) {
	var issued []OTPIssued
	var mu sync.Mutex
	f := newFixture(t, func(c *Config) {
		c.OTPCode = nil
		c.OnOTP = func(e OTPIssued) { mu.Lock(); issued = append(issued, e); mu.Unlock() }
	})
	seen := map[string]bool{}
	for range 20 {
		st, body := f.post(pSend, sendBody(phoneMember))
		wantOK(t, st, body)
		c, _ := f.fake.LastOTP(phoneMember)
		if !isDigits(c, 6) {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 15 {
		t.Errorf("only %d distinct codes in 20", len(seen))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(issued) != 20 || issued[0].PhoneNumber != testPhone || !issued[0].ExpiresAt.Equal(testStart.Add(OTPTTL)) {
		t.Errorf("OnOTP events %v", issued[:1])
	}
}

// parseJWT checks the HS256 signature and returns the claims.
func parseJWT(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT %q", jwt)
	}
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		t.Fatalf("bad JWT signature")
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	if header["alg"] != "HS256" || header["typ"] != "JWT" {
		t.Errorf("header %v", header)
	}
	return claims
}

func TestSessionDuration(t *testing.T) {
	tests := []struct {
		name     string
		duration any // nil: absent
		want     time.Duration
	}{
		{"absent", nil, 60 * time.Minute},
		{"thirty", 30, 30 * time.Minute},
		{"integral float", 30.0, 30 * time.Minute},
		{"minimum", MinSessionMinutes, MinSessionMinutes * time.Minute},
		{"maximum", MaxSessionMinutes, MaxSessionMinutes * time.Minute},
	}
	for _, tt := range tests {
		for _, flow := range []string{"sms", "totp"} {
			t.Run(tt.name+"/"+flow, func(t *testing.T) {
				f := newFixture(t)
				var st int
				var body map[string]any
				var req map[string]any
				if flow == "sms" {
					st, body = f.post(pSend, sendBody(phoneMember))
					req = sendBody(phoneMember, "code", fixedOTP)
				} else {
					st, body = f.post(pTOTP, sendBody(phoneMember))
					code, err := TOTPCode(fixedSecret, testStart)
					must(t, err)
					req = sendBody(phoneMember, "code", code)
				}
				wantOK(t, st, body)
				if tt.duration != nil {
					req["session_duration_minutes"] = tt.duration
				}
				st, body = f.post(map[string]string{"sms": pSMSAuth, "totp": pTOTPAuth}[flow], req)
				wantOK(t, st, body)
				sess := body["member_session"].(map[string]any)
				if sess["started_at"] != ts(testStart) || sess["expires_at"] != ts(testStart.Add(tt.want)) ||
					sess["member_id"] != phoneMember || sess["organization_id"] != testOrg || sess["organization_slug"] != "acme-widgets" ||
					!strings.HasPrefix(sess["member_session_id"].(string), "member-session-test-") {
					t.Errorf("member_session %v", sess)
				}
				if tok := body["session_token"].(string); len(tok) != 44 {
					t.Errorf("session_token %q", tok)
				}
				claims := parseJWT(t, body["session_jwt"].(string))
				if claims["sub"] != phoneMember || claims["iat"] != float64(testStart.Unix()) ||
					claims["exp"] != float64(testStart.Add(5*time.Minute).Unix()) ||
					path(claims, "https://stytch.com/session", "id") != sess["member_session_id"] ||
					path(claims, "https://stytch.com/organization", "organization_id") != testOrg {
					t.Errorf("claims %v", claims)
				}
				factors := sess["authentication_factors"].([]any)
				if len(factors) != 1 {
					t.Fatalf("factors %v", factors)
				}
				f0 := factors[0].(map[string]any)
				switch flow {
				case "sms":
					if f0["type"] != "otp" || f0["delivery_method"] != "sms" || path(f0, "phone_number_factor", "phone_number") != testPhone {
						t.Errorf("factor %v", f0)
					}
				case "totp":
					if f0["type"] != "totp" || f0["delivery_method"] != "authenticator_app" ||
						path(f0, "authenticator_app_factor", "totp_id") != path(body, "member", "totp_registration_id") {
						t.Errorf("factor %v", f0)
					}
				}
			})
		}
	}
}

func TestSessionDurationDefaultConfig(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.SessionDurationDefault = 15 * time.Minute })
	f.post(pSend, sendBody(phoneMember))
	st, body := f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP))
	wantOK(t, st, body)
	if got := path(body, "member_session", "expires_at"); got != ts(testStart.Add(15*time.Minute)) {
		t.Errorf("expires_at %v", got)
	}
}

func TestExistingSession(t *testing.T) {
	f := newFixture(t)
	f.post(pSend, sendBody(phoneMember))
	st, first := f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_custom_claims", map[string]any{"team": "red", "sub": "ignored"}))
	wantOK(t, st, first)
	if got := path(first, "member_session", "custom_claims"); !reflect.DeepEqual(got, map[string]any{"team": "red"}) {
		t.Errorf("custom_claims %v", got)
	}
	if claims := parseJWT(t, first["session_jwt"].(string)); claims["team"] != "red" || claims["sub"] != phoneMember {
		t.Errorf("claims %v", claims)
	}

	// Step up with TOTP on the same session, ten minutes later, by token.
	f.clock.Advance(10 * time.Minute)
	f.post(pTOTP, sendBody(phoneMember))
	code, err := TOTPCode(fixedSecret, f.clock.Now())
	must(t, err)
	st, second := f.post(pTOTPAuth, sendBody(phoneMember, "code", code, "session_token", first["session_token"],
		"session_duration_minutes", 20, "session_custom_claims", map[string]any{"team": nil}))
	wantOK(t, st, second)
	if second["session_token"] != first["session_token"] ||
		path(second, "member_session", "member_session_id") != path(first, "member_session", "member_session_id") ||
		path(second, "member_session", "started_at") != ts(testStart) ||
		path(second, "member_session", "expires_at") != ts(testStart.Add(30*time.Minute)) ||
		len(path(second, "member_session", "authentication_factors").([]any)) != 2 ||
		path(second, "member_session", "custom_claims") != nil {
		t.Errorf("session not extended: %v", second["member_session"])
	}

	// The JWT works too; a fresh SMS code adds no third factor.
	f.post(pSend, sendBody(phoneMember))
	st, third := f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_jwt", second["session_jwt"]))
	wantOK(t, st, third)
	if third["session_token"] != first["session_token"] || len(path(third, "member_session", "authentication_factors").([]any)) != 2 {
		t.Errorf("session %v", third["member_session"])
	}

	tests := []struct {
		name  string
		extra []any
		st    int
		want  string
	}{
		{"unknown token", []any{"session_token", "nope"}, http.StatusNotFound, ErrorTypeSessionNotFound},
		{"unknown jwt", []any{"session_jwt", "a.b.c"}, http.StatusNotFound, ErrorTypeSessionNotFound},
		{"intermediate", []any{"intermediate_session_token", "ist"}, http.StatusNotFound, ErrorTypeIntermediateSessionNotFound},
		{"two", []any{"session_token", first["session_token"], "session_jwt", second["session_jwt"]}, http.StatusBadRequest, ErrorTypeTooManySessionArguments},
	}
	f.post(pSend, sendBody(phoneMember))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := f.post(pSMSAuth, sendBody(phoneMember, append([]any{"code", fixedOTP}, tt.extra...)...))
			wantError(t, st, body, tt.st, tt.want)
		})
	}
	// Another member's session is not found for this member.
	st, body := f.post(pTOTP, sendBody(testMember, "session_token", first["session_token"]))
	wantError(t, st, body, http.StatusNotFound, ErrorTypeSessionNotFound)
	// An expired session is gone.
	f.clock.Advance(time.Hour)
	st, body = f.post(pTOTP, sendBody(phoneMember, "session_token", first["session_token"]))
	wantError(t, st, body, http.StatusNotFound, ErrorTypeSessionNotFound)
}

func TestMFAEnrollment(t *testing.T) {
	f := newFixture(t)
	f.post(pSend, sendBody(phoneMember))
	st, body := f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "set_mfa_enrollment", "enroll"))
	wantOK(t, st, body)
	if path(body, "member", "mfa_enrolled") != true {
		t.Errorf("member %v", body["member"])
	}
	f.post(pSend, sendBody(phoneMember))
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "set_mfa_enrollment", "unenroll"))
	wantOK(t, st, body)
	if path(body, "member", "mfa_enrolled") != false {
		t.Errorf("member %v", body["member"])
	}
	// TOTP with set_default_mfa switches the default method.
	f.post(pTOTP, sendBody(phoneMember))
	code, _ := TOTPCode(fixedSecret, testStart)
	st, body = f.post(pTOTPAuth, sendBody(phoneMember, "code", code, "set_default_mfa", true))
	wantOK(t, st, body)
	if path(body, "member", "default_mfa_method") != defaultMFATOTP {
		t.Errorf("member %v", body["member"])
	}
	// REQUIRED_FOR_ALL enrolls regardless.
	must(t, f.fake.SetMFAPolicy(testOrg, "REQUIRED_FOR_ALL"))
	f.post(pSend, sendBody(phoneMember))
	st, body = f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "set_mfa_enrollment", "unenroll"))
	wantOK(t, st, body)
	if path(body, "member", "mfa_enrolled") != true || path(body, "organization", "mfa_policy") != "REQUIRED_FOR_ALL" {
		t.Errorf("member %v", body["member"])
	}
	if err := f.fake.SetMFAPolicy(testOrg, "SOMETIMES"); err == nil {
		t.Error("SetMFAPolicy accepted an unknown policy")
	}
}

func TestRequestsAndReset(t *testing.T) {
	f := newFixture(t)
	f.post(pSend, sendBody(testMember, "mfa_phone_number", "+15005550007"))
	f.do(http.MethodPost, pSend, sendBody(testMember), nil)
	reqs := f.fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Operation != OpSMSSend || r.Method != http.MethodPost || r.Path != pSend || r.Status != http.StatusOK ||
		r.Body["mfa_phone_number"] != "+15005550007" || !json.Valid(r.Raw) || !json.Valid(r.Response) {
		t.Errorf("received %+v", r)
	}
	if got := r.Header.Get("Authorization"); got != "Basic ***" {
		t.Errorf("Authorization %q", got)
	}
	if reqs[1].Status != http.StatusUnauthorized || reqs[1].Header.Get("Authorization") != "" {
		t.Errorf("second %+v", reqs[1])
	}
	// Requests returns a copy.
	reqs[0].Path = "changed"
	if f.fake.Requests()[0].Path != pSend {
		t.Error("Requests shares its slice")
	}

	f.fake.Reset()
	if len(f.fake.Requests()) != 0 {
		t.Error("Reset kept requests")
	}
	if _, ok := f.fake.LastOTP(testMember); ok {
		t.Error("Reset kept codes")
	}
	// The phone number enrolled by the send is gone; seeded ones stay.
	st, body := f.post(pSend, sendBody(testMember))
	wantError(t, st, body, http.StatusBadRequest, ErrorTypeMemberPhoneNumberNotFound)
	st, body = f.post(pSend, sendBody(phoneMember))
	wantOK(t, st, body)
}

func TestSeedErrors(t *testing.T) {
	s := New(Config{ProjectID: "p", Secret: "s"})
	must(t, s.AddOrganization("o", "O"))
	for _, err := range []error{
		s.AddOrganization("o", "again"),
		s.AddOrganization("", "empty"),
		s.AddMember("nope", "m", "e", ""),
		s.AddMember("o", "", "e", ""),
		s.AddMember("o", "m", "e", "12345"),
		s.SetMFAPolicy("nope", "OPTIONAL"),
	} {
		if err == nil {
			t.Error("want an error")
		}
	}
	must(t, s.AddMember("o", "m", "e", ""))
	if err := s.AddMember("o", "m", "e", ""); err == nil {
		t.Error("duplicate member accepted")
	}
}

// A failing random source gives 500s, not panics.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, fmt.Errorf("no entropy") }

func TestRandomSourceFailure(t *testing.T) {
	f := newFixture(t)
	f.fake.rand = failingReader{}
	st, body := f.post(pSend, sendBody(phoneMember))
	if st != http.StatusInternalServerError || body["error_type"] != ErrorTypeInternalServerError {
		t.Errorf("got %d %v", st, body)
	}
}

func TestConcurrentFlows(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.OTPCode = nil; c.TOTPSecret = nil; c.Rand = nil })
	const n = 16
	for i := range n {
		must(t, f.fake.AddMember(testOrg, fmt.Sprintf("member-test-c%02d", i), fmt.Sprintf("c%d@acme.example", i), ""))
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("member-test-c%02d", i)
			st, body := f.post(pSend, sendBody(id, "mfa_phone_number", fmt.Sprintf("+1500555%04d", i)))
			if st != http.StatusOK {
				t.Errorf("send %d %v", st, body)
				return
			}
			code, _ := f.fake.LastOTP(id)
			if st, body := f.post(pSMSAuth, sendBody(id, "code", code)); st != http.StatusOK {
				t.Errorf("authenticate %d %v", st, body)
			}
			st, body = f.post(pTOTP, sendBody(id))
			if st != http.StatusOK {
				t.Errorf("create %d %v", st, body)
				return
			}
			totp, err := TOTPCode(body["secret"].(string), f.clock.Now())
			if err != nil {
				t.Error(err)
				return
			}
			if st, body := f.post(pTOTPAuth, sendBody(id, "code", totp)); st != http.StatusOK {
				t.Errorf("totp authenticate %d %v", st, body)
			}
			_ = f.fake.Requests()
		}()
	}
	wg.Wait()
	if got := len(f.fake.Requests()); got != 4*n {
		t.Errorf("%d requests recorded", got)
	}
}

func TestDeterministic(t *testing.T) {
	run := func() []string {
		f := newFixture(t)
		var out []string
		for _, step := range []struct {
			p    string
			body map[string]any
		}{
			{pSend, sendBody(phoneMember)},
			{pSMSAuth, sendBody(phoneMember, "code", fixedOTP)},
			{pTOTP, sendBody(testMember)},
		} {
			_, body := f.post(step.p, step.body)
			b, _ := json.Marshal(body)
			out = append(out, string(b))
		}
		return out
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two runs differ:\n%v\n%v", a, b)
	}
}
