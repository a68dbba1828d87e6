package asyncmock

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"golang.org/x/time/rate"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/mock"
	"github.com/telaio/telaio/schema"
)

// HeaderReplyTo is the pseudo-header under which a request's NATS reply
// subject is seen by runtime expressions ($message.header#/reply_to), as
// the transport/nats driver shows it.
const HeaderReplyTo = "reply_to"

// responder answers the requests of one operation. It is built once by
// Start and then only read; handle runs on the client library's delivery
// goroutine of its subscription, one request at a time.
type responder struct {
	doc     *asyncapi.Document
	op      *asyncapi.Operation
	name    string // for logs: the operation id, else its pointer
	pattern subjectPattern
	reqs    []*reqMessage
	reply   *replyMessage
	// replyAt, when not nil, is where a request carries the reply address;
	// replyChan, when not nil, is the reply channel (its address is used
	// when the request carries none).
	replyAt   *asyncapi.Location
	replyChan *asyncapi.Channel
	seed      int64
	maxBytes  int
	cfg       *config
	logw      *lineWriter

	nc      *natsgo.Conn
	limiter *rate.Limiter
	ctx     context.Context // cancelled by Close
}

// reqMessage is one message the operation may receive.
type reqMessage struct {
	m       *asyncapi.Message
	payload *schema.Schema // nil: not checked
	headers *schema.Schema // nil: not checked
	json    bool           // the payload is decoded as JSON
	// corrIn is where the request carries the correlation value, corrOut
	// where the reply carries it (nil: no correlation).
	corrIn, corrOut *asyncapi.Location
}

// replyMessage is the message replies are built from.
type replyMessage struct {
	m       *asyncapi.Message
	payload *mock.Synthesizer // nil: no payload schema (an empty payload)
	headers *mock.Synthesizer // nil: no headers schema
	json    bool
}

// newResponder prepares the responder of op. route.Err says why op cannot be
// answered.
func newResponder(d *asyncapi.Document, op *asyncapi.Operation, cfg *config, logw *lineWriter) (*responder, Route) {
	r := &responder{doc: d, op: op, name: op.ID, seed: cfg.seed, cfg: cfg, logw: logw, maxBytes: cfg.limits.MaxMessageBytes}
	if r.name == "" {
		r.name = op.Pointer
	}
	route := Route{Document: d.URL, Operation: r.name}
	fail := func(format string, args ...any) (*responder, Route) {
		route.Err = fmt.Errorf("%w: "+format, append([]any{ErrNotServed}, args...)...)
		return nil, route
	}
	if op.Channel == nil {
		return fail("the operation has no channel")
	}
	var err error
	if r.pattern, err = compileSubject(op.Channel.Address); err != nil {
		route.Err = err
		return nil, route
	}
	route.Subject = r.pattern.subject

	rep := op.Reply
	if d.Major < 3 {
		if rep, err = reply2(d, op); err != nil {
			route.Err = err
			return nil, route
		}
		r.replyAt = replySubjectLocation
	} else {
		r.replyAt = rep.AddressLocation
	}
	r.replyChan = rep.Channel
	var at []string
	if r.replyAt != nil {
		at = append(at, r.replyAt.String())
	}
	if r.replyChan != nil && r.replyChan.Address != "" {
		at = append(at, r.replyChan.Address)
	}
	if len(at) == 0 {
		return fail("the reply has neither an address location nor a channel with an address")
	}
	route.Reply = strings.Join(at, ", ")

	r.reply = &replyMessage{}
	var replyCorr *asyncapi.Location
	if len(rep.Messages) > 0 {
		m := rep.Messages[0]
		r.reply.m = m
		r.reply.json = isJSON(m.ContentType)
		if m.PayloadPointer != "" {
			if !asyncapi.IsJSONSchemaFormat(m.SchemaFormat) {
				return fail("reply message %q: schemaFormat %q is not JSON Schema", m.ID, m.SchemaFormat)
			}
			if r.reply.payload, err = mock.NewSynthesizer(d.Raw, m.PayloadPointer); err != nil {
				return fail("reply message %q payload: %w", m.ID, err)
			}
		}
		if m.HeadersPointer != "" {
			if !asyncapi.IsJSONSchemaFormat(m.HeadersSchemaFormat) {
				return fail("reply message %q: headers schemaFormat %q is not JSON Schema", m.ID, m.HeadersSchemaFormat)
			}
			if r.reply.headers, err = mock.NewSynthesizer(d.Raw, m.HeadersPointer); err != nil {
				return fail("reply message %q headers: %w", m.ID, err)
			}
		}
		if m.CorrelationID != nil {
			replyCorr = m.CorrelationID.Location
		}
	} else {
		r.reply.json = true
	}

	msgs := op.Messages
	if len(msgs) == 0 {
		msgs = []*asyncapi.Message{nil} // any message: nothing checked
	}
	for _, m := range msgs {
		q := &reqMessage{m: m, json: true, corrOut: replyCorr}
		if m != nil {
			q.json = isJSON(m.ContentType)
			if m.PayloadPointer != "" && asyncapi.IsJSONSchemaFormat(m.SchemaFormat) {
				if q.payload, err = schema.Compile(d.Raw, m.PayloadPointer); err != nil {
					return fail("request message %q payload: %w", m.ID, err)
				}
			}
			if m.HeadersPointer != "" && asyncapi.IsJSONSchemaFormat(m.HeadersSchemaFormat) {
				if q.headers, err = schema.Compile(d.Raw, m.HeadersPointer); err != nil {
					return fail("request message %q headers: %w", m.ID, err)
				}
			}
			if m.CorrelationID != nil {
				q.corrIn = m.CorrelationID.Location
			}
		}
		if q.corrIn == nil {
			q.corrIn = replyCorr
		}
		if q.corrOut == nil {
			q.corrOut = q.corrIn
		}
		if q.corrIn != nil && q.corrIn.Source == asyncapi.SourceHeader && len(q.corrIn.Path) == 0 {
			return fail("correlationId location %s names no header", q.corrIn)
		}
		if out := q.corrOut; out != nil && out.Source == asyncapi.SourceHeader && len(out.Path) != 1 {
			return fail("correlationId location %s: a reply header location must name one header", out)
		}
		r.reqs = append(r.reqs, q)
	}
	return r, route
}

func isJSON(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// request is a received request, decoded.
type request struct {
	subject string
	params  map[string]string
	headers map[string]string // first values, plus reply_to
	payload any
	data    []byte
}

// dropError is why a request is not answered.
type dropError struct{ msg string }

func (e *dropError) Error() string { return e.msg }

func drop(format string, args ...any) error { return &dropError{fmt.Sprintf(format, args...)} }

// handle answers one request, or logs why it does not.
func (r *responder) handle(m *natsgo.Msg) {
	start := time.Now()
	r.logw.printf("RECV %s %s %dB", m.Subject, r.name, len(m.Data)+headerBytes(m.Header))
	if err := r.limiter.Wait(r.ctx); err != nil {
		return // closing
	}
	out, err := r.prepare(m)
	n := 0
	if err == nil {
		n = len(out.Data) + headerBytes(out.Header)
		if n > r.maxBytes {
			err = drop("the reply (%d bytes) is larger than the message limit (%d)", n, r.maxBytes)
		} else if perr := r.nc.PublishMsg(out); perr != nil {
			err = drop("publishing the reply: %v", perr)
		}
	}
	if err != nil {
		r.logw.printf("DROP %s %s: %v", m.Subject, r.name, err)
		r.cfg.log.Warn("asyncmock: request not answered", "operation", r.name, "subject", m.Subject, "reason", err.Error())
		return
	}
	d := time.Since(start)
	r.logw.printf("SEND %s %s %dB %s", out.Subject, r.name, n, d.Round(time.Microsecond))
	r.cfg.log.Debug("asyncmock: reply sent", "operation", r.name, "request", m.Subject, "reply", out.Subject, "bytes", n, "duration", d)
}

// prepare checks one request and builds its reply (subject, headers,
// payload). The error is a *dropError saying why the request is not
// answered.
func (r *responder) prepare(m *natsgo.Msg) (*natsgo.Msg, error) {
	req := &request{subject: m.Subject, data: m.Data}
	var ok bool
	if req.params, ok = r.pattern.params(m.Subject); !ok {
		return nil, drop("the subject does not match the channel address %q", r.op.Channel.Address)
	}
	for name, v := range req.params {
		if p := r.op.Channel.Parameter(name); p != nil && len(p.Enum) > 0 && !slices.Contains(p.Enum, v) {
			return nil, drop("channel parameter %s: not one of the allowed values", name)
		}
	}
	if len(m.Header) > 0 || m.Reply != "" {
		req.headers = make(map[string]string, len(m.Header)+1)
		for k, vs := range m.Header {
			if len(vs) > 0 {
				req.headers[k] = vs[0]
			}
		}
		if m.Reply != "" {
			req.headers[HeaderReplyTo] = m.Reply
		}
	}

	q, err := r.match(req)
	if err != nil {
		return nil, err
	}
	var corr any
	if q.corrIn != nil {
		v, ok := q.corrIn.Eval(req.headers, req.payload)
		if !ok || v == nil {
			return nil, drop("no correlation value at %s", q.corrIn)
		}
		corr = v
	}
	to, err := r.replySubject(req)
	if err != nil {
		return nil, err
	}
	out, err := r.build(q, req, corr)
	if err != nil {
		return nil, err
	}
	out.Subject = to
	return out, nil
}

// match decodes the request's payload and picks the first of the
// operation's messages it is valid against.
func (r *responder) match(req *request) (*reqMessage, error) {
	var first error
	for _, q := range r.reqs {
		err := r.check(q, req)
		if err == nil {
			return q, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// check decodes req's payload as q says and validates it and its headers.
func (r *responder) check(q *reqMessage, req *request) error {
	name := "request"
	if q.m != nil && q.m.ID != "" {
		name = "message " + q.m.ID
	}
	switch {
	case len(req.data) == 0:
		req.payload = nil
	case q.json:
		v, err := decodeJSON(req.data)
		if err != nil {
			return drop("%s: the payload is not JSON: %v", name, err)
		}
		req.payload = v
	default:
		req.payload = string(req.data)
	}
	if q.payload != nil {
		if err := q.payload.Validate(req.payload); err != nil {
			return drop("%s: payload: %s", name, firstViolation(err))
		}
	}
	if q.headers != nil {
		if err := q.headers.Validate(typedHeaders(q.headers, req.headers)); err != nil {
			return drop("%s: headers: %s", name, firstViolation(err))
		}
	}
	return nil
}

func firstViolation(err error) string {
	var ve *schema.ValidationError
	if errors.As(err, &ve) && len(ve.Violations) > 0 {
		v := ve.Violations[0]
		p := v.InstancePath
		if p == "" {
			p = "/"
		}
		return p + ": " + v.Message
	}
	return err.Error()
}

// replySubject says where the reply goes: the reply address location read
// on the request, else the reply channel's address with the request's
// parameters (and the reply channel's defaults).
func (r *responder) replySubject(req *request) (string, error) {
	if r.replyAt != nil {
		v, ok := r.replyAt.Eval(req.headers, req.payload)
		if s, isStr := v.(string); ok && isStr && s != "" {
			if !validPublishSubject(s) {
				return "", drop("the reply address at %s is not a NATS subject", r.replyAt)
			}
			return s, nil
		}
		if r.replyChan == nil || r.replyChan.Address == "" {
			return "", drop("no reply address at %s", r.replyAt)
		}
	}
	s, err := r.replyChan.ResolveAddress(req.params)
	if err != nil {
		return "", drop("reply channel address: %v", err)
	}
	if !validPublishSubject(s) {
		return "", drop("the reply channel address %q is not a NATS subject", s)
	}
	return s, nil
}

// build synthesizes the reply and puts the correlation value in it.
func (r *responder) build(q *reqMessage, req *request, corr any) (*natsgo.Msg, error) {
	seed := r.requestSeed(corr, req.data)
	rep := r.reply
	var payload, headers any
	var err error
	if rep.payload != nil {
		if payload, err = rep.payload.Value(seed); err != nil {
			if !errors.Is(err, mock.ErrNotValid) {
				return nil, drop("synthesizing the reply payload: %v", err)
			}
			r.cfg.log.Warn("asyncmock: the synthesized reply payload does not validate; sending it anyway", "operation", r.name, "error", err)
		}
	}
	if rep.headers != nil {
		if headers, err = rep.headers.Value(seed ^ 0x68656164); err != nil {
			if !errors.Is(err, mock.ErrNotValid) {
				return nil, drop("synthesizing the reply headers: %v", err)
			}
			r.cfg.log.Warn("asyncmock: the synthesized reply headers do not validate; sending them anyway", "operation", r.name, "error", err)
		}
	}
	hdrs, _ := headers.(map[string]any)
	if hdrs == nil {
		hdrs = map[string]any{}
	}
	if q.corrOut != nil {
		if q.corrOut.Source == asyncapi.SourceHeader {
			hdrs = r.placeHeader(hdrs, q.corrOut.Path[0], corr)
		} else if payload, err = r.placePayload(payload, q.corrOut, corr); err != nil {
			return nil, err
		}
	}
	out := &natsgo.Msg{}
	if len(hdrs) > 0 {
		out.Header = make(natsgo.Header, len(hdrs))
		for k, v := range hdrs {
			out.Header[k] = []string{headerText(v)}
		}
	}
	switch s, isStr := payload.(string); {
	case rep.payload == nil && payload == nil:
	case isStr && !rep.json:
		out.Data = []byte(s)
	default:
		if out.Data, err = encodeJSON(payload); err != nil {
			return nil, drop("encoding the reply payload: %v", err)
		}
	}
	return out, nil
}

// requestSeed derives a reply's seed from the broker's seed, the operation
// and the correlation value (else the request's payload): the same request
// always gets the same reply, and requests with other correlation values
// other replies.
func (r *responder) requestSeed(corr any, data []byte) int64 {
	h := fnv.New64a()
	h.Write([]byte(r.doc.URL))
	h.Write([]byte{0})
	h.Write([]byte(r.name))
	h.Write([]byte{0})
	if corr != nil {
		h.Write([]byte(headerText(corr)))
	} else {
		h.Write(data)
	}
	return r.seed ^ int64(h.Sum64()&math.MaxInt64)
}

// corrCandidates lists the forms a correlation value may take in the reply:
// as it is, then as text, or as the number or boolean its text spells.
func corrCandidates(v any) []any {
	switch x := v.(type) {
	case string:
		if d, err := decodeJSON([]byte(x)); err == nil {
			switch d.(type) {
			case float64, bool:
				return []any{x, d}
			}
		}
		return []any{x}
	case float64, bool:
		return []any{v, headerText(v)}
	}
	return []any{v}
}

// placeHeader sets the correlation header, in the form the reply's headers
// schema accepts when one fits.
func (r *responder) placeHeader(hdrs map[string]any, name string, corr any) map[string]any {
	var sch *schema.Schema
	if r.reply.headers != nil {
		sch = r.reply.headers.Schema()
	}
	cands := corrCandidates(corr)
	for _, c := range cands {
		hdrs[name] = c
		if sch == nil || sch.Validate(hdrs) == nil {
			return hdrs
		}
	}
	hdrs[name] = cands[0]
	r.cfg.log.Warn("asyncmock: the reply headers with the correlation value do not validate; sending them anyway", "operation", r.name, "header", name)
	return hdrs
}

// placePayload puts the correlation value at a payload location, in the
// form the reply's payload schema accepts when one fits.
func (r *responder) placePayload(payload any, loc *asyncapi.Location, corr any) (any, error) {
	var sch *schema.Schema
	if r.reply.payload != nil {
		sch = r.reply.payload.Schema()
	}
	p := jsonptr.Pointer(loc.Path)
	cands := corrCandidates(corr)
	var first any
	for i, c := range cands {
		v, err := p.SetCreate(payload, c)
		if err != nil {
			return nil, drop("correlationId location %s: %v", loc, err)
		}
		if i == 0 {
			first = v
		}
		if sch == nil || sch.Validate(v) == nil {
			return v, nil
		}
	}
	r.cfg.log.Warn("asyncmock: the reply payload with the correlation value does not validate; sending it anyway", "operation", r.name, "location", loc.String())
	return first, nil
}

// typedHeaders gives header values the JSON type their schema property
// declares, when the text spells one (NATS headers are text): "3" for an
// integer header is 3. Other values stay text. The reply_to pseudo-header
// is left out unless the schema declares it.
func typedHeaders(sch *schema.Schema, hdrs map[string]string) map[string]any {
	props := sch.Properties()
	out := make(map[string]any, len(hdrs))
	for k, v := range hdrs {
		p, declared := props[k]
		if k == HeaderReplyTo && !declared {
			continue
		}
		out[k] = v
		if p == nil {
			continue
		}
		types := p.Types()
		if len(types) == 0 || slices.Contains(types, "string") {
			continue
		}
		if d, err := decodeJSON([]byte(v)); err == nil {
			out[k] = d
		}
	}
	return out
}

// headerText is a header value as text: strings as they are, other values
// as JSON.
func headerText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := encodeJSON(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func headerBytes(h natsgo.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return n
}
