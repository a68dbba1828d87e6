package executor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/telaio/telaio/internal/httpenc"
	"github.com/telaio/telaio/oas"
)

// applySecurity adds the credentials an operation needs to req. Rules:
//   - the operation's security requirements (else the document's) are
//     tried in order; the first alternative whose schemes all have
//     credentials is applied;
//   - a credential for a scheme that no security requirement of the source
//     names applies to every operation of that source (the Stytch
//     description defines basicAuth but requires it nowhere);
//   - without a credential nothing is sent.
//
// Secrets it derives (basic-auth encodings, OAuth2 tokens) are added to the
// run's masker.
func (rs *runState) applySecurity(ctx context.Context, req *http.Request, sp *stepPlan) error {
	doc := sp.op.Doc
	var schemes []string
	reqs := sp.op.EffectiveSecurity()
	for _, alt := range reqs {
		names := make([]string, 0, len(alt))
		ok := true
		for name := range alt {
			if _, has := rs.auth[name]; !has {
				ok = false
				break
			}
			names = append(names, name)
		}
		if ok {
			sort.Strings(names)
			schemes = names
			break
		}
	}
	// Credentials for schemes no requirement of the source names.
	for name := range rs.auth {
		if _, defined := doc.SecuritySchemes[name]; defined && !namedAnywhere(doc, name) {
			schemes = append(schemes, name)
		}
	}
	if len(schemes) == 0 {
		return nil
	}
	if req.URL.Scheme == "http" && !isLoopback(req.URL.Host) && !rs.e.cfg.insecureCreds {
		return fmt.Errorf("refusing to send credentials over plain http to %s (allow it explicitly)", req.URL.Host)
	}
	givenAuth := req.Header.Get("Authorization") != ""
	for _, name := range schemes {
		s := doc.SecuritySchemes[name]
		if s == nil {
			continue
		}
		if givenAuth && usesAuthorization(s) {
			continue // an Authorization header given as a step parameter is sent as given
		}
		if err := rs.applyScheme(ctx, req, sp, s, rs.auth[name]); err != nil {
			return fmt.Errorf("security scheme %q: %w", name, err)
		}
	}
	return nil
}

// badCredential is a credential that cannot be sent as given (CodeAuth).
type badCredential struct{ error }

func (b badCredential) Unwrap() error { return b.error }

// usesAuthorization reports whether a scheme sends the Authorization header.
func usesAuthorization(s *oas.SecurityScheme) bool {
	switch s.Type {
	case "http", "oauth2", "openIdConnect":
		return true
	case "apiKey":
		return s.In == "header" && strings.EqualFold(s.ParamName, "Authorization")
	}
	return false
}

// namedAnywhere reports whether some security requirement of doc names the
// scheme.
func namedAnywhere(doc *oas.Document, scheme string) bool {
	for _, r := range doc.Security {
		if _, ok := r[scheme]; ok {
			return true
		}
	}
	for _, op := range doc.Operations() {
		for _, r := range op.Security {
			if _, ok := r[scheme]; ok {
				return true
			}
		}
	}
	return false
}

func (rs *runState) applyScheme(ctx context.Context, req *http.Request, sp *stepPlan, s *oas.SecurityScheme, value string) error {
	switch s.Type {
	case "http":
		switch s.Scheme {
		case "basic":
			user, pass, ok := strings.Cut(value, ":")
			if !ok {
				return badCredential{errors.New("basic credentials must be user:password")}
			}
			// The credential and its parts are secret since the run began
			// (every value of rs.auth went through addCredential).
			req.SetBasicAuth(user, pass)
		case "bearer":
			req.Header.Set("Authorization", "Bearer "+value)
		default:
			req.Header.Set("Authorization", s.Scheme+" "+value)
		}
	case "apiKey":
		switch s.In {
		case "header":
			if req.Header.Get(s.ParamName) == "" { // a step parameter wins
				req.Header.Set(s.ParamName, value)
			}
		case "query":
			pair := url.QueryEscape(s.ParamName) + "=" + url.QueryEscape(value)
			if req.URL.RawQuery == "" {
				req.URL.RawQuery = pair
			} else {
				req.URL.RawQuery += "&" + pair
			}
		case "cookie":
			// Encoded as a cookie parameter would be (net/http's AddCookie
			// would drop the bytes a cookie value cannot hold).
			pair, err := httpenc.Param{Name: s.ParamName, In: "cookie"}.Cookie(value)
			if err != nil {
				return err
			}
			if c := req.Header.Get("Cookie"); c != "" {
				pair = c + "; " + pair
			}
			req.Header.Set("Cookie", pair)
		default:
			return fmt.Errorf("apiKey location %q is not supported", s.In)
		}
	case "oauth2":
		if s.TokenURL == "" {
			// Without a client credentials flow the value is a token.
			req.Header.Set("Authorization", "Bearer "+value)
			return nil
		}
		tok, key, err := rs.e.tokens.get(ctx, rs, sp, s, value)
		if err != nil {
			return err
		}
		rs.mask.add(tok)
		req.Header.Set("Authorization", "Bearer "+tok)
		rs.usedTokens = append(rs.usedTokens, usedToken{key: key, token: tok})
	case "openIdConnect":
		req.Header.Set("Authorization", "Bearer "+value)
	default:
		return fmt.Errorf("security scheme type %q is not supported", s.Type)
	}
	return nil
}

// tokenCache caches OAuth2 client-credentials tokens until they expire.
// It is the one piece of shared mutable state of an Engine, guarded by a
// mutex. An entry is keyed by every input of the token request (token URL,
// client id, a hash of the client secret, scopes): a run with another
// secret never gets this one's token. A token an API refused (401) is
// dropped. Concurrent runs needing the same token make one request.
type tokenCache struct {
	mu     sync.Mutex
	tokens map[string]cachedToken
	flight map[string]*tokenCall
}

type cachedToken struct {
	token   string
	expires time.Time
}

// tokenCall is a token request under way, shared by the runs that need it.
type tokenCall struct {
	done  chan struct{}
	token string
	err   error
}

// usedToken is a cached token a request of the run carried.
type usedToken struct{ key, token string }

func newTokenCache() *tokenCache {
	return &tokenCache{tokens: map[string]cachedToken{}, flight: map[string]*tokenCall{}}
}

// forget drops a token the API refused, unless it was replaced meanwhile.
func (c *tokenCache) forget(key, token string) {
	c.mu.Lock()
	if t, ok := c.tokens[key]; ok && t.token == token {
		delete(c.tokens, key)
	}
	c.mu.Unlock()
}

// tokenURL is where a scheme's token requests go: its tokenUrl, resolved
// against the API's server when relative; moved to the server given with
// WithTokenServer for its source, keeping the path.
func (rs *runState) tokenURL(sp *stepPlan, s *oas.SecurityScheme) string {
	tokenURL := s.TokenURL
	u, err := url.Parse(tokenURL)
	if err != nil {
		return tokenURL
	}
	if base, ok := rs.e.cfg.tokenServers[sp.source.name]; ok {
		b, err := url.Parse(base)
		if err == nil {
			p := u.Path
			if !u.IsAbs() && !strings.HasPrefix(p, "/") {
				p = "/" + p
			}
			return strings.TrimRight(b.String(), "/") + p
		}
	}
	if !u.IsAbs() {
		// A relative tokenUrl resolves against the API's server.
		if base, err := url.Parse(rs.lastBase); err == nil && base.IsAbs() {
			return base.ResolveReference(u).String()
		}
	}
	return tokenURL
}

func (c *tokenCache) get(ctx context.Context, rs *runState, sp *stepPlan, s *oas.SecurityScheme, cred string) (token, key string, err error) {
	id, secret, ok := strings.Cut(cred, ":")
	if !ok {
		return "", "", badCredential{errors.New("oauth2 client credentials must be clientId:clientSecret")}
	}
	tokenURL := rs.tokenURL(sp, s)
	sum := sha256.Sum256([]byte(secret))
	sc := append([]string(nil), s.Scopes...)
	sort.Strings(sc)
	key = tokenURL + "\x00" + id + "\x00" + hex.EncodeToString(sum[:]) + "\x00" + strings.Join(sc, " ")
	now := rs.e.cfg.clock()
	c.mu.Lock()
	if t, ok := c.tokens[key]; ok && now.Before(t.expires) {
		c.mu.Unlock()
		return t.token, key, nil
	}
	if call, ok := c.flight[key]; ok {
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.token, key, call.err
		case <-ctx.Done():
			return "", "", ctx.Err()
		}
	}
	call := &tokenCall{done: make(chan struct{})}
	c.flight[key] = call
	c.mu.Unlock()
	tok, exp, err := rs.fetchToken(ctx, tokenURL, id, secret, sc, now)
	c.mu.Lock()
	delete(c.flight, key)
	if err == nil {
		c.tokens[key] = cachedToken{token: tok, expires: exp}
	}
	c.mu.Unlock()
	call.token, call.err = tok, err
	close(call.done)
	return tok, key, err
}

// fetchToken makes a client-credentials token request, bounded by
// Limits.RequestTimeout and the run's context, following redirects by the
// rules of ordinary exchanges.
func (rs *runState) fetchToken(ctx context.Context, tokenURL, id, secret string, scopes []string, now time.Time) (string, time.Time, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	reqCtx, cancel := context.WithTimeout(ctx, rs.e.cfg.limits.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, err
	}
	if req.URL.Scheme == "http" && !isLoopback(req.URL.Host) && !rs.e.cfg.insecureCreds {
		return "", time.Time{}, fmt.Errorf("refusing to send client credentials over plain http to %s", req.URL.Host)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	// rs.client drops the Basic credentials on a redirect to another origin.
	resp, err := rs.client().Do(req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return "", time.Time{}, cerr
		}
		return "", time.Time{}, fmt.Errorf("token request: %v", rs.mask.apply(rs.transportError(err, reqCtx).Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token response: %v", rs.transportError(err, reqCtx))
	}
	if resp.StatusCode/100 != 2 {
		return "", time.Time{}, fmt.Errorf("token endpoint answered %s", resp.Status)
	}
	var tr struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
		TokenType   string  `json:"token_type"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return "", time.Time{}, fmt.Errorf("token endpoint answered without an access_token")
	}
	exp := now.Add(time.Hour)
	if tr.ExpiresIn > 0 && tr.ExpiresIn < 1e9 {
		// Renew a little early.
		exp = now.Add(time.Duration(tr.ExpiresIn*float64(time.Second)) - 5*time.Second)
	}
	return tr.AccessToken, exp, nil
}
