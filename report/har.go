package report

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/stepfail"
)

// HARVersion is the HAR specification version HAR writes.
const HARVersion = "1.2"

type harFile struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	WorkflowID      string      `json:"_workflowId,omitempty"`
	StepID          string      `json:"_stepId,omitempty"`
	Attempt         int         `json:"_attempt,omitempty"`
	Error           string      `json:"_error,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Params   []harNV `json:"params,omitempty"`
	Text     string  `json:"text"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
}

type harTimings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

// HAR writes every exchange of results as an HTTP Archive 1.2 document
// (see the package documentation). Nil results are skipped.
func HAR(w io.Writer, results []*executor.Result, opts ...Option) error {
	results = redacted(results)
	cfg := newConfig(opts)
	var total time.Duration
	for _, r := range results {
		if r != nil {
			total += r.Duration
		}
	}
	h := harFile{Log: harLog{Version: HARVersion, Creator: harCreator{Name: cfg.name, Version: cfg.version}, Entries: []harEntry{}}}
	at := cfg.now().Add(-total)
	seen := map[*executor.Result]bool{}
	for _, r := range results {
		at = harRun(&h.Log, r, at, seen)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(h)
}

// harRun appends the entries of r in trace order: dependencies, then the
// steps (a called workflow's exchanges where the step ran it), then a goto
// transfer.
func harRun(l *harLog, r *executor.Result, at time.Time, seen map[*executor.Result]bool) time.Time {
	if r == nil || seen[r] {
		return at
	}
	seen[r] = true
	for _, d := range r.Dependencies {
		at = harRun(l, d, at, seen)
	}
	for _, sr := range r.Steps {
		if sr == nil {
			continue
		}
		for _, ex := range sr.Exchanges {
			if ex == nil || ex.Request == nil {
				continue
			}
			e := harExchange(ex)
			e.WorkflowID, e.StepID = r.WorkflowID, sr.StepID
			e.StartedDateTime = at.Format("2006-01-02T15:04:05.000Z07:00")
			if ex.Response != nil {
				at = at.Add(ex.Response.Duration)
			}
			l.Entries = append(l.Entries, e)
		}
		at = harRun(l, sr.Workflow, at, seen)
	}
	return harRun(l, r.Transfer, at, seen)
}

func harExchange(ex *executor.Exchange) harEntry {
	rq := ex.Request
	e := harEntry{Attempt: ex.Attempt, Error: ex.Error}
	e.Request = harRequest{
		Method: rq.Method, URL: rq.URL, HTTPVersion: "HTTP/1.1",
		Cookies: harCookies((&http.Request{Header: rq.Headers}).Cookies()), Headers: harHeaders(rq.Headers),
		QueryString: harQuery(rq.URL), HeadersSize: -1, BodySize: len(rq.Body),
	}
	if rq.Body != "" {
		pd := &harPostData{MimeType: rq.Headers.Get("Content-Type"), Text: rq.Body}
		if mt, _, err := mime.ParseMediaType(pd.MimeType); err == nil && mt == "application/x-www-form-urlencoded" {
			pd.Params = harPairs(rq.Body)
		}
		e.Request.PostData = pd
	}
	e.Response = harResponse{HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{}, HeadersSize: -1, BodySize: -1}
	e.Timings = harTimings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1}
	if rs := ex.Response; rs != nil {
		e.Response.Status = rs.StatusCode
		e.Response.StatusText = http.StatusText(rs.StatusCode)
		e.Response.Cookies = harCookies((&http.Response{Header: rs.Headers}).Cookies())
		e.Response.Headers = harHeaders(rs.Headers)
		e.Response.RedirectURL = rs.Headers.Get("Location")
		text := stepfail.BodyText(rs.Body)
		e.Response.Content = harContent{Size: len(text), MimeType: rs.Headers.Get("Content-Type"), Text: text}
		ms := float64(rs.Duration) / float64(time.Millisecond)
		e.Timings.Wait = ms
		e.Time = ms
	}
	return e
}

func harHeaders(h http.Header) []harNV {
	out := []harNV{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{Name: k, Value: v})
		}
	}
	return out
}

func harCookies(cs []*http.Cookie) []harNV {
	out := make([]harNV, 0, len(cs))
	for _, c := range cs {
		out = append(out, harNV{Name: c.Name, Value: c.Value})
	}
	return out
}

// harQuery lists the query parameters of u in order.
func harQuery(u string) []harNV {
	pu, err := url.Parse(u)
	if err != nil {
		return []harNV{}
	}
	return harPairs(pu.RawQuery)
}

// harPairs splits a&b=c form text into decoded pairs, keeping their order.
func harPairs(q string) []harNV {
	out := []harNV{}
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, harNV{Name: k, Value: v})
	}
	return out
}
