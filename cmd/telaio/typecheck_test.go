package main

import (
	"strings"
	"testing"
)

// TestValidateTypeCheck: telaio validate type-checks workflows against the
// OpenAPI schemas; --strict turns warnings into errors.
func TestValidateTypeCheck(t *testing.T) {
	const dir = "../../arazzo/testdata/typecheck/stytch/"
	code, out, errOut := runCLIRoot(t, "../../", "validate", dir+"pointer-typo.yml")
	if code != exitFailed || !strings.Contains(out, "type-response-pointer") || !strings.Contains(out, `did you mean "session_token"`) {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLIRoot(t, "../../", "validate", "--no-type-check", dir+"pointer-typo.yml")
	if code != exitOK {
		t.Errorf("--no-type-check: exit %d\n%s", code, out)
	}
	for _, seed := range []string{smsSeed, totpSeed} {
		if code, out, _ := runCLI(t, nil, "validate", "--strict", seed); code != exitOK || out != "1 document valid\n" {
			t.Errorf("%s --strict: exit %d\n%s", seed, code, out)
		}
	}
}
