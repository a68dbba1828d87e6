package jsonval

import (
	"encoding/json"
	"runtime"
	"testing"
	"time"
)

type benchInput struct {
	name string
	data []byte
}

func benchInputs(b *testing.B) []benchInput {
	return []benchInput{
		{"small-objects-9MB", manySmallObjects(250000)},
		{"api-response-4KB", apiResponse(b)},
		{"string-heavy-6MB", stringHeavy(10000)},
	}
}

var decoders = []struct {
	name   string
	decode func([]byte) (any, error)
}{
	{"jsonval", Decode},
	{"encoding-json", unmarshal},
}

func unmarshal(data []byte) (any, error) {
	var v any
	err := json.Unmarshal(data, &v)
	return v, err
}

// BenchmarkDecode measures Decode against json.Unmarshal into a *any on
// the same inputs, in the same run: (a) a 9 MB body of many small objects,
// (b) a typical 4 KB API response, (c) a large string-heavy body. Besides
// ns/op, B/op and allocs/op it reports allocB/inB, the bytes allocated per
// byte of input.
func BenchmarkDecode(b *testing.B) {
	inputs := benchInputs(b)
	for _, in := range inputs {
		for _, dec := range decoders {
			b.Run(in.name+"/"+dec.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(in.data)))
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for b.Loop() {
					if _, err := dec.decode(in.data); err != nil {
						b.Fatal(err)
					}
				}
				runtime.ReadMemStats(&after)
				perOp := float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
				b.ReportMetric(perOp/float64(len(in.data)), "allocB/inB")
			})
		}
	}
}

// BenchmarkDecodeInterleaved runs Decode and json.Unmarshal by turns on the
// same input, alternating which goes first, so that both see the same load
// on a shared machine. On large inputs a collection before each call (not
// timed) makes each pay for the garbage collection its own allocations
// cause, not for the other's. It reports the time of each and speedup, the ratio of
// encoding/json's time to Decode's.
func BenchmarkDecodeInterleaved(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			var ours, theirs time.Duration
			for i := 0; b.Loop(); i++ {
				for k := range 2 {
					dec := decoders[(i+k)%2]
					if len(in.data) > 1<<20 {
						runtime.GC()
					}
					start := time.Now()
					if _, err := dec.decode(in.data); err != nil {
						b.Fatal(err)
					}
					if d := time.Since(start); dec.name == "jsonval" {
						ours += d
					} else {
						theirs += d
					}
				}
			}
			b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "jsonval-ns/op")
			b.ReportMetric(float64(theirs.Nanoseconds())/float64(b.N), "encoding-json-ns/op")
			b.ReportMetric(float64(theirs)/float64(ours), "speedup")
		})
	}
}
