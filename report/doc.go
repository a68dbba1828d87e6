// Package report writes the results of workflow runs as files other tools
// read: JUnit XML for CI test views, JSON with the full trace, and HTTP
// Archive (HAR 1.2) for HTTP debugging tools and browsers.
//
// It owns the rendering only: it reads executor.Result values, which the
// executor has already masked (credentials, OAuth2 tokens and secret inputs,
// in every encoded form, replaced by executor.Mask in exchanges, outputs and
// errors; a workflow's own outputs, which Engine.Run returns as they are,
// are replaced by their masked copy, Result.Redacted), and it never adds
// data from elsewhere (inputs and the raw
// requests are not available to it). What it decodes (HAR query strings,
// form bodies and cookies) is decoded from the masked text.
//
// Start with Write, or with ParseSpec and Spec.WriteFile for a
// "format=file" command-line value:
//
//	spec, err := report.ParseSpec("junit=out/telaio.xml") // at flag parsing
//	res, runErr := eng.Run(ctx, "sms-otp-mfa", inputs)
//	err = spec.WriteFile([]*executor.Result{res})
//
// # JUnit
//
// Each workflow run is a <testsuite> named by its workflowId; the runs it
// started (dependsOn dependencies and retry target workflows, workflows
// called by a step, a goto workflowId transfer) are testsuites of their
// own with the properties "parent" (the parent's workflowId), "parentId"
// (the parent testsuite's id) and "relation" ("dependency", "step <stepId>"
// or "goto"). Each step execution is a <testcase> named by its stepId, with
// classname the workflowId and the properties attempts, operation,
// operationId, workflow, statusCode and action. Steps that did not run are
// not reported (there are no <skipped/> testcases).
//
// A step execution is a failure when it failed and the workflow did not
// handle it: a failed step followed by a goto action, or a retry target step
// that was then retried, is part of the workflow's design and passes (its
// outcome is in <system-out>). The <failure> has a one-line message (the
// error, the contract violation or the first failed criterion), a type
// (criterion, contract, workflow or error) and a body listing the criteria
// (each marked pass or FAIL), the contract violations and each exchange of the step: method,
// URL, status and the first 2 KB of the request and response bodies
// (WithMaxBody). A run that failed without a failing step of its own or a
// failing run under it (invalid inputs, a limit) gets a testcase named
// "(workflow)" holding the run's error. Times are in seconds; the
// timestamps are the time the report is written, since results record
// durations, not start times.
//
// # HAR
//
// Every exchange of every run (nested runs included, in trace order) is an
// entry, with the request's headers, cookies, query string and body
// (postData), and the response's headers, cookies and content (JSON bodies
// re-encoded from their decoded value). The timings put the exchange's
// duration in "wait". The results do not record when each exchange started,
// so startedDateTime is reconstructed: the first entry starts at the report
// time minus the total duration of the runs and each entry starts when the
// previous one ended. Entries carry the custom fields _workflowId, _stepId,
// _attempt and _error. An exchange that got no response has status 0.
package report
