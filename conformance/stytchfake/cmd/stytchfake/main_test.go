package main

import (
	"context"
	"encoding/json"
	"github.com/telaio/telaio/internal/testproc"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRunServesAndPrintsCodes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stderr testproc.Buffer
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{
			"--addr", "127.0.0.1:0", "--project-id", "p", "--secret", "s",
			"--openapi", "../../../../specs/stytch/openapi/stytch-b2b-openapi.yml",
			"--org", "org-1:Org One", "--member", "m-1:ada@example.com:+15005550006", "--member", "m-2",
		}, &stderr, func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("not listening")
	}

	post := func(path, body string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, strings.NewReader(body))
		req.SetBasicAuth("p", "s")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode
	}
	if st := post("/v1/b2b/otps/sms/send", `{"organization_id":"org-1","member_id":"m-1"}`); st != http.StatusOK {
		t.Fatalf("send: %d", st)
	}
	code := regexp.MustCompile(`OTP  member=m-1 phone=\+15005550006 code=(\d{6})`).FindStringSubmatch(stderr.String())
	if code == nil {
		t.Fatalf("no code on stderr:\n%s", stderr.String())
	}
	if st := post("/v1/b2b/otps/sms/authenticate", `{"organization_id":"org-1","member_id":"m-1","code":"`+code[1]+`"}`); st != http.StatusOK {
		t.Fatalf("authenticate: %d", st)
	}
	if st := post("/v1/b2b/totp", `{"organization_id":"org-1","member_id":"m-2"}`); st != http.StatusOK {
		t.Fatalf("totp: %d", st)
	}
	// The OpenAPI description is in use: a string duration is refused.
	if st := post("/v1/b2b/otps/sms/authenticate", `{"organization_id":"org-1","member_id":"m-1","code":"1","session_duration_minutes":"5"}`); st != http.StatusBadRequest {
		t.Fatalf("string duration: %d", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := stderr.String()
	for _, want := range []string{
		"stytchfake listening on http://127.0.0.1:",
		"TOTP member=m-2 registration=member-totp-test-",
		"POST /v1/b2b/otps/sms/authenticate -> 200",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`secret=[A-Z2-7]{32} current-code=\d{6} recovery-codes=(\w{4}-\w{4}-\w{4},){9}\w{4}-\w{4}-\w{4}`).MatchString(out) {
		t.Errorf("TOTP line:\n%s", out)
	}
}

func TestRunFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--nope"},
		{"extra"},
		{"--totp-secret", "not base32!"},
		{"--openapi", "/nonexistent/openapi.yml"},
		{"--member", "m:e:12345"},
		{"--addr", "256.0.0.1:bad"},
	} {
		var stderr testproc.Buffer
		if err := run(context.Background(), args, &stderr, nil); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
