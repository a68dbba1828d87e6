package upgrade

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
)

// TestE1_SpecElevenCasesAsTen takes every valid case of the Arazzo 1.1
// schema tests (arazzo/testdata/spec11/pass), declares it 1.0.1, and
// upgrades it: the 1.1 features in a 1.0 document are the errors the
// upgrade removes (E1), so each must come back as its original text,
// except where the upgrade changes or flags something, which
// testdata/spec11.golden pins (go test -update rewrites it). A case is
// refused only if it is invalid as 1.1 too, and an upgraded case has the
// errors, as 1.1, that the original has.
func TestE1_SpecElevenCasesAsTen(t *testing.T) {
	files, err := filepath.Glob("../testdata/spec11/pass/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no 1.1 cases")
	}
	version := regexp.MustCompile(`(?m)^arazzo: *['"]?1\.1\.\d+['"]?`)
	var lines []string
	for _, f := range files {
		orig, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		loc := version.FindIndex(orig)
		if loc == nil {
			t.Fatalf("%s: no arazzo: 1.1.x line", f)
		}
		src := append(append(append([]byte(nil), orig[:loc[0]]...), "arazzo: 1.0.1"...), orig[loc[1]:]...)
		doc, _ := arazzo.Parse(src, filepath.Base(f))
		if doc == nil {
			t.Fatalf("%s: does not parse", f)
		}
		res, err := Document(doc)
		lines = append(lines, filepath.Base(f)+": "+outcome(res, err, nil))
		o, parsed := arazzo.Parse(orig, filepath.Base(f))
		origErrors := append(parsed, arazzo.Validate(o)...).Errors()
		if err != nil {
			if !origErrors.HasErrors() {
				t.Errorf("%s: refused as 1.0 (%v), but the original is valid 1.1", f, err)
			}
			continue
		}
		if got, want := codes(res.Diagnostics.Errors()), codes(origErrors); got != want {
			t.Errorf("%s: the upgraded document has the 1.1 errors %s, the original %s", f, got, want)
		}
		want := append(append(append([]byte(nil), orig[:loc[0]]...), "arazzo: "+TargetVersion...), orig[loc[1]:]...)
		if len(res.Changes) == 1 && !bytes.Equal(res.Text, want) {
			t.Errorf("%s: only the version changed, but the text is not the original:\n%s", f, res.Text)
		}
		for _, d := range res.Manual {
			if d.Code == arazzo.CodeRequires11 {
				t.Errorf("%s: a 1.1 feature is left as a manual fix: %v", f, d)
			}
		}
	}
	golden(t, "testdata/spec11.golden", strings.Join(lines, "\n")+"\n")
}
