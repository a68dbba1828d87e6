package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestRunProgress: on a terminal each step is printed as it finishes (to
// stderr, so stdout keeps the result); --quiet and --format json print
// nothing but the result; off a terminal the steps come with the result.
func TestRunProgress(t *testing.T) {
	_, url := stytchServer(t)
	args := []string{"run", smsSeed, "--server", "stytchB2bApi=" + url,
		"--auth", "basicAuth=" + projectID + ":" + secret, "--input", "organization_id=organization-test-1",
		"--input", "member_id=member-test-1", "--input", "code=246810", "--root", "../../specs"}
	cache := t.TempDir()
	run := func(tty bool, extra ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return map[string]string{"TELAIO_CACHE_DIR": cache}[k] }, isTTY: tty}
		code := runMain(context.Background(), append(append([]string{}, args...), extra...), e)
		return code, out.String(), errb.String()
	}
	steps := []string{"sendSmsOtp", "authenticateSmsOtp"}
	hasSteps := func(s string) bool {
		for _, id := range steps {
			if !strings.Contains(s, id) {
				return false
			}
		}
		return true
	}

	code, out, errOut := run(true)
	if code != exitOK || !hasSteps(errOut) || hasSteps(out) || !strings.Contains(out, "workflow ") {
		t.Errorf("tty: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		if !strings.HasPrefix(line, "ok   ") || !strings.Contains(line, " 200 ") {
			t.Errorf("tty: progress line %q wants status, code and duration", line)
		}
	}

	code, out, errOut = run(false)
	if code != exitOK || !hasSteps(out) || errOut != "" {
		t.Errorf("no tty: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	for _, tty := range []bool{true, false} {
		code, out, errOut = run(tty, "--quiet")
		if code != exitOK || hasSteps(out+errOut) || !strings.HasPrefix(out, "workflow ") || errOut != "" {
			t.Errorf("--quiet (tty %v): exit %d\nstdout:\n%s\nstderr:\n%s", tty, code, out, errOut)
		}
		code, out, errOut = run(tty, "--format", "json")
		var res map[string]any
		if code != exitOK || errOut != "" || json.Unmarshal([]byte(out), &res) != nil {
			t.Errorf("--format json (tty %v): exit %d\nstdout:\n%s\nstderr:\n%s", tty, code, out, errOut)
		}
	}
}
