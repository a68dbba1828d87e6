package mock

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strings"

	"github.com/telaio/telaio/oas"
)

// credential is what one security scheme needs in a request.
type credential struct {
	scheme string // the scheme's name in components.securitySchemes
	kind   string // "basic", "bearer", "http" (another HTTP scheme), "apiKey", "none"
	auth   string // the HTTP auth scheme for kind "http"
	in     string // apiKey location: header, query, cookie
	name   string // apiKey name
}

// requirement is one alternative of a security requirement list: all its
// credentials must be present. An empty requirement allows anonymous access.
type requirement []credential

func (s *Server) credential(name string) credential {
	c := credential{scheme: name, kind: "none"}
	sc := s.doc.SecuritySchemes[name]
	if sc == nil {
		s.log.Warn("mock: security requirement names an undefined scheme; not checked", "scheme", name)
		return c
	}
	switch strings.ToLower(sc.Type) {
	case "http":
		switch auth := strings.ToLower(sc.Scheme); auth {
		case "basic":
			c.kind = "basic"
		case "bearer":
			c.kind = "bearer"
		default:
			c.kind, c.auth = "http", auth
		}
	case "apikey":
		c.kind, c.in, c.name = "apiKey", strings.ToLower(sc.In), sc.ParamName
	case "oauth2", "openidconnect":
		c.kind = "bearer"
	}
	// mutualTLS and unknown types cannot be checked here: "none".
	return c
}

// requirements converts a requirement list; the schemes of one
// alternative are taken in name order.
func (s *Server) requirements(list []oas.SecurityRequirement) []requirement {
	out := make([]requirement, 0, len(list))
	for _, sr := range list {
		req := requirement{}
		names := make([]string, 0, len(sr))
		for name := range sr {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			req = append(req, s.credential(name))
		}
		out = append(out, req)
	}
	return out
}

// present reports whether r carries the credential (any value is accepted;
// a Basic header must decode to user:password).
func (c credential) present(r *http.Request) bool {
	switch c.kind {
	case "basic":
		scheme, tok := authorization(r)
		if !strings.EqualFold(scheme, "basic") {
			return false
		}
		b, err := base64.StdEncoding.DecodeString(tok)
		return err == nil && strings.Contains(string(b), ":")
	case "bearer":
		scheme, tok := authorization(r)
		return strings.EqualFold(scheme, "bearer") && tok != ""
	case "http":
		scheme, _ := authorization(r)
		return strings.EqualFold(scheme, c.auth)
	case "apiKey":
		switch c.in {
		case "header":
			return r.Header.Get(c.name) != ""
		case "query":
			return r.URL.Query().Has(c.name)
		case "cookie":
			_, err := r.Cookie(c.name)
			return err == nil
		}
		return false
	}
	return true
}

func (c credential) problem() Problem {
	switch c.kind {
	case "basic":
		return Problem{In: "header", Name: "Authorization", Message: "HTTP Basic credentials (user:password) required by security scheme " + c.scheme}
	case "bearer":
		return Problem{In: "header", Name: "Authorization", Message: "a Bearer token is required by security scheme " + c.scheme}
	case "http":
		return Problem{In: "header", Name: "Authorization", Message: "HTTP " + c.auth + " credentials are required by security scheme " + c.scheme}
	default:
		return Problem{In: c.in, Name: c.name, Message: "an API key is required by security scheme " + c.scheme}
	}
}

func authorization(r *http.Request) (scheme, token string) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, token, _ = strings.Cut(h, " ")
	return scheme, strings.TrimSpace(token)
}

// checkSecurity returns nil when one alternative is satisfied (an empty
// alternative always is), else the
// missing credentials of every alternative, and the WWW-Authenticate
// challenges to send.
func checkSecurity(reqs []requirement, r *http.Request) ([]Problem, []string) {
	if len(reqs) == 0 {
		return nil, nil
	}
	var problems []Problem
	var challenges []string
	seen := map[string]bool{}
	for _, req := range reqs {
		ok := true
		for _, c := range req {
			if c.present(r) {
				continue
			}
			ok = false
			if !seen[c.scheme] {
				seen[c.scheme] = true
				problems = append(problems, c.problem())
				switch c.kind {
				case "basic":
					challenges = append(challenges, `Basic realm="mock"`)
				case "bearer":
					challenges = append(challenges, `Bearer realm="mock"`)
				}
			}
		}
		if ok {
			return nil, nil
		}
	}
	return problems, challenges
}
