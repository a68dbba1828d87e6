package jsonval

import (
	"bytes"
	"os"
	"testing"
)

// apiResponse is a typical 4 KB API response.
func apiResponse(tb testing.TB) []byte {
	data, err := os.ReadFile("testdata/api-response.json")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// FuzzDecode checks that Decode and encoding/json agree on any input:
// same value, or errors of the same kind, message and offset; and that
// Decode never panics. Seeds are in testdata/fuzz/FuzzDecode: trickyInputs
// and samples of the benchmark inputs.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if d := compareWithStdlib(bytes.Clone(data)); d != "" {
			t.Fatalf("%q: %s", data, d)
		}
	})
}
