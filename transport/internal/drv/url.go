package drv

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/telaio/telaio/transport"
)

// Hosts returns the host:port pairs of s.URL: the host part split at commas,
// each given defaultPort when it has none.
func Hosts(s transport.Server, defaultPort string) ([]string, error) {
	if s.URL == nil {
		return nil, fmt.Errorf("server URL is missing")
	}
	host := s.URL.Host
	if host == "" && s.URL.Opaque != "" { // "localhost:9092" parsed as scheme "localhost"
		host = s.URL.Opaque
	}
	if host == "" {
		return nil, fmt.Errorf("server URL %q has no host", s.URL.Redacted())
	}
	var out []string
	for _, h := range strings.Split(host, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(strings.Trim(h, "[]"), defaultPort)
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("server URL %q has no host", s.URL.Redacted())
	}
	return out, nil
}

// UserPass returns the credentials to use: s.Credentials when either field is
// set, else the user info of s.URL.
func UserPass(s transport.Server) (user, pass string) {
	if s.Credentials.Username != "" || s.Credentials.Password != "" {
		return s.Credentials.Username, s.Credentials.Password
	}
	if s.URL != nil && s.URL.User != nil {
		p, _ := s.URL.User.Password()
		return s.URL.User.Username(), p
	}
	return "", ""
}

// TLS returns the TLS configuration for s: s.TLS when set, a default one
// (server name from host) when secure is true, else nil.
func TLS(s transport.Server, secure bool, host string) *tls.Config {
	if s.TLS != nil {
		return s.TLS
	}
	if !secure {
		return nil
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	return &tls.Config{ServerName: name, MinVersion: tls.VersionTLS12}
}

// CheckProtocol reports an error when s.Protocol is set and is not one of
// protos (compared in lower case).
func CheckProtocol(s transport.Server, protos []string) error {
	if s.Protocol == "" || slices.Contains(protos, strings.ToLower(s.Protocol)) {
		return nil
	}
	return fmt.Errorf("%w: protocol %q (driver serves %s)", transport.ErrUnsupported, s.Protocol, strings.Join(protos, ", "))
}

// CheckMechanism refuses any SASL mechanism other than empty or "plain".
func CheckMechanism(s transport.Server) error {
	switch strings.ToLower(s.Credentials.Mechanism) {
	case "", "plain":
		return nil
	}
	return fmt.Errorf("%w: credential mechanism %q", transport.ErrUnsupported, s.Credentials.Mechanism)
}

// Protocol returns the lower-case protocol of s, or def when empty.
func Protocol(s transport.Server, def string) string {
	if s.Protocol == "" {
		return def
	}
	return strings.ToLower(s.Protocol)
}

// RandomID returns 16 random hex digits.
func RandomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
