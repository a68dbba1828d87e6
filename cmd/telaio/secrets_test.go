package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Secrets of the secrets fixture. Each holds characters that change under
// JSON, URL, XML, cookie and base64 encoding.
const (
	secUser         = "alice"
	secBasicPass    = `b@sic/p+ss"é 1`
	secBearer       = `b3arer/t+k"é&<`
	secHeaderKey    = `h3ader/k+y"é~`
	secQueryKey     = `qu3ry/k+y"é q`
	secCookieKey    = `c00kie/k+y"é;`
	secClientID     = "client-1"
	secClientSecret = `cl1ent/s3cret+"é`
	secToken        = `tok3n/fr0m+oauth"é`
	secPassword     = `p@ss/w+rd"é 1`
	secAPISecret    = `wr1te/0nly+"é s3cret`
)

// secretValues names every secret of the fixture, with the basic-auth
// credential as sent.
var secretValues = map[string]string{
	"basic password":      secBasicPass,
	"basic credential":    secUser + ":" + secBasicPass,
	"bearer token":        secBearer,
	"header api key":      secHeaderKey,
	"query api key":       secQueryKey,
	"cookie api key":      secCookieKey,
	"oauth2 secret":       secClientSecret,
	"oauth2 credential":   secClientID + ":" + secClientSecret,
	"oauth2 token":        secToken,
	"password input":      secPassword,
	"writeOnly input":     secAPISecret,
	"oauth2 basic header": url.QueryEscape(secClientID) + ":" + url.QueryEscape(secClientSecret),
}

// secretForms returns the encoded forms of s a leak could take, by name.
// Base64 forms are unpadded: a padded one holds them.
func secretForms(s string) map[string]string {
	forms := map[string]string{
		"raw":             s,
		"query-escaped":   url.QueryEscape(s),
		"path-escaped":    url.PathEscape(s),
		"rfc3986-escaped": strings.ReplaceAll(url.QueryEscape(s), "+", "%20"),
		"cookie-escaped":  percentEscape(s, isCookieOctet),
		"cookie-dropped":  dropBytes(s, isCookieOctet),
		"base64":          base64.RawStdEncoding.EncodeToString([]byte(s)),
		"base64url":       base64.RawURLEncoding.EncodeToString([]byte(s)),
	}
	j, _ := json.Marshal(s)
	forms["json"] = string(j[1 : len(j)-1])
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	forms["json-unescaped-html"] = strings.TrimSuffix(strings.TrimSpace(b.String()), `"`)[1:]
	var ascii strings.Builder
	for _, r := range forms["json"] {
		if r < utf8.RuneSelf {
			ascii.WriteRune(r)
		} else {
			fmt.Fprintf(&ascii, `\u%04x`, r)
		}
	}
	forms["json-ascii"] = ascii.String()
	b.Reset()
	_ = xml.EscapeText(&b, []byte(s))
	forms["xml-escaped"] = b.String()
	return forms
}

func isCookieOctet(c byte) bool {
	return c == 0x21 || c >= 0x23 && c <= 0x2B || c >= 0x2D && c <= 0x3A || c >= 0x3C && c <= 0x5B || c >= 0x5D && c <= 0x7E
}

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

func dropBytes(s string, keep func(byte) bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if keep(s[i]) || s[i] == ' ' || s[i] == ',' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// assertNoSecret fails for every secret form found in text.
func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	names := make([]string, 0, len(secretValues))
	for n := range secretValues {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		forms := secretForms(secretValues[n])
		kinds := make([]string, 0, len(forms))
		for k := range forms {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			f := forms[k]
			if i := strings.Index(text, f); i >= 0 {
				lo, hi := max(0, i-60), min(len(text), i+len(f)+20)
				t.Errorf("%s: the %s (%s form %q) leaked: …%s…", where, n, k, f, text[lo:hi])
			}
		}
	}
}

// secretsServer serves the secrets fixture: an OAuth2 token endpoint and
// an echo of every request (headers, query, cookies and body) in JSON, in a
// response header and in a cookie. /audit answers 403.
type secretsServer struct {
	mu  sync.Mutex
	got map[string]*http.Request // path -> last request
}

func (s *secretsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/oauth/token" {
		id, sec, _ := r.BasicAuth()
		id, _ = url.QueryUnescape(id)
		sec, _ = url.QueryUnescape(sec)
		form, _ := url.ParseQuery(string(body))
		if id != secClientID || sec != secClientSecret || form.Get("grant_type") != "client_credentials" {
			http.Error(w, "bad client", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": secToken, "token_type": "Bearer", "expires_in": 3600})
		return
	}
	s.mu.Lock()
	s.got[r.URL.Path] = r.Clone(r.Context())
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
	w.Header().Set("X-Echo-Query", r.URL.RawQuery)
	if c, err := r.Cookie("session_key"); err == nil {
		w.Header().Add("Set-Cookie", "session_key="+c.Value)
	}
	status := http.StatusOK
	if r.URL.Path == "/audit" {
		status = http.StatusForbidden
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "path": r.URL.EscapedPath(),
		"rawQuery": r.URL.RawQuery, "headers": r.Header, "body": string(body)})
}

// received returns the last request the server got on path.
func (s *secretsServer) received(path string) *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[path]
}

func startSecretsServer(t *testing.T) (*secretsServer, string) {
	t.Helper()
	s := &secretsServer{got: map[string]*http.Request{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// authValues are the credentials of the fixture, by security scheme.
var authValues = [][2]string{
	{"basicAuth", secUser + ":" + secBasicPass},
	{"bearerAuth", secBearer},
	{"headerKey", secHeaderKey},
	{"queryKey", secQueryKey},
	{"cookieKey", secCookieKey},
	{"oauth", secClientID + ":" + secClientSecret},
}

// TestRunMasksSecrets runs a workflow whose credentials and secret inputs
// go everywhere, then greps stdout, stderr and every report for each secret
// in every encoding.
func TestRunMasksSecrets(t *testing.T) {
	const doc = "testdata/secrets/secrets.arazzo.yaml"
	cases := []struct {
		name   string
		format string
		byEnv  bool
	}{
		{"text, --auth flags, --input flags", "text", false},
		{"json, TELAIO_AUTH_ env, --inputs file", "json", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, base := startSecretsServer(t)
			dir := t.TempDir()
			args := []string{"run", doc, "--server", "vault=" + base, "--format", c.format,
				"--report", "junit=" + filepath.Join(dir, "r.xml"), "--report", "json=" + filepath.Join(dir, "r.json"),
				"--report", "har=" + filepath.Join(dir, "r.har")}
			vars := map[string]string{}
			for _, a := range authValues {
				if c.byEnv {
					vars[envName("TELAIO_AUTH_", a[0])] = a[1]
				} else {
					args = append(args, "--auth", a[0]+"="+a[1])
				}
			}
			if c.byEnv {
				in, _ := json.Marshal(map[string]string{"username": secUser, "password": secPassword, "apiSecret": secAPISecret})
				file := filepath.Join(dir, "inputs.json")
				if err := os.WriteFile(file, in, 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--inputs", file)
			} else {
				args = append(args, "--input", "username="+secUser, "--input", "password="+secPassword, "--input", "apiSecret="+secAPISecret)
			}
			code, out, errOut := runCLIWith(t, vars, "testdata/secrets", args...)
			if code != exitFailed {
				t.Fatalf("exit %d (want %d: the audit step fails)\n%s\n%s", code, exitFailed, out, errOut)
			}
			t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
			checkSecretsSent(t, fake)
			// The workflow's declared outputs are the answer: printed as
			// they are (issue 13); everything else is masked.
			out, answer := splitAnswer(t, c.format, out)
			if answer["password"] != secPassword || answer["apiSecret"] != secAPISecret || answer["username"] != secUser {
				t.Errorf("the declared outputs are not printed as they are: %v", answer)
			}
			outputs := map[string]string{"stdout": out, "stderr": errOut}
			for _, f := range []string{"r.xml", "r.json", "r.har"} {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				outputs[f] = string(b)
			}
			for _, where := range []string{"stdout", "stderr", "r.xml", "r.json", "r.har"} {
				assertNoSecret(t, where, outputs[where])
			}
			// The outputs still say what happened.
			mustHold := map[string][]string{
				"stdout": {"audit", "failed", "****"},
				"r.xml":  {`name="login"`, `name="audit"`, "<failure", "<password>****</password>", "Bearer ****"},
				"r.json": {`"stepId": "order"`, `"Bearer ****"`, `"password": "****"`},
				"r.har":  {`"_stepId": "profile"`, "api_key=****", `"value": "Basic ****"`, `"session_key"`},
			}
			if c.format == "text" {
				mustHold["stdout"] = append(mustHold["stdout"], "FAIL audit", "ok   login", "error: ")
			} else {
				mustHold["stdout"] = append(mustHold["stdout"], `"stepId": "item"`, `"Bearer ****"`, `"error": "workflow \"secrets\", step \"audit\"`)
			}
			for where, wants := range mustHold {
				for _, w := range wants {
					if !strings.Contains(outputs[where], w) {
						t.Errorf("%s lacks %q:\n%s", where, w, outputs[where])
					}
				}
			}
			var har struct {
				Log struct {
					Entries []json.RawMessage `json:"entries"`
				} `json:"log"`
			}
			if err := json.Unmarshal([]byte(outputs["r.har"]), &har); err != nil || len(har.Log.Entries) != 5 {
				t.Errorf("har: %d entries (want 5), %v", len(har.Log.Entries), err)
			}
		})
	}
}

// splitAnswer takes the workflow's outputs out of a run's stdout (text or
// JSON) and returns the rest and the outputs.
func splitAnswer(t *testing.T, format, out string) (string, map[string]any) {
	t.Helper()
	answer := map[string]any{}
	if format == "json" {
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("stdout is not JSON: %v", err)
		}
		answer, _ = res["outputs"].(map[string]any)
		delete(res, "outputs")
		b, _ := json.MarshalIndent(res, "", "  ")
		return string(b), answer
	}
	head, rest, ok := strings.Cut(out, "\noutputs:\n")
	if !ok {
		return out, answer
	}
	var tail []string
	for _, line := range strings.Split(rest, "\n") {
		if name, v, ok := strings.Cut(strings.TrimPrefix(line, "  "), ": "); ok && strings.HasPrefix(line, "  ") {
			var x any
			if json.Unmarshal([]byte(v), &x) == nil {
				answer[name] = x
				continue
			}
		}
		tail = append(tail, line)
	}
	return head + "\n" + strings.Join(tail, "\n"), answer
}

// checkSecretsSent makes sure the secrets reached the server, so that their
// absence from the outputs means they were masked.
func checkSecretsSent(t *testing.T, s *secretsServer) {
	t.Helper()
	get := func(path string) *http.Request {
		r := s.received(path)
		if r == nil {
			t.Fatalf("the server got no request on %s", path)
		}
		return r
	}
	if u, p, ok := get("/login").BasicAuth(); !ok || u != secUser || p != secBasicPass {
		t.Errorf("/login: basic auth %q %q", u, p)
	}
	item := get("/items/" + secPassword)
	if item.Header.Get("Authorization") != "Bearer "+secBearer || item.Header.Get("X-API-Key") != secHeaderKey ||
		item.Header.Get("X-Note") != secPassword || item.URL.Query().Get("q") != secAPISecret {
		t.Errorf("/items: %v %v", item.Header, item.URL)
	}
	if p := get("/profile"); p.URL.Query().Get("api_key") != secQueryKey || !strings.Contains(p.Header.Get("Cookie"), "session_key=") {
		t.Errorf("/profile: %v %v", p.Header, p.URL)
	}
	for _, path := range []string{"/orders", "/audit"} {
		if a := get(path).Header.Get("Authorization"); a != "Bearer "+secToken {
			t.Errorf("%s: Authorization %q", path, a)
		}
	}
}
