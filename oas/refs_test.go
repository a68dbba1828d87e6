package oas_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/telaio/telaio/oas"
)

const refsDoc = `openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    $ref: paths.yaml#/a
  /b:
    get:
      operationId: b
      parameters:
        - $ref: '#/components/parameters/Local'
        - $ref: params.yaml#/P
      responses:
        default:
          $ref: responses.yaml#/Error
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: https://schemas.example/pet.json
              example: {$ref: not-a-reference}
              examples:
                one: {value: {$ref: data-not-a-reference}}
                two: {$ref: examples.yaml#/two}
components:
  parameters:
    Local: {name: l, in: query, schema: {type: string}}
  schemas:
    Pet:
      type: object
      x-origin: {$ref: ignored.yaml}
      default: {$ref: a-default-value}
      enum: [{$ref: an-enum-value}]
      examples: [{$ref: an-example}]
      properties:
        default: {$ref: prop.yaml}
        enum: {$ref: '#/components/schemas/Pet'}
        self: {$ref: embedded.json}
    Embedded:
      $id: embedded.json
      type: string
`

func TestExternalRefs(t *testing.T) {
	d, err := oas.Load([]byte(refsDoc), "api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"5:11 /paths/~1a paths.yaml#/a",
		"11:17 /paths/~1b/get/parameters/1 params.yaml#/P",
		"14:17 /paths/~1b/get/responses/default responses.yaml#/Error",
		"20:23 /paths/~1b/get/responses/200/content/application~1json/schema https://schemas.example/pet.json remote",
		"24:29 /paths/~1b/get/responses/200/content/application~1json/examples/two examples.yaml#/two",
		"36:25 /components/schemas/Pet/properties/default prop.yaml",
	}
	var got []string
	for _, r := range d.ExternalRefs() {
		s := fmt.Sprintf("%d:%d %s %s", r.Line, r.Column, r.Pointer, r.Ref)
		if r.IsRemote() {
			s += " remote"
		}
		got = append(got, s)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ExternalRefs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The index follows local refs only.
	op, err := d.OperationByID("b")
	if err != nil {
		t.Fatal(err)
	}
	if len(op.Parameters) != 1 || op.Parameters[0].Name != "l" {
		t.Errorf("parameters = %+v", op.Parameters)
	}
}

func TestExternalRefsJSON(t *testing.T) {
	src := `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
 "paths": {"/a": {"$ref": "paths.json#/a"}}}`
	d, err := oas.Load([]byte(src), "api.json")
	if err != nil {
		t.Fatal(err)
	}
	refs := d.ExternalRefs()
	if len(refs) != 1 || refs[0].Line != 2 || refs[0].Column != 27 || refs[0].Pointer != "/paths/~1a" {
		t.Errorf("ExternalRefs = %+v", refs)
	}
	// FromValue has no text: no positions.
	raw, _ := oas.Decode([]byte(src))
	d, err = oas.FromValue(raw, "api.json")
	if err != nil {
		t.Fatal(err)
	}
	if refs := d.ExternalRefs(); len(refs) != 1 || refs[0].Line != 0 {
		t.Errorf("ExternalRefs = %+v", refs)
	}
	if refs := loadStytch(t).ExternalRefs(); len(refs) != 0 {
		t.Errorf("stytch: %d external refs, want none", len(refs))
	}
}

// TestLibOpenAPIReadsNoReference: the libopenapi model reads no file and
// fetches no URL for an external $ref, even with the file present in the
// working directory.
func TestLibOpenAPIReadsNoReference(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "components:\n  schemas:\n    X: {type: string}\n")
	}))
	defer srv.Close()
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/other.yaml", []byte("components:\n  schemas:\n    Y: {type: integer}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	src := `openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /x:
    get:
      operationId: x
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '` + srv.URL + `/x.yaml#/components/schemas/X'}
        '201':
          description: ok
          content:
            application/json:
              schema: {$ref: 'other.yaml#/components/schemas/Y'}
`
	d, err := oas.Load([]byte(src), "api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lib, err := d.LibOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	m, err := lib.BuildV3Model()
	if m == nil {
		t.Fatalf("BuildV3Model: %v", err)
	}
	if err == nil || !strings.Contains(err.Error(), "schemas/Y") || !strings.Contains(err.Error(), "schemas/X") {
		t.Errorf("BuildV3Model error = %v; want both refs unresolved", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d fetches", n)
	}
}
