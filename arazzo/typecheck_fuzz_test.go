package arazzo_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
)

// FuzzTypeCheck checks arbitrary Arazzo documents against arbitrary OpenAPI
// descriptions (both named as the test documents name them): TypeCheck
// must never panic, and every diagnostic has a type- code.
func FuzzTypeCheck(f *testing.F) {
	docs, _ := filepath.Glob("testdata/typecheck/*.arazzo.yaml")
	apis, _ := filepath.Glob("testdata/typecheck/*.openapi.yaml")
	for _, d := range docs {
		src, err := os.ReadFile(d)
		if err != nil {
			f.Fatal(err)
		}
		for _, a := range apis {
			api, err := os.ReadFile(a)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src, api)
		}
	}
	f.Fuzz(func(t *testing.T, doc, api []byte) {
		fsys := fstest.MapFS{
			"flow.arazzo.yaml":        {Data: doc},
			"petstore.openapi.yaml":   {Data: api},
			"petstore31.openapi.yaml": {Data: api},
		}
		d, _ := arazzo.LoadFS(context.Background(), fsys, "flow.arazzo.yaml", arazzo.WithMaxSourceBytes(1<<20))
		for _, diag := range arazzo.TypeCheck(d) {
			if _, ok := arazzo.TypeCheckCodes()[diag.Code]; !ok {
				t.Errorf("unknown code %q", diag.Code)
			}
		}
	})
}
