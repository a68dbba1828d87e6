package brokertest

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"github.com/telaio/telaio/internal/testproc"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/telaio/telaio/transport"
)

// Mosquitto starts Debian's mosquitto (MQTT 3.1, 3.1.1 and 5) on a free
// loopback port, in a temporary directory, without persistence. With
// o.Username it requires that user's password; otherwise it is anonymous.
func Mosquitto(t testing.TB, o Options) *Broker {
	t.Helper()
	bin := requireBinary(t, "mosquitto", "mosquitto")
	dir := t.TempDir()
	port, err := testproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("listener %d 127.0.0.1\npersistence false\nlog_dest stderr\n", port)
	if os.Geteuid() == 0 {
		conf += "user root\n" // else it drops to user mosquitto, who cannot read dir
	}
	if o.Username != "" {
		line, err := mosquittoPasswd(o.Username, o.Password)
		if err != nil {
			t.Fatal(err)
		}
		pw := filepath.Join(dir, "passwd")
		if err := os.WriteFile(pw, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		conf += "allow_anonymous false\npassword_file " + pw + "\n"
	} else {
		conf += "allow_anonymous true\n"
	}
	cf := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := start("mosquitto", exec.Command(bin, "-c", cf))
	if err != nil {
		t.Fatal(err)
	}
	addr := hostPort(port)
	if err := p.waitReady(15*time.Second, dialReady(addr)); err != nil {
		p.stop(time.Second)
		t.Fatal(err)
	}
	b := &Broker{URL: &url.URL{Scheme: "mqtt", Host: addr}, Protocol: "mqtt", stop: func() { p.stop(5 * time.Second) },
		pids: []int{p.cmd.Process.Pid}}
	if o.Username != "" {
		b.Credentials = transport.Credentials{Username: o.Username, Password: o.Password}
	}
	t.Cleanup(b.Stop)
	return b
}

// mosquittoPasswd returns a password file line in mosquitto's "$7$" format
// (PBKDF2-SHA512, 101 iterations), as mosquitto_passwd writes it.
func mosquittoPasswd(user, pass string) (string, error) {
	salt := make([]byte, 12)
	_, _ = rand.Read(salt)
	key, err := pbkdf2.Key(sha512.New, pass, salt, 101, 64)
	if err != nil {
		return "", err
	}
	enc := base64.StdEncoding
	return fmt.Sprintf("%s:$7$101$%s$%s\n", user, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}
