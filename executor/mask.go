package executor

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Mask replaces secrets in text.
const Mask = "****"

// masker replaces every known secret, and its JSON-, URL- and
// base64-encoded forms, with Mask.
type masker struct {
	secrets []string
	r       *strings.Replacer
}

func (m *masker) add(s string) {
	if len(s) < 3 { // too short to mask without destroying the text
		return
	}
	for _, have := range m.secrets {
		if have == s {
			return
		}
	}
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s), base64.StdEncoding.EncodeToString([]byte(s)),
		base64.RawURLEncoding.EncodeToString([]byte(s))}
	if b, err := json.Marshal(s); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	for _, f := range forms {
		dup := false
		for _, have := range m.secrets {
			if have == f {
				dup = true
				break
			}
		}
		if !dup && len(f) >= 3 {
			m.secrets = append(m.secrets, f)
		}
	}
	m.r = nil
}

// contains reports whether text holds any secret form.
func (m *masker) contains(text string) bool {
	for _, s := range m.secrets {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

func (m *masker) apply(s string) string {
	if len(m.secrets) == 0 || s == "" || !m.contains(s) {
		return s
	}
	if m.r == nil {
		// Longest first so that a secret inside another is not half-masked.
		ss := append([]string(nil), m.secrets...)
		for i := 1; i < len(ss); i++ {
			for j := i; j > 0 && len(ss[j]) > len(ss[j-1]); j-- {
				ss[j], ss[j-1] = ss[j-1], ss[j]
			}
		}
		pairs := make([]string, 0, 2*len(ss))
		for _, s := range ss {
			pairs = append(pairs, s, Mask)
		}
		m.r = strings.NewReplacer(pairs...)
	}
	return m.r.Replace(s)
}

// headers returns a masked copy of h. Authorization and Proxy-Authorization
// values are always masked after their scheme.
func (m *masker) headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Proxy-Authorization":
				if sch, _, ok := strings.Cut(v, " "); ok {
					v = sch + " " + Mask
				} else {
					v = Mask
				}
			default:
				v = m.apply(v)
			}
			c[i] = v
		}
		out[k] = c
	}
	return out
}

// value masks secrets inside strings of a JSON-model value (copying only
// what changes).
func (m *masker) value(v any) any {
	if len(m.secrets) == 0 {
		return v
	}
	switch x := v.(type) {
	case string:
		return m.apply(x)
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			me := m.value(e)
			if s, ok := e.(string); ok && me.(string) == s {
				continue
			}
			if out == nil {
				out = make(map[string]any, len(x))
				for k2, e2 := range x {
					out[k2] = e2
				}
			}
			out[k] = me
		}
		if out == nil {
			return x
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = m.value(e)
		}
		return out
	}
	return v
}
