package oas_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"testing/fstest"

	"github.com/telaio/telaio/oas"
)

// dirReader resolves $refs as relative paths and reads them from fsys.
type dirReader struct{ fsys fs.FS }

func (r dirReader) Resolve(base, ref string) (string, error) {
	return path.Join(path.Dir(base), ref), nil
}

func (r dirReader) Read(_ context.Context, loc string) ([]byte, error) {
	return fs.ReadFile(r.fsys, loc)
}

func ExampleLoadFiles() {
	files := fstest.MapFS{
		"api/openapi.yaml": {Data: []byte(`openapi: 3.1.0
info: {title: Pets, version: '1'}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      responses:
        '200':
          description: a pet
          content:
            application/json:
              schema: {$ref: 'schemas/pet.yaml'}
`)},
		"api/schemas/pet.yaml": {Data: []byte(`type: object
properties:
  name: {type: string}
`)},
	}
	src, _ := fs.ReadFile(files, "api/openapi.yaml")
	d, err := oas.LoadFiles(context.Background(), src, "api/openapi.yaml", dirReader{files})
	if err != nil {
		fmt.Println(err)
		return
	}
	op, _ := d.OperationByID("getPet")
	mt := op.Response(200).MediaType("application/json")
	fmt.Println(mt.Schema) // the $ref, now local
	fmt.Println(d.Locate(mt.SchemaPointer + "/$ref"))
	fmt.Println(d.Locate("/x-telaio-files/schemas~1pet.yaml/properties/name"))
	fmt.Println(len(d.Files()), "files,", len(d.RefErrors()), "errors")
	// Output:
	// map[$ref:#/x-telaio-files/schemas~1pet.yaml]
	// api/openapi.yaml:12:30
	// api/schemas/pet.yaml:3:9
	// 2 files, 0 errors
}

func ExampleLoadFiles_refError() {
	files := fstest.MapFS{
		"openapi.yaml": {Data: []byte(`openapi: 3.1.0
info: {title: Pets, version: '1'}
components:
  schemas:
    Pet: {$ref: 'pet.yaml'}
`)},
	}
	src, _ := fs.ReadFile(files, "openapi.yaml")
	d, err := oas.LoadFiles(context.Background(), src, "openapi.yaml", dirReader{files})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range d.RefErrors() {
		fmt.Println(e.Position(), errors.Is(e, fs.ErrNotExist))
	}
	fmt.Println(d.ExternalRefs()[0].Ref)
	// Output:
	// openapi.yaml:5:17 true
	// pet.yaml
}
