package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/specs"
)

// breaking wraps a handler and corrupts its JSON responses: member_id
// becomes a number, which the Stytch response schema forbids.
func breaking(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var body map[string]any
		if json.Unmarshal(rec.Body.Bytes(), &body) == nil {
			if _, ok := body["member_id"]; ok {
				body["member_id"] = 42
			}
		}
		b, _ := json.Marshal(body)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(b)
	})
}

func TestContractResponseBody(t *testing.T) {
	fake, _ := stytch(t)
	srv := httptest.NewServer(breaking(fake))
	defer srv.Close()
	inputs := map[string]any{"organization_id": "organization-test-1", "member_id": "member-test-1", "code": "654321"}
	base := []executor.Option{executor.WithServer("stytchB2bApi", srv.URL), executor.WithAuth("basicAuth", projectID+":"+secret)}

	t.Run("error fails the step", func(t *testing.T) {
		e := engine(t, specs.StytchSMSOTP, base...)
		// The first Run precompiles in the background; that changes
		// nothing but timing.
		res, err := e.Run(context.Background(), "sms-otp-mfa", inputs)
		var se *executor.StepError
		if !errors.As(err, &se) || se.StepID != "sendSmsOtp" {
			t.Fatalf("err = %v", err)
		}
		v := res.Steps[0].Violations
		if len(v) == 0 || v[0].Check != executor.CheckResponseBody || v[0].InstancePath != "/member_id" ||
			!strings.Contains(v[0].SchemaPath, "member_id") || v[0].Severity != executor.SeverityError {
			t.Errorf("violations = %+v", v)
		}
	})
	t.Run("warn records it", func(t *testing.T) {
		fake.Reset()
		e := engine(t, specs.StytchSMSOTP, append(base, executor.WithCheck(executor.CheckResponseBody, executor.SeverityWarn))...)
		res, err := e.Run(context.Background(), "sms-otp-mfa", inputs)
		if err != nil {
			t.Fatal(err)
		}
		if v := res.Steps[0].Violations; len(v) != 1 || v[0].Severity != executor.SeverityWarn {
			t.Errorf("violations = %+v", v)
		}
	})
	t.Run("off ignores it", func(t *testing.T) {
		fake.Reset()
		e := engine(t, specs.StytchSMSOTP, append(base, executor.WithCheck(executor.CheckResponseBody, executor.SeverityOff))...)
		res, err := e.Run(context.Background(), "sms-otp-mfa", inputs)
		if err != nil || len(res.Steps[0].Violations) != 0 {
			t.Fatalf("err = %v, violations = %+v", err, res.Steps[0].Violations)
		}
	})
}

func TestContractRequest(t *testing.T) {
	_, srv := stytch(t)
	// member_id as a number breaks the request schema: a warning by default,
	// the request is still sent (and the fake rejects it).
	e := engine(t, specs.StytchSMSOTP, executor.WithServer("stytchB2bApi", srv.URL), executor.WithAuth("basicAuth", projectID+":"+secret),
		executor.WithoutInputValidation())
	res, _ := e.Run(context.Background(), "sms-otp-mfa", map[string]any{"organization_id": "organization-test-1", "member_id": 7, "code": "1"})
	v := res.Steps[0].Violations
	if len(v) == 0 || v[0].Check != executor.CheckRequestBody || v[0].Severity != executor.SeverityWarn || v[0].InstancePath != "/member_id" {
		t.Fatalf("violations = %+v", v)
	}
	if len(res.Steps[0].Exchanges) != 1 || res.Steps[0].Exchanges[0].Response == nil {
		t.Fatal("a warning must not stop the request")
	}
	// As an error the request is not sent.
	e = engine(t, specs.StytchSMSOTP, executor.WithServer("stytchB2bApi", srv.URL), executor.WithAuth("basicAuth", projectID+":"+secret),
		executor.WithoutInputValidation(), executor.WithCheck(executor.CheckRequestBody, executor.SeverityError))
	res, err := e.Run(context.Background(), "sms-otp-mfa", map[string]any{"organization_id": "organization-test-1", "member_id": 7, "code": "1"})
	if err == nil || res.Steps[0].Exchanges[0].Response != nil {
		t.Fatalf("err = %v; the request must not be sent", err)
	}
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(res)
	if strings.Contains(b.String(), secret) {
		t.Error("secret leaked")
	}
}
