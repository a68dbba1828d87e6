package executor

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"
)

// Redirects are followed only to where the first request could go (issue
// 15 #13): a redirect to a link-local, loopback, private or unspecified
// address is refused unless the first request went to an address of the
// same kind, so that a server cannot point a run at a cloud metadata
// service (169.254.169.254) or at the machine's own services. Names are
// resolved to decide; the check is made when the redirect is followed, so
// a name whose addresses change between the check and the connection is
// not caught (DNS rebinding). WithPrivateRedirects turns the rule off.

// addrKind is the kind of address a host has.
type addrKind uint8

const (
	kindPublic addrKind = iota
	kindPrivate
	kindLoopback
	kindLinkLocal
	kindUnspecified
)

var addrKindNames = [...]string{"public", "private", "loopback", "link-local", "unspecified"}

func kindOfAddr(a netip.Addr) addrKind {
	a = a.Unmap()
	switch {
	case a.IsUnspecified():
		return kindUnspecified
	case a.IsLoopback():
		return kindLoopback
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return kindLinkLocal
	case a.IsPrivate():
		return kindPrivate
	}
	return kindPublic
}

// hostKinds resolves host (an IP literal or a name) to the kinds of its
// addresses.
func hostKinds(ctx context.Context, host string) ([]addrKind, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []addrKind{kindOfAddr(a)}, nil
	}
	if host == "localhost" {
		return []addrKind{kindLoopback}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	out := make([]addrKind, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, kindOfAddr(a))
	}
	return out, nil
}

// checkRedirectTarget refuses a redirect to a non-public address of a kind
// the first request did not go to.
func checkRedirectTarget(req *http.Request, first *url.URL) error {
	to, err := hostKinds(req.Context(), req.URL.Hostname())
	if err != nil {
		return fmt.Errorf("redirect to %s: %v", req.URL.Host, err)
	}
	var from []addrKind
	for _, k := range to {
		if k == kindPublic {
			continue
		}
		if from == nil {
			if from, err = hostKinds(req.Context(), first.Hostname()); err != nil {
				from = []addrKind{kindPublic}
			}
		}
		if !hasKind(from, k) {
			return fmt.Errorf("refused a redirect to %s, a %s address, from a request that did not go to one (WithPrivateRedirects allows it)", req.URL.Host, addrKindNames[k])
		}
	}
	return nil
}

func hasKind(ks []addrKind, k addrKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
