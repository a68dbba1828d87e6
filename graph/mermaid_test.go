package graph_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/graph"
	"github.com/telaio/telaio/specs"
)

func TestStytch(t *testing.T) {
	tests := []struct {
		path, workflow string
		labels         []string
		edges          []string
	}{
		{
			path: specs.StytchSMSOTP, workflow: "sms-otp-mfa",
			labels: []string{"sendSmsOtp\nPOST /v1/b2b/otps/sms/send", "authenticateSmsOtp\nPOST /v1/b2b/otps/sms/authenticate"},
			edges:  []string{"Start --> sendSmsOtp", "sendSmsOtp --> authenticateSmsOtp", "authenticateSmsOtp --> End"},
		},
		{
			path: specs.StytchTOTP, workflow: "totp-enrollment",
			labels: []string{"createTotp\nPOST /v1/b2b/totp", "authenticateTotp\nPOST /v1/b2b/totp/authenticate"},
			edges:  []string{"Start --> createTotp", "createTotp --> authenticateTotp", "authenticateTotp --> End"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.workflow, func(t *testing.T) {
			doc, diags := arazzo.LoadFS(context.Background(), specs.FS, tt.path)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			text, err := graph.Mermaid(doc, tt.workflow)
			if err != nil {
				t.Fatal(err)
			}
			c := parseChart(t, text)
			if strings.Join(c.edges, "\n") != strings.Join(tt.edges, "\n") {
				t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(c.edges, "\n"), strings.Join(tt.edges, "\n"))
			}
			for _, l := range tt.labels {
				found := false
				for _, have := range c.labels {
					found = found || have == l
				}
				if !found {
					t.Errorf("no node %q in\n%s", l, text)
				}
			}
			// The parsed-only document draws the operationIds.
			src, _ := specs.FS.ReadFile(tt.path)
			parsed, _ := arazzo.Parse(src, tt.path)
			text, err = graph.Mermaid(parsed, tt.workflow)
			if err != nil || !strings.Contains(text, "<br/>api_b2b_") {
				t.Errorf("parsed document: %v\n%s", err, text)
			}
		})
	}
}

func loadExample(t *testing.T, name string) *arazzo.Document {
	t.Helper()
	dir := filepath.Join("..", "arazzo", "testdata", "examples")
	// Sources that cannot load (remote URLs) are fine for drawing.
	doc, _ := arazzo.Load(context.Background(), filepath.Join(dir, name), arazzo.WithRoot(dir))
	if doc == nil {
		t.Fatalf("%s did not parse", name)
	}
	return doc
}

func TestExamples(t *testing.T) {
	tests := []struct {
		file, workflow string // workflow "" draws MermaidAll
		edges          []string
		absent         []string
		labels         []string
	}{
		{
			file: "bnpl-arazzo.yaml", workflow: "ApplyForLoanAtCheckout",
			edges: []string{
				"Start --> checkLoanCanBeProvided",
				"checkLoanCanBeProvided -->|end (existingCustomerNotEligible)| End",
				"checkLoanCanBeProvided -->|goto (qualifyingProductsFound)| getCustomerTermsAndConditions",
				"checkLoanCanBeProvided -->|end (qualifyingProductsNotFound)| End",
				// No action matches: the next step (D9).
				"checkLoanCanBeProvided --> getCustomerTermsAndConditions",
				"getCustomerTermsAndConditions -->|goto (eligibilityCheckNotRequired)| initiateBnplTransaction",
				"createCustomer -->|goto (customerIsEligible)| initiateBnplTransaction",
				"createCustomer -->|end (customerIsNotEligible)| End",
				"initiateBnplTransaction -->|goto (CustomerAuthorizationNotRequired)| retrieveFinalizedPaymentPlan",
				"updateOrderStatus --> End",
			},
			labels: []string{"checkLoanCanBeProvided\nfindEligibleProducts"},
		},
		{
			file: "pet-coupons.arazzo.yaml",
			edges: []string{
				"Start --> find-pet", "find-pet --> find-coupons", "find-coupons --> place-order",
				"place-order ==>|calls| place-order", "place-order --> End",
			},
			labels: []string{"apply-coupon", "buy-available-pet", "place-order", "place-order\nworkflow place-order", "place-order\nPOST /store/order", "find-coupons\nGET /pet/{petId}/coupons"},
		},
		{
			file: "oauth.arazzo.yaml", workflow: "refresh-token-flow",
			edges:  []string{"Start --> do-the-auth-flow", "do-the-auth-flow --> do-the-refresh", "do-the-refresh --> End"},
			absent: []string{"do-the-auth-flow ==>|calls| authorization-code-flow"},
			labels: []string{"do-the-auth-flow\nworkflow authorization-code-flow"},
		},
		{
			file:  "oauth.arazzo.yaml",
			edges: []string{"do-the-auth-flow ==>|calls| authorization-code-flow"},
		},
		{
			file: "LoginAndRetrievePets.arazzo.yaml", workflow: "loginUserRetrievePet",
			edges:  []string{"Start --> loginStep", "loginStep --> getPetStep", "getPetStep --> End"},
			labels: []string{"loginStep\npetStoreDescription.loginUser", "getPetStep\n/pet/findByStatus"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.workflow, func(t *testing.T) {
			doc := loadExample(t, tt.file)
			var text string
			var err error
			if tt.workflow == "" {
				text, err = graph.MermaidAll(doc)
			} else {
				text, err = graph.Mermaid(doc, tt.workflow)
			}
			if err != nil {
				t.Fatal(err)
			}
			c := parseChart(t, text)
			for _, e := range tt.edges {
				if !c.has(e) {
					t.Errorf("missing edge %q", e)
				}
			}
			for _, e := range tt.absent {
				if c.has(e) {
					t.Errorf("unexpected edge %q", e)
				}
			}
			for _, l := range tt.labels {
				found := false
				for _, have := range c.labels {
					found = found || have == l
				}
				if !found {
					t.Errorf("no node %q", l)
				}
			}
			if t.Failed() {
				t.Logf("\n%s", text)
			}
		})
	}
}

// TestAllExamples draws every workflow of every example.
func TestAllExamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "arazzo", "testdata", "examples", "*arazzo.yaml"))
	if len(files) < 5 {
		t.Fatalf("%d examples", len(files))
	}
	for _, f := range files {
		doc := loadExample(t, filepath.Base(f))
		for _, w := range doc.Workflows {
			text, err := graph.Mermaid(doc, w.WorkflowID)
			if err != nil {
				t.Fatal(err)
			}
			c := parseChart(t, text)
			if len(w.Steps) > 0 && !c.has("Start --> "+w.Steps[0].StepID) {
				t.Errorf("%s %s: no start edge\n%s", f, w.WorkflowID, text)
			}
		}
		text, err := graph.MermaidAll(doc)
		if err != nil {
			t.Fatal(err)
		}
		parseChart(t, text)
	}
}

const actionsDoc = `arazzo: 1.0.1
info: {title: actions, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
  - {name: other, url: ./other.arazzo.yaml, type: arazzo}
workflows:
  - workflowId: main
    dependsOn: [setup, $sourceDescriptions.other.prepare]
    successActions:
      - {name: finish, type: end, criteria: [{condition: $statusCode == 204}]}
    failureActions:
      - {name: again, type: retry, retryAfter: 1, retryLimit: 2}
      - {name: bail, type: end}
    steps:
      - stepId: first
        operationId: getThing
        onFailure:
          - {name: again, type: retry, retryLimit: 5}
          - {name: recover, type: goto, stepId: fallback}
      - stepId: second
        operationPath: '{$sourceDescriptions.api.url}#/paths/~1things~1{id}/delete'
        onSuccess:
          - {name: jump, type: goto, workflowId: cleanup}
      - stepId: third
        workflowId: cleanup
        onSuccess:
          - reference: $components.successActions.done
          - reference: $components.successActions.missing
        onFailure:
          - {name: retryCleanup, type: retry, workflowId: cleanup, retryLimit: 3}
          - {name: lost, type: goto, stepId: nowhere}
          - {name: away, type: goto, workflowId: $sourceDescriptions.other.elsewhere}
      - stepId: fallback
        operationId: "odd\"<op>|#&"
  - workflowId: setup
    steps:
      - {stepId: only, operationId: ping}
  - workflowId: cleanup
    steps:
      - {stepId: clean, operationId: clean}
components:
  successActions:
    done: {name: done, type: end}
`

func TestActions(t *testing.T) {
	doc, _ := arazzo.Parse([]byte(actionsDoc), "actions.arazzo.yaml")
	if doc == nil {
		t.Fatal("no document")
	}
	text, err := graph.Mermaid(doc, "main")
	if err != nil {
		t.Fatal(err)
	}
	c := parseChart(t, text)
	want := []string{
		"setup -->|dependsOn| Start",
		"other.prepare -->|dependsOn| Start",
		"Start --> first",
		// Step actions first: the step's "again" overrides the workflow's.
		"first --> second",
		"first -.->|retry ×5| first",
		"first -.->|goto (recover)| fallback",
		"first -.->|end (bail)| End",
		"first -->|end (finish)| End",
		"second -->|goto (jump)| cleanup",
		"second -.->|retry ×2| second",
		// third: an unconditional end replaces the default flow.
		"third -->|end (done)| End",
		"third -.->|retry ×3| cleanup",
		"third -.->|goto (lost)| nowhere (unknown step)",
		"third -.->|goto (away)| other.elsewhere",
		"third -.->|retry ×2| third",
		"fallback --> End",
	}
	for _, e := range want {
		if !c.has(e) {
			t.Errorf("missing edge %q", e)
		}
	}
	for _, e := range []string{"first -.->|retry ×2| first", "second --> third", "third --> fallback"} {
		if c.has(e) {
			t.Errorf("unexpected edge %q", e)
		}
	}
	for _, l := range []string{"second\nDELETE /things/{id}", "third\nworkflow cleanup", `fallback` + "\n" + `odd"<op>|#&`} {
		found := false
		for _, have := range c.labels {
			found = found || have == l
		}
		if !found {
			t.Errorf("no node %q", l)
		}
	}
	if !strings.Contains(text, "%% unresolved action reference $components.successActions.missing") {
		t.Errorf("no comment for the unresolved reference:\n%s", text)
	}
	if t.Failed() {
		t.Logf("\n%s", text)
	}

	all, err := graph.MermaidAll(doc)
	if err != nil {
		t.Fatal(err)
	}
	c = parseChart(t, all)
	for _, e := range []string{"setup -->|dependsOn| Start", "second -->|goto (jump)| cleanup", "third ==>|calls| cleanup", "third -.->|retry ×3| cleanup", "only --> End", "clean --> End"} {
		if !c.has(e) {
			t.Errorf("MermaidAll: missing edge %q\n%s", e, all)
		}
	}
	// In MermaidAll, local workflows are subgraphs, not extra nodes.
	if strings.Contains(all, `[["cleanup"]]`) || strings.Contains(all, `[["setup"]]`) {
		t.Errorf("MermaidAll drew a local workflow as a node:\n%s", all)
	}
}

func TestErrors(t *testing.T) {
	doc, _ := arazzo.Parse([]byte(actionsDoc), "a.yaml")
	if _, err := graph.Mermaid(doc, "nope"); !errors.Is(err, arazzo.ErrUnknownWorkflow) || !strings.Contains(err.Error(), "cleanup, main, setup") {
		t.Errorf("err = %v", err)
	}
	if _, err := graph.Mermaid(nil, "x"); !errors.Is(err, graph.ErrNoDocument) {
		t.Errorf("err = %v", err)
	}
	if _, err := graph.MermaidAll(nil); !errors.Is(err, graph.ErrNoDocument) {
		t.Errorf("err = %v", err)
	}
	empty := &arazzo.Document{Workflows: []*arazzo.Workflow{nil, {WorkflowID: "w", Steps: []*arazzo.Step{nil}}}}
	text, err := graph.Mermaid(empty, "w")
	if err != nil {
		t.Fatal(err)
	}
	if c := parseChart(t, text); !c.has("Start --> End") {
		t.Errorf("empty workflow:\n%s", text)
	}
	if text, err := graph.MermaidAll(empty); err != nil {
		t.Fatal(err)
	} else {
		parseChart(t, text)
	}
}
