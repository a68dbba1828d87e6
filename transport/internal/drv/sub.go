package drv

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/telaio/telaio/transport"
)

// Sub is a transport.Subscription fed by a driver through Push and Fail.
type Sub struct {
	proto, addr string
	filter      func(*transport.Delivery) bool
	maxN        int
	maxB        int64
	onClose     func() error
	notify      chan struct{}
	done        chan struct{}

	mu      sync.Mutex
	q       []*transport.Delivery
	bytes   int64
	dropped int
	err     error // terminal error, returned once q is drained
	closed  bool
}

var _ transport.Subscription = (*Sub)(nil)

// NewSub returns an empty subscription for channel ch. onClose, when not nil,
// is called once by the first Close to release the client's subscription.
func NewSub(proto string, ch transport.Channel, o transport.SubscribeOptions, onClose func() error) *Sub {
	s := &Sub{
		proto:   proto,
		addr:    ch.Address,
		filter:  o.Filter,
		maxN:    o.MaxBuffered,
		maxB:    o.MaxBytes,
		onClose: onClose,
		notify:  make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	if s.maxN <= 0 {
		s.maxN = transport.DefaultMaxBuffered
	}
	if s.maxB <= 0 {
		s.maxB = transport.DefaultMaxBytes
	}
	return s
}

// Push offers d to the subscription: the filter runs first, then d is
// buffered unless the subscription is closed, failed or full (then it
// overflows and drops d and every later message). Push returns false once
// the subscription is closed: the driver may stop feeding it. After a
// failure it returns true, so that the filter keeps seeing every message.
func (s *Sub) Push(d *transport.Delivery) bool {
	if s.filter != nil && !s.filter(d) {
		return s.alive()
	}
	size := d.Size()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.err != nil {
		s.dropped++
		return true
	}
	if len(s.q) >= s.maxN || s.bytes+size > s.maxB {
		s.dropped++
		s.err = &transport.Error{Protocol: s.proto, Op: "receive", Address: s.addr,
			Err: fmt.Errorf("%w: more than %d messages or %d bytes waiting", transport.ErrOverflow, s.maxN, s.maxB)}
		s.signal()
		return true
	}
	s.q = append(s.q, d)
	s.bytes += size
	s.signal()
	return true
}

func (s *Sub) alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.closed && s.err == nil
}

// Fail ends the subscription with err (wrapped as a receive error) after the
// buffered messages; the first failure wins.
func (s *Sub) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.err != nil {
		return
	}
	s.err = &transport.Error{Protocol: s.proto, Op: "receive", Address: s.addr, Err: err}
	s.signal()
}

// signal wakes one waiting Next; s.mu is held.
func (s *Sub) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// spins is how many times Next yields the processor before it parks: the
// client's delivery goroutine is often runnable already, and letting it run
// saves a park and wake-up on the round trip's critical path.
const spins = 3

// Next implements transport.Subscription.
func (s *Sub) Next(ctx context.Context) (*transport.Delivery, error) {
	spin := 0
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, &transport.Error{Protocol: s.proto, Op: "receive", Address: s.addr, Err: transport.ErrClosed}
		}
		if len(s.q) > 0 {
			d := s.q[0]
			s.q[0] = nil
			s.q = s.q[1:]
			if len(s.q) == 0 {
				s.q = nil
			}
			s.bytes -= d.Size()
			if len(s.q) > 0 || s.err != nil {
				s.signal() // another Next may be waiting
			}
			s.mu.Unlock()
			return d, nil
		}
		if s.err != nil {
			err := s.err
			s.signal()
			s.mu.Unlock()
			return nil, err
		}
		s.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if spin < spins {
			spin++
			runtime.Gosched()
			continue
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.done:
		case <-s.notify:
		}
	}
}

// Dropped returns how many messages were dropped by overflow or after a failure.
func (s *Sub) Dropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Done is closed when the subscription is closed.
func (s *Sub) Done() <-chan struct{} { return s.done }

// Close implements transport.Subscription.
func (s *Sub) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.q = nil
	close(s.done)
	s.mu.Unlock()
	if s.onClose != nil {
		if err := s.onClose(); err != nil {
			return &transport.Error{Protocol: s.proto, Op: "close", Address: s.addr, Err: err}
		}
	}
	return nil
}

// Subs tracks the subscriptions of one connection so that closing the
// connection closes them.
type Subs struct {
	mu     sync.Mutex
	m      map[io.Closer]struct{}
	closed bool
}

// Add registers s; it returns false when the connection is already closed.
func (ss *Subs) Add(s io.Closer) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return false
	}
	if ss.m == nil {
		ss.m = make(map[io.Closer]struct{})
	}
	ss.m[s] = struct{}{}
	return true
}

// Remove forgets s.
func (ss *Subs) Remove(s io.Closer) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, s)
}

// FailAll fails every subscription that can fail (connection lost).
func (ss *Subs) FailAll(err error) {
	for _, s := range ss.list(false) {
		if f, ok := s.(interface{ Fail(error) }); ok {
			f.Fail(err)
		}
	}
}

// CloseAll marks the set closed and closes every subscription.
func (ss *Subs) CloseAll() {
	for _, s := range ss.list(true) {
		_ = s.Close()
	}
}

func (ss *Subs) list(closing bool) []io.Closer {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if closing {
		ss.closed = true
	}
	out := make([]io.Closer, 0, len(ss.m))
	for s := range ss.m {
		out = append(out, s)
	}
	if closing {
		ss.m = nil
	}
	return out
}
