package report_test

import (
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/report"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    report.Spec
		wantErr bool
		unknown bool
	}{
		{in: "junit=out.xml", want: report.Spec{Format: report.FormatJUnit, Path: "out.xml"}},
		{in: "JSON=a=b.json", want: report.Spec{Format: report.FormatJSON, Path: "a=b.json"}},
		{in: " har =dir/x.har", want: report.Spec{Format: report.FormatHAR, Path: "dir/x.har"}},
		{in: "junit", wantErr: true},
		{in: "junit=", wantErr: true},
		{in: "=x", wantErr: true},
		{in: "xml=x", wantErr: true, unknown: true},
	}
	for _, tt := range tests {
		got, err := report.ParseSpec(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseSpec(%q) = %+v, %v", tt.in, got, err)
		}
		if errors.Is(err, report.ErrUnknownFormat) != tt.unknown {
			t.Errorf("ParseSpec(%q): errors.Is(ErrUnknownFormat) = %v", tt.in, !tt.unknown)
		}
		if err == nil && got.String() != tt.want.String() {
			t.Errorf("String() = %q", got.String())
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	res := []*executor.Result{tree()}
	for _, f := range report.Formats {
		s := report.Spec{Format: f, Path: filepath.Join(dir, "sub", "report."+string(f))}
		if err := s.WriteFile(res); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(s.Path)
		if err != nil || len(data) == 0 {
			t.Fatalf("%s: %v", s.Path, err)
		}
		if f == report.FormatJUnit {
			var doc junitSuites
			if err := xml.Unmarshal(data, &doc); err != nil || len(doc.Suites) != 4 {
				t.Errorf("junit file: %v", err)
			}
		}
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "sub"))
	if len(ents) != len(report.Formats) {
		t.Errorf("%d files left (temporary files?)", len(ents))
	}
	if err := (report.Spec{Format: "xml", Path: filepath.Join(dir, "x")}).WriteFile(res); !errors.Is(err, report.ErrUnknownFormat) {
		t.Errorf("err = %v", err)
	}
	if err := (report.Spec{Format: report.FormatJSON, Path: filepath.Join(dir, "sub", "report.json", "x")}).WriteFile(res); err == nil {
		t.Error("writing under a file succeeded")
	}
}
