package main

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/worker"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/temporal"
)

const workerSynopsis = `telaio worker --temporal HOST:PORT [--namespace NS] [--task-queue Q] [--server NAME=URL]...
           [--auth SCHEME=VALUE]... [--check NAME=SEVERITY]... [--max-retry-wait D] FILE...

Serves the workflows of the given documents to runs started with
"telaio run FILE --temporal HOST:PORT" (or the library's temporal.Start)
until interrupted. The servers, credentials (--auth, TELAIO_AUTH_<SCHEME>)
and checks live with the worker, never in a run's input. Runs find the
document by its content hash: start them from the same files. Set
TELAIO_TEMPORAL_KEY (32 bytes, base64 or hex) on workers and clients alike
to seal inputs, outputs and results in Temporal's history. A retry wait
is a durable timer: raise --max-retry-wait (default one minute) to honour
hour-long retryAfter values and Retry-After headers. With
OTEL_EXPORTER_OTLP_ENDPOINT set, the worker exports the spans of the
attempts it runs, in each run's trace.`

func cmdWorker(ctx context.Context, args []string, e *env) int {
	var f runFlags
	var t temporalFlags
	fs := newFlags(e, "worker", workerSynopsis)
	addTemporalFlags(fs, &t, true)
	fs.StringArrayVar(&f.servers, "server", nil, "send the operations of a source description to `NAME=URL` (repeatable)")
	fs.StringArrayVar(&f.auth, "auth", nil, "a credential `SCHEME=VALUE` (also TELAIO_AUTH_<SCHEME>)")
	fs.StringArrayVar(&f.checks, "check", nil, "contract check severity `NAME=error|warn|off` (checks: "+strings.Join(executor.Checks(), ", ")+")")
	fs.StringArrayVar(&f.hosts, "allow-host", nil, "allow fetching http(s) source descriptions from `HOST`")
	fs.StringVar(&f.root, "root", "", "file sources must stay inside `DIR`")
	fs.BoolVar(&f.insecure, "insecure-credentials", false, "allow sending credentials over plain http to non-loopback hosts")
	fs.BoolVar(&f.private, "allow-private-redirects", false, "follow redirects to link-local, loopback and private addresses")
	addRetryWaitFlag(fs, &f.maxRetryWait)
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	switch {
	case t.addr == "":
		return usageError(e, "worker", "%v", errNoTemporal)
	case fs.NArg() == 0:
		return usageError(e, "worker", "no file given (usage: telaio worker --temporal HOST:PORT FILE...)")
	}
	ctx, tel := startTelemetry(ctx, e) // OTEL_EXPORTER_OTLP_* (otel.go)
	defer tel.close(e)
	f.tel = tel
	var engines []*executor.Engine
	for _, file := range fs.Args() {
		p := prepare(ctx, file, f, e.getenv)
		e.stderr.Write(p.msgs.Bytes())
		defer p.close()
		if p.code != exitOK || p.eng == nil {
			return p.code
		}
		engines = append(engines, p.eng)
		fmt.Fprintf(e.stderr, "telaio worker: %s: %s (document %s)\n", file, strings.Join(p.eng.Workflows(), ", "), p.eng.Hash()[:12])
	}
	c, err := dialTemporal(ctx, t, e.getenv, e.stderr, tel)
	if err != nil {
		fmt.Fprintf(e.stderr, "telaio worker: %v\n", err)
		return exitFailed
	}
	defer c.Close()
	// Sessions keep the subscriptions of runs with receive steps on one
	// worker (package temporal, session.go).
	w := worker.New(c, t.taskQueue, worker.Options{EnableSessionWorker: true})
	temporal.RegisterWorker(w, engines...)
	if err := w.Start(); err != nil {
		fmt.Fprintf(e.stderr, "telaio worker: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(e.stderr, "telaio worker: serving task queue %s of namespace %s at %s; stop with Ctrl-C\n", t.taskQueue, t.namespace, t.addr)
	<-ctx.Done()
	w.Stop()
	return exitOK
}
