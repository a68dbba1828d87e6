package drv

import (
	"net/url"
	"strings"

	"github.com/telaio/telaio/transport"
)

// Err wraps err as a *transport.Error; the text of err has every non-empty
// secret (and its URL-escaped forms) replaced by "xxxxx". errors.Is and
// errors.As still see the original chain. A nil err gives nil.
func Err(proto, op, addr string, err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &transport.Error{Protocol: proto, Op: op, Address: addr, Err: Redact(err, secrets...)}
}

// Redact returns err with the secrets removed from its message.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	out := msg
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			out = strings.ReplaceAll(out, form, "xxxxx")
		}
	}
	if out == msg {
		return err
	}
	return &redacted{err: err, msg: out}
}

type redacted struct {
	err error
	msg string
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
