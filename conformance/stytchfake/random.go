package stytchfake

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
)

// The helpers below draw from s.rand and must be called with s.mu held.

// readRand fills b from the configured random source.
func (s *Server) readRand(b []byte) error {
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return fmt.Errorf("stytchfake: random source: %w", err)
	}
	return nil
}

// intn returns a uniform integer in [0, n) by rejection sampling.
func (s *Server) intn(n uint64) (uint64, error) {
	if n == 0 {
		return 0, nil
	}
	limit := ^uint64(0) - (^uint64(0) % n) // largest multiple of n
	var b [8]byte
	for {
		if err := s.readRand(b[:]); err != nil {
			return 0, err
		}
		v := binary.BigEndian.Uint64(b[:])
		if v < limit {
			return v % n, nil
		}
	}
}

// uuid returns a random (version 4) UUID in its canonical text form.
func (s *Server) uuid() (string, error) {
	var b [16]byte
	if err := s.readRand(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// newID returns prefix followed by a random UUID, as Stytch's test IDs look
// ("member-session-test-<uuid>").
func (s *Server) newID(prefix string) (string, error) {
	u, err := s.uuid()
	if err != nil {
		return "", err
	}
	return prefix + u, nil
}

// digits returns n random decimal digits.
func (s *Server) digits(n int) (string, error) {
	b := make([]byte, n)
	for i := range b {
		d, err := s.intn(10)
		if err != nil {
			return "", err
		}
		b[i] = byte('0' + d)
	}
	return string(b), nil
}

// token returns an opaque 44-character URL-safe token (33 random bytes), the
// shape of a Stytch session token.
func (s *Server) token() (string, error) {
	var b [33]byte
	if err := s.readRand(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// base32Secret returns a TOTP shared secret: 20 random bytes in unpadded
// RFC 4648 base32 (32 characters).
func (s *Server) base32Secret() (string, error) {
	var b [20]byte
	if err := s.readRand(b[:]); err != nil {
		return "", err
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]), nil
}

const recoveryAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// recoveryCode returns a code shaped like Stytch's ("ckss-2skx-ebow").
func (s *Server) recoveryCode() (string, error) {
	b := make([]byte, 0, 14)
	for i := 0; i < 12; i++ {
		if i > 0 && i%4 == 0 {
			b = append(b, '-')
		}
		k, err := s.intn(uint64(len(recoveryAlphabet)))
		if err != nil {
			return "", err
		}
		b = append(b, recoveryAlphabet[k])
	}
	return string(b), nil
}
