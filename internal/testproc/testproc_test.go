package testproc

import (
	"strings"
	"testing"
)

func TestBufferKeepsTheLatest(t *testing.T) {
	var b Buffer
	chunk := strings.Repeat("x", 1000) + "\n"
	for range 3 * MaxBuffer / len(chunk) {
		b.Write([]byte(chunk))
	}
	b.Write([]byte("last line\n"))
	if n := len(b.String()); n > MaxBuffer {
		t.Errorf("%d bytes kept", n)
	}
	if !strings.HasSuffix(b.Tail(100), "last line\n") || len(b.Tail(100)) != 100 {
		t.Errorf("tail %q", b.Tail(100))
	}
}

func TestFreePort(t *testing.T) {
	p, err := FreePort()
	if err != nil || p <= 0 {
		t.Fatal(p, err)
	}
}
