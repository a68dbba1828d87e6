package stytchfake

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// RFC 6238 Appendix B, SHA-1 rows, key "12345678901234567890"; the last six
// of the eight digits.
func TestTOTPCodeRFC6238Vectors(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32("12345678901234567890")
	tests := []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		got, err := TOTPCode(secret, time.Unix(tt.unix, 0))
		if err != nil || got != tt.want {
			t.Errorf("TOTPCode(%d) = %q, %v; want %s", tt.unix, got, err, tt.want)
		}
	}
	// Lower case, padding and spaces are accepted.
	for _, s := range []string{strings.ToLower(secret), secret + "====", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"} {
		if got, err := TOTPCode(s, time.Unix(59, 0)); err != nil || got != "287082" {
			t.Errorf("TOTPCode(%q) = %q, %v", s, got, err)
		}
	}
}

func TestTOTPCodeInvalidSecret(t *testing.T) {
	for _, s := range []string{"", "====", "not base32!", "18"} {
		if _, err := TOTPCode(s, testStart); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("TOTPCode(%q) error %v", s, err)
		}
	}
}

func TestTOTPCounterBeforeEpoch(t *testing.T) {
	if got := totpCounter(time.Unix(-1, 0)); got != -1 {
		t.Errorf("counter %d", got)
	}
	if got := totpCounter(time.Unix(-30, 0)); got != -1 {
		t.Errorf("counter %d", got)
	}
}

func TestTOTPCreate(t *testing.T) {
	var events []TOTPIssued
	var mu sync.Mutex
	f := newFixture(t, func(c *Config) {
		c.TOTPSecret = nil
		c.OnTOTP = func(e TOTPIssued) { mu.Lock(); events = append(events, e); mu.Unlock() }
	})
	st, body := f.post(pTOTP, sendBody(testMember))
	wantOK(t, st, body)
	secret := body["secret"].(string)
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) {
		t.Errorf("secret %q", secret)
	}
	if s, ok := f.fake.LastTOTPSecret(testMember); !ok || s != secret {
		t.Errorf("LastTOTPSecret = %q, %v", s, ok)
	}
	id := body["totp_registration_id"].(string)
	if !regexp.MustCompile(`^member-totp-test-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("totp_registration_id %q", id)
	}
	codes := body["recovery_codes"].([]any)
	if len(codes) != RecoveryCodeCount {
		t.Errorf("%d recovery codes", len(codes))
	}
	seen := map[any]bool{}
	for _, c := range codes {
		if !regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`).MatchString(c.(string)) || seen[c] {
			t.Errorf("recovery code %q", c)
		}
		seen[c] = true
	}
	uri, err := QRPayload(body["qr_code"].(string))
	must(t, err)
	u, err := url.Parse(uri)
	must(t, err)
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secret || u.Query().Get("issuer") != testOrgName ||
		u.Path != "/"+testOrgName+":"+testEmail || u.Query().Get("digits") != "6" || u.Query().Get("period") != "30" {
		t.Errorf("otpauth URI %q", uri)
	}
	// Not active until authenticated.
	if path(body, "member", "totp_registration_id") != "" {
		t.Errorf("member %v", body["member"])
	}
	mu.Lock()
	if len(events) != 1 || events[0].Secret != secret || events[0].RegistrationID != id ||
		!events[0].ExpiresAt.Equal(testStart.Add(DefaultTOTPExpiration)) {
		t.Errorf("OnTOTP events %+v", events)
	}
	mu.Unlock()

	code, err := TOTPCode(secret, testStart)
	must(t, err)
	st, body = f.post(pTOTPAuth, sendBody(testMember, "code", code))
	wantOK(t, st, body)
	if path(body, "member", "totp_registration_id") != id || path(body, "member", "default_mfa_method") != defaultMFATOTP {
		t.Errorf("member %v", body["member"])
	}
	// Members may have only one active registration.
	st, body = f.post(pTOTP, sendBody(testMember))
	wantError(t, st, body, http.StatusBadRequest, ErrorTypeActiveTOTPExists)

	if _, err := QRPayload("data:image/png;base64,AAAA"); err == nil {
		t.Error("QRPayload accepted a PNG URL")
	}
	if _, err := QRPayload("data:text/plain;base64,!!"); err == nil {
		t.Error("QRPayload accepted bad base64")
	}
}

func TestTOTPSkew(t *testing.T) {
	tests := []struct {
		offset time.Duration
		ok     bool
	}{
		{-2 * TOTPPeriod, false},
		{-TOTPPeriod, true},
		{0, true},
		{TOTPPeriod, true},
		{2 * TOTPPeriod, false},
	}
	for _, tt := range tests {
		t.Run(tt.offset.String(), func(t *testing.T) {
			f := newFixture(t)
			st, body := f.post(pTOTP, sendBody(testMember))
			wantOK(t, st, body)
			code, err := TOTPCode(fixedSecret, f.clock.Now().Add(tt.offset))
			must(t, err)
			st, body = f.post(pTOTPAuth, sendBody(testMember, "code", code))
			if tt.ok {
				wantOK(t, st, body)
			} else {
				wantError(t, st, body, http.StatusUnauthorized, ErrorTypeUnableToAuthenticateTOTP)
			}
		})
	}
}

func TestTOTPCodeReplay(t *testing.T) {
	f := newFixture(t)
	f.post(pTOTP, sendBody(testMember))
	code, _ := TOTPCode(fixedSecret, testStart)
	st, body := f.post(pTOTPAuth, sendBody(testMember, "code", code))
	wantOK(t, st, body)
	st, body = f.post(pTOTPAuth, sendBody(testMember, "code", code))
	wantError(t, st, body, http.StatusBadRequest, ErrorTypeTOTPCodeAlreadyAuthenticated)
	// The previous step's code is older than the one used: also a replay.
	prev, _ := TOTPCode(fixedSecret, testStart.Add(-TOTPPeriod))
	st, body = f.post(pTOTPAuth, sendBody(testMember, "code", prev))
	wantError(t, st, body, http.StatusBadRequest, ErrorTypeTOTPCodeAlreadyAuthenticated)
	// The next step's code works once.
	f.clock.Advance(TOTPPeriod)
	next, _ := TOTPCode(fixedSecret, f.clock.Now())
	st, body = f.post(pTOTPAuth, sendBody(testMember, "code", next))
	wantOK(t, st, body)
}

func TestTOTPAuthenticateErrors(t *testing.T) {
	f := newFixture(t)
	st, body := f.post(pTOTPAuth, sendBody(testMember, "code", "123456"))
	wantError(t, st, body, http.StatusNotFound, ErrorTypeTOTPNotFound)

	st, created := f.post(pTOTP, sendBody(testMember))
	wantOK(t, st, created)
	for _, c := range []string{"12345", "1234567", "abcdef", ""} {
		st, body = f.post(pTOTPAuth, sendBody(testMember, "code", c))
		if c == "" {
			wantError(t, st, body, http.StatusBadRequest, ErrorTypeBadRequest)
			continue
		}
		wantError(t, st, body, http.StatusBadRequest, ErrorTypeInvalidTOTPCode)
	}
	rc := created["recovery_codes"].([]any)[3]
	st, body = f.post(pTOTPAuth, sendBody(testMember, "code", rc))
	wantError(t, st, body, http.StatusBadRequest, ErrorTypeRecoveryCodeUsedAsTOTPCode)
}

func TestTOTPPendingRegistration(t *testing.T) {
	secrets := []string{"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", fixedSecret}
	var mu sync.Mutex
	f := newFixture(t, func(c *Config) {
		c.TOTPSecret = func() string {
			mu.Lock()
			defer mu.Unlock()
			s := secrets[0]
			secrets = secrets[1:]
			return s
		}
	})
	st, first := f.post(pTOTP, sendBody(testMember))
	wantOK(t, st, first)
	// A second create before the first is authenticated replaces it.
	st, second := f.post(pTOTP, sendBody(testMember, "expiration_minutes", 5))
	wantOK(t, st, second)
	if second["totp_registration_id"] == first["totp_registration_id"] {
		t.Error("registration not replaced")
	}
	old, _ := TOTPCode(first["secret"].(string), testStart)
	st, body := f.post(pTOTPAuth, sendBody(testMember, "code", old))
	wantError(t, st, body, http.StatusUnauthorized, ErrorTypeUnableToAuthenticateTOTP)
	// The pending registration expires after expiration_minutes.
	f.clock.Advance(5 * time.Minute)
	code, _ := TOTPCode(fixedSecret, f.clock.Now())
	st, body = f.post(pTOTPAuth, sendBody(testMember, "code", code))
	wantError(t, st, body, http.StatusBadRequest, ErrorTypeExpiredTOTP)
	// ... and may then be replaced.
	mu.Lock()
	secrets = []string{fixedSecret}
	mu.Unlock()
	st, body = f.post(pTOTP, sendBody(testMember))
	wantOK(t, st, body)
	st, body = f.post(pTOTPAuth, sendBody(testMember, "code", code))
	wantOK(t, st, body)
}

func TestTOTPBadInjectedSecret(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.TOTPSecret = func() string { return "not base32!" } })
	st, body := f.post(pTOTP, sendBody(testMember))
	wantError(t, st, body, http.StatusInternalServerError, ErrorTypeInternalServerError)
}
