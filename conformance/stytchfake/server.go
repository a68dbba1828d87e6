package stytchfake

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Defaults and limits.
const (
	// OTPTTL is how long an SMS passcode stays valid ("OTP codes expire
	// after two minutes").
	OTPTTL = 2 * time.Minute
	// DefaultSessionDuration is the session lifetime when a request does not
	// give session_duration_minutes.
	DefaultSessionDuration = 60 * time.Minute
	// MinSessionMinutes and MaxSessionMinutes bound session_duration_minutes
	// ("a minimum of 5 and a maximum of 527040 minutes").
	MinSessionMinutes = 5
	MaxSessionMinutes = 527040
	// DefaultTOTPExpiration is how long a new TOTP registration waits for its
	// first authentication when expiration_minutes is not given; the bounds
	// are 5 and 1440 minutes.
	DefaultTOTPExpiration = 60 * time.Minute
	// RecoveryCodeCount is the number of recovery codes issued with a TOTP
	// registration.
	RecoveryCodeCount = 10
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes = 1 << 20
)

// Operation IDs served by the fake (the operationIds of the bundled Stytch
// OpenAPI description).
const (
	OpSMSSend          = "api_b2b_otp_v1_b2b_otp_sms_Send"
	OpSMSAuthenticate  = "api_b2b_otp_v1_b2b_otp_sms_Authenticate"
	OpTOTPCreate       = "api_b2b_totp_v1_Create"
	OpTOTPAuthenticate = "api_b2b_totp_v1_Authenticate"
)

// Config configures a Server. Only ProjectID and Secret are needed; every
// other field has a default.
type Config struct {
	// ProjectID and Secret are the HTTP basic-auth credentials every request
	// must carry; they also sign session JWTs.
	ProjectID, Secret string

	// Spec holds the compiled request and response schemas (see LoadSpec).
	// When nil, request bodies are checked only by the fake's own field
	// checks, which cover the fields it reads.
	Spec *Spec

	// Clock returns the current time (default time.Now).
	//
	// Clock, OTPCode and TOTPSecret are called with the server's lock held:
	// they must not call the Server's methods.
	Clock func() time.Time
	// Rand is the source of every random value: IDs, tokens, and the default
	// passcodes, secrets and recovery codes (default crypto/rand.Reader). A
	// deterministic reader makes the whole server deterministic.
	Rand io.Reader
	// OTPCode returns the next SMS passcode (default: 6 random digits).
	OTPCode func() string
	// TOTPSecret returns the next TOTP shared secret, in base32 (default: 20
	// random bytes, unpadded base32, 32 characters).
	TOTPSecret func() string
	// SessionDurationDefault is the session lifetime when a request does not
	// give session_duration_minutes (default DefaultSessionDuration).
	SessionDurationDefault time.Duration

	// NullAsAbsent treats top-level JSON null members of a request body as
	// absent before validation. Off by default: the OpenAPI schemas are not
	// nullable, so a null is a schema violation.
	NullAsAbsent bool

	// OnOTP, when set, is called (outside the server's lock) for every SMS
	// passcode issued.
	OnOTP func(OTPIssued)
	// OnTOTP, when set, is called (outside the server's lock) for every TOTP
	// registration created.
	OnTOTP func(TOTPIssued)
}

// OTPIssued describes an SMS passcode the fake "sent".
type OTPIssued struct {
	OrganizationID, MemberID, PhoneNumber, Code string
	ExpiresAt                                   time.Time
}

// TOTPIssued describes a TOTP registration the fake created.
type TOTPIssued struct {
	OrganizationID, MemberID, RegistrationID, Secret string
	RecoveryCodes                                    []string
	ExpiresAt                                        time.Time
}

// Received is one request the server handled, with its response.
type Received struct {
	// Operation is the operationId of the route, or "" for an unknown route.
	Operation string
	Method    string
	Path      string
	// Header is a copy of the request headers with the Authorization value
	// masked.
	Header http.Header
	// Body is the decoded JSON body when it is an object, else nil.
	Body map[string]any
	// Raw is the body as received.
	Raw []byte
	// Status and Response are the response status and body.
	Status   int
	Response []byte
}

// Server is an in-process fake of the Stytch B2B endpoints used by the
// bundled workflows. It is an http.Handler and is safe for concurrent use.
type Server struct {
	cfg         Config
	clock       func() time.Time
	rand        io.Reader
	sessionDflt time.Duration

	mu        sync.Mutex
	seedOrgs  map[string]organization
	seedMembs map[string]member
	orgs      map[string]*organization
	members   map[string]*member
	otps      map[string]*otpCode          // member ID -> current passcode
	spentOTPs map[string]map[string]bool   // member ID -> superseded or used passcodes
	lastOTP   map[string]string            // member ID -> last passcode issued
	totps     map[string]*totpRegistration // member ID -> registration
	sessions  map[string]*session          // session token -> session
	jwts      map[string]string            // session JWT -> session token
	requests  []Received
}

var _ http.Handler = (*Server)(nil)

// New returns a Server with no organizations or members; add them with
// AddOrganization and AddMember.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, clock: cfg.Clock, rand: cfg.Rand, sessionDflt: cfg.SessionDurationDefault}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.sessionDflt <= 0 {
		s.sessionDflt = DefaultSessionDuration
	}
	s.seedOrgs = map[string]organization{}
	s.seedMembs = map[string]member{}
	s.resetLocked()
	return s
}

// AddOrganization adds an organization (and keeps it across Reset). Its slug
// is derived from the name.
func (s *Server) AddOrganization(id, name string) error {
	if id == "" {
		return errors.New("stytchfake: empty organization ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seedOrgs[id]; ok {
		return fmt.Errorf("stytchfake: duplicate organization %q", id)
	}
	o := organization{id: id, name: name, slug: slugify(name, id), mfaPolicy: mfaPolicyOptional, created: s.clock().UTC()}
	s.seedOrgs[id] = o
	s.orgs[id] = &o
	return nil
}

// SetMFAPolicy sets an organization's mfa_policy: "OPTIONAL" (the default)
// or "REQUIRED_FOR_ALL". The setting is kept across Reset.
func (s *Server) SetMFAPolicy(orgID, policy string) error {
	if policy != mfaPolicyOptional && policy != mfaPolicyRequired {
		return fmt.Errorf("stytchfake: unknown MFA policy %q", policy)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.seedOrgs[orgID]
	if !ok {
		return fmt.Errorf("stytchfake: unknown organization %q", orgID)
	}
	o.mfaPolicy = policy
	s.seedOrgs[orgID] = o
	s.orgs[orgID].mfaPolicy = policy
	return nil
}

// AddMember adds a member of an existing organization (and keeps it across
// Reset). phone, when not empty, must be an E.164 number; it becomes the
// member's (unverified) MFA phone number.
func (s *Server) AddMember(orgID, memberID, email, phone string) error {
	if memberID == "" {
		return errors.New("stytchfake: empty member ID")
	}
	if phone != "" && !validE164(phone) {
		return fmt.Errorf("stytchfake: phone number %q is not in E.164 format", phone)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seedOrgs[orgID]; !ok {
		return fmt.Errorf("stytchfake: unknown organization %q", orgID)
	}
	if _, ok := s.seedMembs[memberID]; ok {
		return fmt.Errorf("stytchfake: duplicate member %q", memberID)
	}
	now := s.clock().UTC()
	m := member{orgID: orgID, id: memberID, email: email, phone: phone, created: now, updated: now}
	if phone != "" {
		id, err := s.newID("member-phone-test-")
		if err != nil {
			return err
		}
		m.phoneID = id
	}
	s.seedMembs[memberID] = m
	s.members[memberID] = &m
	return nil
}

// Requests returns every request handled since New or Reset, in order. The
// slice is a copy; the headers, bodies and byte slices in it are shared with
// the server's record and must not be modified.
func (s *Server) Requests() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.requests))
	copy(out, s.requests)
	return out
}

// Reset forgets every recorded request, passcode, TOTP registration and
// session, and returns organizations and members to the state they were
// added in.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Server) resetLocked() {
	s.orgs = make(map[string]*organization, len(s.seedOrgs))
	for id, o := range s.seedOrgs {
		s.orgs[id] = &o
	}
	s.members = make(map[string]*member, len(s.seedMembs))
	for id, m := range s.seedMembs {
		s.members[id] = &m
	}
	s.otps = map[string]*otpCode{}
	s.spentOTPs = map[string]map[string]bool{}
	s.lastOTP = map[string]string{}
	s.totps = map[string]*totpRegistration{}
	s.sessions = map[string]*session{}
	s.jwts = map[string]string{}
	s.requests = nil
}

// LastOTP returns the last SMS passcode issued to the member, whether or not
// it is still valid.
func (s *Server) LastOTP(memberID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.lastOTP[memberID]
	return c, ok
}

// LastTOTPSecret returns the shared secret of the member's TOTP registration
// (pending or active).
func (s *Server) LastTOTPSecret(memberID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.totps[memberID]
	if !ok {
		return "", false
	}
	return r.secret, true
}

// operation is one route.
type operation struct {
	id     string
	path   string
	handle func(s *Server, c *call) (any, *apiError)
}

var operations = []operation{
	{OpSMSSend, "/v1/b2b/otps/sms/send", (*Server).smsSend},
	{OpSMSAuthenticate, "/v1/b2b/otps/sms/authenticate", (*Server).smsAuthenticate},
	{OpTOTPCreate, "/v1/b2b/totp", (*Server).totpCreate},
	{OpTOTPAuthenticate, "/v1/b2b/totp/authenticate", (*Server).totpAuthenticate},
}

func lookupOperation(path string) *operation {
	for i := range operations {
		if operations[i].path == path {
			return &operations[i]
		}
	}
	return nil
}

// call is the per-request state a handler works with (under s.mu).
type call struct {
	requestID string
	now       time.Time
	body      map[string]any
	after     []func() // run after the lock is released
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	op := lookupOperation(r.URL.Path)
	rec := Received{Method: r.Method, Path: r.URL.Path, Header: maskHeader(r.Header), Raw: raw}
	if v, err := decodeJSON(raw); err == nil {
		rec.Body, _ = v.(map[string]any)
	}
	if op != nil {
		rec.Operation = op.id
	}

	s.mu.Lock()
	c := &call{now: s.clock()}
	reqID, idErr := s.newID("request-id-test-")
	s.mu.Unlock()
	c.requestID = reqID

	var resp any
	var aerr *apiError
	switch {
	case idErr != nil:
		aerr = internalError()
	default:
		var checked any
		checked, aerr = s.admit(r, op, raw, readErr)
		if aerr == nil {
			resp, aerr = s.dispatch(op, c, checked)
		}
	}

	status := http.StatusOK
	if aerr != nil {
		status, resp = aerr.status, aerr.body(c.requestID)
		if aerr.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		status = http.StatusInternalServerError
		out, _ = json.Marshal(internalError().body(c.requestID))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)

	rec.Status, rec.Response = status, out
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	for _, f := range c.after {
		f()
	}
}

// admit runs the checks every request goes through, in this order:
// route, credentials, body syntax, request schema. It returns the decoded
// body (without null members when NullAsAbsent).
func (s *Server) admit(r *http.Request, op *operation, raw []byte, readErr error) (any, *apiError) {
	if op == nil {
		return nil, errorf(http.StatusNotFound, ErrorTypeRouteNotFound, "The requested route %s could not be found.", r.URL.Path)
	}
	if r.Method != http.MethodPost {
		return nil, errorf(http.StatusMethodNotAllowed, ErrorTypeMethodNotAllowed, "Method %s is not allowed for %s.", r.Method, r.URL.Path)
	}
	if !s.authorized(r) {
		return nil, errorf(http.StatusUnauthorized, ErrorTypeUnauthorizedCredentials, "Unauthorized credentials.")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, badRequest("Content-Type must be application/json.")
	}
	if readErr != nil {
		return nil, badRequest("The request body could not be read (limit %d bytes).", MaxBodyBytes)
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, badRequest("The request body is not valid JSON: %v.", err)
	}
	checked := v
	if m, ok := v.(map[string]any); ok && s.cfg.NullAsAbsent {
		checked = withoutNulls(m)
	}
	if s.cfg.Spec != nil {
		if aerr := s.cfg.Spec.checkRequest(op.id, checked); aerr != nil {
			return nil, aerr
		}
	}
	return checked, nil
}

func (s *Server) dispatch(op *operation, c *call, decoded any) (any, *apiError) {
	body, ok := decoded.(map[string]any)
	if !ok {
		return nil, badRequest("The request body must be a JSON object.")
	}
	c.body = body
	s.mu.Lock()
	defer s.mu.Unlock()
	return op.handle(s, c)
}

func (s *Server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	u := subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.ProjectID))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.Secret))
	return u&p == 1
}

func maskHeader(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	if v := out.Values("Authorization"); len(v) > 0 {
		masked := make([]string, len(v))
		for i, a := range v {
			scheme, _, _ := strings.Cut(a, " ")
			masked[i] = scheme + " ***"
		}
		out["Authorization"] = masked
	}
	return out
}

// decodeJSON decodes exactly one JSON value into the JSON data model.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func withoutNulls(m map[string]any) map[string]any {
	out := maps.Clone(m)
	maps.DeleteFunc(out, func(_ string, v any) bool { return v == nil })
	return out
}

// validE164 reports whether p is "+" followed by 2 to 15 digits, the first
// not zero.
func validE164(p string) bool {
	if len(p) < 3 || len(p) > 16 || p[0] != '+' || p[1] < '1' || p[1] > '9' {
		return false
	}
	for i := 2; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// Field access. The fake checks the types of the fields it reads even when
// no Spec is configured; with a Spec these checks never fail.

func stringField(body map[string]any, name string, required bool) (string, *apiError) {
	v, ok := body[name]
	if !ok {
		if required {
			return "", badRequest("%s is a required field.", name)
		}
		return "", nil
	}
	str, ok := v.(string)
	if !ok {
		return "", badRequest("%s must be a string.", name)
	}
	if required && str == "" {
		return "", badRequest("%s must not be empty.", name)
	}
	return str, nil
}

// intField reads an optional integer field (a JSON number without a
// fractional part, within int32).
func intField(body map[string]any, name string) (int64, bool, *apiError) {
	v, ok := body[name]
	if !ok {
		return 0, false, nil
	}
	f, ok := v.(float64)
	if !ok || f != float64(int64(f)) || f < -(1<<31) || f > 1<<31-1 {
		return 0, false, badRequest("%s must be an integer.", name)
	}
	return int64(f), true, nil
}

func boolField(body map[string]any, name string) (bool, *apiError) {
	v, ok := body[name]
	if !ok {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, badRequest("%s must be a boolean.", name)
	}
	return b, nil
}

// lookup finds the organization (by ID or slug) and the member in it.
func (s *Server) lookup(c *call) (*organization, *member, *apiError) {
	orgRef, aerr := stringField(c.body, "organization_id", true)
	if aerr != nil {
		return nil, nil, aerr
	}
	memberID, aerr := stringField(c.body, "member_id", true)
	if aerr != nil {
		return nil, nil, aerr
	}
	org := s.orgs[orgRef]
	if org == nil {
		for _, id := range slices.Sorted(maps.Keys(s.orgs)) {
			if s.orgs[id].slug == orgRef {
				org = s.orgs[id]
				break
			}
		}
	}
	if org == nil {
		return nil, nil, errorf(http.StatusNotFound, ErrorTypeOrganizationNotFound, "Organization could not be found.")
	}
	m := s.members[memberID]
	if m == nil || m.orgID != org.id {
		return nil, nil, errorf(http.StatusNotFound, ErrorTypeMemberNotFound, "Member could not be found.")
	}
	return org, m, nil
}
