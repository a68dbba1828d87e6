package arazzo_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
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

// TestCacheReadsSourceOnDemand: a warm load hashes a local description
// without keeping its bytes; Source reads them when asked (a mock needs the
// whole text), and refuses them if the file changed after the load.
func TestCacheReadsSourceOnDemand(t *testing.T) {
	for _, mode := range []string{"Load", "LoadFS"} {
		t.Run(mode, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range []string{"arazzo/stytch-b2b-sms-otp-mfa-workflow.yml", "openapi/stytch-b2b-openapi.yml"} {
				data, err := os.ReadFile(filepath.Join("../specs/stytch", f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, f), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cache := t.TempDir()
			load := func() *arazzo.Document {
				t.Helper()
				var doc *arazzo.Document
				var ds diag.Diagnostics
				if mode == "Load" {
					doc, ds = arazzo.Load(context.Background(), filepath.Join(root, "arazzo/stytch-b2b-sms-otp-mfa-workflow.yml"), arazzo.WithRoot(root), arazzo.WithCache(cache))
				} else {
					doc, ds = arazzo.LoadFS(context.Background(), os.DirFS(root), "arazzo/stytch-b2b-sms-otp-mfa-workflow.yml", arazzo.WithCache(cache))
				}
				if len(ds) > 0 || doc == nil {
					t.Fatal(ds)
				}
				return doc
			}
			load() // fills the cache
			want, err := os.ReadFile(filepath.Join(root, "openapi/stytch-b2b-openapi.yml"))
			if err != nil {
				t.Fatal(err)
			}
			o := load().Sources["stytchB2bApi"].OpenAPI
			if !o.Partial() || o.Src != nil {
				t.Fatalf("warm load: partial %v, %d bytes kept", o.Partial(), len(o.Src))
			}
			got, err := o.Source()
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Source: %d bytes, %v", len(got), err)
			}
			if _, err := o.LibOpenAPI(); err != nil {
				t.Fatal(err)
			}

			changed := load().Sources["stytchB2bApi"].OpenAPI
			if err := os.WriteFile(filepath.Join(root, "openapi/stytch-b2b-openapi.yml"), append(want, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := changed.Source(); err == nil || !strings.Contains(err.Error(), "changed after it was loaded") {
				t.Errorf("Source of a changed file: %v", err)
			}
			if _, err := changed.LibOpenAPI(); err == nil {
				t.Error("LibOpenAPI built a changed file")
			}
		})
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
