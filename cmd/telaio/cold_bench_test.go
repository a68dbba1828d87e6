package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkColdRun times whole `telaio run` processes: the SMS seed against
// an in-process Stytch fake on 127.0.0.1, as a user's shell would start
// them. Each sub-benchmark reports the median wall time (median-ms) beside
// the mean (ns/op). The references in the same run are the floor of this
// machine: an empty Go program, and `telaio version` (process start and
// package initialisation, no work).
//
//	go test -run '^$' -bench ColdRun ./cmd/telaio
func BenchmarkColdRun(b *testing.B) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command on PATH")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "telaio")
	build(b, exec.Command(goTool, "build", "-o", bin, "."))
	emptyDir := filepath.Join(dir, "empty")
	if err := os.MkdirAll(emptyDir, 0o755); err != nil {
		b.Fatal(err)
	}
	writeFile(b, filepath.Join(emptyDir, "go.mod"), "module empty\n\ngo 1.26\n")
	writeFile(b, filepath.Join(emptyDir, "main.go"), "package main\n\nfunc main() {}\n")
	empty := filepath.Join(dir, "empty-program")
	cmd := exec.Command(goTool, "build", "-o", empty, ".")
	cmd.Dir = emptyDir
	build(b, cmd)

	_, url := stytchServer(b)
	specs, err := filepath.Abs("../../specs")
	if err != nil {
		b.Fatal(err)
	}
	seed := filepath.Join(specs, "stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml")
	args := []string{"run", seed, "--quiet", "--root", specs, "--server", "stytchB2bApi=" + url,
		"--auth", "basicAuth=" + projectID + ":" + secret, "--input", "organization_id=organization-test-1",
		"--input", "member_id=member-test-1", "--input", "code=246810"}
	cache := filepath.Join(dir, "cache")

	b.Run("empty-go-program", func(b *testing.B) { timeProcess(b, nil, empty) })
	b.Run("version", func(b *testing.B) { timeProcess(b, nil, bin, "version") })
	b.Run("run-warm-cache", func(b *testing.B) {
		env := []string{"TELAIO_CACHE_DIR=" + cache}
		start(b, env, bin, args...) // fills the plan cache
		timeProcess(b, env, bin, args...)
	})
	b.Run("run-no-cache", func(b *testing.B) { timeProcess(b, []string{"TELAIO_CACHE_DIR=off"}, bin, args...) })
	// Four runs of the seed in one process (one file named four times):
	// the per-run cost beyond the first is (this - run-warm-cache) / 3.
	four := append([]string{"run", seed, seed, seed}, args[1:]...)
	b.Run("run-4x-warm-cache", func(b *testing.B) { timeProcess(b, []string{"TELAIO_CACHE_DIR=" + cache}, bin, four...) })
}

func build(b *testing.B, cmd *exec.Cmd) {
	b.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, out)
	}
}

func writeFile(b *testing.B, name, text string) {
	b.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
}

// start runs a process to completion and fails the benchmark if it fails.
func start(b *testing.B, env []string, name string, args ...string) {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, out)
	}
}

func timeProcess(b *testing.B, env []string, name string, args ...string) {
	var times []time.Duration
	for b.Loop() {
		t := time.Now()
		start(b, env, name, args...)
		times = append(times, time.Since(t))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2])/float64(time.Millisecond), "median-ms")
}
