package arazzo_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/internal/jsonptr"
)

// copyTree copies the folder src into dst (created).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// splitCheckout copies testdata/split into a version-control checkout (a
// folder with .git) and returns the path of its Arazzo document.
func splitCheckout(t *testing.T) (root, flow string) {
	t.Helper()
	root = filepath.Join(t.TempDir(), "repo")
	copyTree(t, "testdata/split", root)
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root, filepath.Join(root, "pets.arazzo.yaml")
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// diagLines renders diagnostics as "file:line:col: severity: message
// [code]", with root cut from file names.
func diagLines(ds diag.Diagnostics, root string) []string {
	var out []string
	for _, d := range ds {
		e := d.Error()
		if root != "" {
			e = strings.ReplaceAll(e, root+string(filepath.Separator), "")
		}
		out = append(out, e)
	}
	return out
}

// TestLoadSplitDescription: an OpenAPI description split in files (path
// items, parameters and schemas in folders, $refs relative to the file that
// holds them, a cycle of schemas across two files) loads and validates
// like one document: operationPath reaches a path item that is a $ref, and
// every file is listed once.
func TestLoadSplitDescription(t *testing.T) {
	doc, ds := arazzo.Load(context.Background(), "testdata/split/pets.arazzo.yaml")
	if len(ds) != 0 {
		t.Fatalf("Load: %v", ds)
	}
	want := []string{`testdata/split/pets.arazzo.yaml:41:24: warning: the operation has operationId "listPets", which should be preferred over operationPath [prefer-operation-id]`}
	if got := diagLines(arazzo.Validate(doc), ""); !slices.Equal(got, want) {
		t.Errorf("Validate:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	o := doc.Sources["api"].OpenAPI
	var files []string
	for _, f := range o.Files() {
		// Locations are relative to the root, this checkout's.
		files = append(files, strings.TrimPrefix(f.Location, "arazzo/testdata/split/"))
	}
	wantFiles := []string{"openapi/openapi.yaml", "openapi/paths/pets.yaml", "openapi/parameters/common.yaml",
		"openapi/schemas/pet.yaml", "openapi/schemas/error.json", "openapi/schemas/owner.yaml", "openapi/schemas/limits.yaml"}
	if !slices.Equal(files, wantFiles) {
		t.Errorf("Files = %q", files)
	}
	_, op, err := doc.ResolveOperation(doc.Workflows[0].Steps[2])
	if err != nil || op.ID != "listPets" || op.Param("limit", "query") == nil {
		t.Errorf("operationPath through a $ref path item: %v, %v", op, err)
	}
}

// TestLoadSplitTypeCheck: the type checker sees the schemas of the other
// files (a payload missing a property pet.yaml requires, an output that
// owner.yaml does not declare).
func TestLoadSplitTypeCheck(t *testing.T) {
	root, flow := splitCheckout(t)
	src, _ := os.ReadFile(flow)
	text := strings.Replace(string(src), "            name: $inputs.name\n", "", 1)
	text = strings.Replace(text, "$response.body#/owner/name", "$response.body#/owner/nickname", 1)
	writeFile(t, flow, text)
	doc, ds := arazzo.Load(context.Background(), flow)
	if len(ds) != 0 {
		t.Fatal(ds)
	}
	got := strings.Join(diagLines(arazzo.Validate(doc), root), "\n")
	for _, want := range []string{
		`pets.arazzo.yaml:22:11: error: the payload is missing the required property "name" of the request body of createPet`,
		`pets.arazzo.yaml:38:40: error: $response.body#/owner/nickname: the 200 response body of getPet has no property "nickname" under /owner`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Validate does not mention %s:\n%s", want, got)
		}
	}
}

// TestLoadSplitRefErrors: a $ref that cannot be followed is a diagnostic at
// the $ref, in the file that holds it (a nested one included), with
// file:line:col; a file that is not YAML is reported where its text is
// wrong.
func TestLoadSplitRefErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, root string)
		opts []arazzo.LoadOption
		want string
	}{
		{
			name: "missing file",
			edit: func(t *testing.T, root string) { os.Remove(filepath.Join(root, "openapi/schemas/owner.yaml")) },
			want: `openapi/schemas/pet.yaml:13:11: error: source description "api": $ref "owner.yaml" cannot be followed: cannot read openapi/schemas/owner.yaml: no such file or directory [external-ref]`,
		},
		{
			name: "nothing at the fragment",
			edit: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "openapi/schemas/limits.yaml"), "Limits: {type: integer}\n")
			},
			want: `openapi/parameters/common.yaml:12:11: error: source description "api": $ref "../schemas/limits.yaml#/Limit" cannot be followed: nothing is at the fragment #/Limit of openapi/schemas/limits.yaml [external-ref]`,
		},
		{
			name: "not YAML",
			edit: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "openapi/schemas/owner.yaml"), "type: object\nproperties: [\n")
			},
			want: `openapi/schemas/owner.yaml:2:1: error: source description "api": invalid YAML: did not find expected node content, read for the $ref "owner.yaml" at openapi/schemas/pet.yaml:13:11 [external-ref]`,
		},
		{
			name: "too many sources",
			opts: []arazzo.LoadOption{arazzo.WithMaxSources(3)},
			want: `openapi/openapi.yaml:18:23: error: source description "api": $ref "./schemas/pet.yaml" (and 3 more $refs to the same document): not read: 3 documents were read already, the limit (WithMaxSources) [too-many-sources]`,
		},
		{
			name: "too large together",
			opts: []arazzo.LoadOption{arazzo.WithMaxSourceBytes(1500)},
			want: `openapi/openapi.yaml:18:23: error: source description "api": $ref "./schemas/pet.yaml" (and 3 more $refs to the same document): the description's files exceed 1500 bytes together (WithMaxSourceBytes) [document-too-large]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, flow := splitCheckout(t)
			if tt.edit != nil {
				tt.edit(t, root)
			}
			doc, ds := arazzo.Load(context.Background(), flow, tt.opts...)
			if doc == nil {
				t.Fatal(ds)
			}
			got := diagLines(ds, root)
			if len(got) == 0 || got[0] != tt.want {
				t.Errorf("diagnostics:\n%s\nwant first:\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

// TestLoadSplitRefOutsideRoot: a $ref that leaves the root is refused like
// a source description would be, naming the --root that allows it.
func TestLoadSplitRefOutsideRoot(t *testing.T) {
	root, flow := splitCheckout(t)
	outside := filepath.Join(filepath.Dir(root), "shared", "limits.yaml")
	writeFile(t, outside, "Limit: {type: integer, maximum: 100}\n")
	common := filepath.Join(root, "openapi/parameters/common.yaml")
	src, _ := os.ReadFile(common)
	writeFile(t, common, strings.Replace(string(src), "../schemas/limits.yaml#/Limit", "../../../shared/limits.yaml#/Limit", 1))
	_, ds := arazzo.Load(context.Background(), flow)
	want := fmt.Sprintf(`openapi/parameters/common.yaml:12:11: error: source description "api": $ref "../../../shared/limits.yaml#/Limit" cannot be followed: "../../../shared/limits.yaml" resolves to %s, outside the allowed file tree %s (allow it with --root %s, or WithRoot) [external-ref]`,
		outside, root, filepath.Dir(root))
	if got := diagLines(ds, root); len(got) != 1 || got[0] != want {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	// With that root, it is read.
	if _, ds := arazzo.Load(context.Background(), flow, arazzo.WithRoot(filepath.Dir(root))); len(ds) != 0 {
		t.Errorf("with --root: %v", ds)
	}
}

// TestLoadSplitRemote: a $ref to a URL is fetched from an allowed host
// (127.0.0.1 here), and the $refs of the fetched document resolve against
// its URL; from a host not allowed it is an external-ref warning at the
// $ref and nothing is fetched.
func TestLoadSplitRemote(t *testing.T) {
	served := map[string]string{}
	for _, f := range []string{"pet.yaml", "owner.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata/split/openapi/schemas", f))
		if err != nil {
			t.Fatal(err)
		}
		served["/schemas/"+f] = string(data)
	}
	srv, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
		text, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, text)
	})
	root, flow := splitCheckout(t)
	for _, f := range []string{"openapi/openapi.yaml", "openapi/paths/pets.yaml"} {
		name := filepath.Join(root, f)
		src, _ := os.ReadFile(name)
		text := strings.ReplaceAll(string(src), "../schemas/pet.yaml", srv.URL+"/schemas/pet.yaml")
		text = strings.ReplaceAll(text, "./schemas/pet.yaml", srv.URL+"/schemas/pet.yaml")
		writeFile(t, name, text)
	}
	os.Remove(filepath.Join(root, "openapi/schemas/pet.yaml"))
	os.Remove(filepath.Join(root, "openapi/schemas/owner.yaml"))

	doc, ds := arazzo.Load(context.Background(), flow, arazzo.WithAllowedHosts(host(srv)))
	if len(ds) != 0 {
		t.Fatalf("allowed: %v", ds)
	}
	if n := hits.n.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (pet.yaml, then owner.yaml relative to it)", n)
	}
	if ds := arazzo.Validate(doc); ds.HasErrors() {
		t.Errorf("Validate: %v", ds)
	}
	var locs []string
	for _, f := range doc.Sources["api"].OpenAPI.Files() {
		locs = append(locs, f.Location)
	}
	if !slices.Contains(locs, srv.URL+"/schemas/owner.yaml") {
		t.Errorf("Files = %q", locs)
	}

	hits.n.Store(0)
	_, ds = arazzo.Load(context.Background(), flow)
	got := diagLines(ds, root)
	want := fmt.Sprintf(`openapi/openapi.yaml:18:23: warning: source description "api": $ref "%s/schemas/pet.yaml" (and 3 more $refs to the same document) was not fetched: fetching from host "%s" is not allowed (allow it with --allow-host %s, or WithAllowedHosts); what it describes is not checked [external-ref]`,
		srv.URL, host(srv), host(srv))
	if len(got) != 1 || got[0] != want {
		t.Errorf("not allowed:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if n := hits.n.Load(); n != 0 {
		t.Errorf("%d fetches from a host not allowed", n)
	}
}

// TestLoadSplitSharedFiles: two descriptions that share a file read it
// once per Load.
func TestLoadSplitSharedFiles(t *testing.T) {
	root, flow := splitCheckout(t)
	api := filepath.Join(root, "openapi/openapi.yaml")
	src, _ := os.ReadFile(api)
	writeFile(t, filepath.Join(root, "openapi/second.yaml"), string(src))
	text, _ := os.ReadFile(flow)
	writeFile(t, flow, strings.Replace(string(text), "    type: openapi\n", "    type: openapi\n  - name: second\n    url: ./openapi/second.yaml\n    type: openapi\n", 1))
	// 2 descriptions and 6 other files: 8 documents.
	if _, ds := arazzo.Load(context.Background(), flow, arazzo.WithMaxSources(8)); len(ds) != 0 {
		t.Errorf("diagnostics: %v", ds)
	}
}

// TestCacheSplitDescription: the plan cache keeps a subset of a description
// split in files with the digest of every file: a warm load uses it only
// while no file changed (a change to a file a $ref reads misses, like a
// change to the root), gives the same diagnostics, and Source reads the
// whole bundle again on demand, refusing it once a file changed.
func TestCacheSplitDescription(t *testing.T) {
	root, flow := splitCheckout(t)
	cache := t.TempDir()
	load := func(opts ...arazzo.LoadOption) (*arazzo.Document, []string) {
		t.Helper()
		doc, ds := arazzo.Load(context.Background(), flow, opts...)
		if len(ds) != 0 || doc == nil {
			t.Fatal(ds)
		}
		return doc, diagLines(arazzo.Validate(doc), root)
	}
	whole, want := load()
	cold, got := load(arazzo.WithCache(cache))
	if p, _ := partialSources(cold); p != 0 || !slices.Equal(got, want) {
		t.Fatalf("cold: %d subsets, diagnostics %q", p, got)
	}
	warm, got := load(arazzo.WithCache(cache))
	if p, _ := partialSources(warm); p != 1 || !slices.Equal(got, want) {
		t.Fatalf("warm: %d subsets, diagnostics %q, want %q", p, got, want)
	}
	o := warm.Sources["api"].OpenAPI
	if !o.Bundled() || len(o.Files()) != 7 {
		t.Errorf("warm: Bundled %v, %d files", o.Bundled(), len(o.Files()))
	}
	bundle, err := o.Source()
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := whole.Sources["api"].OpenAPI.Source(); string(bundle) != string(w) {
		t.Error("the warm Source differs from the bundle of a load without cache")
	}
	if lib, err := o.LibOpenAPI(); err != nil {
		t.Fatal(err)
	} else if _, err := lib.BuildV3Model(); err != nil {
		t.Errorf("BuildV3Model: %v", err)
	}

	stale := load // a warm document, loaded before the change
	before, _ := stale(arazzo.WithCache(cache))
	limits := filepath.Join(root, "openapi/schemas/limits.yaml")
	writeFile(t, limits, "Limit:\n  type: integer\n  maximum: 50\n")
	changed, _ := load(arazzo.WithCache(cache))
	if p, _ := partialSources(changed); p != 0 {
		t.Fatal("a change to a file a $ref reads did not miss the cache")
	}
	op, _ := changed.Sources["api"].OpenAPI.OperationByID("listPets")
	if m := op.Parameters[0].Schema; !strings.Contains(fmt.Sprint(resolveIn(changed.Sources["api"].OpenAPI.Raw, m)), "50") {
		t.Errorf("the new limit is not seen: %v", m)
	}
	if again, _ := load(arazzo.WithCache(cache)); func() bool { p, _ := partialSources(again); return p != 1 }() {
		t.Error("the new entry is not used")
	}
	if _, err := before.Sources["api"].OpenAPI.Source(); err == nil || !strings.Contains(err.Error(), "changed after it was loaded") {
		t.Errorf("Source after a file changed: %v", err)
	}
}

// resolveIn follows a {$ref: "#/..."} value in raw.
func resolveIn(raw, v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	ref, ok := m["$ref"].(string)
	if !ok {
		return v
	}
	t, _ := jsonptr.ParseFragment(ref)
	got, _ := t.Get(raw)
	return got
}
