package stytchfake

import (
	"crypto/subtle"
	"net/http"
)

// smsSend implements POST /v1/b2b/otps/sms/send.
func (s *Server) smsSend(c *call) (any, *apiError) {
	org, m, aerr := s.lookup(c)
	if aerr != nil {
		return nil, aerr
	}
	phone, aerr := stringField(c.body, "mfa_phone_number", false)
	if aerr != nil {
		return nil, aerr
	}
	if _, aerr := stringField(c.body, "locale", false); aerr != nil {
		return nil, aerr
	}
	if _, aerr := s.existingSession(c, m); aerr != nil {
		return nil, aerr
	}
	switch {
	case phone != "" && !validE164(phone):
		return nil, errorf(http.StatusBadRequest, ErrorTypeInvalidPhoneNumber,
			"Phone number format is invalid. Ensure the phone number is in the E.164 format.")
	case phone != "" && m.phone != "" && phone != m.phone:
		return nil, errorf(http.StatusBadRequest, ErrorTypeMemberPhoneNumberMismatch,
			"The member already has an MFA phone number, and mfa_phone_number does not match it.")
	case phone == "" && m.phone == "":
		return nil, errorf(http.StatusBadRequest, ErrorTypeMemberPhoneNumberNotFound,
			"The member has no MFA phone number; provide mfa_phone_number.")
	}
	if m.phone == "" {
		id, err := s.newID("member-phone-test-")
		if err != nil {
			return nil, internalError()
		}
		m.phone, m.phoneID, m.phoneVerified, m.updated = phone, id, false, c.now
	}
	code, err := s.nextOTPCode()
	if err != nil {
		return nil, internalError()
	}
	if prev := s.otps[m.id]; prev != nil {
		s.spend(m.id, prev.code)
	}
	s.otps[m.id] = &otpCode{code: code, phone: m.phone, issued: c.now}
	s.lastOTP[m.id] = code
	if f := s.cfg.OnOTP; f != nil {
		ev := OTPIssued{OrganizationID: org.id, MemberID: m.id, PhoneNumber: m.phone, Code: code, ExpiresAt: c.now.Add(OTPTTL)}
		c.after = append(c.after, func() { f(ev) })
	}
	return &smsSendResponse{
		RequestID:    c.requestID,
		MemberID:     m.id,
		Member:       m.json(),
		Organization: org.json(),
		StatusCode:   http.StatusOK,
	}, nil
}

// smsAuthenticate implements POST /v1/b2b/otps/sms/authenticate.
func (s *Server) smsAuthenticate(c *call) (any, *apiError) {
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
	cur := s.otps[m.id]
	switch {
	case cur != nil && subtle.ConstantTimeCompare([]byte(cur.code), []byte(code)) == 1:
		if cur.used || !c.now.Before(cur.issued.Add(OTPTTL)) {
			return nil, unableToAuthOTP()
		}
	case s.spentOTPs[m.id][code]:
		return nil, unableToAuthOTP()
	default:
		return nil, unableToAuthOTP()
	}
	cur.used = true
	s.spend(m.id, cur.code)
	m.phoneVerified = true
	mp.apply(c.now, org, m, defaultMFASMSOTP)
	f := authFactor{typ: "otp", delivery: "sms", phoneID: m.phoneID, phone: cur.phone, created: c.now, lastAuthed: c.now}
	return s.startSession(c, sp, org, m, f)
}

func unableToAuthOTP() *apiError {
	return errorf(http.StatusUnauthorized, ErrorTypeOTPCodeNotFound,
		"The OTP code could not be found: it is wrong, expired, already used or replaced; send a new code.")
}

// spend records a passcode that can no longer be used.
func (s *Server) spend(memberID, code string) {
	set := s.spentOTPs[memberID]
	if set == nil {
		set = map[string]bool{}
		s.spentOTPs[memberID] = set
	}
	set[code] = true
}

// nextOTPCode returns the configured code source's next code, or six random
// digits.
func (s *Server) nextOTPCode() (string, error) {
	if s.cfg.OTPCode != nil {
		return s.cfg.OTPCode(), nil
	}
	return s.digits(6)
}
