package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/internal/drv"
)

// DefaultPort is used for a host without a port.
const DefaultPort = "9092"

// Driver is the Kafka driver. The zero value is ready to use.
type Driver struct {
	// ClientID is sent to the brokers; empty means "telaio".
	ClientID string
}

var _ transport.Driver = Driver{}

// Protocols implements transport.Driver.
func (Driver) Protocols() []string { return []string{"kafka", "kafka-secure"} }

// Dial implements transport.Driver. It connects to one of the bootstrap
// brokers (and authenticates) before it returns.
func (d Driver) Dial(ctx context.Context, s transport.Server) (transport.Conn, error) {
	user, pass := drv.UserPass(s)
	fail := func(err error) error { return drv.Err(drv.Protocol(s, "kafka"), "dial", "", err, pass) }
	if err := drv.CheckProtocol(s, d.Protocols()); err != nil {
		return nil, fail(err)
	}
	hosts, err := drv.Hosts(s, DefaultPort)
	if err != nil {
		return nil, fail(err)
	}
	proto := drv.Protocol(s, "kafka")
	secure := proto == "kafka-secure" || strings.EqualFold(s.URL.Scheme, "kafka-secure")
	id := d.ClientID
	if id == "" {
		id = "telaio"
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(hosts...),
		kgo.ClientID(id),
	}
	if tc := drv.TLS(s, secure, hosts[0]); tc != nil {
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if user != "" || pass != "" {
		m, err := mechanism(s.Credentials.Mechanism, user, pass)
		if err != nil {
			return nil, fail(err)
		}
		opts = append(opts, kgo.SASL(m))
	} else if s.Credentials.Mechanism != "" {
		return nil, fail(fmt.Errorf("SASL mechanism %q without credentials", s.Credentials.Mechanism))
	}
	hook := new(saslHook)
	prod := append(opts[:len(opts):len(opts)],
		kgo.WithHooks(hook),
		kgo.ProducerLinger(0),        // one message per step: do not wait for a batch
		kgo.AllowAutoTopicCreation(), // where the broker allows it, as a producer would
	)
	cl, err := kgo.NewClient(prod...)
	if err != nil {
		return nil, fail(err)
	}
	if err := cl.Ping(ctx); err != nil {
		cl.Close()
		if hook.failed.Load() && !errors.Is(classify(err), transport.ErrAuth) {
			// Kafka answers a failed authentication with an error code,
			// but some brokers (kfake) close the connection instead.
			err = fmt.Errorf("%w: broker closed the connection during SASL authentication: %w", transport.ErrAuth, err)
		}
		return nil, fail(classify(err))
	}
	return &conn{proto: proto, pass: pass, base: opts, cl: cl, adm: kadm.NewClient(cl)}, nil
}

func mechanism(name, user, pass string) (sasl.Mechanism, error) {
	switch strings.ToLower(name) {
	case "", "plain":
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case "scram-sha-256":
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case "scram-sha-512":
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("%w: SASL mechanism %q (want plain, scram-sha-256 or scram-sha-512)", transport.ErrUnsupported, name)
}

// saslHook notes a failed read of a SASL response.
type saslHook struct{ failed atomic.Bool }

var _ kgo.HookBrokerRead = (*saslHook)(nil)

func (h *saslHook) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	const saslHandshake, saslAuthenticate = 17, 36
	if err != nil && (key == saslHandshake || key == saslAuthenticate) {
		h.failed.Store(true)
	}
}

// classify marks authentication failures with transport.ErrAuth.
func classify(err error) error {
	if errors.Is(err, kerr.SaslAuthenticationFailed) || errors.Is(err, kerr.UnsupportedSaslMechanism) ||
		errors.Is(err, kerr.IllegalSaslState) || errors.Is(err, kerr.TopicAuthorizationFailed) ||
		errors.Is(err, kerr.ClusterAuthorizationFailed) {
		return fmt.Errorf("%w: %w", transport.ErrAuth, err)
	}
	return err
}

type conn struct {
	proto  string
	pass   string
	base   []kgo.Opt
	cl     *kgo.Client
	adm    *kadm.Client
	closed atomic.Bool
	subs   drv.Subs
}

// topic returns the topic of ch: the binding's topic, else the address.
func topic(ch transport.Channel) (string, error) {
	t, ok, err := drv.String(ch.Bindings, "topic")
	if err != nil {
		return "", err
	}
	if !ok || t == "" {
		t = ch.Address
	}
	if t == "" {
		return "", fmt.Errorf("%w: empty topic", transport.ErrBinding)
	}
	return t, nil
}

func (c *conn) Publish(ctx context.Context, m *transport.Message) (*transport.Receipt, error) {
	fail := func(err error) (*transport.Receipt, error) {
		return nil, drv.Err(c.proto, "publish", m.Channel.Address, err, c.pass)
	}
	if c.closed.Load() {
		return fail(transport.ErrClosed)
	}
	t, err := topic(m.Channel)
	if err != nil {
		return fail(err)
	}
	rec := &kgo.Record{Topic: t, Key: m.Key, Value: m.Payload}
	if len(m.Headers) > 0 {
		rec.Headers = make([]kgo.RecordHeader, 0, len(m.Headers))
		for k, v := range m.Headers {
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
		}
	}
	done := make(chan error, 1)
	c.cl.Produce(ctx, rec, func(_ *kgo.Record, err error) { done <- err })
	select {
	case err = <-done:
	case <-ctx.Done():
		// The record may still be written; the caller gave up waiting.
		return fail(ctx.Err())
	}
	if err != nil {
		if errors.Is(err, kgo.ErrClientClosed) {
			err = fmt.Errorf("%w: %w", transport.ErrClosed, err)
		}
		return fail(classify(err))
	}
	return &transport.Receipt{Partition: rec.Partition, Offset: rec.Offset}, nil
}

// Subscribe records the end offset of every partition of the topic and
// consumes from there with a client of its own (no consumer group). A topic
// that does not exist yet is consumed from its start once it appears: every
// record in it was then written after arming.
func (c *conn) Subscribe(ctx context.Context, ch transport.Channel, o transport.SubscribeOptions) (transport.Subscription, error) {
	fail := func(err error) (transport.Subscription, error) {
		return nil, drv.Err(c.proto, "subscribe", ch.Address, err, c.pass)
	}
	if c.closed.Load() {
		return fail(transport.ErrClosed)
	}
	t, err := topic(ch)
	if err != nil {
		return fail(err)
	}
	ends, err := c.adm.ListEndOffsets(ctx, t)
	if err != nil {
		return fail(classify(err))
	}
	opts := append(c.base[:len(c.base):len(c.base)],
		kgo.FetchMaxWait(500*time.Millisecond),
		kgo.MetadataMinAge(100*time.Millisecond), // find a topic created after arming quickly
	)
	parts := map[int32]kgo.Offset{}
	var missing bool
	for _, lo := range ends[t] {
		switch {
		case errors.Is(lo.Err, kerr.UnknownTopicOrPartition):
			missing = true
		case lo.Err != nil:
			return fail(classify(lo.Err))
		default:
			parts[lo.Partition] = kgo.NewOffset().At(lo.Offset)
		}
	}
	if len(ends[t]) == 0 {
		missing = true
	}
	if missing {
		opts = append(opts, kgo.ConsumeTopics(t), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	} else {
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{t: parts}))
	}
	maxN := o.MaxBuffered
	if maxN <= 0 {
		maxN = transport.DefaultMaxBuffered
	}
	maxB := o.MaxBytes
	if maxB <= 0 {
		maxB = transport.DefaultMaxBytes
	}
	opts = append(opts, kgo.FetchMaxBytes(int32(min(maxB, 1<<30))), kgo.FetchMaxPartitionBytes(int32(min(maxB, 1<<30))))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fail(err)
	}
	sub := &subscription{c: c, cl: cl, ch: ch, filter: o.Filter, maxN: maxN}
	if !c.subs.Add(sub) {
		cl.Close()
		return fail(transport.ErrClosed)
	}
	return sub, nil
}

// subscription reads lazily: the broker keeps the records, the client
// fetches ahead a bounded amount (FetchMaxBytes) and stops until Next polls,
// so nothing is lost however long Next is not called, and there is no
// buffer to overflow. Next polls in the caller's goroutine.
type subscription struct {
	c      *conn
	cl     *kgo.Client
	ch     transport.Channel
	filter func(*transport.Delivery) bool
	maxN   int

	mu      sync.Mutex // one Next polls at a time; guards pending
	pending []*kgo.Record
	err     error // terminal
	closed  atomic.Bool
	once    sync.Once
}

func (s *subscription) Next(ctx context.Context) (*transport.Delivery, error) {
	fail := func(err error) (*transport.Delivery, error) {
		return nil, drv.Err(s.c.proto, "receive", s.ch.Address, err, s.c.pass)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.closed.Load() {
			return fail(transport.ErrClosed)
		}
		for len(s.pending) > 0 {
			r := s.pending[0]
			s.pending[0] = nil
			s.pending = s.pending[1:]
			if d := s.delivery(r); s.filter == nil || s.filter(d) {
				return d, nil
			}
		}
		if s.err != nil {
			return fail(s.err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fs := s.cl.PollRecords(ctx, s.maxN)
		if s.closed.Load() || fs.IsClientClosed() {
			return fail(transport.ErrClosed)
		}
		fs.EachError(func(_ string, _ int32, err error) {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || kerr.IsRetriable(err) {
				return
			}
			if s.err == nil {
				s.err = classify(err)
			}
		})
		s.pending = fs.Records()
		if len(s.pending) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
}

func (s *subscription) delivery(r *kgo.Record) *transport.Delivery {
	d := &transport.Delivery{
		Message: transport.Message{
			Channel: transport.Channel{Address: r.Topic, Bindings: s.ch.Bindings},
			Payload: r.Value,
			Key:     r.Key,
		},
		Partition: r.Partition,
		Offset:    r.Offset,
		Received:  time.Now(),
	}
	if len(r.Headers) > 0 {
		d.Headers = make(map[string]string, len(r.Headers))
		for _, h := range r.Headers {
			if _, dup := d.Headers[h.Key]; !dup { // repeated keys: the first wins
				d.Headers[h.Key] = string(h.Value)
			}
		}
	}
	return d
}

func (s *subscription) Close() error {
	s.once.Do(func() {
		s.closed.Store(true)
		s.c.subs.Remove(s)
		s.cl.Close() // a blocked PollRecords returns
	})
	return nil
}

func (c *conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.subs.CloseAll()
	c.cl.Close()
	return nil
}
