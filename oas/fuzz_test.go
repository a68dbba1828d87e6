package oas_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/oas"
)

// FuzzLoadFiles: LoadFiles never panics, whatever the root and a file its
// $refs read hold, and what it returns answers lookups.
func FuzzLoadFiles(f *testing.F) {
	f.Add([]byte(oas32Doc), []byte("type: object\n"))
	f.Add([]byte(refsDoc), []byte("a: {$ref: '#/b'}\nb: {$ref: 'other.yaml#/a'}\n"))
	f.Add([]byte("openapi: 3.1.0\npaths: {/a: {$ref: other.yaml}}\n"), []byte("get: {operationId: a, parameters: [{$ref: '#/x'}]}\nx: {name: q, in: querystring, content: {a/b: {$ref: other.yaml#/get}}}\n"))
	f.Add([]byte("openapi: 3.0.0\ncomponents: {schemas: {A: {$ref: 'other.yaml#/%'}}}\n"), []byte("{\"a\": 1}"))
	f.Add([]byte("openapi: 3.2.0\npaths: {/a: {additionalOperations: {X: {$ref: other.yaml}}}}\n"), []byte("info: &a {<<: *a}\n"))
	f.Fuzz(func(t *testing.T, root, other []byte) {
		fsys := fstest.MapFS{"api.yaml": {Data: root}, "other.yaml": {Data: other}}
		d, err := oas.LoadFiles(context.Background(), root, "api.yaml", &fsReader{fsys: fsys}, oas.WithMaxFiles(4), oas.WithMaxBytes(1<<16))
		if err != nil {
			return
		}
		for _, op := range d.Operations() {
			_ = d.Locate(op.Pointer)
			_, _ = d.OperationByPointer(op.Pointer)
		}
		for _, e := range d.RefErrors() {
			_ = e.Error()
		}
		_, _ = d.Source()
	})
}
