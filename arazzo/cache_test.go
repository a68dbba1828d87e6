package arazzo_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/telaio/telaio/arazzo"
)

func partialSources(doc *arazzo.Document) (partial, whole int) {
	for _, src := range doc.Sources {
		if src.OpenAPI != nil {
			if src.OpenAPI.Partial() {
				partial++
			} else {
				whole++
			}
		}
	}
	return
}

func diagStrings(doc *arazzo.Document, ds []string) []string {
	out := slices.Clone(ds)
	if doc != nil {
		for _, d := range arazzo.Validate(doc) {
			out = append(out, d.Error())
		}
	}
	slices.Sort(out)
	return out
}

// TestCacheSameDiagnostics: loading through the plan cache, cold and warm,
// gives the diagnostics of a load without it, and the warm load reads
// subsets.
func TestCacheSameDiagnostics(t *testing.T) {
	files := []string{
		"../specs/stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml",
		"../specs/stytch/arazzo/stytch-b2b-totp-enrollment-workflow.yml",
		"testdata/typecheck/stytch/pointer-typo.yml",
		"testdata/examples/pet-coupons.arazzo.yaml",
		"testdata/examples/oauth.arazzo.yaml",
		"testdata/examples/FAPI-PAR.arazzo.yaml",
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			dir := t.TempDir()
			load := func(opts ...arazzo.LoadOption) (*arazzo.Document, []string) {
				doc, ds := arazzo.Load(context.Background(), file, append([]arazzo.LoadOption{arazzo.WithRoot("..")}, opts...)...)
				var out []string
				for _, d := range ds {
					out = append(out, d.Error())
				}
				return doc, diagStrings(doc, out)
			}
			_, want := load()
			cold, got := load(arazzo.WithCache(dir))
			if !slices.Equal(got, want) {
				t.Errorf("cold cache:\n got %q\nwant %q", got, want)
			}
			if p, _ := partialSources(cold); p != 0 {
				t.Errorf("cold load read %d subsets", p)
			}
			warm, got := load(arazzo.WithCache(dir))
			if !slices.Equal(got, want) {
				t.Errorf("warm cache:\n got %q\nwant %q", got, want)
			}
			// FAPI-PAR names an operation its description lacks: no
			// subset is kept, so did-you-mean still sees every operation.
			if p, w := partialSources(warm); (p == 0) != (filepath.Base(file) == "FAPI-PAR.arazzo.yaml") {
				t.Errorf("warm load: %d subsets, %d whole descriptions", p, w)
			}
		})
	}
}

// TestCacheCorruptEntry: an entry that does not decode is ignored and
// rewritten.
func TestCacheCorruptEntry(t *testing.T) {
	dir := t.TempDir()
	file := "../specs/stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml"
	if _, ds := arazzo.Load(context.Background(), file, arazzo.WithRoot(".."), arazzo.WithCache(dir)); len(ds) > 0 {
		t.Fatal(ds)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache holds %v", entries)
	}
	if err := os.WriteFile(entries[0], []byte(`{"format": 1, "doc": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, ds := arazzo.Load(context.Background(), file, arazzo.WithRoot(".."), arazzo.WithCache(dir))
	if len(ds) > 0 || doc == nil {
		t.Fatal(ds)
	}
	if p, _ := partialSources(doc); p != 0 {
		t.Error("a corrupt entry was used")
	}
	if ds := arazzo.Validate(doc); len(ds) > 0 {
		t.Error(ds)
	}
	doc, _ = arazzo.Load(context.Background(), file, arazzo.WithRoot(".."), arazzo.WithCache(dir))
	if p, _ := partialSources(doc); p != 1 {
		t.Error("the corrupt entry was not rewritten")
	}
}

// BenchmarkLoadStytchSeed: Load of the SMS seed with its 1.4 MB OpenAPI
// description, whole and through a warm plan cache.
func BenchmarkLoadStytchSeed(b *testing.B) {
	file := "../specs/stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml"
	dir := b.TempDir()
	for _, bc := range []struct {
		name string
		opts []arazzo.LoadOption
	}{
		{"whole", nil},
		{"cached", []arazzo.LoadOption{arazzo.WithCache(dir)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := append([]arazzo.LoadOption{arazzo.WithRoot("..")}, bc.opts...)
			arazzo.Load(context.Background(), file, opts...) // warms the cache
			b.ReportAllocs()
			for b.Loop() {
				if _, ds := arazzo.Load(context.Background(), file, opts...); len(ds) > 0 {
					b.Fatal(ds)
				}
			}
		})
	}
}
