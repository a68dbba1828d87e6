package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/executor"
)

// How much of a body the text output shows.
const (
	bodyLines     = 8   // lines of a failed step's response body
	verboseLines  = 20  // lines of each body with --verbose
	bodyLineWidth = 200 // bytes of each line
)

type textOptions struct {
	steps   bool // print a line per step (not printed live)
	verbose bool // print every request and response
}

type jsonResult struct {
	File        string                 `json:"file,omitempty"`
	WorkflowID  string                 `json:"workflowId"`
	Success     bool                   `json:"success"`
	Status      executor.Status        `json:"status"`
	Outputs     map[string]any         `json:"outputs"`
	Steps       []*executor.StepResult `json:"steps"`
	Deps        []*executor.Result     `json:"dependencies,omitempty"`
	Transfer    *executor.Result       `json:"transfer,omitempty"`
	DurationNs  time.Duration          `json:"durationNs"`
	Error       *string                `json:"error"`
	Diagnostics []jsonDiag             `json:"diagnostics,omitempty"`
}

func resultJSON(file string, res *executor.Result, errMsg string, ds diag.Diagnostics) jsonResult {
	out := jsonResult{File: file, Outputs: map[string]any{}, Steps: []*executor.StepResult{}, Status: executor.StatusFailed}
	if res != nil {
		// The workflow's outputs as they are: they are the answer.
		out = jsonResult{File: file, WorkflowID: res.WorkflowID, Success: res.Success, Status: res.Status, Outputs: res.Outputs,
			Steps: res.Steps, Deps: res.Dependencies, Transfer: res.Transfer, DurationNs: res.Duration}
		if res.Error != "" {
			msg := res.Error
			out.Error = &msg
		}
	}
	if out.Error == nil && errMsg != "" {
		out.Error = &errMsg
	}
	out.Diagnostics = diagsJSON(ds)
	return out
}

// writeJSON prints the runs as one JSON document on stdout: the result of
// the one run, or an array of every run's, each naming its file.
func (r *runner) writeJSON(jobs []*job) {
	var entries []jsonResult
	for _, j := range jobs {
		e := resultJSON(j.file, j.res, j.errMsg, j.diags)
		if e.WorkflowID == "" {
			e.WorkflowID = j.workflow
		}
		entries = append(entries, e)
	}
	enc := json.NewEncoder(r.e.stdout)
	enc.SetIndent("", "  ")
	if len(entries) == 1 {
		_ = enc.Encode(entries[0])
		return
	}
	if entries == nil {
		entries = []jsonResult{}
	}
	_ = enc.Encode(entries)
}

// writeErrorJSON prints {"error": msg, "diagnostics": [...]}: the JSON of a
// command that could not start.
func writeErrorJSON(w io.Writer, msg string, ds diag.Diagnostics) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(struct {
		Error       string     `json:"error"`
		Diagnostics []jsonDiag `json:"diagnostics"`
	}{msg, diagsJSONOrEmpty(ds)})
}

func writeResultText(w io.Writer, res *executor.Result, err error, o textOptions) {
	if res == nil {
		fmt.Fprintf(w, "error: %s\n", terminalSafe(err.Error()))
		return
	}
	if o.steps {
		writeSteps(w, res, "", o.verbose)
	}
	fmt.Fprintf(w, "workflow %s: %s in %s\n", res.WorkflowID, res.Status, roundDuration(res.Duration))
	if len(res.Outputs) > 0 {
		// The outputs as they are: they are the answer.
		fmt.Fprintln(w, "outputs:")
		keys := make([]string, 0, len(res.Outputs))
		for k := range res.Outputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b, _ := json.Marshal(res.Outputs[k])
			fmt.Fprintf(w, "  %s: %s\n", k, b)
		}
	}
	if res.Error != "" {
		fmt.Fprintf(w, "error: %s\n", terminalSafe(res.Error))
	}
}

func writeSteps(w io.Writer, res *executor.Result, indent string, verbose bool) {
	for _, d := range res.Dependencies {
		fmt.Fprintf(w, "%sdependency %s: %s\n", indent, d.WorkflowID, d.Status)
		writeSteps(w, d, indent+"  ", verbose)
	}
	for _, s := range res.Steps {
		fmt.Fprint(w, stepBlock(s, indent, verbose))
		if s.Workflow != nil {
			writeSteps(w, s.Workflow, indent+"  ", verbose)
		}
	}
	if res.Transfer != nil {
		fmt.Fprintf(w, "%sgoto workflow %s\n", indent, res.Transfer.WorkflowID)
		writeSteps(w, res.Transfer, indent+"  ", verbose)
	}
}

// stepBlock is a step's line, then its contract warnings, then (failed)
// its last response, or (verbose) every exchange.
func stepBlock(s *executor.StepResult, indent string, verbose bool) string {
	var b strings.Builder
	b.WriteString(indent + stepLine(s) + "\n")
	sub := indent + "     "
	for _, v := range s.Violations {
		if v.Severity == executor.SeverityWarn {
			fmt.Fprintf(&b, "%swarn %s\n", sub, terminalSafe(v.String()))
		}
	}
	switch {
	case verbose:
		for _, ex := range s.Exchanges {
			writeExchange(&b, ex, sub, verboseLines)
		}
		for _, m := range s.Messages {
			writeMessage(&b, m, sub, verboseLines)
		}
	case !s.Success && len(s.Exchanges) > 0:
		ex := s.Exchanges[len(s.Exchanges)-1]
		if rs := ex.Response; rs != nil {
			fmt.Fprintf(&b, "%sresponse %d %s\n", sub, rs.StatusCode, http.StatusText(rs.StatusCode))
			writeBody(&b, rs.Body, sub+"  ", bodyLines)
		}
	}
	return b.String()
}

func writeExchange(b *strings.Builder, ex *executor.Exchange, indent string, lines int) {
	if rq := ex.Request; rq != nil {
		fmt.Fprintf(b, "%s> %s %s\n", indent, rq.Method, terminalSafe(rq.URL))
		writeHeaders(b, rq.Headers, indent+"> ")
		if rq.Body != "" {
			writeBody(b, rq.Body, indent+">   ", lines)
		}
	}
	if rs := ex.Response; rs != nil {
		fmt.Fprintf(b, "%s< %d %s (%s)\n", indent, rs.StatusCode, http.StatusText(rs.StatusCode), roundDuration(rs.Duration))
		writeHeaders(b, rs.Headers, indent+"< ")
		writeBody(b, rs.Body, indent+"<   ", lines)
	}
	if ex.Error != "" {
		fmt.Fprintf(b, "%s! %s\n", indent, terminalSafe(ex.Error))
	}
}

// writeMessage writes a message a step sent (">") or received ("<").
func writeMessage(b *strings.Builder, m *executor.MessageTrace, indent string, lines int) {
	arrow := "> "
	if m.Direction == "receive" {
		arrow = "< "
	}
	where := ""
	if m.Partition >= 0 && m.Offset >= 0 {
		where = fmt.Sprintf(" partition %d offset %d", m.Partition, m.Offset)
	}
	if m.ID != "" {
		where += " id " + terminalSafe(m.ID)
	}
	fmt.Fprintf(b, "%s%s%s %s%s (%s)\n", indent, arrow, m.Direction, terminalSafe(m.Channel), where, roundDuration(m.Duration))
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "%s%s%s: %s\n", indent, arrow, terminalSafe(k), cut(terminalSafe(m.Headers[k]), bodyLineWidth))
	}
	if m.Payload != nil {
		writeBody(b, m.Payload, indent+arrow+"  ", lines)
	}
	if m.PayloadNote != "" {
		fmt.Fprintf(b, "%s%s  (%s)\n", indent, arrow, terminalSafe(m.PayloadNote))
	}
	if m.Error != "" {
		fmt.Fprintf(b, "%s! %s\n", indent, terminalSafe(m.Error))
	}
}

func writeHeaders(b *strings.Builder, h http.Header, prefix string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, cut(terminalSafe(v), bodyLineWidth))
		}
	}
}

// writeBody writes the first lines of a body (indented JSON for decoded
// JSON), each cut to bodyLineWidth.
func writeBody(b *strings.Builder, body any, prefix string, max int) {
	var text string
	switch v := body.(type) {
	case nil:
		return
	case string:
		text = v
	default:
		out, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return
		}
		text = string(out)
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if i == max {
			fmt.Fprintf(b, "%s… (%d more lines)\n", prefix, len(lines)-max)
			break
		}
		fmt.Fprintf(b, "%s%s\n", prefix, cut(terminalSafe(strings.TrimRight(l, "\r")), bodyLineWidth))
	}
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// terminalSafe escapes control characters (as diag.Format does).
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return '?'
		}
		return r
	}, s)
}

func stepLine(s *executor.StepResult) string {
	mark := "ok  "
	if !s.Success {
		mark = "FAIL"
	}
	code := "   "
	if s.StatusCode != 0 {
		code = fmt.Sprint(s.StatusCode)
	}
	if s.Direction != "" {
		// A message step: what it did, and on which channel.
		code = map[string]string{"send": "sent    ", "receive": "received"}[s.Direction]
		if !s.Success {
			code = fmt.Sprintf("%-8s", s.Direction)
		}
	}
	line := fmt.Sprintf("%s %-28s %s %8s", mark, s.StepID, code, roundDuration(s.Duration))
	if s.Attempts > 1 {
		line += fmt.Sprintf("  (%d attempts)", s.Attempts)
	}
	if s.Direction != "" {
		line += "  " + terminalSafe(s.Channel)
	} else if s.Operation != "" {
		line += "  " + s.Operation
	} else if s.WorkflowID != "" {
		line += "  workflow " + s.WorkflowID
	}
	if !s.Success && s.Error != "" {
		line += "  " + terminalSafe(s.Error)
	}
	return line
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// progressObserver prints each finished step (with its warnings and, when
// it failed, its response) as the run goes.
func progressObserver(w io.Writer, verbose bool) executor.Observer {
	return executor.ObserverFunc(func(ev executor.Event) {
		if ev.Kind == executor.StepFinished && ev.Step != nil {
			fmt.Fprint(w, stepBlock(ev.Step, strings.Repeat("  ", ev.Depth), verbose))
		}
	})
}
