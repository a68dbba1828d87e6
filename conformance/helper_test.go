package conformance_test

import (
	"testing"

	"github.com/telaio/telaio/specs"
	"github.com/telaio/telaio/telaiotest"
)

// TestSeedsWithHelper runs the seeds through the go test helper users get:
// each step is a subtest.
func TestSeedsWithHelper(t *testing.T) {
	s := newSeedEnv(t)
	opts := []telaiotest.Option{telaiotest.Server("stytchB2bApi", s.url), telaiotest.Auth("basicAuth", projectID+":"+secret)}
	res := telaiotest.Run(t, telaiotest.FS(specs.FS, specs.StytchSMSOTP), "sms-otp-mfa",
		map[string]any{"organization_id": orgID, "member_id": memberID, "code": otpCode}, opts...)
	if res.Outputs["memberId"] != memberID {
		t.Errorf("outputs: %v", res.Outputs)
	}
	telaiotest.Run(t, telaiotest.FS(specs.FS, specs.StytchSMSOTP), "sms-otp-mfa",
		map[string]any{"organization_id": orgID, "member_id": memberID, "code": "000000"}, append(opts, telaiotest.ExpectFailure())...)
}
