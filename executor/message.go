package executor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/jsonval"
	"github.com/telaio/telaio/internal/suggest"
	"github.com/telaio/telaio/schema"
	"github.com/telaio/telaio/transport"
)

// This file runs Arazzo 1.1 message steps (action send and receive) over a
// transport.Driver (see the package documentation, "Messages").

// DefaultReceiveTimeout is how long a receive step without a timeout waits
// for its message (E12).
const DefaultReceiveTimeout = 30 * time.Second

// msgPlan is the plan of a message step.
type msgPlan struct {
	src    *asyncSourcePlan
	action string // arazzo.StepSend or arazzo.StepReceive
	op     *asyncapi.Operation
	// channel is where the step sends or receives; nil for a receive of a
	// reply whose address the request carries (replyLoc).
	channel  *asyncapi.Channel
	reply    bool
	replyLoc *asyncapi.Location
	// replyOf is the receive step that reads the reply of this send step,
	// when the reply address comes from the request (replyLoc).
	replyOf *stepPlan
	// messages are the messages the step may send or receive.
	messages    []*asyncapi.Message
	correlation *expr.Value
	timeout     time.Duration
	// bindings are the protocol's channel and operation bindings merged;
	// msgBindings the message's.
	bindings, msgBindings map[string]any
}

// asyncSourcePlan is an AsyncAPI source description with the server its
// steps use and the engine's connection to it, made at first use.
type asyncSourcePlan struct {
	name   string
	doc    *asyncapi.Document
	driver transport.Driver
	server transport.Server
	// addr names the server for errors (URL without user info).
	addr string

	mu   sync.Mutex
	conn transport.Conn

	schemas sync.Map // pointer -> *schema.Schema or error
}

// connect returns the engine's connection to the source's server, dialing
// it at first use (bounded by Limits.RequestTimeout). A failed dial is not
// remembered: the next attempt dials again.
func (a *asyncSourcePlan) connect(ctx context.Context, e *Engine) (transport.Conn, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn != nil {
		return a.conn, nil
	}
	if e.closed() {
		return nil, errors.New("the engine is closed")
	}
	dctx, cancel := context.WithTimeout(ctx, e.cfg.limits.RequestTimeout)
	defer cancel()
	c, err := a.driver.Dial(dctx, a.server)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", a.addr, err)
	}
	a.conn = c
	return c, nil
}

func (a *asyncSourcePlan) close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn == nil {
		return nil
	}
	err := a.conn.Close()
	a.conn = nil
	return err
}

// schema compiles a message schema (payload or headers) once per engine.
func (a *asyncSourcePlan) schema(pointer string) (*schema.Schema, error) {
	if v, ok := a.schemas.Load(pointer); ok {
		if s, ok := v.(*schema.Schema); ok {
			return s, nil
		}
		return nil, v.(error)
	}
	s, err := schema.Compile(a.doc.Raw, pointer)
	if err != nil {
		a.schemas.Store(pointer, err)
		return nil, err
	}
	a.schemas.Store(pointer, s)
	return s, nil
}

// schemeFor maps URL schemes of --server overrides to AsyncAPI protocols.
var schemeProtocols = map[string]string{
	"nats": "nats", "tls": "nats", "kafka": "kafka", "kafka-secure": "kafka-secure",
	"mqtt": "mqtt", "mqtts": "mqtts", "secure-mqtt": "secure-mqtt", "amqp": "amqp", "amqps": "amqps",
}

// asyncSource plans an AsyncAPI source once: the server its steps use (a
// WithServer URL, whose scheme says the protocol; "@name" picks a server of
// the document; else the first server with a registered driver), the
// driver, and the credentials of the server's security schemes.
func (p *planner) asyncSource(src *arazzo.Source, at *arazzo.Step) *asyncSourcePlan {
	if ap, ok := p.asyncSrcs[src]; ok {
		return ap
	}
	name := src.Description.Name
	ap := &asyncSourcePlan{name: name, doc: src.AsyncAPI}
	p.asyncSrcs[src] = ap
	fail := func(format string, args ...any) *asyncSourcePlan {
		p.errorf(at.Range, CodePlanServer, "source %q: "+format, append([]any{name}, args...)...)
		return ap
	}
	var chosen *asyncapi.Server
	var version string
	override := p.e.cfg.servers[name]
	switch {
	case strings.HasPrefix(override, "@"):
		for _, s := range ap.doc.Servers {
			if s.Name == override[1:] {
				chosen = s
			}
		}
		if chosen == nil {
			var names []string
			for _, s := range ap.doc.Servers {
				names = append(names, s.Name)
			}
			return fail("%s", unknownName("server", override[1:], names))
		}
	case override != "":
		u, err := url.Parse(override)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fail("server %q must be a URL with a scheme and host (nats://, kafka://, mqtt://, mqtts://, amqp://, amqps://)", override)
		}
		proto, ok := schemeProtocols[u.Scheme]
		if !ok {
			return fail("%s", unknownName("URL scheme", u.Scheme, mapKeys(schemeProtocols)))
		}
		// ?protocolVersion=5 chooses the protocol version (MQTT) when
		// no server of the description of that protocol says it.
		if q := u.Query(); q.Has("protocolVersion") {
			version = q.Get("protocolVersion")
			q.Del("protocolVersion")
			u.RawQuery = q.Encode()
		}
		ap.server = transport.Server{Protocol: proto, URL: u}
		// The document's server of that protocol gives version and
		// bindings.
		for _, s := range ap.doc.Servers {
			if s.Protocol == proto {
				chosen = s
				break
			}
		}
	default:
		for _, s := range ap.doc.Servers {
			if p.e.driverFor(s.Protocol) != nil {
				chosen = s
				break
			}
		}
		if chosen == nil {
			var have []string
			for _, s := range ap.doc.Servers {
				have = append(have, s.Name+" ("+s.Protocol+")")
			}
			return fail("no server of the description has a protocol with a transport (servers: %s; transports for: %s); give one with executor.WithServer(%q, URL) or --server %s=URL",
				strings.Join(have, ", "), strings.Join(p.e.protocols(), ", "), name, name)
		}
	}
	if chosen != nil {
		if ap.server.URL == nil {
			raw, err := chosen.URL(nil)
			if err != nil {
				return fail("server %q: %v", chosen.Name, err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				return fail("server %q: %v", chosen.Name, err)
			}
			ap.server = transport.Server{Protocol: chosen.Protocol, URL: u}
		}
		ap.server.ProtocolVersion = chosen.ProtocolVersion
		if b, ok := chosen.Bindings[ap.server.Protocol].(map[string]any); ok {
			ap.server.Bindings = b
		}
		ap.server.Credentials = p.e.credentials(chosen)
	}
	if version != "" {
		ap.server.ProtocolVersion = version
	}
	ap.driver = p.e.driverFor(ap.server.Protocol)
	if ap.driver == nil {
		return fail("no transport for protocol %q (executor.WithTransport; transports for: %s)", ap.server.Protocol, strings.Join(p.e.protocols(), ", "))
	}
	if tc := p.e.cfg.tlsConfigs[name]; tc != nil {
		ap.server.TLS = tc
	} else if tc := p.e.cfg.tlsConfigs[""]; tc != nil {
		ap.server.TLS = tc
	}
	ap.addr = ap.server.URL.Redacted()
	return ap
}

// credentials are the credentials WithAuth gives for the first security
// requirement of the server that has them all: user:password for
// userPassword and the SASL schemes (plain, scramSha256, scramSha512).
func (e *Engine) credentials(s *asyncapi.Server) transport.Credentials {
	for _, req := range s.Security {
		var c transport.Credentials
		ok := len(req.Schemes) > 0
		for _, sch := range req.Schemes {
			v, has := e.cfg.auth[sch.Name]
			if !has {
				ok = false
				break
			}
			user, pass, _ := strings.Cut(v, ":")
			c.Username, c.Password = user, pass
			switch sch.Type {
			case "plain":
				c.Mechanism = "plain"
			case "scramSha256":
				c.Mechanism = "scram-sha-256"
			case "scramSha512":
				c.Mechanism = "scram-sha-512"
			}
		}
		if ok {
			return c
		}
	}
	return transport.Credentials{}
}

func (e *Engine) driverFor(protocol string) transport.Driver {
	for _, d := range e.cfg.drivers {
		for _, p := range d.Protocols() {
			if p == protocol {
				return d
			}
		}
	}
	return nil
}

func (e *Engine) protocols() []string {
	var out []string
	for _, d := range e.cfg.drivers {
		out = append(out, d.Protocols()...)
	}
	if out == nil {
		return []string{"none"}
	}
	sort.Strings(out)
	return out
}

// message plans a message step.
func (p *planner) message(wp *wfPlan, sp *stepPlan) {
	s := sp.step
	src, op, ch, err := wp.doc.ResolveMessage(s)
	if err != nil {
		field := "operationId"
		if s.ChannelPath != "" {
			field = "channelPath"
		}
		p.errorf(s.ValueRange(field), CodePlanOperation, "step %q: %v", s.StepID, err)
		return
	}
	mp := &msgPlan{action: s.Action, op: op, channel: ch, messages: wp.doc.StepMessages(s)}
	sp.msg = mp
	mp.src = p.asyncSource(src, s)
	sp.label = s.Action + " " + channelName(ch)
	if r := wp.doc.ReplyOf(wp.wf, s); r != nil {
		// The reply rule (E10): a receive on an operation an earlier step
		// of the workflow sent on reads the operation's reply.
		mp.reply = true
		mp.channel = r.Channel
		mp.messages = r.Messages
		if mp.channel == nil {
			mp.replyLoc = r.AddressLocation
			for _, i := range wp.order[:wp.pos[sp.index]] {
				if prev := wp.steps[i]; prev.step.Action == arazzo.StepSend && prev.msg != nil && prev.msg.op == op {
					prev.msg.replyOf = sp
				}
			}
		}
		sp.label = s.Action + " " + channelName(mp.channel)
	}
	if mp.channel == nil && mp.replyLoc == nil {
		p.errorf(s.Range, CodePlanOperation, "step %q: the operation's channel does not resolve", s.StepID)
	}
	proto := mp.src.server.Protocol
	mp.bindings = map[string]any{}
	if mp.channel != nil {
		if b, ok := mp.channel.Bindings[proto].(map[string]any); ok {
			maps.Copy(mp.bindings, b)
		}
	}
	if op != nil {
		if b, ok := op.Bindings[proto].(map[string]any); ok {
			maps.Copy(mp.bindings, b)
		}
	}
	if len(mp.messages) > 0 {
		if b, ok := mp.messages[0].Bindings[proto].(map[string]any); ok {
			mp.msgBindings = b
		}
	}
	if s.CorrelationID != nil {
		mp.correlation = p.value(wp, s.CorrelationID, s.ValueRange("correlationId"), "correlationId")
	}
	if mp.action == arazzo.StepReceive {
		mp.timeout = p.e.cfg.receiveTimeout
	}
	if sp.timeout > 0 {
		mp.timeout = sp.timeout
	}
	if s.RequestBody != nil && mp.action == arazzo.StepSend {
		sp.body = p.messageBody(sp, s.RequestBody, mp)
	}
}

// messageBody plans the payload of a send step: the request body's content
// type, else the message's (E: contentType overrides the message's).
func (p *planner) messageBody(sp *stepPlan, b *arazzo.RequestBody, mp *msgPlan) *bodyPlan {
	ct := b.ContentType
	if ct == "" && len(mp.messages) > 0 {
		ct = mp.messages[0].ContentType
	}
	if ct == "" {
		ct = "application/json"
	}
	rb := *b
	rb.ContentType = ct
	return p.bodyWith(sp, &rb)
}

func channelName(ch *asyncapi.Channel) string {
	switch {
	case ch == nil:
		return "(reply address)"
	case ch.Address != "":
		return ch.Address
	}
	return ch.Key
}

// message is a message as expressions read it ($message, E33).
type message struct {
	headers map[string]string
	payload any
	has     bool
}

// armed is a receive step's subscription, armed as early as its channel's
// address is known.
type armed struct {
	sub     transport.Subscription
	address string
	err     error
}

// arm subscribes, for every receive step of f's workflow not armed yet,
// to its channel as soon as its address can be computed (at the start of
// the workflow for a fixed address; after the step that computes a
// parameter otherwise), so that a message published before the step is
// reached is not lost.
func (rs *runState) arm(ctx context.Context, f *frame) {
	for _, sp := range f.plan.steps {
		mp := sp.msg
		if mp == nil || mp.action != arazzo.StepReceive || mp.channel == nil || rs.armed[sp] != nil {
			continue
		}
		addr, ok := rs.address(ctx, f.run, sp, true)
		if !ok {
			continue
		}
		rs.subscribe(ctx, sp, addr)
	}
}

// subscribe arms sp's subscription on addr.
func (rs *runState) subscribe(ctx context.Context, sp *stepPlan, addr string) *armed {
	if rs.armed == nil {
		rs.armed = map[*stepPlan]*armed{}
	}
	a := &armed{address: addr}
	rs.armed[sp] = a
	conn, err := sp.msg.src.connect(ctx, rs.e)
	if err != nil {
		a.err = err
		return a
	}
	a.sub, a.err = conn.Subscribe(ctx, transport.Channel{Address: addr, Bindings: sp.msg.bindings}, transport.SubscribeOptions{})
	return a
}

// disarm closes the run's subscriptions.
func (rs *runState) disarm() {
	for _, a := range rs.armed {
		if a.sub != nil {
			a.sub.Close()
		}
	}
}

// address computes a step's channel address from its channel parameters
// (in: channel, or path, E19) and the parameters' defaults. quiet: an
// address that cannot be computed yet is not an error.
func (rs *runState) address(ctx context.Context, wr *wfRun, sp *stepPlan, quiet bool) (string, bool) {
	addr, err := rs.addressErr(ctx, wr, sp)
	return addr, err == nil
}

func (rs *runState) addressErr(ctx context.Context, wr *wfRun, sp *stepPlan) (string, error) {
	ev := rs.scope(wr, sp, nil)
	params := map[string]string{}
	for _, p := range sp.params {
		if p.in != "channel" && p.in != "path" {
			continue
		}
		v, ok, err := rs.evalValue(ctx, p.value, ev)
		if err != nil {
			return "", err
		}
		if ok {
			params[p.name] = expr.Stringify(v)
		}
	}
	return sp.msg.channel.ResolveAddress(params)
}

// sendMessage runs one attempt of a send step.
func (rs *runState) sendMessage(ctx context.Context, wr *wfRun, sp *stepPlan, sr *StepResult, at *attempt) error {
	mp := sp.msg
	ev := rs.scope(wr, sp, at)
	fail := func(code string, err error) error {
		at.err = &attemptError{code: code, err: err}
		sr.Error = rs.mask.apply(err.Error())
		return nil
	}
	conn, err := mp.src.connect(ctx, rs.e)
	if err != nil {
		return fail(CodeTransport, err)
	}
	addr, err := rs.addressErr(ctx, wr, sp)
	if err != nil {
		return rs.buildErr(wr, sp, sr, fmt.Errorf("channel address: %w", err))
	}
	headers := map[string]string{}
	for _, p := range sp.params {
		if p.in != "header" {
			continue
		}
		v, ok, err := rs.evalValue(ctx, p.value, ev)
		if err != nil {
			return rs.buildErr(wr, sp, sr, fmt.Errorf("parameter %q: %w", p.name, err))
		}
		if ok {
			headers[p.name] = expr.Stringify(v)
		}
	}
	m := &transport.Message{Channel: transport.Channel{Address: addr, Bindings: mp.bindings}, Headers: headers, Bindings: mp.msgBindings}
	at.msg = &message{headers: headers}
	if sp.body != nil {
		pb, err := rs.buildBody(ctx, ev, sp)
		if err != nil {
			return rs.buildErr(wr, sp, sr, err)
		}
		if pb.present {
			m.Payload, m.ContentType = pb.bytes, pb.contentType
			at.msg.payload, at.msg.has = pb.value, true
		}
	}
	if mp.replyOf != nil && mp.replyOf.msg.replyLoc != nil {
		// The reply's address travels in the request (AsyncAPI 3.0
		// reply address.location): make one and listen on it first.
		if err := rs.replyAddress(ctx, mp.replyOf, m, at.msg); err != nil {
			return fail(CodeTransport, err)
		}
	}
	trace := &MessageTrace{Attempt: sr.Attempts, Direction: arazzo.StepSend, Channel: addr, Headers: rs.mask.stringMap(headers), ContentType: m.ContentType}
	rs.traceMessage(trace, m.Payload, m.ContentType)
	sr.Messages = append(sr.Messages, trace)
	sr.Channel = addr
	rs.checkMessage(sp, sr, at.msg, m.ContentType, "sent")
	if sr.contractFailed(CheckMessagePayload, CheckMessageHeaders) {
		trace.Error = "not sent: the message breaks the AsyncAPI message's contract"
		return fail(CodeRequest, errors.New(trace.Error))
	}
	start := time.Now()
	pctx, span := rs.tel.startMessage(ctx, sp, addr)
	rc, err := conn.Publish(pctx, m)
	rs.tel.endMessage(span, sendCode(ctx, err))
	trace.Duration = time.Since(start)
	if err != nil {
		trace.Error = rs.mask.apply(err.Error())
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fail(CodeTransport, fmt.Errorf("send on %s: %w", addr, err))
	}
	if rc != nil {
		trace.Partition, trace.Offset, trace.ID = rc.Partition, rc.Offset, rc.ID
	}
	rs.emit(Event{Kind: MessageSent, WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Depth: wr.depth, Message: trace})
	return nil
}

// replyAddress makes a reply address, writes it where the request carries
// it (a header) unless the step set it, and arms the receive step on it.
func (rs *runState) replyAddress(ctx context.Context, recv *stepPlan, m *transport.Message, msg *message) error {
	loc := recv.msg.replyLoc
	if loc.Source != asyncapi.SourceHeader || len(loc.Path) != 1 {
		return fmt.Errorf("the reply address location %s is not a header: give the address in the request", loc)
	}
	name := loc.Path[0]
	addr := m.Headers[name]
	if addr == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		addr = "telaio.reply." + hex.EncodeToString(b[:])
		m.Headers[name] = addr
		msg.headers[name] = addr
	}
	if old := rs.armed[recv]; old != nil && old.sub != nil {
		old.sub.Close()
	}
	a := rs.subscribe(ctx, recv, addr)
	return a.err
}

// receiveMessage runs one attempt of a receive step: the first message on
// its armed subscription whose correlation value matches the step's
// correlationId (E11, E13), within the step's timeout (E12).
func (rs *runState) receiveMessage(ctx context.Context, wr *wfRun, sp *stepPlan, sr *StepResult, at *attempt) error {
	mp := sp.msg
	ev := rs.scope(wr, sp, at)
	fail := func(code string, err error) error {
		at.err = &attemptError{code: code, err: err}
		sr.Error = rs.mask.apply(err.Error())
		return nil
	}
	a := rs.armed[sp]
	if a == nil {
		if mp.channel == nil {
			return fail(CodeRequest, errors.New("the reply address is not known: no step sent the request"))
		}
		addr, err := rs.addressErr(ctx, wr, sp)
		if err != nil {
			return rs.buildErr(wr, sp, sr, fmt.Errorf("channel address: %w", err))
		}
		a = rs.subscribe(ctx, sp, addr)
	}
	if a.err != nil {
		return fail(CodeTransport, fmt.Errorf("subscribe to %s: %w", a.address, a.err))
	}
	sr.Channel = a.address
	want, hasWant := "", false
	if mp.correlation != nil {
		v, ok, err := rs.evalValue(ctx, mp.correlation, ev)
		if err != nil {
			return rs.buildErr(wr, sp, sr, fmt.Errorf("correlationId: %w", err))
		}
		if ok {
			want, hasWant = expr.Stringify(v), true
		}
	}
	wctx, cancel := context.WithTimeout(ctx, mp.timeout)
	defer cancel()
	start := time.Now()
	_, span := rs.tel.startMessage(ctx, sp, a.address)
	defer rs.tel.endReceive(span, at)
	skipped := 0
	for {
		d, err := a.sub.Next(wctx)
		if err != nil {
			if ctx.Err() != nil && context.Cause(ctx) != errStepTimeout {
				return ctx.Err() // the run ended
			}
			trace := &MessageTrace{Attempt: sr.Attempts, Direction: arazzo.StepReceive, Channel: a.address, Duration: time.Since(start), Skipped: skipped}
			sr.Messages = append(sr.Messages, trace)
			if wctx.Err() != nil {
				what := "a message"
				if hasWant {
					what = fmt.Sprintf("a message whose correlation value is %q", want)
				}
				// A receive waits its step's timeout (planned into
				// mp.timeout); only a workflow step's timeout, bounding the
				// workflow that holds it, can cut it shorter (E12).
				within := mp.timeout.String()
				if sp.timeout == 0 && context.Cause(ctx) == errStepTimeout {
					within = "the time the calling workflow step's timeout left"
				}
				trace.Error = fmt.Sprintf("no %s on %s within %s (%d other messages skipped)", strings.TrimPrefix(what, "a "), a.address, within, skipped)
				return fail(CodeTimeout, fmt.Errorf("no %s on %s within %s (E12; %d other messages skipped)", strings.TrimPrefix(what, "a "), a.address, within, skipped))
			}
			trace.Error = rs.mask.apply(err.Error())
			return fail(CodeTransport, fmt.Errorf("receive on %s: %w", a.address, err))
		}
		msg := decodeMessage(d)
		if hasWant && !correlates(mp.messages, msg, want) {
			skipped++
			continue
		}
		at.msg = msg
		trace := &MessageTrace{Attempt: sr.Attempts, Direction: arazzo.StepReceive, Channel: d.Channel.Address, Headers: rs.mask.stringMap(d.Headers),
			ContentType: d.ContentType, Partition: d.Partition, Offset: d.Offset, ID: d.ID, Duration: time.Since(start), Skipped: skipped}
		if trace.Channel == "" {
			trace.Channel = a.address
		}
		rs.traceMessage(trace, d.Payload, d.ContentType)
		sr.Messages = append(sr.Messages, trace)
		rs.emit(Event{Kind: MessageReceived, WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Depth: wr.depth, Message: trace})
		rs.checkMessage(sp, sr, msg, d.ContentType, "received")
		return nil
	}
}

// decodeMessage is a delivery as $message reads it: headers as they are,
// the payload decoded when it is JSON, else its text.
func decodeMessage(d *transport.Delivery) *message {
	m := &message{headers: d.Headers}
	if len(d.Payload) == 0 {
		return m
	}
	m.has = true
	if kindOf(d.ContentType) == bodyJSON || d.ContentType == "" {
		if v, err := jsonval.Decode(d.Payload); err == nil {
			m.payload = v
			return m
		}
	}
	m.payload = string(d.Payload)
	return m
}

// correlates reports whether msg's correlation value (at the
// correlationId.location of one of the step's messages) equals want,
// compared as strings (E11).
func correlates(candidates []*asyncapi.Message, msg *message, want string) bool {
	for _, c := range candidates {
		if c.CorrelationID == nil || c.CorrelationID.Location == nil {
			continue
		}
		if v, ok := c.CorrelationID.Location.Eval(msg.headers, msg.payload); ok && expr.Stringify(v) == want {
			return true
		}
	}
	return false
}

// buildErr fails the run: the message or its address cannot be built.
func (rs *runState) buildErr(wr *wfRun, sp *stepPlan, sr *StepResult, err error) error {
	return &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: codeOf(err, CodeRequest), Err: err}
}

// Message contract checks: a sent or received message against the
// AsyncAPI message's payload and headers schemas.
const (
	CheckMessagePayload = "message-payload"
	CheckMessageHeaders = "message-headers"
)

// checkMessage checks msg against the step's messages: it passes when one
// of them accepts it; otherwise the first message's violations are
// reported. A received message breaking the contract fails the step by
// default, a sent one warns (as responses and requests do).
func (rs *runState) checkMessage(sp *stepPlan, sr *StepResult, msg *message, contentType, dir string) {
	mp := sp.msg
	var first []Violation
	for i, m := range mp.messages {
		var vs []Violation
		if m.PayloadPointer != "" && msg.has && (m.SchemaFormat == "" || asyncapi.IsJSONSchemaFormat(m.SchemaFormat)) && kindOf(contentType) == bodyJSON || m.PayloadPointer != "" && msg.has && contentType == "" {
			if s, err := mp.src.schema(m.PayloadPointer); err == nil {
				vs = append(vs, rs.violations(CheckMessagePayload, dir, "payload", s, msg.payload, sr.Attempts)...)
			}
		}
		if m.HeadersPointer != "" && (m.HeadersSchemaFormat == "" || asyncapi.IsJSONSchemaFormat(m.HeadersSchemaFormat)) {
			if s, err := mp.src.schema(m.HeadersPointer); err == nil {
				// Headers are text: valid as they are, or with the ones
				// holding a number or a boolean read as such (a header
				// schema of type integer accepts "42", one of type string
				// keeps "1"); else the text's violations are reported.
				vs = append(vs, rs.violations(CheckMessageHeaders, dir, "headers", s, headerValues(s, msg.headers), sr.Attempts)...)
			}
		}
		if len(vs) == 0 {
			return
		}
		if i == 0 {
			first = vs
		}
	}
	sr.Violations = append(sr.Violations, first...)
}

// headerValues are a message's headers as their schema s reads them:
// header values are text, and a header whose property does not accept a
// string (type integer, number or boolean) is read as the JSON value its
// text holds, so that "42" is an integer there while a string header keeps
// "1".
func headerValues(s *schema.Schema, headers map[string]string) map[string]any {
	props := s.Properties()
	out := make(map[string]any, len(headers))
	for k, v := range headers {
		out[k] = v
		if p := props[k]; p != nil {
			if ts := p.Types(); len(ts) > 0 && !slices.Contains(ts, "string") {
				out[k] = headerValue(v)
			}
		}
	}
	return out
}

// headerValue reads a header's text as the JSON value it holds when it is
// one (a number, a boolean), so that a header schema of type integer
// accepts "42".
func headerValue(s string) any {
	if s == "" || !strings.ContainsRune("-0123456789tf", rune(s[0])) {
		return s
	}
	if v, err := jsonval.DecodeString(s); err == nil {
		switch v.(type) {
		case float64, bool:
			return v
		}
	}
	return s
}

// violations validates v against s for a message check.
func (rs *runState) violations(check, dir, in string, s *schema.Schema, v any, attempt int) []Violation {
	sev := rs.e.severity(check)
	if dir == "sent" {
		sev = rs.e.sentSeverity(check)
	}
	if sev == SeverityOff {
		return nil
	}
	err := s.Validate(v)
	if err == nil {
		return nil
	}
	var ve *schema.ValidationError
	if !errors.As(err, &ve) {
		return []Violation{{Check: check, Severity: sev, Attempt: attempt, In: in, Message: rs.mask.apply(err.Error())}}
	}
	var out []Violation
	for _, x := range ve.Violations {
		out = append(out, Violation{Check: check, Severity: sev, Attempt: attempt, In: in, InstancePath: x.InstancePath, SchemaPath: x.SchemaPath, Message: rs.mask.apply(x.Message)})
	}
	return out
}

// contractFailed reports whether a violation of severity error of the
// given checks was found in the last attempt.
func (sr *StepResult) contractFailed(checks ...string) bool {
	for _, v := range sr.Violations {
		if v.Severity != SeverityError || v.Attempt != sr.Attempts {
			continue
		}
		for _, c := range checks {
			if v.Check == c {
				return true
			}
		}
	}
	return false
}

// traceMessage records a message's payload in the trace, bounded and
// masked like a body.
func (rs *runState) traceMessage(t *MessageTrace, payload []byte, contentType string) {
	if len(payload) == 0 {
		return
	}
	r := &Response{}
	rs.traceResponseBody(r, payload, contentType, kindOf(contentType) == bodyJSON || contentType == "" && json.Valid(payload))
	t.Payload, t.PayloadSize, t.PayloadSHA256, t.PayloadNote = r.Body, len(payload), r.BodySHA256, r.BodyNote
}

// unknownName is the error text for a name that is not one of names.
func unknownName(what, name string, names []string) string {
	return suggest.Unknown(what, name, names)
}

// executeMessage runs one attempt of a message step and its success
// criteria: without criteria, a send succeeds once the broker has the
// message, a receive once its correlated message arrived (E13: the first
// correlated message decides). ctx bounds the attempt, runCtx the run.
func (rs *runState) executeMessage(ctx, runCtx context.Context, wr *wfRun, sp *stepPlan, sr *StepResult, at *attempt) error {
	sr.Direction = sp.msg.action
	sr.Error = ""
	var err error
	if sp.msg.action == arazzo.StepSend {
		err = rs.sendMessage(ctx, wr, sp, sr, at)
	} else {
		err = rs.receiveMessage(ctx, wr, sp, sr, at)
	}
	if err != nil {
		if cerr := runCtx.Err(); cerr != nil {
			return &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: ctxCode(cerr), Err: cerr}
		}
		var se *StepError
		if errors.As(err, &se) {
			return err
		}
		if context.Cause(ctx) == errStepTimeout {
			at.err = &attemptError{code: CodeTimeout, err: fmt.Errorf("the step's timeout of %v was reached (E12)", sp.timeout)}
			sr.Error = at.err.Error()
			return nil
		}
		return err
	}
	if at.err != nil {
		return nil
	}
	ok, err := rs.criteria(ctx, wr, sp, sr, at)
	if err != nil {
		if cerr := runCtx.Err(); cerr != nil {
			return &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: ctxCode(cerr), Err: cerr}
		}
		at.err = &attemptError{code: CodeTimeout, err: fmt.Errorf("the step's timeout of %v was reached (E12)", sp.timeout)}
		sr.Error = at.err.Error()
		return nil
	}
	at.success = ok
	if sp.msg.action == arazzo.StepReceive && sr.contractFailed(CheckMessagePayload, CheckMessageHeaders) {
		at.success = false
		sr.Error = "the message breaks the AsyncAPI message's contract: " + firstViolation(sr)
	}
	return nil
}
