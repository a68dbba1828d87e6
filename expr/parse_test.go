package expr

import (
	"errors"
	"strings"
	"testing"
)

// parseCase is one row of runtime-expression-cases.md table A (plus extra
// rows). want is our verdict; where it differs from the 1.0.1 ABNF column the
// note says which decision (D26, D38, the v2.0.3 structured sub-rules) makes
// the difference.
type parseCase struct {
	in    string
	ok    bool
	kind  Kind
	id    string
	field string
	name  string
	ptr   string // Pointer.String() when hasPtr
	has   bool   // HasPointer
	note  string
}

var tableA = []parseCase{
	{in: "$url", ok: true, kind: KindURL},
	{in: "$method", ok: true, kind: KindMethod},
	{in: "$statusCode", ok: true, kind: KindStatusCode},
	{in: "$request.header.accept", ok: true, kind: KindRequestHeader, name: "accept"},
	{in: "$request.header.content-Type", ok: true, kind: KindRequestHeader, name: "content-Type", note: "kept as written; the resolver compares header names case-insensitively"},
	{in: "$request.header.X-Custom-Header", ok: true, kind: KindRequestHeader, name: "X-Custom-Header"},
	{in: "$request.query.queryUrl", ok: true, kind: KindRequestQuery, name: "queryUrl"},
	{in: "$request.path.id", ok: true, kind: KindRequestPath, name: "id"},
	{in: "$request.body", ok: true, kind: KindRequestBody},
	{in: "$request.body#/user/uuid", ok: true, kind: KindRequestBody, ptr: "/user/uuid", has: true},
	{in: "$request.body#/successUrls/2", ok: true, kind: KindRequestBody, ptr: "/successUrls/2", has: true},
	{in: "$response.body", ok: true, kind: KindResponseBody},
	{in: "$response.body#/status", ok: true, kind: KindResponseBody, ptr: "/status", has: true},
	{in: "$response.header.Server", ok: true, kind: KindResponseHeader, name: "Server"},
	{in: "$response.header.X-Rate-Limit", ok: true, kind: KindResponseHeader, name: "X-Rate-Limit"},
	{in: "$response.header.X-Expires-After", ok: true, kind: KindResponseHeader, name: "X-Expires-After"},
	{in: "$response.body#", ok: true, kind: KindResponseBody, ptr: "", has: true},
	{in: "$response.body#/", ok: true, kind: KindResponseBody, ptr: "/", has: true},
	{in: "$response.body#/a~1b", ok: true, kind: KindResponseBody, ptr: "/a~1b", has: true},
	{in: "$response.body#/a~0b", ok: true, kind: KindResponseBody, ptr: "/a~0b", has: true},
	{in: "$response.body#/0/id", ok: true, kind: KindResponseBody, ptr: "/0/id", has: true},
	{in: "$response.body#/a~2b", ok: false},
	{in: "$response.body#/a~", ok: false},
	{in: "$response.body#a", ok: false},
	{in: "$response.body#/foo}", ok: true, kind: KindResponseBody, ptr: "/foo}", has: true, note: "1.0.x body pointers may contain braces (RFC 6901)"},
	{in: "$response.body#/{foo}", ok: true, kind: KindResponseBody, ptr: "/{foo}", has: true},
	{in: "$request.body#/a b", ok: true, kind: KindRequestBody, ptr: "/a b", has: true},
	{in: "$inputs.username", ok: true, kind: KindInputs, name: "username"},
	{in: "$inputs.x-api-key", ok: true, kind: KindInputs, name: "x-api-key"},
	{in: "$inputs.customer#/firstName", ok: true, kind: KindInputs, name: "customer", ptr: "/firstName", has: true, note: "split at the first #"},
	{in: "$inputs.customer.firstName", ok: true, kind: KindInputs, name: "customer.firstName", note: "a dot is a name char; LookupName navigates (D3)"},
	{in: "$inputs.", ok: false, note: "D26: empty names rejected (ABNF accepts)"},
	{in: "$inputs", ok: false},
	{in: "$inputs.foo}", ok: false, note: "CHAR excludes braces (ABNF accepts)"},
	{in: "$inputs.{foo}", ok: false, note: "CHAR excludes braces (ABNF accepts)"},
	{in: "$inputs.foo bar", ok: true, kind: KindInputs, name: "foo bar"},
	{in: "$inputs.café", ok: true, kind: KindInputs, name: "café", note: "CHAR is a JSON string char, non-ASCII allowed (ABNF rejects)"},
	{in: "$outputs.bar", ok: true, kind: KindOutputs, name: "bar"},
	{in: "$outputs.mappedResponse#/name", ok: true, kind: KindOutputs, name: "mappedResponse", ptr: "/name", has: true},
	{in: "$steps.someStepId.outputs.pets", ok: true, kind: KindSteps, id: "someStepId", field: "outputs", name: "pets"},
	{in: "$steps.someStepId.outputs.pets#/0/id", ok: true, kind: KindSteps, id: "someStepId", field: "outputs", name: "pets", ptr: "/0/id", has: true},
	{in: "$steps.loginStep.outputs.sessionToken", ok: true, kind: KindSteps, id: "loginStep", field: "outputs", name: "sessionToken"},
	{in: "$steps.browser-authorize.outputs.code", ok: true, kind: KindSteps, id: "browser-authorize", field: "outputs", name: "code"},
	{in: "$steps.getPetStep.availablePets", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$steps.someStep.pets", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$steps.foo", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$steps.my.step.outputs.x", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$steps.foo.outputs.", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$steps.foo.outputs.a.b", ok: true, kind: KindSteps, id: "foo", field: "outputs", name: "a.b"},
	{in: "$workflows.foo.inputs.username", ok: true, kind: KindWorkflows, id: "foo", field: "inputs", name: "username"},
	{in: "$workflows.foo.outputs.bar", ok: true, kind: KindWorkflows, id: "foo", field: "outputs", name: "bar"},
	{in: "$workflows.foo.outputs.mappedResponse#/name", ok: true, kind: KindWorkflows, id: "foo", field: "outputs", name: "mappedResponse", ptr: "/name", has: true},
	{in: "$workflows.foo.steps.bar", ok: false, note: "v2.0.3 structured rule (ABNF accepts); 1.1.0 syntax"},
	{in: "$workflows.foo", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$sourceDescriptions.petStoreDescription.url", ok: true, kind: KindSourceDescriptions, id: "petStoreDescription", name: "url"},
	{in: "$sourceDescriptions.petStore.getPets", ok: true, kind: KindSourceDescriptions, id: "petStore", name: "getPets"},
	{in: "$sourceDescriptions.petstore", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$sourceDescriptions.my.api.op", ok: true, kind: KindSourceDescriptions, id: "my", name: "api.op"},
	{in: "$sourceDescriptions.pet-coupons.findPetsByTags", ok: true, kind: KindSourceDescriptions, id: "pet-coupons", name: "findPetsByTags"},
	{in: "$components.parameters.foo", ok: true, kind: KindComponents, id: "parameters", name: "foo"},
	{in: "$components.parameters.page", ok: true, kind: KindComponents, id: "parameters", name: "page"},
	{in: "$components.successActions.notify", ok: true, kind: KindComponents, id: "successActions", name: "notify"},
	{in: "$components.failureActions.refreshToken", ok: true, kind: KindComponents, id: "failureActions", name: "refreshToken"},
	{in: "$components.inputs.pagination", ok: false, note: "inputs are reached with JSON Schema $ref (ABNF accepts)"},
	{in: "$components.parameters.", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$components.foo.bar", ok: false, note: "v2.0.3 structured rule (ABNF accepts)"},
	{in: "$components.parameters.my.org.User", ok: true, kind: KindComponents, id: "parameters", name: "my.org.User"},
	{in: "$message.header.x", ok: false},
	{in: "$message.body", ok: false},
	{in: "$message.payload#/id", ok: false},
	{in: "$self", ok: false},
	{in: "$request.header.", ok: false},
	{in: "$request.header.X Y", ok: false},
	{in: "$request.header.content:type", ok: false},
	{in: "$request.query.", ok: false, note: "D26: empty names rejected (all columns accept)"},
	{in: "$request.path.", ok: false, note: "D26: empty names rejected (all columns accept)"},
	{in: "$request.cookie.session", ok: false},
	{in: "$request.body.user", ok: false},
	{in: "$response.body.id", ok: false},
	{in: "$response.headers.Location", ok: false},
	{in: "$response.status", ok: false},
	{in: "$statuscode", ok: false, note: "D38: canonical case only (ABNF accepts)"},
	{in: "$URL", ok: false, note: "D38: canonical case only (ABNF accepts)"},
	{in: "$url.foo", ok: false},
	{in: "$statusCode == 200", ok: false},
	{in: "$response.body#/existingCustomerNotEligible == false", ok: true, kind: KindResponseBody, ptr: "/existingCustomerNotEligible == false", has: true, note: "standalone: one pointer token; conditions cut the operand at whitespace"},
	{in: "{$inputs.username}", ok: false},
	{in: "inputs.username", ok: false},
	{in: " $url", ok: false},
	{in: "$url ", ok: false},
	{in: "", ok: false},
	{in: "$", ok: false},
	{in: "1", ok: false},
	{in: "nonsensical string", ok: false},
	{in: "inside$urlstring", ok: false},

	// Case-insensitivity paragraph of table A: all rejected (D38).
	{in: "$Url", ok: false},
	{in: "$STATUSCODE", ok: false},
	{in: "$INPUTS.x", ok: false},
	{in: "$Steps.a.OUTPUTS.b", ok: false},
	{in: "$steps.a.OUTPUTS.b", ok: false},
	{in: "$Response.Body#/a", ok: false},
	{in: "$response.Body#/a", ok: false},
	{in: "$sourcedescriptions.a.b", ok: false},
	{in: "$SELF", ok: false},
	{in: "$request.HEADER.x", ok: false},
	{in: "$components.PARAMETERS.x", ok: false},

	// Extra rows.
	{in: "$inputs.#/a", ok: false, note: "empty name before the pointer"},
	{in: "$inputs.a#", ok: true, kind: KindInputs, name: "a", ptr: "", has: true},
	{in: "$inputs.a#b", ok: false},
	{in: "$inputs.a#/x}", ok: false, note: "a pointer inside a name follows CHAR"},
	{in: "$inputs.a\tb", ok: false},
	{in: "$inputs.a\"b\\c", ok: true, kind: KindInputs, name: "a\"b\\c"},
	{in: "$inputs.a\xffb", ok: false},
	{in: "$request.query.a#b", ok: true, kind: KindRequestQuery, name: "a#b", note: "only body, inputs, outputs, steps and workflows split at #"},
	{in: "$response.query.a", ok: false},
	{in: "$steps.a b.outputs.x", ok: false},
	{in: "$steps.a.outputs.x y", ok: false},
	{in: "$steps.a.outputs.x#/0/~01", ok: true, kind: KindSteps, id: "a", field: "outputs", name: "x", ptr: "/0/~01", has: true},
	{in: "$steps..outputs.x", ok: false},
	{in: "$workflows.w.inputs.a-b_c.d", ok: true, kind: KindWorkflows, id: "w", field: "inputs", name: "a-b_c.d"},
	{in: "$workflows.w.Inputs.a", ok: false},
	{in: "$sourceDescriptions.a.", ok: false},
	{in: "$sourceDescriptions.a b.c", ok: false},
	{in: "$components.parameters.a#/b", ok: false},
	{in: "$components.parameters", ok: false},
	{in: "$method#", ok: false},
	{in: "$response.body#/é/{}/~1~0", ok: true, kind: KindResponseBody, ptr: "/é/{}/~1~0", has: true},
}

func TestParseTableA(t *testing.T) {
	for _, tc := range tableA {
		t.Run(tc.in, func(t *testing.T) {
			e, err := Parse(tc.in)
			if !tc.ok {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want error (%s)", tc.in, e, tc.note)
				}
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error %T is not *SyntaxError", err)
				}
				if se.Offset < 0 || se.Offset > len(tc.in) {
					t.Errorf("offset %d out of range", se.Offset)
				}
				if se.Expr != tc.in {
					t.Errorf("SyntaxError.Expr = %q", se.Expr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v (%s)", tc.in, err, tc.note)
			}
			got := parseCase{in: tc.in, ok: true, kind: e.Kind, id: e.ID, field: e.Field, name: e.Name, has: e.HasPointer}
			if e.HasPointer {
				got.ptr = e.Pointer.String()
			}
			want := tc
			want.note = ""
			if got != want {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tc.in, got, want)
			}
			if e.Raw != tc.in {
				t.Errorf("Raw = %q", e.Raw)
			}
			if s := e.String(); s != tc.in {
				t.Errorf("String() = %q", s)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string // substring of the message
	}{
		{"", 0, "empty runtime expression"},
		{" $url", 0, "whitespace"},
		{"$url ", 4, `unexpected " " after $url`},
		{"$statusCode == 200", 11, "after $statusCode"},
		{"{$inputs.username}", 0, "braces"},
		{"inputs.username", 0, `starts with "$"`},
		{"$", 1, `expected a name after "$"`},
		{"$URL", 1, "did you mean $url?"},
		{"$StatusCode", 1, "did you mean $statusCode?"},
		{"$sourcedescriptions.a.b", 1, "did you mean $sourceDescriptions?"},
		{"$foo", 1, "unknown runtime expression $foo"},
		{"$step.a.outputs.b", 1, "did you mean $steps?"},
		{"$Input.a", 1, "did you mean $inputs?"},
		{"$Message.body", 1, "removed in Arazzo 1.0.1"},
		{"$message.body", 0, "removed in Arazzo 1.0.1"},
		{"$self", 0, "1.1.0"},
		{"$inputs", 7, "expected .<a name> after $inputs"},
		{"$inputs.", 8, "empty input name"},
		{"$outputs.#/a", 9, "empty output name"},
		{"$inputs.foo}", 11, `'}' is not allowed in the input name`},
		{"$inputs.a\x01", 9, "control character"},
		{"$inputs.a\xff", 9, "invalid UTF-8"},
		{"$inputs.a#b", 10, `must be empty or start with "/"`},
		{"$response.body#/a~2b", 17, `invalid escape "~2"`},
		{"$response.body#/a~", 17, `"~" at the end`},
		{"$response.body.id", 14, "write $response.body#/id"},
		{"$request.body.user.name", 13, "write $request.body#/user/name"},
		{"$response.body?", 14, "only \"#\""},
		{"$request.Header.x", 9, "did you mean $request.header?"},
		{"$response.headers.Location", 10, "did you mean $response.header?"},
		{"$request.cookie.session", 9, "no cookie source"},
		{"$response.status", 10, "unknown source $response.status"},
		{"$response.path.id", 10, "$response has no path source"},
		{"$request.header.", 16, "empty header name"},
		{"$request.header.X Y", 17, "invalid character ' ' in header name"},
		{"$request.header.content:type", 23, "':'"},
		{"$request.query.", 15, "empty query parameter name"},
		{"$request.path.", 14, "empty path parameter name"},
		{"$steps", 6, "expected .<stepId>.outputs.<name> after $steps"},
		{"$steps.foo", 10, "expected $steps.<stepId>.outputs.<name>"},
		{"$steps.getPetStep.availablePets", 18, "expected $steps.<stepId>.outputs.<name>"},
		{"$steps.a.Outputs.b", 9, `did you mean "outputs"`},
		{"$steps.my.step.outputs.x", 10, "expected $steps"},
		{"$steps.foo.outputs.", 19, "empty output name"},
		{"$steps.a b.outputs.x", 8, "invalid character ' ' in step id"},
		{"$steps.a.outputs.x y", 18, "invalid character ' ' in output name"},
		{"$steps.a.outputs.x#/{", 20, "'{' is not allowed in the JSON pointer"},
		{"$workflows.foo", 14, "expected $workflows"},
		{"$workflows.foo.steps.bar", 15, "expected $workflows.<workflowId>.inputs.<name>"},
		{"$workflows.foo.inputs.", 22, "empty input name"},
		{"$sourceDescriptions.petstore", 28, "expected $sourceDescriptions.<name>"},
		{"$sourceDescriptions.a.", 22, "empty source description reference name"},
		{"$components.inputs.pagination", 12, "JSON Schema $ref"},
		{"$components.foo.bar", 12, "expected $components."},
		{"$components.parameters.", 23, "empty component key"},
		{"$components.parameters.a b", 24, "invalid character ' ' in component key"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := Parse(tc.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tc.in, err)
			}
			if se.Offset != tc.offset || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("Parse(%q) = offset %d %q; want offset %d containing %q", tc.in, se.Offset, se.Msg, tc.offset, tc.msg)
			}
			if !strings.HasPrefix(se.Error(), "offset ") {
				t.Errorf("Error() = %q", se.Error())
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k := KindURL; k <= KindComponents; k++ {
		e := &Expr{Kind: k}
		if !strings.HasPrefix(k.String(), "$") || !strings.HasPrefix(e.String(), k.String()) {
			t.Errorf("Kind %d: %q / %q", k, k, e)
		}
	}
	if got := Kind(200).String(); got != "Kind(200)" {
		t.Errorf("Kind(200) = %q", got)
	}
}
