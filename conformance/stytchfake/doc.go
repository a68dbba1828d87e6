// Package stytchfake is an in-process fake of the four Stytch B2B API
// operations the bundled Arazzo workflows call (specs/stytch/arazzo):
//
//	POST /v1/b2b/otps/sms/send          api_b2b_otp_v1_b2b_otp_sms_Send
//	POST /v1/b2b/otps/sms/authenticate  api_b2b_otp_v1_b2b_otp_sms_Authenticate
//	POST /v1/b2b/totp                   api_b2b_totp_v1_Create
//	POST /v1/b2b/totp/authenticate      api_b2b_totp_v1_Authenticate
//
// It owns the fake's state machine (organizations, members, passcodes, TOTP
// registrations, sessions), its error responses, and the check that request
// and response bodies match the bundled OpenAPI description. Start with New,
// add data with AddOrganization and AddMember, serve the Server (an
// http.Handler) with net/http/httptest, and compile the schemas once with
// LoadSpec:
//
//	spec, err := stytchfake.LoadSpec(openapiBytes) // share between servers
//	fake := stytchfake.New(stytchfake.Config{
//		ProjectID: "project-test-…", Secret: "secret-test-…", Spec: spec,
//		Clock: clock.Now, OTPCode: func() string { return "123456" },
//	})
//	_ = fake.AddOrganization("organization-test-1", "Acme")
//	_ = fake.AddMember("organization-test-1", "member-test-1", "ada@acme.example", "")
//	srv := httptest.NewServer(fake)
//
// Tests read back what was sent with Requests (Authorization masked), the
// codes with LastOTP and LastTOTPSecret, and compute authenticator codes
// with TOTPCode. cmd/stytchfake serves the fake on a local port and prints
// every passcode and TOTP secret to stderr, so the workflows can be run by
// hand.
//
// # What is faithful
//
//   - Every request needs HTTP basic auth with the project ID and secret;
//     otherwise 401 unauthorized_credentials with the body of the OpenAPI's
//     401 example (status_code, request_id, error_type, error_message,
//     error_url).
//   - With a Spec, request bodies are validated against the operation's
//     request schema (types, required members, enums, int32 range), so for
//     example a string or fractional session_duration_minutes, or a null
//     where the schema says string, is a 400. Without a Spec only the
//     fields the fake reads are type-checked.
//   - Every 200 body is valid against the operation's response schema
//     (tested): the Member and Organization objects carry every required
//     property, member_session carries its authentication factors.
//   - SMS send: one active passcode per member; a new send invalidates the
//     previous code; mfa_phone_number (E.164) is linked to a member without
//     a number; a different number than the member's is refused; a member
//     with no number needs one.
//   - SMS authenticate: a code works once and expires after two minutes by
//     the injected clock. A wrong, expired, used or superseded code is 401
//     otp_code_not_found (the error Stytch's API reference documents for
//     a code that cannot be authenticated).
//   - TOTP create returns a real base32 secret, ten recovery codes and a
//     registration ID "member-totp-test-<uuid>". A member with an active
//     (authenticated) registration gets 400 active_totp_exists; a pending
//     one is replaced. A pending registration expires after
//     expiration_minutes (default 60, 5..1440).
//   - TOTP authenticate checks a real RFC 6238 code (HMAC-SHA1, 30 s, 6
//     digits, one step either side) and refuses a code whose time step was
//     already used.
//   - Authenticate responses carry a member session: session_token,
//     session_jwt, member_session (expires_at = now +
//     session_duration_minutes, default 60, bounds 5..527040 else 400
//     invalid_session_duration_minutes), custom claims (reserved claims
//     ignored, null deletes). A session_token or session_jwt in the request
//     extends that session and adds the factor to it.
//   - mfa_enrolled follows set_mfa_enrollment (or REQUIRED_FOR_ALL);
//     default_mfa_method is set by the first MFA completed or by
//     set_default_mfa; mfa_phone_number_verified after an SMS code.
//
// # What is simplified
//
//   - No session argument is required. Stytch's description says exactly one
//     of intermediate_session_token, session_token or session_jwt must be
//     given to SMS authenticate (and to send/create when the member already
//     has an MFA factor); the bundled workflows give none, so the fake
//     starts a new session. The fake never issues intermediate session
//     tokens, so any given one is 404 intermediate_session_not_found.
//   - session_jwt is signed HS256 with the project secret (Stytch uses RS256
//     keys published as a JWKS); claims follow Stytch's layout. It lasts 5
//     minutes.
//   - qr_code is "data:text/plain;base64,<otpauth:// URI>" (QRPayload
//     decodes it), not a PNG image of the QR code.
//   - No rate limits, attempt limits, telemetry, locales, SMS delivery or
//     organization/member management endpoints; member IDs are looked up
//     as given (organization_id may also be the organization's slug).
//   - Error types come from Stytch's published catalogue, but where the
//     description is silent the status is the fake's choice:
//     400 bad_request (unreadable body, wrong Content-Type, schema
//     violation), 400 invalid_phone_number, 400
//     duplicate_member_phone_number_for_member (number mismatch), 400
//     member_phone_number_not_found, 400 invalid_totp_code (not 6 digits),
//     400 totp_code_already_authenticated, 400
//     recovery_code_used_as_totp_code, 400 expired_totp, 401
//     unable_to_authenticate_totp (wrong code), 404 totp_not_found, 404
//     session_not_found, 404 route_not_found, 405 method_not_allowed.
//
// The Server is safe for concurrent use; with Config.Rand, Clock, OTPCode
// and TOTPSecret injected its responses are deterministic.
package stytchfake
