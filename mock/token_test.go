package mock

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/telaio/telaio/oas"
)

const tokenDoc = `openapi: 3.0.3
info: {title: tokens, version: "1"}
servers: [{url: "https://api.example.com/v2"}]
components:
  securitySchemes:
    relative:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: /oauth/token, scopes: {read: read}}}
    absolute:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: "https://auth.example.com/as/token/", scopes: {}}}
    declared:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: /declared, scopes: {}}}
    code:
      type: oauth2
      flows: {authorizationCode: {authorizationUrl: /authorize, tokenUrl: /code-token, scopes: {}}}
security: [{relative: []}]
paths:
  /orders:
    get:
      responses:
        "200": {description: ok}
  /declared:
    post:
      security: []
      responses:
        "200":
          description: the description's own token endpoint
          content:
            application/json:
              schema: {type: object, required: [mine], properties: {mine: {type: boolean, const: true}}}
`

// TestTokenEndpoint pins the mock's OAuth2 client credentials token
// endpoint: every clientCredentials tokenUrl is served (a relative one, and
// the path of an absolute one, with or without a server base path) unless
// the description declares an operation there; a client_credentials POST
// with HTTP Basic or client_id gets a Bearer token, which the mock then
// accepts.
func TestTokenEndpoint(t *testing.T) {
	s, err := NewFromBytes([]byte(tokenDoc))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	form := "Content-Type: application/x-www-form-urlencoded"
	basic := "Authorization: Basic dGVsYWlvLW1vY2s6cGxhY2Vob2xkZXI=" // telaio-mock:placeholder
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		wantErr                  string // the OAuth error code
	}{
		{"basic", "POST", "/oauth/token", "grant_type=client_credentials&scope=read", []string{form, basic}, 200, ""},
		{"client_id in the form", "POST", "/oauth/token", "grant_type=client_credentials&client_id=a&client_secret=b", []string{form}, 200, ""},
		{"under the server base path", "POST", "/v2/oauth/token", "grant_type=client_credentials", []string{form, basic}, 200, ""},
		{"path of an absolute tokenUrl", "POST", "/as/token", "grant_type=client_credentials", []string{form, basic}, 200, ""},
		{"no client", "POST", "/oauth/token", "grant_type=client_credentials", []string{form}, 401, "invalid_client"},
		{"another grant", "POST", "/oauth/token", "grant_type=password&client_id=a", []string{form}, 400, "unsupported_grant_type"},
		{"not a form", "POST", "/oauth/token", `{"grant_type":"client_credentials"}`, []string{"Content-Type: application/json", basic}, 400, "invalid_request"},
		{"GET", "GET", "/oauth/token", "", nil, 405, ""},
		{"authorization code flows are not served", "POST", "/code-token", "grant_type=client_credentials", []string{form, basic}, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := send(t, ts, tt.method, tt.path, tt.body, tt.hdr...)
			if e.status != tt.status {
				t.Fatalf("status %d, want %d: %s", e.status, tt.status, e.body)
			}
			var got struct {
				AccessToken string  `json:"access_token"`
				TokenType   string  `json:"token_type"`
				ExpiresIn   float64 `json:"expires_in"`
				Error       string  `json:"error"`
			}
			if err := json.Unmarshal(e.body, &got); err != nil {
				t.Fatalf("%v: %s", err, e.body)
			}
			if tt.status == 200 {
				if got.AccessToken == "" || got.TokenType != "Bearer" || got.ExpiresIn <= 0 || e.header.Get("Cache-Control") != "no-store" {
					t.Errorf("token response %s %v", e.body, e.header)
				}
				if o := send(t, ts, "GET", "/orders", "", "Authorization: Bearer "+got.AccessToken); o.status != 200 {
					t.Errorf("the token is refused: %d %s", o.status, o.body)
				}
			}
			if tt.wantErr != "" && got.Error != tt.wantErr {
				t.Errorf("error %q, want %q", got.Error, tt.wantErr)
			}
		})
	}
	t.Run("a declared operation wins", func(t *testing.T) {
		e := send(t, ts, "POST", "/declared", "grant_type=client_credentials", form, basic)
		if e.status != 200 || string(e.body) != `{"mine":true}` {
			t.Errorf("%d %s", e.status, e.body)
		}
	})
}

func TestPlaceholderCredential(t *testing.T) {
	for _, tt := range []struct {
		scheme *oas.SecurityScheme
		want   string
	}{
		{nil, PlaceholderToken},
		{&oas.SecurityScheme{Type: "http", Scheme: "basic"}, PlaceholderUserPassword},
		{&oas.SecurityScheme{Type: "http", Scheme: "bearer"}, PlaceholderToken},
		{&oas.SecurityScheme{Type: "http", Scheme: "digest"}, PlaceholderToken},
		{&oas.SecurityScheme{Type: "apiKey", In: "header", ParamName: "X-Key"}, PlaceholderToken},
		{&oas.SecurityScheme{Type: "oauth2", TokenURL: "/token"}, PlaceholderUserPassword},
		{&oas.SecurityScheme{Type: "oauth2"}, PlaceholderToken},
		{&oas.SecurityScheme{Type: "openIdConnect"}, PlaceholderToken},
	} {
		if got := PlaceholderCredential(tt.scheme); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.scheme, got, tt.want)
		}
	}
}
