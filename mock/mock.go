package mock

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/telaio/telaio/oas"
	"github.com/telaio/telaio/schema"
)

// DefaultMaxBodyBytes is the default limit on request body size.
const DefaultMaxBodyBytes = 10 << 20

// ErrNoModel is returned by New for a nil document and by NewFromBytes for
// bytes that are not an OpenAPI 3.0 or 3.1 description (a Swagger 2.0
// description, or text that does not parse).
var ErrNoModel = errors.New("mock: no OpenAPI 3 description")

// Server is a mock of every operation of one OpenAPI 3.x description. It
// implements http.Handler, is immutable after New (what it prepares on
// first use is prepared once, under sync.Once) and is safe for concurrent
// use.
type Server struct {
	cfg      config
	log      *slog.Logger
	doc      *oas.Document
	sd       schemaDoc
	schemas  *schema.OpenAPI // nil when the document's schemas cannot be compiled
	router   *router
	ops      []*operation
	prefixes []string        // base paths to strip, longest first
	tokens   map[string]bool // paths of the OAuth2 token endpoints served

	docSecurity []requirement // the document's requirement list
	assumed     []requirement // see WithAssumeSecurity

	logMu sync.Mutex // serializes writes to cfg.reqLog
}

// Route describes one mocked operation.
type Route struct {
	Method      string // upper case
	Path        string // the path template as written in the description
	OperationID string
}

type config struct {
	log            *slog.Logger
	reqLog         io.Writer
	seed           int64
	basePaths      []string
	requireAuth    bool
	assumeSecurity bool
	echo           bool
	maxBody        int64
	synthNodes     int
	synthDepth     int
	maxSchemaNodes int
}

// Option configures New.
type Option func(*config)

// WithLogger sets the logger for warnings (a schema that does not compile,
// a synthesized body that does not validate) and one debug line per
// request. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithRequestLog writes one line per request to w once the answer is sent:
// method, path (without the query), status and duration, as in
//
//	GET /v1/pets/42 200 1.204ms
//
// Writes are serialized; nil (the default) logs nothing. `telaio mock`
// passes its standard error unless --quiet is given.
func WithRequestLog(w io.Writer) Option { return func(c *config) { c.reqLog = w } }

// WithSeed sets the seed from which synthesized values are derived
// (default 0). Bodies depend only on the seed and the operation, response
// and media type, never on the order of requests.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithBasePath adds a path prefix that requests may carry before the
// description's path templates, in addition to the paths of the document's
// server URLs. Requests without the prefix are served too.
func WithBasePath(p string) Option {
	return func(c *config) { c.basePaths = append(c.basePaths, p) }
}

// WithRequireAuth turns the security checks on or off (default on).
func WithRequireAuth(on bool) Option { return func(c *config) { c.requireAuth = on } }

// WithAssumeSecurity controls documents that define security schemes but
// write no security requirement anywhere (neither at the root nor on any
// operation), such as the Stytch B2B description. When on (the default),
// every operation of such a document requires the credentials of any one of
// the defined schemes; when off, such a document is served without
// credentials. It has no effect once any requirement is written.
func WithAssumeSecurity(on bool) Option { return func(c *config) { c.assumeSecurity = on } }

// WithEcho controls echoing (default on): in a synthesized JSON response, a
// string property named like a path parameter or a top-level string property
// of the JSON (or form) request body takes the request's value, at any depth,
// as long as the response stays valid against its schema. Named and
// media-type examples are returned verbatim.
func WithEcho(on bool) Option { return func(c *config) { c.echo = on } }

// WithMaxBodyBytes limits the request body size (default DefaultMaxBodyBytes);
// larger bodies get 413.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithSynthesisLimits bounds synthesized bodies: once a body holds nodes
// JSON values, or below depth levels of nesting, only required properties
// and minItems items are added (defaults DefaultSynthNodes and
// DefaultSynthDepth; values below 1 keep the default). Cycles of optional
// properties in the schemas therefore end.
func WithSynthesisLimits(nodes, depth int) Option {
	return func(c *config) {
		if nodes > 0 {
			c.synthNodes = nodes
		}
		if depth > 0 {
			c.synthDepth = depth
		}
	}
}

// DefaultMaxSchemaNodes is the default size limit, in JSON values reached
// through $refs, of a schema the mock compiles; see WithMaxSchemaNodes.
const DefaultMaxSchemaNodes = 10000

// WithMaxSchemaNodes limits the schemas the mock compiles (default
// DefaultMaxSchemaNodes): a schema that reaches more JSON values, itself
// and what its $refs reach, is not compiled, so a request is not validated
// against it and a body synthesized from it is not checked (a warning is
// logged). Compiling costs more than linear time in that size (about 1 s
// for 20000 values), and one operation of a large description can reach
// most of its schemas.
func WithMaxSchemaNodes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxSchemaNodes = n
		}
	}
}

// NewFromBytes loads an OpenAPI 3.0 or 3.1 description (YAML or JSON) with
// oas.Load and calls New. Nothing is fetched: a $ref to another document
// stays unresolved.
func NewFromBytes(spec []byte, opts ...Option) (*Server, error) {
	d, err := oas.Load(spec, "")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoModel, err)
	}
	return New(d, opts...)
}

// New builds a mock server for doc. It builds the route table from doc's
// operation index and nothing else: schemas are compiled, and response
// bodies synthesized, on the first request that needs them, once per
// operation and response. A document that is a subset (oas.Document.Partial,
// from the plan cache) is served as it is: only its operations are routed.
// doc must not be modified afterwards.
func New(doc *oas.Document, opts ...Option) (*Server, error) {
	if doc == nil {
		return nil, fmt.Errorf("%w: nil document", ErrNoModel)
	}
	if _, ok := doc.Raw.(map[string]any); !ok {
		return nil, fmt.Errorf("%w: the document has no content", ErrNoModel)
	}
	cfg := config{
		log:            slog.New(slog.DiscardHandler),
		requireAuth:    true,
		assumeSecurity: true,
		echo:           true,
		maxBody:        DefaultMaxBodyBytes,
		synthNodes:     DefaultSynthNodes,
		synthDepth:     DefaultSynthDepth,
		maxSchemaNodes: DefaultMaxSchemaNodes,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s := &Server{
		cfg: cfg, log: cfg.log, doc: doc, router: newRouter(),
		sd:     schemaDoc{root: doc.Raw, oas30: strings.HasPrefix(doc.Version, "3.0")},
		tokens: tokenPaths(doc.SecuritySchemes),
	}
	var err error
	if s.schemas, err = schema.NewOpenAPI(doc.Raw); err != nil {
		s.log.Warn("mock: schemas cannot be compiled; requests and responses are not validated", "error", err)
	}
	s.build()
	return s, nil
}

// Routes lists the mocked operations, by path then method (the order of
// oas.Document.Operations).
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.ops))
	for i, op := range s.ops {
		out[i] = Route{Method: op.method, Path: op.path, OperationID: op.id}
	}
	return out
}

func (s *Server) build() {
	d := s.doc
	servers := slices.Clone(d.Servers)
	seenServer := map[string]bool{}
	for _, sv := range servers {
		seenServer[sv.URL] = true
	}
	if s.cfg.requireAuth {
		if !d.UsesSecurity && s.cfg.assumeSecurity {
			names := make([]string, 0, len(d.SecuritySchemes))
			for name := range d.SecuritySchemes {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				s.assumed = append(s.assumed, requirement{s.credential(name)})
			}
		}
		if d.Security != nil {
			s.docSecurity = s.requirements(d.Security)
		}
	}
	for _, o := range d.Operations() {
		op := newOperation(o)
		if !s.router.add(op) {
			s.log.Warn("mock: duplicate route ignored", "method", op.method, "path", op.path)
			continue
		}
		s.ops = append(s.ops, op)
		for _, sv := range o.Servers {
			if !seenServer[sv.URL] {
				seenServer[sv.URL] = true
				servers = append(servers, sv)
			}
		}
	}
	s.prefixes = basePaths(servers, s.cfg.basePaths)
}

// basePaths collects the path parts of the server URLs (variables replaced
// by their defaults) and the explicit prefixes, longest first.
func basePaths(servers []oas.Server, extra []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		p = "/" + strings.Trim(p, "/")
		if p == "/" || seen[p] {
			return
		}
		seen[p] = true
		out = append(out, p)
	}
	for _, sv := range servers {
		u := sv.URL
		for name, v := range sv.Variables {
			u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
		}
		if i := strings.Index(u, "://"); i >= 0 {
			rest := u[i+3:]
			j := strings.IndexByte(rest, '/')
			if j < 0 {
				continue
			}
			u = rest[j:]
		}
		if pu, err := url.Parse(u); err == nil {
			add(pu.EscapedPath())
		}
	}
	for _, p := range extra {
		add(p)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// candidates returns the request path with each matching base path removed
// (longest first), then the path itself.
func (s *Server) candidates(escaped string) []string {
	var out []string
	for _, p := range s.prefixes {
		if escaped == p || strings.HasPrefix(escaped, p+"/") {
			out = append(out, escaped[len(p):])
		}
	}
	return append(out, escaped)
}

// find routes a request.
func (s *Server) find(method, escaped string) (*operation, pathParams, []string, bool) {
	var allow []string
	for _, c := range s.candidates(escaped) {
		segs, ok := splitRequestPath(c)
		if !ok {
			return nil, nil, nil, false
		}
		op, params, al := s.router.match(method, segs)
		if op != nil {
			return op, params, nil, true
		}
		allow = mergeSorted(allow, al)
	}
	return nil, nil, allow, true
}

func mergeSorted(a, b []string) []string {
	for _, x := range b {
		found := false
		for _, y := range a {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			a = append(a, x)
		}
	}
	sort.Strings(a)
	return a
}
