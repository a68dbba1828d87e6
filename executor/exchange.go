package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/antchfx/xmlquery"

	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/httpenc"
	"github.com/telaio/telaio/internal/jsonval"
)

// exchange is one HTTP exchange of a step attempt, as expressions see it.
type exchange struct {
	url, method string
	reqHeader   http.Header
	query, path map[string]any
	reqBody     any
	hasReqBody  bool

	resp        *http.Response
	status      int
	respHeader  http.Header
	respBody    any
	hasRespBody bool
	// contractFailed is set when a contract check of severity error failed.
	contractFailed bool
}

// errContract fails an attempt whose request breaks the contract.
var errContract = errors.New("the request breaks the operation's contract (see violations)")

// attempt runs one attempt of a step (the host's half of the seam, see
// interp.go): the HTTP exchange, or for a step that calls a workflow the
// evaluation after the call; then the success criteria, the step's outputs,
// the criteria of the actions the interpreter will select from, and the
// Retry-After header. A fatal outcome ends the run (cancellation, limits,
// refused credentials); transport failures are step failures that actions
// may handle.
func (rs *runState) attempt(ctx context.Context, f *frame, x *stepExec) outcome {
	if rs.tel != nil {
		return rs.tel.attempt(ctx, f, x, rs.runAttempt)
	}
	return rs.runAttempt(ctx, f, x)
}

func (rs *runState) runAttempt(ctx context.Context, f *frame, x *stepExec) outcome {
	wr, sp, sr := f.run, x.sp, x.sr
	at := &attempt{}
	var fatal error
	if x.call != nil {
		fatal = rs.afterCall(ctx, wr, sp, sr, at, x.call)
	} else {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if sp.timeout > 0 {
			// The step's timeout bounds each attempt (E12).
			actx, cancel = context.WithTimeoutCause(ctx, sp.timeout, errStepTimeout)
		}
		if sp.msg != nil {
			fatal = rs.executeMessage(actx, ctx, wr, sp, sr, at)
		} else {
			fatal = rs.execute(actx, ctx, wr, sp, sr, at)
		}
		cancel()
		if at.ex != nil && at.ex.resp != nil {
			wr.lastEx = at.ex
		}
	}
	if fatal != nil {
		return outcome{fatal: fatal}
	}
	ev := rs.scope(wr, sp, at)
	outs, err := rs.evalOutputs(ctx, wr, sp.outputs, ev)
	if ae := (*attemptError)(nil); errors.As(err, &ae) {
		// An output selector failed (E25): the attempt fails, and the
		// failure actions apply.
		at.success, at.err, err = false, ae, nil
		sr.Success, sr.Error = false, rs.mask.apply(ae.Error())
	}
	if err != nil {
		return outcome{fatal: &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: codeOf(err, CodeLimit), Err: err}}
	}
	o := outcome{success: at.success, cause: at.err, outputs: outs}
	if x.isTarget {
		return o
	}
	list := &o.onFailure
	acts := sp.onFailure
	if o.success {
		list, acts = &o.onSuccess, sp.onSuccess
	}
	*list = make([]bool, len(acts))
	for i, a := range acts {
		ok, err := rs.actionMatches(ctx, a, ev)
		if err != nil {
			return outcome{fatal: &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: ctxCode(err), Err: err}}
		}
		(*list)[i] = ok
		if ok && a.params != nil {
			// E21: evaluated in the step's context, they are the target
			// workflow's only inputs.
			in := map[string]any{}
			for _, p := range a.params {
				v, present, err := rs.evalValue(ctx, p.value, ev)
				if err != nil {
					return outcome{fatal: &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: codeOf(err, CodeRequest),
						Err: fmt.Errorf("action %q parameter %q: %w", a.name, p.name, err)}}
				}
				if present {
					in[p.name] = v
				}
			}
			if o.actionInputs == nil {
				o.actionInputs = map[int]map[string]any{}
			}
			o.actionInputs[i] = in
		}
	}
	if at.ex != nil && at.ex.resp != nil {
		o.retryAfter, o.hasRetryAfter = parseRetryAfter(at.ex.respHeader.Get("Retry-After"), rs.e.cfg.clock())
	}
	return o
}

// actionMatches reports whether every criterion of an action holds (an
// action without criteria always matches, D10). A criterion that cannot be
// evaluated does not hold, with a warning; an error is returned only when
// ctx ended.
func (rs *runState) actionMatches(ctx context.Context, a *actionPlan, ev *scope) (bool, error) {
	for _, c := range a.criteria {
		pass, err := c.c.EvalContext(ctx, ev)
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			rs.warn("action criterion failed to evaluate", "action", a.name, "error", rs.mask.apply(err.Error()))
		}
		if !pass {
			return false, nil
		}
	}
	return true, nil
}

// execute runs the HTTP exchange of an operation step and its success
// criteria.
// ctx bounds the attempt (the step's timeout, when it has one), runCtx the
// run: the end of runCtx stops the run, the end of ctx alone fails the
// attempt (failure actions may retry it, E12).
func (rs *runState) execute(ctx, runCtx context.Context, wr *wfRun, sp *stepPlan, sr *StepResult, at *attempt) error {
	if sp.op == nil {
		return &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Code: CodeRequest, Err: errors.New("the step's operation was not resolved")}
	}
	timedOut := func() error {
		err := &attemptError{code: CodeTimeout, err: fmt.Errorf("the step's timeout of %v was reached (E12)", sp.timeout)}
		sr.Error = err.Error()
		at.err = err
		return nil
	}
	ex, err := rs.send(ctx, wr, sp, sr)
	at.ex = ex
	if ex != nil && ex.resp != nil {
		sr.StatusCode = ex.status
	}
	if err != nil {
		if cerr := runCtx.Err(); cerr != nil {
			return &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: ctxCode(cerr), Err: cerr}
		}
		if context.Cause(ctx) == errStepTimeout {
			at.ex = nil // no response to read (E12: $statusCode and $response are null)
			return timedOut()
		}
		var se *StepError
		if errors.As(err, &se) {
			return err
		}
		sr.Error = rs.mask.apply(err.Error())
		at.err = err
		return nil
	}
	sr.Error = ""
	ok, err := rs.criteria(ctx, wr, sp, sr, at)
	if err != nil {
		if cerr := runCtx.Err(); cerr != nil {
			return &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: ctxCode(cerr), Err: cerr}
		}
		return timedOut()
	}
	at.success = ok
	if ex.contractFailed {
		at.success = false
		sr.Error = "the response breaks the operation's contract: " + firstViolation(sr)
	}
	return nil
}

// criteria evaluates the success criteria; none means success once a
// response arrived (D8). An error is returned only when ctx ended: a
// criterion stopped then is neither met nor unmet.
func (rs *runState) criteria(ctx context.Context, wr *wfRun, sp *stepPlan, sr *StepResult, at *attempt) (bool, error) {
	ev := rs.scope(wr, sp, at)
	ok := true
	sr.Criteria = sr.Criteria[:0]
	for _, c := range sp.criteria {
		pass, err := c.c.EvalContext(ctx, ev)
		if err != nil && ctx.Err() != nil {
			return false, ctx.Err()
		}
		cr := CriterionResult{Condition: c.text, Type: c.typ, Passed: pass}
		if err != nil {
			cr.Error = rs.mask.apply(err.Error())
		}
		sr.Criteria = append(sr.Criteria, cr)
		ok = ok && pass
	}
	return ok, nil
}

// querystring renders an OpenAPI 3.2 querystring parameter (E17, E18): for
// application/x-www-form-urlencoded the template's literal text is taken as
// already encoded and only the values it embeds are form-encoded; for any
// other media type the whole rendered string is percent-encoded (RFC 3986
// unreserved characters kept). A value that is not a string, or a template
// embedding an object, is an error.
func (rs *runState) querystring(ctx context.Context, ev *scope, p *paramPlan) (string, error) {
	mt, _, _ := mime.ParseMediaType(p.queryType)
	form := mt == "" || mt == "application/x-www-form-urlencoded"
	var b strings.Builder
	for _, part := range p.query.Parts {
		if part.Expr == nil {
			b.WriteString(part.Lit)
			continue
		}
		v, ok, err := part.Expr.Eval(ev)
		if err != nil {
			return "", err
		}
		if !ok {
			continue
		}
		var s string
		switch x := v.(type) {
		case map[string]any, []any:
			if len(p.query.Parts) == 1 {
				return "", fmt.Errorf("a querystring value must be a string, not %s (E17)", jsonType(x))
			}
			s = expr.Stringify(x)
		default:
			s = expr.Stringify(x)
		}
		if form {
			s = url.QueryEscape(s)
		}
		b.WriteString(s)
	}
	q := b.String()
	if int64(len(q)) > rs.e.cfg.limits.MaxValueBytes {
		return "", rs.valueLimit()
	}
	if !form {
		q = percentEscape(q, isUnreserved)
	}
	return q, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// evalValue evaluates a parameter value, payload or replacement value under
// the run's context and Limits.MaxValueBytes (a *LimitError over it).
func (rs *runState) evalValue(ctx context.Context, v *expr.Value, ev *scope) (any, bool, error) {
	x, ok, err := v.EvalContext(ctx, ev, expr.MaxBytes(rs.e.cfg.limits.MaxValueBytes))
	var le *expr.LimitError
	if errors.As(err, &le) && le.Code == expr.CodeValueTooLarge {
		return nil, false, rs.valueLimit()
	}
	return x, ok, err
}

func (rs *runState) valueLimit() *LimitError {
	return &LimitError{Limit: LimitValueBytes, Value: rs.e.cfg.limits.MaxValueBytes}
}

// codeOf is the code of a step error caused by err: limit-exceeded for a
// *LimitError, canceled or timeout when the context ended, else code.
func codeOf(err error, code string) string {
	var le *LimitError
	switch {
	case errors.As(err, &le):
		return CodeLimit
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	}
	return code
}

// callInputs evaluates the parameters of a step that calls a workflow: the
// callee's inputs.
func (rs *runState) callInputs(ctx context.Context, f *frame, x *stepExec) (map[string]any, error) {
	in, err := rs.evalCallInputs(ctx, f, x)
	if rs.tel != nil {
		rs.tel.called(ctx, f, x, err)
	}
	return in, err
}

func (rs *runState) evalCallInputs(ctx context.Context, f *frame, x *stepExec) (map[string]any, error) {
	wr, sp := f.run, x.sp
	ev := rs.scope(wr, sp, nil)
	in := map[string]any{}
	for _, p := range sp.params {
		v, ok, err := rs.evalValue(ctx, p.value, ev)
		if err != nil {
			return nil, &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Code: codeOf(err, CodeRequest), Err: fmt.Errorf("parameter %q: %w", p.name, err)}
		}
		if ok {
			in[p.name] = v
		}
	}
	return in, nil
}

// afterCall evaluates a step that called a workflow, once the callee ended:
// its failure fails the attempt (actions may handle it), except a limit or
// the end of the run's context, which stop the run.
func (rs *runState) afterCall(ctx context.Context, wr *wfRun, sp *stepPlan, sr *StepResult, at *attempt, c *callResult) error {
	at.callee, at.calleeRun = c.res, c.run
	if c.run != nil {
		// $statusCode and $response read the called workflow's last
		// exchange (replacing D25's null).
		at.ex = c.run.lastEx
	}
	if err := c.err; err != nil {
		var se *StepError
		if errors.As(err, &se) && (se.Code == CodeLimit || (se.Code == CodeCanceled || se.Code == CodeTimeout) && ctx.Err() != nil) {
			return err
		}
		// A called workflow stopped by this step's timeout (E12) fails
		// the attempt with code timeout, as an operation step does;
		// actions may handle it.
		if sp.timeout > 0 && ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errStepTimeout) || se != nil && se.Code == CodeTimeout) {
			at.err = &attemptError{code: CodeTimeout, err: fmt.Errorf("the step's timeout of %v was reached (E12): %w", sp.timeout, err)}
			sr.Error = rs.mask.apply(at.err.Error())
			return nil
		}
		sr.Error = rs.mask.apply(err.Error())
		return nil
	}
	ok, err := rs.criteria(ctx, wr, sp, sr, at)
	if err != nil {
		return &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: ctxCode(err), Err: err}
	}
	at.success = c.res.Success && ok
	return nil
}

// send builds the request of an operation step, sends it and reads the
// response.
func (rs *runState) send(ctx context.Context, wr *wfRun, sp *stepPlan, sr *StepResult) (*exchange, error) {
	ex := &exchange{method: sp.op.Method}
	ev := rs.scope(wr, sp, &attempt{ex: ex})
	base, err := sp.source.serverURL(sp.op)
	if err != nil {
		return ex, &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: CodeRequest, Err: err}
	}
	rs.lastBase = base
	path := sp.op.Path
	var pairs []httpenc.QueryPair
	hdr := http.Header{}
	var cookies []string
	cookieNames := map[string]bool{}
	buildErr := func(err error) error {
		return &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: codeOf(err, CodeRequest), Err: err}
	}
	var querystring string
	for _, p := range sp.params {
		if p.query != nil {
			q, err := rs.querystring(ctx, ev, p)
			if err != nil {
				return ex, buildErr(fmt.Errorf("parameter %q: %w", p.name, err))
			}
			querystring = q
			continue
		}
		v, ok, err := rs.evalValue(ctx, p.value, ev)
		if err != nil {
			return ex, buildErr(fmt.Errorf("parameter %q: %w", p.name, err))
		}
		if !ok {
			continue // absent values are omitted
		}
		enc := p.enc
		sv := v
		if p.json {
			b, err := httpenc.EncodeJSON(v)
			if err != nil {
				return ex, buildErr(fmt.Errorf("parameter %q: %v", p.name, err))
			}
			sv = string(b)
		}
		if err := rs.addParam(ex, p, enc, v, sv, &path, &pairs, hdr, &cookies, cookieNames); err != nil {
			return ex, buildErr(err)
		}
	}
	if i := strings.IndexByte(path, '{'); i >= 0 {
		if j := strings.IndexByte(path[i:], '}'); j > 0 {
			return ex, buildErr(fmt.Errorf("path parameter %q has no value", path[i+1:i+j]))
		}
	}
	u := base + path
	if len(pairs) > 0 {
		u += "?" + httpenc.EncodeQuery(pairs)
	}
	if querystring != "" {
		if len(pairs) > 0 {
			u += "&" + querystring
		} else {
			u += "?" + querystring
		}
	}
	var body []byte
	if sp.body != nil {
		body, err = rs.encodeBody(ctx, ev, sp, ex, hdr)
		if err != nil {
			return ex, buildErr(err)
		}
	}
	if len(cookies) > 0 {
		hdr.Set("Cookie", strings.Join(cookies, "; "))
	}
	reqCtx, cancel := context.WithTimeout(ctx, rs.e.cfg.limits.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, sp.op.Method, u, bytes.NewReader(body))
	if err != nil {
		return ex, buildErr(fmt.Errorf("cannot build the request: %v", err))
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if a := req.Header.Get("Authorization"); a != "" {
		// An Authorization header given as a step parameter is sent as
		// given, and masked in the trace.
		if _, cred, ok := strings.Cut(a, " "); ok {
			rs.mask.add(strings.TrimSpace(cred))
		}
		rs.mask.add(a)
	}
	rs.usedTokens = rs.usedTokens[:0]
	if err := rs.applySecurity(ctx, req, sp); err != nil {
		code := CodeInsecure
		if errors.As(err, new(badCredential)) {
			code = CodeAuth
		}
		return ex, &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: code, Err: err}
	}
	ex.url = req.URL.String()
	ex.reqHeader = req.Header
	chk := &checker{rs: rs, sp: sp, sr: sr, attempt: sr.Attempts}
	chk.checkRequest(ex, hdr, cookieNames)
	trace := &Exchange{Attempt: sr.Attempts, Request: &Request{Method: req.Method, URL: rs.mask.url(ex.url), Headers: rs.mask.headers(req.Header)}}
	if body != nil {
		rs.traceRequestBody(trace.Request, body, req.Header.Get("Content-Type"))
	}
	sr.Exchanges = append(sr.Exchanges, trace)
	if chk.failed {
		trace.Error = "not sent: the request breaks the operation's contract"
		return ex, errContract
	}
	rs.emit(Event{Kind: RequestSent, WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Depth: wr.depth, Request: trace.Request})
	if l := rs.logger(); l != nil {
		l.Debug("request", "workflow", wr.plan.id, "step", sp.id, "method", req.Method, "url", trace.Request.URL)
	}
	start := time.Now()
	resp, err := rs.client().Do(req)
	if err != nil {
		trace.Error = rs.mask.apply(err.Error())
		if ctx.Err() != nil {
			return ex, ctx.Err()
		}
		return ex, &attemptError{code: CodeTransport, err: fmt.Errorf("%s %s: %w", req.Method, trace.Request.URL, rs.transportError(err, reqCtx))}
	}
	if resp.StatusCode == http.StatusUnauthorized {
		// The API refused the token: never serve it from the cache again.
		for _, t := range rs.usedTokens {
			rs.e.tokens.forget(t.key, t.token)
		}
	}
	data, rerr := readBody(resp, rs.e.cfg.limits.MaxResponseBytes)
	resp.Body.Close()
	elapsed := time.Since(start)
	ex.resp, ex.status, ex.respHeader = resp, resp.StatusCode, resp.Header
	trace.Response = &Response{StatusCode: resp.StatusCode, Headers: rs.mask.headers(resp.Header), Duration: elapsed}
	if rerr != nil {
		trace.Error = rs.mask.apply(rerr.Error())
		if ctx.Err() != nil {
			return ex, ctx.Err()
		}
		var le *LimitError
		if errors.As(rerr, &le) {
			// Not an answer the workflow can act on: the run stops.
			return ex, &StepError{WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Code: CodeLimit, Err: le}
		}
		code := CodeResponse
		if isTimeout(rerr) {
			code = CodeTransport
		}
		return ex, &attemptError{code: code, err: fmt.Errorf("%s %s: reading the response body: %w", req.Method, trace.Request.URL, rs.transportError(rerr, reqCtx))}
	}
	ct := resp.Header.Get("Content-Type")
	var derr error
	var isJSON bool
	ex.respBody, ex.hasRespBody, isJSON, derr = decodeBody(ct, data)
	// The trace keeps the bytes (cut, masked), never the decoded tree:
	// expressions read that while this attempt runs.
	rs.traceResponseBody(trace.Response, data, ct, isJSON && derr == nil)
	if derr != nil {
		trace.Error = rs.mask.apply(derr.Error())
		rs.emit(Event{Kind: ResponseReceived, WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Depth: wr.depth, Request: trace.Request, Response: trace.Response})
		return ex, &attemptError{code: CodeResponse, err: fmt.Errorf("%s %s: status %d: %w", req.Method, trace.Request.URL, resp.StatusCode, derr)}
	}
	chk.checkResponse(ex)
	ex.contractFailed = chk.failed
	rs.emit(Event{Kind: ResponseReceived, WorkflowID: wr.plan.id, StepID: sp.id, Attempt: sr.Attempts, Depth: wr.depth, Request: trace.Request, Response: trace.Response})
	return ex, nil
}

// client is the engine's HTTP client with the run's redirect policy, made
// once per run: at most Limits.MaxRedirects redirects, and a redirect to
// another origin (scheme, host or port) than the first request's loses
// every header of it that carries a credential (the ones Go's client keeps
// for subdomains, and any whose value holds a secret the run knows, e.g. an
// API key header). The policy of a client given with WithHTTPClient is
// called afterwards.
func (rs *runState) client() *http.Client {
	if rs.httpClient != nil {
		return rs.httpClient
	}
	base := rs.e.cfg.client
	c := *base
	if rs.tel != nil && rs.tel.t.tracing {
		c.Transport = rs.tel.transport(base.Transport)
	}
	userCheck := base.CheckRedirect
	maxRedirects := rs.e.cfg.limits.MaxRedirects
	origin := func(u *url.URL) string {
		return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects (Limits.MaxRedirects); the last one went to %s", len(via), rs.mask.url(req.URL.Redacted()))
		}
		if !rs.e.cfg.privateRedirs {
			if err := checkRedirectTarget(req, via[0].URL); err != nil {
				return err
			}
		}
		if first := via[0]; origin(req.URL) != origin(first.URL) {
			for k, vs := range first.Header {
				switch http.CanonicalHeaderKey(k) {
				case "Authorization", "Proxy-Authorization", "Cookie", "Cookie2":
					req.Header.Del(k)
					continue
				}
				for _, v := range vs {
					if rs.mask.holds(v) {
						req.Header.Del(k)
						break
					}
				}
			}
		}
		if userCheck != nil {
			return userCheck(req, via)
		}
		return nil
	}
	rs.httpClient = &c
	return rs.httpClient
}

// transportError turns an error of the HTTP client into the cause to
// report: the *url.Error around it is dropped (the caller names method and
// URL), and a timeout says which limit it hit.
func (rs *runState) transportError(err error, reqCtx context.Context) error {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		inner = ue.Err
	}
	if errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timeout: no complete response within %v (Limits.RequestTimeout): %w", rs.e.cfg.limits.RequestTimeout, inner)
	}
	if isTimeout(err) {
		return fmt.Errorf("timeout: %w", inner)
	}
	return inner
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &te) && te.Timeout()
}

// readBody reads at most max bytes of the response body; a body declared
// or found longer is a *LimitError. A declared length is read in one
// allocation.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	if resp.ContentLength > max {
		return nil, &LimitError{Limit: LimitResponseBytes, Value: max}
	}
	var buf []byte
	if n := resp.ContentLength; n >= 0 {
		// Declared: one allocation instead of growing by doubling; a body
		// that runs longer is read on under the cap.
		buf = make([]byte, 0, n+1)
	}
	data, err := readAllInto(buf, io.LimitReader(resp.Body, max+1))
	if int64(len(data)) > max {
		return nil, &LimitError{Limit: LimitResponseBytes, Value: max}
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

// readAllInto is io.ReadAll appending to buf.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	if cap(buf) < 512 {
		buf = make([]byte, 0, 512)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// decodeBody decodes a JSON body into the JSON data model (with the
// compact decoder of internal/jsonval: its strings do not keep data
// alive); other bodies are kept as text. isJSON reports a JSON body. A body
// whose media type is JSON but which does not parse (truncated, or not
// JSON at all) is an error, with the body kept as text; an empty or blank
// body is no body.
func decodeBody(contentType string, data []byte) (v any, has, isJSON bool, err error) {
	if len(data) == 0 {
		return nil, false, false, nil
	}
	if kindOf(contentType) == bodyJSON {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, false, false, nil
		}
		v, err := jsonval.Decode(data)
		if err != nil {
			return string(data), true, false, fmt.Errorf("the response body is not valid JSON (Content-Type %s): %s", contentType, jsonProblem(err, len(data)))
		}
		return v, true, true, nil
	}
	if contentType == "" {
		if v, err := jsonval.Decode(data); err == nil {
			return v, true, true, nil
		}
	}
	return string(data), true, false, nil
}

// jsonProblem describes a JSON syntax error with its position (Offset
// counts the bytes read, the offending one included).
func jsonProblem(err error, n int) string {
	var de *jsonval.DecodeError
	if errors.As(err, &de) {
		if strings.HasPrefix(de.Msg, "unexpected end") {
			return fmt.Sprintf("%v (the body ends after %d bytes: truncated?)", de, n)
		}
		return fmt.Sprintf("%v at byte %d of %d", de, de.Offset, n)
	}
	return err.Error()
}

// encodeBody evaluates the payload, applies the replacements in order (D29)
// and serializes it for the content type.
func (rs *runState) encodeBody(ctx context.Context, ev *scope, sp *stepPlan, ex *exchange, hdr http.Header) ([]byte, error) {
	pb, err := rs.buildBody(ctx, ev, sp)
	if err != nil || !pb.present {
		return nil, err
	}
	hdr.Set("Content-Type", pb.contentType)
	ex.reqBody, ex.hasReqBody = pb.value, true
	return pb.bytes, nil
}

// builtBody is a request body or message payload as built: the value
// expressions read ($request.body, $message.payload) and the bytes sent.
type builtBody struct {
	present     bool
	value       any
	bytes       []byte
	contentType string
}

// buildBody evaluates the payload, applies the replacements in order (D29)
// and serializes it for the content type.
func (rs *runState) buildBody(ctx context.Context, ev *scope, sp *stepPlan) (builtBody, error) {
	bp := sp.body
	var payload any
	present := false
	if bp.payload != nil {
		v, ok, err := rs.evalValue(ctx, bp.payload, ev)
		if err != nil {
			return builtBody{}, fmt.Errorf("request body: %w", err)
		}
		payload, present = v, ok
	}
	if len(bp.replacements) > 0 {
		var err error
		// An Arazzo 1.1 request body without payload starts from {} (E28).
		create := !present && bp.payload == nil && sp.wf.doc.Is11()
		if payload, err = rs.replace(ctx, ev, bp, payload, create); err != nil {
			return builtBody{}, err
		}
		present = true
		if _, ok := expr.JSONSize(payload, rs.e.cfg.limits.MaxValueBytes); !ok {
			return builtBody{}, fmt.Errorf("request body: %w", rs.valueLimit())
		}
	}
	if !present {
		return builtBody{}, nil
	}
	ct := bp.contentType
	var body []byte
	var err error
	switch s := payload.(type) {
	case string:
		body = []byte(s) // string payloads are sent verbatim
	case []byte:
		body = s
	default:
		switch bp.kind {
		case bodyForm:
			body, err = httpenc.EncodeForm(payload)
		case bodyMultipart:
			body, ct, err = httpenc.EncodeMultipart(payload, "")
		case bodyXML:
			body, err = httpenc.EncodeXML(payload)
		default:
			body, err = httpenc.EncodeJSON(payload)
		}
	}
	if err != nil {
		return builtBody{}, fmt.Errorf("request body: %v", err)
	}
	value := payload
	if bp.kind == bodyJSON {
		if s, ok := payload.(string); ok {
			var v any
			if json.Unmarshal([]byte(s), &v) == nil {
				value = v
			}
		}
	}
	return builtBody{present: true, value: value, bytes: body, contentType: ct}, nil
}

// replace applies payload replacements: JSON pointers on JSON-like payloads
// (a JSON string payload is decoded first), XPath on XML.
func (rs *runState) replace(ctx context.Context, ev *scope, bp *bodyPlan, payload any, create bool) (any, error) {
	if bp.kind == bodyXML {
		s, _ := payload.(string)
		doc, err := xmlquery.Parse(strings.NewReader(s))
		if err != nil {
			return nil, fmt.Errorf("request body: replacements need an XML payload: %v", err)
		}
		for _, r := range bp.replacements {
			v, ok, err := rs.evalValue(ctx, r.value, ev)
			if err != nil {
				return nil, fmt.Errorf("replacement %q: %w", r.target, err)
			}
			if !ok {
				continue
			}
			nodes := xmlquery.QuerySelectorAll(doc, r.xpath)
			if len(nodes) == 0 {
				return nil, fmt.Errorf("replacement target %q matches nothing in the payload (D29)", r.target)
			}
			for _, n := range nodes {
				setXMLText(n, expr.Stringify(v))
			}
		}
		return outputXML(doc, strings.HasPrefix(strings.TrimSpace(s), "<?xml")), nil
	}
	if s, ok := payload.(string); ok {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("request body: replacements need a JSON payload: %v", err)
		}
		payload = v
	}
	for _, r := range bp.replacements {
		v, ok, err := rs.evalValue(ctx, r.value, ev)
		if err != nil {
			return nil, fmt.Errorf("replacement %q: %w", r.target, err)
		}
		if !ok {
			continue
		}
		set := r.tgt.Set
		if create {
			set = r.tgt.SetCreate // E28: no payload, start from {}
		}
		if payload, err = set(ctx, payload, v); err != nil {
			return nil, fmt.Errorf("replacement %q: %v (D29)", r.target, err)
		}
	}
	return payload, nil
}

func setXMLText(n *xmlquery.Node, text string) {
	switch n.Type {
	case xmlquery.AttributeNode:
		if n.Parent != nil {
			for i, a := range n.Parent.Attr {
				if a.Name.Local == n.Data {
					n.Parent.Attr[i].Value = text
				}
			}
		}
	default:
		n.FirstChild, n.LastChild = nil, nil
		xmlquery.AddChild(n, &xmlquery.Node{Type: xmlquery.TextNode, Data: text})
	}
}

// parseRetryAfter reads a Retry-After header: delta-seconds or an HTTP-date
// (a date in the past is no wait). Anything else is ignored (false); huge
// values come back as one day, for the caller to cap.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	const day = int64(24 * time.Hour / time.Second)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if n < 0 {
			return 0, false
		}
		if n > day || err != nil { // the caller caps it further
			n = day
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func firstViolation(sr *StepResult) string {
	for _, v := range sr.Violations {
		if v.Severity == SeverityError {
			return v.String()
		}
	}
	return ""
}

// outputXML serializes a parsed document, with its XML declaration only when
// the payload had one.
func outputXML(doc *xmlquery.Node, decl bool) string {
	var b strings.Builder
	for n := doc.FirstChild; n != nil; n = n.NextSibling {
		if n.Type == xmlquery.DeclarationNode && !decl {
			continue
		}
		b.WriteString(n.OutputXML(true))
	}
	return b.String()
}

// addParam serializes one parameter value into the path, query, headers or
// cookies. v is the value as evaluated (what $request.* expressions see), sv
// the value to serialize.
func (rs *runState) addParam(ex *exchange, p *paramPlan, enc httpenc.Param, v, sv any, path *string, pairs *[]httpenc.QueryPair,
	hdr http.Header, cookies *[]string, cookieNames map[string]bool) error {
	switch p.in {
	case "path":
		s, err := enc.Path(sv)
		if err != nil {
			return err
		}
		if ex.path == nil {
			ex.path = map[string]any{}
		}
		ex.path[p.name] = v
		*path = strings.ReplaceAll(*path, "{"+p.name+"}", s)
	case "query":
		if ex.query == nil {
			ex.query = map[string]any{}
		}
		ex.query[p.name] = v
		if p.json {
			*pairs = append(*pairs, httpenc.QueryPair{Name: p.name, Value: sv.(string)})
			return nil
		}
		qp, err := enc.Query(sv)
		if err != nil {
			return err
		}
		*pairs = append(*pairs, qp...)
	case "header":
		s, err := enc.Header(sv)
		if err != nil {
			return err
		}
		// Header names differing only in case are one header on the wire:
		// the last one listed wins.
		hdr.Set(p.name, s)
	case "cookie":
		s, err := enc.Cookie(sv)
		if err != nil {
			return err
		}
		*cookies = append(*cookies, s)
		cookieNames[p.name] = true
	}
	return nil
}
