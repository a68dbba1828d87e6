// Command telaio validates and runs Arazzo workflows.
//
//	telaio validate FILE... [--format text|json]
//	telaio run FILE [--workflow ID] [--input name=value]... [--mock] ...
//	telaio mock OPENAPI [--addr 127.0.0.1:PORT]
//
// Exit status: 0 on success, 1 when a document has errors or a workflow
// failed, 2 for usage errors, unreadable files, invalid documents given to
// run, and invalid inputs.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

const usage = `telaio reads, validates and runs Arazzo workflows.

Usage:
  telaio validate FILE... [--format text|json] [--allow-host HOST]...
  telaio run FILE... [--all] [--parallel N] [--workflow ID] [--input name=value]... [--inputs FILE] [--mock]
             [--server NAME=URL] [--auth SCHEME=VALUE] [--format text|json] [--timeout D]
             [--check NAME=SEVERITY] [--report junit|json|har=FILE]
  telaio mock OPENAPI [--addr 127.0.0.1:PORT]
  telaio graph FILE [--workflow ID]
  telaio version

Run "telaio COMMAND --help" for the flags of a command.
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv, isTTY: isTerminal(os.Stdout)}
	os.Exit(runMain(ctx, os.Args[1:], e))
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func runMain(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "validate":
		return cmdValidate(ctx, args[1:], e)
	case "run":
		return cmdRun(ctx, args[1:], e)
	case "mock":
		return cmdMock(ctx, args[1:], e)
	case "graph":
		return cmdGraph(ctx, args[1:], e)
	case "version", "--version":
		fmt.Fprintln(e.stdout, "telaio", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "telaio: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

const version = "0.1.0-dev"
