package asyncapi

import "testing"

// BenchmarkCompileOfficialSchema is what the first Load of a version pays
// once per process: compiling the bundled official JSON Schema.
func BenchmarkCompileOfficialSchema(b *testing.B) {
	for _, v := range []string{"2.6.0", "3.0.0", "3.1.0"} {
		b.Run(v, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				saved := officialSchemas[v]
				officialSchemas[v] = &compiledSchema{}
				if _, err := officialSchema(v); err != nil {
					b.Fatal(err)
				}
				officialSchemas[v] = saved
			}
		})
	}
}
