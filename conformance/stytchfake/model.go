package stytchfake

import (
	"strings"
	"time"
)

// Values of Organization.mfa_policy and Member.default_mfa_method used by
// the fake.
const (
	mfaPolicyOptional   = "OPTIONAL"
	mfaPolicyRequired   = "REQUIRED_FOR_ALL"
	defaultMFASMSOTP    = "sms_otp"
	defaultMFATOTP      = "totp"
	memberRoleID        = "stytch_member"
	memberStatusActive  = "active"
	timestampLayout     = time.RFC3339
	allAllowed          = "ALL_ALLOWED"
	notAllowed          = "NOT_ALLOWED"
	roleSourceDirect    = "direct_assignment"
	jwtLifetime         = 5 * time.Minute
	maxCustomClaimsSize = 4096
)

// organization is the fake's record of an organization.
type organization struct {
	id, name, slug, mfaPolicy string
	created                   time.Time
}

// member is the fake's record of a member.
type member struct {
	orgID, id, email, name string
	phone, phoneID         string
	phoneVerified          bool
	mfaEnrolled            bool
	defaultMFA             string
	totpID                 string // the active (authenticated) registration
	created, updated       time.Time
}

// otpCode is one SMS passcode issued to a member.
type otpCode struct {
	code   string
	phone  string
	issued time.Time
	used   bool
}

// totpRegistration is a member's TOTP registration.
type totpRegistration struct {
	id            string
	secret        string
	recoveryCodes []string
	created       time.Time
	expires       time.Time // deadline for the first authentication
	verified      bool
	lastCounter   int64 // last accepted time step; codes at or before it are replays
	hasCounter    bool
}

// session is a member session.
type session struct {
	id, token        string
	memberID, orgID  string
	started, expires time.Time
	lastAccessed     time.Time
	factors          []authFactor
	claims           map[string]any
}

// authFactor is one authentication factor on a session.
type authFactor struct {
	typ, delivery       string
	phoneID, phone      string
	totpID              string
	created, lastAuthed time.Time
}

func ts(t time.Time) string { return t.UTC().Format(timestampLayout) }

// slugify derives an organization slug from its name.
func slugify(name, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		return fallback
	}
	return s
}

// JSON shapes (components/schemas/api_organization_v1_Member etc.). Every
// property that the schema marks required is always present.

type memberJSON struct {
	OrganizationID         string           `json:"organization_id"`
	MemberID               string           `json:"member_id"`
	EmailAddress           string           `json:"email_address"`
	Status                 string           `json:"status"`
	Name                   string           `json:"name"`
	SSORegistrations       []any            `json:"sso_registrations"`
	IsBreakglass           bool             `json:"is_breakglass"`
	MemberPasswordID       string           `json:"member_password_id"`
	OAuthRegistrations     []any            `json:"oauth_registrations"`
	EmailAddressVerified   bool             `json:"email_address_verified"`
	MFAPhoneNumberVerified bool             `json:"mfa_phone_number_verified"`
	IsAdmin                bool             `json:"is_admin"`
	TOTPRegistrationID     string           `json:"totp_registration_id"`
	RetiredEmailAddresses  []any            `json:"retired_email_addresses"`
	IsLocked               bool             `json:"is_locked"`
	MFAEnrolled            bool             `json:"mfa_enrolled"`
	MFAPhoneNumber         string           `json:"mfa_phone_number"`
	DefaultMFAMethod       string           `json:"default_mfa_method"`
	Roles                  []memberRoleJSON `json:"roles"`
	TrustedMetadata        map[string]any   `json:"trusted_metadata"`
	UntrustedMetadata      map[string]any   `json:"untrusted_metadata"`
	CreatedAt              string           `json:"created_at"`
	UpdatedAt              string           `json:"updated_at"`
}

type memberRoleJSON struct {
	RoleID  string           `json:"role_id"`
	Sources []roleSourceJSON `json:"sources"`
}

type roleSourceJSON struct {
	Type string `json:"type"`
}

func (m *member) json() *memberJSON {
	return &memberJSON{
		OrganizationID:         m.orgID,
		MemberID:               m.id,
		EmailAddress:           m.email,
		Status:                 memberStatusActive,
		Name:                   m.name,
		SSORegistrations:       []any{},
		MemberPasswordID:       "",
		OAuthRegistrations:     []any{},
		EmailAddressVerified:   true,
		MFAPhoneNumberVerified: m.phoneVerified,
		TOTPRegistrationID:     m.totpID,
		RetiredEmailAddresses:  []any{},
		MFAEnrolled:            m.mfaEnrolled,
		MFAPhoneNumber:         m.phone,
		DefaultMFAMethod:       m.defaultMFA,
		Roles: []memberRoleJSON{{
			RoleID:  memberRoleID,
			Sources: []roleSourceJSON{{Type: roleSourceDirect}},
		}},
		TrustedMetadata:   map[string]any{},
		UntrustedMetadata: map[string]any{},
		CreatedAt:         ts(m.created),
		UpdatedAt:         ts(m.updated),
	}
}

type organizationJSON struct {
	OrganizationID                     string         `json:"organization_id"`
	OrganizationName                   string         `json:"organization_name"`
	OrganizationLogoURL                string         `json:"organization_logo_url"`
	OrganizationSlug                   string         `json:"organization_slug"`
	SSOJITProvisioning                 string         `json:"sso_jit_provisioning"`
	SSOJITProvisioningAllowedConns     []string       `json:"sso_jit_provisioning_allowed_connections"`
	SSOActiveConnections               []any          `json:"sso_active_connections"`
	EmailAllowedDomains                []string       `json:"email_allowed_domains"`
	EmailJITProvisioning               string         `json:"email_jit_provisioning"`
	EmailInvites                       string         `json:"email_invites"`
	AuthMethods                        string         `json:"auth_methods"`
	AllowedAuthMethods                 []string       `json:"allowed_auth_methods"`
	MFAPolicy                          string         `json:"mfa_policy"`
	RBACEmailImplicitRoleAssignments   []any          `json:"rbac_email_implicit_role_assignments"`
	MFAMethods                         string         `json:"mfa_methods"`
	AllowedMFAMethods                  []string       `json:"allowed_mfa_methods"`
	OAuthTenantJITProvisioning         string         `json:"oauth_tenant_jit_provisioning"`
	ClaimedEmailDomains                []string       `json:"claimed_email_domains"`
	FirstPartyConnectedAppsAllowedType string         `json:"first_party_connected_apps_allowed_type"`
	AllowedFirstPartyConnectedApps     []string       `json:"allowed_first_party_connected_apps"`
	ThirdPartyConnectedAppsAllowedType string         `json:"third_party_connected_apps_allowed_type"`
	AllowedThirdPartyConnectedApps     []string       `json:"allowed_third_party_connected_apps"`
	CustomRoles                        []any          `json:"custom_roles"`
	TrustedMetadata                    map[string]any `json:"trusted_metadata"`
	CreatedAt                          string         `json:"created_at"`
	UpdatedAt                          string         `json:"updated_at"`
}

func (o *organization) json() *organizationJSON {
	return &organizationJSON{
		OrganizationID:                     o.id,
		OrganizationName:                   o.name,
		OrganizationSlug:                   o.slug,
		SSOJITProvisioning:                 notAllowed,
		SSOJITProvisioningAllowedConns:     []string{},
		SSOActiveConnections:               []any{},
		EmailAllowedDomains:                []string{},
		EmailJITProvisioning:               notAllowed,
		EmailInvites:                       allAllowed,
		AuthMethods:                        allAllowed,
		AllowedAuthMethods:                 []string{},
		MFAPolicy:                          o.mfaPolicy,
		RBACEmailImplicitRoleAssignments:   []any{},
		MFAMethods:                         allAllowed,
		AllowedMFAMethods:                  []string{},
		OAuthTenantJITProvisioning:         notAllowed,
		ClaimedEmailDomains:                []string{},
		FirstPartyConnectedAppsAllowedType: allAllowed,
		AllowedFirstPartyConnectedApps:     []string{},
		ThirdPartyConnectedAppsAllowedType: allAllowed,
		AllowedThirdPartyConnectedApps:     []string{},
		CustomRoles:                        []any{},
		TrustedMetadata:                    map[string]any{},
		CreatedAt:                          ts(o.created),
		UpdatedAt:                          ts(o.created),
	}
}

type memberSessionJSON struct {
	MemberSessionID       string           `json:"member_session_id"`
	MemberID              string           `json:"member_id"`
	StartedAt             string           `json:"started_at"`
	LastAccessedAt        string           `json:"last_accessed_at"`
	ExpiresAt             string           `json:"expires_at"`
	AuthenticationFactors []authFactorJSON `json:"authentication_factors"`
	OrganizationID        string           `json:"organization_id"`
	Roles                 []string         `json:"roles"`
	OrganizationSlug      string           `json:"organization_slug"`
	CustomClaims          map[string]any   `json:"custom_claims,omitempty"`
}

type authFactorJSON struct {
	Type                   string                 `json:"type"`
	DeliveryMethod         string                 `json:"delivery_method"`
	LastAuthenticatedAt    string                 `json:"last_authenticated_at"`
	CreatedAt              string                 `json:"created_at"`
	UpdatedAt              string                 `json:"updated_at"`
	PhoneNumberFactor      *phoneNumberFactorJSON `json:"phone_number_factor,omitempty"`
	AuthenticatorAppFactor *authenticatorAppJSON  `json:"authenticator_app_factor,omitempty"`
}

type phoneNumberFactorJSON struct {
	PhoneID     string `json:"phone_id"`
	PhoneNumber string `json:"phone_number"`
}

type authenticatorAppJSON struct {
	TOTPID string `json:"totp_id"`
}

func (f *authFactor) json() authFactorJSON {
	j := authFactorJSON{
		Type:                f.typ,
		DeliveryMethod:      f.delivery,
		LastAuthenticatedAt: ts(f.lastAuthed),
		CreatedAt:           ts(f.created),
		UpdatedAt:           ts(f.lastAuthed),
	}
	if f.phone != "" {
		j.PhoneNumberFactor = &phoneNumberFactorJSON{PhoneID: f.phoneID, PhoneNumber: f.phone}
	}
	if f.totpID != "" {
		j.AuthenticatorAppFactor = &authenticatorAppJSON{TOTPID: f.totpID}
	}
	return j
}

func (ss *session) json(orgSlug string) *memberSessionJSON {
	factors := make([]authFactorJSON, len(ss.factors))
	for i := range ss.factors {
		factors[i] = ss.factors[i].json()
	}
	var claims map[string]any
	if len(ss.claims) > 0 {
		claims = ss.claims
	}
	return &memberSessionJSON{
		MemberSessionID:       ss.id,
		MemberID:              ss.memberID,
		StartedAt:             ts(ss.started),
		LastAccessedAt:        ts(ss.lastAccessed),
		ExpiresAt:             ts(ss.expires),
		AuthenticationFactors: factors,
		OrganizationID:        ss.orgID,
		Roles:                 []string{memberRoleID},
		OrganizationSlug:      orgSlug,
		CustomClaims:          claims,
	}
}

// Response bodies (components/schemas/...Response).

type smsSendResponse struct {
	RequestID    string            `json:"request_id"`
	MemberID     string            `json:"member_id"`
	Member       *memberJSON       `json:"member"`
	Organization *organizationJSON `json:"organization"`
	StatusCode   int               `json:"status_code"`
}

type authenticateResponse struct {
	RequestID     string             `json:"request_id"`
	MemberID      string             `json:"member_id"`
	Member        *memberJSON        `json:"member"`
	Organization  *organizationJSON  `json:"organization"`
	SessionToken  string             `json:"session_token"`
	SessionJWT    string             `json:"session_jwt"`
	MemberSession *memberSessionJSON `json:"member_session"`
	StatusCode    int                `json:"status_code"`
}

type totpCreateResponse struct {
	RequestID          string            `json:"request_id"`
	MemberID           string            `json:"member_id"`
	TOTPRegistrationID string            `json:"totp_registration_id"`
	Secret             string            `json:"secret"`
	QRCode             string            `json:"qr_code"`
	RecoveryCodes      []string          `json:"recovery_codes"`
	Member             *memberJSON       `json:"member"`
	Organization       *organizationJSON `json:"organization"`
	StatusCode         int               `json:"status_code"`
}
