package brokertest

import (
	"context"
	"errors"
	"fmt"
	"github.com/telaio/telaio/internal/testproc"
	"net"
	"os/exec"
	"syscall"
	"time"
)

// process is a broker child process with its output kept for diagnostics.
type process struct {
	name   string
	cmd    *exec.Cmd
	out    *testproc.Buffer
	exited chan struct{}
	err    error // set before exited is closed
}

func start(name string, cmd *exec.Cmd) (*process, error) {
	p := &process{name: name, cmd: cmd, out: &testproc.Buffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop sends SIGTERM to the process (by pid), waits up to grace, then
// SIGKILLs it.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// waitReady polls ready until it returns nil, the process exits, or timeout.
func (p *process) waitReady(timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited during start-up (%v); output:\n%s", p.name, p.err, p.out.Tail(4000))
		default:
		}
		if last = ready(); last == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %v (%v); output:\n%s", p.name, timeout, last, p.out.Tail(4000))
}

// dialReady succeeds once addr accepts TCP connections.
func dialReady(addr string) func() error {
	return func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	}
}

// amqpReady succeeds once addr answers an AMQP 0-9-1 protocol header with a
// method frame (connection.start): the broker has finished booting.
func amqpReady(addr string) func() error {
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write([]byte("AMQP\x00\x00\x09\x01")); err != nil {
			return err
		}
		var b [1]byte
		if _, err := c.Read(b[:]); err != nil {
			return err
		}
		if b[0] != 1 {
			return errors.New("no connection.start frame")
		}
		return nil
	}
}
