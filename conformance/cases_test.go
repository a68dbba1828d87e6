package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/executor"
)

const (
	casesDir = "testdata/cases"
	skipFile = "testdata/skip.yaml"
	// caseTimeout bounds one case's run; cases are meant to take
	// milliseconds.
	caseTimeout = 10 * time.Second
	// traceEnv, when set, logs every case's trace (with go test -v), to
	// help write expectations.
	traceEnv = "CONFORMANCE_TRACE"
)

// TestCases runs every case of testdata/cases (see its README.md).
func TestCases(t *testing.T) {
	skips := loadSkips(t)
	dirs := caseDirs(t)
	known := map[string]bool{}
	for _, d := range dirs {
		known[filepath.Base(d)] = true
	}
	for name := range skips {
		if !known[name] {
			t.Errorf("%s names %q, which is not a case directory", skipFile, name)
		}
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc, err := loadCase(dir)
			if err != nil {
				t.Fatalf("%s: %v", dir, err)
			}
			probs, detail := tc.run(t.Context())
			if os.Getenv(traceEnv) != "" {
				t.Logf("trace:\n%s", detail)
			}
			reason, skipped := skips[name]
			switch {
			case skipped && len(probs) == 0:
				t.Errorf("case passes now: remove %q from %s (its reason was: %s)", name, skipFile, reason)
			case skipped:
				t.Skipf("skipped (%s): %s\nstill failing with: %s", skipFile, reason, probs[0])
			case len(probs) > 0:
				t.Errorf("%s: %d mismatch(es):\n  %s\n%s", dir, len(probs), strings.Join(probs, "\n  "), detail)
			}
		})
	}
}

// caseDirs lists the case directories in name order.
func caseDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(casesDir, e.Name()))
		}
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Fatalf("no cases in %s", casesDir)
	}
	return dirs
}

// loadSkips reads skip.yaml: a map from case name to the reason (which
// names the engine bug).
func loadSkips(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(skipFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	skips := map[string]string{}
	if err := strictDecode(b, &skips); err != nil {
		t.Fatalf("%s: %v", skipFile, err)
	}
	for name, reason := range skips {
		if strings.TrimSpace(reason) == "" {
			t.Errorf("%s: %q needs a reason", skipFile, name)
		}
	}
	return skips
}

// sleepRecorder is the injected retry sleep: it returns at once and
// remembers the waits asked for.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// run runs the case and returns the mismatches and a trace of the run.
func (tc *testCase) run(ctx context.Context) (problems, string) {
	var out problems
	ctx, cancel := context.WithTimeout(ctx, caseTimeout)
	defer cancel()

	api := newTestAPI(tc.routes)
	srv := api.start()
	defer srv.Close()
	exp, err := tc.decodeExpect(srv.URL)
	if err != nil {
		out.addf("%v", err)
		return out, ""
	}

	dir, cleanup, err := tc.materialize(srv.URL)
	if err != nil {
		out.addf("%v", err)
		return out, ""
	}
	defer cleanup()
	doc, diags := arazzo.Load(ctx, filepath.Join(dir, fileArazzo), arazzo.WithRoot(dir))
	// Diagnostics name the case's files, not the temporary copy.
	inCase := func(ds diag.Diagnostics) string { return strings.ReplaceAll(ds.Errors().Error(), dir, tc.dir) }
	// An invalid document: the errors expected are the whole expectation,
	// and nothing runs.
	rejected := func() (problems, string) {
		for _, code := range exp.Warnings {
			if !diags.HasCode(code) {
				out.addf("warnings: want a diagnostic %q, got %v", code, diags)
			}
		}
		if !diags.HasErrors() {
			out.addf("errors: want the document rejected with %v, it validated", exp.Errors)
			return out, ""
		}
		for _, code := range exp.Errors {
			if !diags.Errors().HasCode(code) {
				out.addf("errors: want an error %q, got others (below)", code)
			}
		}
		return out, "diagnostics:\n" + inCase(diags)
	}
	if diags.HasErrors() || doc == nil {
		if len(exp.Errors) > 0 {
			return rejected()
		}
		out.addf("load: %s", inCase(diags))
		return out, ""
	}
	diags = append(diags, arazzo.Validate(doc)...)
	if len(exp.Errors) > 0 {
		return rejected()
	}
	for _, code := range exp.Warnings {
		if !diags.HasCode(code) {
			out.addf("warnings: want a diagnostic %q, got %v", code, diags)
		}
	}
	if diags.HasErrors() {
		out.addf("validate: %s", inCase(diags))
		return out, ""
	}

	sleeps := &sleepRecorder{}
	opts := []executor.Option{
		executor.WithHTTPClient(srv.Client()),
		executor.WithSleep(sleeps.sleep),
	}
	if !tc.opts.UseOpenAPIServers && tc.opts.ServerIndex == nil {
		for _, name := range openAPISourceNames(doc) {
			opts = append(opts, executor.WithServer(name, srv.URL))
		}
	}
	more, err := tc.opts.engineOptions()
	if err != nil {
		out.addf("%s: %v", fileOptions, err)
		return out, ""
	}
	opts = append(opts, more...)
	eng, err := executor.New(doc, opts...)
	if err != nil {
		out.addf("executor.New: %v", err)
		return out, ""
	}
	wf := tc.opts.WorkflowID
	if wf == "" && len(doc.Workflows) > 0 {
		wf = doc.Workflows[0].WorkflowID
	}
	res, runErr := eng.Run(ctx, wf, tc.inputs)
	reqs := api.requests()

	compareError(exp.Error, exp.InputError, runErr, &out)
	if !exp.InputError || res != nil {
		compareResult("result", &exp.resultExpect, res, &out)
	}
	if exp.Sleeps != nil {
		compareSleeps(*exp.Sleeps, sleeps.all(), &out)
	}
	if exp.Requests != nil {
		compareRequests(*exp.Requests, reqs, &out)
	}
	for _, r := range reqs {
		if !r.Routed {
			out.addf("server: no route in %s for %s %s", fileServer, r.Method, r.Path)
		}
	}
	return out, trace(res, runErr, reqs)
}

// engineOptions turns options.yaml into executor options.
func (o *caseOptions) engineOptions() ([]executor.Option, error) {
	var opts []executor.Option
	for _, k := range sortedNames(o.Auth) {
		opts = append(opts, executor.WithAuth(k, o.Auth[k]))
	}
	l := executor.Limits{
		MaxStepExecutions: o.Limits.MaxStepExecutions,
		MaxDepth:          o.Limits.MaxDepth,
		MaxResponseBytes:  o.Limits.MaxResponseBytes,
	}
	var err error
	if o.Limits.MaxRetryWait != "" {
		if l.MaxRetryWait, err = time.ParseDuration(o.Limits.MaxRetryWait); err != nil {
			return nil, fmt.Errorf("limits.maxRetryWait: %v", err)
		}
	}
	if o.Limits.RequestTimeout != "" {
		if l.RequestTimeout, err = time.ParseDuration(o.Limits.RequestTimeout); err != nil {
			return nil, fmt.Errorf("limits.requestTimeout: %v", err)
		}
	}
	opts = append(opts, executor.WithLimits(l))
	if o.Clock != "" {
		now, err := time.Parse(time.RFC3339, o.Clock)
		if err != nil {
			return nil, fmt.Errorf("clock: %v", err)
		}
		opts = append(opts, executor.WithClock(func() time.Time { return now }))
	}
	if o.SkipInputValidation {
		opts = append(opts, executor.WithoutInputValidation())
	}
	for _, name := range sortedNames(o.ServerIndex) {
		opts = append(opts, executor.WithServerIndex(name, o.ServerIndex[name]))
	}
	return opts, nil
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// materialize returns the directory to load the case from: the case
// directory itself, or, when a document of the case mentions ${server}, a
// temporary copy with the server's URL written in.
func (tc *testCase) materialize(serverURL string) (dir string, cleanup func(), err error) {
	entries, err := os.ReadDir(tc.dir)
	if err != nil {
		return "", nil, err
	}
	files := map[string][]byte{}
	needed := false
	for _, e := range entries {
		if e.IsDir() || e.Name() == fileExpect {
			continue
		}
		b, err := os.ReadFile(filepath.Join(tc.dir, e.Name()))
		if err != nil {
			return "", nil, err
		}
		files[e.Name()] = b
		needed = needed || bytes.Contains(b, []byte(serverPlaceholder))
	}
	if !needed {
		return tc.dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "conformance-"+tc.name+"-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	for name, b := range files {
		b = bytes.ReplaceAll(b, []byte(serverPlaceholder), []byte(serverURL))
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			cleanup()
			return "", nil, err
		}
	}
	return tmp, cleanup, nil
}

// openAPISourceNames lists the names of the OpenAPI sources of doc and of
// the Arazzo documents it references, so each can be pointed at the test
// server.
func openAPISourceNames(doc *arazzo.Document) []string {
	seen := map[*arazzo.Document]bool{}
	names := map[string]bool{}
	var walk func(d *arazzo.Document)
	walk = func(d *arazzo.Document) {
		if d == nil || seen[d] {
			return
		}
		seen[d] = true
		for _, s := range d.Sources {
			if s.OpenAPI != nil {
				names[s.Description.Name] = true
			}
			walk(s.Arazzo)
		}
	}
	walk(doc)
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// asError is errors.As, kept apart so comparisons read plainly.
func asError[T error](err error, target *T) bool { return errors.As(err, target) }
