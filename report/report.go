package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/stepfail"
)

// Format is a report format.
type Format string

// Report formats.
const (
	FormatJUnit Format = "junit"
	FormatJSON  Format = "json"
	FormatHAR   Format = "har"
)

var formats = []Format{FormatJUnit, FormatJSON, FormatHAR}

// Formats lists the report formats (a new slice each call).
func Formats() []Format { return append([]Format(nil), formats...) }

// DefaultMaxBody is how many bytes of each body JUnit failures show.
const DefaultMaxBody = stepfail.DefaultMaxBody

// The type attribute of a JUnit <failure>: why the step failed.
const (
	FailureCriterion = stepfail.FailureCriterion // a success criterion was not met
	FailureContract  = stepfail.FailureContract  // an exchange broke the OpenAPI contract
	FailureWorkflow  = stepfail.FailureWorkflow  // the called workflow failed
	FailureError     = stepfail.FailureError     // the exchange or the step could not complete
)

// DefaultName names the <testsuites> element and the HAR creator.
const DefaultName = "telaio"

// ErrUnknownFormat is returned (wrapped) for a format not in Formats().
var ErrUnknownFormat = errors.New("unknown report format")

// Option configures a report.
type Option func(*config)

type config struct {
	name     string
	hostname string
	version  string
	now      func() time.Time
	maxBody  int
}

func newConfig(opts []Option) config {
	c := config{name: DefaultName, now: time.Now, maxBody: DefaultMaxBody}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.hostname == "" {
		if h, err := os.Hostname(); err == nil && h != "" {
			c.hostname = h
		} else {
			c.hostname = "localhost"
		}
	}
	if c.version == "" {
		c.version = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			c.version = bi.Main.Version
		}
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	return c
}

// WithName sets the name of the <testsuites> element and of the HAR creator
// (default "telaio").
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithHostname sets the testsuites' hostname attribute (default: the
// machine's host name).
func WithHostname(h string) Option { return func(c *config) { c.hostname = h } }

// WithVersion sets the HAR creator version (default: the main module's
// version from the build information, else "devel").
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithClock sets the clock for timestamps (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithMaxBody sets how many bytes of each request and response body a JUnit
// failure shows (default DefaultMaxBody).
func WithMaxBody(n int) Option { return func(c *config) { c.maxBody = n } }

// redacted returns the results with their outputs masked
// (executor.Result.Redacted): a report is an artifact that gets uploaded,
// so a workflow's outputs are masked in it like the rest of the trace.
func redacted(results []*executor.Result) []*executor.Result {
	out := make([]*executor.Result, len(results))
	for i, r := range results {
		out[i] = r.Redacted()
	}
	return out
}

// Write writes results in format f. Nil results are skipped.
func Write(w io.Writer, f Format, results []*executor.Result, opts ...Option) error {
	switch f {
	case FormatJUnit:
		return JUnit(w, results, opts...)
	case FormatJSON:
		return JSON(w, results, opts...)
	case FormatHAR:
		return HAR(w, results, opts...)
	}
	return unknownFormat(string(f))
}

func unknownFormat(f string) error {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return fmt.Errorf("%w %q (formats: %s)", ErrUnknownFormat, f, strings.Join(names, ", "))
}

// Spec is a report to write: a format and a file.
type Spec struct {
	Format Format
	Path   string
}

// ParseSpec parses "format=file", as given to the --report flag: the format
// is one of Formats() (case-insensitive) and the file must not be empty.
func ParseSpec(s string) (Spec, error) {
	f, p, ok := strings.Cut(s, "=")
	f = strings.ToLower(strings.TrimSpace(f))
	if !ok || f == "" || p == "" {
		return Spec{}, fmt.Errorf("report %q must be FORMAT=FILE (formats: junit, json, har)", s)
	}
	for _, known := range formats {
		if Format(f) == known {
			return Spec{Format: known, Path: p}, nil
		}
	}
	return Spec{}, unknownFormat(f)
}

// String returns "format=file".
func (s Spec) String() string { return string(s.Format) + "=" + s.Path }

// WriteFile writes the report to s.Path, creating its directory when
// needed. A regular file is written under a temporary name and renamed, so
// a reader never sees half a report; a symbolic link is followed (the link
// stays, its target gets the report); a file that is not a regular one
// (/dev/stdout, a named pipe, a device) is written in place, never
// replaced. Any failure is returned: a report that was asked for and not
// written is an error.
func (s Spec) WriteFile(results []*executor.Result, opts ...Option) (err error) {
	if s.Path == "" {
		return errors.New("report: empty file name")
	}
	switch s.Format {
	case FormatJUnit, FormatJSON, FormatHAR:
	default:
		return unknownFormat(string(s.Format))
	}
	path, err := Target(s.Path)
	if err != nil {
		return fmt.Errorf("report %s: %w", s, err)
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return fmt.Errorf("report %s: %s is a directory", s, path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("report %s: %w", s, err)
		}
		if err := Write(f, s.Format, results, opts...); err != nil {
			f.Close()
			return fmt.Errorf("report %s: %w", s, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("report %s: %w", s, err)
		}
		return nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report %s: %w", s, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("report %s: %w", s, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = Write(f, s.Format, results, opts...); err != nil {
		return fmt.Errorf("report %s: %w", s, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("report %s: %w", s, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("report %s: %w", s, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("report %s: %w", s, err)
	}
	return nil
}

// maxLinks bounds the symbolic links Target follows.
const maxLinks = 40

// Target is the file a report to path is written to: path with its
// symbolic links followed (a dangling link names the file to create).
// Two report paths with the same Target are the same file.
func Target(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	for range maxLinks {
		fi, err := os.Lstat(abs)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			// Missing or not a link: the parent may hold links; resolve it.
			if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
				abs = filepath.Join(dir, filepath.Base(abs))
			}
			return abs, nil
		}
		dest, err := os.Readlink(abs)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(abs), dest)
		}
		abs = filepath.Clean(dest)
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// runs lists every run of results, depth first in trace order: each run,
// then the runs it started. Cycles (impossible in an executor trace) are
// cut.
func runs(results []*executor.Result) []*run {
	var out []*run
	seen := map[*executor.Result]bool{}
	var visit func(r *executor.Result, parent *run, relation string)
	visit = func(r *executor.Result, parent *run, relation string) {
		if r == nil || seen[r] {
			return
		}
		seen[r] = true
		me := &run{r: r, parent: parent, relation: relation, id: len(out)}
		out = append(out, me)
		for _, d := range r.Dependencies {
			visit(d, me, "dependency")
		}
		for _, sr := range r.Steps {
			if sr != nil && sr.Workflow != nil {
				visit(sr.Workflow, me, "step "+sr.StepID)
			}
		}
		visit(r.Transfer, me, "goto")
	}
	for _, r := range results {
		visit(r, nil, "")
	}
	return out
}

type run struct {
	r        *executor.Result
	parent   *run
	relation string
	id       int
}
