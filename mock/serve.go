package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ErrorResponse is the JSON body of every error the mock itself produces
// (404, 405, 400, 401, 413, 500).
type ErrorResponse struct {
	// Error is a stable code: not_found, method_not_allowed, bad_request,
	// unauthorized, payload_too_large, mock_failure.
	Error   string    `json:"error"`
	Message string    `json:"message,omitempty"`
	Details []Problem `json:"details,omitempty"`
}

// Problem is one thing wrong with a request.
type Problem struct {
	// In is path, query, header, cookie or body.
	In string `json:"in"`
	// Name is the parameter or header name (empty for the body).
	Name string `json:"name,omitempty"`
	// Pointer is a JSON pointer into the body or the decoded parameter value
	// ("" = the value itself).
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

var _ http.Handler = (*Server)(nil)

// ServeHTTP routes the request to its operation, checks credentials (401),
// parameters and body (400), and answers with the selected response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("mock: panic", "panic", v)
			writeError(w, http.StatusInternalServerError, ErrorResponse{Error: "mock_failure", Message: fmt.Sprint(v)})
		}
	}()
	status := s.serve(w, r)
	s.log.Debug("mock request", "method", r.Method, "path", r.URL.Path, "status", status)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) int {
	escaped := r.URL.EscapedPath()
	method := strings.ToUpper(r.Method)
	op, pp, allow, ok := s.find(method, escaped)
	head := false
	if op == nil && ok && method == http.MethodHead {
		if op2, pp2, _, _ := s.find(http.MethodGet, escaped); op2 != nil {
			op, pp, head = op2, pp2, true
		}
	}
	if op == nil {
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return writeError(w, http.StatusMethodNotAllowed, ErrorResponse{
				Error:   "method_not_allowed",
				Message: "the method is not declared for this path; allowed: " + strings.Join(allow, ", "),
			})
		}
		return writeError(w, http.StatusNotFound, ErrorResponse{Error: "not_found", Message: "no operation matches this path"})
	}

	if problems, challenges := checkSecurity(op.security, r); problems != nil {
		for _, c := range challenges {
			w.Header().Add("WWW-Authenticate", c)
		}
		return writeError(w, http.StatusUnauthorized, ErrorResponse{
			Error:   "unauthorized",
			Message: "missing credentials: " + describeAlternatives(op.security),
			Details: problems,
		})
	}

	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.maxBody+1))
		if err != nil {
			return writeError(w, http.StatusBadRequest, ErrorResponse{Error: "bad_request", Message: "cannot read the request body"})
		}
		if int64(len(b)) > s.cfg.maxBody {
			return writeError(w, http.StatusRequestEntityTooLarge, ErrorResponse{
				Error: "payload_too_large", Message: "the request body exceeds " + strconv.FormatInt(s.cfg.maxBody, 10) + " bytes",
			})
		}
		body = b
	}

	chk := s.checkers(op)
	problems, echo := s.validateRequest(op, chk, r, pp, body)
	if len(problems) > 0 {
		return writeError(w, http.StatusBadRequest, ErrorResponse{
			Error: "bad_request", Message: "the request does not match the operation " + opName(op), Details: problems,
		})
	}
	return s.respond(w, r, op, echo, head)
}

func opName(op *operation) string {
	if op.id != "" {
		return op.id
	}
	return op.method + " " + op.path
}

func describeAlternatives(reqs []requirement) string {
	alts := make([]string, 0, len(reqs))
	for _, req := range reqs {
		names := make([]string, len(req))
		for i, c := range req {
			names[i] = c.scheme
		}
		alts = append(alts, strings.Join(names, " + "))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "one of " + strings.Join(alts, ", ")
}

func writeError(w http.ResponseWriter, status int, e ErrorResponse) int {
	b, _ := marshalJSON(e)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return status
}

// validateRequest checks parameters and the body; it also returns the
// request strings that may be echoed (path parameters, then top-level string
// properties of the body).
func (s *Server) validateRequest(op *operation, chk *opCheckers, r *http.Request, pp pathParams, body []byte) ([]Problem, map[string]string) {
	var problems []Problem
	echo := map[string]string{}
	src := &paramSource{r: r, path: pp, query: r.URL.Query()}
	for _, p := range op.params {
		v, present, msg := p.decode(src)
		switch {
		case msg != "":
			problems = append(problems, Problem{In: p.in, Name: p.name, Message: msg})
			continue
		case !present:
			if p.required {
				problems = append(problems, Problem{In: p.in, Name: p.name, Message: "required parameter is missing"})
			}
			continue
		}
		if p.in == "path" {
			if str, ok := pp.get(p.name); ok {
				echo[p.name] = str
			}
		}
		if chk == nil {
			continue
		}
		if c := chk.params[p]; c != nil {
			for _, v := range c.check(v) {
				problems = append(problems, Problem{In: p.in, Name: p.name, Pointer: v.pointer, Message: v.message})
			}
		}
	}
	problems = append(problems, s.validateBody(op, chk, r, body, echo)...)
	return problems, echo
}

func (s *Server) validateBody(op *operation, chk *opCheckers, r *http.Request, body []byte, echo map[string]string) []Problem {
	ctHeader := r.Header.Get("Content-Type")
	if op.body == nil {
		return nil
	}
	if len(body) == 0 {
		if op.body.required {
			return []Problem{{In: "body", Message: "request body is required"}}
		}
		return nil
	}
	if ctHeader == "" {
		return []Problem{{In: "header", Name: "Content-Type", Message: "a request body needs a Content-Type header; declared: " + declaredTypes(op.body)}}
	}
	ct, _, err := mime.ParseMediaType(ctHeader)
	if err != nil {
		return []Problem{{In: "header", Name: "Content-Type", Message: "malformed Content-Type"}}
	}
	bm := matchMedia(op.body.media, ct)
	if bm == nil {
		return []Problem{{In: "header", Name: "Content-Type", Message: fmt.Sprintf("content type %q is not declared; declared: %s", ct, declaredTypes(op.body))}}
	}
	var v any
	switch {
	case isJSON(ct):
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&v); err != nil {
			return []Problem{{In: "body", Message: "body is not valid JSON"}}
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return []Problem{{In: "body", Message: "body has data after the JSON value"}}
		}
	case ct == "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return []Problem{{In: "body", Message: "body is not valid form data"}}
		}
		v = formValue(q, bm)
	default:
		return nil // not validated
	}
	if obj, ok := v.(map[string]any); ok {
		for k, e := range obj {
			if str, ok := e.(string); ok {
				if _, taken := echo[k]; !taken {
					echo[k] = str
				}
			}
		}
	}
	if chk == nil || chk.body[bm] == nil {
		return nil
	}
	var problems []Problem
	for _, x := range chk.body[bm].check(v) {
		problems = append(problems, Problem{In: "body", Pointer: x.pointer, Message: x.message})
	}
	return problems
}

// formValue decodes form fields by the schema's property types (arrays take
// every value).
func formValue(q url.Values, bm *bodyMedia) map[string]any {
	out := make(map[string]any, len(q))
	for k, vs := range q {
		ps := propSchema(bm.schema, k)
		if slices.Contains(schemaTypes(ps), "array") {
			p := &param{name: k, in: "query", style: "form", explode: true, schema: ps}
			out[k] = p.array(vs)
			continue
		}
		out[k] = coerce(vs[0], ps)
	}
	return out
}

func declaredTypes(b *requestBody) string {
	names := make([]string, len(b.media))
	for i, m := range b.media {
		names[i] = m.name
	}
	return strings.Join(names, ", ")
}

// matchMedia finds the declared media type for ct: exact, then type/*,
// then */*.
func matchMedia(list []*bodyMedia, ct string) *bodyMedia {
	ct = strings.ToLower(ct)
	var rng, all *bodyMedia
	major, _, _ := strings.Cut(ct, "/")
	for _, m := range list {
		name := m.name
		if i := strings.IndexByte(name, ';'); i >= 0 {
			name = strings.TrimSpace(name[:i])
		}
		switch {
		case name == ct:
			return m
		case name == major+"/*":
			rng = m
		case name == "*/*":
			all = m
		}
	}
	if rng != nil {
		return rng
	}
	return all
}

// prefer parses a Prefer header's code= and example= preferences.
func prefer(r *http.Request) (code int, example string) {
	for _, h := range r.Header.Values("Prefer") {
		for _, part := range strings.FieldsFunc(h, func(c rune) bool { return c == ',' || c == ';' }) {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "code":
				if n, err := strconv.Atoi(v); err == nil && n >= 100 && n <= 599 {
					code = n
				}
			case "example":
				example = v
			}
		}
	}
	return code, example
}

// pickMedia chooses the response media type: among those the Accept header
// allows (all when absent), application/json first, else the first declared.
func pickMedia(list []*media, accept string) *media {
	if len(list) == 0 {
		return nil
	}
	var ok []*media
	for _, m := range list {
		if accepts(accept, m.name) {
			ok = append(ok, m)
		}
	}
	if len(ok) == 0 {
		ok = list
	}
	for _, m := range ok {
		if m.name == "application/json" {
			return m
		}
	}
	return ok[0]
}

func accepts(accept, name string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	name, _, _ = strings.Cut(name, ";")
	major, _, _ := strings.Cut(name, "/")
	for _, a := range strings.Split(accept, ",") {
		a, _, _ = strings.Cut(a, ";")
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "*/*" || a == name || a == major+"/*" || strings.Contains(name, "*") {
			return true
		}
	}
	return false
}

// body returns the default value of a response media type: its example,
// else its first named example, else a value synthesized from its schema.
// It is computed once.
func (s *Server) defaultBody(m *media) (any, bool, []byte, error) {
	m.once.Do(func() {
		switch {
		case m.mt.Example != nil:
			m.val, m.has = nodeValue(m.mt.Example), true
		default:
			if v, ok := firstExample(m.mt.Examples); ok {
				m.val, m.has = v, true
			} else if m.schema != nil {
				key := m.resp.op.method + " " + m.resp.op.path + " " + m.resp.code + " " + m.name
				m.val, m.err = s.synthesize(m.schema, key, dirResponse)
				m.has, m.synth = m.err == nil, true
			}
		}
		if m.has {
			m.bytes, m.ct, m.err = encode(m.name, m.val, m.schema)
		}
		if m.has && m.synth && isJSON(m.name) {
			m.sites = echoSites(m.val, m.schema)
		}
	})
	return m.val, m.has, m.bytes, m.err
}

func (s *Server) respond(w http.ResponseWriter, r *http.Request, op *operation, echo map[string]string, head bool) int {
	resp, status := op.success, 0
	code, exName := prefer(r)
	if code != 0 {
		if rr, st := op.findResponse(code); rr != nil {
			resp, status = rr, st
		}
	}
	if resp == nil {
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent
	}
	if status == 0 {
		status = resp.status
	}
	for _, h := range resp.heads {
		h.once.Do(func() {
			if v, ok := s.headerValue(resp, h); ok {
				h.text, h.ok = headerText(v), true
			}
		})
		if h.ok {
			w.Header().Set(h.name, h.text)
		}
	}
	m := pickMedia(resp.media, r.Header.Get("Accept"))
	if m == nil {
		w.WriteHeader(status)
		return status
	}
	var out []byte
	ct := m.name
	if v, ok := namedExample(m.mt.Examples, exName); exName != "" && ok {
		b, c, err := encode(m.name, v, m.schema)
		if err != nil {
			return writeError(w, http.StatusInternalServerError, ErrorResponse{Error: "mock_failure", Message: err.Error()})
		}
		out, ct = b, c
	} else {
		val, has, b, err := s.defaultBody(m)
		if err != nil {
			return writeError(w, http.StatusInternalServerError, ErrorResponse{
				Error: "mock_failure", Message: "cannot build a " + m.name + " body for response " + resp.code + ": " + err.Error(),
			})
		}
		if !has {
			w.WriteHeader(status)
			return status
		}
		ct, out = m.ct, b
		if m.synth && s.cfg.echo && len(echo) > 0 && isJSON(m.name) {
			if b, changed := echoBody(m, val, echo); changed {
				out = b
			}
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	if !head {
		_, _ = w.Write(out)
	}
	return status
}

// headerValue returns a response header's example or synthesized value.
func (s *Server) headerValue(resp *response, h *header) (any, bool) {
	switch {
	case h.h.Example != nil:
		return nodeValue(h.h.Example), true
	}
	if v, ok := firstExample(h.h.Examples); ok {
		return v, true
	}
	if h.h.Schema == nil {
		return nil, false
	}
	sch := h.h.Schema.Schema()
	if sch == nil {
		return nil, false
	}
	v, err := s.synthesize(sch, resp.op.method+" "+resp.op.path+" "+resp.code+" header "+h.name, dirResponse)
	return v, err == nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
