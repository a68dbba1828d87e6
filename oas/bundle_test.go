package oas_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/oas"
	"github.com/telaio/telaio/schema"
)

// fsReader reads the files of fsys; a relative $ref resolves against the
// referring file and must stay inside fsys; URLs are refused.
type fsReader struct {
	fsys  fs.FS
	reads []string
}

func (r *fsReader) Resolve(base, ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	if u.Scheme != "" {
		return "", fmt.Errorf("%s is not fetched", ref)
	}
	p := path.Join(path.Dir(base), u.Path)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("%s is outside the tree", ref)
	}
	return p, nil
}

func (r *fsReader) Read(_ context.Context, loc string) ([]byte, error) {
	r.reads = append(r.reads, loc)
	return fs.ReadFile(r.fsys, loc)
}

func loadSplit(t *testing.T, opts ...oas.Option) (*oas.Document, *fsReader) {
	t.Helper()
	fsys := fstestDir(t, "testdata/split")
	r := &fsReader{fsys: fsys}
	src, err := fs.ReadFile(fsys, "openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := oas.LoadFiles(context.Background(), src, "openapi.yaml", r, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d, r
}

// fstestDir copies a folder into a MapFS (so that tests can change it).
func fstestDir(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(os.DirFS(dir), p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// localRefsOnly fails when a $ref of v does not start with "#".
func localRefsOnly(t *testing.T, v any, at string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok && !strings.HasPrefix(ref, "#") {
			t.Errorf("%s: $ref %q is not local", at, ref)
		}
		for k, c := range x {
			localRefsOnly(t, c, at+"/"+k)
		}
	case []any:
		for i, c := range x {
			localRefsOnly(t, c, fmt.Sprintf("%s/%d", at, i))
		}
	}
}

// TestLoadFiles_SplitDescription: a description split in files (path
// items, parameters, schemas in folders, nested $refs relative to the file
// that holds them, a cycle of schemas across two files, a JSON file) is one
// document: every $ref is local, the index sees every operation and
// parameter, each file is read once, and pointers map back to the files.
func TestLoadFiles_SplitDescription(t *testing.T) {
	d, r := loadSplit(t)
	if errs := d.RefErrors(); len(errs) != 0 {
		t.Fatalf("RefErrors = %v", errs)
	}
	if refs := d.ExternalRefs(); len(refs) != 0 {
		t.Fatalf("ExternalRefs = %v", refs)
	}
	if !d.Bundled() {
		t.Error("Bundled = false")
	}
	localRefsOnly(t, d.Raw, "")
	wantReads := []string{"paths/pets.yaml", "parameters/common.yaml", "schemas/pet.yaml", "schemas/error.json", "schemas/owner.yaml", "schemas/limits.yaml"}
	if !reflect.DeepEqual(r.reads, wantReads) {
		t.Errorf("reads = %q, want %q", r.reads, wantReads)
	}
	var files []string
	for _, f := range d.Files() {
		files = append(files, f.Location)
	}
	if want := append([]string{"openapi.yaml"}, wantReads...); !reflect.DeepEqual(files, want) {
		t.Errorf("Files = %q, want %q", files, want)
	}
	if got := d.OperationIDs(); !reflect.DeepEqual(got, []string{"createPet", "getPet", "listPets"}) {
		t.Errorf("operations = %q", got)
	}
	get, _ := d.OperationByID("getPet")
	if len(get.Parameters) != 1 || get.Parameters[0].Name != "id" || get.Parameters[0].SchemaPointer != "/x-telaio-files/parameters~1common.yaml/Id/schema" {
		t.Errorf("getPet parameters = %+v", get.Parameters[0])
	}
	list, err := d.OperationByPointer("/paths/~1pets/get")
	if err != nil || list.ID != "listPets" || list.Pointer != "/x-telaio-files/paths~1pets.yaml/get" {
		t.Fatalf("OperationByPointer(/paths/~1pets/get) = %+v, %v", list, err)
	}
	if ops := d.PathItemOperations("/paths/~1pets"); len(ops) != 2 {
		t.Errorf("PathItemOperations = %d operations", len(ops))
	}
	// Positions: in the file a pointer came from.
	for _, tt := range []struct{ ptr, want string }{
		{list.Parameters[0].SchemaPointer, "parameters/common.yaml:11:3"},
		{"/x-telaio-files/schemas~1pet.yaml/properties/owner/$ref", "schemas/pet.yaml:13:11"},
		{"/x-telaio-files/schemas~1error.json/Error/required", "schemas/error.json:4:17"},
		{"/paths/~1pets~1{id}/get/operationId", "openapi.yaml:9:20"},
	} {
		if got := d.Locate(tt.ptr).String(); got != tt.want {
			t.Errorf("Locate(%s) = %s, want %s", tt.ptr, got, tt.want)
		}
	}
	// Package schema compiles the referenced schemas from Raw, the cycle
	// across pet.yaml and owner.yaml included.
	c, err := schema.NewOpenAPI(d.Raw)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(get.Response(200).MediaType("application/json").SchemaPointer, schema.Response)
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]any{"id": 1.0, "name": "Rex", "tags": []any{"a"}, "owner": map[string]any{"name": "Ann", "pets": []any{map[string]any{"id": 2.0, "name": "Bo"}}}}
	if err := s.Validate(ok); err != nil {
		t.Errorf("valid pet: %v", err)
	}
	bad := map[string]any{"id": 1.0, "name": "Rex", "tags": []any{"a tag that is too long"}, "owner": map[string]any{"pets": []any{map[string]any{"id": "x"}}}}
	err = s.Validate(bad)
	var ve *schema.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) < 3 {
		t.Errorf("invalid pet: %v", err)
	}
	limit, err := c.Compile(list.Parameters[0].SchemaPointer, schema.Request)
	if err != nil || limit.Validate(1000.0) == nil {
		t.Errorf("limit schema: %v", err)
	}
	// libopenapi builds the bundle with no external reference.
	lib, err := d.LibOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	m, err := lib.BuildV3Model()
	if err != nil {
		t.Fatalf("BuildV3Model: %v", err)
	}
	pi := m.Model.Paths.PathItems.GetOrZero("/pets/{id}")
	sch := pi.Get.Responses.Codes.GetOrZero("200").Content.GetOrZero("application/json").Schema.Schema()
	if sch == nil || sch.Properties.GetOrZero("owner") == nil {
		t.Errorf("libopenapi: the 200 schema is not resolved")
	}
}

// TestLoadFiles_Deterministic: the bundle does not depend on map order.
func TestLoadFiles_Deterministic(t *testing.T) {
	a, _ := loadSplit(t)
	for range 5 {
		b, _ := loadSplit(t)
		ja, _ := json.Marshal(a.Raw)
		jb, _ := json.Marshal(b.Raw)
		if string(ja) != string(jb) {
			t.Fatal("two loads differ")
		}
	}
}

// TestLoadFiles_Subset: a subset of a split description keeps the parts of
// the files its operations reach, and the list of files with digests.
func TestLoadFiles_Subset(t *testing.T) {
	d, _ := loadSplit(t)
	gp, _ := d.OperationByID("getPet")
	lp, _ := d.OperationByID("listPets")
	entry, err := d.Subset([]*oas.Operation{gp, lp})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := d.Source()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := oas.LoadSubsetFunc(entry, func() ([]byte, error) { return whole, nil }, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !sub.Partial() || !sub.Bundled() {
		t.Errorf("Partial %v, Bundled %v", sub.Partial(), sub.Bundled())
	}
	if !reflect.DeepEqual(sub.Files(), d.Files()) {
		t.Errorf("Files = %v, want %v", sub.Files(), d.Files())
	}
	if got := sub.OperationIDs(); !reflect.DeepEqual(got, []string{"getPet", "listPets"}) {
		t.Errorf("operations = %q", got)
	}
	for _, id := range []string{"getPet", "listPets"} {
		a, _ := d.OperationByID(id)
		b, err := sub.OperationByID(id)
		if err != nil {
			t.Fatal(err)
		}
		if b.Pointer != a.Pointer || len(b.Parameters) != len(a.Parameters) {
			t.Errorf("%s: %+v, want %+v", id, b, a)
		}
		for i, r := range a.Responses {
			for j, mt := range r.Content {
				got := b.Responses[i].Content[j]
				v, ok := get(sub.Raw, got.SchemaPointer)
				w, _ := get(d.Raw, mt.SchemaPointer)
				if !ok || !reflect.DeepEqual(v, w) {
					t.Errorf("%s %s: the schema differs", id, r.Code)
				}
			}
		}
	}
	c, err := schema.NewOpenAPI(sub.Raw)
	if err != nil {
		t.Fatal(err)
	}
	sg, _ := sub.OperationByID("getPet")
	if _, err := c.Compile(sg.Response(200).MediaType("application/json").SchemaPointer, schema.Response); err != nil {
		t.Errorf("compile from the subset: %v", err)
	}
	if _, err := sub.OperationByID("createPet"); err == nil {
		t.Error("createPet is in the subset")
	}
	if got := sub.Locate("/x-telaio-files/schemas~1pet.yaml/properties").File; got != "schemas/pet.yaml" {
		t.Errorf("Locate in a subset: file %q", got)
	}
}

// TestLoadFiles_RefErrors: a $ref that cannot be followed is reported at
// the $ref, in the file that holds it, and stays unresolved; the others
// are followed.
func TestLoadFiles_RefErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m fstest.MapFS)
		opts  []oas.Option
		want  string // RefError.Error()
		is    error
		where string // the position of a SyntaxError
		// noList: listPets is not indexed (its path item is not read).
		noList bool
	}{
		{
			name: "missing file",
			edit: func(m fstest.MapFS) { delete(m, "schemas/owner.yaml") },
			want: `schemas/pet.yaml:13:11: $ref "owner.yaml": open schemas/owner.yaml: file does not exist`,
			is:   fs.ErrNotExist,
		},
		{
			name: "nothing at the fragment",
			edit: func(m fstest.MapFS) {
				m["schemas/limits.yaml"] = &fstest.MapFile{Data: []byte("Limits: {type: integer}\n")}
			},
			want: `parameters/common.yaml:12:11: $ref "../schemas/limits.yaml#/Limit": nothing is at the fragment #/Limit of schemas/limits.yaml`,
			is:   oas.ErrNoTarget,
		},
		{
			name: "outside the tree",
			edit: func(m fstest.MapFS) {
				m["parameters/common.yaml"] = &fstest.MapFile{Data: []byte("Id: {$ref: '../../id.yaml'}\nLimit: {name: limit, in: query}\n")}
			},
			want: `parameters/common.yaml:1:12: $ref "../../id.yaml": ../../id.yaml is outside the tree`,
		},
		{
			name: "not YAML",
			edit: func(m fstest.MapFS) {
				m["schemas/owner.yaml"] = &fstest.MapFile{Data: []byte("type: object\nproperties: [\n")}
			},
			want:  `schemas/pet.yaml:13:11: $ref "owner.yaml": schemas/owner.yaml:2:1: invalid YAML: did not find expected node content`,
			where: "schemas/owner.yaml:2:1",
		},
		{
			name: "too many files",
			opts: []oas.Option{oas.WithMaxFiles(2)},
			want: `openapi.yaml:18:23: $ref "./schemas/pet.yaml": the description's $refs read too many files (more than 2; WithMaxFiles)`,
			is:   oas.ErrTooManyFiles,
		},
		{
			name: "too large",
			opts: []oas.Option{oas.WithMaxBytes(1200)},
			is:   oas.ErrTooLarge,
			// Every file read after the limit is refused.
			noList: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstestDir(t, "testdata/split")
			if tt.edit != nil {
				tt.edit(fsys)
			}
			src, _ := fs.ReadFile(fsys, "openapi.yaml")
			d, err := oas.LoadFiles(context.Background(), src, "openapi.yaml", &fsReader{fsys: fsys}, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			errs := d.RefErrors()
			if len(errs) == 0 {
				t.Fatal("no RefError")
			}
			e := errs[0]
			if tt.want != "" && e.Error() != tt.want {
				t.Errorf("RefError = %s\nwant       %s", e, tt.want)
			}
			if tt.is != nil && !errors.Is(e, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", e, tt.is)
			}
			if tt.where != "" {
				var se *oas.SyntaxError
				if !errors.As(e, &se) || se.Pos.String() != tt.where {
					t.Errorf("SyntaxError at %v, want %s", se, tt.where)
				}
			}
			// The $ref stays as written and is listed.
			found := false
			for _, r := range d.ExternalRefs() {
				if r == e.ExternalRef {
					found = true
				}
				v, _ := get(d.Raw, r.Pointer+"/$ref")
				if v != r.Ref {
					t.Errorf("%s/$ref = %v, want %q as written", r.Pointer, v, r.Ref)
				}
			}
			if !found {
				t.Errorf("ExternalRefs %v do not list %v", d.ExternalRefs(), e.ExternalRef)
			}
			// Everything else is followed.
			if _, err := d.OperationByID("listPets"); err != nil && !tt.noList {
				t.Error(err)
			}
		})
	}
}

// TestLoadFiles_OneErrorPerRef: every $ref to a missing file is reported
// (each at its place), and the file is asked for once.
func TestLoadFiles_OneErrorPerRef(t *testing.T) {
	fsys := fstestDir(t, "testdata/split")
	delete(fsys, "schemas/pet.yaml")
	r := &fsReader{fsys: fsys}
	src, _ := fs.ReadFile(fsys, "openapi.yaml")
	d, err := oas.LoadFiles(context.Background(), src, "openapi.yaml", r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range d.RefErrors() {
		got = append(got, e.Position().String())
	}
	want := []string{"openapi.yaml:18:23", "paths/pets.yaml:13:21", "paths/pets.yaml:21:17", "paths/pets.yaml:28:19"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RefErrors at %q, want %q", got, want)
	}
	n := 0
	for _, loc := range r.reads {
		if loc == "schemas/pet.yaml" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("schemas/pet.yaml asked for %d times", n)
	}
}

// TestLoadFiles_RootRefs: a file that refers back to the root document by
// its name gets a local $ref to the root.
func TestLoadFiles_RootRefs(t *testing.T) {
	fsys := fstest.MapFS{
		"api.yaml": {Data: []byte(`openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a: {$ref: 'items/a.yaml'}
components:
  schemas:
    Err: {type: object, properties: {code: {type: integer}}}
`)},
		"items/a.yaml": {Data: []byte(`get:
  operationId: a
  responses:
    default:
      description: e
      content:
        application/json:
          schema: {$ref: '../api.yaml#/components/schemas/Err'}
`)},
	}
	src, _ := fs.ReadFile(fsys, "api.yaml")
	d, err := oas.LoadFiles(context.Background(), src, "api.yaml", &fsReader{fsys: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.RefErrors()) != 0 {
		t.Fatal(d.RefErrors())
	}
	op, _ := d.OperationByID("a")
	ref, _ := get(d.Raw, op.Responses[0].Content[0].SchemaPointer+"/$ref")
	if ref != "#/components/schemas/Err" {
		t.Errorf("$ref = %v", ref)
	}
	if n := len(d.Files()); n != 2 {
		t.Errorf("%d files", n)
	}
}

// TestLoadFiles_LiteralsAreNotRefs: $refs inside examples, defaults,
// enums and x- extensions are data: nothing is read for them.
func TestLoadFiles_LiteralsAreNotRefs(t *testing.T) {
	r := &fsReader{fsys: fstest.MapFS{}}
	d, err := oas.LoadFiles(context.Background(), []byte(refsDoc), "api.yaml", r)
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	for _, e := range d.RefErrors() {
		asked = append(asked, e.Ref)
	}
	want := []string{"paths.yaml#/a", "params.yaml#/P", "responses.yaml#/Error", "https://schemas.example/pet.json", "examples.yaml#/two", "prop.yaml"}
	if !reflect.DeepEqual(asked, want) {
		t.Errorf("followed %q, want %q", asked, want)
	}
}

func TestLoadFiles_RootErrors(t *testing.T) {
	r := &fsReader{fsys: fstest.MapFS{}}
	for _, src := range []string{"openapi: 4.0.0\n", "swagger: '2.0'\n", "[1]", "a: [\n"} {
		if _, err := oas.LoadFiles(context.Background(), []byte(src), "x.yaml", r); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
	if _, err := oas.LoadFiles(context.Background(), []byte("openapi: 3.1.0\n"), "x.yaml", r, oas.WithMaxBytes(4)); err == nil {
		t.Error("no error for a root larger than WithMaxBytes")
	}
}

// TestLoadFiles_DiscriminatorMapping: a mapping value that names a file is
// followed and rewritten like a $ref.
func TestLoadFiles_DiscriminatorMapping(t *testing.T) {
	fsys := fstest.MapFS{
		"api.yaml": {Data: []byte(`openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Pet:
      oneOf: [{$ref: 'dog.yaml'}]
      discriminator:
        propertyName: kind
        mapping: {dog: 'dog.yaml', cat: Cat}
    Cat: {type: object}
`)},
		"dog.yaml": {Data: []byte("type: object\nproperties: {kind: {const: dog}}\n")},
	}
	src, _ := fs.ReadFile(fsys, "api.yaml")
	d, err := oas.LoadFiles(context.Background(), src, "api.yaml", &fsReader{fsys: fsys})
	if err != nil || len(d.RefErrors()) != 0 {
		t.Fatal(err, d.RefErrors())
	}
	m, _ := get(d.Raw, "/components/schemas/Pet/discriminator/mapping")
	if want := map[string]any{"dog": "#/x-telaio-files/dog.yaml", "cat": "Cat"}; !reflect.DeepEqual(m, want) {
		t.Errorf("mapping = %v", m)
	}
}

func TestFileKeys(t *testing.T) {
	fsys := fstest.MapFS{
		"api/openapi.yaml": {Data: []byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '../common/a b%25.yaml'}\n")},
		"common/a b%.yaml": {Data: []byte("type: string\n")},
	}
	src, _ := fs.ReadFile(fsys, "api/openapi.yaml")
	d, err := oas.LoadFiles(context.Background(), src, "api/openapi.yaml", &fsReader{fsys: fsys})
	if err != nil || len(d.RefErrors()) != 0 {
		t.Fatal(err, d.RefErrors())
	}
	ref, _ := get(d.Raw, "/components/schemas/A/$ref")
	if ref != "#/x-telaio-files/..~1common~1a b%25.yaml" {
		t.Errorf("$ref = %v", ref)
	}
	toks, err := jsonptr.ParseFragment(ref.(string))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := toks.Get(d.Raw); !ok || !reflect.DeepEqual(v, map[string]any{"type": "string"}) {
		t.Errorf("the $ref does not resolve: %v", v)
	}
}

// TestLoadFiles_ConcurrentUse: a bundled Document answers lookups,
// positions, Source and LibOpenAPI from many goroutines (run with -race).
func TestLoadFiles_ConcurrentUse(t *testing.T) {
	d, _ := loadSplit(t)
	want := d.Locate("/x-telaio-files/schemas~1owner.yaml/properties/pets").String()
	done := make(chan string)
	for range 8 {
		go func() {
			if _, err := d.LibOpenAPI(); err != nil {
				done <- err.Error()
				return
			}
			if _, err := d.Source(); err != nil {
				done <- err.Error()
				return
			}
			for _, op := range d.Operations() {
				d.Locate(op.Pointer)
			}
			done <- d.Locate("/x-telaio-files/schemas~1owner.yaml/properties/pets").String()
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

// TestLoadFiles_JSONRoot: a JSON root decoded by encoding/json gets its
// positions by reading the text as YAML, when it is asked for them.
func TestLoadFiles_JSONRoot(t *testing.T) {
	fsys := fstest.MapFS{
		"api.json": {Data: []byte(`{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
 "components": {"schemas": {"A": {"$ref": "a.json#/A"}, "B": {"$ref": "missing.json"}}}}`)},
		"a.json": {Data: []byte(`{"A": {"type": "string", "pattern": "\/x"}}`)},
	}
	src, _ := fs.ReadFile(fsys, "api.json")
	d, err := oas.LoadFiles(context.Background(), src, "api.json", &fsReader{fsys: fsys})
	if err != nil {
		t.Fatal(err)
	}
	errs := d.RefErrors()
	if len(errs) != 1 || errs[0].Position().String() != "api.json:2:71" {
		t.Fatalf("RefErrors = %v", errs)
	}
	// "\/" is JSON, not YAML: a.json has no positions, only its name.
	if got := d.Locate("/x-telaio-files/a.json/A/pattern").String(); got != "a.json" {
		t.Errorf("Locate in a.json = %s", got)
	}
	if v, _ := get(d.Raw, "/x-telaio-files/a.json/A/pattern"); v != "/x" {
		t.Errorf("pattern = %v", v)
	}
}
