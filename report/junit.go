package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/stepfail"
)

// WorkflowCase names the testcase of a run that failed without a failing
// step (stepIds cannot contain parentheses).
const WorkflowCase = "(workflow)"

type xmlSuites struct {
	XMLName  xml.Name   `xml:"testsuites"`
	Name     string     `xml:"name,attr,omitempty"`
	Tests    int        `xml:"tests,attr"`
	Failures int        `xml:"failures,attr"`
	Errors   int        `xml:"errors,attr"`
	Time     string     `xml:"time,attr"`
	Suites   []xmlSuite `xml:"testsuite"`
}

type xmlSuite struct {
	Name       string    `xml:"name,attr"`
	ID         int       `xml:"id,attr"`
	Package    string    `xml:"package,attr"`
	Timestamp  string    `xml:"timestamp,attr"`
	Hostname   string    `xml:"hostname,attr"`
	Tests      int       `xml:"tests,attr"`
	Failures   int       `xml:"failures,attr"`
	Errors     int       `xml:"errors,attr"`
	Skipped    int       `xml:"skipped,attr"`
	Time       string    `xml:"time,attr"`
	Properties *xmlProps `xml:"properties,omitempty"`
	Cases      []xmlCase `xml:"testcase"`
	SystemOut  string    `xml:"system-out"`
	SystemErr  string    `xml:"system-err"`
}

type xmlProps struct {
	Props []xmlProp `xml:"property"`
}

type xmlProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xmlCase struct {
	Name       string      `xml:"name,attr"`
	Classname  string      `xml:"classname,attr"`
	Time       string      `xml:"time,attr"`
	Properties *xmlProps   `xml:"properties,omitempty"`
	Failure    *xmlFailure `xml:"failure,omitempty"`
	SystemOut  *xmlText    `xml:"system-out,omitempty"`
}

// xmlText is text written as CDATA, so that bodies stay readable.
type xmlText struct {
	Text string `xml:",cdata"`
}

type xmlFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// xmlSafe replaces what XML 1.0 cannot hold (control characters, invalid
// UTF-8) with U+FFFD; CDATA sections are not escaped by the encoder.
func xmlSafe(s string) string {
	ok := true
	for _, r := range s {
		if !xmlChar(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !xmlChar(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func xmlChar(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false // invalid UTF-8 decodes to it (a literal U+FFFD is rewritten to itself)
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

func (p *xmlProps) add(name, value string) {
	if value != "" {
		p.Props = append(p.Props, xmlProp{Name: name, Value: value})
	}
}

func (p *xmlProps) orNil() *xmlProps {
	if len(p.Props) == 0 {
		return nil
	}
	return p
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// JUnit writes results as a JUnit XML <testsuites> document: a testsuite
// per workflow run (nested runs included) and a testcase per step
// execution (see the package documentation). Nil results are skipped.
func JUnit(w io.Writer, results []*executor.Result, opts ...Option) error {
	results = redacted(results)
	cfg := newConfig(opts)
	stamp := cfg.now().UTC().Format("2006-01-02T15:04:05")
	doc := xmlSuites{Name: cfg.name}
	var total time.Duration
	for _, r := range results {
		if r != nil {
			total += r.Duration
		}
	}
	doc.Time = seconds(total)
	for _, rn := range runs(results) {
		s := suite(rn, cfg)
		s.Timestamp, s.Hostname, s.Package = stamp, cfg.hostname, cfg.name
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func suite(rn *run, cfg config) xmlSuite {
	r := rn.r
	s := xmlSuite{Name: r.WorkflowID, ID: rn.id, Time: seconds(r.Duration)}
	props := &xmlProps{}
	props.add("workflowId", r.WorkflowID)
	props.add("status", string(r.Status))
	if rn.parent != nil {
		props.add("parent", rn.parent.r.WorkflowID)
		props.add("parentId", strconv.Itoa(rn.parent.id))
		props.add("relation", rn.relation)
	}
	s.Properties = props.orNil()
	failed := false
	for i, sr := range r.Steps {
		if sr == nil {
			continue
		}
		c := xmlCase{Name: sr.StepID, Classname: r.WorkflowID, Time: seconds(sr.Duration)}
		cp := &xmlProps{}
		cp.add("attempts", strconv.Itoa(sr.Attempts))
		cp.add("operation", sr.Operation)
		cp.add("operationId", sr.OperationID)
		cp.add("workflow", sr.WorkflowID)
		if sr.StatusCode != 0 {
			cp.add("statusCode", strconv.Itoa(sr.StatusCode))
		}
		cp.add("action", sr.Action)
		c.Properties = cp.orNil()
		var out strings.Builder
		if f := stepfail.Of(r, i, cfg.maxBody); f != nil {
			c.Failure = &xmlFailure{Message: f.Message, Type: f.Type, Text: xmlSafe(f.Detail)}
			s.Failures++
			failed = true
		} else {
			if stepfail.Handled(r, i) {
				fmt.Fprintf(&out, "the step failed and the workflow handled it (%s)\n", handledBy(sr.Action))
				if f := stepfail.Describe(sr, cfg.maxBody); f != nil {
					out.WriteString(f.Detail)
				}
			}
			stepfail.WriteViolations(&out, sr.Violations, executor.SeverityWarn)
		}
		if out.Len() > 0 {
			c.SystemOut = &xmlText{Text: xmlSafe(out.String())}
		}
		s.Cases = append(s.Cases, c)
	}
	if !r.Success && !failed && !childFailed(r) {
		msg := r.Error
		if msg == "" {
			msg = fmt.Sprintf("workflow %q %s", r.WorkflowID, r.Status)
		}
		s.Cases = append(s.Cases, xmlCase{Name: WorkflowCase, Classname: r.WorkflowID, Time: seconds(r.Duration),
			Failure: &xmlFailure{Message: stepfail.OneLine(msg), Type: stepfail.FailureError, Text: xmlSafe(msg)}})
		s.Failures++
	}
	s.Tests = len(s.Cases)
	return s
}

func handledBy(action string) string {
	if action == "goto" {
		return "goto"
	}
	return "retried"
}

// childFailed reports whether a run r started failed (it has its own
// testsuite telling why).
func childFailed(r *executor.Result) bool {
	for _, d := range r.Dependencies {
		if d != nil && !d.Success {
			return true
		}
	}
	for _, sr := range r.Steps {
		if sr != nil && sr.Workflow != nil && !sr.Workflow.Success {
			return true
		}
	}
	return r.Transfer != nil && !r.Transfer.Success
}
