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
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Mask replaces secrets in text.
const Mask = "****"

// Secrets are masked in two ways (see the package documentation, Secrets):
//
//   - a strong secret (see isStrong) is masked wherever it appears, in any
//     text, in every encoded form it may take (secretForms);
//   - a short or uniform one would destroy the text around it ("json" in
//     "application/json", "1234" in "ORD-1234-XYZ"), so it is masked only
//     where it is a whole value: a header value or the credential of an
//     Authorization header, a cookie value, a URL's user-info password,
//     query value or path segment, a JSON string or number, a form field.
const (
	minStrongSecret = 8 // bytes: always strong from this length
	minMixedSecret  = 6 // bytes: strong from this length when it mixes character classes
)

// isStrong reports whether s is masked inside free text.
func isStrong(s string) bool {
	if len(s) >= minStrongSecret {
		return true
	}
	if len(s) < minMixedSecret {
		return false
	}
	var lower, upper, digit, other bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z':
			lower = true
		case 'A' <= c && c <= 'Z':
			upper = true
		case '0' <= c && c <= '9':
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	return n >= 2
}

// masker replaces every known secret, and the encoded forms it may take on
// the way out, with Mask. A run has one; it only grows.
type masker struct {
	// off turns masking off (WithoutSecretsMasking): every method returns
	// its argument.
	off bool
	// secrets are every form of every strong secret, no duplicates.
	secrets []string
	// probes are the forms that hold no other form: text holds a form
	// exactly when it holds a probe (computed with r).
	probes []string
	known  map[string]bool // the forms in secrets
	added  map[string]bool // the secrets given to add
	// whole are the forms of the short secrets, masked where they are a
	// whole value.
	whole map[string]bool
	r     *strings.Replacer
	// shared: secrets, known, added and whole belong to the masker this
	// one was forked from, and are copied before the first change.
	shared bool
	// gen counts the changes of the secrets.
	gen int
	// longest is the length of the longest form.
	longest int
}

// fork returns a masker that starts with m's secrets and never changes m,
// so that an Engine computes the forms of its credentials once and its
// concurrent runs share them. m must not change afterwards.
func (m *masker) fork() masker {
	return masker{off: m.off, secrets: m.secrets[:len(m.secrets):len(m.secrets)], known: m.known, added: m.added, whole: m.whole,
		r: m.r, probes: m.probes, shared: true, gen: m.gen, longest: m.longest}
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

// empty reports whether there is nothing to mask.
func (m *masker) empty() bool { return m.off || len(m.secrets) == 0 && len(m.whole) == 0 }

// add makes s and its encoded forms secret.
func (m *masker) add(s string) {
	if m.off || s == "" || m.added[s] {
		return
	}
	if m.shared {
		m.known, m.added, m.whole, m.shared = maps.Clone(m.known), maps.Clone(m.added), maps.Clone(m.whole), false
	}
	if m.known == nil {
		m.known = map[string]bool{}
	}
	if m.added == nil {
		m.added = map[string]bool{}
	}
	if m.whole == nil {
		m.whole = map[string]bool{}
	}
	m.added[s] = true
	strong := isStrong(s)
	for _, f := range secretForms(s) {
		m.longest = max(m.longest, len(f))
		switch {
		case strong && isStrong(f) && !m.known[f]:
			m.known[f] = true
			m.secrets = append(m.secrets, f)
		case f != "":
			// A form too short for free text (or of a short secret) is
			// still masked as a whole value.
			m.whole[f] = true
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

// contains reports whether text holds a form of a strong secret.
func (m *masker) contains(text string) bool {
	if m.off || len(m.secrets) == 0 {
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

// holds reports whether the whole value v is, or holds, a secret.
func (m *masker) holds(v string) bool {
	return !m.off && (m.whole[v] || m.contains(v))
}

// mayHoldBytes reports whether a response body may hold a secret, without
// copying it: a strong form, a form of a short one (a whole JSON string
// is checked after decoding), or a JSON \u escape, behind which any
// secret may hide.
func (m *masker) mayHoldBytes(data []byte) bool {
	if len(data) == 0 || m.empty() {
		return false
	}
	// The string shares data's bytes: it does not outlive this call, and
	// nothing writes data meanwhile.
	text := unsafe.String(unsafe.SliceData(data), len(data))
	if m.contains(text) {
		return true
	}
	for f := range m.whole {
		if strings.Contains(text, f) {
			return true
		}
	}
	return len(m.whole)+len(m.secrets) > 0 && strings.Contains(text, `\u`)
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

// apply masks the strong secrets in free text (error messages, logs).
func (m *masker) apply(s string) string {
	if s == "" || !m.contains(s) {
		return s
	}
	if m.r == nil {
		m.r = m.replacer()
	}
	return m.r.Replace(s)
}

// scalar masks one whole value: Mask when it is a secret's form, else its
// strong secrets.
func (m *masker) scalar(s string) string {
	if m.off {
		return s
	}
	if m.whole[s] {
		return Mask
	}
	return m.apply(s)
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

// headers returns a masked copy of h. The credential of an Authorization
// or Proxy-Authorization value is always masked (what follows its scheme;
// nothing is shown when nothing follows), cookie values that are secrets
// are masked one by one, and any other value that is a secret as a whole.
func (m *masker) headers(h http.Header) http.Header {
	if h == nil || m.off {
		return h
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		// The values are copied only when one changes: the exchange's
		// headers are not written after it is recorded.
		ck := http.CanonicalHeaderKey(k)
		var c []string
		for i, v := range vs {
			var mv string
			switch ck {
			case "Authorization", "Proxy-Authorization":
				mv = maskAuthorization(v)
			case "Cookie":
				mv = m.cookies(v, "; ")
			case "Set-Cookie":
				mv = m.setCookie(v)
			default:
				mv = m.scalar(v)
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

// stringMap returns a masked copy of message headers: values that are
// secrets as a whole, and strong secrets anywhere.
func (m *masker) stringMap(h map[string]string) map[string]string {
	if h == nil {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = m.scalar(v)
	}
	return out
}

// maskAuthorization masks the credential of an Authorization value: what
// follows the scheme, or the whole value without one. "Bearer " with
// nothing after it stays as it is: nothing was sent.
func maskAuthorization(v string) string {
	sch, cred, ok := strings.Cut(v, " ")
	switch {
	case !ok && v == "":
		return v
	case !ok:
		return Mask
	case strings.TrimSpace(cred) == "":
		return v
	}
	return sch + " " + Mask
}

// cookies masks the values of a Cookie header (name=value pairs).
func (m *masker) cookies(v, sep string) string {
	parts := strings.Split(v, sep)
	changed := false
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		mv := m.scalar(strings.Trim(val, `"`))
		if mv != strings.Trim(val, `"`) {
			parts[i] = name + "=" + mv
			changed = true
		}
	}
	if !changed {
		return m.apply(v)
	}
	return m.apply(strings.Join(parts, sep))
}

// setCookie masks the value of a Set-Cookie header (its attributes are not
// secret).
func (m *masker) setCookie(v string) string {
	first, rest, hasRest := strings.Cut(v, ";")
	mv := m.cookies(first, "; ")
	if hasRest {
		return mv + ";" + m.apply(rest)
	}
	return mv
}

// url masks a URL: the user-info password always, query values and path
// segments that are secrets, then the strong secrets anywhere.
func (m *masker) url(raw string) string {
	if m.off || raw == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return m.apply(raw)
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Mask)
			changed = true
		}
		if m.whole[u.User.Username()] {
			u.User = url.UserPassword(Mask, Mask)
			changed = true
		}
	}
	if len(m.whole) > 0 {
		if p := u.EscapedPath(); p != "" {
			segs := strings.Split(p, "/")
			pc := false
			for i, s := range segs {
				if s == "" {
					continue
				}
				dec, err := url.PathUnescape(s)
				if m.whole[s] || err == nil && m.whole[dec] {
					segs[i] = Mask
					pc = true
				}
			}
			if pc {
				np := strings.Join(segs, "/")
				if dp, err := url.PathUnescape(np); err == nil {
					u.Path, u.RawPath = dp, np
					changed = true
				}
			}
		}
		if u.RawQuery != "" {
			if q, ok := m.pairs(u.RawQuery); ok {
				u.RawQuery = q
				changed = true
			}
		}
	}
	if !changed {
		return m.apply(raw)
	}
	return m.apply(u.String())
}

// pairs masks the values of form-encoded name=value pairs that are
// secrets; ok is false when nothing changed.
func (m *masker) pairs(q string) (string, bool) {
	parts := strings.Split(q, "&")
	changed := false
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok || val == "" {
			continue
		}
		dec, err := url.QueryUnescape(val)
		if m.whole[val] || err == nil && m.whole[dec] {
			parts[i] = name + "=" + Mask
			changed = true
		}
	}
	return strings.Join(parts, "&"), changed
}

// body masks a body as sent or received: JSON strings and numbers and
// form fields that are secrets as a whole (and JSON strings holding a
// secret behind escapes), then the strong secrets anywhere.
func (m *masker) body(text, contentType string) string {
	if m.off || text == "" {
		return text
	}
	switch k := kindOf(contentType); {
	case k == bodyJSON || contentType == "" && len(text) > 0 && (text[0] == '{' || text[0] == '['):
		if len(m.whole) > 0 || strings.Contains(text, `\u`) || strings.Contains(text, `\/`) {
			text = m.jsonText(text)
		}
	case k == bodyForm && len(m.whole) > 0:
		if q, ok := m.pairs(text); ok {
			text = q
		}
	}
	return m.apply(text)
}

// jsonText masks the string and number tokens of JSON text whose value is
// a secret, leaving the rest of the text as it is. Text that is not JSON
// is scanned the same way, harmlessly.
func (m *masker) jsonText(text string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '"':
			end := i + 1
			for end < len(text) && text[end] != '"' {
				if text[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(text) {
				i = len(text)
				continue
			}
			lit := text[i : end+1]
			var s string
			if strings.IndexByte(lit, '\\') >= 0 || m.whole[lit[1:len(lit)-1]] {
				if json.Unmarshal([]byte(lit), &s) == nil {
					var rep string
					switch {
					case m.whole[s]:
						rep = `"` + Mask + `"`
					case m.contains(s):
						// A secret behind escapes (\u002B) the text
						// search cannot see.
						enc, _ := json.Marshal(m.apply(s))
						rep = string(enc)
					}
					if rep != "" {
						b.WriteString(text[last:i])
						b.WriteString(rep)
						last = end + 1
					}
				}
			}
			i = end + 1
		case c == '-' || '0' <= c && c <= '9':
			end := i + 1
			for end < len(text) && strings.IndexByte("0123456789.eE+-", text[end]) >= 0 {
				end++
			}
			// Only a number token: not part of a word.
			if (i == 0 || !isWordByte(text[i-1])) && m.whole[text[i:end]] {
				b.WriteString(text[last:i])
				b.WriteString(`"` + Mask + `"`)
				last = end
			}
			i = end
		default:
			i++
		}
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// value masks secrets inside the strings (object member names included) of
// a JSON-model value. It never changes v: what changes is copied.
func (m *masker) value(v any) any {
	if m.empty() {
		return v
	}
	mv, _ := m.maskValue(v)
	return mv
}

// maskValue returns v masked and whether that changed anything.
func (m *masker) maskValue(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		if ms := m.scalar(x); ms != x {
			return ms, true
		}
		return v, false
	case float64:
		if len(m.whole) > 0 && m.whole[strconv.FormatFloat(x, 'f', -1, 64)] {
			return Mask, true
		}
		return v, false
	case json.Number:
		if m.whole[string(x)] {
			return Mask, true
		}
		return v, false
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			mk := m.scalar(k)
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
	if r == nil || seen[r] || m.empty() {
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
		rq.URL = m.url(rq.URL)
		rq.Headers = m.headers(rq.Headers)
		rq.Body = m.body(rq.Body, rq.Headers.Get("Content-Type"))
	}
	if rs := ex.Response; rs != nil {
		rs.Headers = m.headers(rs.Headers)
		switch b := rs.Body.(type) {
		case json.RawMessage:
			if t := m.body(string(b), "application/json"); t != string(b) {
				if json.Valid([]byte(t)) {
					rs.Body = json.RawMessage(t)
				} else {
					rs.Body = t
				}
			}
		case string:
			rs.Body = m.body(b, rs.Headers.Get("Content-Type"))
		default:
			rs.Body = m.value(rs.Body)
		}
	}
}

// err returns err with secrets masked in its message; nil and errors
// without secrets come back as they are. A *StepError keeps its type and
// fields with its cause masked, so errors.As still finds it; masked errors
// unwrap to the originals.
func (m *masker) err(err error) error {
	if err == nil || !m.contains(err.Error()) {
		return err
	}
	if se, ok := err.(*StepError); ok && se.Err != nil {
		c := *se
		c.Err = m.err(se.Err)
		return &c
	}
	return &maskedError{msg: m.apply(err.Error()), cause: err}
}
