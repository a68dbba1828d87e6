package stytchfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"time"
)

// Claims reserved by JWT that session_custom_claims may not set ("will be
// ignored").
var reservedClaims = map[string]bool{"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true}

// sessionParams are the session-related fields of an authenticate request,
// read and checked before the passcode is checked so that a bad request
// never consumes a code.
type sessionParams struct {
	existing *session
	duration time.Duration
	claims   map[string]any // nil: not given; a nil value deletes the key
}

func (s *Server) readSessionParams(c *call, m *member) (*sessionParams, *apiError) {
	p := &sessionParams{duration: s.sessionDflt}
	mins, given, aerr := intField(c.body, "session_duration_minutes")
	if aerr != nil {
		return nil, aerr
	}
	if given {
		if mins < MinSessionMinutes || mins > MaxSessionMinutes {
			return nil, errorf(http.StatusBadRequest, ErrorTypeInvalidSessionDuration,
				"session_duration_minutes must be between %d and %d.", MinSessionMinutes, MaxSessionMinutes)
		}
		p.duration = time.Duration(mins) * time.Minute
	}
	if v, ok := c.body["session_custom_claims"]; ok {
		claims, ok := v.(map[string]any)
		if !ok {
			return nil, badRequest("session_custom_claims must be an object.")
		}
		if b, err := json.Marshal(claims); err != nil || len(b) > maxCustomClaimsSize {
			return nil, errorf(http.StatusBadRequest, ErrorTypeCustomClaimsTooLarge,
				"The total size of custom claims cannot exceed %d bytes.", maxCustomClaimsSize)
		}
		p.claims = claims
	}
	existing, aerr := s.existingSession(c, m)
	if aerr != nil {
		return nil, aerr
	}
	p.existing = existing
	return p, nil
}

// existingSession resolves the optional intermediate_session_token,
// session_token and session_jwt fields (at most one may be given). It
// returns nil when none is given. The fake never issues intermediate
// session tokens, so any such token is unknown.
func (s *Server) existingSession(c *call, m *member) (*session, *apiError) {
	ist, aerr := stringField(c.body, "intermediate_session_token", false)
	if aerr != nil {
		return nil, aerr
	}
	tok, aerr := stringField(c.body, "session_token", false)
	if aerr != nil {
		return nil, aerr
	}
	jwt, aerr := stringField(c.body, "session_jwt", false)
	if aerr != nil {
		return nil, aerr
	}
	given := 0
	for _, v := range []string{ist, tok, jwt} {
		if v != "" {
			given++
		}
	}
	switch {
	case given == 0:
		return nil, nil
	case given > 1:
		return nil, errorf(http.StatusBadRequest, ErrorTypeTooManySessionArguments,
			"Provide only one of intermediate_session_token, session_token, or session_jwt.")
	case ist != "":
		return nil, errorf(http.StatusNotFound, ErrorTypeIntermediateSessionNotFound, "Intermediate session could not be found.")
	}
	if jwt != "" {
		tok = s.jwts[jwt]
	}
	ss := s.sessions[tok]
	if ss == nil || !c.now.Before(ss.expires) || ss.memberID != m.id {
		return nil, errorf(http.StatusNotFound, ErrorTypeSessionNotFound, "Session could not be found.")
	}
	return ss, nil
}

// startSession adds factor to the existing session (extending it) or
// starts a new one, and builds the authenticate response.
func (s *Server) startSession(c *call, p *sessionParams, org *organization, m *member, f authFactor) (*authenticateResponse, *apiError) {
	ss := p.existing
	if ss == nil {
		id, err := s.newID("member-session-test-")
		if err != nil {
			return nil, internalError()
		}
		tok, err := s.token()
		if err != nil {
			return nil, internalError()
		}
		ss = &session{id: id, token: tok, memberID: m.id, orgID: org.id, started: c.now}
		s.sessions[tok] = ss
	}
	ss.lastAccessed = c.now
	ss.expires = c.now.Add(p.duration)
	replaced := false
	for i := range ss.factors {
		if ss.factors[i].typ == f.typ && ss.factors[i].delivery == f.delivery {
			f.created = ss.factors[i].created
			ss.factors[i] = f
			replaced = true
		}
	}
	if !replaced {
		ss.factors = append(ss.factors, f)
	}
	if p.claims != nil {
		if ss.claims == nil {
			ss.claims = map[string]any{}
		}
		for k, v := range p.claims {
			switch {
			case reservedClaims[k]:
			case v == nil:
				delete(ss.claims, k)
			default:
				ss.claims[k] = v
			}
		}
	}
	jwt, err := s.mintJWT(ss, org, c.now)
	if err != nil {
		return nil, internalError()
	}
	s.jwts[jwt] = ss.token
	return &authenticateResponse{
		RequestID:     c.requestID,
		MemberID:      m.id,
		Member:        m.json(),
		Organization:  org.json(),
		SessionToken:  ss.token,
		SessionJWT:    jwt,
		MemberSession: ss.json(org.slug),
		StatusCode:    http.StatusOK,
	}, nil
}

// mintJWT returns a session JWT: header.payload.signature, HS256 over the
// project secret (Stytch signs with RS256 keys published as a JWKS; the
// fake keeps the shape and the claims, not the key type).
func (s *Server) mintJWT(ss *session, org *organization, now time.Time) (string, error) {
	factors := make([]authFactorJSON, len(ss.factors))
	for i := range ss.factors {
		factors[i] = ss.factors[i].json()
	}
	claims := map[string]any{}
	maps.Copy(claims, ss.claims)
	maps.Copy(claims, map[string]any{
		"aud": []string{s.cfg.ProjectID},
		"exp": now.Add(jwtLifetime).Unix(),
		"iat": now.Unix(),
		"iss": "stytch.com/" + s.cfg.ProjectID,
		"nbf": now.Unix(),
		"sub": ss.memberID,
		"https://stytch.com/session": map[string]any{
			"id":                     ss.id,
			"started_at":             ts(ss.started),
			"last_accessed_at":       ts(ss.lastAccessed),
			"expires_at":             ts(ss.expires),
			"attributes":             map[string]any{"user_agent": "", "ip_address": ""},
			"authentication_factors": factors,
		},
		"https://stytch.com/organization": map[string]any{
			"organization_id": org.id,
			"slug":            org.slug,
		},
	})
	return signJWT(map[string]any{"alg": "HS256", "typ": "JWT"}, claims, []byte(s.cfg.Secret))
}

func signJWT(header, claims map[string]any, key []byte) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil)), nil
}

// mfaParams are set_mfa_enrollment and set_default_mfa.
type mfaParams struct {
	enroll     string
	setDefault bool
}

func readMFAParams(c *call) (mfaParams, *apiError) {
	enroll, aerr := stringField(c.body, "set_mfa_enrollment", false)
	if aerr != nil {
		return mfaParams{}, aerr
	}
	switch enroll {
	case "", "enroll", "unenroll":
	default:
		return mfaParams{}, badRequest("set_mfa_enrollment must be one of enroll or unenroll.")
	}
	setDefault, aerr := boolField(c.body, "set_default_mfa")
	if aerr != nil {
		return mfaParams{}, aerr
	}
	return mfaParams{enroll: enroll, setDefault: setDefault}, nil
}

// apply updates the member after a successful second-factor
// authentication: the organization's MFA policy or set_mfa_enrollment
// decides mfa_enrolled, and the first MFA method completed (or the one
// authenticated with set_default_mfa) becomes default_mfa_method.
func (p mfaParams) apply(now time.Time, org *organization, m *member, method string) {
	switch {
	case org.mfaPolicy == mfaPolicyRequired, p.enroll == "enroll":
		m.mfaEnrolled = true
	case p.enroll == "unenroll":
		m.mfaEnrolled = false
	}
	if p.setDefault || m.defaultMFA == "" {
		m.defaultMFA = method
	}
	m.updated = now
}
