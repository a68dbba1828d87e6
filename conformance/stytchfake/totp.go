package stytchfake

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// TOTP parameters (RFC 6238 defaults, as authenticator apps use them).
const (
	TOTPPeriod = 30 * time.Second
	TOTPDigits = 6
	// TOTPSkew is how many time steps before and after the current one a
	// code is accepted from.
	TOTPSkew = 1
)

// ErrInvalidSecret is returned (wrapped) by TOTPCode for a secret that is
// not base32.
var ErrInvalidSecret = errors.New("stytchfake: TOTP secret is not valid base32")

// TOTPCode returns the RFC 6238 code (HMAC-SHA1, 30-second steps, 6 digits)
// for a base32 secret at time t. The secret may be lower case and may carry
// "=" padding or spaces, as authenticator apps accept it.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, totpCounter(t)), nil
}

func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSecret)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSecret, err)
	}
	return key, nil
}

// totpCounter is the RFC 6238 time step number T = floor(unix / 30).
func totpCounter(t time.Time) int64 {
	u := t.Unix()
	p := int64(TOTPPeriod / time.Second)
	c := u / p
	if u%p < 0 {
		c--
	}
	return c
}

// hotp is RFC 4226 HOTP with HMAC-SHA1 and dynamic truncation.
func hotp(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range TOTPDigits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", TOTPDigits, bin%mod)
}

// totpCreate implements POST /v1/b2b/totp.
func (s *Server) totpCreate(c *call) (any, *apiError) {
	org, m, aerr := s.lookup(c)
	if aerr != nil {
		return nil, aerr
	}
	expiration := DefaultTOTPExpiration
	mins, given, aerr := intField(c.body, "expiration_minutes")
	if aerr != nil {
		return nil, aerr
	}
	if given {
		if mins < 5 || mins > 1440 {
			return nil, errorf(http.StatusBadRequest, ErrorTypeInvalidExpiration, "expiration_minutes must be between 5 and 1440.")
		}
		expiration = time.Duration(mins) * time.Minute
	}
	if _, aerr := s.existingSession(c, m); aerr != nil {
		return nil, aerr
	}
	if reg := s.totps[m.id]; reg != nil && reg.verified {
		return nil, errorf(http.StatusBadRequest, ErrorTypeActiveTOTPExists,
			"Cannot create a new TOTP registration: the member already has an active one.")
	}
	secret, err := s.nextTOTPSecret()
	if err != nil {
		return nil, internalError()
	}
	if _, err := decodeSecret(secret); err != nil {
		return nil, internalError()
	}
	id, err := s.newID("member-totp-test-")
	if err != nil {
		return nil, internalError()
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		if codes[i], err = s.recoveryCode(); err != nil {
			return nil, internalError()
		}
	}
	reg := &totpRegistration{id: id, secret: secret, recoveryCodes: codes, created: c.now, expires: c.now.Add(expiration)}
	s.totps[m.id] = reg // replaces a pending registration
	if f := s.cfg.OnTOTP; f != nil {
		ev := TOTPIssued{OrganizationID: org.id, MemberID: m.id, RegistrationID: id, Secret: secret,
			RecoveryCodes: append([]string(nil), codes...), ExpiresAt: reg.expires}
		c.after = append(c.after, func() { f(ev) })
	}
	return &totpCreateResponse{
		RequestID:          c.requestID,
		MemberID:           m.id,
		TOTPRegistrationID: id,
		Secret:             secret,
		QRCode:             qrCode(otpauthURI(org, m, secret)),
		RecoveryCodes:      codes,
		Member:             m.json(),
		Organization:       org.json(),
		StatusCode:         http.StatusOK,
	}, nil
}

// totpAuthenticate implements POST /v1/b2b/totp/authenticate.
func (s *Server) totpAuthenticate(c *call) (any, *apiError) {
	org, m, aerr := s.lookup(c)
	if aerr != nil {
		return nil, aerr
	}
	code, aerr := stringField(c.body, "code", true)
	if aerr != nil {
		return nil, aerr
	}
	sp, aerr := s.readSessionParams(c, m)
	if aerr != nil {
		return nil, aerr
	}
	mp, aerr := readMFAParams(c)
	if aerr != nil {
		return nil, aerr
	}
	if _, aerr := stringField(c.body, "telemetry_id", false); aerr != nil {
		return nil, aerr
	}
	reg := s.totps[m.id]
	if reg == nil {
		return nil, errorf(http.StatusNotFound, ErrorTypeTOTPNotFound, "The member has no TOTP registration.")
	}
	if !reg.verified && !c.now.Before(reg.expires) {
		return nil, errorf(http.StatusBadRequest, ErrorTypeExpiredTOTP,
			"The TOTP registration expired before its first authentication; create a new one.")
	}
	for _, rc := range reg.recoveryCodes {
		if subtle.ConstantTimeCompare([]byte(rc), []byte(code)) == 1 {
			return nil, errorf(http.StatusBadRequest, ErrorTypeRecoveryCodeUsedAsTOTPCode,
				"A recovery code was given as a TOTP code.")
		}
	}
	if !isDigits(code, TOTPDigits) {
		return nil, errorf(http.StatusBadRequest, ErrorTypeInvalidTOTPCode, "A TOTP code is %d digits.", TOTPDigits)
	}
	key, err := decodeSecret(reg.secret)
	if err != nil {
		return nil, internalError()
	}
	now := totpCounter(c.now)
	matched, replay := false, false
	var counter int64
	for step := now - TOTPSkew; step <= now+TOTPSkew; step++ {
		if subtle.ConstantTimeCompare([]byte(hotp(key, step)), []byte(code)) != 1 {
			continue
		}
		if reg.hasCounter && step <= reg.lastCounter {
			replay = true
			continue
		}
		matched, counter = true, step
		break
	}
	switch {
	case !matched && replay:
		return nil, errorf(http.StatusBadRequest, ErrorTypeTOTPCodeAlreadyAuthenticated, "This TOTP code was already used.")
	case !matched:
		return nil, errorf(http.StatusUnauthorized, ErrorTypeUnableToAuthenticateTOTP, "The TOTP code could not be authenticated.")
	}
	reg.lastCounter, reg.hasCounter = counter, true
	if !reg.verified {
		reg.verified = true
		m.totpID = reg.id
	}
	mp.apply(c.now, org, m, defaultMFATOTP)
	f := authFactor{typ: "totp", delivery: "authenticator_app", totpID: reg.id, created: c.now, lastAuthed: c.now}
	return s.startSession(c, sp, org, m, f)
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// nextTOTPSecret returns the configured secret source's next secret, or a
// random one.
func (s *Server) nextTOTPSecret() (string, error) {
	if s.cfg.TOTPSecret != nil {
		return s.cfg.TOTPSecret(), nil
	}
	return s.base32Secret()
}

// otpauthURI is the Key URI an authenticator app scans:
// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...
func otpauthURI(org *organization, m *member, secret string) string {
	issuer := org.name
	if issuer == "" {
		issuer = org.id
	}
	account := m.email
	if account == "" {
		account = m.id
	}
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(TOTPDigits))
	q.Set("period", fmt.Sprint(int(TOTPPeriod/time.Second)))
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + q.Encode()
}

// qrCode wraps the otpauth URI in a base64 data URL. Stytch returns a PNG
// image of the QR code (data:image/png;base64,...); the fake returns the
// payload the image would encode (data:text/plain;base64,...).
func qrCode(uri string) string {
	return "data:text/plain;base64," + base64.StdEncoding.EncodeToString([]byte(uri))
}

// QRPayload decodes the otpauth:// URI from a qr_code value returned by the
// fake.
func QRPayload(qrCode string) (string, error) {
	const prefix = "data:text/plain;base64,"
	if !strings.HasPrefix(qrCode, prefix) {
		return "", errors.New("stytchfake: qr_code is not a data:text/plain;base64 URL")
	}
	b, err := base64.StdEncoding.DecodeString(qrCode[len(prefix):])
	if err != nil {
		return "", fmt.Errorf("stytchfake: qr_code: %w", err)
	}
	return string(b), nil
}
