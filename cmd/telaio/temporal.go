package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/temporal"
)

// temporalFlags are the flags of run, worker and status that reach a
// Temporal server.
type temporalFlags struct {
	addr      string
	namespace string
	taskQueue string
	detach    bool
}

func addTemporalFlags(fs *pflag.FlagSet, t *temporalFlags, queue bool) {
	fs.StringVar(&t.addr, "temporal", "", "run on the Temporal server at `HOST:PORT` (payloads sealed with $"+temporal.KeyEnv+" when set)")
	fs.StringVar(&t.namespace, "namespace", "default", "the Temporal `NAMESPACE`")
	if queue {
		fs.StringVar(&t.taskQueue, "task-queue", temporal.DefaultTaskQueue, "the Temporal task `QUEUE`")
	}
}

// addTemporalRunFlags adds the Temporal flags of telaio run.
func addTemporalRunFlags(fs *pflag.FlagSet, t *temporalFlags) {
	addTemporalFlags(fs, t, true)
	fs.BoolVar(&t.detach, "detach", false, "with --temporal: print the run's id and return; telaio status shows it")
}

// checkRun refuses run flags that make no sense with --temporal: the
// credentials and servers live with the workers.
func (t temporalFlags) checkRun(f runFlags) string {
	switch {
	case t.addr == "":
		if t.detach {
			return "--detach needs --temporal"
		}
	case len(f.auth) > 0:
		return "--auth belongs to the worker (telaio worker --auth): with --temporal, credentials never travel with a run"
	case f.mock:
		return "--mock and --temporal exclude each other"
	case len(f.servers) > 0:
		return "--server belongs to the worker (telaio worker --server) with --temporal"
	}
	return ""
}

// dialTemporal connects to the server, sealing payloads with the key of
// TELAIO_TEMPORAL_KEY when it is set.
// With spans exported (tel), the client and the workers made from it
// carry each run's trace (temporal.TracingInterceptor).
func dialTemporal(ctx context.Context, t temporalFlags, getenv func(string) string, logTo io.Writer, tel *telemetry) (client.Client, error) {
	key, err := keyFrom(getenv)
	if err != nil {
		return nil, err
	}
	dc, err := temporal.DataConverter(key)
	if err != nil {
		return nil, err
	}
	var logger tlog.Logger = tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if logTo != nil {
		logger = tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	o := client.Options{HostPort: t.addr, Namespace: t.namespace, DataConverter: dc, Logger: logger}
	if tel != nil && tel.tp != nil {
		ti, err := temporal.TracingInterceptor(tel.tp)
		if err != nil {
			return nil, err
		}
		o.Interceptors = append(o.Interceptors, ti)
	}
	c, err := client.DialContext(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Temporal at %s: %v", t.addr, err)
	}
	return c, nil
}

// keyFrom reads the payload key through getenv (tests give their own).
func keyFrom(getenv func(string) string) ([]byte, error) {
	v := getenv(temporal.KeyEnv)
	if v == "" {
		return nil, nil
	}
	return temporal.ParseKey(v)
}

// execute runs a workflow: on Temporal with --temporal, else in process
// (opts hold obs then). On Temporal, obs (live step lines) is told of each
// step as the run reports it (temporal.Run.Watch).
func (r *runner) execute(ctx context.Context, p *prepared, workflow string, inputs map[string]any, e *env, obs executor.Observer, opts ...executor.RunOption) (*executor.Result, error) {
	t := r.f.temporal
	if t.addr == "" {
		return p.eng.Run(ctx, workflow, inputs, opts...)
	}
	c, err := dialTemporal(ctx, t, e.getenv, nil, r.f.tel)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	run, err := temporal.Start(ctx, c, p.eng, workflow, inputs, temporal.WithTaskQueue(t.taskQueue))
	if err != nil {
		return nil, err
	}
	var res *executor.Result
	if obs != nil {
		res, err = run.Watch(ctx, obs, 0)
	} else {
		res, err = run.Result(ctx)
	}
	if res == nil && ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "telaio run: the run goes on on Temporal: telaio status %s --temporal %s\n", run.ID, t.addr)
	}
	return res, err
}

// detach starts a run on Temporal and prints its id.
func (r *runner) detach(ctx context.Context, j *job, e *env, inputs map[string]any) {
	t := r.f.temporal
	c, err := dialTemporal(ctx, t, e.getenv, nil, r.f.tel)
	if err == nil {
		defer c.Close()
		var run temporal.Run
		run, err = temporal.Start(ctx, c, j.prep.eng, j.workflow, inputs, temporal.WithTaskQueue(t.taskQueue))
		if err == nil {
			if r.f.format == "json" {
				b, _ := json.Marshal(map[string]string{"file": j.file, "workflowId": j.workflow, "runId": run.ID})
				fmt.Fprintf(e.stdout, "%s\n", b)
			} else {
				fmt.Fprintln(e.stdout, run.ID)
			}
			return
		}
	}
	j.code, j.errMsg = exitFailed, err.Error()
	fmt.Fprintf(e.stderr, "telaio run: %v\n", err)
}

// addRetryWaitFlag adds --max-retry-wait to run and worker.
func addRetryWaitFlag(fs *pflag.FlagSet, d *time.Duration) {
	fs.DurationVar(d, "max-retry-wait", 0, "cap each wait before a retry (retryAfter, Retry-After) at `DURATION` (default "+executor.DefaultMaxRetryWait.String()+"; a worker's cap applies to its runs)")
}

var errNoTemporal = errors.New("--temporal HOST:PORT is required")
