package mqtt

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/internal/drv"
)

// Pseudo-headers: MQTT 5 properties that are not user properties, under the
// names of the AsyncAPI MQTT message binding. On receive they hold the
// property when present; on publish they set it and are not sent as user
// properties.
const (
	HeaderContentType     = "contentType"
	HeaderCorrelationData = "correlationData" // bytes, as a string
	HeaderResponseTopic   = "responseTopic"
)

// Defaults.
const (
	// DefaultProtocolVersion is used when the server has no
	// protocolVersion: every MQTT broker speaks 3.1.1, not every one 5.
	DefaultProtocolVersion = "3.1.1"
	// DefaultQoS is used when the operation binding has no qos: 1, so that
	// Publish waits for the broker's PUBACK.
	DefaultQoS = 1
	// DefaultKeepAlive is the keep-alive interval sent in CONNECT.
	DefaultKeepAlive = 30 * time.Second
	// DefaultPort and DefaultTLSPort are used for a host without a port.
	DefaultPort    = "1883"
	DefaultTLSPort = "8883"
	// closeTimeout bounds UNSUBSCRIBE and DISCONNECT, which take no context.
	closeTimeout = 5 * time.Second
)

// version is a parsed protocolVersion.
type version int

const (
	v31  version = 3
	v311 version = 4
	v5   version = 5
)

func parseVersion(s string) (version, error) {
	switch strings.TrimSpace(s) {
	case "":
		return parseVersion(DefaultProtocolVersion)
	case "3.1.1", "4":
		return v311, nil
	case "3.1", "3":
		return v31, nil
	case "5", "5.0", "5.0.0":
		return v5, nil
	}
	return 0, fmt.Errorf("%w: MQTT protocolVersion %q (want 3.1, 3.1.1 or 5)", transport.ErrUnsupported, s)
}

func (v version) String() string {
	switch v {
	case v31:
		return "3.1"
	case v311:
		return "3.1.1"
	}
	return "5"
}

// SupportsHeaders reports whether MQTT protocolVersion can carry headers:
// only MQTT 5 has user properties. An empty version is DefaultProtocolVersion
// (3.1.1); an unknown one is false.
func SupportsHeaders(protocolVersion string) bool {
	v, err := parseVersion(protocolVersion)
	return err == nil && v == v5
}

// Driver is the MQTT driver: MQTT 3.1 and 3.1.1 through
// github.com/eclipse/paho.mqtt.golang, MQTT 5 through
// github.com/eclipse/paho.golang. The zero value is ready to use.
type Driver struct {
	// ClientIDPrefix starts every generated client identifier; empty means
	// "telaio-". A random suffix follows.
	ClientIDPrefix string
}

var _ transport.Driver = Driver{}

// Protocols implements transport.Driver.
func (Driver) Protocols() []string { return []string{"mqtt", "mqtts", "secure-mqtt"} }

// Dial implements transport.Driver.
func (d Driver) Dial(ctx context.Context, s transport.Server) (transport.Conn, error) {
	user, pass := drv.UserPass(s)
	proto := drv.Protocol(s, "mqtt")
	fail := func(err error) error { return drv.Err(proto, "dial", "", err, pass) }
	if err := drv.CheckProtocol(s, d.Protocols()); err != nil {
		return nil, fail(err)
	}
	if err := drv.CheckMechanism(s); err != nil {
		return nil, fail(err)
	}
	v, err := parseVersion(s.ProtocolVersion)
	if err != nil {
		return nil, fail(err)
	}
	secure := proto != "mqtt"
	if s.URL != nil {
		switch strings.ToLower(s.URL.Scheme) {
		case "mqtts", "ssl", "tls", "secure-mqtt":
			secure = true
		}
	}
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
	keepAlive := DefaultKeepAlive
	if ka, ok, err := drv.Int(s.Bindings, "keepAlive", 1, 65535); err != nil {
		return nil, fail(err)
	} else if ok {
		keepAlive = time.Duration(ka) * time.Second
	}
	prefix := d.ClientIDPrefix
	if prefix == "" {
		prefix = "telaio-"
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	cfg := dialConfig{
		host:      hosts[0],
		tls:       drv.TLS(s, secure, hosts[0]),
		clientID:  prefix + hex.EncodeToString(rnd[:]),
		user:      user,
		pass:      pass,
		keepAlive: keepAlive,
		version:   v,
	}
	c := &conn{proto: proto, version: v, pass: pass, routes: make(map[string]*route)}
	if v == v5 {
		c.cl, err = dial5(ctx, cfg, c)
	} else {
		c.cl, err = dial3(ctx, cfg, c)
	}
	if err != nil {
		return nil, fail(err)
	}
	return c, nil
}

type dialConfig struct {
	host      string
	tls       *tls.Config
	clientID  string
	user      string
	pass      string
	keepAlive time.Duration
	version   version
}

// client is what conn needs from either paho client.
type client interface {
	publish(ctx context.Context, topic string, qos byte, retain bool, m *transport.Message, expiry *uint32) (*transport.Receipt, error)
	subscribe(ctx context.Context, filter string, qos byte, retained bool) error
	unsubscribe(ctx context.Context, filter string) error
	close()
}

type conn struct {
	proto   string
	version version
	pass    string
	cl      client
	closed  atomic.Bool
	subs    drv.Subs

	mu     sync.Mutex // serialises SUBSCRIBE/UNSUBSCRIBE and guards routes
	routes map[string]*route
	rmu    sync.RWMutex // guards the subs of each route for dispatch
}

// route is one topic filter subscribed on the broker and the subscriptions
// it feeds.
type route struct {
	filter string
	subs   map[*msub]struct{}
}

type msub struct {
	*drv.Sub
	c          *conn
	filter     string
	chBindings map[string]any
	qos        byte
	retained   bool
}

// publishOptions reads qos, retain and messageExpiryInterval from the
// channel's (operation) bindings.
func publishOptions(b map[string]any) (qos byte, retain bool, expiry *uint32, err error) {
	q, ok, err := drv.Int(b, "qos", 0, 2)
	if err != nil {
		return 0, false, nil, err
	}
	qos = DefaultQoS
	if ok {
		qos = byte(q)
	}
	if retain, _, err = drv.Bool(b, "retain"); err != nil {
		return 0, false, nil, err
	}
	if e, ok, err := drv.Int(b, "messageExpiryInterval", 0, 1<<32-1); err != nil {
		return 0, false, nil, err
	} else if ok {
		u := uint32(e)
		expiry = &u
	}
	return qos, retain, expiry, nil
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
	if len(m.Headers) > 0 && c.version != v5 {
		return fail(fmt.Errorf("%w: MQTT %s has no message headers (%d given); use protocolVersion 5", transport.ErrUnsupported, c.version, len(m.Headers)))
	}
	if m.Channel.Address == "" || strings.ContainsAny(m.Channel.Address, "+#") {
		return fail(fmt.Errorf("%w: cannot publish to topic %q", transport.ErrBinding, m.Channel.Address))
	}
	qos, retain, expiry, err := publishOptions(m.Channel.Bindings)
	if err != nil {
		return fail(err)
	}
	r, err := c.cl.publish(ctx, m.Channel.Address, qos, retain, m, expiry)
	if err != nil {
		return fail(err)
	}
	return r, nil
}

func (c *conn) Subscribe(ctx context.Context, ch transport.Channel, o transport.SubscribeOptions) (transport.Subscription, error) {
	fail := func(err error) (transport.Subscription, error) {
		return nil, drv.Err(c.proto, "subscribe", ch.Address, err, c.pass)
	}
	if c.closed.Load() {
		return fail(transport.ErrClosed)
	}
	if err := validFilter(ch.Address); err != nil {
		return fail(err)
	}
	qos, _, _, err := publishOptions(ch.Bindings)
	if err != nil {
		return fail(err)
	}
	s := &msub{c: c, filter: ch.Address, chBindings: ch.Bindings, qos: qos, retained: o.Retained}
	s.Sub = drv.NewSub(c.proto, ch, o, func() error { return c.unroute(s) })
	if !c.subs.Add(s.Sub) {
		return fail(transport.ErrClosed)
	}
	if err := c.addRoute(ctx, s); err != nil {
		c.subs.Remove(s.Sub)
		return fail(err)
	}
	return s, nil
}

// addRoute routes the filter's messages to s as well, then subscribes on
// the broker (again, when the filter is already subscribed: the SUBACK is
// what arms s, and a higher QoS may be needed). The route comes first: the
// broker sends the retained messages right after its SUBACK, and the
// client may deliver them before Subscribe returns.
func (c *conn) addRoute(ctx context.Context, s *msub) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rmu.Lock()
	r := c.routes[s.filter]
	qos := s.qos
	if r == nil {
		r = &route{filter: s.filter, subs: make(map[*msub]struct{})}
		c.routes[s.filter] = r
	}
	for o := range r.subs {
		qos = max(qos, o.qos)
	}
	r.subs[s] = struct{}{}
	c.rmu.Unlock()
	if err := c.cl.subscribe(ctx, s.filter, qos, s.retained); err != nil {
		c.rmu.Lock()
		delete(r.subs, s)
		if len(r.subs) == 0 {
			delete(c.routes, s.filter)
		}
		c.rmu.Unlock()
		return err
	}
	return nil
}

// unroute removes s; the last subscription of a filter unsubscribes it.
func (c *conn) unroute(s *msub) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rmu.Lock()
	r := c.routes[s.filter]
	last := false
	if r != nil {
		delete(r.subs, s)
		if len(r.subs) == 0 {
			delete(c.routes, s.filter)
			last = true
		}
	}
	c.rmu.Unlock()
	if !last || c.closed.Load() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	return c.cl.unsubscribe(ctx, s.filter)
}

// dispatch hands a received message to every subscription whose filter
// matches its topic. A retained message (sent because of a SUBSCRIBE) goes
// only to subscriptions that asked for retained messages.
func (c *conn) dispatch(topic string, retained bool, build func(bindings map[string]any) *transport.Delivery) {
	c.rmu.RLock()
	var targets []*msub
	for _, r := range c.routes {
		if !matches(r.filter, topic) {
			continue
		}
		for s := range r.subs {
			if !retained || s.retained {
				targets = append(targets, s)
			}
		}
	}
	c.rmu.RUnlock()
	for _, s := range targets {
		s.Push(build(s.chBindings))
	}
}

func (s *msub) Close() error {
	s.c.subs.Remove(s.Sub)
	return s.Sub.Close()
}

// lost fails every subscription: MQTT with a clean session loses messages
// while disconnected, so the driver does not reconnect.
func (c *conn) lost(err error) {
	if c.closed.Load() {
		return
	}
	if err == nil {
		err = transport.ErrConnectionLost
	} else {
		err = fmt.Errorf("%w: %w", transport.ErrConnectionLost, err)
	}
	c.subs.FailAll(drv.Redact(err, c.pass))
}

func (c *conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.subs.CloseAll()
	c.cl.close()
	return nil
}

// wait waits for a paho v3 token or ctx.
func wait(ctx context.Context, done <-chan struct{}, err func() error) error {
	select {
	case <-done:
		return err()
	case <-ctx.Done():
		return ctx.Err()
	}
}
