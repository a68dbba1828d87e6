package nats

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/internal/drv"
)

// HeaderReplyTo is the pseudo-header that carries the NATS reply subject: set
// on publish, it becomes the message's reply subject; on receive it holds the
// reply subject when there is one.
const HeaderReplyTo = "reply_to"

// DefaultPort is used when the URL names no port.
const DefaultPort = "4222"

// DefaultFlushTimeout bounds the flush of Publish and Subscribe when their
// context has no deadline (nats.go needs one).
const DefaultFlushTimeout = time.Minute

func flush(ctx context.Context, nc *natsgo.Conn) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultFlushTimeout)
		defer cancel()
	}
	return nc.FlushWithContext(ctx)
}

// Driver is the NATS driver. The zero value is ready to use.
type Driver struct {
	// ClientName is sent to the server as the connection name; empty means
	// "telaio".
	ClientName string
}

var _ transport.Driver = Driver{}

// Protocols implements transport.Driver.
func (Driver) Protocols() []string { return []string{"nats"} }

// Dial implements transport.Driver.
func (d Driver) Dial(ctx context.Context, s transport.Server) (transport.Conn, error) {
	user, pass := drv.UserPass(s)
	fail := func(err error) error { return drv.Err("nats", "dial", "", err, pass) }
	if err := drv.CheckProtocol(s, d.Protocols()); err != nil {
		return nil, fail(err)
	}
	if err := drv.CheckMechanism(s); err != nil {
		return nil, fail(err)
	}
	hosts, err := drv.Hosts(s, DefaultPort)
	if err != nil {
		return nil, fail(err)
	}
	secure := s.URL.Scheme == "tls"
	urls := make([]string, len(hosts))
	for i, h := range hosts {
		if secure {
			urls[i] = "tls://" + h
		} else {
			urls[i] = "nats://" + h
		}
	}
	name := d.ClientName
	if name == "" {
		name = "telaio"
	}
	c := &conn{}
	opts := []natsgo.Option{
		natsgo.Name(name),
		natsgo.NoReconnect(),
		natsgo.SetCustomDialer(ctxDialer{ctx}),
		natsgo.NoCallbacksAfterClientClose(),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			if err == nil {
				err = transport.ErrConnectionLost
			} else {
				err = fmt.Errorf("%w: %w", transport.ErrConnectionLost, err)
			}
			c.subs.FailAll(drv.Redact(err, pass))
		}),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, ns *natsgo.Subscription, err error) {
			if ns == nil {
				return
			}
			if sub, ok := c.byNats.Load(ns); ok {
				sub.(*drv.Sub).Fail(err)
			}
		}),
	}
	if dl, ok := ctx.Deadline(); ok {
		opts = append(opts, natsgo.Timeout(time.Until(dl)))
	}
	switch {
	case user != "":
		opts = append(opts, natsgo.UserInfo(user, pass))
	case pass != "":
		opts = append(opts, natsgo.Token(pass))
	}
	if tc := drv.TLS(s, secure, hosts[0]); tc != nil {
		opts = append(opts, natsgo.Secure(tc))
	}
	nc, err := natsgo.Connect(strings.Join(urls, ","), opts...)
	if err != nil {
		if errors.Is(err, natsgo.ErrAuthorization) || errors.Is(err, natsgo.ErrAuthExpired) {
			err = fmt.Errorf("%w: %w", transport.ErrAuth, err)
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, fail(err)
	}
	c.nc, c.pass = nc, pass
	return c, nil
}

// ctxDialer dials with the context of Dial (reconnects are off, so the
// context is not used after Dial returns).
type ctxDialer struct{ ctx context.Context }

func (d ctxDialer) Dial(network, address string) (net.Conn, error) {
	var nd net.Dialer
	return nd.DialContext(d.ctx, network, address)
}

type conn struct {
	closed atomic.Bool
	nc     *natsgo.Conn
	pass   string
	subs   drv.Subs
	byNats sync.Map // *natsgo.Subscription -> *drv.Sub
}

func (c *conn) Publish(ctx context.Context, m *transport.Message) (*transport.Receipt, error) {
	addr := m.Channel.Address
	fail := func(err error) (*transport.Receipt, error) {
		return nil, drv.Err("nats", "publish", addr, err, c.pass)
	}
	if c.closed.Load() {
		return fail(transport.ErrClosed)
	}
	if len(m.Key) > 0 {
		return fail(fmt.Errorf("%w: a message key", transport.ErrUnsupported))
	}
	msg := &natsgo.Msg{Subject: addr, Data: m.Payload}
	for k, v := range m.Headers {
		if k == HeaderReplyTo {
			msg.Reply = v
			continue
		}
		if msg.Header == nil {
			msg.Header = make(natsgo.Header, len(m.Headers))
		}
		msg.Header[k] = []string{v}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := c.nc.PublishMsg(msg); err != nil {
		return fail(err)
	}
	if err := flush(ctx, c.nc); err != nil {
		return fail(err)
	}
	return &transport.Receipt{Partition: -1, Offset: -1}, nil
}

func (c *conn) Subscribe(ctx context.Context, ch transport.Channel, o transport.SubscribeOptions) (transport.Subscription, error) {
	fail := func(err error) (transport.Subscription, error) {
		return nil, drv.Err("nats", "subscribe", ch.Address, err, c.pass)
	}
	if c.closed.Load() {
		return fail(transport.ErrClosed)
	}
	queue, _, err := drv.String(ch.Bindings, "queue")
	if err != nil {
		return fail(err)
	}
	var ns *natsgo.Subscription
	sub := drv.NewSub("nats", ch, o, func() error {
		if ns == nil {
			return nil
		}
		c.byNats.Delete(ns)
		err := ns.Unsubscribe()
		if errors.Is(err, natsgo.ErrConnectionClosed) || errors.Is(err, natsgo.ErrBadSubscription) {
			err = nil
		}
		return err
	})
	handler := func(msg *natsgo.Msg) {
		d := &transport.Delivery{
			Message: transport.Message{
				Channel: transport.Channel{Address: msg.Subject, Bindings: ch.Bindings},
				Payload: msg.Data,
			},
			Partition: -1,
			Offset:    -1,
			Received:  time.Now(),
		}
		if len(msg.Header) > 0 || msg.Reply != "" {
			d.Headers = make(map[string]string, len(msg.Header)+1)
			for k, vs := range msg.Header {
				if len(vs) > 0 {
					d.Headers[k] = vs[0]
				}
			}
			if msg.Reply != "" {
				d.Headers[HeaderReplyTo] = msg.Reply
			}
		}
		sub.Push(d)
	}
	if !c.subs.Add(sub) {
		return fail(transport.ErrClosed)
	}
	if queue != "" {
		ns, err = c.nc.QueueSubscribe(ch.Address, queue, handler)
	} else {
		ns, err = c.nc.Subscribe(ch.Address, handler)
	}
	if err != nil {
		c.subs.Remove(sub)
		return fail(err)
	}
	c.byNats.Store(ns, sub)
	// The client's own limits are not the bound: ours are. Keep the client
	// from dropping before our buffer overflows.
	_ = ns.SetPendingLimits(-1, -1)
	if err := flush(ctx, c.nc); err != nil {
		_ = sub.Close()
		c.subs.Remove(sub)
		return fail(err)
	}
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
	c.closed.Store(true)
	c.subs.CloseAll()
	c.nc.Close()
	return nil
}
