package amqp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/internal/drv"
)

// Defaults.
const (
	DefaultPort    = "5672"
	DefaultTLSPort = "5671"
	// DefaultHandshakeTimeout bounds the TCP, TLS and AMQP handshakes when
	// the Dial context has no deadline.
	DefaultHandshakeTimeout = 30 * time.Second
)

// Driver is the AMQP 0-9-1 driver (RabbitMQ), over
// github.com/rabbitmq/amqp091-go. The zero value is ready to use.
type Driver struct{}

var _ transport.Driver = Driver{}

// Protocols implements transport.Driver.
func (Driver) Protocols() []string { return []string{"amqp", "amqps"} }

// Dial implements transport.Driver.
func (d Driver) Dial(ctx context.Context, s transport.Server) (transport.Conn, error) {
	user, pass := drv.UserPass(s)
	proto := drv.Protocol(s, "amqp")
	fail := func(err error) error { return drv.Err(proto, "dial", "", err, pass) }
	if err := drv.CheckProtocol(s, d.Protocols()); err != nil {
		return nil, fail(err)
	}
	if err := drv.CheckMechanism(s); err != nil {
		return nil, fail(err)
	}
	secure := proto == "amqps" || (s.URL != nil && strings.EqualFold(s.URL.Scheme, "amqps"))
	port := DefaultPort
	if secure {
		port = DefaultTLSPort
	}
	hosts, err := drv.Hosts(s, port)
	if err != nil {
		return nil, fail(err)
	}
	if len(hosts) > 1 {
		return nil, fail(fmt.Errorf("%w: more than one host", transport.ErrUnsupported))
	}
	// amqp091 parses the URL again: give it one without user info (the
	// credentials go in Config.SASL) and with the scheme it knows.
	u := &url.URL{Scheme: "amqp", Host: hosts[0], Path: s.URL.Path, RawPath: s.URL.RawPath}
	if secure {
		u.Scheme = "amqps"
	}
	cfg := amqp091.Config{
		Properties: amqp091.Table{"product": "telaio", "connection_name": "telaio"},
		Dial: func(network, addr string) (net.Conn, error) {
			var nd net.Dialer
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			dl, ok := ctx.Deadline()
			if !ok {
				dl = time.Now().Add(DefaultHandshakeTimeout)
			}
			_ = c.SetDeadline(dl) // cleared by amqp091 once the handshake is done
			return c, nil
		},
	}
	if user != "" || pass != "" {
		cfg.SASL = []amqp091.Authentication{&amqp091.PlainAuth{Username: user, Password: pass}}
	}
	if tc := drv.TLS(s, secure, hosts[0]); tc != nil {
		cfg.TLSClientConfig = tc
	}
	ac, err := amqp091.DialConfig(u.String(), cfg)
	if err != nil {
		var ae *amqp091.Error
		if errors.As(err, &ae) && ae.Code == amqp091.AccessRefused {
			err = fmt.Errorf("%w: %w", transport.ErrAuth, err)
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, fail(err)
	}
	c := &conn{proto: proto, pass: pass, ac: ac}
	lost := ac.NotifyClose(make(chan *amqp091.Error, 1))
	go func() {
		if e, ok := <-lost; ok && e != nil && !c.closed.Load() {
			c.subs.FailAll(drv.Redact(fmt.Errorf("%w: %w", transport.ErrConnectionLost, e), pass))
		}
	}()
	return c, nil
}

type conn struct {
	proto  string
	pass   string
	ac     *amqp091.Connection
	closed atomic.Bool
	subs   drv.Subs

	mu  sync.Mutex // guards pub
	pub *pubChannel
	// mandatory publishes are serialised so that a basic.return can be
	// matched to the publish it answers.
	mandatory sync.Mutex
}

// pubChannel is the channel publishes go through, in confirm mode. A broker
// error closes an AMQP channel; the next Publish opens a new one.
type pubChannel struct {
	ch      *amqp091.Channel
	closed  chan *amqp091.Error
	returns chan amqp091.Return
}

func (c *conn) pubChannel() (*pubChannel, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pub != nil && !c.pub.ch.IsClosed() {
		return c.pub, nil
	}
	ch, err := c.ac.Channel()
	if err != nil {
		return nil, err
	}
	if err := ch.Confirm(false); err != nil {
		_ = ch.Close()
		return nil, err
	}
	p := &pubChannel{
		ch:      ch,
		closed:  ch.NotifyClose(make(chan *amqp091.Error, 1)),
		returns: ch.NotifyReturn(make(chan amqp091.Return, 1)),
	}
	c.pub = p
	return p, nil
}

func (c *conn) Publish(ctx context.Context, m *transport.Message) (*transport.Receipt, error) {
	fail := func(err error) (*transport.Receipt, error) {
		return nil, drv.Err(c.proto, "publish", m.Channel.Address, err, c.pass)
	}
	if c.closed.Load() {
		return fail(transport.ErrClosed)
	}
	if len(m.Key) > 0 {
		return fail(fmt.Errorf("%w: a message key", transport.ErrUnsupported))
	}
	r, err := resolve(m.Channel)
	if err != nil {
		return fail(err)
	}
	pm, mandatory, err := publishing(m)
	if err != nil {
		return fail(err)
	}
	if mandatory {
		c.mandatory.Lock()
		defer c.mandatory.Unlock()
	}
	p, err := c.pubChannel()
	if err != nil {
		return fail(c.closedErr(err))
	}
	dc, err := p.ch.PublishWithDeferredConfirmWithContext(ctx, r.exchange, r.key, mandatory, false, pm)
	if err != nil {
		return fail(c.closedErr(err))
	}
	select {
	case <-dc.Done():
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	if !dc.Acked() {
		select {
		case e := <-p.closed:
			if e != nil {
				return fail(e)
			}
		default:
		}
		if c.closed.Load() || c.ac.IsClosed() {
			return fail(c.closedErr(amqp091.ErrClosed))
		}
		return fail(errors.New("broker refused the message (basic.nack)"))
	}
	if mandatory {
		select {
		case ret := <-p.returns:
			return fail(fmt.Errorf("message unroutable: %d %s (exchange %q, routing key %q)", ret.ReplyCode, ret.ReplyText, ret.Exchange, ret.RoutingKey))
		default:
		}
	}
	return &transport.Receipt{Partition: -1, Offset: -1, ID: strconv.FormatUint(dc.DeliveryTag, 10)}, nil
}

// closedErr marks errors of a closed connection with transport.ErrClosed or
// ErrConnectionLost.
func (c *conn) closedErr(err error) error {
	if !errors.Is(err, amqp091.ErrClosed) {
		return err
	}
	if c.closed.Load() {
		return fmt.Errorf("%w: %w", transport.ErrClosed, err)
	}
	return fmt.Errorf("%w: %w", transport.ErrConnectionLost, err)
}

func (c *conn) Subscribe(ctx context.Context, ch transport.Channel, o transport.SubscribeOptions) (transport.Subscription, error) {
	fail := func(err error) (transport.Subscription, error) {
		return nil, drv.Err(c.proto, "subscribe", ch.Address, err, c.pass)
	}
	if c.closed.Load() {
		return fail(transport.ErrClosed)
	}
	r, err := resolve(ch)
	if err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	// Each subscription has its own channel: a broker error on one does
	// not close the others.
	ach, err := c.ac.Channel()
	if err != nil {
		return fail(c.closedErr(err))
	}
	queue, err := r.arm(c, ach)
	if err != nil {
		_ = ach.Close()
		return fail(c.closedErr(err))
	}
	closed := ach.NotifyClose(make(chan *amqp091.Error, 1))
	tag := "telaio-" + drv.RandomID()
	deliveries, err := ach.Consume(queue, tag, true, false, false, false, nil)
	if err != nil {
		_ = ach.Close()
		return fail(c.closedErr(err))
	}
	var wg sync.WaitGroup
	sub := drv.NewSub(c.proto, ch, o, func() error {
		_ = ach.Cancel(tag, false)
		err := ach.Close()
		wg.Wait()
		if errors.Is(err, amqp091.ErrClosed) {
			err = nil
		}
		return err
	})
	if !c.subs.Add(sub) {
		_ = ach.Close()
		return fail(transport.ErrClosed)
	}
	wg.Go(func() {
		for d := range deliveries {
			sub.Push(delivery(d, ch.Bindings))
		}
		select {
		case e := <-closed:
			if e != nil {
				sub.Fail(drv.Redact(c.closedErr(e), c.pass))
			}
		default:
		}
	})
	return &subscription{Sub: sub, c: c}, nil
}

type subscription struct {
	*drv.Sub
	c *conn
}

func (s *subscription) Close() error {
	s.c.subs.Remove(s.Sub)
	return s.Sub.Close()
}

func (c *conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.subs.CloseAll()
	err := c.ac.Close()
	if errors.Is(err, amqp091.ErrClosed) {
		err = nil
	}
	return drv.Err(c.proto, "close", "", err, c.pass)
}
