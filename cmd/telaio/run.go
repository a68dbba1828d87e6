package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/suggest"
	"github.com/telaio/telaio/report"
	"github.com/telaio/telaio/schema"
)

const runSynopsis = `telaio run FILE... [--workflow ID]... [--all] [--skip ID]... [--input name=value]... [--inputs FILE|-]
           [--server NAME=URL]... [--auth SCHEME=VALUE]... [--mock] [--format text|json] [--timeout D]
           [--check NAME=SEVERITY]... [--report junit|json|har=FILE]... [--verbose] [--quiet]

Runs one workflow of one file (the only one, or --workflow ID), or several:
several files run every workflow of each, --all every workflow no other
depends on. Inputs come from --inputs (a JSON or YAML file, "-" for stdin),
then TELAIO_INPUT_<NAME> environment variables for inputs not given, then
--input name=value (JSON when the value parses as JSON, else text; an input
declared as a string keeps the text). OTEL_EXPORTER_OTLP_ENDPOINT (or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) exports each run's spans and metrics
over OTLP/HTTP, with W3C trace context sent to the APIs called.`

type runFlags struct {
	workflows []string
	skips     []string
	inputs    []string
	inputFile string
	servers   []string
	auth      []string
	format    string
	timeout   time.Duration
	mock      bool
	hosts     []string
	insecure  bool
	root      string
	checks    []string
	reports   []string
	all       bool
	parallel  int
	quiet     bool
	verbose   bool
	noTypes   bool
	noMasking bool
	private   bool
	tlsCert   string
	tlsKey    string
	tlsCA     string
	receive   time.Duration
	// tel is the OpenTelemetry export of the environment (otel.go).
	tel *telemetry
	// maxRetryWait is --max-retry-wait (0: executor.DefaultMaxRetryWait).
	maxRetryWait time.Duration
	temporal     temporalFlags // --temporal, --detach (temporal.go)
}

func cmdRun(ctx context.Context, args []string, e *env) int {
	var f runFlags
	fs := newFlags(e, "run", runSynopsis)
	fs.StringArrayVar(&f.workflows, "workflow", nil, "run the workflow `ID` (repeatable; default: the file's only workflow, or all of several files')")
	fs.StringArrayVar(&f.skips, "skip", nil, "do not run the workflow `ID` (repeatable)")
	fs.StringArrayVar(&f.inputs, "input", nil, "an input as `name=value` (value parsed as JSON when it is valid JSON; repeatable)")
	fs.StringVar(&f.inputFile, "inputs", "", "read inputs from a JSON or YAML `FILE` (- for stdin)")
	fs.StringArrayVar(&f.servers, "server", nil, "send the operations of a source description to `NAME=URL` (repeatable)")
	fs.StringArrayVar(&f.auth, "auth", nil, "a credential `SCHEME=VALUE`: user:pass for basic, the token for bearer, the key for apiKey, id:secret for oauth2 (also TELAIO_AUTH_<SCHEME>)")
	fs.StringVar(&f.format, "format", "text", "output format: text or json")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop each run after `DURATION` (e.g. 30s)")
	fs.BoolVar(&f.mock, "mock", false, "run against in-process mock servers built from the OpenAPI descriptions")
	fs.StringArrayVar(&f.hosts, "allow-host", nil, "allow fetching http(s) source descriptions from `HOST`")
	fs.StringVar(&f.root, "root", "", "file sources must stay inside `DIR` (default: the document's checkout, else its folder)")
	fs.StringArrayVar(&f.checks, "check", nil, "contract check severity `NAME=error|warn|off` (checks: "+strings.Join(executor.Checks(), ", ")+")")
	fs.BoolVar(&f.all, "all", false, "run every workflow of every file (dependencies run inside the runs that need them)")
	fs.IntVar(&f.parallel, "parallel", 1, "with several runs, run up to `N` at a time")
	fs.StringArrayVar(&f.reports, "report", nil, "also write a report `FORMAT=FILE` (junit, json or har; repeatable)")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the result: no step lines, no progress")
	fs.BoolVar(&f.verbose, "verbose", false, "print every request and response (secrets masked)")
	fs.BoolVar(&f.noTypes, "no-type-check", false, "skip checking workflows against the OpenAPI schemas before running")
	fs.BoolVar(&f.insecure, "insecure-credentials", false, "allow sending credentials over plain http to non-loopback hosts")
	fs.BoolVar(&f.noMasking, "no-secrets-masking", false, "show secrets everywhere (for debugging; never in CI)")
	fs.BoolVar(&f.private, "allow-private-redirects", false, "follow redirects to link-local, loopback and private addresses from requests that did not go to one")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "client certificate `FILE` (PEM) for broker connections (AsyncAPI X509 security schemes); needs --tls-key")
	fs.StringVar(&f.tlsKey, "tls-key", "", "private key `FILE` (PEM) of --tls-cert")
	fs.StringVar(&f.tlsCA, "tls-ca", "", "trust the certificate authorities in `FILE` (PEM) for broker connections")
	fs.DurationVar(&f.receive, "receive-timeout", 0, "how long a receive step without a timeout waits for its message (default "+executor.DefaultReceiveTimeout.String()+")")
	addRetryWaitFlag(fs, &f.maxRetryWait)
	addTemporalRunFlags(fs, &f.temporal)
	if code, done := parseFlags(fs, args, e); done {
		if code != exitOK && wantsJSON(args) {
			writeErrorJSON(e.stdout, "invalid flags (see stderr)", nil)
		}
		return code
	}
	fail := func(format string, args ...any) int {
		msg := fmt.Sprintf(format, args...)
		if f.format == "json" {
			writeErrorJSON(e.stdout, msg, nil)
		}
		return usageError(e, "run", "%s", msg)
	}
	switch {
	case f.format != "text" && f.format != "json":
		f.format = "text"
		return fail("--format must be text or json, not %q", fs.Lookup("format").Value.String())
	case fs.NArg() == 0:
		return fail("no file given (usage: telaio run FILE...)")
	case f.parallel < 1:
		return fail("--parallel must be at least 1")
	case f.all && len(f.workflows) > 0:
		return fail("--workflow and --all exclude each other: --all runs every workflow, --workflow the ones named")
	}
	if msg := f.temporal.checkRun(f); msg != "" {
		return fail("%s", msg)
	}
	reports, err := parseReports(f.reports)
	if err != nil {
		return fail("--report: %v", err)
	}
	given, err := readInputs(f.inputFile, f.inputs, e.stdin)
	if err != nil {
		return fail("%v", err)
	}
	ctx, tel := startTelemetry(ctx, e) // OTEL_EXPORTER_OTLP_* (otel.go)
	defer tel.close(e)
	f.tel = tel
	r := &runner{f: f, e: e, reports: reports, given: given, preps: map[string]*prepOnce{}}
	defer r.close()
	return r.run(ctx, fs.Args())
}

// wantsJSON reports whether args ask for JSON output (for flag errors,
// before the flags are known).
func wantsJSON(args []string) bool {
	for i, a := range args {
		if a == "--format=json" || a == "--format" && i+1 < len(args) && args[i+1] == "json" {
			return true
		}
	}
	return false
}

// parseReports parses --report values and refuses two reports to one file.
func parseReports(values []string) ([]report.Spec, error) {
	var out []report.Spec
	seen := map[string]string{}
	for _, v := range values {
		spec, err := report.ParseSpec(v)
		if err != nil {
			return nil, err
		}
		key, err := report.Target(spec.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", spec, err)
		}
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s and %s write the same file", prev, spec)
		}
		seen[key] = spec.String()
		out = append(out, spec)
	}
	return out, nil
}

// runner runs the jobs of one telaio run.
type runner struct {
	f       runFlags
	e       *env
	reports []report.Spec
	given   givenInputs
	mu      sync.Mutex
	preps   map[string]*prepOnce
}

type prepOnce struct {
	sync.Once
	p *prepared
}

// job is one workflow run of one file.
type job struct {
	file, workflow string
	prep           *prepared
	out, errOut    bytes.Buffer
	code           int
	res            *executor.Result
	errMsg         string // why the run did not start or failed, for JSON
	diags          diag.Diagnostics
}

func (r *runner) close() {
	for _, o := range r.preps {
		if o.p != nil {
			o.p.close()
		}
	}
}

// prepare loads, validates and plans a file once, however many of its
// workflows run.
func (r *runner) prepare(ctx context.Context, file string) *prepared {
	r.mu.Lock()
	o, ok := r.preps[file]
	if !ok {
		o = &prepOnce{}
		r.preps[file] = o
	}
	r.mu.Unlock()
	o.Do(func() { o.p = prepare(ctx, file, r.f, r.e.getenv) })
	return o.p
}

func (r *runner) run(ctx context.Context, files []string) int {
	f, e := r.f, r.e
	jobs, code := r.plan(ctx, files)
	if code != exitOK {
		// Nothing ran: the reports say why.
		r.writeReports(jobs)
		if f.format == "json" {
			r.writeJSON(jobs)
		}
		return code
	}
	many := len(jobs) > 1
	sem := make(chan struct{}, f.parallel)
	var wg sync.WaitGroup
	var progress sync.Mutex
	passed, failed := 0, 0
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			je := &env{stdout: &j.out, stderr: &j.errOut, stdin: e.stdin, getenv: e.getenv, isTTY: e.isTTY && !many}
			if !many {
				// One run prints as it goes.
				je.stdout, je.stderr = e.stdout, e.stderr
			}
			r.runJob(ctx, j, je)
			if many && !f.quiet {
				progress.Lock()
				fmt.Fprintln(e.stderr, jobLine(j))
				progress.Unlock()
			}
		}()
	}
	wg.Wait()
	worst := exitOK
	for _, j := range jobs {
		if many && f.format == "text" {
			fmt.Fprintf(e.stdout, "== %s: %s\n", j.file, j.workflow)
			e.stdout.Write(j.out.Bytes())
			e.stderr.Write(j.errOut.Bytes())
		}
		if j.code == exitOK {
			passed++
		} else {
			failed++
		}
		worst = max(worst, j.code)
	}
	if f.format == "json" {
		r.writeJSON(jobs)
	}
	if werr := r.writeReports(jobs); werr != nil {
		worst = exitUsage
	}
	if many {
		summary := e.stdout
		if f.format == "json" {
			summary = e.stderr
		}
		if !f.quiet || f.format == "text" {
			fmt.Fprintf(summary, "%d passed, %d failed\n", passed, failed)
		}
	}
	return worst
}

// jobLine is the progress line of a finished run.
func jobLine(j *job) string {
	mark := "ok  "
	if j.code != exitOK {
		mark = "FAIL"
	}
	d := ""
	if j.res != nil {
		d = "  " + roundDuration(j.res.Duration).String()
	}
	return fmt.Sprintf("%s %s: %s%s", mark, j.file, j.workflow, d)
}

// plan lists the jobs: every file prepared (an invalid one reported once),
// the workflows chosen by --workflow, --all, --skip or the file count.
func (r *runner) plan(ctx context.Context, files []string) ([]*job, int) {
	f, e := r.f, r.e
	var jobs []*job
	worst := exitOK
	named := map[string]bool{}
	var allIDs []string
	for _, file := range files {
		p := r.prepare(ctx, file)
		// Diagnostics and notices, once per file whatever the number of
		// its workflows.
		e.stderr.Write(p.msgs.Bytes())
		if p.doc == nil || p.code != exitOK {
			j := &job{file: file, workflow: "(document)", prep: p, code: p.code, errMsg: p.errMsg(), diags: p.diags}
			if p.doc != nil && len(f.workflows) > 0 {
				j.workflow = strings.Join(f.workflows, ",")
			}
			jobs = append(jobs, j)
			worst = max(worst, p.code)
			continue
		}
		ids := p.doc.WorkflowIDs()
		allIDs = append(allIDs, ids...)
		var chosen []string
		switch {
		case len(f.workflows) > 0:
			for _, w := range f.workflows {
				if p.doc.Workflow(w) != nil {
					chosen = append(chosen, w)
					named[w] = true
				}
			}
			if len(files) == 1 && len(chosen) < len(f.workflows) {
				for _, w := range f.workflows {
					if !named[w] {
						_, err := p.doc.LookupWorkflow(w)
						return jobs, r.usage(file, err.Error())
					}
				}
			}
		case f.all:
			needed := map[string]bool{}
			for _, w := range p.doc.Workflows {
				for _, d := range w.DependsOn {
					needed[d] = true
				}
			}
			for _, id := range ids {
				if !needed[id] {
					chosen = append(chosen, id)
				}
			}
		case len(files) == 1 && len(ids) > 1 && len(f.skips) == 0:
			return jobs, r.usage(file, fmt.Sprintf("the document has %d workflows (%s): choose one with --workflow, or run them all with --all", len(ids), strings.Join(ids, ", ")))
		default:
			chosen = ids
		}
		for _, id := range chosen {
			if contains(f.skips, id) {
				continue
			}
			jobs = append(jobs, &job{file: file, workflow: id, prep: p})
		}
	}
	for _, w := range f.workflows {
		if !named[w] && worst == exitOK {
			return jobs, r.usage(strings.Join(files, ", "), suggest.Unknown("workflow", w, allIDs))
		}
	}
	for _, s := range f.skips {
		if !contains(allIDs, s) && worst == exitOK {
			return jobs, r.usage(strings.Join(files, ", "), "--skip: "+suggest.Unknown("workflow", s, allIDs))
		}
	}
	if worst == exitOK && len(jobs) == 0 {
		return jobs, r.usage(strings.Join(files, ", "), "no workflow left to run")
	}
	return jobs, worst
}

// usage prints a usage error about a file and returns exitUsage.
func (r *runner) usage(file, msg string) int {
	return usageError(r.e, "run", "%s: %s", file, msg)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// runJob runs one workflow and prints its result to e.
func (r *runner) runJob(ctx context.Context, j *job, e *env) {
	f, p := r.f, j.prep
	inputs, warnings, err := r.inputsFor(p, j.workflow)
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "telaio run: warning: %s\n", w)
	}
	if err != nil {
		j.code, j.errMsg = exitUsage, err.Error()
		fmt.Fprintf(e.stderr, "telaio run: %v\n", err)
		return
	}
	rctx := ctx
	if f.timeout > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	var runOpts []executor.RunOption
	var obs executor.Observer
	live := f.format == "text" && e.isTTY && !f.quiet
	if live {
		obs = progressObserver(e.stderr, f.verbose)
		runOpts = append(runOpts, executor.RunWithObserver(obs))
	}
	if f.temporal.detach {
		r.detach(rctx, j, e, inputs)
		return
	}
	res, err := r.execute(rctx, p, j.workflow, inputs, e, obs, runOpts...)
	if err != nil {
		if msg := stopReason(ctx, rctx, f.timeout); msg != "" {
			err = stoppedError{msg: msg, err: err}
			if res != nil {
				res.Error = err.Error()
				// The step that was cut short says why too.
				if n := len(res.Steps); n > 0 && !res.Steps[n-1].Success {
					res.Steps[n-1].Error = msg
				}
			}
		}
	}
	j.res = res
	var ie *executor.InputError
	switch {
	case errors.As(err, &ie):
		j.code = exitUsage
	case err != nil || res == nil || !res.Success:
		j.code = exitFailed
	}
	if err != nil {
		j.errMsg = err.Error()
	}
	if f.format == "json" {
		return
	}
	if ie != nil {
		fmt.Fprintf(e.stderr, "telaio run: %v\n", err)
		return
	}
	// On a terminal the steps were printed as they finished; --quiet
	// prints none.
	writeResultText(e.stdout, res, err, textOptions{steps: !live && !f.quiet, verbose: f.verbose})
}

// stoppedError says why a run stopped early: its timeout, or a signal.
type stoppedError struct {
	msg string
	err error
}

func (s stoppedError) Error() string {
	var se *executor.StepError
	if errors.As(s.err, &se) {
		where := fmt.Sprintf("workflow %q", se.WorkflowID)
		if se.StepID != "" {
			where += fmt.Sprintf(", step %q", se.StepID)
		}
		return where + ": " + s.msg
	}
	return s.msg
}

func (s stoppedError) Unwrap() error { return s.err }

// stopReason names why rctx ended, if it did: "timed out after 30s
// (--timeout)" or "interrupted by signal interrupt".
func stopReason(ctx, rctx context.Context, timeout time.Duration) string {
	var se signalError
	switch {
	case errors.As(context.Cause(ctx), &se):
		return "interrupted by signal " + se.sig.String()
	case ctx.Err() != nil:
		return "interrupted"
	case rctx.Err() != nil && errors.Is(rctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("timed out after %s (--timeout)", timeout)
	}
	return ""
}

// inputsFor builds the inputs of one workflow: the given ones typed by the
// workflow's schema (a string input keeps its text), then
// TELAIO_INPUT_<NAME> for declared inputs not given. An input the schema
// does not declare is an error when the schema is closed, else a warning.
func (r *runner) inputsFor(p *prepared, workflow string) (map[string]any, []string, error) {
	sch := p.eng.InputsSchema(workflow)
	var props map[string]*schema.Schema
	if sch != nil {
		props = sch.Properties()
	}
	strs := stringInputs(sch)
	inputs, err := mergeInputs(r.given.file, r.given.pairs, strs)
	if err != nil {
		return nil, nil, err
	}
	for name := range props {
		if r.given.has(name) {
			continue
		}
		if v := r.e.getenv(inputEnvName(name)); v != "" {
			inputs[name] = typedInput(name, v, strs[name])
		}
	}
	if len(props) == 0 {
		return inputs, nil, nil
	}
	var warnings []string
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	given := make([]string, 0, len(inputs))
	for n := range inputs {
		given = append(given, n)
	}
	sort.Strings(given)
	for _, n := range given {
		if _, ok := props[n]; ok {
			continue
		}
		msg := fmt.Sprintf("workflow %s: %s", workflow, suggest.Unknown("input", n, names))
		if sch.Closed() {
			return nil, nil, errors.New(msg + " (the inputs schema allows no other)")
		}
		warnings = append(warnings, msg)
	}
	return inputs, warnings, nil
}

// writeReports writes every --report file; a report that cannot be
// written is an error (exit 2).
func (r *runner) writeReports(jobs []*job) error {
	if len(r.reports) == 0 {
		return nil
	}
	var results []*executor.Result
	for _, j := range jobs {
		if j.res != nil {
			results = append(results, j.res)
			continue
		}
		// A run that never started: a result holding why.
		msg := j.errMsg
		if msg == "" {
			msg = "not run"
		}
		results = append(results, &executor.Result{WorkflowID: j.workflow, Status: executor.StatusFailed, Error: msg,
			Outputs: map[string]any{}, Steps: []*executor.StepResult{}})
	}
	var first error
	for _, spec := range r.reports {
		if err := spec.WriteFile(results, report.WithVersion(version())); err != nil {
			fmt.Fprintf(r.e.stderr, "telaio run: cannot write report %s: %v\n", spec, err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// prepared is a file loaded, validated and planned (mocks started):
// every run of its workflows in the process shares it, so a description is
// read and compiled once however many workflows use it.
type prepared struct {
	doc  *arazzo.Document
	eng  *executor.Engine
	stop func()
	// msgs is what preparing printed (diagnostics, notices); code is not
	// exitOK when preparing failed, with the error diagnostics in diags.
	msgs  bytes.Buffer
	code  int
	diags diag.Diagnostics
	err   string
}

func (p *prepared) close() {
	if p.eng != nil {
		_ = p.eng.Close()
	}
	if p.stop != nil {
		p.stop()
	}
}

// errMsg says why preparing failed.
func (p *prepared) errMsg() string {
	if p.err != "" {
		return p.err
	}
	if len(p.diags) > 0 {
		return fmt.Sprintf("the document is invalid: %d errors (first: %s)", len(p.diags.Errors()), p.diags.Errors()[0].Error())
	}
	return "the document could not be prepared"
}

func prepare(ctx context.Context, file string, f runFlags, getenv func(string) string) *prepared {
	p := &prepared{}
	fail := func(format string, args ...any) *prepared {
		p.err = fmt.Sprintf(format, args...)
		fmt.Fprintf(&p.msgs, "telaio run: %s\n", p.err)
		p.code = exitUsage
		return p
	}
	e := &env{stdout: io.Discard, stderr: &p.msgs, getenv: getenv}
	doc, diags := arazzo.Load(ctx, file, loadOptions(e, f.hosts, f.root)...)
	p.doc = doc
	if notLoaded := diags.WithCode(arazzo.CodeSourceNotLoaded); len(notLoaded) > 0 && !diags.HasErrors() {
		// Say which flag allows the sources rather than print a page of
		// follow-on errors.
		printDiags(e, notLoaded, doc)
		p.diags = notLoaded
		return fail("%d source description(s) were not loaded; nothing was run", len(notLoaded))
	}
	if doc != nil {
		var check []arazzo.CheckOption
		if f.noTypes {
			check = append(check, arazzo.NoTypeCheck())
		}
		diags = append(diags, arazzo.Validate(doc, check...)...)
	}
	if diags.HasErrors() {
		printDiags(e, diags.Errors(), doc)
		p.code, p.diags = exitUsage, diags.Errors()
		return p
	}
	opts := []executor.Option{executor.Validated(), executor.WithInsecureCredentials(f.insecure)}
	if f.noMasking {
		opts = append(opts, executor.WithoutSecretsMasking())
	}
	if f.private {
		opts = append(opts, executor.WithPrivateRedirects(true))
	}
	for _, s := range f.servers {
		name, u, ok := strings.Cut(s, "=")
		if !ok || name == "" || u == "" {
			return fail("--server must be NAME=URL, got %q", s)
		}
		opts = append(opts, executor.WithServer(name, u))
	}
	opts = append(opts, messageOptions()...)
	if f.receive > 0 {
		opts = append(opts, executor.WithReceiveTimeout(f.receive))
	} else if f.receive < 0 {
		return fail("--receive-timeout must be a positive duration, got %v", f.receive)
	}
	if tc, err := brokerTLS(f.tlsCert, f.tlsKey, f.tlsCA); err != nil {
		return fail("%v", err)
	} else if tc != nil {
		opts = append(opts, executor.WithTLSConfig("", tc))
	}
	for _, c := range f.checks {
		name, sev, ok := strings.Cut(c, "=")
		if !ok {
			return fail("--check must be NAME=SEVERITY, got %q", c)
		}
		opts = append(opts, executor.WithCheck(name, executor.Severity(sev)))
	}
	auth, err := collectAuth(doc, f.auth, e.getenv)
	if err != nil {
		return fail("%v", err)
	}
	if f.mock {
		mopts, placeholders, stop, err := startMocks(doc, f.servers, auth)
		if err != nil {
			return fail("--mock: %v", err)
		}
		p.stop = stop
		opts = append(opts, mopts...)
		for _, ph := range placeholders {
			auth[ph] = placeholderCredential(doc, ph)
		}
		if len(placeholders) > 0 && f.format == "text" && !f.quiet {
			fmt.Fprintf(&p.msgs, "mock: placeholder credentials for %s (no --auth given)\n", strings.Join(placeholders, ", "))
		}
	}
	for name, v := range auth {
		opts = append(opts, executor.WithAuth(name, v))
	}
	opts = append(opts, f.tel.engineOptions()...)
	if f.maxRetryWait < 0 {
		return fail("--max-retry-wait must be a positive duration, got %v", f.maxRetryWait)
	} else if f.maxRetryWait > 0 {
		opts = append(opts, executor.WithLimits(executor.Limits{MaxRetryWait: f.maxRetryWait}))
	}
	eng, err := executor.New(doc, opts...)
	if err != nil {
		var ds diag.Diagnostics
		if errors.As(err, &ds) {
			printDiags(e, ds, doc)
			p.code, p.diags = exitUsage, ds
			return p
		}
		return fail("%s", strings.TrimPrefix(strings.TrimPrefix(err.Error(), "WithServer: "), "WithAuth: "))
	}
	p.eng = eng
	return p
}

func printDiags(e *env, ds diag.Diagnostics, doc *arazzo.Document) {
	sources := map[string][]byte{}
	if doc != nil {
		collectSources(doc, sources, map[*arazzo.Document]bool{})
	}
	for _, d := range ds {
		fmt.Fprintln(e.stderr, formatDiag(d, sources))
	}
}

// stringInputs lists the inputs the workflow's schema declares as strings
// only: --input code=0042 must stay the string "0042" for them.
func stringInputs(s *schema.Schema) map[string]bool {
	if s == nil {
		return nil
	}
	out := map[string]bool{}
	for name, p := range s.Properties() {
		if t := p.Types(); len(t) == 1 && t[0] == "string" {
			out[name] = true
		}
	}
	return out
}

// collectAuth gathers credentials from --auth flags and TELAIO_AUTH_<SCHEME>
// environment variables (the scheme name upper-cased, other characters as
// "_"), for the schemes the source descriptions define. An --auth for a
// scheme no description defines is refused by executor.New.
func collectAuth(doc *arazzo.Document, flags []string, getenv func(string) string) (map[string]string, error) {
	auth := map[string]string{}
	for _, name := range schemeNames(doc) {
		if v := getenv(envName("TELAIO_AUTH_", name)); v != "" {
			auth[name] = v
		}
	}
	for _, a := range flags {
		name, v, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--auth must be SCHEME=VALUE")
		}
		auth[name] = v
	}
	return auth, nil
}

// envName is prefix followed by name upper-cased, characters other than
// ASCII letters and digits as "_".
func envName(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range name {
		switch {
		case 'a' <= r && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// inputEnvName is the environment variable that fills an input.
func inputEnvName(name string) string { return envName("TELAIO_INPUT_", name) }

func schemeNames(doc *arazzo.Document) []string {
	seen := map[string]bool{}
	var out []string
	var walk func(d *arazzo.Document, depth int)
	walk = func(d *arazzo.Document, depth int) {
		if depth > 16 {
			return
		}
		for _, s := range d.Sources {
			if s.OpenAPI != nil {
				for name := range s.OpenAPI.SecuritySchemes {
					if !seen[name] {
						seen[name] = true
						out = append(out, name)
					}
				}
			}
			if s.AsyncAPI != nil {
				for _, sc := range s.AsyncAPI.SecuritySchemes {
					if sc.Name != "" && !seen[sc.Name] {
						seen[sc.Name] = true
						out = append(out, sc.Name)
					}
				}
			}
			if s.Arazzo != nil && s.Arazzo != d {
				walk(s.Arazzo, depth+1)
			}
		}
	}
	walk(doc, 0)
	sort.Strings(out)
	return out
}
