// Package testproc holds what runs a server next to a test, in process or
// as a child process: a free loopback port, and an output buffer its
// goroutines write while the test reads it.
package testproc

import (
	"bytes"
	"net"
	"sync"
)

// FreePort returns a TCP port free on 127.0.0.1 at the time of the call.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// MaxBuffer bounds a Buffer: past it, the older half is dropped.
const MaxBuffer = 1 << 20

// Buffer is a bytes.Buffer safe for concurrent writers and readers, which
// keeps at most about MaxBuffer bytes, the latest (chatty servers).
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b.Len()+len(p) > MaxBuffer {
		b.b.Next(b.b.Len() / 2)
	}
	return b.b.Write(p)
}

// String returns what the buffer holds.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Tail returns the last n bytes at most.
func (b *Buffer) Tail(n int) string {
	s := b.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
