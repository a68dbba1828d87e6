package executor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/telaio/telaio/transport"
)

// Default limits.
const (
	DefaultMaxStepExecutions = 1000
	DefaultMaxDepth          = 32
	DefaultMaxResponseBytes  = 10 << 20
	DefaultMaxRetryWait      = 60 * time.Second
	DefaultRequestTimeout    = 60 * time.Second
	DefaultMaxRedirects      = 10
	DefaultMaxValueBytes     = 16 << 20
	DefaultMaxTraceBytes     = 64 << 20
	DefaultMaxTraceBodyBytes = 1 << 20
)

// Limits bound a run. A zero field takes its default.
type Limits struct {
	// MaxStepExecutions bounds step executions in one run, retries and
	// nested workflows included (it stops goto loops, D19).
	MaxStepExecutions int
	// MaxDepth bounds workflow nesting (workflow steps, dependsOn, goto).
	MaxDepth int
	// MaxResponseBytes bounds each response body read.
	MaxResponseBytes int64
	// MaxRetryWait caps each wait before a retry (retryAfter or a
	// Retry-After header, D17).
	MaxRetryWait time.Duration
	// RequestTimeout bounds each HTTP exchange, from sending the request
	// to reading the last byte of the response; going over fails the
	// attempt with code "transport" (actions may retry it). The run's ctx
	// bounds the whole run.
	RequestTimeout time.Duration
	// MaxRedirects bounds the redirects followed for one request; going
	// over fails the attempt with code "transport".
	MaxRedirects int
	// MaxValueBytes bounds each value a run builds: a request body, a
	// parameter, an output (its JSON size, shared parts counted each
	// time). It is checked as the value is built; going over stops the
	// run with a *LimitError (LimitValueBytes).
	MaxValueBytes int64
	// MaxTraceBytes bounds the bodies a run's trace keeps, all exchanges
	// together: beyond it the oldest bodies are dropped (their size stays,
	// with a note). The trace never keeps decoded bodies.
	MaxTraceBytes int64
	// MaxTraceBodyBytes bounds each body the trace keeps: the rest is cut,
	// with the body's size and SHA-256.
	MaxTraceBodyBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxStepExecutions <= 0 {
		l.MaxStepExecutions = DefaultMaxStepExecutions
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxResponseBytes <= 0 {
		l.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if l.MaxRetryWait <= 0 {
		l.MaxRetryWait = DefaultMaxRetryWait
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = DefaultRequestTimeout
	}
	if l.MaxRedirects <= 0 {
		l.MaxRedirects = DefaultMaxRedirects
	}
	if l.MaxValueBytes <= 0 {
		l.MaxValueBytes = DefaultMaxValueBytes
	}
	if l.MaxTraceBytes <= 0 {
		l.MaxTraceBytes = DefaultMaxTraceBytes
	}
	if l.MaxTraceBodyBytes <= 0 {
		l.MaxTraceBodyBytes = DefaultMaxTraceBodyBytes
	}
	return l
}

// Option configures an Engine at New.
type Option func(*config) error

// RunOption configures one Run.
type RunOption func(*runConfig)

type config struct {
	client        *http.Client
	servers       map[string]string // source name -> base URL
	serverIndex   map[string]int
	auth          map[string]string // scheme name -> credential text
	clock         func() time.Time
	sleep         func(context.Context, time.Duration) error
	observer      Observer
	logger        *slog.Logger
	limits        Limits
	insecureCreds bool
	skipInputs    bool
	checks        map[string]Severity
	noMasking     bool
	validated     bool
	tokenServers  map[string]string // source name -> base URL of its OAuth2 token requests
	privateRedirs bool
	// drivers are the message transports (WithTransport); tlsConfigs
	// their TLS configuration by source name ("" for every source).
	drivers        []transport.Driver
	tlsConfigs     map[string]*tls.Config
	receiveTimeout time.Duration
	tel            telConfig // OpenTelemetry (otel.go)
}

type runConfig struct {
	auth     map[string]string
	observer Observer
}

// WithHTTPClient sets the HTTP client (its Transport, redirect policy and
// jar are used; its Timeout too). Whatever its redirect policy, at most
// Limits.MaxRedirects redirects are followed, and credentials are removed
// from a redirect to another origin before the policy is called.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *config) error { cfg.client = c; return nil }
}

// WithRoundTripper sets the RoundTripper of the engine's HTTP client.
func WithRoundTripper(rt http.RoundTripper) Option {
	return func(cfg *config) error { cfg.client = &http.Client{Transport: rt}; return nil }
}

// WithServer makes every operation of the named source description go to
// baseURL instead of the OpenAPI servers (e.g. an httptest server, or the
// test environment of an API).
func WithServer(source, baseURL string) Option {
	return func(cfg *config) error {
		if cfg.servers == nil {
			cfg.servers = map[string]string{}
		}
		cfg.servers[source] = baseURL
		return nil
	}
}

// WithTransport registers a message transport (a driver package such as
// transport/nats) for the protocols it serves: Arazzo 1.1 steps that send
// or receive messages of an AsyncAPI source use the driver of their
// server's protocol. Register only the brokers a program needs; without a
// driver for its protocol, a message step is refused by New.
func WithTransport(d transport.Driver) Option {
	return func(cfg *config) error {
		if d == nil {
			return errors.New("WithTransport: nil driver")
		}
		cfg.drivers = append(cfg.drivers, d)
		return nil
	}
}

// WithTLSConfig sets the TLS configuration (client certificates for X509
// security schemes, root CAs) of the broker connections of the named
// AsyncAPI source, or of every source when source is "".
func WithTLSConfig(source string, c *tls.Config) Option {
	return func(cfg *config) error {
		if cfg.tlsConfigs == nil {
			cfg.tlsConfigs = map[string]*tls.Config{}
		}
		cfg.tlsConfigs[source] = c
		return nil
	}
}

// WithReceiveTimeout sets how long a receive step without a timeout waits
// for its message (default DefaultReceiveTimeout, E12).
func WithReceiveTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("WithReceiveTimeout: %v is not a positive duration", d)
		}
		cfg.receiveTimeout = d
		return nil
	}
}

// WithTokenServer sends the OAuth2 client-credentials token requests of the
// named source description's security schemes to baseURL, keeping the path
// of their tokenUrl (telaio run --mock sends them to the mock, which serves
// token endpoints). Without it, a relative tokenUrl resolves against the
// API's server and an absolute one is used as it is.
func WithTokenServer(source, baseURL string) Option {
	return func(cfg *config) error {
		if cfg.tokenServers == nil {
			cfg.tokenServers = map[string]string{}
		}
		cfg.tokenServers[source] = baseURL
		return nil
	}
}

// WithPrivateRedirects lets a run follow redirects to link-local, loopback
// and private addresses even when the request it redirects did not go to
// such an address. Off by default: a server must not be able to point a
// run at 169.254.169.254 or at the machine's own services.
func WithPrivateRedirects(allow bool) Option {
	return func(cfg *config) error { cfg.privateRedirs = allow; return nil }
}

// WithServerIndex picks the OpenAPI server by index for the named source
// (the first server is the default).
func WithServerIndex(source string, index int) Option {
	return func(cfg *config) error {
		if cfg.serverIndex == nil {
			cfg.serverIndex = map[string]int{}
		}
		cfg.serverIndex[source] = index
		return nil
	}
}

// WithAuth supplies the credential for an OpenAPI security scheme, by the
// scheme's name in components.securitySchemes: "user:password" for http
// basic, the token for http bearer, the key for apiKey, and
// "clientId:clientSecret" for oauth2 client credentials.
func WithAuth(scheme, value string) Option {
	return func(cfg *config) error {
		if cfg.auth == nil {
			cfg.auth = map[string]string{}
		}
		cfg.auth[scheme] = value
		return nil
	}
}

// RunWithAuth supplies or overrides a credential for one run (see WithAuth).
func RunWithAuth(scheme, value string) RunOption {
	return func(rc *runConfig) {
		if rc.auth == nil {
			rc.auth = map[string]string{}
		}
		rc.auth[scheme] = value
	}
}

// RunWithObserver adds an observer for one run.
func RunWithObserver(o Observer) RunOption {
	return func(rc *runConfig) { rc.observer = o }
}

// WithClock sets the clock used for durations and token expiry.
func WithClock(now func() time.Time) Option {
	return func(cfg *config) error { cfg.clock = now; return nil }
}

// WithSleep sets the function used to wait before retries (the wait is
// already capped by Limits.MaxRetryWait). It must return early with ctx's
// error when ctx is done.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(cfg *config) error { cfg.sleep = sleep; return nil }
}

// WithObserver sets an observer told of every step and exchange.
func WithObserver(o Observer) Option {
	return func(cfg *config) error { cfg.observer = o; return nil }
}

// WithLogger sets the logger (debug: each exchange; warn: odd situations).
// Secrets are masked in everything logged.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) error { cfg.logger = l; return nil }
}

// WithLimits sets the run limits; zero fields keep their defaults.
func WithLimits(l Limits) Option {
	return func(cfg *config) error { cfg.limits = l; return nil }
}

// WithInsecureCredentials allows sending credentials over plain http to
// hosts other than loopback. Off by default.
func WithInsecureCredentials(allow bool) Option {
	return func(cfg *config) error { cfg.insecureCreds = allow; return nil }
}

// WithoutInputValidation skips validating inputs against the workflow's
// inputs schema (D36's opt-out); defaults are still applied.
func WithoutInputValidation() Option {
	return func(cfg *config) error { cfg.skipInputs = true; return nil }
}

// WithoutSecretsMasking turns secret masking off everywhere (traces,
// errors, events, logs), for debugging; credentials and secret inputs then
// show as they are.
func WithoutSecretsMasking() Option {
	return func(cfg *config) error { cfg.noMasking = true; return nil }
}

// Validated tells New that the document was validated with arazzo.Validate
// and had no errors, so New does not validate it again. Without it, New
// validates the document and refuses one with errors (returning them as
// diag.Diagnostics).
func Validated() Option {
	return func(cfg *config) error { cfg.validated = true; return nil }
}

func defaultSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
