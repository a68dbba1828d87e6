// Package devserver starts and stops a Temporal development server (the
// temporal CLI's "server start-dev") on free loopback ports, for tests and
// benchmarks that need a real server.
//
//	srv, err := devserver.Start(ctx, devserver.Options{})
//	if errors.Is(err, devserver.ErrNoBinary) { t.Skip(devserver.BuildHint) }
//	defer srv.Stop()
//	c, err := client.Dial(client.Options{HostPort: srv.Addr})
//
// The binary is found through $TELAIO_TEMPORAL_BIN, then PATH, then
// $HOME/.cache/telaio-tools/bin/temporal.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"github.com/telaio/telaio/internal/testproc"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
)

// BinEnv names the environment variable that points at the temporal CLI.
const BinEnv = "TELAIO_TEMPORAL_BIN"

// BuildHint says how to build the binary.
const BuildHint = "the temporal CLI was not found ($" + BinEnv + ", PATH, ~/.cache/telaio-tools/bin): build it with " +
	"GOBIN=$HOME/.cache/telaio-tools/bin go install github.com/temporalio/cli/cmd/temporal@v1.5.1 (about 12 minutes)"

// ErrNoBinary reports that the temporal CLI was not found.
var ErrNoBinary = errors.New("devserver: temporal CLI not found")

// DefaultStartTimeout bounds the wait for a started server to answer.
const DefaultStartTimeout = 60 * time.Second

// Options configure Start.
type Options struct {
	// DBFile keeps the server's state in a SQLite file ("": in memory).
	DBFile string
	// SearchAttributes registers search attributes (name to type, e.g.
	// "TelaioStatus": "Keyword").
	SearchAttributes map[string]string
	// DynamicConfig sets dynamic configuration values (JSON values).
	DynamicConfig map[string]string
	// StartTimeout bounds the wait for the server (DefaultStartTimeout).
	StartTimeout time.Duration
	// Log receives the server's output (nil: kept in memory, returned
	// by Server.Log).
	Log *os.File
}

// FastDynamicConfig lowers the dispatch latency of a one-shard dev server
// (results.md: the default transfer queue poll rate of 20/s costs ~40 ms per
// task).
func FastDynamicConfig() map[string]string {
	return map[string]string{
		"history.transferProcessorMaxPollRPS":   "1000",
		"matching.numTaskqueueReadPartitions":   "1",
		"matching.numTaskqueueWritePartitions":  "1",
		"history.timerProcessorMaxPollRPS":      "1000",
		"history.visibilityProcessorMaxPollRPS": "1000",
	}
}

// Server is a running dev server.
type Server struct {
	// Addr is the frontend's host:port.
	Addr string
	cmd  *exec.Cmd
	log  *testproc.Buffer
	done chan struct{}
	once sync.Once
}

// Binary finds the temporal CLI.
func Binary() (string, error) {
	if p := os.Getenv(BinEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: $%s=%s: %v", ErrNoBinary, BinEnv, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "telaio-tools", "bin", "temporal")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBinary
}

// Start starts a server and waits until it answers.
func Start(ctx context.Context, o Options) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	ports := make([]int, 3)
	for i := range ports {
		if ports[i], err = testproc.FreePort(); err != nil {
			return nil, err
		}
	}
	args := []string{"server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", strconv.Itoa(ports[0]),
		"--http-port", strconv.Itoa(ports[1]), "--metrics-port", strconv.Itoa(ports[2]), "--log-level", "error"}
	if o.DBFile != "" {
		args = append(args, "--db-filename", o.DBFile)
	}
	for k, v := range o.SearchAttributes {
		args = append(args, "--search-attribute", k+"="+v)
	}
	for k, v := range o.DynamicConfig {
		args = append(args, "--dynamic-config-value", k+"="+v)
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])), log: &testproc.Buffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, args...)
	if o.Log != nil {
		s.cmd.Stdout, s.cmd.Stderr = o.Log, o.Log
	} else {
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	timeout := o.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		c, err := client.DialContext(wctx, client.Options{HostPort: s.Addr, Logger: quiet{}})
		if err == nil {
			_, err = c.CheckHealth(wctx, &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("devserver: the server exited: %s", s.log.String())
		case <-wctx.Done():
			s.Stop()
			return nil, fmt.Errorf("devserver: no answer within %v: %v", timeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Log is what the server wrote (when Options.Log was nil).
func (s *Server) Log() string { return s.log.String() }

// Stop stops the server (SIGTERM, then SIGKILL after 10 s) and waits.
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// quiet is a client logger that drops everything (the dial loop retries).
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}
