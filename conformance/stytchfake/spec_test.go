package stytchfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telaio/telaio/internal/yamlx"
	"github.com/telaio/telaio/schema"
)

const (
	openAPIPath   = "../../specs/stytch/openapi/stytch-b2b-openapi.yml"
	smsFlowPath   = "../../specs/stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml"
	totpFlowPath  = "../../specs/stytch/arazzo/stytch-b2b-totp-enrollment-workflow.yml"
	unauthExample = "/paths/~1v1~1b2b~1totp/post/responses/401/content/application~1json/example"
)

// The bundled description is decoded and compiled once for the whole test
// binary (about 0.1 s).
var testSpec = sync.OnceValues(func() (*testDoc, error) {
	src, err := os.ReadFile(openAPIPath)
	if err != nil {
		return nil, err
	}
	root, err := yamlx.Decode(src)
	if err != nil {
		return nil, err
	}
	sp, err := SpecFromDocument(root)
	if err != nil {
		return nil, err
	}
	return &testDoc{root: root, spec: sp}, nil
})

type testDoc struct {
	root any
	spec *Spec
}

func loadSpec(t testing.TB) *testDoc {
	t.Helper()
	d, err := testSpec()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func withSpec(t testing.TB) func(*Config) {
	sp := loadSpec(t).spec
	return func(c *Config) { c.Spec = sp }
}

func lookupPointer(t testing.TB, root any, ptr string) any {
	t.Helper()
	v := root
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case map[string]any:
			v = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				t.Fatalf("no value at %s", ptr)
			}
			v = c[i]
		default:
			t.Fatalf("no value at %s", ptr)
		}
	}
	return v
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}

// TestResponsesMatchOpenAPI drives every operation through its success and
// error paths and checks every response the fake produced: 200 bodies
// against the operation's response schema, error bodies against the shape
// of the description's error examples.
func TestResponsesMatchOpenAPI(t *testing.T) {
	doc := loadSpec(t)
	f := newFixture(t, withSpec(t))

	f.post(pSend, sendBody(testMember, "mfa_phone_number", "+15005550001", "locale", "pt-br"))
	_, first := f.post(pSMSAuth, sendBody(testMember, "code", fixedOTP, "session_duration_minutes", 30,
		"session_custom_claims", map[string]any{"k": map[string]any{"n": 1.0}}, "set_mfa_enrollment", "enroll"))
	f.post(pTOTP, sendBody(testMember, "expiration_minutes", 10))
	code, _ := TOTPCode(fixedSecret, testStart)
	f.post(pTOTPAuth, sendBody(testMember, "code", code, "session_token", first["session_token"], "set_default_mfa", true))
	f.post(pSend, sendBody(phoneMember))
	f.post(pTOTP, sendBody(phoneMember))

	// Errors.
	f.post(pSMSAuth, sendBody(testMember, "code", fixedOTP))
	f.post(pSMSAuth, sendBody(testMember, "code", "999999"))
	f.post(pSend, sendBody(testMember, "mfa_phone_number", "+15005550002"))
	f.post(pSend, sendBody(testMember, "mfa_phone_number", "nope"))
	f.post(pTOTP, sendBody(testMember))
	f.post(pTOTPAuth, sendBody(testMember, "code", code))
	f.post(pTOTPAuth, sendBody(otherMember, "code", code))
	f.post(pSend, map[string]any{"organization_id": 1})
	f.post("/v1/nowhere", sendBody(testMember))
	f.do(http.MethodPost, pSend, sendBody(testMember), nil)
	f.do(http.MethodGet, pSend, nil, nil)

	example := lookupPointer(t, doc.root, unauthExample).(map[string]any)
	successes := map[string]int{}
	errorsSeen := 0
	for i, r := range f.fake.Requests() {
		var body any
		if err := json.Unmarshal(r.Response, &body); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if r.Status == http.StatusOK {
			successes[r.Operation]++
			if err := doc.spec.ValidateResponse(r.Operation, body); err != nil {
				t.Errorf("request %d (%s): response does not match its schema:\n%v", i, r.Operation, err)
			}
			continue
		}
		errorsSeen++
		m := body.(map[string]any)
		if len(m) != len(example) {
			t.Errorf("request %d: error body keys %v, example %v", i, m, example)
		}
		for k, v := range example {
			if jsonType(m[k]) != jsonType(v) {
				t.Errorf("request %d: error body %s is %s, example has %s", i, k, jsonType(m[k]), jsonType(v))
			}
		}
		if m["status_code"] != float64(r.Status) {
			t.Errorf("request %d: status_code %v, HTTP %d", i, m["status_code"], r.Status)
		}
	}
	for _, op := range []string{OpSMSSend, OpSMSAuthenticate, OpTOTPCreate, OpTOTPAuthenticate} {
		if successes[op] == 0 {
			t.Errorf("no successful %s to check", op)
		}
	}
	if errorsSeen < 10 {
		t.Errorf("only %d error responses checked", errorsSeen)
	}
}

func TestRequestSchemaValidation(t *testing.T) {
	f := newFixture(t, withSpec(t))
	f.post(pSend, sendBody(phoneMember))
	tests := []struct {
		name   string
		path   string
		body   map[string]any
		wantAt string // the instance path the message must name
	}{
		{"locale enum", pSend, sendBody(phoneMember, "locale", "de"), "/locale"},
		{"null phone", pSend, sendBody(phoneMember, "mfa_phone_number", nil), "/mfa_phone_number"},
		{"missing member_id", pSend, map[string]any{"organization_id": testOrg}, "at /:"},
		{"telemetry type", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "telemetry_id", 5.0), "/telemetry_id"},
		{"duration string", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_duration_minutes", "30"), "/session_duration_minutes"},
		{"duration fraction", pTOTPAuth, sendBody(phoneMember, "code", "123456", "session_duration_minutes", 30.5), "/session_duration_minutes"},
		{"duration beyond int32", pTOTPAuth, sendBody(phoneMember, "code", "123456", "session_duration_minutes", 1<<31), "/session_duration_minutes"},
		{"claims array", pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "session_custom_claims", []any{}), "/session_custom_claims"},
		{"default mfa string", pTOTPAuth, sendBody(phoneMember, "code", "123456", "set_default_mfa", "yes"), "/set_default_mfa"},
		{"expiration string", pTOTP, sendBody(phoneMember, "expiration_minutes", "60"), "/expiration_minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := f.post(tt.path, tt.body)
			wantError(t, st, body, http.StatusBadRequest, ErrorTypeBadRequest)
			msg := body["error_message"].(string)
			if !strings.Contains(msg, tt.wantAt) || !strings.Contains(msg, "request schema") {
				t.Errorf("message %q does not name %s", msg, tt.wantAt)
			}
		})
	}
	// Members the schema does not list are allowed (no additionalProperties).
	st, body := f.post(pSMSAuth, sendBody(phoneMember, "code", fixedOTP, "x_extra", true))
	wantOK(t, st, body)
}

func TestSpecValidateErrors(t *testing.T) {
	sp := loadSpec(t).spec
	if err := sp.ValidateRequest("nope", map[string]any{}); err == nil {
		t.Error("unknown operation accepted")
	}
	if err := sp.ValidateResponse("nope", map[string]any{}); err == nil {
		t.Error("unknown operation accepted")
	}
	err := sp.ValidateResponse(OpSMSSend, map[string]any{"request_id": "r"})
	var ve *schema.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) == 0 {
		t.Errorf("error %v", err)
	}
}

func TestLoadSpecErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"not yaml", "{"},
		{"not openapi", "a: 1"},
		{"no paths", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\n"},
		{"wrong operationId", `openapi: 3.0.3
info: {title: x, version: '1'}
paths:
  /v1/b2b/otps/sms/send:
    post: {operationId: other}
`},
		{"no request body", `openapi: 3.0.3
info: {title: x, version: '1'}
paths:
  /v1/b2b/otps/sms/send:
    post: {operationId: api_b2b_otp_v1_b2b_otp_sms_Send}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := LoadSpec([]byte(tt.src)); err == nil {
				t.Error("want an error")
			}
		})
	}
	// LoadSpec on the bundled description is covered by Example.
}

// TestBundledWorkflows sends exactly the request bodies the two bundled
// Arazzo workflows build (inputs substituted by hand, absent inputs
// omitted) and checks that every response pointer their outputs read
// resolves.
func TestBundledWorkflows(t *testing.T) {
	for _, tt := range []struct {
		file   string
		inputs func(f *fixture) map[string]any
	}{
		{smsFlowPath, func(*fixture) map[string]any {
			return map[string]any{"organization_id": testOrg, "member_id": testMember, "mfa_phone_number": "+15005550003", "code": fixedOTP}
		}},
		{smsFlowPath, func(*fixture) map[string]any {
			return map[string]any{"organization_id": testOrg, "member_id": phoneMember, "code": fixedOTP, "session_duration_minutes": 45.0}
		}},
		{totpFlowPath, func(f *fixture) map[string]any {
			code, err := TOTPCode(fixedSecret, f.clock.Now())
			must(t, err)
			return map[string]any{"organization_id": testOrg, "member_id": testMember, "code": code}
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f := newFixture(t, withSpec(t))
			src, err := os.ReadFile(tt.file)
			must(t, err)
			wf, err := yamlx.Decode(src)
			must(t, err)
			inputs := tt.inputs(f)
			steps := lookupPointer(t, wf, "/workflows/0/steps").([]any)
			for _, s := range steps {
				step := s.(map[string]any)
				p := map[string]string{OpSMSSend: pSend, OpSMSAuthenticate: pSMSAuth, OpTOTPCreate: pTOTP, OpTOTPAuthenticate: pTOTPAuth}[step["operationId"].(string)]
				payload := map[string]any{}
				for k, v := range lookupPointer(t, step, "/requestBody/payload").(map[string]any) {
					name := strings.TrimPrefix(v.(string), "$inputs.")
					if iv, ok := inputs[name]; ok {
						payload[k] = iv
					}
				}
				st, body := f.post(p, payload)
				wantOK(t, st, body)
				for name, out := range step["outputs"].(map[string]any) {
					ptr := strings.TrimPrefix(out.(string), "$response.body#")
					if v := lookupPointer(t, body, ptr); v == nil || v == "" {
						t.Errorf("output %s (%s) is empty", name, ptr)
					}
				}
				f.clock.Advance(time.Second)
			}
		})
	}
}

func TestRequestsRecordBodyEvenWhenRefused(t *testing.T) {
	f := newFixture(t, withSpec(t))
	f.do(http.MethodPost, pSend, sendBody(testMember), nil)
	r := f.fake.Requests()[0]
	if r.Status != http.StatusUnauthorized || !reflect.DeepEqual(r.Body, sendBody(testMember)) {
		t.Errorf("received %+v", r)
	}
}
