package mock_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/mock"
)

// TestRealWorldUnderMock runs every workflow of the reproductions in
// testdata/realworld (copied from the shared real-world set, section mock/)
// as `telaio run --mock` does: one mock per OpenAPI source, placeholder
// credentials from PlaceholderCredential for every scheme, the executor's
// contract checks at their default severities. Every workflow must succeed
// with no contract violation:
//   - const-in-oneof: const inside oneOf and allOf branches is honoured;
//   - error-media-type: the mock's 400 comes in the declared
//     application/problem+json and passes the contract checks;
//   - oauth2-placeholder: the placeholder client credentials get a token
//     from the mock's token endpoint.
func TestRealWorldUnderMock(t *testing.T) {
	files, _ := filepath.Glob("testdata/realworld/*.arazzo.yaml")
	if len(files) < 3 {
		t.Fatalf("reproductions missing: %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ctx := context.Background()
			doc, diags := arazzo.LoadFS(ctx, os.DirFS(filepath.Dir(f)), filepath.Base(f))
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			var opts []executor.Option
			names := make([]string, 0, len(doc.Sources))
			for name := range doc.Sources {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				src := doc.Sources[name]
				if src.OpenAPI == nil {
					continue
				}
				srv, err := mock.New(src.OpenAPI)
				if err != nil {
					t.Fatal(err)
				}
				ts := httptest.NewServer(srv)
				defer ts.Close()
				opts = append(opts, executor.WithServer(name, ts.URL))
				for scheme, sc := range src.OpenAPI.SecuritySchemes {
					opts = append(opts, executor.WithAuth(scheme, mock.PlaceholderCredential(sc)))
				}
			}
			eng, err := executor.New(doc, opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, wf := range doc.Workflows {
				res, err := eng.Run(ctx, wf.WorkflowID, nil)
				if err != nil {
					t.Fatalf("%s: %v", wf.WorkflowID, err)
				}
				var problems []string
				for _, st := range res.Steps {
					if st.Error != "" {
						problems = append(problems, st.StepID+": "+st.Error)
					}
					for _, v := range st.Violations {
						// error-media-type omits a required property on
						// purpose: a request-body warning.
						if v.Severity == executor.SeverityError {
							problems = append(problems, st.StepID+": "+v.String())
						}
					}
					if wf.WorkflowID == "negative" {
						ex := st.Exchanges[len(st.Exchanges)-1].Response
						if ct := ex.Headers.Get("Content-Type"); ex.StatusCode != 400 || ct != "application/problem+json" {
							problems = append(problems, "the mock's 400 is "+ct)
						}
						var body map[string]any
						if raw, ok := ex.Body.(json.RawMessage); ok {
							_ = json.Unmarshal(raw, &body)
						}
						if body["title"] != "Bad Request" {
							problems = append(problems, "the problem details have no title")
						}
					}
				}
				if !res.Success || len(problems) > 0 {
					t.Errorf("workflow %s: success %v, %s\n%s", wf.WorkflowID, res.Success, res.Error, strings.Join(problems, "\n"))
				}
			}
		})
	}
}
