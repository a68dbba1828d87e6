// Package temporal runs Telaio workflows durably on Temporal: a run
// survives the crash or redeploy of the process that runs it, a retry wait
// of an hour costs a server timer instead of a goroutine, and anything that
// can reach the Temporal server sees how far a run got.
//
// It is a separate Go module (github.com/telaio/telaio/temporal), so that
// users of the core library do not build gRPC and protobuf.
//
// # Architecture
//
// One generic workflow type, WorkflowName, interprets any Arazzo document:
// Worker.Run calls executor.Engine.RunDurable, the same interpreter as
// executor.Engine.Run, with a host whose step attempts are activities,
// whose retry waits are workflow.Sleep (durable timers) and whose clock is
// workflow.Now. The workflow holds only control flow (step order, action
// selection, retry counters, the step budget, dependsOn, goto, end); one
// activity, ActivityName, runs one step attempt with
// executor.Engine.Attempt: it builds and sends the request with the
// worker's servers and credentials, reads and checks the response, and
// evaluates the success criteria, outputs, action criteria and
// Retry-After. Its result, executor.StepOutcome, holds decisions and a
// masked trace, never a response body: history stays small, and replay
// never evaluates an expression that read a response.
//
// Documents reach workers by content hash (executor.Engine.Hash): workers
// load the documents and their source descriptions at start
// (NewWorker/RegisterWorker), the client starts a run with the hash of the
// document it compiled (Start), and the run keeps that hash to its end. A
// worker that lacks the hash fails the workflow task, which the server
// retries, so another worker that has it picks the run up.
//
//	eng, _ := executor.New(doc, executor.WithAuth("bearer", token))
//	w := worker.New(c, temporal.DefaultTaskQueue, worker.Options{EnableSessionWorker: true})
//	temporal.RegisterWorker(w, eng)
//	_ = w.Start()
//	run, _ := temporal.Start(ctx, c, eng, "adoptPet", inputs)
//	res, err := run.Result(ctx) // *executor.Result, *executor.StepError
//
// # Lost attempts
//
// An Arazzo retry is a new attempt decided by the workflow. Temporal's own
// activity retry policy only re-sends an attempt that was lost (its worker
// died: no heartbeat for the heartbeat timeout, DefaultHeartbeatTimeout),
// and only when that is safe: GET, HEAD, PUT, DELETE and OPTIONS, a receive (it sends nothing), or a step
// with an idempotency key (the step extension
// executor.IdempotencyKeyExtension, x-telaio-idempotency-key: true, or
// WithIdempotencyKeys). Such an attempt carries the header Idempotency-Key:
// <temporal workflow id>/<workflow>/<step>/<step execution number>, the
// same when re-sent and new for each Arazzo retry. Any other lost attempt
// is not sent again: it becomes a transport failure of the attempt, which
// the step's onFailure actions handle as they would a broken connection.
//
// # Messages
//
// A broker subscription lives in one process, so a run of a document with
// receive steps (Arazzo 1.1) holds a Temporal session: its attempts run on
// the worker that took the session, which keeps the run's
// executor.Subscriptions between them. The receive steps are armed ahead
// as in process (an ActivityArm when their channel address is known, at
// the start of the workflow or after the step that computes it), and the
// reply subscription a send attempt opens is there for the receive of the
// reply. Workers must serve sessions (worker.Options{EnableSessionWorker:
// true}; telaio worker does): without one, the run's message steps fail
// with ErrNoSession's explanation after SessionCreationTimeout. If the
// session's worker is lost, the attempt under way is lost (re-sent in a
// new session when safe) and the next ones run in a new session, where a
// fixed channel is subscribed again when its receive step runs; a reply
// subscription is lost with its worker, as it would be with its process.
// A session holds one goroutine on its worker while the run lasts (at most
// DefaultSessionTimeout, WithSessionTimeout), even during a retry wait:
// the subscriptions must stay open to keep what is published meanwhile.
//
// # Secrets
//
// Credentials live only in the worker's engines. Workflow inputs (secret
// inputs included), step outputs and results are in history; seal them
// with the AES-GCM Codec: DataConverter(key) on every client and worker,
// with the 32-byte key from the environment variable TELAIO_TEMPORAL_KEY
// (KeyFromEnv; base64 or hex). Without a key, payloads are in clear.
// Traces are masked inside the activity, with the secrets the run learned.
//
// The Temporal web UI shows sealed payloads as such; CodecHandler (telaio
// codec-server) opens them for it, for whoever can reach it.
//
// # Observability
//
// The progress query (QueryProgress, Run.Progress) answers with the
// workflow, step and attempt under way, the steps done and the end of a
// retry wait; the steps query (QuerySteps, Run.Steps) with the finished
// step executions, which Run.Watch tells an executor.Observer as the run
// goes (telaio run --temporal prints its step lines so). WithSearchAttributes sets TelaioDocHash, TelaioWorkflowId and
// TelaioStatus (Keyword attributes to register first: temporal server
// start-dev --search-attribute TelaioStatus=Keyword ...). Activities carry
// the step id and method as their summary; the workflow sets its current
// details during waits.
//
// TracingInterceptor (the SDK's OpenTelemetry interceptor) on the clients
// of the starter and of the workers, and executor.WithTracerProvider on
// the workers' engines, make the spans of one run one trace across
// processes and workers: StartWorkflow, RunWorkflow (one per worker that
// ran the workflow code), StartActivity and RunActivity spans, and under
// each RunActivity the attempt, HTTP and messaging spans of the engine
// that sent it. The workflow records no run or step span of its own (it is
// replayed); its RunWorkflow span carries arazzo.workflow.id,
// telaio.document.hash and arazzo.status. With executor.WithMeterProvider
// on the workers' engines, each attempt is counted by the worker that ran
// it (telaio.attempts, telaio.failures), and each run and its steps once,
// by the worker that completed it (executor.Engine.RecordRun: telaio.runs,
// telaio.steps and their durations).
//
// # Bounds
//
// A run stops with an *executor.LimitError (LimitHistoryEvents,
// LimitHistoryBytes) before its history reaches Temporal's limits, which
// would terminate it without a result: DefaultMaxHistoryEvents
// (WithMaxHistoryEvents) and MaxHistoryBytes. Each attempt adds about 6
// events, each retry wait 5 more (a two-step run has 17, 28 with one
// retry: TestWatchTellsStepsAsTheyFinish), so the default step budget of
// 1000 step executions stays far below. The result in history is kept under
// MaxOutputBytes by trimming the trace (RunOutput.Trimmed). Inputs are
// bounded by MaxInputBytes, steps query pages by MaxStepsPerQuery.
//
// # Where this differs from the design notes (shared/temporal/design.md)
//
//   - Expressions that read no response (input defaults and validation,
//     the parameters of a workflow step, the criteria of a workflow step
//     after its call, workflow outputs, and the failure action criteria of
//     a lost attempt) are evaluated in workflow code, not in a local
//     activity: a telaio upgrade that changes their meaning changes replay.
//     Deploy upgrades with Worker Versioning (pinned workflows) or drain
//     runs first.
//   - A step request carries every step output of its workflow and every
//     finished workflow of its document, not only the names the step reads.
//   - A workflow step's criteria cannot read the called workflow's last
//     response ($statusCode, $response are null): responses stay in the
//     activity. A workflow step's timeout bounds each attempt of the
//     callee's steps, not the callee as a whole.
//   - The workflow returns a RunOutput even when the run fails (the
//     Temporal workflow completes; RunOutput.Error and the TelaioStatus
//     attribute say how the run ended), so that history keeps the trace.
//   - Retry waits are capped by the worker engine's Limits.MaxRetryWait
//     (60 s by default, as in process): raise it on workers that should
//     honour hour-long Retry-After headers.
//   - A run is one workflow execution: no child workflows for workflow
//     steps, no per-source task queues, and no Continue-As-New (the
//     interpreter's state is not carried over to a new execution): a run
//     that would outgrow its history stops with LimitHistoryEvents
//     instead (see Bounds). RunWithAuth has no durable equivalent.
package temporal
