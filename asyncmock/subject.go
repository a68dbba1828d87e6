package asyncmock

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/telaio/telaio/asyncapi"
)

// subjectPattern is a channel address read as a NATS subject: each token
// holding a {parameter} becomes the wildcard *, and the token received
// there gives the parameter's value.
type subjectPattern struct {
	// subject is what the responder subscribes to.
	subject string
	tokens  []tokenPattern
	// tail is true when the last token is NATS's ">" (the address itself
	// is a wildcard): a subject may then have more tokens.
	tail bool
}

// tokenPattern extracts the parameters of one token (nil re: a literal or
// wildcard token, which the server has matched already).
type tokenPattern struct {
	re    *regexp.Regexp
	names []string
}

// compileSubject reads a channel address. Errors wrap ErrNotServed.
func compileSubject(address string) (subjectPattern, error) {
	if address == "" {
		return subjectPattern{}, fmt.Errorf("%w: the channel address is unknown (null or absent)", ErrNotServed)
	}
	toks := strings.Split(address, ".")
	sp := subjectPattern{tokens: make([]tokenPattern, len(toks))}
	out := make([]string, len(toks))
	for i, t := range toks {
		if t == "" || strings.ContainsAny(t, " \t\r\n") {
			return subjectPattern{}, fmt.Errorf("%w: address %q is not a NATS subject (empty token or white space)", ErrNotServed, address)
		}
		if t == ">" {
			if i != len(toks)-1 {
				return subjectPattern{}, fmt.Errorf("%w: address %q: \">\" must be the last token", ErrNotServed, address)
			}
			sp.tail = true
		}
		if !strings.ContainsAny(t, "{}") {
			out[i] = t
			continue
		}
		if _, err := asyncapi.TemplateNames(t); err != nil {
			return subjectPattern{}, fmt.Errorf("%w: address %q: %w", ErrNotServed, address, err)
		}
		re, err := regexp.Compile(tokenRegexp(t))
		if err != nil {
			return subjectPattern{}, fmt.Errorf("%w: address %q: %w", ErrNotServed, address, err)
		}
		sp.tokens[i] = tokenPattern{re: re, names: tokenNames(t)}
		out[i] = "*"
	}
	sp.subject = strings.Join(out, ".")
	return sp, nil
}

// tokenRegexp turns a token such as "{id}" or "eu-{id}" into an anchored
// regular expression with one group per {name}, in order. The token's
// braces are balanced (TemplateNames checked it).
func tokenRegexp(t string) string {
	var b strings.Builder
	b.WriteByte('^')
	for t != "" {
		open := strings.IndexByte(t, '{')
		if open < 0 {
			b.WriteString(regexp.QuoteMeta(t))
			break
		}
		b.WriteString(regexp.QuoteMeta(t[:open]))
		end := strings.IndexByte(t[open:], '}') + open
		b.WriteString("(.+?)")
		t = t[end+1:]
	}
	b.WriteByte('$')
	return b.String()
}

// tokenNames lists the {name}s of a token in order, repeats included.
func tokenNames(t string) []string {
	var out []string
	for {
		open := strings.IndexByte(t, '{')
		if open < 0 {
			return out
		}
		end := strings.IndexByte(t[open:], '}') + open
		out = append(out, t[open+1:end])
		t = t[end+1:]
	}
}

// params returns the parameter values a received subject gives; ok is false
// when the subject does not fit the address (a token the wildcard matched
// but the token's text does not, or one name given two values).
func (sp subjectPattern) params(subject string) (map[string]string, bool) {
	toks := strings.Split(subject, ".")
	if len(toks) < len(sp.tokens) || (len(toks) > len(sp.tokens) && !sp.tail) {
		return nil, false
	}
	var out map[string]string
	for i, tp := range sp.tokens {
		if tp.re == nil {
			continue
		}
		m := tp.re.FindStringSubmatch(toks[i])
		if m == nil {
			return nil, false
		}
		if out == nil {
			out = map[string]string{}
		}
		for j, name := range tp.names {
			if v, seen := out[name]; seen && v != m[j+1] {
				return nil, false
			}
			out[name] = m[j+1]
		}
	}
	return out, true
}

// validPublishSubject reports whether s can be published to: not empty,
// no white space, no empty token, no wildcard token.
func validPublishSubject(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	for t := range strings.SplitSeq(s, ".") {
		if t == "" || t == "*" || t == ">" {
			return false
		}
	}
	return true
}
