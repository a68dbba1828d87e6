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
	"time"
)

// ErrorResponse is the JSON body of the errors the mock itself produces
// (404, 405, 400, 401, 413, 500). For 400, 401 and 413 the operation's
// declared response for that status, when it has a JSON media type, takes
// precedence: its media type and a body valid against its schema (see the
// package documentation).
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

// ServeHTTP routes the request to its operation (or to the OAuth2 token
// endpoint), checks credentials (401), parameters and body (400), and
// answers with the selected response. It logs the request (WithRequestLog,
// WithLogger) once answered.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status := 0
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("mock: panic", "panic", v)
			status = writeError(w, http.StatusInternalServerError, ErrorResponse{Error: "mock_failure", Message: fmt.Sprint(v)})
		}
		s.logRequest(r, status, time.Since(start))
	}()
	status = s.serve(w, r)
}

// logRequest writes the request log line (WithRequestLog) and the debug
// line.
func (s *Server) logRequest(r *http.Request, status int, d time.Duration) {
	path := r.URL.EscapedPath()
	s.log.Debug("mock request", "method", r.Method, "path", path, "status", status, "duration", d)
	if s.cfg.reqLog == nil {
		return
	}
	line := make([]byte, 0, 64)
	line = append(line, printable(r.Method)...)
	line = append(line, ' ')
	line = append(line, printable(path)...)
	line = append(line, ' ')
	line = strconv.AppendInt(line, int64(status), 10)
	line = append(line, ' ')
	line = append(line, d.Round(time.Microsecond).String()...)
	line = append(line, '\n')
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = s.cfg.reqLog.Write(line)
}

// printable replaces the bytes of s that are not printable ASCII (a method
// is a token and a path is escaped, but a handler may be called directly).
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] <= ' ' || b[j] >= 0x7f {
					b[j] = '?'
				}
			}
			return string(b)
		}
	}
	return s
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
		if s.tokenPath(escaped) {
			return s.serveToken(w, r)
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return writeError(w, http.StatusMethodNotAllowed, ErrorResponse{
				Error:   "method_not_allowed",
				Message: "the method is not declared for this path; allowed: " + strings.Join(allow, ", "),
			})
		}
		return writeError(w, http.StatusNotFound, ErrorResponse{Error: "not_found", Message: "no operation matches this path"})
	}

	s.prepare(op)
	if problems, challenges := checkSecurity(op.security, r); problems != nil {
		for _, c := range challenges {
			w.Header().Add("WWW-Authenticate", c)
		}
		return s.fail(w, r, op, http.StatusUnauthorized, ErrorResponse{
			Error:   "unauthorized",
			Message: "missing credentials: " + describeAlternatives(op.security),
			Details: problems,
		})
	}

	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.maxBody+1))
		if err != nil {
			return s.fail(w, r, op, http.StatusBadRequest, ErrorResponse{Error: "bad_request", Message: "cannot read the request body"})
		}
		if int64(len(b)) > s.cfg.maxBody {
			return s.fail(w, r, op, http.StatusRequestEntityTooLarge, ErrorResponse{
				Error: "payload_too_large", Message: "the request body exceeds " + strconv.FormatInt(s.cfg.maxBody, 10) + " bytes",
			})
		}
		body = b
	}

	chk := s.checkers(op)
	problems, echo := s.validateRequest(op, chk, r, pp, body)
	if len(problems) > 0 {
		return s.fail(w, r, op, http.StatusBadRequest, ErrorResponse{
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
	src := &paramSource{sd: s.sd, r: r, path: pp, query: r.URL.Query()}
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
		v = formValue(s.sd, q, bm)
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
func formValue(sd schemaDoc, q url.Values, bm *bodyMedia) map[string]any {
	out := make(map[string]any, len(q))
	for k, vs := range q {
		ps := sd.property(bm.schema, k)
		if slices.Contains(sd.types(ps), "array") {
			p := &param{name: k, in: "query", style: "form", explode: true, schema: ps}
			out[k] = p.array(sd, vs)
			continue
		}
		out[k] = coerce(sd, vs[0], ps)
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

// defaultBody returns the default value of a response media type: its
// example, else its first named example (in name order), else a value
// synthesized from its schema. It is computed once.
func (s *Server) defaultBody(m *media) (any, bool, []byte, error) {
	m.once.Do(func() {
		switch {
		case m.hasEx:
			m.val, m.has = m.example, true
		default:
			if v, ok := firstValue(m.examples); ok {
				m.val, m.has = v, true
			} else if m.ptr != "" {
				key := m.resp.op.method + " " + m.resp.op.path + " " + m.resp.code + " " + m.name
				m.val, m.sites, m.err = s.synthesize(m.ptr, key, dirResponse, s.responseChecker(m))
				m.has, m.synth = m.err == nil, true
			}
		}
		if m.has {
			m.bytes, m.ct, m.err = s.encode(m.name, m.val, m.schema)
		}
		if !m.synth || !isJSON(m.name) {
			m.sites = nil
		}
	})
	return m.val, m.has, m.bytes, m.err
}

// firstValue returns the example value of the first name, in name order.
func firstValue(examples map[string]any) (any, bool) {
	if len(examples) == 0 {
		return nil, false
	}
	keys := sortedKeys(examples)
	return examples[keys[0]], true
}

// synthesize builds a value for the schema at ptr and the echo sites in it
// (see synth.go). When chk is not nil the value is checked, and the
// attempts are tried in turn until one validates; when none does, the
// first is used and a warning logged.
func (s *Server) synthesize(ptr, key string, dir direction, chk checker) (any, []*echoSite, error) {
	sch, ok := s.sd.lookup(ptr)
	if !ok {
		return nil, nil, fmt.Errorf("no schema at %s", ptr)
	}
	seed := seedFor(s.cfg.seed, key)
	var first any
	var firstSites []*echoSite
	var firstProblems []violation
	for i, a := range attempts {
		g := newGen(s.sd, dir, seed, a, s.cfg.synthNodes, s.cfg.synthDepth)
		v, ok, _ := g.value([]any{sch}, 0, false, nil)
		if !ok {
			return nil, nil, fmt.Errorf("no value satisfies the schema at %s", ptr)
		}
		if chk == nil {
			return v, g.sites, nil
		}
		problems := chk.check(v)
		if len(problems) == 0 {
			return v, g.sites, nil
		}
		if i == 0 {
			first, firstSites, firstProblems = v, g.sites, problems
		}
	}
	s.log.Warn("mock: no synthesized value validates against its schema; sending one anyway",
		"pointer", ptr, "violation", firstProblems[0].pointer+": "+firstProblems[0].message)
	return first, firstSites, nil
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
	s.setHeaders(w, resp)
	m := pickMedia(resp.media, r.Header.Get("Accept"))
	if m == nil {
		w.WriteHeader(status)
		return status
	}
	var out []byte
	var ct string
	if v, ok := m.examples[exName]; exName != "" && ok {
		b, c, err := s.encode(m.name, v, m.schema)
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
		if m.synth && s.cfg.echo && len(echo) > 0 && len(m.sites) > 0 {
			valid := func(v any) bool { return s.stillValid(m, v) }
			if b, changed := echoBody(m, val, echo, valid); changed {
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

// stillValid reports whether an echoed body validates against m's schema
// (each echoed string was checked on its own; this catches a combination
// that breaks, such as items of a uniqueItems array made equal, or a oneOf
// that no longer matches exactly one alternative).
func (s *Server) stillValid(m *media, v any) bool {
	chk := s.responseChecker(m)
	return chk == nil || len(chk.check(v)) == 0
}

// setHeaders sets the declared headers of resp, each with its example or a
// synthesized value computed once.
func (s *Server) setHeaders(w http.ResponseWriter, resp *response) {
	for _, h := range s.headers(resp) {
		h.once.Do(func() {
			if v, ok := s.headerValue(resp, h); ok {
				h.text, h.ok = headerText(v), true
			}
		})
		if h.ok {
			w.Header().Set(h.name, h.text)
		}
	}
}

// headerValue returns a response header's example or synthesized value.
func (s *Server) headerValue(resp *response, h *header) (any, bool) {
	if h.hasEx {
		return h.example, true
	}
	if h.ptr == "" {
		return nil, false
	}
	v, _, err := s.synthesize(h.ptr, resp.op.method+" "+resp.op.path+" "+resp.code+" header "+h.name, dirResponse, s.compile(h.ptr, dirResponse))
	return v, err == nil
}

// fail answers a routed request with an error of the mock's own (401, 400,
// 413). When the operation declares a response for that status (the exact
// code, else its range, else default) with a JSON media type, the answer
// uses that media type and a body valid against its schema: the mock's
// ErrorResponse (as problem details for application/problem+json) when it
// validates, else the declared example or a synthesized body with the
// message written into its message-like properties. Otherwise the answer
// is the JSON ErrorResponse.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, op *operation, status int, e ErrorResponse) int {
	resp, _ := op.findResponse(status)
	if resp == nil {
		return writeError(w, status, e)
	}
	var m *media
	if pm := pickMedia(resp.media, r.Header.Get("Accept")); pm != nil && isJSON(pm.name) {
		m = pm
	} else {
		for _, c := range resp.media {
			if isJSON(c.name) {
				m = c
				break
			}
		}
	}
	if m == nil {
		if len(resp.media) > 0 {
			return writeError(w, status, e)
		}
		s.setHeaders(w, resp)
		w.WriteHeader(status)
		return status
	}
	body := s.errorBody(m, status, e)
	ct := m.name
	if strings.Contains(ct, "*") {
		ct = "application/json"
	}
	s.setHeaders(w, resp)
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

// errorBody returns the first of these bodies that validates against m's
// schema: the error in full, the error in brief, the media type's default
// body (example or synthesized) with the message written in, that body as
// it is.
func (s *Server) errorBody(m *media, status int, e ErrorResponse) []byte {
	cands := errorValues(m.name, status, e)
	chk := s.responseChecker(m)
	if chk == nil {
		return appendJSON(nil, cands[0], nil)
	}
	for _, c := range cands {
		if len(chk.check(c)) == 0 {
			return appendJSON(nil, c, nil)
		}
	}
	val, has, b, err := s.defaultBody(m)
	if err != nil || !has {
		return appendJSON(nil, cands[0], nil)
	}
	if v, ok := overlayError(val, status, e); ok && len(chk.check(v)) == 0 {
		return appendJSON(nil, v, nil)
	}
	return b
}

// errorValues is the error as the mock writes it, in full and in brief:
// an ErrorResponse, or RFC 9457 problem details for a problem+json media
// type (with the error code and details as extension members).
func errorValues(mediaType string, status int, e ErrorResponse) []any {
	details := make([]any, len(e.Details))
	for i, p := range e.Details {
		d := map[string]any{"in": p.In, "pointer": p.Pointer, "message": p.Message}
		if p.Name != "" {
			d["name"] = p.Name
		}
		details[i] = d
	}
	if strings.Contains(mediaType, "problem+json") {
		brief := map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": float64(status), "detail": e.longMessage()}
		full := clone(brief).(map[string]any)
		full["detail"] = e.Message
		full["error"] = e.Error
		if len(details) > 0 {
			full["details"] = details
		}
		return []any{full, brief}
	}
	full := map[string]any{"error": e.Error, "message": e.Message}
	if len(details) > 0 {
		full["details"] = details
	}
	return []any{full, map[string]any{"error": e.Error, "message": e.longMessage()}}
}

// longMessage is the message followed by the details, for bodies that
// have no place for the details.
func (e ErrorResponse) longMessage() string {
	if len(e.Details) == 0 {
		return e.Message
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for i, p := range e.Details {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.In)
		if p.Name != "" {
			b.WriteString(" " + p.Name)
		}
		if p.Pointer != "" {
			b.WriteString(" " + p.Pointer)
		}
		b.WriteString(": " + p.Message)
	}
	return b.String()
}

// overlayError writes the error into a copy of an object body where its
// properties already hold a value of the same type.
func overlayError(v any, status int, e ErrorResponse) (any, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := clone(obj).(map[string]any)
	set := func(keys []string, val any) {
		for _, k := range keys {
			if old, ok := out[k]; ok && jsonType(old) == jsonType(val) {
				out[k] = val
			}
		}
	}
	set([]string{"message", "detail", "error_description", "error_message", "description"}, e.longMessage())
	set([]string{"title"}, http.StatusText(status))
	set([]string{"error", "error_type", "code"}, e.Error)
	set([]string{"status", "status_code", "code"}, float64(status))
	return out, true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
