package transporttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telaio/telaio/transport"
)

// Timeouts used by the suite. They bound waits for messages that must arrive
// (and so only cost time when a driver is broken) and the silence waited for
// messages that must not arrive.
const (
	WaitMessage = 20 * time.Second
	WaitSilence = 300 * time.Millisecond
)

// Setup is what a driver's test gives the suite for one case.
type Setup struct {
	// Driver is the driver under test.
	Driver transport.Driver
	// Server reaches a running broker. When the broker requires
	// credentials, Server carries valid ones, and the Credentials case
	// checks that a wrong password fails.
	Server transport.Server
	// Channel turns a unique name (letters, digits and dots) into a channel
	// of this protocol, for example by adding bindings. Nil means
	// transport.Channel{Address: name}.
	Channel func(name string) transport.Channel
	// Stop makes the broker unreachable (it is called at most once, and
	// only by the BrokerGone case, which is skipped when Stop is nil).
	Stop func()
	// Headers are extra headers every published message carries and every
	// received one must show, for example pseudo-headers of the protocol.
	Headers map[string]string
	// Lazy says the broker keeps messages until Next reads them (Kafka):
	// the subscription cannot overflow and Filter runs inside Next, so the
	// overflow cases are skipped.
	Lazy bool
	// NoHeaders says the protocol version cannot carry headers (MQTT
	// 3.1.1): the suite publishes without headers and checks that a message
	// with headers is refused with transport.ErrUnsupported.
	NoHeaders bool
}

// Run runs every conformance case as a subtest of t.
func Run(t *testing.T, setup func(t *testing.T) Setup) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"RoundTrip", testRoundTrip},
		{"ContextWithoutDeadline", testNoDeadline},
		{"ArmedBeforePublishIsDelivered", testArmed},
		{"PublishedBeforeArmingIsNotDelivered", testNotBeforeArming},
		{"TwoSubscriptionsEachGetTheMessage", testTwoSubs},
		{"Filter", testFilter},
		{"OverflowByCount", testOverflowCount},
		{"OverflowByBytes", testOverflowBytes},
		{"NextHonoursContext", testNextCtx},
		{"CloseUnblocksNext", testCloseUnblocks},
		{"ConnCloseClosesSubscriptions", testConnClose},
		{"ConcurrentPublish", testConcurrent},
		{"BrokerGone", testBrokerGone},
		{"DialRefused", testDialRefused},
		{"Credentials", testCredentials},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := setup(t)
			c.fn(t, &env{Setup: s, t: t})
		})
	}
}

type env struct {
	Setup
	t *testing.T
}

func (e *env) channel(name string) transport.Channel {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name = "tt." + name + "." + hex.EncodeToString(b[:])
	if e.Channel != nil {
		return e.Channel(name)
	}
	return transport.Channel{Address: name}
}

func (e *env) dial() transport.Conn {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
	defer cancel()
	c, err := e.Driver.Dial(ctx, e.Server)
	if err != nil {
		e.t.Fatalf("Dial: %v", err)
	}
	e.t.Cleanup(func() { _ = c.Close() })
	return c
}

func (e *env) subscribe(c transport.Conn, ch transport.Channel, o transport.SubscribeOptions) transport.Subscription {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
	defer cancel()
	s, err := c.Subscribe(ctx, ch, o)
	if err != nil {
		e.t.Fatalf("Subscribe(%q): %v", ch.Address, err)
	}
	e.t.Cleanup(func() { _ = s.Close() })
	return s
}

// message returns a message on ch numbered n, with headers unless the
// protocol has none.
func (e *env) message(ch transport.Channel, n int) *transport.Message {
	m := &transport.Message{Channel: ch, Payload: []byte(`{"n":` + strconv.Itoa(n) + `}`)}
	if !e.NoHeaders {
		m.Headers = map[string]string{"n": strconv.Itoa(n), "X-Trace": "abc 123"}
		for k, v := range e.Headers {
			m.Headers[k] = v
		}
	}
	return m
}

func (e *env) publish(c transport.Conn, m *transport.Message) *transport.Receipt {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
	defer cancel()
	r, err := c.Publish(ctx, m)
	if err != nil {
		e.t.Fatalf("Publish(%q): %v", m.Channel.Address, err)
	}
	if r == nil {
		e.t.Fatalf("Publish(%q) returned a nil receipt", m.Channel.Address)
	}
	return r
}

func (e *env) next(s transport.Subscription) *transport.Delivery {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
	defer cancel()
	d, err := s.Next(ctx)
	if err != nil {
		e.t.Fatalf("Next: %v", err)
	}
	return d
}

// number returns n of a message made by message.
func number(t *testing.T, d *transport.Delivery) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(string(d.Payload), `{"n":%d}`, &n); err != nil {
		t.Fatalf("unexpected payload %q", d.Payload)
	}
	return n
}

func (e *env) silence(s transport.Subscription) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitSilence)
	defer cancel()
	d, err := s.Next(ctx)
	if err == nil {
		e.t.Fatalf("Next returned an unexpected message %q", d.Payload)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		e.t.Fatalf("Next: %v, want context.DeadlineExceeded", err)
	}
}

func testRoundTrip(t *testing.T, e *env) {
	c := e.dial()
	ch := e.channel("roundtrip")
	s := e.subscribe(c, ch, transport.SubscribeOptions{})
	m := e.message(ch, 1)
	m.Payload = append([]byte{0, 0xff, '\n'}, m.Payload...) // bytes survive as bytes
	e.publish(c, m)
	d := e.next(s)
	if !bytes.Equal(d.Payload, m.Payload) {
		t.Errorf("payload = %q, want %q", d.Payload, m.Payload)
	}
	if d.Channel.Address != ch.Address {
		t.Errorf("delivery address = %q, want %q", d.Channel.Address, ch.Address)
	}
	for k, v := range m.Headers {
		if got, ok := d.Headers[k]; !ok || got != v {
			t.Errorf("header %q = %q (present %v), want %q; headers %v", k, got, ok, v, d.Headers)
		}
	}
	if d.Received.IsZero() {
		t.Error("Received is zero")
	}
	if e.NoHeaders {
		bad := e.message(ch, 2)
		bad.Headers = map[string]string{"n": "2"}
		ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
		defer cancel()
		_, err := c.Publish(ctx, bad)
		if !errors.Is(err, transport.ErrUnsupported) {
			t.Errorf("Publish with headers: %v, want ErrUnsupported", err)
		}
		e.silence(s)
	}
}

func testNoDeadline(t *testing.T, e *env) {
	bg := context.Background()
	c, err := e.Driver.Dial(bg, e.Server)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	ch := e.channel("nodeadline")
	s, err := c.Subscribe(bg, ch, transport.SubscribeOptions{})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	defer s.Close()
	if _, err := c.Publish(bg, e.message(ch, 1)); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got := number(t, e.next(s)); got != 1 {
		t.Fatalf("got %d, want 1", got)
	}
}

func testArmed(t *testing.T, e *env) {
	pub, sub := e.dial(), e.dial()
	for i := range 5 {
		ch := e.channel("armed" + strconv.Itoa(i))
		s := e.subscribe(sub, ch, transport.SubscribeOptions{})
		e.publish(pub, e.message(ch, i))
		if got := number(t, e.next(s)); got != i {
			t.Fatalf("got message %d, want %d", got, i)
		}
	}
}

func testNotBeforeArming(t *testing.T, e *env) {
	c := e.dial()
	ch := e.channel("before")
	e.publish(c, e.message(ch, 1))
	s := e.subscribe(c, ch, transport.SubscribeOptions{})
	e.publish(c, e.message(ch, 2))
	if got := number(t, e.next(s)); got != 2 {
		t.Fatalf("first message after arming is %d, want 2 (1 was published before arming)", got)
	}
	e.silence(s)
}

func testTwoSubs(t *testing.T, e *env) {
	c := e.dial()
	ch := e.channel("two")
	s1 := e.subscribe(c, ch, transport.SubscribeOptions{})
	s2 := e.subscribe(e.dial(), ch, transport.SubscribeOptions{})
	s3 := e.subscribe(c, ch, transport.SubscribeOptions{})
	e.publish(c, e.message(ch, 7))
	for i, s := range []transport.Subscription{s1, s2, s3} {
		if got := number(t, e.next(s)); got != 7 {
			t.Fatalf("subscription %d got %d, want 7", i+1, got)
		}
	}
}

func testFilter(t *testing.T, e *env) {
	c := e.dial()
	ch := e.channel("filter")
	var seen sync.Map
	s := e.subscribe(c, ch, transport.SubscribeOptions{
		MaxBuffered: 1, // filtered-out messages must not count
		Filter: func(d *transport.Delivery) bool { // runs on the driver's goroutine: no t.Fatal
			var n int
			_, _ = fmt.Sscanf(string(d.Payload), `{"n":%d}`, &n)
			seen.Store(n, true)
			return n == 3
		},
	})
	for i := 1; i <= 4; i++ {
		e.publish(c, e.message(ch, i))
	}
	if got := number(t, e.next(s)); got != 3 {
		t.Fatalf("got %d, want 3", got)
	}
	e.silence(s)
	for i := 1; i <= 4; i++ {
		if _, ok := seen.Load(i); !ok {
			t.Errorf("filter never saw message %d", i)
		}
	}
}

// seenFilter returns a filter that keeps every message and a channel closed
// once message last went through it. Drivers call the filter and buffer
// each message before they look at the next one, so once last was seen,
// every earlier message was buffered or overflowed.
func seenFilter(last int) (func(*transport.Delivery) bool, <-chan struct{}) {
	done := make(chan struct{})
	var once sync.Once
	return func(d *transport.Delivery) bool {
		var n int
		_, _ = fmt.Sscanf(string(d.Payload), `{"n":%d}`, &n)
		if n == last {
			once.Do(func() { close(done) })
		}
		return true
	}, done
}

func waitSeen(t *testing.T, seen <-chan struct{}) {
	t.Helper()
	select {
	case <-seen:
	case <-time.After(WaitMessage):
		t.Fatal("the last message never reached the filter")
	}
}

func testOverflowCount(t *testing.T, e *env) {
	if e.Lazy {
		t.Skip("lazy subscriptions do not overflow")
	}
	c := e.dial()
	ch := e.channel("overflow")
	filter, seen := seenFilter(4)
	s := e.subscribe(c, ch, transport.SubscribeOptions{MaxBuffered: 2, Filter: filter})
	for i := 1; i <= 4; i++ {
		e.publish(c, e.message(ch, i))
	}
	waitSeen(t, seen)
	for want := 1; want <= 2; want++ {
		if got := number(t, e.next(s)); got != want {
			t.Fatalf("got %d, want %d", got, want)
		}
	}
	expectOverflow(t, s)
}

func testOverflowBytes(t *testing.T, e *env) {
	if e.Lazy {
		t.Skip("lazy subscriptions do not overflow")
	}
	c := e.dial()
	ch := e.channel("overflowbytes")
	m := e.message(ch, 1)
	filter, seen := seenFilter(3)
	s := e.subscribe(c, ch, transport.SubscribeOptions{MaxBytes: m.Size() + 1, Filter: filter})
	for i := 1; i <= 3; i++ {
		e.publish(c, e.message(ch, i))
	}
	waitSeen(t, seen)
	if got := number(t, e.next(s)); got != 1 {
		t.Fatalf("got %d, want 1", got)
	}
	expectOverflow(t, s)
}

func expectOverflow(t *testing.T, s transport.Subscription) {
	t.Helper()
	for range 2 { // the error is sticky
		ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
		d, err := s.Next(ctx)
		cancel()
		if !errors.Is(err, transport.ErrOverflow) {
			t.Fatalf("Next = %v, %v; want ErrOverflow", d, err)
		}
		var te *transport.Error
		if !errors.As(err, &te) || te.Op != "receive" {
			t.Fatalf("overflow error %v is not a receive *transport.Error", err)
		}
	}
}

func testNextCtx(t *testing.T, e *env) {
	c := e.dial()
	s := e.subscribe(c, e.channel("ctx"), transport.SubscribeOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	_, err := s.Next(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next after deadline: %v, want DeadlineExceeded", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := s.Next(ctx); done <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := waitErr(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next after cancel: %v, want Canceled", err)
	}
}

// waitErr waits for a blocked call to return; a call that does not return
// within WaitMessage is a hang.
func waitErr(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(WaitMessage):
		t.Fatal("call did not return (hang)")
		return nil
	}
}

func testCloseUnblocks(t *testing.T, e *env) {
	c := e.dial()
	s := e.subscribe(c, e.channel("close"), transport.SubscribeOptions{})
	done := make(chan error, 1)
	go func() { _, err := s.Next(context.Background()); done <- err }()
	time.Sleep(20 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := waitErr(t, done); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Next after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func testConnClose(t *testing.T, e *env) {
	c := e.dial()
	ch := e.channel("connclose")
	s := e.subscribe(c, ch, transport.SubscribeOptions{})
	done := make(chan error, 1)
	go func() { _, err := s.Next(context.Background()); done <- err }()
	time.Sleep(20 * time.Millisecond)
	if err := c.Close(); err != nil {
		t.Fatalf("Conn.Close: %v", err)
	}
	if err := waitErr(t, done); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Next after Conn.Close: %v, want ErrClosed", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
	defer cancel()
	if _, err := c.Publish(ctx, e.message(ch, 1)); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Publish after Close: %v, want ErrClosed", err)
	}
	if _, err := c.Subscribe(ctx, ch, transport.SubscribeOptions{}); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Subscribe after Close: %v, want ErrClosed", err)
	}
}

func testConcurrent(t *testing.T, e *env) {
	const workers, each = 8, 25
	c := e.dial()
	ch := e.channel("concurrent")
	s := e.subscribe(c, ch, transport.SubscribeOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
				_, err := c.Publish(ctx, e.message(ch, w*each+i))
				cancel()
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Publish: %v", err)
	}
	seen := make(map[int]bool)
	for range workers * each {
		n := number(t, e.next(s))
		if seen[n] {
			t.Fatalf("message %d delivered twice", n)
		}
		seen[n] = true
	}
	e.silence(s)
}

func testBrokerGone(t *testing.T, e *env) {
	if e.Stop == nil {
		t.Skip("Setup.Stop is nil")
	}
	c := e.dial()
	ch := e.channel("gone")
	e.publish(c, e.message(ch, 1))
	e.Stop()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		var err error
		for range 3 { // a client may need a write or two to notice
			if _, err = c.Publish(ctx, e.message(ch, 2)); err != nil {
				break
			}
		}
		done <- err
	}()
	err := waitErr(t, done)
	if err == nil {
		t.Fatal("Publish to a stopped broker succeeded")
	}
	e.noSecret(err)
}

func testDialRefused(t *testing.T, e *env) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	s := e.Server
	u := *s.URL
	u.Host = addr
	s.URL = &u
	ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
	defer cancel()
	c, err := e.Driver.Dial(ctx, s)
	if err == nil {
		_ = c.Close()
		t.Fatal("Dial to a closed port succeeded")
	}
	var te *transport.Error
	if !errors.As(err, &te) || te.Op != "dial" {
		t.Fatalf("Dial error %v is not a dial *transport.Error", err)
	}
	e.noSecret(err)
}

func (e *env) password() string {
	if p := e.Server.Credentials.Password; p != "" {
		return p
	}
	if e.Server.URL != nil && e.Server.URL.User != nil {
		p, _ := e.Server.URL.User.Password()
		return p
	}
	return ""
}

func (e *env) noSecret(err error) {
	e.t.Helper()
	if p := e.password(); p != "" && strings.Contains(err.Error(), p) {
		e.t.Fatalf("error contains the password: %v", err)
	}
}

func testCredentials(t *testing.T, e *env) {
	if e.password() == "" {
		t.Skip("the broker of this Setup takes no credentials")
	}
	const wrong = "wrong-Pa55word-for-telaio"
	s := e.Server
	s.Credentials.Password = wrong
	if s.Credentials.Username == "" && s.URL.User != nil {
		s.Credentials.Username = s.URL.User.Username()
	}
	u := *s.URL
	u.User = url.UserPassword(s.Credentials.Username, wrong)
	s.URL = &u
	ctx, cancel := context.WithTimeout(context.Background(), WaitMessage)
	defer cancel()
	c, err := e.Driver.Dial(ctx, s)
	if err == nil {
		_ = c.Close()
		t.Fatal("Dial with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), wrong) {
		t.Fatalf("error contains the password: %v", err)
	}
	if !errors.Is(err, transport.ErrAuth) {
		t.Errorf("Dial with a wrong password: %v, want ErrAuth", err)
	}
	// And the right one works (the other cases depend on it too).
	e.dial()
}
