// Command telaio validates and runs Arazzo workflows.
//
//	telaio validate FILE... [--format text|json] [--strict]
//	telaio run FILE... [--workflow ID]... [--input name=value]... [--mock] ...
//	telaio list FILE
//	telaio mock OPENAPI [--addr 127.0.0.1:PORT]
//	telaio graph FILE [--workflow ID]
//
// Exit status: 0 on success, 1 when a document has errors or a workflow
// failed, 2 for usage errors, unreadable files, invalid documents given to
// run, and invalid inputs; 130 after SIGINT (Ctrl-C) and 143 after SIGTERM,
// once the partial results and reports are written.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/telaio/telaio/internal/suggest"
)

const usage = `telaio reads, validates and runs Arazzo workflows.

Usage:
  telaio validate FILE... [--format text|json] [--strict] [--allow-host HOST]...
  telaio run FILE... [--all] [--workflow ID]... [--input name=value]... [--inputs FILE|-] [--mock]
             [--server NAME=URL] [--auth SCHEME=VALUE] [--format text|json] [--timeout D]
             [--check NAME=SEVERITY] [--report junit|json|har=FILE] [--verbose] [--quiet]
             [--max-retry-wait D] [--temporal HOST:PORT [--detach]]
  telaio worker --temporal HOST:PORT [--namespace NS] [--task-queue Q] [--server NAME=URL] [--auth SCHEME=VALUE]
             [--max-retry-wait D] FILE...
  telaio status RUN-ID --temporal HOST:PORT
  telaio codec-server [--addr 127.0.0.1:8081] [--allow-origin URL]
  telaio list FILE
  telaio mock OPENAPI [--addr 127.0.0.1:PORT]
  telaio graph FILE [--workflow ID]
  telaio upgrade FILE [-w] [--force] [--format text|json]
  telaio version

Run "telaio help COMMAND" (or "telaio COMMAND --help") for the flags of a command.
`

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// env is what a command sees of the outside world, so tests run commands
// in-process.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	getenv         func(string) string
	// isTTY reports whether stdout is a terminal.
	isTTY bool
}

// signalError is the cause of the main context's cancellation when a
// signal stopped the process.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "stopped by " + e.sig.String() }

// exitCode is the conventional status after the signal: 128 + its number.
func (e signalError) exitCode() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		cancel(signalError{s})
		// A second signal stops at once.
		<-sigs
		os.Exit(signalError{s}.exitCode())
	}()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv, isTTY: isTerminal(os.Stdout)}
	code := runMain(ctx, os.Args[1:], e)
	var se signalError
	if errors.As(context.Cause(ctx), &se) {
		code = se.exitCode()
	}
	os.Exit(code)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// command is a subcommand: its one-line synopsis and its function.
type command struct {
	synopsis string
	run      func(ctx context.Context, args []string, e *env) int
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"validate":     {"check documents against the Arazzo specification and their API descriptions", cmdValidate},
		"run":          {"run workflows", cmdRun},
		"list":         {"list the workflows of a document with their inputs and outputs", cmdList},
		"mock":         {"serve an OpenAPI description as a mock API", cmdMock},
		"graph":        {"print a workflow as a Mermaid flowchart", cmdGraph},
		"upgrade":      {"rewrite an Arazzo 1.0 document as 1.1", cmdUpgrade},
		"version":      {"print the version", cmdVersion},
		"worker":       {"serve workflows to durable runs on a Temporal server", cmdWorker},
		"status":       {"show the progress or result of a run on Temporal", cmdStatus},
		"codec-server": {"serve the payload codec to the Temporal web UI", cmdCodecServer},
	}
}

func runMain(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		if len(args) > 1 && args[0] == "help" {
			if c, ok := commands[args[1]]; ok {
				return c.run(ctx, []string{"--help"}, e)
			}
			fmt.Fprintf(e.stderr, "telaio help: %s\n", suggest.Unknown("command", args[1], commandNames()))
			return exitUsage
		}
		fmt.Fprint(e.stdout, usage)
		return exitOK
	case "--version":
		return cmdVersion(ctx, nil, e)
	}
	if c, ok := commands[args[0]]; ok {
		return c.run(ctx, args[1:], e)
	}
	fmt.Fprintf(e.stderr, "telaio: %s\n\n%s", suggest.Unknown("command", args[0], commandNames()), usage)
	return exitUsage
}

func commandNames() []string {
	out := make([]string, 0, len(commands))
	for n := range commands {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// newFlags makes the flag set of a command. Its usage (--help) goes to
// stdout; parse errors are printed by parseFlags.
func newFlags(e *env, name, synopsis string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: %s\n\nFlags:\n%s", synopsis, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args; done is true when the command must return code
// at once: after --help (0), or a flag error, which is printed (2).
func parseFlags(fs *pflag.FlagSet, args []string, e *env) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return exitOK, false
	case errors.Is(err, pflag.ErrHelp):
		return exitOK, true
	}
	fmt.Fprintf(e.stderr, "telaio %s: %s%s\nRun \"telaio help %s\" for usage.\n", fs.Name(), flagError(err), flagHint(fs, err), fs.Name())
	return exitUsage, true
}

// flagHint is " (did you mean --addr?)" for an unknown flag close to one
// of fs's, else "".
func flagHint(fs *pflag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	name, _, _ = strings.Cut(name, "=")
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if c := suggest.Closest(name, names); c != "" {
		return " (did you mean --" + c + "?)"
	}
	return ""
}

// flagError rewords pflag's errors: "unknown flag: --bogus" becomes
// "unknown flag --bogus".
func flagError(err error) string {
	msg := err.Error()
	msg = strings.Replace(msg, "unknown flag: ", "unknown flag ", 1)
	msg = strings.Replace(msg, "unknown shorthand flag: ", "unknown flag ", 1)
	return msg
}

// usageError prints a usage error of a command and returns exitUsage.
func usageError(e *env, cmd, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "telaio %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return exitUsage
}

// cmdVersion prints the module version and the VCS revision the binary was
// built from, read from its build information.
func cmdVersion(_ context.Context, args []string, e *env) int {
	fs := newFlags(e, "version", "telaio version")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	fmt.Fprintln(e.stdout, versionLine())
	return exitOK
}

func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "telaio (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	line := "telaio " + v
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		line += " revision " + rev
		if modified == "true" {
			line += " (modified)"
		}
		if at != "" {
			line += " " + at
		}
	} else {
		line += " (no VCS revision: built outside a checkout or with go run)"
	}
	return line + " " + bi.GoVersion
}

// version is the version reports record.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
