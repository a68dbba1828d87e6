package brokertest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/telaio/telaio/transport"
)

// Options configure a broker.
type Options struct {
	// Username and Password, when Username is set, are required by the
	// broker; otherwise it accepts anonymous clients (RabbitMQ always
	// requires a user: one is made up when Username is empty).
	Username, Password string
	// Mechanism is the Kafka SASL mechanism: "plain", "scram-sha-256" or
	// "scram-sha-512"; empty means plain.
	Mechanism string
}

// Broker is a running broker.
type Broker struct {
	// URL has the scheme and the host:port clients use; no user info.
	URL *url.URL
	// Protocol is the AsyncAPI protocol name, e.g. "amqp".
	Protocol string
	// Credentials the broker accepts (empty for anonymous brokers).
	Credentials transport.Credentials

	once sync.Once
	stop func()
	pids []int // processes started for the broker, for tests of this package
}

// Server returns a transport.Server for the broker, with its credentials.
func (b *Broker) Server() transport.Server {
	u := *b.URL
	return transport.Server{Protocol: b.Protocol, URL: &u, Credentials: b.Credentials}
}

// Addr returns the broker's host:port.
func (b *Broker) Addr() string { return b.URL.Host }

// Stop stops the broker; it is idempotent and also run by t.Cleanup.
func (b *Broker) Stop() { b.once.Do(b.stop) }

// requireBinary returns the path of name, or ends the test: Skip normally,
// Fatal when CI=true.
func requireBinary(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := lookBinary(name)
	if err != nil {
		missing(t, fmt.Sprintf("%s is not installed: apt-get update && apt-get install -y --no-install-recommends %s", name, pkg))
	}
	return p
}

func lookBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := dir + "/" + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// Secret returns a random password-like string.
func Secret() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
