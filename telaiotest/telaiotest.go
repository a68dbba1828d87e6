package telaiotest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/stepfail"
)

// MaxBody is how many bytes of each request and response body a failure
// message shows.
const MaxBody = 1024

// T is the part of testing.TB that Run uses. *testing.T, *testing.B and
// *testing.F satisfy it. Fatalf must not return normally in a real test
// (testing's stops the goroutine); when it does, Run returns nil.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

var _ T = (testing.TB)(nil)

// Source is where the Arazzo document is read from: File or FS.
type Source interface {
	load(ctx context.Context, opts []arazzo.LoadOption) (*arazzo.Document, diag.Diagnostics)
	String() string
}

type fileSource string

func (f fileSource) load(ctx context.Context, opts []arazzo.LoadOption) (*arazzo.Document, diag.Diagnostics) {
	return arazzo.Load(ctx, string(f), opts...)
}

func (f fileSource) String() string { return string(f) }

type fsSource struct {
	fsys fs.FS
	path string
}

func (s fsSource) load(ctx context.Context, opts []arazzo.LoadOption) (*arazzo.Document, diag.Diagnostics) {
	if s.fsys == nil {
		var ds diag.Diagnostics
		ds.Errorf(diag.Range{File: s.path}, arazzo.CodeUnreadable, "telaiotest.FS: nil file system")
		return nil, ds
	}
	return arazzo.LoadFS(ctx, s.fsys, s.path, opts...)
}

func (s fsSource) String() string { return s.path }

// File reads the document at path in the operating system's file system
// (arazzo.Load: relative source urls resolve against it and must stay
// inside the working directory, or the document's directory; see
// LoadOptions and arazzo.WithRoot).
func File(path string) Source { return fileSource(path) }

// FS reads the document at path in fsys (arazzo.LoadFS), for example an
// embed.FS or a testing/fstest.MapFS holding the document and its OpenAPI
// descriptions.
func FS(fsys fs.FS, path string) Source { return fsSource{fsys: fsys, path: path} }

// Option configures Run.
type Option func(*config)

type config struct {
	exec          []executor.Option
	load          []arazzo.LoadOption
	expectFailure bool
}

// Server sends the operations of the named source description to baseURL
// (executor.WithServer).
func Server(source, baseURL string) Option {
	return func(c *config) { c.exec = append(c.exec, executor.WithServer(source, baseURL)) }
}

// HTTPServer sends the operations of the named source description to srv,
// through srv's client (so TLS servers work). When several are given, the
// client of the last one is used.
func HTTPServer(source string, srv *httptest.Server) Option {
	return func(c *config) {
		if srv == nil {
			return
		}
		c.exec = append(c.exec, executor.WithServer(source, srv.URL), executor.WithHTTPClient(srv.Client()))
	}
}

// Auth supplies the credential of an OpenAPI security scheme
// (executor.WithAuth). It is masked in everything reported.
func Auth(scheme, value string) Option {
	return func(c *config) { c.exec = append(c.exec, executor.WithAuth(scheme, value)) }
}

// ExecutorOptions passes options to executor.New, after those the other
// options make.
func ExecutorOptions(opts ...executor.Option) Option {
	return func(c *config) { c.exec = append(c.exec, opts...) }
}

// LoadOptions passes options to arazzo.Load or arazzo.LoadFS (for example
// arazzo.WithRoot or arazzo.WithSourceOverride).
func LoadOptions(opts ...arazzo.LoadOption) Option {
	return func(c *config) { c.load = append(c.load, opts...) }
}

// ExpectFailure says the run must fail: a run that succeeds is reported
// with Errorf, and step failures are logged instead of failing the test.
func ExpectFailure() Option {
	return func(c *config) { c.expectFailure = true }
}

// Run loads and validates the document, runs the workflow with the given
// inputs and reports each step execution (see the package documentation).
// It returns the result, failed or not, or nil after Fatalf.
func Run(t T, source Source, workflowID string, inputs map[string]any, opts ...Option) *executor.Result {
	t.Helper()
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if source == nil {
		t.Fatalf("telaiotest.Run: nil source")
		return nil
	}
	ctx := context.Background()
	if c, ok := t.(interface{ Context() context.Context }); ok {
		if tc := c.Context(); tc != nil {
			ctx = tc
		}
	}
	doc, ds := source.load(ctx, cfg.load)
	if doc != nil {
		ds = append(ds, arazzo.Validate(doc)...)
	}
	if doc == nil || ds.HasErrors() {
		t.Fatalf("telaiotest: %s is not a valid Arazzo document:\n%s", source, formatDiags(doc, ds.Errors()))
		return nil
	}
	if len(ds) > 0 {
		t.Logf("telaiotest: %s:\n%s", source, formatDiags(doc, ds))
	}
	eng, err := executor.New(doc, cfg.exec...)
	if err != nil {
		var pd diag.Diagnostics
		if errors.As(err, &pd) {
			t.Fatalf("telaiotest: %s cannot be run:\n%s", source, formatDiags(doc, pd))
		} else {
			t.Fatalf("telaiotest: %s cannot be run: %v", source, err)
		}
		return nil
	}
	res, err := eng.Run(ctx, workflowID, inputs)
	var ie *executor.InputError
	switch {
	case errors.Is(err, arazzo.ErrUnknownWorkflow):
		t.Fatalf("telaiotest: %s: %v", source, err)
		return nil
	case errors.As(err, &ie):
		// The caller's inputs (dependencies run with them too).
		t.Fatalf("telaiotest: %v", err)
		return nil
	case res == nil:
		t.Fatalf("telaiotest: workflow %q: %v", workflowID, err)
		return nil
	}
	r := &reporter{expect: cfg.expectFailure}
	r.run(t, res)
	switch {
	case cfg.expectFailure && res.Success:
		t.Errorf("workflow %q %s, but ExpectFailure wants it to fail", res.WorkflowID, res.Status)
	case cfg.expectFailure:
		t.Logf("workflow %q failed as expected: %s", res.WorkflowID, res.Error)
	case !res.Success && r.failures == 0:
		msg := res.Error
		if msg == "" && err != nil {
			msg = err.Error()
		}
		t.Errorf("workflow %q failed: %s", res.WorkflowID, msg)
	}
	return res
}

// formatDiags renders diagnostics with a source snippet when the source is
// the document's.
func formatDiags(doc *arazzo.Document, ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		var src []byte
		if doc != nil && d.Range.File == doc.File {
			src = doc.Src
		}
		b.WriteString(diag.Format(d, src))
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// reporter writes the steps of a result as subtests (a *testing.T) or logs.
type reporter struct {
	expect   bool
	failures int
}

// run reports the steps of r and the runs it started, on t.
func (rp *reporter) run(t T, r *executor.Result) {
	t.Helper()
	for _, d := range r.Dependencies {
		if d != nil {
			rp.sub(t, "dependency:"+d.WorkflowID, func(st T) { rp.run(st, d) })
		}
	}
	for i, sr := range r.Steps {
		if sr == nil {
			continue
		}
		rp.sub(t, sr.StepID, func(st T) { rp.step(st, r, i) })
	}
	if r.Transfer != nil {
		rp.sub(t, "goto:"+r.Transfer.WorkflowID, func(st T) { rp.run(st, r.Transfer) })
	}
}

// sub runs f as a subtest when t is a *testing.T, else under a log line.
func (rp *reporter) sub(t T, name string, f func(T)) {
	t.Helper()
	if tt, ok := t.(*testing.T); ok {
		tt.Run(name, func(st *testing.T) {
			st.Helper()
			f(st)
		})
		return
	}
	t.Logf("=== %s", name)
	f(t)
}

func (rp *reporter) step(t T, r *executor.Result, i int) {
	t.Helper()
	sr := r.Steps[i]
	if f := stepfail.Of(r, i, MaxBody); f != nil {
		msg := fmt.Sprintf("step %q of workflow %q failed: %s\n%s", sr.StepID, r.WorkflowID, f.Message, strings.TrimSuffix(f.Detail, "\n"))
		if rp.expect {
			t.Logf("%s", msg)
		} else {
			rp.failures++
			t.Errorf("%s", msg)
		}
	} else {
		t.Logf("%s", summary(r, i))
	}
	if sr.Workflow != nil {
		rp.run(t, sr.Workflow)
	}
}

// summary describes a step that passed, or failed and was handled.
func summary(r *executor.Result, i int) string {
	sr := r.Steps[i]
	var b strings.Builder
	fmt.Fprintf(&b, "step %q", sr.StepID)
	switch {
	case sr.Operation != "":
		fmt.Fprintf(&b, " (%s)", sr.Operation)
	case sr.WorkflowID != "":
		fmt.Fprintf(&b, " (workflow %s)", sr.WorkflowID)
	}
	if stepfail.Handled(r, i) {
		b.WriteString(" failed; the workflow handled it")
		if sr.Action != "" {
			fmt.Fprintf(&b, " (%s)", sr.Action)
		}
	} else {
		b.WriteString(" passed")
	}
	if sr.StatusCode != 0 {
		fmt.Fprintf(&b, ": status %d", sr.StatusCode)
	}
	if sr.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", sr.Attempts)
	}
	for _, v := range sr.Violations {
		fmt.Fprintf(&b, "\n  [%s] %s", v.Severity, v.String())
	}
	return b.String()
}
