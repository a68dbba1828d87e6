package stytchfake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/telaio/telaio/conformance/stytchfake"
)

// Example runs the SMS OTP flow of the bundled workflow against the fake,
// then tries the same code again.
func Example() {
	src, err := os.ReadFile("../../specs/stytch/openapi/stytch-b2b-openapi.yml")
	if err != nil {
		panic(err)
	}
	spec, err := stytchfake.LoadSpec(src)
	if err != nil {
		panic(err)
	}
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	fake := stytchfake.New(stytchfake.Config{
		ProjectID: "project-test-example",
		Secret:    "secret-test-example",
		Spec:      spec,
		Clock:     func() time.Time { return now },
		OTPCode:   func() string { return "123456" },
	})
	_ = fake.AddOrganization("organization-test-1", "Example Org")
	_ = fake.AddMember("organization-test-1", "member-test-1", "ada@example.com", "")
	srv := httptest.NewServer(fake)
	defer srv.Close()

	post := func(path string, body map[string]any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(b))
		req.SetBasicAuth("project-test-example", "secret-test-example")
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}

	ids := map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1"}
	st, _ := post("/v1/b2b/otps/sms/send", map[string]any{
		"organization_id": "organization-test-1", "member_id": "member-test-1", "mfa_phone_number": "+15005550006",
	})
	fmt.Println("send:", st)

	auth := map[string]any{"code": "123456", "session_duration_minutes": 30}
	for k, v := range ids {
		auth[k] = v
	}
	st, resp := post("/v1/b2b/otps/sms/authenticate", auth)
	session := resp["member_session"].(map[string]any)
	fmt.Println("authenticate:", st, resp["member_id"], "session until", session["expires_at"])

	st, resp = post("/v1/b2b/otps/sms/authenticate", auth)
	fmt.Println("again:", st, resp["error_type"])

	auth["session_duration_minutes"] = "30"
	st, resp = post("/v1/b2b/otps/sms/authenticate", auth)
	fmt.Println("string duration:", st, resp["error_message"])
	// Output:
	// send: 200
	// authenticate: 200 member-test-1 session until 2025-01-02T03:34:05Z
	// again: 401 otp_code_not_found
	// string duration: 400 The request body does not match the request schema: at /session_duration_minutes: expected integer, got string.
}

// ExampleTOTPCode computes the code an authenticator app shows (RFC 6238,
// Appendix B, last six digits).
func ExampleTOTPCode() {
	code, err := stytchfake.TOTPCode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", time.Unix(1111111109, 0))
	fmt.Println(code, err)

	_, err = stytchfake.TOTPCode("not base32!", time.Unix(0, 0))
	fmt.Println(err != nil)
	// Output:
	// 081804 <nil>
	// true
}

// ExampleQRPayload reads the otpauth:// URI out of a qr_code the fake
// returned.
func ExampleQRPayload() {
	uri, err := stytchfake.QRPayload("data:text/plain;base64,b3RwYXV0aDovL3RvdHAvQWNtZTphZGE/c2VjcmV0PUpCU1dZM0RQ")
	fmt.Println(uri, err)
	// Output:
	// otpauth://totp/Acme:ada?secret=JBSWY3DP <nil>
}
