package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// validateCLI runs "telaio validate args..." in-process.
func validateCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errw bytes.Buffer
	e := &env{stdout: &out, stderr: &errw, getenv: func(string) string { return "" }}
	code = runMain(context.Background(), append([]string{"validate"}, args...), e)
	return code, out.String(), errw.String()
}

// validateJSON is one diagnostic of --format json.
type validateJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

func decodeValidateJSON(t *testing.T, stdout string) []validateJSON {
	t.Helper()
	var out []validateJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("output is not a JSON array of diagnostics: %v\n%s", err, stdout)
	}
	if out == nil {
		t.Fatalf("output must be an array, even when empty: %s", stdout)
	}
	return out
}

const validateDir = "testdata/validate/"

func TestValidateExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"valid", []string{validateDir + "ok.arazzo.yaml"}, exitOK},
		{"warnings only", []string{validateDir + "warning.arazzo.yaml"}, exitOK},
		{"the bundled Stytch workflows", []string{"--root", "../..",
			"../../specs/stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml",
			"../../specs/stytch/arazzo/stytch-b2b-totp-enrollment-workflow.yml"}, exitOK},
		{"errors", []string{validateDir + "broken.arazzo.yaml"}, exitFailed},
		{"YAML syntax", []string{validateDir + "syntax.arazzo.yaml"}, exitFailed},
		{"one valid, one invalid", []string{validateDir + "ok.arazzo.yaml", validateDir + "broken.arazzo.yaml"}, exitFailed},
		{"json errors", []string{"--format", "json", validateDir + "broken.arazzo.yaml"}, exitFailed},
		{"missing file", []string{validateDir + "no-such.arazzo.yaml"}, exitUsage},
		{"missing file beats errors", []string{validateDir + "broken.arazzo.yaml", validateDir + "no-such.arazzo.yaml"}, exitUsage},
		{"a directory", []string{validateDir}, exitUsage},
		{"no file", nil, exitUsage},
		{"unknown format", []string{"--format", "xml", validateDir + "ok.arazzo.yaml"}, exitUsage},
		{"unknown flag", []string{"--no-such-flag", validateDir + "ok.arazzo.yaml"}, exitUsage},
		{"help", []string{"--help"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := validateCLI(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, stdout, stderr)
			}
		})
	}
}

// TestValidateStytch is the done-criterion: both bundled workflows give no
// diagnostic at all (text output says how many documents are valid).
func TestValidateStytch(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		code, stdout, stderr := validateCLI(t, "--format", format, "--root", "../..",
			"../../specs/stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml",
			"../../specs/stytch/arazzo/stytch-b2b-totp-enrollment-workflow.yml")
		want := "2 documents valid\n"
		if format == "json" {
			want = "[]\n"
		}
		if code != exitOK || stdout != want || stderr != "" {
			t.Errorf("--format %s: exit %d\nstdout:\n%s\nstderr:\n%s", format, code, stdout, stderr)
		}
	}
}

func TestValidateText(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"broken.arazzo.yaml", `testdata/validate/broken.arazzo.yaml:12:22: error: source "petstore" has no operation "listPet" (did you mean "listPets"?) [unknown-operation]
 12 |         operationId: listPet
    |                      ^
`},
		{"warning.arazzo.yaml", `testdata/validate/warning.arazzo.yaml:12:24: warning: the operation has operationId "getPet", which should be preferred over operationPath [prefer-operation-id]
 12 |         operationPath: '{$sourceDescriptions.petstore.url}#/paths/~1pets~1{petId}/get'
    |                        ^
1 document valid
`},
		{"syntax.arazzo.yaml", `testdata/validate/syntax.arazzo.yaml:5:2: error: invalid YAML: did not find expected key [yaml-syntax]
 5 |  sourceDescriptions:
   |  ^
`},
		{"ok.arazzo.yaml", "1 document valid\n"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, stdout, stderr := validateCLI(t, validateDir+tt.file)
			if stdout != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tt.want)
			}
			if stderr != "" {
				t.Errorf("stderr: %s", stderr)
			}
		})
	}
}

func TestValidateJSON(t *testing.T) {
	code, stdout, _ := validateCLI(t, "--format", "json", validateDir+"broken.arazzo.yaml", validateDir+"warning.arazzo.yaml", validateDir+"ok.arazzo.yaml")
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	got := decodeValidateJSON(t, stdout)
	want := []validateJSON{
		{File: validateDir + "broken.arazzo.yaml", Line: 12, Column: 22, Severity: "error", Code: "unknown-operation",
			Message: `source "petstore" has no operation "listPet" (did you mean "listPets"?)`},
		{File: validateDir + "warning.arazzo.yaml", Line: 12, Column: 24, Severity: "warning", Code: "prefer-operation-id",
			Message: `the operation has operationId "getPet", which should be preferred over operationPath`},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestValidateInvalidDocuments runs the command on every invalid test
// document of the arazzo package: each must exit 1 and report, at the
// right lines, the diagnostics its "# want:" header lists.
func TestValidateInvalidDocuments(t *testing.T) {
	files, err := filepath.Glob("../../arazzo/testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no documents: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			code, stdout, stderr := validateCLI(t, "--format", "json", "--root", "../../arazzo/testdata", file)
			if code != exitFailed {
				t.Fatalf("exit %d, want %d\n%s", code, exitFailed, stderr)
			}
			var got []string
			for _, d := range decodeValidateJSON(t, stdout) {
				if d.File == file {
					got = append(got, fmt.Sprintf("%s %d:%d", d.Code, d.Line, d.Column))
				}
			}
			want := headerWants(t, file)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// headerWants reads the "# want: CODE LINE:COL" lines of a test document
// (leaving out diagnostics in other files, "CODE FILE:LINE:COL").
func headerWants(t *testing.T, file string) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		w, ok := strings.CutPrefix(strings.TrimRight(sc.Text(), "\r"), "# want: ")
		if !ok {
			break
		}
		if _, where, _ := strings.Cut(w, " "); strings.Count(where, ":") == 1 {
			out = append(out, w)
		}
	}
	return out
}
