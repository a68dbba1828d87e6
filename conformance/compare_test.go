package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/yamlx"
)

// problems collects mismatches, each prefixed with where it was found.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// show renders a JSON value so that types are visible ("7" vs 7).
func show(v any) string {
	b, err := jsonMarshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// canonical round-trips a value through encoding/json so that only JSON
// distinctions remain (int 7 and float64 7 are the same number).
func canonical(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

// diffValues reports every difference between two JSON values, by path.
func diffValues(path string, want, got any, out *problems) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			out.addf("%s: want %s, got %s", path, show(want), show(got))
			return
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, wok := w[k]
			gv, gok := g[k]
			p := path + "." + k
			switch {
			case !gok:
				out.addf("%s: missing (want %s)", p, show(wv))
			case !wok:
				out.addf("%s: unexpected (got %s)", p, show(gv))
			default:
				diffValues(p, wv, gv, out)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			out.addf("%s: want %s, got %s", path, show(want), show(got))
			return
		}
		for i := range w {
			diffValues(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], out)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			out.addf("%s: want %s, got %s", path, show(want), show(got))
		}
	}
}

// nodeValue converts an expectation node to a JSON value.
func nodeValue(n *yaml.Node) any {
	v, err := yamlx.Value(n)
	if err != nil {
		return fmt.Sprintf("<bad YAML: %v>", err)
	}
	return v
}

// stringsValue converts a node of strings or lists of strings (query, form)
// to map[string]any with string or []any values, scalars taken as written.
func stringsValue(n *yaml.Node) (any, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("want a map, got %v", n.Tag)
	}
	out := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch v.Kind {
		case yaml.ScalarNode:
			out[k] = v.Value
		case yaml.SequenceNode:
			var list []any
			for _, e := range v.Content {
				list = append(list, e.Value)
			}
			out[k] = list
		default:
			return nil, fmt.Errorf("%s: want a string or a list of strings", k)
		}
	}
	return out, nil
}

// valuesMap turns url.Values into the shape stringsValue gives.
func valuesMap(v url.Values) map[string]any {
	out := map[string]any{}
	for k, vs := range v {
		if len(vs) == 1 {
			out[k] = vs[0]
			continue
		}
		list := make([]any, len(vs))
		for i, s := range vs {
			list[i] = s
		}
		out[k] = list
	}
	return out
}

func compareError(want *errorExpect, wantInput bool, err error, out *problems) {
	var se *executor.StepError
	var ie *executor.InputError
	switch {
	case wantInput:
		if !asError(err, &ie) {
			out.addf("error: want an *executor.InputError, got %s", describeErr(err))
		}
	case want == nil:
		if err != nil {
			out.addf("error: want none, got %s", describeErr(err))
		}
	case !asError(err, &se):
		out.addf("error: want *executor.StepError{Code: %q, StepID: %q}, got %s", want.Code, want.StepID, describeErr(err))
	default:
		if want.Code != "" && se.Code != want.Code {
			out.addf("error.code: want %q, got %q (%v)", want.Code, se.Code, err)
		}
		if want.StepID != "" && se.StepID != want.StepID {
			out.addf("error.stepId: want %q, got %q (%v)", want.StepID, se.StepID, err)
		}
		if want.WorkflowID != "" && se.WorkflowID != want.WorkflowID {
			out.addf("error.workflowId: want %q, got %q (%v)", want.WorkflowID, se.WorkflowID, err)
		}
		if want.Contains != "" && !strings.Contains(err.Error(), want.Contains) {
			out.addf("error: want a message containing %q, got %q", want.Contains, err.Error())
		}
	}
}

func describeErr(err error) string {
	if err == nil {
		return "nil"
	}
	var se *executor.StepError
	if asError(err, &se) {
		return fmt.Sprintf("*executor.StepError{Code: %q, StepID: %q} %q", se.Code, se.StepID, err.Error())
	}
	return fmt.Sprintf("%T %q", err, err.Error())
}

func compareResult(path string, want *resultExpect, got *executor.Result, out *problems) {
	if got == nil {
		out.addf("%s: want a result, got nil", path)
		return
	}
	if want.WorkflowID != "" && got.WorkflowID != want.WorkflowID {
		out.addf("%s.workflowId: want %q, got %q", path, want.WorkflowID, got.WorkflowID)
	}
	if want.Status != "" && string(got.Status) != want.Status {
		out.addf("%s.status: want %s, got %s", path, want.Status, got.Status)
	}
	if want.Success != nil && got.Success != *want.Success {
		out.addf("%s.success: want %v, got %v", path, *want.Success, got.Success)
	}
	if want.Outputs.Kind != 0 {
		diffValues(path+".outputs", nodeValue(&want.Outputs), canonical(nonNilMap(got.Outputs)), out)
	}
	if want.Steps != nil {
		compareSteps(path+".steps", *want.Steps, got.Steps, out)
	}
	if want.Dependencies != nil {
		if len(want.Dependencies) != len(got.Dependencies) {
			out.addf("%s.dependencies: want %d runs, got %d %v", path, len(want.Dependencies), len(got.Dependencies), workflowIDs(got.Dependencies))
		} else {
			for i, d := range want.Dependencies {
				compareResult(fmt.Sprintf("%s.dependencies[%d]", path, i), d, got.Dependencies[i], out)
			}
		}
	}
	if want.Transfer != nil {
		compareResult(path+".transfer", want.Transfer, got.Transfer, out)
	}
}

func workflowIDs(rs []*executor.Result) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.WorkflowID)
	}
	return ids
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func compareSteps(path string, want []*stepExpect, got []*executor.StepResult, out *problems) {
	wantIDs := make([]string, len(want))
	for i, s := range want {
		wantIDs[i] = s.StepID
	}
	gotIDs := make([]string, len(got))
	for i, s := range got {
		gotIDs[i] = s.StepID
	}
	if !reflect.DeepEqual(wantIDs, gotIDs) {
		out.addf("%s: want [%s], got [%s]", path, strings.Join(wantIDs, " "), strings.Join(gotIDs, " "))
		return
	}
	for i, w := range want {
		g := got[i]
		p := fmt.Sprintf("%s[%d](%s)", path, i, w.StepID)
		if w.StatusCode != nil && g.StatusCode != *w.StatusCode {
			out.addf("%s.statusCode: want %d, got %d", p, *w.StatusCode, g.StatusCode)
		}
		if w.Attempts != nil && g.Attempts != *w.Attempts {
			out.addf("%s.attempts: want %d, got %d", p, *w.Attempts, g.Attempts)
		}
		if w.Success != nil && g.Success != *w.Success {
			out.addf("%s.success: want %v, got %v", p, *w.Success, g.Success)
		}
		if w.Action != nil && g.Action != *w.Action {
			out.addf("%s.action: want %q, got %q", p, *w.Action, g.Action)
		}
		if w.Outputs.Kind != 0 {
			diffValues(p+".outputs", nodeValue(&w.Outputs), canonical(nonNilMap(g.Outputs)), out)
		}
		if w.ErrorContains != "" && !strings.Contains(g.Error, w.ErrorContains) {
			out.addf("%s.error: want a message containing %q, got %q", p, w.ErrorContains, g.Error)
		}
		if w.Criteria != nil {
			if len(w.Criteria) != len(g.Criteria) {
				out.addf("%s.criteria: want %d results, got %d", p, len(w.Criteria), len(g.Criteria))
			} else {
				for j, wc := range w.Criteria {
					gc := g.Criteria[j]
					if gc.Passed != wc.Passed {
						out.addf("%s.criteria[%d] %q: want passed=%v, got %v (error %q)", p, j, gc.Condition, wc.Passed, gc.Passed, gc.Error)
					}
					if wc.Error != nil && (gc.Error != "") != *wc.Error {
						out.addf("%s.criteria[%d] %q: want an evaluation error=%v, got %q", p, j, gc.Condition, *wc.Error, gc.Error)
					}
				}
			}
		}
		if w.Workflow != nil {
			compareResult(p+".workflow", w.Workflow, g.Workflow, out)
		}
	}
}

func compareRequests(want []*requestExpect, got []*recorded, out *problems) {
	if len(want) != len(got) {
		var lines []string
		for _, r := range got {
			lines = append(lines, r.Method+" "+r.target())
		}
		out.addf("requests: want %d, got %d [%s]", len(want), len(got), strings.Join(lines, ", "))
	}
	for i := 0; i < len(want) && i < len(got); i++ {
		compareRequest(fmt.Sprintf("requests[%d]", i), want[i], got[i], out)
	}
}

func (r *recorded) target() string {
	if r.RawQuery == "" {
		return r.Path
	}
	return r.Path + "?" + r.RawQuery
}

func compareRequest(p string, w *requestExpect, g *recorded, out *problems) {
	p = fmt.Sprintf("%s(%s %s)", p, g.Method, g.target())
	if !strings.EqualFold(w.Method, g.Method) {
		out.addf("%s.method: want %s, got %s", p, w.Method, g.Method)
	}
	if w.Path != g.Path {
		out.addf("%s.path: want %s, got %s", p, w.Path, g.Path)
	}
	if w.RawQuery != nil && *w.RawQuery != g.RawQuery {
		out.addf("%s.rawQuery: want %q, got %q", p, *w.RawQuery, g.RawQuery)
	}
	if w.Query.Kind != 0 {
		want, err := stringsValue(&w.Query)
		if err != nil {
			out.addf("%s.query: bad expectation: %v", p, err)
		} else if q, err := url.ParseQuery(g.RawQuery); err != nil {
			out.addf("%s.query: cannot parse %q: %v", p, g.RawQuery, err)
		} else {
			diffValues(p+".query", want, valuesMap(q), out)
		}
	}
	names := make([]string, 0, len(w.Headers))
	for k := range w.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vs := g.Header.Values(k)
		if len(vs) == 0 {
			out.addf("%s.headers.%s: missing (want %q)", p, k, w.Headers[k])
			continue
		}
		if got := strings.Join(vs, ", "); got != w.Headers[k] {
			out.addf("%s.headers.%s: want %q, got %q", p, k, w.Headers[k], got)
		}
	}
	for _, k := range w.AbsentHeaders {
		if vs := g.Header.Values(k); len(vs) > 0 {
			out.addf("%s.headers.%s: want absent, got %q", p, k, strings.Join(vs, ", "))
		}
	}
	if w.ContentType != "" {
		got, _, err := mime.ParseMediaType(g.Header.Get("Content-Type"))
		if err != nil || !strings.EqualFold(got, w.ContentType) {
			out.addf("%s.contentType: want %s, got %q", p, w.ContentType, g.Header.Get("Content-Type"))
		}
	}
	if w.BodyText != nil && *w.BodyText != string(g.Body) {
		out.addf("%s.bodyText: want %q, got %q", p, *w.BodyText, string(g.Body))
	}
	var body any
	bodyErr := error(nil)
	if w.Body.Kind != 0 || len(w.AbsentBodyFields) > 0 {
		if len(g.Body) == 0 {
			bodyErr = fmt.Errorf("no body")
		} else {
			bodyErr = json.Unmarshal(g.Body, &body)
		}
		if bodyErr != nil {
			out.addf("%s.body: want JSON, got %q (%v)", p, string(g.Body), bodyErr)
		}
	}
	if w.Body.Kind != 0 && bodyErr == nil {
		diffValues(p+".body", nodeValue(&w.Body), body, out)
	}
	if bodyErr == nil {
		for _, f := range w.AbsentBodyFields {
			if strings.HasPrefix(f, "/") {
				ptr, err := jsonptr.Parse(f)
				if err != nil {
					out.addf("%s.absentBodyFields: bad pointer %q: %v", p, f, err)
					continue
				}
				if v, ok := ptr.Get(body); ok {
					out.addf("%s.body%s: want absent, got %s", p, f, show(v))
				}
				continue
			}
			m, _ := body.(map[string]any)
			if v, ok := m[f]; ok {
				out.addf("%s.body.%s: want absent, got %s", p, f, show(v))
			}
		}
	}
	if w.Form.Kind != 0 {
		want, err := stringsValue(&w.Form)
		if err != nil {
			out.addf("%s.form: bad expectation: %v", p, err)
		} else if got, err := formFields(g); err != nil {
			out.addf("%s.form: %v (body %q)", p, err, string(g.Body))
		} else {
			diffValues(p+".form", want, got, out)
		}
	}
}

// formFields decodes an urlencoded or multipart body into its fields.
func formFields(r *recorded) (map[string]any, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("content type %q: %v", r.Header.Get("Content-Type"), err)
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return nil, err
		}
		return valuesMap(v), nil
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
		v := url.Values{}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(part)
			if err != nil {
				return nil, err
			}
			v.Add(part.FormName(), string(b))
		}
		return valuesMap(v), nil
	}
	return nil, fmt.Errorf("content type %q is not a form", mt)
}

func compareSleeps(want []string, got []time.Duration, out *problems) {
	w := make([]time.Duration, len(want))
	for i, s := range want {
		w[i], _ = time.ParseDuration(s) // checked when decoding
	}
	if !reflect.DeepEqual(w, append([]time.Duration{}, got...)) {
		out.addf("sleeps: want %v, got %v", w, got)
	}
}

// trace renders a run for failure messages.
func trace(res *executor.Result, err error, reqs []*recorded) string {
	var b strings.Builder
	fmt.Fprintf(&b, "run error: %s\n", describeErr(err))
	writeResult(&b, res, "")
	b.WriteString("requests received:\n")
	if len(reqs) == 0 {
		b.WriteString("  (none)\n")
	}
	for i, r := range reqs {
		fmt.Fprintf(&b, "  %d. %s %s", i+1, r.Method, r.target())
		if ct := r.Header.Get("Content-Type"); ct != "" {
			fmt.Fprintf(&b, " [%s]", ct)
		}
		if len(r.Body) > 0 {
			body := string(r.Body)
			if len(body) > 300 {
				body = body[:300] + "…"
			}
			fmt.Fprintf(&b, " body=%q", body)
		}
		if !r.Routed {
			b.WriteString(" (no route: answered 404)")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func writeResult(b *strings.Builder, r *executor.Result, indent string) {
	if r == nil {
		fmt.Fprintf(b, "%sresult: nil\n", indent)
		return
	}
	fmt.Fprintf(b, "%sworkflow %s: status=%s success=%v outputs=%s", indent, r.WorkflowID, r.Status, r.Success, show(r.Outputs))
	if r.Error != "" {
		fmt.Fprintf(b, " error=%q", r.Error)
	}
	b.WriteByte('\n')
	for _, d := range r.Dependencies {
		fmt.Fprintf(b, "%s  dependency:\n", indent)
		writeResult(b, d, indent+"    ")
	}
	for _, s := range r.Steps {
		fmt.Fprintf(b, "%s  step %s: success=%v status=%d attempts=%d", indent, s.StepID, s.Success, s.StatusCode, s.Attempts)
		if s.Action != "" {
			fmt.Fprintf(b, " action=%s", s.Action)
		}
		fmt.Fprintf(b, " outputs=%s", show(s.Outputs))
		for _, c := range s.Criteria {
			fmt.Fprintf(b, " [%q passed=%v", c.Condition, c.Passed)
			if c.Error != "" {
				fmt.Fprintf(b, " error=%q", c.Error)
			}
			b.WriteString("]")
		}
		if s.Error != "" {
			fmt.Fprintf(b, " error=%q", s.Error)
		}
		b.WriteByte('\n')
		if s.Workflow != nil {
			writeResult(b, s.Workflow, indent+"    ")
		}
	}
	if r.Transfer != nil {
		fmt.Fprintf(b, "%s  transfer:\n", indent)
		writeResult(b, r.Transfer, indent+"    ")
	}
}
