package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/telaio/telaio/temporal"
)

const statusSynopsis = `telaio status RUN-ID --temporal HOST:PORT [--namespace NS] [--format text|json] [--verbose]

Shows where a run started with "telaio run --temporal" is: its workflow,
step, attempt and the steps done, or, once it ended, its result as
"telaio run" prints it. Exits 0 while the run goes on or after it
succeeded, 1 when it failed.`

func cmdStatus(ctx context.Context, args []string, e *env) int {
	var t temporalFlags
	var format string
	var verbose bool
	fs := newFlags(e, "status", statusSynopsis)
	addTemporalFlags(fs, &t, false)
	fs.StringVar(&format, "format", "text", "output format: text or json")
	fs.BoolVar(&verbose, "verbose", false, "print every request of a finished run")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	switch {
	case t.addr == "":
		return usageError(e, "status", "%v", errNoTemporal)
	case fs.NArg() != 1:
		return usageError(e, "status", "give one run id (usage: telaio status RUN-ID --temporal HOST:PORT)")
	case format != "text" && format != "json":
		return usageError(e, "status", "--format must be text or json, not %q", format)
	}
	id := fs.Arg(0)
	c, err := dialTemporal(ctx, t, e.getenv, nil, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio status: %v\n", err)
		return exitFailed
	}
	defer c.Close()
	desc, err := c.DescribeWorkflow(ctx, id, "")
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio status: %v\n", err)
		return exitFailed
	}
	run := temporal.Attach(c, id, "")
	ended := desc.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	var p temporal.Progress
	if !ended {
		if p, err = run.Progress(ctx); err != nil {
			fmt.Fprintf(e.stderr, "telaio status: %v\n", err)
			return exitFailed
		}
		// The interpreter finished; the workflow closes right after.
		ended = p.Status != "running"
	}
	if ended {
		res, rerr := run.Result(ctx)
		if format == "json" {
			msg := ""
			if rerr != nil {
				msg = rerr.Error()
			}
			b, _ := json.MarshalIndent(resultJSON("", res.Redacted(), msg, nil), "", "  ")
			fmt.Fprintf(e.stdout, "%s\n", b)
		} else {
			fmt.Fprintf(e.stdout, "run %s: ended\n", id)
			writeResultText(e.stdout, res, rerr, textOptions{steps: true, verbose: verbose})
		}
		if rerr != nil || res == nil || !res.Success {
			return exitFailed
		}
		return exitOK
	}
	if format == "json" {
		b, _ := json.MarshalIndent(p, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", b)
		return exitOK
	}
	// The steps finished so far, as run prints them, then where it is.
	for from := 0; ; {
		page, err := run.Steps(ctx, from)
		if err != nil {
			fmt.Fprintf(e.stderr, "telaio status: %v\n", err)
			break
		}
		for _, ev := range page.Steps {
			fmt.Fprint(e.stdout, stepBlock(ev.Step, strings.Repeat("  ", ev.Depth), verbose))
		}
		from += len(page.Steps)
		if !page.More || len(page.Steps) == 0 {
			break
		}
	}
	line := fmt.Sprintf("run %s: %s, workflow %s", id, p.Status, p.WorkflowID)
	if p.StepID != "" {
		line += fmt.Sprintf(", step %s (attempt %d)", p.StepID, p.Attempt)
	}
	line += fmt.Sprintf(", %d steps done", p.StepsDone)
	if !p.WaitingUntil.IsZero() {
		line += ", waiting until " + p.WaitingUntil.UTC().Format("2006-01-02 15:04:05Z")
	}
	fmt.Fprintln(e.stdout, line)
	return exitOK
}
