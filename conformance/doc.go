// Package conformance holds Telaio's data-driven conformance suites. Nothing
// imports it; it exists for its tests and for the Stytch fake in
// conformance/stytchfake.
//
// The spec suite lives in testdata/cases: one directory per feature or
// decision of the Arazzo 1.0.1 specification (checklist decisions D1-D38),
// each holding an Arazzo document, the OpenAPI description of a small test
// API, what that API answers, the inputs and options of the run, and what the
// run must produce (status, outputs, the steps executed, the requests the API
// received, the retry waits). testdata/cases/README.md describes the format.
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
