package jsonval

import (
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
// Decode never panics. Seeds are in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, in := range trickyInputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if d := compareWithStdlib(data); d != "" {
			t.Fatalf("%q: %s", data, d)
		}
	})
}
