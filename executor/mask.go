package executor

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Mask replaces secrets in text.
const Mask = "****"

// minSecret is the shortest text masked: shorter secrets would destroy the
// text around them.
const minSecret = 3

// masker replaces every known secret, and the encoded forms it may take on
// the way out (see secretForms), with Mask. A run has one; it only grows.
type masker struct {
	secrets []string // every form of every secret, no duplicates
	// probes are the forms that hold no other form: text holds a form
	// exactly when it holds a probe (computed with r).
	probes []string
	known  map[string]bool // the forms in secrets
	added  map[string]bool // the secrets given to add
	r      *strings.Replacer
	// shared: secrets, known and added belong to the masker this one was
	// forked from, and are copied before the first change.
	shared bool
	// gen counts the changes of secrets.
	gen int
}

// fork returns a masker that starts with m's secrets and never changes m,
// so that an Engine computes the forms of its credentials once and its
// concurrent runs share them. m must not change afterwards.
func (m *masker) fork() masker {
	return masker{secrets: m.secrets[:len(m.secrets):len(m.secrets)], known: m.known, added: m.added, r: m.r, probes: m.probes, shared: true, gen: m.gen}
}

// prepare builds the replacer now (a forked masker would build its own).
func (m *masker) prepare() {
	if len(m.secrets) > 0 && m.r == nil {
		m.r = m.replacer()
	}
	if len(m.secrets) > 0 && m.probes == nil {
		m.probes = probes(m.secrets)
	}
}

// add makes s and its encoded forms secret.
func (m *masker) add(s string) {
	if len(s) < minSecret || m.added[s] {
		return
	}
	if m.shared {
		m.known, m.added, m.shared = maps.Clone(m.known), maps.Clone(m.added), false
	}
	if m.known == nil {
		m.known, m.added = map[string]bool{}, map[string]bool{}
	}
	m.added[s] = true
	for _, f := range secretForms(s) {
		if len(f) >= minSecret && !m.known[f] {
			m.known[f] = true
			m.secrets = append(m.secrets, f)
		}
	}
	m.r, m.probes = nil, nil
	m.gen++
}

// addCredential makes a credential secret: the whole value, and for
// "user:password" or "clientId:clientSecret" values the part after the
// first colon alone and the basic-auth text of the form-encoded pair (as
// OAuth2 token requests send it).
func (m *masker) addCredential(v string) {
	m.add(v)
	if id, secret, ok := strings.Cut(v, ":"); ok {
		m.add(secret)
		m.add(base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret))))
	}
}

// secretForms lists s as it may appear in the outputs: as is; JSON-escaped
// (Go's escaping with and without HTML escapes, with non-ASCII as \u
// escapes, with "/" as "\/"); percent-encoded as url.QueryEscape,
// url.PathEscape, RFC 3986 (everything but unreserved characters, as query
// and path parameters are sent) and RFC 6265 cookie values escape it;
// without the bytes net/http drops from cookie values; XML-escaped; and
// base64-encoded (standard and URL alphabets, padded or not).
func secretForms(s string) []string {
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s),
		percentEscape(s, isUnreserved), percentEscape(s, isCookieOctet), cookieSanitized(s)}
	if b, err := json.Marshal(s); err == nil {
		j := string(b[1 : len(b)-1])
		forms = append(forms, j, asciiJSON(j), strings.ReplaceAll(j, "/", `\/`))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		j := strings.TrimSpace(buf.String())
		forms = append(forms, j[1:len(j)-1])
	}
	buf.Reset()
	if xml.EscapeText(&buf, []byte(s)) == nil {
		forms = append(forms, buf.String())
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(s)))
	}
	return forms
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// isCookieOctet reports whether RFC 6265 allows c in a cookie value.
func isCookieOctet(c byte) bool {
	return c == 0x21 || c >= 0x23 && c <= 0x2B || c >= 0x2D && c <= 0x3A || c >= 0x3C && c <= 0x5B || c >= 0x5D && c <= 0x7E
}

// percentEscape escapes every byte keep rejects, and "%", as %XX.
func percentEscape(s string, keep func(byte) bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; keep(c) && c != '%' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// cookieSanitized is s as net/http sends it as a cookie value: the bytes it
// does not allow dropped (it keeps space and comma, quoting the value).
func cookieSanitized(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; isCookieOctet(c) || c == ' ' || c == ',' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// asciiJSON rewrites the non-ASCII characters of JSON text as \u escapes.
func asciiJSON(j string) string {
	var b strings.Builder
	for _, r := range j {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := (r-0x10000)>>10+0xD800, (r-0x10000)&0x3FF+0xDC00
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// contains reports whether text holds any secret form.
func (m *masker) contains(text string) bool {
	if len(m.secrets) == 0 {
		return false
	}
	if m.probes == nil {
		m.probes = probes(m.secrets)
	}
	for _, s := range m.probes {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// containsBytes is contains for a response body, without copying it.
func (m *masker) containsBytes(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	// The string shares data's bytes: it does not outlive this call, and
	// nothing writes data meanwhile.
	return m.contains(unsafe.String(unsafe.SliceData(data), len(data)))
}

// probes returns the forms that contain no other form. Every form holds
// one (itself, or a shorter form inside it), so checking them alone finds
// any form: a credential "id:secret" need not be searched for once
// "secret" is, nor its JSON form when that equals it.
func probes(forms []string) []string {
	out := make([]string, 0, len(forms))
	for i, f := range forms {
		minimal := true
		for j, g := range forms {
			if i != j && len(g) < len(f) && strings.Contains(f, g) {
				minimal = false
				break
			}
		}
		if minimal {
			out = append(out, f)
		}
	}
	return out
}

func (m *masker) apply(s string) string {
	if len(m.secrets) == 0 || s == "" || !m.contains(s) {
		return s
	}
	if m.r == nil {
		m.r = m.replacer()
	}
	return m.r.Replace(s)
}

// replacer replaces every secret form, longest first so that a secret
// inside another is not half-masked.
func (m *masker) replacer() *strings.Replacer {
	ss := append([]string(nil), m.secrets...)
	sort.SliceStable(ss, func(i, j int) bool { return len(ss[i]) > len(ss[j]) })
	pairs := make([]string, 0, 2*len(ss))
	for _, s := range ss {
		pairs = append(pairs, s, Mask)
	}
	return strings.NewReplacer(pairs...)
}

// headers returns a masked copy of h. Authorization and Proxy-Authorization
// values are always masked after their scheme.
func (m *masker) headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		// The values are copied only when one changes: the exchange's
		// headers are not written after it is recorded.
		ck := http.CanonicalHeaderKey(k)
		auth := ck == "Authorization" || ck == "Proxy-Authorization"
		var c []string
		for i, v := range vs {
			var mv string
			switch sch, _, ok := strings.Cut(v, " "); {
			case auth && ok:
				mv = sch + " " + Mask
			case auth:
				mv = Mask
			default:
				mv = m.apply(v)
			}
			if mv != v && c == nil {
				c = slices.Clone(vs)
			}
			if c != nil {
				c[i] = mv
			}
		}
		if c == nil {
			c = vs
		}
		out[k] = c
	}
	return out
}

// value masks secrets inside the strings (object member names included) of
// a JSON-model value. It never changes v: what changes is copied.
func (m *masker) value(v any) any {
	if len(m.secrets) == 0 {
		return v
	}
	mv, _ := m.maskValue(v)
	return mv
}

// maskValue returns v masked and whether that changed anything.
func (m *masker) maskValue(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		if ms := m.apply(x); ms != x {
			return ms, true
		}
		return v, false
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			mk := m.apply(k)
			me, changed := m.maskValue(e)
			if mk == k && !changed {
				continue
			}
			if out == nil {
				out = make(map[string]any, len(x))
				for k2, e2 := range x {
					out[k2] = e2
				}
			}
			delete(out, k)
			out[mk] = me
		}
		if out == nil {
			return x, false
		}
		return out, true
	case []any:
		var out []any
		for i, e := range x {
			me, changed := m.maskValue(e)
			if out == nil && !changed {
				continue
			}
			if out == nil {
				out = append(make([]any, 0, len(x)), x[:i]...)
			}
			out = append(out, me)
		}
		if out == nil {
			return x, false
		}
		return out, true
	}
	return v, false
}

// outputs returns outs with secrets masked, copying what changes (the run
// keeps the originals for the expressions that read them).
func (m *masker) outputs(outs map[string]any) map[string]any {
	if o, ok := m.value(outs).(map[string]any); ok {
		return o
	}
	return outs
}

// result masks, in place, everything of a finished run's trace that a
// secret can reach: inputs, outputs, errors, criteria, violations and
// exchanges, through called workflows, dependencies and transfers. Values
// are replaced, never changed, so the caller's data stays untouched. It
// masks secrets learned after a part of the trace was recorded (a called
// workflow's secret inputs, an OAuth2 token).
//
// since is the generation of the secrets when the run began recording: when
// no secret was learned since, the exchanges, masked as they were recorded,
// are not masked again.
func (m *masker) result(r *Result, since int) {
	m.resultSeen(r, map[*Result]bool{}, m.gen != since)
}

func (m *masker) resultSeen(r *Result, seen map[*Result]bool, exchanges bool) {
	if r == nil || seen[r] || len(m.secrets) == 0 {
		return
	}
	seen[r] = true
	r.Inputs = m.outputs(r.Inputs)
	r.Outputs = m.outputs(r.Outputs)
	r.Error = m.apply(r.Error)
	for _, sr := range r.Steps {
		if sr == nil {
			continue
		}
		sr.Outputs = m.outputs(sr.Outputs)
		sr.Error = m.apply(sr.Error)
		for i := range sr.Criteria {
			sr.Criteria[i].Error = m.apply(sr.Criteria[i].Error)
		}
		for i := range sr.Violations {
			sr.Violations[i].Message = m.apply(sr.Violations[i].Message)
		}
		if exchanges {
			for _, ex := range sr.Exchanges {
				m.exchange(ex)
			}
		}
		m.resultSeen(sr.Workflow, seen, exchanges)
	}
	for _, d := range r.Dependencies {
		m.resultSeen(d, seen, exchanges)
	}
	m.resultSeen(r.Transfer, seen, exchanges)
}

func (m *masker) exchange(ex *Exchange) {
	if ex == nil {
		return
	}
	ex.Error = m.apply(ex.Error)
	if rq := ex.Request; rq != nil {
		rq.URL = m.apply(rq.URL)
		rq.Headers = m.headers(rq.Headers)
		rq.Body = m.apply(rq.Body)
	}
	if rs := ex.Response; rs != nil {
		rs.Headers = m.headers(rs.Headers)
		rs.Body = m.value(rs.Body)
	}
}

// err returns err with secrets masked in its message; nil and errors
// without secrets come back as they are. A *StepError keeps its type and
// fields with its cause masked, so errors.As still finds it; masked errors
// unwrap to the originals.
func (m *masker) err(err error) error {
	if err == nil || len(m.secrets) == 0 || !m.contains(err.Error()) {
		return err
	}
	if se, ok := err.(*StepError); ok && se.Err != nil {
		c := *se
		c.Err = m.err(se.Err)
		return &c
	}
	return &maskedError{msg: m.apply(err.Error()), cause: err}
}
