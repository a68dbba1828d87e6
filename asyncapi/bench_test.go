package asyncapi_test

import (
	"os"
	"testing"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/internal/yamlx"
)

// BenchmarkLoad loads the Arazzo 1.1 example (pet-asyncapi.yaml). The
// Decode case is the reference measured in the same run: decoding the YAML
// alone, which every loader pays.
func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"testdata/pet-asyncapi.yaml", "testdata/v3-full.yaml"} {
		src, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := asyncapi.Load(src, name); err != nil { // compiles the official schema once
			b.Fatal(err)
		}
		b.Run(name[len("testdata/"):]+"/Decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := yamlx.Decode(src); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name[len("testdata/"):]+"/Load", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := asyncapi.Load(src, name); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name[len("testdata/"):]+"/LoadWithoutSchemaValidation", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := asyncapi.Load(src, name, asyncapi.WithSchemaValidation(false)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
