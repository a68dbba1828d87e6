// Package stepfail explains why a step execution failed, from the masked
// trace: the JUnit report and telaiotest share it.
package stepfail

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/telaio/telaio/executor"
)

// DefaultMaxBody is how many bytes of each body a failure shows.
const DefaultMaxBody = 2048

// Failure types.
const (
	FailureCriterion = "criterion" // a success criterion was not met
	FailureContract  = "contract"  // an exchange broke the OpenAPI contract
	FailureWorkflow  = "workflow"  // the called workflow failed
	FailureError     = "error"     // the exchange or the step could not complete
)

// Failure explains why a step execution failed.
type Failure struct {
	// Type is one of FailureCriterion, FailureContract, FailureWorkflow or
	// FailureError.
	Type string
	// Message is one line: the step's error, the first contract violation
	// or the first failed criterion.
	Message string
	// Detail lists every failed criterion and contract violation, then each
	// exchange of the step: method, URL, status and the first bytes of the
	// request and response bodies.
	Detail string
}

// Of returns why r.Steps[i] failed, or nil when it passed, when
// the workflow handled its failure (a goto action followed it, or it was a
// retry target and the retrying step went on), or when i is out of range.
// Bodies are cut after maxBody bytes (DefaultMaxBody when maxBody <= 0).
// Everything comes from the masked trace.
func Of(r *executor.Result, i, maxBody int) *Failure {
	if r == nil || i < 0 || i >= len(r.Steps) {
		return nil
	}
	sr := r.Steps[i]
	if sr == nil || sr.Success || Handled(r, i) {
		return nil
	}
	return Describe(sr, maxBody)
}

// Handled reports whether r.Steps[i] failed but the workflow went on (see
// Of).
func Handled(r *executor.Result, i int) bool {
	if r == nil || i < 0 || i >= len(r.Steps) || r.Steps[i] == nil || r.Steps[i].Success {
		return false
	}
	// A failure nothing handles ends the workflow, so a failed execution
	// that is not the last was handled (a retry target that was retried).
	return r.Steps[i].Action == "goto" || i != len(r.Steps)-1
}

// Describe explains a failed step execution, handled or not.
func Describe(sr *executor.StepResult, maxBody int) *Failure {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	f := &Failure{}
	var errViolation *executor.Violation
	for i := range sr.Violations {
		if sr.Violations[i].Severity == executor.SeverityError {
			errViolation = &sr.Violations[i]
			break
		}
	}
	var failedCrit *executor.CriterionResult
	for i := range sr.Criteria {
		if !sr.Criteria[i].Passed {
			failedCrit = &sr.Criteria[i]
			break
		}
	}
	switch {
	case errViolation != nil:
		f.Type = FailureContract
		f.Message = errViolation.String()
		if sr.Error != "" {
			f.Message = sr.Error
		}
	case sr.Workflow != nil && !sr.Workflow.Success:
		f.Type = FailureWorkflow
		f.Message = sr.Error
		if f.Message == "" {
			f.Message = fmt.Sprintf("workflow %q failed", sr.Workflow.WorkflowID)
		}
	case sr.Error != "":
		f.Type, f.Message = FailureError, sr.Error
	case failedCrit != nil:
		f.Type, f.Message = FailureCriterion, criterionMessage(failedCrit, sr.StatusCode)
	default:
		f.Type, f.Message = FailureError, "step failed"
	}
	f.Message = OneLine(f.Message)
	var b strings.Builder
	writeDetail(&b, sr, maxBody)
	f.Detail = b.String()
	return f
}

func criterionMessage(c *executor.CriterionResult, status int) string {
	switch {
	case c.Error != "":
		return fmt.Sprintf("criterion %q failed: %s", c.Condition, c.Error)
	case status != 0:
		return fmt.Sprintf("criterion %q not met (status %d)", c.Condition, status)
	}
	return fmt.Sprintf("criterion %q not met", c.Condition)
}

// writeDetail writes the criteria, violations and exchanges of a step.
func writeDetail(b *strings.Builder, sr *executor.StepResult, maxBody int) {
	if sr.Error != "" {
		fmt.Fprintf(b, "error: %s\n", sr.Error)
	}
	if len(sr.Criteria) > 0 {
		b.WriteString("criteria:\n")
		for _, c := range sr.Criteria {
			mark := "pass"
			if !c.Passed {
				mark = "FAIL"
			}
			fmt.Fprintf(b, "  [%s] %s", mark, c.Condition)
			if c.Type != "" && c.Type != "simple" {
				fmt.Fprintf(b, " (%s)", c.Type)
			}
			if c.Error != "" {
				fmt.Fprintf(b, ": %s", c.Error)
			}
			b.WriteByte('\n')
		}
	}
	WriteViolations(b, sr.Violations, "")
	if sr.Workflow != nil {
		fmt.Fprintf(b, "called workflow %q: %s", sr.Workflow.WorkflowID, sr.Workflow.Status)
		if sr.Workflow.Error != "" {
			fmt.Fprintf(b, ": %s", OneLine(sr.Workflow.Error))
		}
		b.WriteByte('\n')
	}
	for _, ex := range sr.Exchanges {
		writeExchange(b, ex, maxBody)
	}
}

// writeViolations writes the violations of the given severity ("" for
// all).
// WriteViolations lists the violations of severity sev, one per line.
func WriteViolations(b *strings.Builder, vs []executor.Violation, sev executor.Severity) {
	n := 0
	for _, v := range vs {
		if sev != "" && v.Severity != sev {
			continue
		}
		if n == 0 {
			b.WriteString("contract violations:\n")
		}
		n++
		fmt.Fprintf(b, "  [%s] %s (attempt %d)\n", v.Severity, v.String(), v.Attempt)
	}
}

func writeExchange(b *strings.Builder, ex *executor.Exchange, maxBody int) {
	if ex == nil {
		return
	}
	fmt.Fprintf(b, "attempt %d:\n", ex.Attempt)
	if rq := ex.Request; rq != nil {
		fmt.Fprintf(b, "  request: %s %s\n", rq.Method, rq.URL)
		if rq.Body != "" {
			fmt.Fprintf(b, "  request body: %s\n", excerpt(rq.Body, maxBody))
		}
	}
	if rs := ex.Response; rs != nil {
		fmt.Fprintf(b, "  response: %d", rs.StatusCode)
		if ct := rs.Headers.Get("Content-Type"); ct != "" {
			fmt.Fprintf(b, " %s", ct)
		}
		b.WriteByte('\n')
		if s := BodyText(rs.Body); s != "" {
			fmt.Fprintf(b, "  response body: %s\n", excerpt(s, maxBody))
		}
	}
	if ex.Error != "" {
		fmt.Fprintf(b, "  error: %s\n", ex.Error)
	}
}

// bodyText renders a response body: text as is, decoded JSON re-encoded.
func BodyText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.RawMessage:
		return string(x) // the body as received (secrets masked)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

// excerpt cuts s after max bytes (at a character boundary) and says how
// much was left out.
func excerpt(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}

func OneLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return strings.TrimSpace(s[:i]) + " …"
	}
	return s
}
