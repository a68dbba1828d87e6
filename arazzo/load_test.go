package arazzo_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/specs"
)

func TestLoadStytchFS(t *testing.T) {
	for _, name := range specs.Workflows() {
		doc, diags := arazzo.LoadFS(context.Background(), specs.FS, name)
		if len(diags) > 0 {
			t.Fatalf("%s: %v", name, diags)
		}
		src := doc.Sources["stytchB2bApi"]
		if src == nil || src.OpenAPI == nil {
			t.Fatalf("%s: source not loaded: %+v", name, src)
		}
		if src.Location != specs.StytchOpenAPI {
			t.Errorf("location = %q", src.Location)
		}
	}
}

// TestLoadSniffsJSON: a source without type is sniffed, and a JSON
// description is decoded as JSON (YAML parsers reject escapes such as \/).
func TestLoadSniffsJSON(t *testing.T) {
	fsys := fstest.MapFS{
		"flow.yaml": {Data: []byte("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: api, url: ./api.json}\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: get}\n")},
		"api.json":  {Data: []byte(`{"openapi": "3.1.0", "info": {"title": "a\/b", "version": "1"}, "paths": {"/x": {"get": {"operationId": "get", "responses": {"200": {"description": "ok"}}}}}}`)},
	}
	doc, diags := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if src := doc.Sources["api"]; src == nil || src.Type != arazzo.SourceOpenAPI || src.OpenAPI == nil {
		t.Fatalf("source: %+v", src)
	}
}
