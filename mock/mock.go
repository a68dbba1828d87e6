package mock

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/telaio/telaio/internal/yamlx"
)

// DefaultMaxBodyBytes is the default limit on request body size.
const DefaultMaxBodyBytes = 10 << 20

// ErrNoModel is returned by New when the document has no usable OpenAPI 3.x
// model (a Swagger 2.0 description, or one libopenapi could not build).
var ErrNoModel = errors.New("mock: no OpenAPI 3 model")

// Server is a mock of every operation of one OpenAPI 3.x description. It
// implements http.Handler, is immutable after New and is safe for
// concurrent use.
type Server struct {
	cfg      config
	log      *slog.Logger
	doc      libopenapi.Document
	model    *v3.Document
	router   *router
	ops      []*operation
	prefixes []string // base paths to strip, longest first
	schemes  map[string]*v3.SecurityScheme

	rawOnce  sync.Once
	raw      any
	comp     compiler
	rawErr   error
	warnOnce sync.Once
}

// Route describes one mocked operation.
type Route struct {
	Method      string // upper case
	Path        string // the path template as written in the description
	OperationID string
}

type config struct {
	log            *slog.Logger
	seed           int64
	basePaths      []string
	requireAuth    bool
	assumeSecurity bool
	echo           bool
	maxBody        int64
	raw            any
	hasRaw         bool
}

// Option configures New.
type Option func(*config)

// WithLogger sets the logger for build warnings and one debug line per
// request. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

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

// WithRawDocument supplies the description already decoded into the JSON data
// model (nil, bool, float64, string, []any, map[string]any), which the
// validators compile schemas from. Without it the server decodes the
// document's bytes once, on the first request that needs validation.
func WithRawDocument(raw any) Option {
	return func(c *config) { c.raw, c.hasRaw = raw, raw != nil }
}

// NewFromBytes parses an OpenAPI 3.x description (YAML or JSON) with
// libopenapi, without following remote or file references, and calls New.
func NewFromBytes(spec []byte, opts ...Option) (*Server, error) {
	cfg := datamodel.NewDocumentConfiguration()
	cfg.Logger = slog.New(slog.DiscardHandler)
	doc, err := libopenapi.NewDocumentWithConfiguration(spec, cfg)
	if err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	return New(doc, opts...)
}

// New builds a mock server for doc. It builds doc's v3 model (libopenapi
// caches it, so a document already built costs nothing more) and the route
// table; schemas are compiled and response bodies synthesized lazily, once
// per operation and response, on first use.
//
// Callers creating doc themselves should set a discarding cfg.Logger on the
// libopenapi configuration: its default logger writes to stdout.
func New(doc libopenapi.Document, opts ...Option) (*Server, error) {
	if doc == nil {
		return nil, fmt.Errorf("%w: nil document", ErrNoModel)
	}
	cfg := config{
		log:            slog.New(slog.DiscardHandler),
		requireAuth:    true,
		assumeSecurity: true,
		echo:           true,
		maxBody:        DefaultMaxBodyBytes,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if v := doc.GetVersion(); v != "" && !strings.HasPrefix(v, "3.") {
		return nil, fmt.Errorf("%w: unsupported version %q", ErrNoModel, v)
	}
	m, err := doc.BuildV3Model()
	if m == nil {
		if err == nil {
			err = errors.New("empty model")
		}
		return nil, fmt.Errorf("%w: %w", ErrNoModel, err)
	}
	if err != nil {
		// Typically circular references: the model is still usable.
		cfg.log.Warn("mock: libopenapi reported problems building the model", "error", err)
	}
	s := &Server{cfg: cfg, log: cfg.log, doc: doc, model: &m.Model, router: newRouter()}
	if cfg.hasRaw {
		s.raw = cfg.raw
	}
	s.build()
	return s, nil
}

// Routes lists the mocked operations in document order.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.ops))
	for i, op := range s.ops {
		out[i] = Route{Method: op.method, Path: op.path, OperationID: op.id}
	}
	return out
}

func (s *Server) build() {
	d := s.model
	s.schemes = map[string]*v3.SecurityScheme{}
	var schemeNames []string
	if d.Components != nil && d.Components.SecuritySchemes != nil {
		for name, sc := range d.Components.SecuritySchemes.FromOldest() {
			if sc != nil {
				s.schemes[name] = sc
				schemeNames = append(schemeNames, name)
			}
		}
	}
	s.prefixes = basePaths(d.Servers, s.cfg.basePaths)

	// Does any security requirement exist anywhere?
	// (libopenapi leaves Security nil for a root "security: []".)
	declared := d.Security != nil || d.GoLow() != nil && !d.GoLow().Security.IsEmpty()
	type pending struct {
		path, key, method string
		item              *v3.PathItem
		op                *v3.Operation
	}
	var all []pending
	if d.Paths != nil && d.Paths.PathItems != nil {
		for path, item := range d.Paths.PathItems.FromOldest() {
			if item == nil {
				s.log.Warn("mock: unresolvable path item", "path", path)
				continue
			}
			for key, op := range item.GetOperations().FromOldest() {
				if op == nil {
					continue
				}
				if op.Security != nil {
					declared = true
				}
				all = append(all, pending{path, key, strings.ToUpper(key), item, op})
			}
		}
	}
	var assumed []requirement
	if !declared && s.cfg.assumeSecurity {
		for _, name := range schemeNames {
			assumed = append(assumed, requirement{s.credential(name)})
		}
	}
	for _, p := range all {
		op := s.newOperation(p.path, p.key, p.method, p.item, p.op)
		switch {
		case !s.cfg.requireAuth:
		case p.op.Security != nil:
			op.security = s.requirements(p.op.Security)
		case d.Security != nil:
			op.security = s.requirements(d.Security)
		default:
			op.security = assumed
		}
		if !s.router.add(op) {
			s.log.Warn("mock: duplicate route ignored", "method", op.method, "path", op.path)
			continue
		}
		s.ops = append(s.ops, op)
	}
}

// basePaths collects the path parts of the server URLs (variables replaced
// by their defaults) and the explicit prefixes, longest first.
func basePaths(servers []*v3.Server, extra []string) []string {
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
		if sv == nil {
			continue
		}
		u := sv.URL
		if sv.Variables != nil {
			for name, v := range sv.Variables.FromOldest() {
				if v != nil {
					u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
				}
			}
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

// compiler returns the schema compiler over the description in the JSON
// data model, decoding the document on first use.
func (s *Server) compiler() (compiler, error) {
	s.rawOnce.Do(func() {
		if s.raw == nil {
			s.raw, s.rawErr = decodeDocument(s.doc)
			if s.rawErr != nil {
				return
			}
		}
		s.comp, s.rawErr = newCompiler(s.raw)
	})
	if s.rawErr != nil {
		s.warnOnce.Do(func() {
			s.log.Warn("mock: schemas cannot be compiled; requests and responses are not validated", "error", s.rawErr)
		})
	}
	return s.comp, s.rawErr
}

// decodeDocument converts the document libopenapi parsed to the JSON data
// model, from its YAML node tree (cheaper than parsing the bytes again),
// else from its bytes.
func decodeDocument(doc libopenapi.Document) (any, error) {
	info := doc.GetSpecInfo()
	if info == nil {
		return nil, errors.New("document has no spec info")
	}
	if info.RootNode != nil {
		budget := yamlx.MaxNodes
		v := nodeValueDepth(info.RootNode, 0, &budget)
		if budget >= 0 {
			return v, nil
		}
	}
	if info.SpecBytes == nil {
		return nil, errors.New("document bytes are not available")
	}
	return yamlx.Decode(*info.SpecBytes)
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
