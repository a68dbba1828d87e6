// Package conformance holds Telaio's data-driven conformance suites. Nothing
// imports it; it exists for its tests and for the Stytch fake in
// conformance/stytchfake.
//
// The spec suite lives in testdata/cases: one directory per feature or
// decision of Arazzo 1.0.1 (checklist decisions D1-D38) and of Arazzo 1.1.0
// on HTTP (checklist-1.1 decisions E1-E34: Selector Objects, replacement
// targets, action parameters, step dependsOn and timeout, in: querystring,
// $self, Expression Type Objects, the lenient forms), each holding an
// Arazzo document, the OpenAPI description of a small test API, what that
// API answers, the inputs and options of the run, and what the run must
// produce (status, outputs, the steps executed, the requests the API
// received, the retry waits), or, for a document validation must reject,
// the error codes. testdata/cases/README.md describes the format.
//
// TestCases walks the directories, serves each case's API with
// net/http/httptest on 127.0.0.1, runs the workflow with the executor (the
// retry sleep injected and recorded, so nothing waits), and compares
// everything with expect.yaml, printing a path-by-path diff and a trace of
// the run on mismatch. Cases run in parallel.
//
// testdata/skip.yaml lists the cases that fail because of a known engine
// bug, each with a reason. A skipped case is still run: when it passes, the
// test fails and asks for the entry to be removed, so the list never goes
// stale.
//
//	go test ./conformance -run 'TestCases/flow-retry' -v
package conformance
