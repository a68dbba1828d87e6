package mock

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/telaio/telaio/internal/jsonptr"
)

// operation is one routed operation with everything a request needs,
// prepared by New; schema validators are compiled on first use.
type operation struct {
	id     string
	method string // upper case
	path   string // template
	key    string // key in the path item ("get", or an additional operation's name)

	params   []*param
	body     *requestBody // nil when none declared
	security []requirement
	resps    []*response // declared order, default last
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
	schema *base.Schema
}

// response is a declared response.
type response struct {
	code   string // "200", "2XX", "default"
	status int    // status to send (ranges send their x00)
	media  []*media
	heads  []*header
	op     *operation
}

// media is a response media type with its lazily built default body.
type media struct {
	name   string
	mt     *v3.MediaType
	schema *base.Schema
	resp   *response

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
	name string
	h    *v3.Header

	once sync.Once
	text string // the value sent, computed once
	ok   bool
}

// opCheckers holds the compiled validators of an operation.
type opCheckers struct {
	params map[*param]checker
	body   map[*bodyMedia]checker
	media  map[*media]string // schema pointers of response media types
}

func (s *Server) newOperation(path, key, method string, item *v3.PathItem, o *v3.Operation) *operation {
	op := &operation{id: o.OperationId, method: method, path: path, key: key}
	// Parameters: path-item ones, overridden by operation ones with the
	// same name and location.
	idx := map[string]int{}
	addParams := func(list []*v3.Parameter) {
		for _, p := range list {
			if p == nil || p.Name == "" {
				continue
			}
			// The specification says header parameters named Accept,
			// Content-Type or Authorization are ignored.
			if strings.EqualFold(p.In, "header") && (strings.EqualFold(p.Name, "Accept") ||
				strings.EqualFold(p.Name, "Content-Type") || strings.EqualFold(p.Name, "Authorization")) {
				continue
			}
			pp := newParam(p)
			k := paramKey(pp.in, pp.name)
			if i, ok := idx[k]; ok {
				op.params[i] = pp
				continue
			}
			idx[k] = len(op.params)
			op.params = append(op.params, pp)
		}
	}
	addParams(item.Parameters)
	addParams(o.Parameters)

	if rb := o.RequestBody; rb != nil {
		b := &requestBody{required: rb.Required != nil && *rb.Required}
		if rb.Content != nil {
			for name, mt := range rb.Content.FromOldest() {
				bm := &bodyMedia{name: strings.ToLower(strings.TrimSpace(name))}
				if mt != nil && mt.Schema != nil {
					bm.schema = mt.Schema.Schema()
				}
				b.media = append(b.media, bm)
			}
		}
		op.body = b
	}

	if o.Responses != nil {
		if o.Responses.Codes != nil {
			for code, r := range o.Responses.Codes.FromOldest() {
				if r == nil {
					continue
				}
				op.resps = append(op.resps, newResponse(op, strings.ToUpper(code), r))
			}
		}
		if r := o.Responses.Default; r != nil {
			op.resps = append(op.resps, newResponse(op, "default", r))
		}
	}
	op.success = pickSuccess(op.resps)
	return op
}

func newResponse(op *operation, code string, r *v3.Response) *response {
	resp := &response{code: code, op: op}
	switch {
	case code == "default":
		resp.status = 200
	case len(code) == 3 && strings.HasSuffix(code, "XX"):
		resp.status = int(code[0]-'0') * 100
	default:
		resp.status, _ = strconv.Atoi(code)
	}
	if r.Content != nil {
		for name, mt := range r.Content.FromOldest() {
			if mt == nil {
				continue
			}
			m := &media{name: strings.ToLower(strings.TrimSpace(name)), mt: mt, resp: resp}
			if mt.Schema != nil {
				m.schema = mt.Schema.Schema()
			}
			resp.media = append(resp.media, m)
		}
	}
	if r.Headers != nil {
		for name, h := range r.Headers.FromOldest() {
			if h == nil || strings.EqualFold(name, "Content-Type") {
				continue
			}
			resp.heads = append(resp.heads, &header{name: name, h: h})
		}
	}
	return resp
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
			a, b := twos[i].code, twos[j].code
			// "2XX" sorts after every exact 2xx code.
			return strings.Replace(a, "X", "9", -1) < strings.Replace(b, "X", "9", -1)
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
		switch {
		case r.code == c:
			return r, code
		case len(r.code) == 3 && strings.HasSuffix(r.code, "XX") && len(c) == 3 && r.code[0] == c[0]:
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

// checkers compiles the operation's request validators once. It returns nil
// when schemas cannot be compiled (then requests are only checked
// structurally).
func (s *Server) checkers(op *operation) *opCheckers {
	op.once.Do(func() {
		comp, err := s.compiler()
		if err != nil {
			return
		}
		root := s.raw
		c := &opCheckers{params: map[*param]checker{}, body: map[*bodyMedia]checker{}, media: map[*media]string{}}
		itemPtr := "/paths/" + jsonptr.EscapeToken(op.path)
		_, itemPtr, ok := resolve(root, itemPtr)
		if !ok {
			s.log.Warn("mock: operation not found in the raw document", "path", op.path)
			op.check = c
			return
		}
		opPtr := itemPtr + "/" + jsonptr.EscapeToken(op.key)
		if _, ok := jsonptr.Lookup(root, opPtr); !ok {
			opPtr = itemPtr + "/additionalOperations/" + jsonptr.EscapeToken(op.key)
		}
		pptrs := rawParamPointers(root, itemPtr, opPtr)
		for _, p := range op.params {
			ptr := pptrs[paramKey(p.in, p.name)]
			if ptr == "" {
				continue
			}
			sp := schemaPointer(root, ptr)
			if p.content != "" {
				sp = schemaPointer(root, ptr+"/content/"+jsonptr.EscapeToken(p.contentKey))
			}
			if sp == "" {
				continue
			}
			if chk := s.compile(comp, sp, dirRequest); chk != nil {
				c.params[p] = chk
			}
		}
		if op.body != nil {
			if _, rbPtr, ok := resolve(root, opPtr+"/requestBody"); ok {
				content, _ := jsonptr.Lookup(root, rbPtr+"/content")
				for _, bm := range op.body.media {
					key := findKey(content, bm.name)
					sp := schemaPointer(root, rbPtr+"/content/"+jsonptr.EscapeToken(key))
					if key == "" || sp == "" {
						continue
					}
					if chk := s.compile(comp, sp, dirRequest); chk != nil {
						c.body[bm] = chk
					}
				}
			}
		}
		for _, r := range op.resps {
			code := r.code
			if code != "default" {
				code = findKey(lookupOr(root, opPtr+"/responses"), code)
			}
			_, rPtr, ok := resolve(root, opPtr+"/responses/"+jsonptr.EscapeToken(code))
			if !ok {
				continue
			}
			content, _ := jsonptr.Lookup(root, rPtr+"/content")
			for _, m := range r.media {
				key := findKey(content, m.name)
				if sp := schemaPointer(root, rPtr+"/content/"+jsonptr.EscapeToken(key)); key != "" && sp != "" {
					c.media[m] = sp
				}
			}
		}
		op.check = c
	})
	return op.check
}

func (s *Server) compile(comp compiler, ptr string, dir direction) checker {
	chk, err := comp.compile(ptr, dir)
	if err != nil {
		s.log.Warn("mock: schema does not compile; not validated", "pointer", ptr, "error", err)
		return nil
	}
	return chk
}

// responseChecker returns the compiled response validator of m, or nil.
func (s *Server) responseChecker(m *media) checker {
	m.chkOnce.Do(func() {
		c := s.checkers(m.resp.op)
		comp, err := s.compiler()
		if c == nil || err != nil {
			return
		}
		if ptr := c.media[m]; ptr != "" {
			m.chk = s.compile(comp, ptr, dirResponse)
		}
	})
	return m.chk
}

func lookupOr(root any, ptr string) any {
	v, _ := jsonptr.Lookup(root, ptr)
	return v
}

// findKey returns the key of the object m equal to name, ignoring case (media
// types and XX codes are case-insensitive).
func findKey(m any, name string) string {
	obj, _ := m.(map[string]any)
	if _, ok := obj[name]; ok {
		return name
	}
	for k := range obj {
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return k
		}
	}
	return ""
}
