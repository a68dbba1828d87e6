package stytchfake

import (
	"fmt"
	"net/http"
)

// Error types the fake returns in ErrorBody.ErrorType. The names are taken
// from Stytch's published error catalogue; the status that goes with each is
// listed in doc.go.
const (
	ErrorTypeUnauthorizedCredentials      = "unauthorized_credentials"
	ErrorTypeBadRequest                   = "bad_request"
	ErrorTypeRouteNotFound                = "route_not_found"
	ErrorTypeMethodNotAllowed             = "method_not_allowed"
	ErrorTypeOrganizationNotFound         = "organization_not_found"
	ErrorTypeMemberNotFound               = "member_not_found"
	ErrorTypeInvalidPhoneNumber           = "invalid_phone_number"
	ErrorTypeMemberPhoneNumberMismatch    = "duplicate_member_phone_number_for_member"
	ErrorTypeMemberPhoneNumberNotFound    = "member_phone_number_not_found"
	ErrorTypeOTPCodeNotFound              = "otp_code_not_found"
	ErrorTypeUnableToAuthOTPCode          = "unable_to_auth_otp_code"
	ErrorTypeInvalidSessionDuration       = "invalid_session_duration_minutes"
	ErrorTypeInvalidExpiration            = "invalid_expiration"
	ErrorTypeActiveTOTPExists             = "active_totp_exists"
	ErrorTypeTOTPNotFound                 = "totp_not_found"
	ErrorTypeExpiredTOTP                  = "expired_totp"
	ErrorTypeInvalidTOTPCode              = "invalid_totp_code"
	ErrorTypeUnableToAuthenticateTOTP     = "unable_to_authenticate_totp"
	ErrorTypeTOTPCodeAlreadyAuthenticated = "totp_code_already_authenticated"
	ErrorTypeRecoveryCodeUsedAsTOTPCode   = "recovery_code_used_as_totp_code"
	ErrorTypeSessionNotFound              = "session_not_found"
	ErrorTypeIntermediateSessionNotFound  = "intermediate_session_not_found"
	ErrorTypeTooManySessionArguments      = "too_many_session_arguments"
	ErrorTypeCustomClaimsTooLarge         = "custom_claims_too_large"
	ErrorTypeInternalServerError          = "internal_server_error"
)

// ErrorBody is the JSON body of every error response, in the shape of the
// examples in the Stytch OpenAPI description (401, 429, 500).
type ErrorBody struct {
	StatusCode   int    `json:"status_code"`
	RequestID    string `json:"request_id"`
	ErrorType    string `json:"error_type"`
	ErrorMessage string `json:"error_message"`
	ErrorURL     string `json:"error_url"`
}

// Error makes ErrorBody usable as an error by clients that decode it.
func (e *ErrorBody) Error() string {
	return fmt.Sprintf("stytch: %d %s: %s", e.StatusCode, e.ErrorType, e.ErrorMessage)
}

// apiError is an error a handler returns; the request ID is added when the
// response is written.
type apiError struct {
	status  int
	typ     string
	message string
}

func (e *apiError) Error() string { return e.typ + ": " + e.message }

func errorf(status int, typ, format string, args ...any) *apiError {
	return &apiError{status: status, typ: typ, message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, ErrorTypeBadRequest, format, args...)
}

func internalError() *apiError {
	return errorf(http.StatusInternalServerError, ErrorTypeInternalServerError,
		"Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us know what went wrong.")
}

func (e *apiError) body(requestID string) *ErrorBody {
	return &ErrorBody{
		StatusCode:   e.status,
		RequestID:    requestID,
		ErrorType:    e.typ,
		ErrorMessage: e.message,
		ErrorURL:     fmt.Sprintf("https://stytch.com/docs/api/errors/%d", e.status),
	}
}
