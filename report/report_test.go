package report_test

import (
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
	for _, f := range report.Formats() {
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
	if len(ents) != len(report.Formats()) {
		t.Errorf("%d files left (temporary files?)", len(ents))
	}
	if err := (report.Spec{Format: "xml", Path: filepath.Join(dir, "x")}).WriteFile(res); !errors.Is(err, report.ErrUnknownFormat) {
		t.Errorf("err = %v", err)
	}
	if err := (report.Spec{Format: report.FormatJSON, Path: filepath.Join(dir, "sub", "report.json", "x")}).WriteFile(res); err == nil {
		t.Error("writing under a file succeeded")
	}
}

// TestWriteFileSpecialFiles: a report to a symbolic link writes its target
// and keeps the link; to a named pipe or device, in place; a report that
// cannot be written is an error (issue 15).
func TestWriteFileSpecialFiles(t *testing.T) {
	res := []*executor.Result{{WorkflowID: "w", Success: true, Status: executor.StatusCompleted}}
	dir := t.TempDir()

	target := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	if err := (report.Spec{Format: report.FormatJSON, Path: link}).WriteFile(res); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if b, err := os.ReadFile(target); err != nil || !strings.Contains(string(b), `"workflowId": "w"`) {
		t.Errorf("the target holds %q, %v", b, err)
	}
	if a, _ := report.Target(link); a != target {
		t.Errorf("Target(link) = %s, want %s", a, target)
	}

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no mkfifo:", err)
	}
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if err := (report.Spec{Format: report.FormatJSON, Path: fifo}).WriteFile(res); err != nil {
		t.Fatal(err)
	}
	if s := <-got; !strings.Contains(s, `"success": true`) {
		t.Errorf("the pipe got %q", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v", fi)
	}
	if err := (report.Spec{Format: report.FormatJSON, Path: os.DevNull}).WriteFile(res); err != nil {
		t.Errorf("/dev/null: %v", err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Fatalf("%s is no longer a device: %v", os.DevNull, fi)
	}

	if err := (report.Spec{Format: report.FormatJSON, Path: dir}).WriteFile(res); err == nil {
		t.Error("a report to a directory must fail")
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if err := (report.Spec{Format: report.FormatJSON, Path: filepath.Join(ro, "r.json")}).WriteFile(res); err == nil {
			t.Error("a report in a read-only folder must fail")
		}
	}
}
