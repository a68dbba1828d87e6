package arazzo_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
)

// nestedDoc is a valid document with extra (an x- extension value, written
// after "x-deep: ") on line 5.
func nestedDoc(extra string) string {
	return "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\n" +
		"workflows: [{workflowId: w, steps: [{stepId: s, operationId: o}]}]\nx-deep: " + extra + "\n"
}

// blockNest is n block mappings nested under x-deep, one per line, then
// value.
func blockNest(n int, value string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("\n" + strings.Repeat(" ", i+1) + "a:")
	}
	return b.String() + " " + value
}

// TestParseNestingDepth pins the nesting limit: a document deeper than
// DefaultMaxNestingDepth (or WithMaxNestingDepth) gets one
// nesting-too-deep error at the first collection past the limit, and it
// blames aliases only when an alias made it deep. (A flow mapping nested
// 10000 levels, which the YAML library accepts, used to be reported as
// "its aliases expand to 1099511607763 more nodes", at 1:1.)
func TestParseNestingDepth(t *testing.T) {
	flow := func(n int) string { return strings.Repeat("{a: ", n) + "1" + strings.Repeat("}", n) }
	// chain nests an alias n levels deep: each anchor holds the previous.
	chain := func(n int) string {
		var b strings.Builder
		b.WriteString("\n  a0: &a0 [1]")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "\n  a%d: &a%d [*a%d]", i, i, i-1)
		}
		return b.String()
	}
	jsonDoc := `{"arazzo": "1.0.1", "x-deep": ` + strings.Repeat(`[`, 1500) + strings.Repeat(`]`, 1500) + `}`
	tests := []struct {
		name string
		src  string
		opts []arazzo.ParseOption
		// want is "line:col message", "" for no nesting error.
		want string
	}{
		{name: "flow mappings 10000 deep, no alias", src: nestedDoc(flow(10000)),
			want: "5:4005 objects and arrays nest deeper than 1000 levels here (the limit, WithMaxNestingDepth)"},
		{name: "at the default limit", src: nestedDoc(flow(999))},
		{name: "one past the default limit", src: nestedDoc(flow(1000)), want: "5:4005 objects and arrays nest deeper than 1000 levels here"},
		{name: "JSON arrays", src: jsonDoc, want: "1:1030 objects and arrays nest deeper than 1000 levels here"},
		{name: "block and flow together", src: nestedDoc(blockNest(600, flow(600))),
			want: "605:2200 objects and arrays nest deeper than 1000 levels here"},
		{name: "an option", src: nestedDoc(blockNest(8, "1")), opts: []arazzo.ParseOption{arazzo.WithMaxNestingDepth(8)},
			want: "13:9 objects and arrays nest deeper than 8 levels here"},
		{name: "at an option", src: nestedDoc(blockNest(7, "1")), opts: []arazzo.ParseOption{arazzo.WithMaxNestingDepth(8)}},
		{name: "a non-positive option keeps the default", src: nestedDoc(flow(1000)), opts: []arazzo.ParseOption{arazzo.WithMaxNestingDepth(0)},
			want: "5:4005 objects and arrays nest deeper than 1000 levels here"},
		{name: "aliases nest deeper than their text", src: nestedDoc(chain(12)), opts: []arazzo.ParseOption{arazzo.WithMaxNestingDepth(10)},
			want: "14:12 objects and arrays nest deeper than 10 levels once this alias is expanded (the limit, WithMaxNestingDepth; the collection past it is at line 6)"},
		{name: "aliases within the limit", src: nestedDoc(chain(12)), opts: []arazzo.ParseOption{arazzo.WithMaxNestingDepth(14)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ds := arazzo.Parse([]byte(tt.src), "f.yaml", tt.opts...)
			if tt.want == "" {
				if doc == nil || ds.HasCode(arazzo.CodeNestingTooDeep) || ds.HasCode(arazzo.CodeInvalidDocument) {
					t.Fatalf("Parse = %v, %v; want a document", doc, ds)
				}
				return
			}
			if doc != nil || len(ds) != 1 || ds[0].Code != arazzo.CodeNestingTooDeep {
				t.Fatalf("Parse = %v, %v; want nil and one %s", doc, ds, arazzo.CodeNestingTooDeep)
			}
			got := fmt.Sprintf("%d:%d %s", ds[0].Range.Start.Line, ds[0].Range.Start.Column, ds[0].Message)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %s\nwant %s...", got, tt.want)
			}
			if strings.Contains(tt.name, "no alias") && strings.Contains(got, "alias") {
				t.Errorf("the message blames aliases, and the document has none: %s", got)
			}
		})
	}
}

// TestParseAliasBombMessage checks that an alias bomb is still reported
// as such, with the number of aliases that make it.
func TestParseAliasBombMessage(t *testing.T) {
	var b strings.Builder
	b.WriteString("\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, "\n  a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	doc, ds := arazzo.Parse([]byte(nestedDoc(b.String())), "f.yaml")
	want := "document too large: its 70 aliases expand to 135802370 more nodes than it has (limit 1048576)"
	if doc != nil || len(ds) != 1 || ds[0].Code != arazzo.CodeInvalidDocument || ds[0].Message != want {
		t.Fatalf("Parse = %v, %v; want nil and %q", doc, ds, want)
	}
}

// TestParseNumberRange pins how numeric fields written out of range are
// reported: "out of range", with the range allowed and the field's code,
// never "not an integer" for an integer too large for int.
func TestParseNumberRange(t *testing.T) {
	retry := func(field, value string) string {
		return "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\n" +
			"workflows:\n- workflowId: w\n  steps:\n  - stepId: s\n    operationId: o\n    onFailure:\n    - {name: r, type: retry, " + field + ": " + value + "}\n"
	}
	timeout := func(value string) string {
		return "arazzo: 1.1.0\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\n" +
			"workflows:\n- workflowId: w\n  steps:\n  - stepId: s\n    operationId: o\n    timeout: " + value + "\n"
	}
	jsonRetry := `{"arazzo": "1.0.1", "info": {"title": "t", "version": "1"}, "sourceDescriptions": [{"name": "a", "url": "a.yaml"}],
"workflows": [{"workflowId": "w", "steps": [{"stepId": "s", "operationId": "o", "onFailure": [{"name": "r", "type": "retry", "retryLimit": 1e300}]}]}]}`
	const maxInt = "9223372036854775807"
	tests := []struct {
		name, src string
		// want is "code message" of the only error; "" for none.
		want string
		// limit and timeout are the values decoded when there is no error.
		limit   int
		after   float64
		timeout int
	}{
		{name: "retryLimit 1e300", src: retry("retryLimit", "1e300"),
			want: "invalid-retry retryLimit 1e300 is out of range: it must be an integer from 0 to " + maxInt},
		{name: "retryLimit past int64", src: retry("retryLimit", "99999999999999999999"),
			want: "invalid-retry retryLimit 99999999999999999999 is out of range: it must be an integer from 0 to " + maxInt},
		{name: "retryLimit -1e300", src: retry("retryLimit", "-1e300"),
			want: "invalid-retry retryLimit -1e300 is out of range: it must be an integer from 0 to " + maxInt},
		{name: "retryLimit past float64", src: retry("retryLimit", "1e400"),
			want: "invalid-retry retryLimit 1e400 is out of range: it must be an integer from 0 to " + maxInt},
		{name: "retryLimit 1.5", src: retry("retryLimit", "1.5"), want: "invalid-type retryLimit must be an integer, not 1.5"},
		{name: "retryLimit a string", src: retry("retryLimit", "'3'"), want: "invalid-type retryLimit must be an integer, not a string"},
		{name: "retryLimit negative", src: retry("retryLimit", "-1"), want: "invalid-retry retryLimit must not be negative"},
		{name: "retryLimit 3.0 is an integer", src: retry("retryLimit", "3.0"), limit: 3},
		{name: "retryLimit 1e3 is an integer", src: retry("retryLimit", "1e3"), limit: 1000},
		{name: "retryLimit 0x10", src: retry("retryLimit", "0x10"), limit: 16},
		{name: "retryLimit 1_000", src: retry("retryLimit", "1_000"), limit: 1000},
		{name: "retryLimit 1e300 in JSON", src: jsonRetry,
			want: "invalid-retry retryLimit 1e300 is out of range: it must be an integer from 0 to " + maxInt},
		{name: "retryAfter past float64", src: retry("retryAfter", "1e400"),
			want: "invalid-retry retryAfter 1e400 is out of range: it must be a number of seconds, at most 1.7976931348623157e+308"},
		{name: "retryAfter 2.5", src: retry("retryAfter", "2.5"), after: 2.5},
		{name: "timeout 1e300", src: timeout("1e300"),
			want: "invalid-timeout timeout 1e300 is out of range: it must be an integer number of milliseconds from 1 to 9223372036854"},
		{name: "timeout past time.Duration", src: timeout("9223372036855"),
			want: "invalid-timeout timeout 9223372036855 is out of range: it must be an integer number of milliseconds from 1 to 9223372036854"},
		{name: "timeout 1.1", src: timeout("1.1"), want: "invalid-type timeout must be an integer number of milliseconds, not 1.1"},
		{name: "timeout at the limit", src: timeout("9223372036854"), timeout: 9223372036854},
		{name: "timeout 5e3", src: timeout("5e3"), timeout: 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ds := arazzo.Parse([]byte(tt.src), "f.yaml")
			if doc == nil {
				t.Fatalf("Parse: %v", ds)
			}
			ds = append(ds, arazzo.Validate(doc, arazzo.NoTypeCheck())...)
			var errs []string
			for _, d := range ds.Errors() {
				if d.Code != arazzo.CodeUnknownOperation && d.Code != arazzo.CodeSourceNotLoaded {
					errs = append(errs, d.Code+" "+d.Message)
				}
			}
			if tt.want != "" {
				if len(errs) != 1 || errs[0] != tt.want {
					t.Fatalf("errors %q\nwant [%q]", errs, tt.want)
				}
				return
			}
			if len(errs) != 0 {
				t.Fatalf("errors %q, want none", errs)
			}
			s := doc.Workflows[0].Steps[0]
			switch {
			case tt.timeout != 0:
				if s.Timeout == nil || *s.Timeout != tt.timeout {
					t.Errorf("Timeout = %v, want %d", s.Timeout, tt.timeout)
				}
			case tt.after != 0:
				if a := s.OnFailure[0]; a.RetryAfter == nil || *a.RetryAfter != tt.after {
					t.Errorf("RetryAfter = %v, want %v", a.RetryAfter, tt.after)
				}
			default:
				if a := s.OnFailure[0]; a.RetryLimit == nil || *a.RetryLimit != tt.limit {
					t.Errorf("RetryLimit = %v, want %d", a.RetryLimit, tt.limit)
				}
			}
		})
	}
}

// TestValidateTimeoutRange checks the upper bound of a step timeout in a
// document built or changed in Go, which Parse did not see.
func TestValidateTimeoutRange(t *testing.T) {
	src := "arazzo: 1.1.0\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\n" +
		"workflows:\n- workflowId: w\n  steps:\n  - stepId: s\n    operationId: o\n    timeout: 5000\n"
	doc, ds := arazzo.Parse([]byte(src), "f.yaml")
	if doc == nil || ds.HasErrors() {
		t.Fatalf("Parse: %v", ds)
	}
	big := int(arazzo.MaxTimeoutMillis + 1)
	doc.Workflows[0].Steps[0].Timeout = &big
	want := "timeout 9223372036855 is out of range: it must be an integer number of milliseconds from 1 to 9223372036854"
	got := arazzo.Validate(doc, arazzo.NoTypeCheck()).WithCode(arazzo.CodeInvalidTimeout)
	if len(got) != 1 || got[0].Message != want || got[0].Range.Start.Line != 9 {
		t.Errorf("Validate: %v\nwant one %s at line 9: %s", got, arazzo.CodeInvalidTimeout, want)
	}
}
