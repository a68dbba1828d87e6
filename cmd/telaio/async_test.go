package main

import (
	"github.com/telaio/telaio/internal/testproc"
	"os"
	"regexp"
	"strings"
	"testing"
)

const petOrder = "../../specs/petorder/arazzo/pet-order.arazzo.yaml"

// TestRunMockAsync: --mock stands an embedded broker in for the AsyncAPI
// source (the spec's pet-asyncapi.yaml declares a Kafka server), and the
// step lines say what each message step did on which channel.
func TestRunMockAsync(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "run", "--mock", petOrder, "--input", "orderRequestId=o-77")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	all := out + errOut
	for _, re := range []string{`ok +placeOrder +sent .* place-order`, `ok +confirmOrder +received .* confirm-order`, `orderId: -?\d+`} {
		if !regexp.MustCompile(re).MatchString(all) {
			t.Errorf("output does not match %q\n%s", re, all)
		}
	}
	code, out, errOut = runCLI(t, nil, "run", "--mock", "--verbose", "--format", "text", petOrder, "--input", "orderRequestId=o-78")
	if code != 0 || !strings.Contains(out+errOut, "orderRequestId: o-78") {
		t.Errorf("--verbose does not show the messages' headers: exit %d\n%s%s", code, out, errOut)
	}
}

// startMockBroker runs telaio mock on desc until the test ends and
// returns the broker's URL and what the mock printed.
func startMockBroker(t *testing.T, desc string) (url string, out *testproc.Buffer) {
	t.Helper()
	m, out, _ := startCommand(t, nil, regexp.MustCompile(`listening on (nats://127\.0\.0\.1:\d+)`), "mock", desc, "--quiet")
	return m[1], out
}

const petOrderAsyncAPI = "../../specs/petorder/asyncapi/pet-order.asyncapi.yaml"

// TestMockAsyncAPIServesTheBroker: telaio mock serves an AsyncAPI
// description with an embedded NATS broker and prints its URL, which a
// run then uses through --server; --broker names the brokers it has.
func TestMockAsyncAPIServesTheBroker(t *testing.T) {
	const desc = petOrderAsyncAPI
	url, out := startMockBroker(t, desc)
	if !strings.Contains(out.String(), "placeOrder: place-order -> confirm-order") {
		t.Errorf("routes not listed: %s", out.String())
	}
	code, stdout, stderr := runCLI(t, nil, "run", petOrder, "--server", "petOrders="+url)
	if code != 0 || !strings.Contains(stdout+stderr, "received") {
		t.Fatalf("run against the mock broker: exit %d\n%s%s", code, stdout, stderr)
	}

	code, _, stderr = runCLI(t, nil, "mock", "--broker", "kafka", desc)
	if code != 2 || !strings.Contains(stderr, "nats") {
		t.Errorf("--broker kafka: exit %d, %s", code, stderr)
	}
}

// TestBrokerTLSFlags: --tls-cert and --tls-key go together, and files that
// do not hold what they must are usage errors before anything runs.
func TestBrokerTLSFlags(t *testing.T) {
	dir := t.TempDir()
	notPEM := dir + "/not.pem"
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", notPEM}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", notPEM, "--tls-key", notPEM}, "--tls-cert/--tls-key"},
		{[]string{"--tls-ca", notPEM}, "holds no PEM certificate"},
		{[]string{"--tls-ca", dir + "/missing.pem"}, "--tls-ca"},
		{[]string{"--receive-timeout", "-1s"}, "--receive-timeout must be a positive duration"},
	} {
		code, out, errOut := runCLI(t, nil, append([]string{"run", "--mock", petOrder}, tt.args...)...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, want 2 saying %q\n%s%s", tt.args, code, tt.want, out, errOut)
		}
	}
}
