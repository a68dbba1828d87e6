package report_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/report"
)

type harNV struct {
	Name  *string `json:"name"`
	Value *string `json:"value"`
}

type harDoc struct {
	Log struct {
		Version *string `json:"version"`
		Creator struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"creator"`
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harEntry struct {
	StartedDateTime *string  `json:"startedDateTime"`
	Time            *float64 `json:"time"`
	Request         struct {
		Method      *string  `json:"method"`
		URL         *string  `json:"url"`
		HTTPVersion *string  `json:"httpVersion"`
		Cookies     *[]harNV `json:"cookies"`
		Headers     []harNV  `json:"headers"`
		QueryString []harNV  `json:"queryString"`
		PostData    *struct {
			MimeType string  `json:"mimeType"`
			Text     string  `json:"text"`
			Params   []harNV `json:"params"`
		} `json:"postData"`
		HeadersSize *int `json:"headersSize"`
		BodySize    *int `json:"bodySize"`
	} `json:"request"`
	Response struct {
		Status      int      `json:"status"`
		StatusText  *string  `json:"statusText"`
		HTTPVersion *string  `json:"httpVersion"`
		Cookies     *[]harNV `json:"cookies"`
		Headers     []harNV  `json:"headers"`
		Content     *struct {
			Size     *int    `json:"size"`
			MimeType *string `json:"mimeType"`
			Text     string  `json:"text"`
		} `json:"content"`
		RedirectURL *string `json:"redirectURL"`
		HeadersSize *int    `json:"headersSize"`
		BodySize    *int    `json:"bodySize"`
	} `json:"response"`
	Cache   *struct{} `json:"cache"`
	Timings *struct {
		Send    *float64 `json:"send"`
		Wait    *float64 `json:"wait"`
		Receive *float64 `json:"receive"`
	} `json:"timings"`
	WorkflowID string `json:"_workflowId"`
	StepID     string `json:"_stepId"`
	Attempt    int    `json:"_attempt"`
	Error      string `json:"_error"`
}

// checkHAR checks the fields HAR 1.2 requires.
func checkHAR(t *testing.T, data []byte) harDoc {
	t.Helper()
	var h harDoc
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	if h.Log.Version == nil || *h.Log.Version != "1.2" || h.Log.Creator.Name == "" || h.Log.Creator.Version == "" || h.Log.Entries == nil {
		t.Fatalf("log: %s", data)
	}
	var prev time.Time
	for i, e := range h.Log.Entries {
		rq, rs := e.Request, e.Response
		if e.StartedDateTime == nil || e.Time == nil || e.Cache == nil || e.Timings == nil ||
			e.Timings.Send == nil || e.Timings.Wait == nil || e.Timings.Receive == nil {
			t.Errorf("entry %d: missing entry fields", i)
			continue
		}
		ts, err := time.Parse(time.RFC3339Nano, *e.StartedDateTime)
		if err != nil || ts.Before(prev) {
			t.Errorf("entry %d: startedDateTime %q (%v)", i, *e.StartedDateTime, err)
		}
		prev = ts
		if rq.Method == nil || rq.URL == nil || rq.HTTPVersion == nil || rq.Cookies == nil || rq.Headers == nil ||
			rq.QueryString == nil || rq.HeadersSize == nil || rq.BodySize == nil {
			t.Errorf("entry %d: missing request fields", i)
		}
		if rs.StatusText == nil || rs.HTTPVersion == nil || rs.Cookies == nil || rs.Headers == nil || rs.Content == nil ||
			rs.Content.Size == nil || rs.Content.MimeType == nil || rs.RedirectURL == nil || rs.HeadersSize == nil || rs.BodySize == nil {
			t.Errorf("entry %d: missing response fields", i)
		}
		for _, nv := range append(append([]harNV{}, rq.Headers...), rq.QueryString...) {
			if nv.Name == nil || nv.Value == nil {
				t.Errorf("entry %d: name/value pair without name or value", i)
			}
		}
		if rq.PostData != nil && rq.BodySize != nil && *rq.BodySize != len(rq.PostData.Text) {
			t.Errorf("entry %d: bodySize %d for %d bytes", i, *rq.BodySize, len(rq.PostData.Text))
		}
	}
	return h
}

func TestHARTree(t *testing.T) {
	res := tree()
	res.Steps = append(res.Steps, &executor.StepResult{StepID: "form", Exchanges: []*executor.Exchange{
		{Attempt: 1, Request: &executor.Request{Method: "POST", URL: "http://api.test/token",
			Headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}, "Cookie": {"sid=****; theme=dark"}},
			Body:    "grant_type=client_credentials&scope=a+b"}, Error: "dial tcp 127.0.0.1:1: connect: connection refused"},
	}})
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var buf bytes.Buffer
	if err := report.HAR(&buf, []*executor.Result{res}, report.WithClock(func() time.Time { return now })); err != nil {
		t.Fatal(err)
	}
	h := checkHAR(t, buf.Bytes())
	// Trace order: the dependency, the steps with the called workflow's
	// exchange in place, then the transfer.
	var order []string
	for _, e := range h.Log.Entries {
		order = append(order, e.WorkflowID+"/"+e.StepID)
	}
	want := "login/token buy/find buy/create buy/create buy/create place-order/order buy/checkout buy/form checkout/pay"
	if got := join(order); got != want {
		t.Fatalf("order:\n got %s\nwant %s", got, want)
	}
	first := h.Log.Entries[0]
	// The first entry starts the runs' total duration before the report.
	if ts, _ := time.Parse(time.RFC3339Nano, *first.StartedDateTime); !ts.Equal(now.Add(-res.Duration)) {
		t.Errorf("first startedDateTime %s, report at %s, runs took %s", *first.StartedDateTime, now, res.Duration)
	}
	if *first.Time != 5 || *first.Timings.Wait != 5 {
		t.Errorf("time %v wait %v", *first.Time, *first.Timings.Wait)
	}
	find := h.Log.Entries[1]
	if len(find.Request.QueryString) != 1 || *find.Request.QueryString[0].Name != "tag" || find.Response.Content.Text != "not found" || *find.Response.StatusText != "Not Found" {
		t.Errorf("find %+v", find)
	}
	form := h.Log.Entries[7]
	if form.Response.Status != 0 || form.Error == "" || form.Request.PostData == nil || len(form.Request.PostData.Params) != 2 ||
		*form.Request.PostData.Params[1].Value != "a b" || len(*form.Request.Cookies) != 2 {
		t.Errorf("form %+v", form)
	}
	pay := h.Log.Entries[8]
	if len(pay.Request.QueryString) != 2 || *pay.Request.QueryString[1].Value != "a b" || pay.Response.Content.Text != `{"error":"declined"}` {
		t.Errorf("pay %+v", pay)
	}
}

func TestHAREmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := report.HAR(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if h := checkHAR(t, buf.Bytes()); len(h.Log.Entries) != 0 {
		t.Errorf("entries %d", len(h.Log.Entries))
	}
}

func join(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}
