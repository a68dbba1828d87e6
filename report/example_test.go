package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/report"
)

func ExampleJUnit() {
	// A run whose second step got 401 instead of 200.
	res := &executor.Result{WorkflowID: "login", Status: executor.StatusFailed, Duration: 30 * time.Millisecond,
		Steps: []*executor.StepResult{
			{StepID: "getToken", Success: true, Attempts: 1, StatusCode: 200, Duration: 10 * time.Millisecond},
			{StepID: "getProfile", Attempts: 1, StatusCode: 401, Duration: 20 * time.Millisecond,
				Criteria: []executor.CriterionResult{{Condition: "$statusCode == 200"}},
				Exchanges: []*executor.Exchange{{Attempt: 1,
					Request:  &executor.Request{Method: "GET", URL: "https://api.example.com/me"},
					Response: &executor.Response{StatusCode: 401, Body: map[string]any{"error": "expired"}}}}},
		}}
	err := report.JUnit(os.Stdout, []*executor.Result{res}, report.WithHostname("ci"),
		report.WithClock(func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="telaio" tests="2" failures="1" errors="0" time="0.030">
	//   <testsuite name="login" id="0" package="telaio" timestamp="2025-06-01T12:00:00" hostname="ci" tests="2" failures="1" errors="0" skipped="0" time="0.030">
	//     <properties>
	//       <property name="workflowId" value="login"></property>
	//       <property name="status" value="failed"></property>
	//     </properties>
	//     <testcase name="getToken" classname="login" time="0.010">
	//       <properties>
	//         <property name="attempts" value="1"></property>
	//         <property name="statusCode" value="200"></property>
	//       </properties>
	//     </testcase>
	//     <testcase name="getProfile" classname="login" time="0.020">
	//       <properties>
	//         <property name="attempts" value="1"></property>
	//         <property name="statusCode" value="401"></property>
	//       </properties>
	//       <failure message="criterion &#34;$statusCode == 200&#34; not met (status 401)" type="criterion"><![CDATA[criteria:
	//   [FAIL] $statusCode == 200
	// attempt 1:
	//   request: GET https://api.example.com/me
	//   response: 401
	//   response body: {"error":"expired"}
	// ]]></failure>
	//     </testcase>
	//     <system-out></system-out>
	//     <system-err></system-err>
	//   </testsuite>
	// </testsuites>
}

func ExampleParseSpec() {
	spec, err := report.ParseSpec("junit=out/telaio.xml")
	fmt.Println(spec.Format, spec.Path, err)
	_, err = report.ParseSpec("xml=out.xml")
	fmt.Println(err)
	// Output:
	// junit out/telaio.xml <nil>
	// unknown report format "xml" (formats: junit, json, har)
}
