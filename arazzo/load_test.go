package arazzo_test

import (
	"context"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/specs"
)

func TestLoadStytchFS(t *testing.T) {
	for _, name := range specs.Workflows {
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
