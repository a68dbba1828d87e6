package report_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/report"
)

// The structs below follow the JUnit XSD (testsuites, testsuite with
// properties, testcase, failure), plus properties on testcases.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	ID         int             `xml:"id,attr"`
	Package    string          `xml:"package,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Hostname   string          `xml:"hostname,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       float64         `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  *string         `xml:"system-out"`
	SystemErr  *string         `xml:"system-err"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       float64         `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Failure    *junitFailure   `xml:"failure"`
	Skipped    *struct{}       `xml:"skipped"`
	SystemOut  string          `xml:"system-out"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func prop(ps []junitProperty, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func parseJUnit(t *testing.T, results []*executor.Result, opts ...report.Option) (junitSuites, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.JUnit(&buf, results, opts...); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	// Every count must agree with the elements.
	tests, failures := 0, 0
	for _, s := range doc.Suites {
		f := 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
			}
			if c.Skipped != nil {
				t.Errorf("suite %s: skipped testcase %s", s.Name, c.Name)
			}
			if c.Classname != s.Name {
				t.Errorf("testcase %s: classname %q in suite %q", c.Name, c.Classname, s.Name)
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != 0 {
			t.Errorf("suite %s: tests=%d failures=%d errors=%d, have %d cases %d failed", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), f)
		}
		if s.Timestamp == "" || s.Hostname == "" || s.Package == "" || s.SystemOut == nil || s.SystemErr == nil {
			t.Errorf("suite %s: missing required attributes or elements", s.Name)
		}
		if _, err := time.Parse("2006-01-02T15:04:05", s.Timestamp); err != nil {
			t.Errorf("suite %s: timestamp %q: %v", s.Name, s.Timestamp, err)
		}
		tests += s.Tests
		failures += s.Failures
	}
	if doc.Tests != tests || doc.Failures != failures {
		t.Errorf("testsuites tests=%d failures=%d, suites sum to %d and %d", doc.Tests, doc.Failures, tests, failures)
	}
	return doc, buf.String()
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func exchange(attempt int, method, url, body string, status int, respBody any) *executor.Exchange {
	return &executor.Exchange{Attempt: attempt,
		Request:  &executor.Request{Method: method, URL: url, Headers: jsonHeader(), Body: body},
		Response: &executor.Response{StatusCode: status, Headers: jsonHeader(), Body: respBody, Duration: 5 * time.Millisecond}}
}

// tree is a hand-built trace that covers every relation: a dependency, a
// workflow step, a failure handled by goto, a retried step and a transfer.
func tree() *executor.Result {
	dep := &executor.Result{WorkflowID: "login", Success: true, Status: executor.StatusCompleted, Duration: time.Millisecond,
		Steps: []*executor.StepResult{{StepID: "token", Success: true, Attempts: 1, Operation: "POST /token", StatusCode: 200,
			Exchanges: []*executor.Exchange{exchange(1, "POST", "http://api.test/token", `{"user":"ada"}`, 200, map[string]any{"token": executor.Mask})}}}}
	called := &executor.Result{WorkflowID: "place-order", Success: true, Status: executor.StatusCompleted,
		Steps: []*executor.StepResult{{StepID: "order", Success: true, Attempts: 1, StatusCode: 201,
			Exchanges: []*executor.Exchange{exchange(1, "POST", "http://api.test/orders", `{}`, 201, nil)}}}}
	transfer := &executor.Result{WorkflowID: "checkout", Success: false, Status: executor.StatusFailed,
		Error: `workflow "checkout", step "pay": criterion "$statusCode == 200" not met (status 402)`,
		Steps: []*executor.StepResult{{StepID: "pay", Attempts: 1, StatusCode: 402,
			Criteria:  []executor.CriterionResult{{Condition: "$statusCode == 200", Passed: false}},
			Exchanges: []*executor.Exchange{exchange(1, "POST", "http://api.test/pay?amount=3&note=a%20b", `{"card":"****"}`, 402, map[string]any{"error": "declined"})}}}}
	return &executor.Result{WorkflowID: "buy", Success: false, Status: executor.StatusFailed, Duration: 20 * time.Millisecond,
		Error:        transfer.Error,
		Dependencies: []*executor.Result{dep},
		Transfer:     transfer,
		Steps: []*executor.StepResult{
			{StepID: "find", Success: false, Attempts: 1, StatusCode: 404, Action: "goto",
				Criteria:  []executor.CriterionResult{{Condition: "$statusCode == 200", Passed: false}},
				Exchanges: []*executor.Exchange{exchange(1, "GET", "http://api.test/pets?tag=x", "", 404, "not found")}},
			{StepID: "create", Success: true, Attempts: 3, StatusCode: 201, Action: "retry", Duration: 1500 * time.Millisecond,
				Exchanges: []*executor.Exchange{
					exchange(1, "POST", "http://api.test/pets", `{}`, 503, nil),
					exchange(2, "POST", "http://api.test/pets", `{}`, 503, nil),
					exchange(3, "POST", "http://api.test/pets", `{}`, 201, map[string]any{"id": 7.0})},
				Violations: []executor.Violation{{Check: executor.CheckResponseHeaders, Severity: executor.SeverityWarn, Attempt: 1, In: "header.X-Rate", Message: "expected integer"}}},
			{StepID: "order", Success: true, Attempts: 1, WorkflowID: "place-order", Workflow: called},
			{StepID: "checkout", Success: true, Attempts: 1, StatusCode: 200, Action: "goto",
				Exchanges: []*executor.Exchange{exchange(1, "GET", "http://api.test/cart", "", 200, map[string]any{})}},
		}}
}

func TestJUnitTree(t *testing.T) {
	doc, text := parseJUnit(t, []*executor.Result{tree()}, report.WithHostname("ci"), report.WithName("contract"))
	if doc.Name != "contract" || doc.Tests != 7 || doc.Failures != 1 {
		t.Fatalf("testsuites %s: tests=%d failures=%d\n%s", doc.Name, doc.Tests, doc.Failures, text)
	}
	type want struct {
		name, parent, relation string
		cases                  []string
		failed                 []string
	}
	wants := []want{
		{name: "buy", cases: []string{"find", "create", "order", "checkout"}},
		{name: "login", parent: "buy", relation: "dependency", cases: []string{"token"}},
		{name: "place-order", parent: "buy", relation: "step order", cases: []string{"order"}},
		{name: "checkout", parent: "buy", relation: "goto", cases: []string{"pay"}, failed: []string{"pay"}},
	}
	if len(doc.Suites) != len(wants) {
		t.Fatalf("%d suites\n%s", len(doc.Suites), text)
	}
	for i, w := range wants {
		s := doc.Suites[i]
		if s.Name != w.name || s.ID != i || s.Hostname != "ci" {
			t.Errorf("suite %d = %s (id %d, host %s), want %s", i, s.Name, s.ID, s.Hostname, w.name)
		}
		if prop(s.Properties, "parent") != w.parent || prop(s.Properties, "relation") != w.relation {
			t.Errorf("suite %s: parent %q relation %q", s.Name, prop(s.Properties, "parent"), prop(s.Properties, "relation"))
		}
		if w.parent != "" && prop(s.Properties, "parentId") != "0" {
			t.Errorf("suite %s: parentId %q", s.Name, prop(s.Properties, "parentId"))
		}
		var names, failed []string
		for _, c := range s.Cases {
			names = append(names, c.Name)
			if c.Failure != nil {
				failed = append(failed, c.Name)
			}
		}
		if strings.Join(names, ",") != strings.Join(w.cases, ",") || strings.Join(failed, ",") != strings.Join(w.failed, ",") {
			t.Errorf("suite %s: cases %v failed %v, want %v and %v", s.Name, names, failed, w.cases, w.failed)
		}
	}
	buy := doc.Suites[0]
	if got := buy.Cases[0].SystemOut; !strings.Contains(got, "handled it (goto)") || !strings.Contains(got, "response: 404") {
		t.Errorf("handled failure system-out = %q", got)
	}
	create := buy.Cases[1]
	if prop(create.Properties, "attempts") != "3" || prop(create.Properties, "action") != "retry" || create.Time != 1.5 {
		t.Errorf("create: %+v", create)
	}
	if !strings.Contains(create.SystemOut, "[warn] response-headers: header.X-Rate: expected integer") {
		t.Errorf("warning not in system-out: %q", create.SystemOut)
	}
	if prop(buy.Cases[2].Properties, "workflow") != "place-order" {
		t.Errorf("order properties %+v", buy.Cases[2].Properties)
	}
	f := doc.Suites[3].Cases[0].Failure
	if f.Type != report.FailureCriterion || f.Message != `criterion "$statusCode == 200" not met (status 402)` {
		t.Errorf("failure = %+v", f)
	}
	for _, s := range []string{"[FAIL] $statusCode == 200", "request: POST http://api.test/pay?amount=3&note=a%20b", `request body: {"card":"****"}`, "response: 402 application/json", `response body: {"error":"declined"}`} {
		if !strings.Contains(f.Text, s) {
			t.Errorf("failure body lacks %q:\n%s", s, f.Text)
		}
	}
}

func TestJUnitWorkflowCase(t *testing.T) {
	tests := []struct {
		name    string
		res     *executor.Result
		cases   string
		message string
	}{
		{
			name: "invalid inputs",
			res: &executor.Result{WorkflowID: "w", Status: executor.StatusFailed,
				Error: "workflow \"w\": invalid inputs:\n  /code: missing"},
			cases: "(workflow)", message: `workflow "w": invalid inputs: …`,
		},
		{
			name: "failed dependency is reported by its own suite",
			res: &executor.Result{WorkflowID: "w", Status: executor.StatusFailed, Error: "dependency failed",
				Dependencies: []*executor.Result{{WorkflowID: "d", Status: executor.StatusFailed, Error: "limit"}}},
			cases: "", message: "",
		},
		{
			name:  "success without steps",
			res:   &executor.Result{WorkflowID: "w", Success: true, Status: executor.StatusCompleted},
			cases: "",
		},
		{
			name:  "failed without message",
			res:   &executor.Result{WorkflowID: "w", Status: executor.StatusFailed},
			cases: "(workflow)", message: `workflow "w" failed`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, text := parseJUnit(t, []*executor.Result{tt.res})
			s := doc.Suites[0]
			var names []string
			for _, c := range s.Cases {
				names = append(names, c.Name)
			}
			if strings.Join(names, ",") != tt.cases {
				t.Fatalf("cases %v\n%s", names, text)
			}
			if tt.message != "" && s.Cases[0].Failure.Message != tt.message {
				t.Errorf("message %q", s.Cases[0].Failure.Message)
			}
		})
	}
}

func TestJUnitContractFailure(t *testing.T) {
	big := strings.Repeat("é", 3000) // 6000 bytes
	res := &executor.Result{WorkflowID: "w", Status: executor.StatusFailed, Steps: []*executor.StepResult{{
		StepID: "s", Attempts: 1, StatusCode: 200,
		Error:      "the response breaks the operation's contract: response-body: body/id: expected integer",
		Criteria:   []executor.CriterionResult{{Condition: "$statusCode == 200", Passed: true}},
		Violations: []executor.Violation{{Check: executor.CheckResponseBody, Severity: executor.SeverityError, Attempt: 1, In: "body", InstancePath: "/id", Message: "expected integer"}},
		Exchanges:  []*executor.Exchange{exchange(1, "GET", "http://api.test/x", "", 200, big)},
	}}}
	doc, _ := parseJUnit(t, []*executor.Result{res}, report.WithMaxBody(100))
	f := doc.Suites[0].Cases[0].Failure
	if f == nil || f.Type != report.FailureContract || !strings.Contains(f.Message, "breaks the operation's contract") {
		t.Fatalf("failure = %+v", f)
	}
	if !strings.Contains(f.Text, "[error] response-body: body/id: expected integer (attempt 1)") {
		t.Errorf("violation missing:\n%s", f.Text)
	}
	if !strings.Contains(f.Text, "… (5900 more bytes)") || strings.Count(f.Text, "é") != 50 {
		t.Errorf("body not cut at 100 bytes:\n%s", f.Text)
	}
}

func TestJUnitNilSafe(t *testing.T) {
	res := &executor.Result{WorkflowID: "w", Status: executor.StatusFailed, Steps: []*executor.StepResult{nil, {
		StepID: "s", Exchanges: []*executor.Exchange{nil, {Attempt: 1}, {Attempt: 1, Request: &executor.Request{}, Error: "dial tcp: refused"}},
	}}}
	res.Dependencies = []*executor.Result{nil, res} // a cycle is cut
	doc, _ := parseJUnit(t, []*executor.Result{nil, res, res})
	if len(doc.Suites) != 1 || doc.Failures != 1 {
		t.Fatalf("%+v", doc)
	}
	res.Dependencies = nil // JSON cannot encode a cycle
	var buf bytes.Buffer
	for _, f := range report.Formats() {
		if err := report.Write(&buf, f, []*executor.Result{nil, res}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if err := report.Write(&buf, "xml", nil); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestJUnitUnsafeText(t *testing.T) {
	body := "a\x00b]]>c\xffd"
	res := &executor.Result{WorkflowID: "w", Status: executor.StatusFailed, Steps: []*executor.StepResult{{
		StepID: "s", Attempts: 1, StatusCode: 500, Error: "bad \x01 thing",
		Exchanges: []*executor.Exchange{exchange(1, "GET", "http://api.test/x", "", 500, body)},
	}}}
	doc, _ := parseJUnit(t, []*executor.Result{res})
	f := doc.Suites[0].Cases[0].Failure
	if f == nil || !strings.Contains(f.Text, "response body: a\uFFFDb]]>c\uFFFDd") || f.Message != "bad \uFFFD thing" {
		t.Fatalf("failure %+v", f)
	}
}
