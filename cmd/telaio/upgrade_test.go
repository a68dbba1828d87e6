package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/arazzo/upgrade"
)

// upgradeDir copies the named documents of arazzo/upgrade/testdata, with
// the OpenAPI description they use, into a fresh folder.
func upgradeDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range append(names, "openapi.yaml") {
		b, err := os.ReadFile(filepath.Join("../../arazzo/upgrade/testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runUpgrade(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	return runCLIWith(t, nil, "", append(append([]string{"upgrade"}, args...), "--root", dir)...)
}

// check11 loads file (with its sources) and validates it as Arazzo 1.1:
// it must declare 1.1.0 and have no error.
func check11(t *testing.T, file string) {
	t.Helper()
	doc, ds := arazzo.Load(context.Background(), file, arazzo.WithRoot(filepath.Dir(file)))
	if doc == nil || doc.Arazzo != upgrade.TargetVersion {
		t.Fatalf("%s is not an Arazzo %s document: %v", file, upgrade.TargetVersion, ds)
	}
	if all := append(ds, arazzo.Validate(doc)...); all.HasErrors() {
		t.Errorf("%s does not validate as 1.1: %v", file, all.Errors())
	}
}

func TestUpgradeHelp(t *testing.T) {
	code, out, _ := runCLIWith(t, nil, "", "upgrade", "--help")
	for _, want := range []string{"Usage: telaio upgrade FILE", "-w, --write", "--force", "--format", "--root", "Exit status"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
	if code != exitOK {
		t.Errorf("exit %d, want 0", code)
	}
	if _, out, _ := runCLIWith(t, nil, "", "--help"); !strings.Contains(out, "telaio upgrade FILE") {
		t.Errorf("telaio --help does not list upgrade:\n%s", out)
	}
}

func TestUpgradeUsageErrors(t *testing.T) {
	dir := upgradeDir(t, "every-rewrite.arazzo.yaml")
	f := filepath.Join(dir, "every-rewrite.arazzo.yaml")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no file", nil, "no file given"},
		{"two files", []string{f, f}, "one file at a time"},
		{"format", []string{"--format", "xml", f}, "--format must be text or json"},
		{"unknown flag", []string{"--bogus", f}, "unknown flag --bogus"},
		{"missing file", []string{filepath.Join(dir, "nope.arazzo.yaml")}, "cannot read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runUpgrade(t, dir, tt.args...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errOut, tt.want)
			}
		})
	}
}

// TestUpgradeStdout: without -w the upgraded document goes to stdout, the
// report (file:line:col per change) to stderr, and the file is untouched.
func TestUpgradeStdout(t *testing.T) {
	dir := upgradeDir(t, "every-rewrite.arazzo.yaml")
	f := filepath.Join(dir, "every-rewrite.arazzo.yaml")
	before, _ := os.ReadFile(f)
	code, out, errOut := runUpgrade(t, dir, f)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	after, _ := os.ReadFile(f)
	if string(after) != string(before) {
		t.Error("without -w the file must not change")
	}
	if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	check11(t, f)
	if !strings.HasPrefix(out, "# Every rewrite") || !strings.Contains(out, "arazzo: 1.1.0 # rewritten: 1.1.0") {
		t.Errorf("comments must stay:\n%s", out)
	}
	change := regexp.MustCompile(`^` + regexp.QuoteMeta(f) + `:\d+:\d+: changed .+ -> .+ \[[a-z-]+\]$`)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	for _, l := range lines[:len(lines)-1] {
		if !change.MatchString(l) {
			t.Errorf("report line %q is not file:line:col: changed old -> new [rule]", l)
		}
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "upgraded "+f+" from arazzo 1.0.1 to 1.1.0: ") || !strings.HasSuffix(last, ", 0 manual fixes") {
		t.Errorf("summary = %q", last)
	}
}

// TestUpgradeWrite: -w rewrites the file a symbolic link leads to, keeps
// its mode, and reports to stdout; a second run has nothing to do.
func TestUpgradeWrite(t *testing.T) {
	dir := upgradeDir(t, "every-rewrite.arazzo.yaml")
	f := filepath.Join(dir, "every-rewrite.arazzo.yaml")
	if err := os.Chmod(f, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.arazzo.yaml")
	if err := os.Symlink("every-rewrite.arazzo.yaml", link); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runUpgrade(t, dir, "-w", link)
	if code != exitOK || errOut != "" || !strings.Contains(out, "rewrote "+link+" from arazzo 1.0.1 to 1.1.0") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link must stay a link")
	}
	fi, err := os.Stat(f)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode())
	}
	text, _ := os.ReadFile(f)
	check11(t, f)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("a temporary file was left: %v", entries)
	}

	code, out, _ = runUpgrade(t, dir, "-w", f)
	again, _ := os.ReadFile(f)
	if code != exitOK || !strings.Contains(out, "already declares arazzo 1.1.0: nothing to do") || string(again) != string(text) {
		t.Errorf("second run: exit %d, %q", code, out)
	}
}

// TestUpgradeManualFixesExit1: manual fixes are listed at file:line:col of
// the upgraded text with their code, and the exit status is 1.
func TestUpgradeManualFixesExit1(t *testing.T) {
	dir := upgradeDir(t, "manual.arazzo.yaml")
	f := filepath.Join(dir, "manual.arazzo.yaml")
	code, out, errOut := runUpgrade(t, dir, f)
	if code != exitFailed || !strings.HasPrefix(out, "# ") {
		t.Fatalf("exit %d, want 1 with the document on stdout:\n%s", code, errOut)
	}
	for _, want := range []string{
		f + ":19:31: error: ", "[upgrade-grammar]",
		"[upgrade-selector-literal]", "[upgrade-anchored]",
		", 5 manual fixes\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

const invalid10 = `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions: [{name: api, url: ./openapi.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: getItem
        parameters: [{name: id, in: path, value: '1'}]
        outputs: {x: $steps.nope.outputs.y, y: $response.body.a}
`

// TestUpgradeRefusesInvalid: a document that is not valid 1.0 is refused
// (exit 1, its errors at file:line:col, the file untouched even with -w);
// --force upgrades it and lists its errors as manual fixes.
func TestUpgradeRefusesInvalid(t *testing.T) {
	dir := upgradeDir(t)
	f := filepath.Join(dir, "bad.arazzo.yaml")
	if err := os.WriteFile(f, []byte(invalid10), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runUpgrade(t, dir, "-w", f)
	for _, want := range []string{"is not a valid Arazzo 1.0 document", "--force", f + ":10:22: error: ", "[unknown-step]"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if text, _ := os.ReadFile(f); code != exitFailed || string(text) != invalid10 {
		t.Errorf("exit %d (want 1); the file must stay as it was", code)
	}

	code, out, _ = runUpgrade(t, dir, "-w", "--force", f)
	text, _ := os.ReadFile(f)
	if code != exitFailed || !strings.Contains(out, f+":10:22: error: ") || !strings.Contains(out, "2 changes, 1 manual fix") {
		t.Errorf("--force: exit %d:\n%s", code, out)
	}
	if !strings.Contains(string(text), "arazzo: 1.1.0\n") || !strings.Contains(string(text), "y: $response.body#/a}") {
		t.Errorf("--force: not upgraded:\n%s", text)
	}
}

func TestUpgradeJSON(t *testing.T) {
	dir := upgradeDir(t, "manual.arazzo.yaml")
	f := filepath.Join(dir, "manual.arazzo.yaml")
	code, out, _ := runUpgrade(t, dir, "-w", "--format", "json", f)
	var got struct {
		File, From, To   string
		Already, Written bool
		Changes          []struct {
			Line, Column int
			Rule         string
		}
		Manual []struct {
			Code string
			Line int
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if code != exitFailed || got.From != "1.0.1" || got.To != "1.1.0" || !got.Written || len(got.Changes) != 1 ||
		got.Changes[0].Rule != "version" || got.Changes[0].Line != 3 || len(got.Manual) != 5 || got.Manual[0].Code != "upgrade-grammar" {
		t.Errorf("exit %d, %+v", code, got)
	}
}
