package executor

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestMaskShortSecretsAsWholeValues: a short secret is masked only where it
// is a whole value, so it never corrupts unrelated text (issue 13, issue 15
// items 7 and 8).
func TestMaskShortSecretsAsWholeValues(t *testing.T) {
	var m masker
	m.add("json") // a password input "json"
	m.add("1234") // pin=1234
	m.add("pw")   // a 2-byte credential
	m.prepare()

	if got := m.apply("Content-Type: application/json; order ORD-1234-XYZ"); got != "Content-Type: application/json; order ORD-1234-XYZ" {
		t.Errorf("free text corrupted: %q", got)
	}
	h := m.headers(http.Header{"Content-Type": {"application/json"}, "X-Pin": {"1234"}, "X-Pw": {"pw"}, "Cookie": {"a=pw; b=x"}})
	if h.Get("Content-Type") != "application/json" || h.Get("X-Pin") != Mask || h.Get("X-Pw") != Mask || h.Get("Cookie") != "a=****; b=x" {
		t.Errorf("headers: %v", h)
	}
	u := m.url("http://bob:pw@api.test/pin/1234/orders/ORD-1234-XYZ?pin=1234&q=json&other=json-x")
	for _, want := range []string{"bob:%2A%2A%2A%2A@", "/pin/****/orders/ORD-1234-XYZ", "pin=****", "q=****", "other=json-x"} {
		if !strings.Contains(u, want) {
			t.Errorf("url %s lacks %s", u, want)
		}
	}
	body := m.body(`{"password":"json","pin":1234,"order":"ORD-1234-XYZ","type":"application/json","n":12345}`, "application/json")
	if body != `{"password":"****","pin":"****","order":"ORD-1234-XYZ","type":"application/json","n":12345}` {
		t.Errorf("json body: %s", body)
	}
	if got := m.body("pin=1234&note=ORD-1234", "application/x-www-form-urlencoded"); got != "pin=****&note=ORD-1234" {
		t.Errorf("form body: %s", got)
	}
	v := m.value(map[string]any{"pin": 1234.0, "s": "1234", "order": "ORD-1234-XYZ", "ct": "application/json"})
	b, _ := json.Marshal(v)
	if string(b) != `{"ct":"application/json","order":"ORD-1234-XYZ","pin":"****","s":"****"}` {
		t.Errorf("value: %s", b)
	}
}

// TestMaskAuthorizationEmpty: a trace shows "Bearer " with nothing after
// it when nothing was sent.
func TestMaskAuthorizationEmpty(t *testing.T) {
	var m masker
	h := m.headers(http.Header{"Authorization": {"Bearer "}})
	if h.Get("Authorization") != "Bearer " {
		t.Errorf("got %q", h.Get("Authorization"))
	}
	m.add("a-long-enough-token")
	h = m.headers(http.Header{"Authorization": {"Bearer "}, "Proxy-Authorization": {"Basic abc"}})
	if h.Get("Authorization") != "Bearer " || h.Get("Proxy-Authorization") != "Basic "+Mask {
		t.Errorf("got %v", h)
	}
}

// TestMaskEscapedEcho: an API key a response echoes with upper-case \u
// escapes is masked (the body is decoded before it is searched).
func TestMaskEscapedEcho(t *testing.T) {
	var m masker
	m.add("k3y+value-long")
	data := []byte(`{"echo":"k3y\u002Bvalue-long"}`)
	if !m.mayHoldBytes(data) {
		t.Fatal("a body with \\u escapes must be searched")
	}
	var v any
	_ = json.Unmarshal(data, &v)
	if b, _ := json.Marshal(m.value(v)); string(b) != `{"echo":"****"}` {
		t.Errorf("got %s", b)
	}
}

// TestMaskingOff: WithoutSecretsMasking shows everything.
func TestMaskingOff(t *testing.T) {
	m := masker{off: true}
	m.add("a-long-enough-secret")
	if m.apply("x a-long-enough-secret") != "x a-long-enough-secret" || m.headers(http.Header{"Authorization": {"Bearer t"}}).Get("Authorization") != "Bearer t" {
		t.Error("masking is off")
	}
}
