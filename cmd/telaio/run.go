package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/report"
	"github.com/telaio/telaio/schema"
)

type runFlags struct {
	workflow  string
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
	noTypes   bool
}

func cmdRun(ctx context.Context, args []string, e *env) int {
	var f runFlags
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&f.workflow, "workflow", "", "the workflow to run (may be omitted when the document has one)")
	fs.StringArrayVar(&f.inputs, "input", nil, "an input as `name=value` (value parsed as JSON when it is valid JSON; repeatable)")
	fs.StringVar(&f.inputFile, "inputs", "", "read inputs from a JSON or YAML `FILE`")
	fs.StringArrayVar(&f.servers, "server", nil, "send the operations of a source description to `NAME=URL` (repeatable)")
	fs.StringArrayVar(&f.auth, "auth", nil, "a credential `SCHEME=VALUE`: user:pass for basic, the token for bearer, the key for apiKey, id:secret for oauth2 (also TELAIO_AUTH_<SCHEME>)")
	fs.StringVar(&f.format, "format", "text", "output format: text or json")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop the run after `DURATION` (e.g. 30s)")
	fs.BoolVar(&f.mock, "mock", false, "run against in-process mock servers built from the OpenAPI descriptions")
	fs.StringArrayVar(&f.hosts, "allow-host", nil, "allow fetching http(s) source descriptions from `HOST`")
	fs.StringVar(&f.root, "root", "", "file sources must stay inside `DIR` (default: the working directory when it holds the document, else the document's directory)")
	fs.StringArrayVar(&f.checks, "check", nil, "contract check severity `NAME=error|warn|off` (checks: "+strings.Join(executor.Checks, ", ")+")")
	fs.BoolVar(&f.all, "all", false, "run every workflow of every file (dependencies run inside the runs that need them)")
	fs.IntVar(&f.parallel, "parallel", 1, "with several runs, run up to `N` at a time")
	fs.StringArrayVar(&f.reports, "report", nil, "also write a report `FORMAT=FILE` (junit, json or har; repeatable)")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the result: no step lines, no progress")
	fs.BoolVar(&f.noTypes, "no-type-check", false, "skip checking workflows against the OpenAPI schemas before running")
	fs.BoolVar(&f.insecure, "insecure-credentials", false, "allow sending credentials over plain http to non-loopback hosts")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: telaio run FILE [--workflow ID] [--input name=value]... [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 || (f.format != "text" && f.format != "json") || f.parallel < 1 {
		fs.Usage()
		return exitUsage
	}
	var reports []report.Spec
	for _, r := range f.reports {
		spec, err := report.ParseSpec(r)
		if err != nil {
			fmt.Fprintf(e.stderr, "telaio run: --report: %v\n", err)
			return exitUsage
		}
		reports = append(reports, spec)
	}
	if fs.NArg() > 1 || f.all {
		return runMany(ctx, fs.Args(), f, reports, e)
	}
	code, _ := runFile(ctx, fs.Arg(0), f.workflow, f, reports, e)
	return code
}

// runFile runs one workflow of one file and prints its result; reports are
// written when given.
func runFile(ctx context.Context, file, workflow string, f runFlags, reports []report.Spec, e *env) (int, *executor.Result) {
	p := prepare(ctx, file, f, e.getenv)
	defer p.close()
	return runPrepared(ctx, p, workflow, f, reports, e)
}

// prepared is a file loaded, validated and planned (mocks started, schemas
// compiling): every run of its workflows in the process shares it, so a
// description is read and compiled once however many workflows use it.
type prepared struct {
	doc  *arazzo.Document
	eng  *executor.Engine
	stop func()
	// msgs is what preparing printed (diagnostics, notices); code is not
	// exitOK when preparing failed. Each run that uses p prints msgs.
	msgs bytes.Buffer
	code int
}

func (p *prepared) close() {
	if p.stop != nil {
		p.stop()
	}
}

func prepare(ctx context.Context, file string, f runFlags, getenv func(string) string) *prepared {
	p := &prepared{}
	fail := func(format string, args ...any) *prepared {
		fmt.Fprintf(&p.msgs, format, args...)
		p.code = exitUsage
		return p
	}
	e := &env{stdout: io.Discard, stderr: &p.msgs, getenv: getenv}
	doc, diags := arazzo.Load(ctx, file, loadOptions(e, f.hosts, f.root)...)
	if doc != nil {
		var check []arazzo.CheckOption
		if f.noTypes {
			check = append(check, arazzo.NoTypeCheck())
		}
		diags = append(diags, arazzo.Validate(doc, check...)...)
	}
	p.doc = doc
	if diags.HasErrors() {
		printDiags(e, diags.Errors(), doc)
		p.code = exitUsage
		return p
	}
	opts := []executor.Option{executor.WithInsecureCredentials(f.insecure)}
	for _, s := range f.servers {
		name, u, ok := strings.Cut(s, "=")
		if !ok || name == "" || u == "" {
			return fail("telaio run: --server must be NAME=URL, got %q\n", s)
		}
		opts = append(opts, executor.WithServer(name, u))
	}
	for _, c := range f.checks {
		name, sev, ok := strings.Cut(c, "=")
		if !ok {
			return fail("telaio run: --check must be NAME=SEVERITY, got %q\n", c)
		}
		opts = append(opts, executor.WithCheck(name, executor.Severity(sev)))
	}
	auth, err := collectAuth(doc, f.auth, e.getenv)
	if err != nil {
		return fail("telaio run: %v\n", err)
	}
	if f.mock {
		mopts, placeholders, stop, err := startMocks(doc, f.servers, auth)
		if err != nil {
			return fail("telaio run: --mock: %v\n", err)
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
	eng, err := executor.New(doc, opts...)
	if err != nil {
		var ds diag.Diagnostics
		if errors.As(err, &ds) {
			printDiags(e, ds, doc)
		} else {
			fmt.Fprintf(&p.msgs, "telaio run: %v\n", err)
		}
		p.code = exitUsage
		return p
	}
	p.eng = eng
	// Compile the contract checks' schemas on the other core while the
	// first requests are under way.
	go eng.Precompile()
	return p
}

// runPrepared runs one workflow of a prepared file and prints its result.
func runPrepared(ctx context.Context, p *prepared, workflow string, f runFlags, reports []report.Spec, e *env) (int, *executor.Result) {
	e.stderr.Write(p.msgs.Bytes())
	if p.code != exitOK {
		return p.code, nil
	}
	doc, eng := p.doc, p.eng
	wf, err := pickWorkflow(doc, workflow)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio run: %v\n", err)
		return exitUsage, nil
	}
	// The engine compiled the inputs schema: it tells which --input
	// values stay text.
	inputs, err := readInputs(f.inputFile, f.inputs, stringInputs(eng.InputsSchema(wf)))
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio run: %v\n", err)
		return exitUsage, nil
	}
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	var obs executor.Observer
	if f.format == "text" && e.isTTY && !f.quiet {
		obs = progressObserver(e.stderr)
	}
	var runOpts []executor.RunOption
	if obs != nil {
		runOpts = append(runOpts, executor.RunWithObserver(obs))
	}
	res, err := eng.Run(ctx, wf, inputs, runOpts...)
	if res != nil {
		for _, spec := range reports {
			if werr := spec.WriteFile([]*executor.Result{res}, report.WithVersion(version)); werr != nil {
				fmt.Fprintf(e.stderr, "telaio run: report %s: %v\n", spec, werr)
			}
		}
	}
	var ie *executor.InputError
	if errors.As(err, &ie) {
		if f.format == "json" {
			writeResultJSON(e.stdout, res, err)
		} else {
			fmt.Fprintf(e.stderr, "telaio run: %v\n", err)
		}
		return exitUsage, nil
	}
	if f.format == "json" {
		writeResultJSON(e.stdout, res, err)
	} else {
		// On a terminal the steps were printed as they finished; --quiet
		// prints none.
		writeResultText(e.stdout, res, err, obs == nil && !f.quiet)
	}
	if err != nil || res == nil || !res.Success {
		return exitFailed, res
	}
	return exitOK, res
}

func printDiags(e *env, ds diag.Diagnostics, doc *arazzo.Document) {
	sources := map[string][]byte{}
	if doc != nil {
		collectSources(doc, sources, map[*arazzo.Document]bool{})
	}
	for _, d := range ds {
		src := sources[d.Range.File]
		if src == nil && d.Range.File != "" {
			src, _ = os.ReadFile(d.Range.File)
		}
		fmt.Fprintln(e.stderr, diag.Format(d, src))
	}
}

func pickWorkflow(doc *arazzo.Document, id string) (string, error) {
	var ids []string
	for _, w := range doc.Workflows {
		ids = append(ids, w.WorkflowID)
	}
	if id == "" {
		if len(ids) == 1 {
			return ids[0], nil
		}
		return "", fmt.Errorf("the document has %d workflows (%s): choose one with --workflow", len(ids), strings.Join(ids, ", "))
	}
	if doc.Workflow(id) == nil {
		return "", fmt.Errorf("unknown workflow %q (the document has %s)", id, strings.Join(ids, ", "))
	}
	return id, nil
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
// "_"), for the schemes the source descriptions define.
func collectAuth(doc *arazzo.Document, flags []string, getenv func(string) string) (map[string]string, error) {
	auth := map[string]string{}
	for _, name := range schemeNames(doc) {
		if v := getenv(envName(name)); v != "" {
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

func envName(scheme string) string {
	var b strings.Builder
	b.WriteString("TELAIO_AUTH_")
	for _, r := range scheme {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

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
			if s.Arazzo != nil && s.Arazzo != d {
				walk(s.Arazzo, depth+1)
			}
		}
	}
	walk(doc, 0)
	sort.Strings(out)
	return out
}

type jsonResult struct {
	WorkflowID string                 `json:"workflowId"`
	Success    bool                   `json:"success"`
	Status     executor.Status        `json:"status"`
	Outputs    map[string]any         `json:"outputs"`
	Steps      []*executor.StepResult `json:"steps"`
	Deps       []*executor.Result     `json:"dependencies,omitempty"`
	Transfer   *executor.Result       `json:"transfer,omitempty"`
	DurationNs time.Duration          `json:"durationNs"`
	Error      *string                `json:"error"`
}

func writeResultJSON(w io.Writer, res *executor.Result, err error) {
	out := jsonResult{Outputs: map[string]any{}, Steps: []*executor.StepResult{}, Status: executor.StatusFailed}
	if res != nil {
		out = jsonResult{WorkflowID: res.WorkflowID, Success: res.Success, Status: res.Status, Outputs: res.Outputs,
			Steps: res.Steps, Deps: res.Dependencies, Transfer: res.Transfer, DurationNs: res.Duration}
		if res.Error != "" {
			msg := res.Error
			out.Error = &msg
		}
	}
	if out.Error == nil && err != nil {
		msg := err.Error()
		out.Error = &msg
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

func writeResultText(w io.Writer, res *executor.Result, err error, steps bool) {
	if res == nil {
		fmt.Fprintf(w, "error: %v\n", err)
		return
	}
	if steps {
		writeSteps(w, res, "")
	}
	fmt.Fprintf(w, "workflow %s: %s in %s\n", res.WorkflowID, res.Status, roundDuration(res.Duration))
	if len(res.Outputs) > 0 {
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
		fmt.Fprintf(w, "error: %s\n", res.Error)
	}
}

func writeSteps(w io.Writer, res *executor.Result, indent string) {
	for _, d := range res.Dependencies {
		fmt.Fprintf(w, "%sdependency %s: %s\n", indent, d.WorkflowID, d.Status)
		writeSteps(w, d, indent+"  ")
	}
	for _, s := range res.Steps {
		fmt.Fprintln(w, indent+stepLine(s))
		if s.Workflow != nil {
			writeSteps(w, s.Workflow, indent+"  ")
		}
	}
	if res.Transfer != nil {
		fmt.Fprintf(w, "%sgoto workflow %s\n", indent, res.Transfer.WorkflowID)
		writeSteps(w, res.Transfer, indent+"  ")
	}
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
	line := fmt.Sprintf("%s %-28s %s %8s", mark, s.StepID, code, roundDuration(s.Duration))
	if s.Attempts > 1 {
		line += fmt.Sprintf("  (%d attempts)", s.Attempts)
	}
	if s.Operation != "" {
		line += "  " + s.Operation
	} else if s.WorkflowID != "" {
		line += "  workflow " + s.WorkflowID
	}
	if !s.Success && s.Error != "" {
		line += "  " + s.Error
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

// progressObserver prints a line per finished step as the run goes.
func progressObserver(w io.Writer) executor.Observer {
	return executor.ObserverFunc(func(ev executor.Event) {
		if ev.Kind == executor.StepFinished && ev.Step != nil {
			fmt.Fprintf(w, "%s%s\n", strings.Repeat("  ", ev.Depth), stepLine(ev.Step))
		}
	})
}
