package mock

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/telaio/telaio/oas"
)

// Placeholder credentials: values of the right shape for each kind of
// security scheme, which the mock accepts (it checks presence only).
const (
	// PlaceholderUserPassword is the placeholder for HTTP Basic schemes and
	// for the client id and secret of OAuth2 client credentials flows.
	PlaceholderUserPassword = "telaio-mock:placeholder"
	// PlaceholderToken is the placeholder for every other scheme: a bearer
	// token, an API key, an OAuth2 or OpenID Connect access token.
	PlaceholderToken = "telaio-mock-placeholder"
)

// mockAccessToken is what the mock's token endpoint issues.
const mockAccessToken = "telaio-mock-access-token"

// tokenLifetime is the expires_in of the mock's tokens, in seconds.
const tokenLifetime = 3600

// PlaceholderCredential returns a credential the mock accepts for scheme,
// in the form the executor expects for that scheme type:
// PlaceholderUserPassword ("user:password") for HTTP Basic and for OAuth2
// with a client credentials flow (the executor sends it to the tokenUrl as
// clientId:clientSecret, and the mock's token endpoint answers with a
// token), PlaceholderToken otherwise. A nil scheme gets PlaceholderToken.
func PlaceholderCredential(scheme *oas.SecurityScheme) string {
	if scheme == nil {
		return PlaceholderToken
	}
	switch strings.ToLower(scheme.Type) {
	case "http":
		if strings.EqualFold(scheme.Scheme, "basic") {
			return PlaceholderUserPassword
		}
	case "oauth2":
		if scheme.TokenURL != "" {
			return PlaceholderUserPassword
		}
	}
	return PlaceholderToken
}

// tokenPaths returns the paths of the client credentials token URLs of the
// document's schemes: the path of an absolute URL, or a relative one
// resolved against "/".
func tokenPaths(schemes map[string]*oas.SecurityScheme) map[string]bool {
	out := map[string]bool{}
	root := &url.URL{Path: "/"}
	for _, sc := range schemes {
		if sc == nil || sc.TokenURL == "" || !strings.EqualFold(sc.Type, "oauth2") {
			continue
		}
		u, err := url.Parse(sc.TokenURL)
		if err != nil {
			continue
		}
		if !u.IsAbs() {
			u = root.ResolveReference(u)
		}
		p := u.EscapedPath()
		if p = strings.TrimRight(p, "/"); p == "" {
			p = "/"
		}
		out[p] = true
	}
	return out
}

// tokenPath reports whether a request path (with a base path or not) is a
// token URL path.
func (s *Server) tokenPath(escaped string) bool {
	if len(s.tokens) == 0 {
		return false
	}
	for _, c := range s.candidates(escaped) {
		if c = strings.TrimRight(c, "/"); c == "" {
			c = "/"
		}
		if s.tokens[c] {
			return true
		}
	}
	return false
}

// oauthError is the error body of the token endpoint (RFC 6749 5.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// serveToken answers an OAuth2 client credentials token request: a POST of
// a form with grant_type=client_credentials and the client authenticated
// with HTTP Basic or client_id (and client_secret) form fields. Any client
// is accepted; the token is a fixed placeholder.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return writeError(w, http.StatusMethodNotAllowed, ErrorResponse{
			Error: "method_not_allowed", Message: "the mock's OAuth2 token endpoint accepts POST only",
		})
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.maxBody+1))
	if err != nil || int64(len(b)) > s.cfg.maxBody {
		return writeOAuthError(w, http.StatusBadRequest, oauthError{"invalid_request", "the request body cannot be read or is too large"})
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return writeOAuthError(w, http.StatusBadRequest, oauthError{"invalid_request", "the body must be application/x-www-form-urlencoded"})
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return writeOAuthError(w, http.StatusBadRequest, oauthError{"invalid_request", "the body is not valid form data"})
	}
	if g := form.Get("grant_type"); g != "client_credentials" {
		return writeOAuthError(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "the mock issues tokens for grant_type=client_credentials only"})
	}
	user, _, basic := r.BasicAuth()
	if s.cfg.requireAuth && !(basic && user != "") && form.Get("client_id") == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="mock"`)
		return writeOAuthError(w, http.StatusUnauthorized, oauthError{"invalid_client", "client credentials are required (HTTP Basic or client_id)"})
	}
	out := map[string]any{"access_token": mockAccessToken, "token_type": "Bearer", "expires_in": float64(tokenLifetime)}
	if sc := form.Get("scope"); sc != "" {
		out["scope"] = sc
	}
	body := appendJSON(nil, out, nil)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return http.StatusOK
}

func writeOAuthError(w http.ResponseWriter, status int, e oauthError) int {
	body, _ := marshalJSON(e)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}
