// Package executor runs Arazzo workflows over HTTP and, for Arazzo 1.1
// AsyncAPI steps, over message brokers.
//
// New plans a loaded document once: it resolves every step's operation in
// the OpenAPI descriptions (method, path template, servers, parameters with
// their style and explode, request media types, security requirements) or
// the workflow it calls, and compiles every runtime expression, payload,
// criterion and input schema. The Engine is immutable afterwards; Run keeps
// each run's state in its own struct, so concurrent runs on one Engine are
// safe.
//
//	doc, diags := arazzo.Load(ctx, "flow.arazzo.yaml")
//	eng, err := executor.New(doc, executor.WithServer("petstore", url), executor.WithAuth("bearerAuth", token))
//	res, err := eng.Run(ctx, "adoptPet", map[string]any{"name": "Rex"})
//
// # Decisions where the specification is open
//
// The numbers refer to section 24 of the conformance checklist; each is
// pinned by a conformance case of the same name.
//
//   - Inputs (D36): JSON Schema defaults apply to inputs not given (also
//     through $ref to components.inputs), then the inputs are validated;
//     invalid inputs give an *InputError listing every violation, and no
//     request is sent. WithoutInputValidation turns the check off.
//   - Absent values: an expression naming an input that was neither given nor
//     defaulted (or an output that was not produced) makes its payload member
//     or parameter absent: it is omitted, never sent as null or as the text
//     of the expression. JSON nulls that are present are kept.
//   - Parameters (D12, D14): step parameters first, then the workflow's not
//     redefined, by (name, in); header names compare case-insensitively.
//     Workflow parameters with "in" go to operation steps, those without to
//     steps that call a workflow. A Reusable's value overrides the
//     component's. Values are serialized per the OpenAPI parameter's style
//     and explode (defaults per location); a parameter declared with content
//     application/json is sent as JSON text.
//   - Bodies (D28-D30): the payload is evaluated recursively; string
//     payloads are templates sent verbatim, with numbers in JSON form and
//     objects embedded as JSON; replacements apply afterwards, in order,
//     with JSON pointers (XPath for XML), and a missing parent is an error.
//     The media type is the step's contentType, else the operation's first
//     declared one. An object sent as form-urlencoded gives one field per
//     member.
//   - Security: credentials are given per security scheme name (WithAuth).
//     The operation's requirements (else the document's) decide which apply;
//     a credential for a scheme that no requirement of the description names
//     applies to every operation of that description. An Authorization header
//     given as a step parameter is sent as given. Credentials are never sent
//     over plain http to a non-loopback host unless WithInsecureCredentials.
//     OAuth2 client-credentials tokens are fetched from the tokenUrl and
//     cached until they expire. An apiKey sent in a cookie is encoded like
//     a cookie parameter: RFC 6265 cookie-octets as they are, other bytes
//     and "%" percent-encoded. A credential that cannot be sent (basic or
//     OAuth2 client credentials without a colon) fails the step with
//     CodeAuth before anything is sent.
//   - Success (D8): a step succeeds when all its successCriteria hold; with
//     none, once a response arrives (or the called workflow succeeds). A
//     transport failure fails the step (actions may retry it); a request that
//     cannot be built fails the run with code "request".
//   - Actions (D9-D12, D15-D18, D21): the step's actions first, then the
//     workflow's not redefined by name; the first whose criteria all hold
//     wins (none: always matches), and criteria see the current exchange.
//     No match: next step on success, fail on failure. retryLimit N allows N
//     retries (default 1); retryAfter is the minimum gap and a Retry-After
//     header overrides it, capped by Limits.MaxRetryWait; a retry's stepId or
//     workflowId runs first and its failure counts as a failed attempt; an
//     exhausted retry falls through to later failure actions. An onFailure
//     end fails the run, with every output that can be evaluated.
//   - Outcome: a run succeeds when it ends normally (after its last step or
//     an onSuccess end) and the last executed step succeeded; a failure
//     handled by an onFailure goto does not by itself fail the run.
//   - Workflows (D20, D22, D24, D25): dependsOn workflows run first, once
//     per run, with the caller's inputs; a failed dependency fails the
//     dependant. A workflow step's parameters are the callee's inputs; its
//     outputs read the callee's as $outputs.<name>, later steps as
//     $workflows.<id>.outputs.<name>. goto workflowId is one-way: the run's
//     result is the target's, which receives the current inputs it declares.
//     $statusCode and $response in a workflow step read the called
//     workflow's last HTTP exchange (D25 as revised; validation warns).
//   - Limits (D19): step executions, nesting depth and response body bytes
//     are bounded (Limits); going over fails the run with a *LimitError,
//     code "limit-exceeded", never hangs. Retry waits are capped at
//     Limits.MaxRetryWait (the wait is shortened, the run goes on).
//   - Results: Result lists the workflow's own step executions in order; a
//     retried step is one entry with Attempts, a step entered again through
//     goto a new entry. Runs of dependencies, called workflows and goto
//     targets are reported under those workflows. Secrets (credentials,
//     OAuth2 tokens, inputs whose schema says format password or writeOnly)
//     are masked in the trace, including their URL-, JSON- and
//     base64-encoded forms.
//   - Contract checks: every exchange is checked against its operation
//     (see Checks); response checks fail the step by default, request checks
//     warn.
//   - Faults: a failed exchange (refused or reset connection, more than
//     Limits.MaxRedirects redirects, no complete response within
//     Limits.RequestTimeout) or an unreadable response (cut off mid-body,
//     or a JSON media type whose body does not parse; an empty body is no
//     body) fails the attempt, and failure actions may retry it; unhandled,
//     the run fails with code "transport" or "response", naming workflow,
//     step and attempt. A body over Limits.MaxResponseBytes, the step
//     budget and the nesting depth are not attempt failures: the run stops
//     with a *LimitError (LimitResponseBytes, LimitStepExecutions,
//     LimitDepth) that actions do not handle. Retry waits over
//     Limits.MaxRetryWait are capped, not failed; a Retry-After that does
//     not parse is ignored. Cancelling ctx stops the run at once with code
//     "canceled", the trace so far kept. A redirect to another origin
//     loses every header that carries a credential.
//
// # Arazzo 1.1
//
// A 1.1 document runs by the 1.1 rules (checklist-1.1, decisions E1-E34),
// a 1.0 one by the 1.0 rules, and each document of a run by its own (E3).
// Selectors (E20, E24, E25) evaluate in outputs, parameter values, payloads
// and replacements; an output selector that selects nothing fails the
// attempt, and failure actions apply. Replacements honour
// targetSelectorType (E26-E28). Action parameters are the only inputs of
// the workflow a goto or retry action starts (E21). Steps run in an order
// that respects their dependsOn and the steps whose outputs they read
// (E15, E16). A step's timeout bounds each attempt, and for a step that
// calls a workflow the whole call; reaching it fails the attempt with code
// "timeout" (E12). $self is the document's base URI (a file: URI for a file
// Load read, E4, E5). $message is null in an HTTP step (E33). An OpenAPI
// 3.2 querystring parameter takes the whole query string (E17, E18).
//
// # Messages
//
// A step with action send or receive on an AsyncAPI source goes through
// the transport.Driver registered for its server's protocol
// (WithTransport; a step whose protocol has no driver is refused by New).
// The server is WithServer's URL when given (its scheme chooses the
// protocol; an MQTT URL may carry ?protocolVersion=5), "@name" for a
// server of the description, else the first server whose protocol has a
// driver. Credentials come from WithAuth for the description's security
// schemes (userPassword; plain, scramSha256, scramSha512 for Kafka SASL) or
// from the URL, TLS from WithTLSConfig. Connections are dialled at first
// use and kept by the Engine until Close.
//
//   - Early subscription (E16): when a workflow's frame reaches a step,
//     every receive step of the workflow whose channel is known is
//     subscribed for the run, so a message published before its receive
//     step is reached is kept. Concurrent runs subscribe separately and
//     never see each other's messages. Through the durable seam the
//     subscriptions live in a Subscriptions value the host keeps between
//     attempts (Engine.AttemptWith), and a host that is an Armer arms the
//     receive steps at the same points (Engine.Arm); without one, a receive
//     attempt subscribes when it runs.
//   - Send (E19): parameters in: header are message headers, in: channel
//     fill the address's {parameters}; the payload is encoded per the
//     contentType (JSON by default, text, bytes). A send completes when the
//     client library handed the message to the broker (Kafka and AMQP:
//     when the broker acknowledged it). What was sent is $message for that
//     step (E33).
//   - Receive (E11-E14): the first message whose value at its AsyncAPI
//     correlationId.location equals the step's evaluated correlationId (any
//     message when the step has none) decides, within the step's timeout, else
//     WithReceiveTimeout (default DefaultReceiveTimeout). No match: the
//     attempt fails and failure actions apply; a retry waits again.
//   - Perspective (E10): action is the workflow's. A receive on an
//     operation that declares a reply, after a send on that operation in
//     the same workflow, reads the reply (its channel, or the address the
//     request carries) with the reply's messages (arazzo.Document.ReplyOf).
//   - Checks: received messages are checked against the AsyncAPI message
//     schemas (CheckMessagePayload, CheckMessageHeaders: error by
//     default), sent ones warn. The trace records each message (channel,
//     headers, payload bounded as response bodies are, partition and
//     offset or broker id, timing), masked.
//
// # OpenTelemetry
//
// WithTracerProvider and WithMeterProvider turn telemetry on (otel.go);
// without them the Engine creates no span or instrument and reads no
// global state (otel.GetTracerProvider and the global propagator are
// never consulted).
//
//	eng, err := executor.New(doc, executor.WithTracerProvider(tp), executor.WithMeterProvider(mp))
//
// Spans, children of the span in Run's ctx:
//
//	run <workflowId>                         the run (the root workflow)
//	  step <stepId>                          one per step execution
//	    attempt <stepId>                     one per attempt, retries included
//	      <METHOD> <path template>           HTTP client span, one per round trip (redirects too)
//	      send|receive <channel>             messaging span (producer, client)
//	      workflow <workflowId>              a called workflow (role call)
//	  workflow <workflowId>                  dependsOn, goto and retry workflows
//
// Attributes: arazzo.workflow.id, arazzo.workflow.role, arazzo.step.id,
// arazzo.operation (operationId, else "METHOD /path"; the AsyncAPI
// operation; the called workflow), arazzo.attempt, arazzo.step.attempts,
// arazzo.status (completed, ended or failed for a run; success or failure
// for a step or attempt), and the semantic conventions' http.*, url.*,
// server.*, messaging.* and error.type. A failure sets the span's status
// to Error with the failure code (CodeStepFailed, CodeTransport, ...;
// "invalid-inputs" for a run refused for its inputs; the status code for
// an HTTP span answered 4xx or 5xx) as its description and error.type:
// never the error message, which may quote values of the run.
//
// No attribute holds a value of the run: url.full and url.path have the
// run's secrets masked like the trace's URL, and no query string (its
// values are inputs); messaging.destination.name is masked too; headers,
// bodies, parameters, inputs and outputs are never recorded. Spans are
// exported as they end, before the run knows every secret it will learn,
// hence this rule rather than masking.
//
// A durable run (RunDurable) records no run or step span, since its
// runtime replays it: each Engine.Attempt records its attempt span and what
// is under it as a child of the span in its ctx, and the runtime links
// those (package github.com/telaio/telaio/temporal: one trace per run,
// across workers).
//
// The trace context goes into every outgoing HTTP request with the W3C
// Trace Context propagator unless WithPropagator names another or
// WithoutTracePropagation turns it off; it is not put into messages (their
// headers are checked against the AsyncAPI message).
//
// Metrics (scope ScopeName): telaio.runs (one per Run that started a
// workflow; arazzo.workflow.id, arazzo.status, error.type when failed),
// telaio.steps and telaio.attempts (arazzo.workflow.id, arazzo.step.id,
// arazzo.status; attempts also error.type), telaio.failures (failed
// attempts by arazzo.workflow.id, arazzo.step.id and error.type: the
// failure code), and the histograms telaio.run.duration and
// telaio.step.duration in seconds.
package executor
