package brokertest

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// listening returns the local addresses (hex, as in /proc/net/tcp*) of the
// listening TCP sockets that process pid (or its children) holds.
func listening(t *testing.T, pid int) []string {
	t.Helper()
	inodes := map[string]bool{}
	pids := append([]int{pid}, children(pid)...)
	for _, p := range pids {
		fds, _ := filepath.Glob("/proc/" + strconv.Itoa(p) + "/fd/*")
		for _, fd := range fds {
			l, err := os.Readlink(fd)
			if err == nil && strings.HasPrefix(l, "socket:[") {
				inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
			}
		}
	}
	var out []string
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
				continue
			}
			if inodes[fields[9]] {
				out = append(out, fields[1])
			}
		}
		fh.Close()
	}
	return out
}

func children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(s); err == nil {
				out = append(out, c)
				out = append(out, children(c)...)
			}
		}
	}
	return out
}

func TestBrokersListenOnLoopbackOnly(t *testing.T) {
	r := rabbit.RabbitMQ(t)
	m := Mosquitto(t, Options{})
	for name, pids := range map[string][]int{"rabbitmq": r.pids, "mosquitto": m.pids} {
		n := 0
		for _, pid := range pids {
			for _, addr := range listening(t, pid) {
				n++
				host := addr[:strings.IndexByte(addr, ':')]
				// 0100007F is 127.0.0.1; the IPv6 form of ::1 ends in 01000000.
				if host != "0100007F" && host != "00000000000000000000000001000000" {
					t.Errorf("%s (pid %d) listens on %s", name, pid, addr)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no listening socket found", name)
		}
		t.Logf("%s: %d listening sockets, all on loopback", name, n)
	}
}
