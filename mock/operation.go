package mock

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/oas"
)

// operation is one routed operation. New fills in what routing needs;
// the rest is read from the index on the first request (Server.prepare),
// and the schemas are compiled on first use.
type operation struct {
	id      string
	method  string // upper case
	path    string // template
	pointer string // JSON pointer of the operation object
	src     *oas.Operation

	ready    sync.Once
	params   []*param
	body     *requestBody // nil when none declared
	security []requirement
	resps    []*response // declaration order, default last
	success  *response

	once  sync.Once
	check *opCheckers
}

type requestBody struct {
	required bool
	media    []*bodyMedia
}

type bodyMedia struct {
	name   string // lower-cased media type, may be a range (application/*)
	ptr    string // schema pointer, "" when none
	schema any
}

// response is a declared response.
type response struct {
	code   string // as written: "200", "2XX", "default"
	status int    // status to send (ranges send their x00, default 200)
	media  []*media
	op     *operation

	headOnce sync.Once
	heads    []*header
}

// media is a response media type with its lazily built default body.
type media struct {
	name     string
	ptr      string // schema pointer, "" when none
	schema   any
	example  any
	hasEx    bool
	examples map[string]any
	resp     *response

	once  sync.Once
	val   any
	has   bool
	bytes []byte
	ct    string
	synth bool        // val was synthesized (not an example)
	sites []*echoSite // string properties of val that may be echoed
	err   error

	chkOnce sync.Once
	chk     checker
}

type header struct {
	name     string
	required bool
	ptr      string // schema pointer
	example  any
	hasEx    bool

	once sync.Once
	text string // the value sent, computed once
	ok   bool
}

// opCheckers holds the compiled request validators of an operation.
type opCheckers struct {
	params map[*param]checker
	body   map[*bodyMedia]checker
}

func newOperation(o *oas.Operation) *operation {
	return &operation{id: o.ID, method: o.Method, path: o.Path, pointer: o.Pointer, src: o}
}

// prepare fills in op from its index entry, once.
func (s *Server) prepare(op *operation) *operation {
	op.ready.Do(func() {
		op.fill(op.src)
		switch {
		case !s.cfg.requireAuth:
		case op.src.Security != nil:
			op.security = s.requirements(op.src.Security)
		case s.doc.Security != nil:
			op.security = s.docSecurity
		default:
			op.security = s.assumed
		}
	})
	return op
}

func (op *operation) fill(o *oas.Operation) {
	for _, p := range o.Parameters {
		if p == nil || p.Name == "" {
			continue
		}
		// The specification says header parameters named Accept,
		// Content-Type or Authorization are ignored.
		if strings.EqualFold(p.In, "header") && (strings.EqualFold(p.Name, "Accept") ||
			strings.EqualFold(p.Name, "Content-Type") || strings.EqualFold(p.Name, "Authorization")) {
			continue
		}
		op.params = append(op.params, newParam(p))
	}
	if rb := o.Body; rb != nil {
		b := &requestBody{required: rb.Required}
		for _, mt := range rb.Content {
			b.media = append(b.media, &bodyMedia{
				name: strings.ToLower(strings.TrimSpace(mt.Name)), ptr: mt.SchemaPointer, schema: mt.Schema,
			})
		}
		op.body = b
	}
	for _, r := range o.Responses {
		op.resps = append(op.resps, newResponse(op, r))
	}
	op.success = pickSuccess(op.resps)
}

func newResponse(op *operation, r *oas.Response) *response {
	resp := &response{code: r.Code, op: op}
	code := strings.ToUpper(r.Code)
	switch {
	case r.Code == "default":
		resp.status = 200
	case len(code) == 3 && strings.HasSuffix(code, "XX"):
		resp.status = int(code[0]-'0') * 100
	default:
		resp.status, _ = strconv.Atoi(code)
	}
	for _, mt := range r.Content {
		resp.media = append(resp.media, &media{
			name: strings.ToLower(strings.TrimSpace(mt.Name)), ptr: mt.SchemaPointer, schema: mt.Schema,
			example: mt.Example, hasEx: mt.HasExample, examples: mt.Examples, resp: resp,
		})
	}
	return resp
}

// headers lists the declared response headers (Content-Type excepted),
// read from the description on first use.
func (s *Server) headers(resp *response) []*header {
	resp.headOnce.Do(func() {
		rm, rptr, ok := s.sd.resolveObject(resp.op.pointer + "/responses/" + jsonptr.EscapeToken(resp.code))
		if !ok {
			return
		}
		hs, _ := rm["headers"].(map[string]any)
		for _, name := range sortedKeys(hs) {
			if strings.EqualFold(name, "Content-Type") {
				continue
			}
			hm, hptr, ok := s.sd.resolveObject(rptr + "/headers/" + jsonptr.EscapeToken(name))
			if !ok {
				continue
			}
			h := &header{name: name}
			h.required, _ = hm["required"].(bool)
			if _, ok := hm["schema"]; ok {
				h.ptr = hptr + "/schema"
			}
			if ex, ok := hm["example"]; ok {
				h.example, h.hasEx = ex, true
			} else if v, ok := firstExample(s.sd, hm["examples"]); ok {
				h.example, h.hasEx = v, true
			}
			resp.heads = append(resp.heads, h)
		}
	})
	return resp.heads
}

// firstExample returns the value of the first (in name order) Example
// Object with an inline value of an examples map.
func firstExample(sd schemaDoc, v any) (any, bool) {
	exs, _ := v.(map[string]any)
	for _, k := range sortedKeys(exs) {
		if em := sd.node(exs[k]); em != nil {
			if val, ok := em["value"]; ok {
				return val, true
			}
		}
	}
	return nil, false
}

// pickSuccess returns the lowest declared 2XX response (exact codes before
// the 2XX range), else default, else the first declared.
func pickSuccess(rs []*response) *response {
	var twos []*response
	var def *response
	for _, r := range rs {
		switch {
		case r.code == "default":
			def = r
		case len(r.code) == 3 && r.code[0] == '2':
			twos = append(twos, r)
		}
	}
	if len(twos) > 0 {
		sort.SliceStable(twos, func(i, j int) bool {
			a, b := strings.ToUpper(twos[i].code), strings.ToUpper(twos[j].code)
			// "2XX" sorts after every exact 2xx code.
			return strings.ReplaceAll(a, "X", "9") < strings.ReplaceAll(b, "X", "9")
		})
		return twos[0]
	}
	if def != nil {
		return def
	}
	if len(rs) > 0 {
		return rs[0]
	}
	return nil
}

// findResponse returns the response for an explicit status code: the exact
// code, else its range, else default with that status.
func (op *operation) findResponse(code int) (*response, int) {
	c := strconv.Itoa(code)
	var rng, def *response
	for _, r := range op.resps {
		rc := strings.ToUpper(r.code)
		switch {
		case rc == c:
			return r, code
		case len(rc) == 3 && strings.HasSuffix(rc, "XX") && len(c) == 3 && rc[0] == c[0]:
			rng = r
		case r.code == "default":
			def = r
		}
	}
	if rng != nil {
		return rng, code
	}
	if def != nil {
		return def, code
	}
	return nil, 0
}

// checkers compiles the operation's request validators once. Schemas that
// do not compile are not validated (a warning is logged).
func (s *Server) checkers(op *operation) *opCheckers {
	op.once.Do(func() {
		c := &opCheckers{params: map[*param]checker{}, body: map[*bodyMedia]checker{}}
		for _, p := range op.params {
			if p.ptr == "" {
				continue
			}
			if chk := s.compile(p.ptr, dirRequest); chk != nil {
				c.params[p] = chk
			}
		}
		if op.body != nil {
			for _, bm := range op.body.media {
				if bm.ptr == "" {
					continue
				}
				if chk := s.compile(bm.ptr, dirRequest); chk != nil {
					c.body[bm] = chk
				}
			}
		}
		op.check = c
	})
	return op.check
}

// compile returns the validator of the schema at ptr, or nil when it does
// not compile or is larger than WithMaxSchemaNodes allows.
func (s *Server) compile(ptr string, dir direction) checker {
	if s.schemas == nil || ptr == "" {
		return nil
	}
	if !s.sd.within(ptr, s.cfg.maxSchemaNodes) {
		s.log.Warn("mock: schema too large to compile; not validated", "pointer", ptr, "limit", s.cfg.maxSchemaNodes)
		return nil
	}
	sch, err := s.schemas.Compile(ptr, dir)
	if err != nil {
		s.log.Warn("mock: schema does not compile; not validated", "pointer", ptr, "error", err)
		return nil
	}
	return schemaChecker{sch}
}

// responseChecker returns the compiled validator of m's schema, or nil.
func (s *Server) responseChecker(m *media) checker {
	m.chkOnce.Do(func() { m.chk = s.compile(m.ptr, dirResponse) })
	return m.chk
}
