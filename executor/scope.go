package executor

import (
	"strings"

	"github.com/telaio/telaio/expr"
)

// scope resolves runtime expressions for one step attempt (or for workflow
// outputs when step is nil). It also memoizes parsed context values for
// jsonpath and xpath criteria.
type scope struct {
	rs   *runState
	wr   *wfRun
	step *stepPlan
	at   *attempt
	memo map[any]any
}

func (rs *runState) scope(wr *wfRun, sp *stepPlan, at *attempt) *scope {
	return &scope{rs: rs, wr: wr, step: sp, at: at}
}

// Memo implements expr.Memoizer.
func (s *scope) Memo(key any, build func() (any, error)) (any, error) {
	if v, ok := s.memo[key]; ok {
		return v, nil
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	if s.memo == nil {
		s.memo = map[any]any{}
	}
	s.memo[key] = v
	return v, nil
}

var _ expr.Memoizer = (*scope)(nil)

// Lookup implements expr.Resolver.
func (s *scope) Lookup(e *expr.Expr) (any, bool) {
	var ex *exchange
	if s.at != nil {
		ex = s.at.ex
	}
	switch e.Kind {
	case expr.KindInputs:
		return expr.LookupName(s.wr.inputs, e.Name)
	case expr.KindSteps:
		outs, ok := s.wr.steps[e.ID]
		if !ok {
			return nil, false
		}
		return expr.LookupName(outs, e.Name)
	case expr.KindOutputs:
		if s.at != nil && s.at.callee != nil {
			// D24: inside a workflow step, the called workflow's outputs.
			if s.at.calleeRun == nil {
				return nil, false
			}
			return expr.LookupName(s.at.calleeRun.answer(), e.Name)
		}
		if s.wr.outputs != nil {
			return expr.LookupName(s.wr.outputs, e.Name)
		}
		return nil, false
	case expr.KindWorkflows:
		for p, run := range s.rs.m.done {
			if p.id == e.ID && p.doc == s.wr.plan.doc {
				if e.Field == "inputs" {
					return expr.LookupName(run.inputs, e.Name)
				}
				return expr.LookupName(run.outputs, e.Name)
			}
		}
		if s.wr.plan.id == e.ID && e.Field == "inputs" {
			return expr.LookupName(s.wr.inputs, e.Name)
		}
		return nil, false
	case expr.KindSourceDescriptions:
		sd := s.wr.plan.doc.SourceDescription(e.ID)
		if sd == nil {
			return nil, false
		}
		switch e.Name {
		case "url":
			return sd.URL, true
		case "name":
			return sd.Name, true
		case "type":
			return sd.Type, sd.Type != ""
		}
		return e.Name, true
	case expr.KindSelf:
		// E5: the document's resolved $self, else its base URI.
		if u := s.wr.plan.doc.BaseURI(); u != "" {
			return u, true
		}
		return nil, false
	case expr.KindMessageHeader, expr.KindMessagePayload:
		// E33: $message has a value only in a step that sends or
		// receives a message.
		return s.message(e)
	case expr.KindComponents:
		c := s.wr.plan.doc.Components
		if c == nil {
			return nil, false
		}
		switch e.ID {
		case "parameters":
			if p, ok := c.Parameters[e.Name]; ok {
				return p.Value, true
			}
		}
		return nil, false
	}
	if ex == nil {
		return nil, false
	}
	switch e.Kind {
	case expr.KindURL:
		return ex.url, ex.url != ""
	case expr.KindMethod:
		return ex.method, ex.method != ""
	case expr.KindStatusCode:
		if ex.resp == nil {
			return nil, false
		}
		return float64(ex.status), true
	case expr.KindRequestHeader:
		if v := ex.reqHeader.Values(e.Name); len(v) > 0 {
			return v[0], true
		}
		return nil, false
	case expr.KindRequestQuery:
		v, ok := ex.query[e.Name]
		return v, ok
	case expr.KindRequestPath:
		v, ok := ex.path[e.Name]
		return v, ok
	case expr.KindRequestBody:
		return ex.reqBody, ex.hasReqBody
	case expr.KindResponseHeader:
		if ex.resp == nil {
			return nil, false
		}
		if v := ex.respHeader.Values(e.Name); len(v) > 0 {
			return v[0], true
		}
		return nil, false
	case expr.KindResponseBody:
		if ex.resp == nil {
			return nil, false
		}
		return ex.respBody, ex.hasRespBody
	}
	return nil, false
}

// message reads $message.header.<name> (exact, then case-insensitive,
// E33) and $message.payload[#ptr]: the message the step sent or received;
// null outside message steps.
func (s *scope) message(e *expr.Expr) (any, bool) {
	if s.at == nil || s.at.msg == nil {
		return nil, false
	}
	m := s.at.msg
	if e.Kind == expr.KindMessageHeader {
		if v, ok := m.headers[e.Name]; ok {
			return v, true
		}
		for k, v := range m.headers {
			if strings.EqualFold(k, e.Name) {
				return v, true
			}
		}
		return nil, false
	}
	if !m.has {
		return nil, false
	}
	return m.payload, true // Eval applies the pointer
}
