package arazzo_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

// The official Arazzo 1.1 schema fixtures (testdata/spec11, from
// OAI/Arazzo-Specification v1.1-dev, Apache-2.0: see its LICENSE) are
// golden tests of the parser and validator. They name sources that do not
// exist, so the findings about sources (source-not-loaded,
// source-unavailable) are left out.

// spec11Codes loads and validates a fixture and returns its diagnostic
// codes, sorted, without the findings about its sources.
func spec11Codes(t *testing.T, file string) ([]string, diag.Diagnostics) {
	t.Helper()
	doc, ds := arazzo.Load(context.Background(), file, arazzo.WithRoot("testdata/spec11"))
	if doc != nil {
		ds = append(ds, arazzo.Validate(doc)...)
	}
	var codes []string
	var kept diag.Diagnostics
	for _, d := range ds {
		if d.Code == arazzo.CodeSourceNotLoaded || d.Code == arazzo.CodeSourceUnavailable {
			continue
		}
		codes = append(codes, d.Code)
		kept = append(kept, d)
	}
	slices.Sort(codes)
	return codes, kept
}

// verdict is what validation says of a fixture, and why.
type verdict struct {
	codes []string // sorted
	why   string
}

// spec11PassVerdicts are the PASS fixtures (valid against the official
// schema) that the specification's text makes wrong, or that use a form
// Telaio accepts with a warning: checklist-1.1 section 17 says which, and
// why. Every other PASS fixture validates with no finding at all.
var spec11PassVerdicts = map[string]verdict{
	"async-depends-on-cross-workflow.arazzo.yaml": {[]string{"invalid-expression", "nonstandard-expression"},
		"§13.9: $workflows.<id>.steps.<id>.outputs is not a 1.1 runtime expression (an error), and $message.payload.userId is the dot form (read as #/userId, with a warning)"},
	"async-depends-on.arazzo.yaml": {[]string{"nonstandard-expression"},
		"§13.9: $message.payload.userId is the dot form, read as $message.payload#/userId with a warning"},
	"async-with-channel-path.arazzo.yaml": {[]string{"invalid-channel-path"},
		"§17: channelPath createUser is not {$sourceDescriptions.<name>.url}#/channels/<key>"},
	"asyncapi-success-criteria.arazzo.yaml": {[]string{"nonstandard-jsonpath"},
		"§8.7: $.status == 'accepted' is not RFC 9535; it has the Goessner form and is evaluated so, with a warning naming the Expression Type Object to declare (E34; an error under Strict, as §8.7 would have it)"},
	"bnpl-example.yaml": {[]string{"dependency-cycle", "invalid-expression",
		"nonstandard-expression", "nonstandard-expression", "nonstandard-expression", "nonstandard-expression",
		"nonstandard-expression", "nonstandard-expression", "nonstandard-expression",
		"unknown-output", "unknown-output", "unknown-output"},
		"the 1.0 example's errata (checklist 21.8: a step reading its own undefined output before it runs, outputs never defined, $response.headers) plus the 1.1 copy's dot forms ($inputs.customer.firstName names no input; $response.body.x)"},
	"characterization-async-invalid-channelPath-string.arazzo.yaml": {[]string{"invalid-channel-path"},
		"§17: the schema checks only that channelPath is a string; it must be {$sourceDescriptions.<name>.url}#/channels/<key>"},
	"characterization-asyncapi-operationId-without-action.arazzo.yaml": {[]string{"invalid-step-action"},
		"§4.2, E10: a step whose operationId names an AsyncAPI operation needs action"},
	"characterization-openapi-invalid-operationPath-string.arazzo.yaml": {[]string{"invalid-operation-path"},
		"§17: the schema checks only that operationPath is a string"},
	"characterization-openapi-operationId-with-action.arazzo.yaml": {[]string{"invalid-step-action"},
		"§4.2: action only applies to AsyncAPI steps, and the source is an OpenAPI description"},
	"characterization-openapi-receive-with-correlationId.arazzo.yaml": {[]string{"invalid-correlation-id", "invalid-step-action"},
		"§4.2: action and correlationId only apply to AsyncAPI steps"},
	"characterization-workflow-step-with-requestBody.arazzo.yaml": {[]string{"request-body-misplaced"},
		"§4.12, D33: requestBody on a step that calls a workflow is ignored with a warning"},
	"oauth-example.yaml": {[]string{"nonstandard-jsonpath", "nonstandard-jsonpath", "nonstandard-jsonpath", "nonstandard-jsonpath"},
		"§14, E34: $.access_token != null is a Goessner comparison under a bare type: jsonpath (RFC 9535), evaluated as Goessner with a warning"},
	"openapi-and-asyncapi.arazzo.yaml": {[]string{"nonstandard-expression", "nonstandard-expression", "nonstandard-expression"},
		"§17: $inputs.getUserLocation.userEmail and $inputs.createOrderSend.requestId name no input (the inputs are objects), $message.payload.orderId is the dot form: each read as the pointer form, with a warning"},
	"openapi-operation-path.arazzo.yaml": {[]string{"nonstandard-operation-path"},
		"§13.9: operationPath $sourceDescriptions.userAPI#/... lacks {...url}: read as {$sourceDescriptions.userAPI.url}#/..., with a warning"},
	"openapi-success-criteria.arazzo.yaml": {[]string{"unknown-source"},
		"§13.9: $sourceDescriptions.userAPI names no source (the source is UserAPI; names are case-sensitive)"},
	"payload-replacement-using-selector.arazzo.yaml": {[]string{"invalid-expression"},
		"§13.9: the selector's context $steps.previous.outputs names no output"},
	"pet-coupons-example.yaml": {[]string{"no-response-in-scope", "no-response-in-scope"},
		"checklist 21.9: $statusCode in the criteria of a step that calls a workflow (a warning: Telaio reads the called workflow's last exchange)"},
	"workflow-success-criteria.arazzo.yaml": {[]string{"unknown-source"},
		"the case mismatch of openapi-success-criteria (source UserAPI, expression userAPI), which §17 does not list for this fixture"},
}

// spec11FailVerdicts are the codes of every FAIL fixture: each is rejected
// for the reason its name gives (the first code listed), sometimes with
// more findings.
var spec11FailVerdicts = map[string]verdict{
	"async-both-operationId-and-channelPath.arazzo.yaml": {[]string{"step-target"}, "one target"},
	"async-channelPath-without-action.arazzo.yaml": {[]string{"invalid-channel-path", "invalid-step-action"},
		"action is required (E10); the channelPath orders is not a channelPath either"},
	"async-depends-on-duplicate-values.arazzo.yaml":  {[]string{"duplicate-dependency"}, "unique dependsOn"},
	"async-depends-on-empty.arazzo.yaml":             {[]string{"empty-list"}, "dependsOn: [] (E15)"},
	"async-depends-on-invalid-reference.arazzo.yaml": {[]string{"invalid-dependency"}, "$steps.x is not a dependsOn form"},
	"channel-path-is-invalid-for-openapi.arazzo.yaml": {[]string{"invalid-channel-path", "invalid-step-action"},
		"§17: the schema rejects it only for the missing action; Telaio also says that channelPath needs an asyncapi source and the {...url}#/channels/ form"},
	"invalid-arazzo-version.yaml": {[]string{"invalid-type", "step-target"},
		"arazzo: 2 is not a string (so not a version); its only step has no target"},
	"invalid-async-correlation-id-non-receive-action.arazzo.yaml": {[]string{"invalid-correlation-id"}, "correlationId only on receive (E11)"},
	"invalid-async-parameter-without-in.arazzo.yaml":              {[]string{"missing-parameter-in"}, "AsyncAPI step parameters need in"},
	"invalid-async.arazzo.yaml":                                   {[]string{"invalid-step-action"}, "action is send or receive"},
	"invalid-expression-type-object.arazzo.yaml": {[]string{"invalid-selector", "unknown-field"},
		"xpath with version rfc9535; §10.4: the stale field expression instead of context (E24)"},
	"invalid-openapi-parameter-without-in.arazzo.yaml": {[]string{"missing-parameter-in"}, "operation step parameters need in"},
	"invalid-openapi-success-criteria.arazzo.yaml":     {[]string{"empty-list"}, "successCriteria: []"},
	"invalid-querystring-without-value.arazzo.yaml":    {[]string{"missing-field"}, "value is required"},
	"invalid-selector-object.arazzo.yaml": {[]string{"missing-field", "unknown-field"},
		"type is required; §10.4: the stale field expression instead of context (E24)"},
	"invalid-self-fragment.arazzo.yaml":      {[]string{"invalid-self"}, "$self has no fragment"},
	"invalid-targetSelectorType.arazzo.yaml": {[]string{"invalid-target"}, "jmespath is no selector type"},
	"invalid-workflow-step-with-operationId.arazzo.yaml": {[]string{"invalid-step-action", "no-response-in-scope", "step-target"},
		"operationId and workflowId; the only source is asyncapi, so the child step is an AsyncAPI step without action, where $statusCode is null"},
	"invalid-workflow-success-criteria.arazzo.yaml": {[]string{"empty-list", "invalid-step-action", "no-response-in-scope"},
		"successCriteria: []; the child step is an AsyncAPI step without action, as above"},
	"not-an-object.yaml": {[]string{"invalid-type"}, "the root is an array"},
	"openapi-both-operationId-and-operationPath.arazzo.yaml": {[]string{"step-target"}, "one target"},
	"openapi-duplicate-parameters.arazzo.yaml":               {[]string{"duplicate-parameter"}, "no duplicate parameters"},
	"openapi-missing-operation-target.arazzo.yaml":           {[]string{"step-target"}, "a step needs a target"},
	"workflow-duplicate-parameters.arazzo.yaml":              {[]string{"duplicate-parameter"}, "no duplicate parameters"},
	"workflow-missing-workflowId.arazzo.yaml":                {[]string{"step-target"}, "a step needs a target"},
	"workflow-step-with-action.arazzo.yaml":                  {[]string{"invalid-step-action"}, "action only on AsyncAPI steps"},
	"workflow-step-with-channelPath.arazzo.yaml":             {[]string{"step-target"}, "one target"},
}

// TestSpec11Fixtures: every PASS fixture validates, except those the
// checklist says are wrong (each pinned with the reason); every FAIL
// fixture is rejected with the codes pinned for it.
func TestSpec11Fixtures(t *testing.T) {
	for _, dir := range []string{"pass", "fail"} {
		files, err := filepath.Glob(filepath.Join("testdata/spec11", dir, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s fixtures: %v", dir, err)
		}
		verdicts := spec11PassVerdicts
		if dir == "fail" {
			verdicts = spec11FailVerdicts
		}
		seen := map[string]bool{}
		for _, file := range files {
			name := filepath.Base(file)
			seen[name] = true
			t.Run(dir+"/"+name, func(t *testing.T) {
				codes, ds := spec11Codes(t, file)
				want, pinned := verdicts[name]
				if dir == "fail" && !pinned {
					t.Fatal("a FAIL fixture needs a verdict in spec11FailVerdicts")
				}
				if !slices.Equal(codes, want.codes) {
					t.Errorf("codes %q, want %q (%s)\n%v", codes, want.codes, want.why, ds)
				}
				if dir == "fail" && !ds.HasErrors() {
					t.Errorf("a FAIL fixture must be rejected (%s)", want.why)
				}
			})
		}
		for name := range verdicts {
			if !seen[name] {
				t.Errorf("verdict for %s/%s, which is not a fixture", dir, name)
			}
		}
	}
}
