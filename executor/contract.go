package executor

import (
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"

	"github.com/telaio/telaio/internal/suggest"
	"github.com/telaio/telaio/oas"
	"github.com/telaio/telaio/schema"
)

// Contract checks compare each exchange with the OpenAPI operation it
// calls. Request checks run before the request is sent; response checks
// after the response arrives.
const (
	CheckRequestParameters = "request-parameters" // required parameters present, values valid
	CheckRequestBody       = "request-body"       // body valid against the request schema
	CheckResponseStatus    = "response-status"    // the status code is declared (or a range, or default)
	CheckResponseType      = "response-content-type"
	CheckResponseBody      = "response-body"    // body valid against the response schema
	CheckResponseHeaders   = "response-headers" // declared headers valid against their schemas
)

// checks lists the contract checks.
var checks = []string{CheckRequestParameters, CheckRequestBody, CheckResponseStatus, CheckResponseType, CheckResponseBody, CheckResponseHeaders,
	CheckMessagePayload, CheckMessageHeaders}

// Checks lists the names of the contract checks (a new slice each call).
func Checks() []string { return append([]string(nil), checks...) }

// Severity of a contract check.
type Severity string

const (
	// SeverityError fails the step.
	SeverityError Severity = "error"
	// SeverityWarn records the violation only.
	SeverityWarn Severity = "warn"
	// SeverityOff disables the check.
	SeverityOff Severity = "off"
)

// DefaultSeverity is the severity of a check unless set: error for
// responses, warn for requests.
func DefaultSeverity(check string) Severity {
	if strings.HasPrefix(check, "request-") {
		return SeverityWarn
	}
	return SeverityError
}

// WithCheck sets the severity of a contract check (see Checks).
func WithCheck(check string, sev Severity) Option {
	return func(cfg *config) error {
		known := false
		for _, c := range checks {
			known = known || c == check
		}
		if !known {
			return fmt.Errorf("%s", suggest.Unknown("check", check, checks))
		}
		if sev != SeverityError && sev != SeverityWarn && sev != SeverityOff {
			return fmt.Errorf("check %s: severity %q must be error, warn or off", check, sev)
		}
		if cfg.checks == nil {
			cfg.checks = map[string]Severity{}
		}
		cfg.checks[check] = sev
		return nil
	}
}

// Violation is a contract violation found in an exchange.
type Violation struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	Attempt  int      `json:"attempt"`
	// In locates the value: "body", "query.limit", "header.X-Rate", "status".
	In string `json:"in"`
	// InstancePath is the JSON pointer into the value, SchemaPath the
	// schema keyword that failed (absolute within the OpenAPI document).
	InstancePath string `json:"instancePath,omitempty"`
	SchemaPath   string `json:"schemaPath,omitempty"`
	Message      string `json:"message"`
}

func (v Violation) String() string {
	loc := v.In
	if v.InstancePath != "" {
		loc += v.InstancePath
	}
	return fmt.Sprintf("%s: %s: %s", v.Check, loc, v.Message)
}

// sentSeverity is the severity of a message check on a sent message: warn
// unless set (like request checks); received messages use severity.
func (e *Engine) sentSeverity(check string) Severity {
	if s, ok := e.cfg.checks[check]; ok {
		return s
	}
	return SeverityWarn
}

func (e *Engine) severity(check string) Severity {
	if s, ok := e.cfg.checks[check]; ok {
		return s
	}
	return DefaultSeverity(check)
}

// schemas returns the compiler of a source's schemas, built once per engine.
func (sp *sourcePlan) schemas() (*schema.OpenAPI, error) {
	sp.once.Do(func() { sp.compiler, sp.compErr = schema.NewOpenAPI(sp.doc.Raw) })
	return sp.compiler, sp.compErr
}

type checker struct {
	rs      *runState
	sp      *stepPlan
	sr      *StepResult
	attempt int
	failed  bool
}

func (c *checker) report(check, in string, err error) {
	sev := c.rs.e.severity(check)
	if sev == SeverityOff || err == nil {
		return
	}
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			c.add(Violation{Check: check, Severity: sev, In: in, InstancePath: v.InstancePath, SchemaPath: v.SchemaPath, Message: v.Message})
		}
		return
	}
	c.add(Violation{Check: check, Severity: sev, In: in, Message: err.Error()})
}

func (c *checker) add(v Violation) {
	v.Attempt = c.attempt
	v.Message = c.rs.mask.apply(v.Message)
	c.sr.Violations = append(c.sr.Violations, v)
	if v.Severity == SeverityError {
		c.failed = true
	}
}

func (c *checker) on(check string) bool { return c.rs.e.severity(check) != SeverityOff }

// checkRequest validates the parameters and body about to be sent.
func (c *checker) checkRequest(ex *exchange, hdr map[string][]string, cookies map[string]bool) {
	op := c.sp.op
	if c.on(CheckRequestParameters) {
		for _, p := range op.Parameters {
			v, present := paramValue(ex, hdr, cookies, p)
			if !present {
				if p.Required {
					c.report(CheckRequestParameters, p.In+"."+p.Name, fmt.Errorf("required %s parameter %q is missing", p.In, p.Name))
				}
				continue
			}
			if p.SchemaPointer == "" || v == nil {
				continue
			}
			s, err := c.compile(p.SchemaPointer, schema.Request)
			if err != nil {
				continue
			}
			c.report(CheckRequestParameters, p.In+"."+p.Name, s.Validate(coerce(v, s)))
		}
	}
	if c.on(CheckRequestBody) && op.Body != nil {
		if !ex.hasReqBody {
			if op.Body.Required {
				c.report(CheckRequestBody, "body", errors.New("the operation requires a request body"))
			}
			return
		}
		ct := ""
		if c.sp.body != nil {
			ct = c.sp.body.contentType
		}
		mt := op.Body.MediaType(ct)
		if mt == nil {
			c.report(CheckRequestBody, "body", fmt.Errorf("content type %q is not declared by the operation", ct))
			return
		}
		if mt.SchemaPointer == "" || kindOf(mt.Name) != bodyJSON && kindOf(mt.Name) != bodyForm {
			return
		}
		if _, isText := ex.reqBody.(string); isText && kindOf(mt.Name) == bodyJSON {
			return // a JSON text that did not parse is sent as is
		}
		s, err := c.compile(mt.SchemaPointer, schema.Request)
		if err == nil {
			c.report(CheckRequestBody, "body", s.Validate(ex.reqBody))
		}
	}
}

// paramValue finds the value sent for an OpenAPI parameter.
func paramValue(ex *exchange, hdr map[string][]string, cookies map[string]bool, p *oas.Parameter) (any, bool) {
	switch p.In {
	case "path":
		v, ok := ex.path[p.Name]
		return v, ok
	case "query":
		v, ok := ex.query[p.Name]
		return v, ok
	case "header":
		for k, vs := range hdr {
			if strings.EqualFold(k, p.Name) && len(vs) > 0 {
				return vs[0], true
			}
		}
	case "cookie":
		return nil, cookies[p.Name]
	}
	return nil, false
}

// coerce converts a string to the schema's scalar type when it parses, as a
// server reading the parameter text would.
func coerce(v any, s *schema.Schema) any {
	str, ok := v.(string)
	if !ok {
		return v
	}
	for _, t := range s.Types() {
		switch t {
		case "integer", "number":
			if f, err := strconv.ParseFloat(str, 64); err == nil {
				return f
			}
		case "boolean":
			if b, err := strconv.ParseBool(str); err == nil {
				return b
			}
		}
	}
	return v
}

func (c *checker) compile(ptr string, dir schema.Direction) (*schema.Schema, error) {
	o, err := c.sp.source.schemas()
	if err != nil {
		return nil, err
	}
	return o.Compile(ptr, dir)
}

// checkResponse validates the response: status, content type, body and
// declared headers.
func (c *checker) checkResponse(ex *exchange) {
	op := c.sp.op
	r := op.Response(ex.status)
	if r == nil {
		if len(op.Responses) > 0 {
			c.report(CheckResponseStatus, "status", fmt.Errorf("status %d is not declared by operation %s", ex.status, c.sp.label))
		}
		return
	}
	ct := ex.respHeader.Get("Content-Type")
	if ex.hasRespBody && len(r.Content) > 0 && c.on(CheckResponseType) {
		if ct == "" {
			c.report(CheckResponseType, "header.Content-Type", errors.New("the response has a body but no Content-Type"))
		} else if r.MediaType(ct) == nil {
			c.report(CheckResponseType, "header.Content-Type", fmt.Errorf("content type %q is not declared for status %s", mediaBase(ct), r.Code))
		}
	}
	if ex.hasRespBody && c.on(CheckResponseBody) {
		if mt := r.MediaType(ct); mt != nil && mt.SchemaPointer != "" && kindOf(mt.Name) == bodyJSON {
			if _, isText := ex.respBody.(string); isText && kindOf(ct) == bodyJSON {
				c.report(CheckResponseBody, "body", errors.New("the body is not valid JSON"))
			} else if s, err := c.compile(mt.SchemaPointer, schema.Response); err == nil {
				c.report(CheckResponseBody, "body", s.Validate(ex.respBody))
			}
		}
	}
	if c.on(CheckResponseHeaders) {
		for _, h := range r.Headers {
			if strings.EqualFold(h.Name, "Content-Type") {
				continue // governed by the media types (OpenAPI says so)
			}
			vals := ex.respHeader.Values(h.Name)
			if len(vals) == 0 {
				if h.Required {
					c.report(CheckResponseHeaders, "header."+h.Name, fmt.Errorf("required header %q is missing", h.Name))
				}
				continue
			}
			if h.SchemaPointer == "" {
				continue
			}
			if s, err := c.compile(h.SchemaPointer, schema.Response); err == nil {
				c.report(CheckResponseHeaders, "header."+h.Name, s.Validate(coerce(vals[0], s)))
			}
		}
	}
}

func mediaBase(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return ct
}

// precompile compiles the schemas the contract checks of every planned
// operation step are likely to validate against (request parameters and
// body; bodies and headers of the 2xx responses, else default), skipping
// checks that are off. Run compiles what it needs lazily, once per Engine;
// the first Run starts precompile in a goroutine, which overlaps schema
// compilation with the first exchanges of a short-lived process. It is
// safe to run concurrently with Run; a schema that does not compile is
// reported by the check that needs it, not here.
func (e *Engine) precompile() {
	seen := map[*stepPlan]bool{}
	do := func(wp *wfPlan) {
		for _, sp := range wp.steps {
			if seen[sp] || sp.op == nil || sp.source == nil {
				continue
			}
			seen[sp] = true
			o, err := sp.source.schemas()
			if err != nil {
				return
			}
			if e.severity(CheckRequestParameters) != SeverityOff {
				for _, p := range sp.op.Parameters {
					if p.SchemaPointer != "" {
						o.Compile(p.SchemaPointer, schema.Request)
					}
				}
			}
			if sp.op.Body != nil && e.severity(CheckRequestBody) != SeverityOff {
				for _, mt := range sp.op.Body.Content {
					if mt.SchemaPointer != "" && kindOf(mt.Name) == bodyJSON {
						o.Compile(mt.SchemaPointer, schema.Request)
					}
				}
			}
			for _, r := range likely(sp.op.Responses) {
				if e.severity(CheckResponseBody) != SeverityOff {
					for _, mt := range r.Content {
						if mt.SchemaPointer != "" && kindOf(mt.Name) == bodyJSON {
							o.Compile(mt.SchemaPointer, schema.Response)
						}
					}
				}
				if e.severity(CheckResponseHeaders) != SeverityOff {
					for _, h := range r.Headers {
						if h.SchemaPointer != "" {
							o.Compile(h.SchemaPointer, schema.Response)
						}
					}
				}
			}
		}
	}
	for _, wp := range e.plans {
		do(wp)
	}
}

// likely lists the responses a run most likely meets: the 2xx ones, else
// default.
func likely(rs []*oas.Response) []*oas.Response {
	var out []*oas.Response
	for _, r := range rs {
		if strings.HasPrefix(r.Code, "2") {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		for _, r := range rs {
			if r.Code == "default" {
				out = append(out, r)
			}
		}
	}
	return out
}
