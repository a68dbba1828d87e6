package httpenc

import (
	"net/url"
	"testing"
)

// FuzzEscapeRoundTrip checks that escaped query and path values decode
// back to the original text.
func FuzzEscapeRoundTrip(f *testing.F) {
	for _, s := range []string{"", "blue", "a b&c=d#e", "100%", "é/ü?", "a,b|c d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pairs, err := Param{Name: s}.Query(s)
		if err != nil {
			t.Fatal(err)
		}
		q, err := url.ParseQuery(EncodeQuery(pairs))
		if err != nil {
			t.Fatalf("EncodeQuery output does not parse: %v", err)
		}
		if got := q[s]; len(got) != 1 || got[0] != s {
			t.Fatalf("query round trip: got %q", got)
		}
		p, err := Param{Name: "x"}.Path(s)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := url.PathUnescape(p); err != nil || back != s {
			t.Fatalf("path round trip: got %q, %v", back, err)
		}
	})
}
