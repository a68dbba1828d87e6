package arazzo_test

import (
	"context"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/specs"
)

// BenchmarkTypeCheckStytch measures the type check of a bundled seed once
// its OpenAPI description is loaded.
func BenchmarkTypeCheckStytch(b *testing.B) {
	for _, name := range specs.Workflows() {
		doc, ds := arazzo.LoadFS(context.Background(), specs.FS, name)
		if ds.HasErrors() {
			b.Fatal(ds)
		}
		b.Run(name[len("stytch/arazzo/"):], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ds := arazzo.TypeCheck(doc); len(ds) != 0 {
					b.Fatal(ds)
				}
			}
		})
	}
}

// BenchmarkValidateStytch is the validator on the same document, for
// comparison.
func BenchmarkValidateStytch(b *testing.B) {
	doc, ds := arazzo.LoadFS(context.Background(), specs.FS, specs.StytchSMSOTP)
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	b.ReportAllocs()
	for b.Loop() {
		arazzo.Validate(doc)
	}
}
