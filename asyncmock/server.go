package asyncmock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"golang.org/x/time/rate"

	"github.com/telaio/telaio/asyncapi"
)

// Default limits; see Limits.
const (
	// DefaultMaxMessageBytes caps every message the broker carries, headers
	// included (the server's max_payload, which is also NATS's default).
	DefaultMaxMessageBytes = 1 << 20
	// DefaultRate is the number of requests answered per second, all
	// operations together.
	DefaultRate = 1000
	// DefaultBurst is the number of requests answered at once above
	// DefaultRate.
	DefaultBurst = 100
	// DefaultMaxPending is the number of requests one operation holds while
	// they wait to be answered.
	DefaultMaxPending = 1024
	// DefaultMaxPendingBytes is the number of bytes of the requests one
	// operation holds while they wait to be answered.
	DefaultMaxPendingBytes = 64 << 20
	// DefaultStartTimeout bounds Start when its context has no deadline.
	DefaultStartTimeout = 10 * time.Second
)

// Errors, for errors.Is.
var (
	// ErrStart: the embedded NATS server or the responder's connection did
	// not start.
	ErrStart = errors.New("asyncmock: the broker did not start")
	// ErrNotServed is wrapped by Route.Err: the operation is not answered.
	ErrNotServed = errors.New("asyncmock: operation not answered")
)

// Limits bound what clients of the broker can make it spend. A zero field
// means its default.
type Limits struct {
	// MaxMessageBytes caps every message published to the broker, payload
	// and headers (DefaultMaxMessageBytes). The server refuses larger ones,
	// and a reply that would be larger is not sent.
	MaxMessageBytes int
	// Rate is the number of requests answered per second, all operations
	// together (DefaultRate), and Burst how many are answered at once above
	// it (DefaultBurst). Requests over the rate wait for their turn.
	Rate  float64
	Burst int
	// MaxPending and MaxPendingBytes bound the requests one operation holds
	// while they wait (DefaultMaxPending, DefaultMaxPendingBytes). Requests
	// beyond are dropped by the client library (a slow consumer), with a
	// warning.
	MaxPending      int
	MaxPendingBytes int
}

func (l Limits) withDefaults() Limits {
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = DefaultMaxMessageBytes
	}
	l.MaxMessageBytes = min(l.MaxMessageBytes, math.MaxInt32)
	if l.Rate <= 0 {
		l.Rate = DefaultRate
	}
	if l.Burst <= 0 {
		l.Burst = DefaultBurst
	}
	if l.MaxPending <= 0 {
		l.MaxPending = DefaultMaxPending
	}
	if l.MaxPendingBytes <= 0 {
		l.MaxPendingBytes = DefaultMaxPendingBytes
	}
	return l
}

type config struct {
	seed   int64
	log    *slog.Logger
	reqLog io.Writer
	port   int
	limits Limits
}

// Option configures Start.
type Option func(*config)

// WithSeed sets the seed synthesized replies derive from (default 0).
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithLogger sets the logger for warnings (an operation that is not
// answered, a request that is not answered and why, a reply that does not
// validate against its schema, a slow consumer) and one debug line per
// reply. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithRequestLog writes one line per request received and one per reply
// sent or request left unanswered (see the package documentation). `telaio
// mock` passes its standard error.
func WithRequestLog(w io.Writer) Option { return func(c *config) { c.reqLog = w } }

// WithPort makes the server listen on this port of 127.0.0.1 instead of a
// random free one (0).
func WithPort(port int) Option { return func(c *config) { c.port = port } }

// WithLimits sets the limits; zero fields keep their defaults.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// Route is an operation the broker answers, or would answer but for Err.
type Route struct {
	// Document is the URL of the AsyncAPI document, Operation the
	// operation's id (for a 2.x operation without operationId, its
	// pointer: "/channels/orders/publish").
	Document, Operation string
	// Subject is the NATS subject the responder subscribes to: the
	// operation's channel address, each {parameter} token a * wildcard.
	Subject string
	// Reply says where replies go: the reply address location
	// ("$message.header#/replyTo"), else the reply channel's address. For
	// a 2.x operation it starts with the NATS reply subject, which wins
	// when a request has one: "$message.header#/reply_to", then the
	// paired channel's address, if any ("$message.header#/reply_to,
	// confirm-order").
	Reply string
	// Err, when not nil, says why the operation is not answered; it wraps
	// ErrNotServed.
	Err error
}

// Server is an embedded NATS server with a responder for every operation
// that receives requests and declares a reply. Its methods are safe for
// concurrent use.
type Server struct {
	srv    *natsserver.Server
	nc     *natsgo.Conn
	url    string
	routes []Route

	cancel   context.CancelFunc
	ncClosed chan struct{}

	mu       sync.Mutex // guards closed and inflight.Add
	closed   bool
	inflight sync.WaitGroup
	once     sync.Once
}

// Start starts an embedded NATS server on 127.0.0.1 (a random port unless
// WithPort says) and answers, for every operation of docs whose action is
// receive and that declares a reply, each request with a synthesized reply
// (see the package documentation). ctx bounds the start only (or
// DefaultStartTimeout when it has no deadline); the broker runs until
// Close. An operation the broker cannot answer is not an error: its Route
// says why, and a warning is logged. The error wraps ErrStart.
func Start(ctx context.Context, docs []*asyncapi.Document, opts ...Option) (*Server, error) {
	cfg := config{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	cfg.limits = cfg.limits.withDefaults()
	if cfg.port < 0 || cfg.port > 65535 {
		return nil, fmt.Errorf("%w: port %d out of range", ErrStart, cfg.port)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultStartTimeout)
		defer cancel()
	}

	// Compile every responder first: nothing is started for a bad document.
	logw := &lineWriter{w: cfg.reqLog}
	var resps []*responder
	var routes []Route
	for _, d := range docs {
		if d == nil {
			continue
		}
		for _, op := range d.Operations() {
			if op.Action != asyncapi.ActionReceive || (op.Reply == nil && d.Major >= 3) {
				continue
			}
			r, route := newResponder(d, op, &cfg, logw)
			routes = append(routes, route)
			if route.Err != nil {
				cfg.log.Warn("asyncmock: operation not answered", "document", d.URL, "operation", op.ID, "error", route.Err)
				continue
			}
			resps = append(resps, r)
		}
	}

	port := cfg.port
	if port == 0 {
		port = -1 // nats-server: a random free port
	}
	srv, err := natsserver.NewServer(&natsserver.Options{
		ServerName: "telaio-asyncmock",
		Host:       "127.0.0.1",
		Port:       port,
		NoLog:      true,
		NoSigs:     true,
		MaxPayload: int32(cfg.limits.MaxMessageBytes),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	go srv.Start()
	wait := DefaultStartTimeout
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Until(dl)
	}
	if !srv.ReadyForConnections(wait) || ctx.Err() != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("%w: the NATS server was not ready (%v)", ErrStart, context.Cause(ctx))
	}

	runCtx, cancel := context.WithCancel(context.Background())
	b := &Server{srv: srv, url: srv.ClientURL(), routes: routes, cancel: cancel, ncClosed: make(chan struct{})}
	limiter := rate.NewLimiter(rate.Limit(cfg.limits.Rate), cfg.limits.Burst)
	nc, err := natsgo.Connect(b.url,
		natsgo.InProcessServer(srv),
		natsgo.Name("telaio-asyncmock"),
		natsgo.NoEcho(), // the responder never receives its own replies
		natsgo.NoReconnect(),
		natsgo.ClosedHandler(func(*natsgo.Conn) { close(b.ncClosed) }),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, s *natsgo.Subscription, err error) {
			subject := ""
			if s != nil {
				subject = s.Subject
			}
			cfg.log.Warn("asyncmock: requests dropped or connection error", "subject", subject, "error", err)
		}),
	)
	if err != nil {
		cancel()
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	b.nc = nc
	for _, r := range resps {
		r.nc, r.limiter, r.ctx = nc, limiter, runCtx
		sub, err := nc.Subscribe(r.pattern.subject, func(m *natsgo.Msg) {
			if !b.enter() {
				return
			}
			defer b.inflight.Done()
			r.handle(m)
		})
		if err == nil {
			err = sub.SetPendingLimits(cfg.limits.MaxPending, cfg.limits.MaxPendingBytes)
		}
		if err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("%w: subscribing to %q: %w", ErrStart, r.pattern.subject, err)
		}
	}
	// Once Start returns, the server has every subscription: a request
	// published afterwards is answered.
	if err := nc.FlushWithContext(ctx); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	return b, nil
}

// enter registers a request handler unless the broker is closing.
func (b *Server) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.inflight.Add(1)
	return true
}

// URL is the broker's client URL, nats://127.0.0.1:<port>.
func (b *Server) URL() string { return b.url }

// Routes lists the operations that receive requests and declare a reply
// (for 2.x documents, every publish operation), in document order (documents in the order given to Start), with Err set
// on those that are not answered.
func (b *Server) Routes() []Route { return append([]Route(nil), b.routes...) }

// closeWait bounds how long Close waits for the client library to report
// its connection closed.
const closeWait = 5 * time.Second

// Close stops the responders and the server. It returns once no request
// is being handled and the server has shut down. Close is idempotent.
func (b *Server) Close() error {
	b.once.Do(func() {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		b.cancel() // a request waiting for its turn gives up
		if b.nc != nil {
			b.nc.Close()
			select {
			case <-b.ncClosed:
			case <-time.After(closeWait):
			}
		}
		b.inflight.Wait()
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	})
	return nil
}
