// Package telaiotest runs Arazzo workflows from Go tests: contract tests of
// an API written as workflows, run by `go test` against a real deployment
// or an httptest server.
//
// It owns the glue between testing and the library: loading and validating
// the document (a failure stops the test with the diagnostics), running one
// workflow, and reporting each step execution as a subtest. Start with Run:
//
//	func TestLogin(t *testing.T) {
//		srv := httptest.NewServer(api.Handler())
//		defer srv.Close()
//		res := telaiotest.Run(t, telaiotest.File("testdata/login.arazzo.yaml"), "login",
//			map[string]any{"user": "ada"},
//			telaiotest.HTTPServer("api", srv), telaiotest.Auth("bearer", "t0ken"))
//		if res != nil && res.Outputs["token"] == nil {
//			t.Error("no token")
//		}
//	}
//
// # What is reported
//
// With a *testing.T, each step execution is a subtest named by its stepId
// (a step entered again through goto gets testing's #01 suffix); the steps
// of a workflow a step calls are subtests of that step, and the runs of
// dependencies and of a goto workflowId are subtests named
// "dependency:<workflowId>" and "goto:<workflowId>". With any other T
// (a *testing.B, or a T of your own) the same is written with Logf.
//
// A step execution fails the test when it failed and the workflow did not
// handle it (as the JUnit report explains it): the Errorf message starts with one line
// naming the step and the reason (the error, the contract violation or the
// first failed criterion), then lists the criteria, the contract
// violations and each exchange: method, URL, status and the first 1 KB of
// the request and response bodies. Everything comes from the executor's
// masked trace, so credentials given with Auth and secret inputs do not
// appear. A run that fails without such a step (a limit, a failed
// dependency reported in its own subtest) fails the test with the run's
// error.
//
// With ExpectFailure the run must fail: step failures are logged, and a run
// that succeeds is the error. Negative tests use it (a wrong code must be
// refused).
//
// An unreadable or invalid document, a document the executor cannot plan,
// an unknown workflowId or inputs that do not match the workflow's inputs
// schema stop the test with Fatalf (ExpectFailure or not): they are
// mistakes in the test, not behaviour of the API.
//
// Run takes a T, the subset of testing.TB it needs, so that *testing.T,
// *testing.B and *testing.F work, and so does a small recorder in examples
// and tests (see the package example). The test's Context, when T has one
// (testing.TB does), bounds the run.
package telaiotest
