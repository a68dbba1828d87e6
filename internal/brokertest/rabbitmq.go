package brokertest

import (
	"fmt"
	"github.com/telaio/telaio/internal/testproc"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/telaio/telaio/transport"
)

// RabbitMQStartTimeout bounds RabbitMQ's boot (about 15 s on 2 cores).
const RabbitMQStartTimeout = 120 * time.Second

// Shared starts a broker once for a whole test package. The zero value is
// ready; call Stop from TestMain after m.Run.
type Shared struct {
	once    sync.Once
	b       *Broker
	err     error
	missing string
}

// RabbitMQ returns the package's RabbitMQ broker, starting it on the first
// call. The broker requires a generated user and password (in
// Broker.Credentials) and is not stopped by t.Cleanup: Stop does it.
func (s *Shared) RabbitMQ(t testing.TB) *Broker {
	t.Helper()
	s.once.Do(func() {
		var bin string
		bin, s.missing = rabbitBinary()
		if s.missing != "" {
			return
		}
		s.b, s.err = StartRabbitMQ(bin)
	})
	if s.missing != "" {
		missing(t, s.missing)
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.b
}

// Stop stops the shared broker if it was started.
func (s *Shared) Stop() {
	if s.b != nil {
		s.b.Stop()
	}
}

func rabbitBinary() (string, string) {
	// Debian's /usr/sbin/rabbitmq-server switches to user rabbitmq; the
	// script it wraps runs the node as the current user.
	const direct = "/usr/lib/rabbitmq/bin/rabbitmq-server"
	if _, err := os.Stat(direct); err == nil {
		return direct, ""
	}
	if p, err := lookBinary("rabbitmq-server"); err == nil {
		return p, ""
	}
	return "", "rabbitmq-server is not installed: apt-get update && apt-get install -y --no-install-recommends rabbitmq-server"
}

// StartRabbitMQ starts a RabbitMQ node from the rabbitmq-server script bin,
// with every socket on 127.0.0.1: its own epmd on a free port (started and
// stopped here, by pid), a free AMQP port and a free distribution port, a
// unique node name, and configuration, data and logs in a new temporary
// directory (nothing under /etc or /var is read or written). It returns when
// the node answers AMQP. The caller must Stop the broker.
func StartRabbitMQ(bin string) (*Broker, error) {
	epmdBin, err := lookBinary("epmd")
	if err != nil {
		return nil, fmt.Errorf("epmd (erlang-base) not found: %w", err)
	}
	dir, err := os.MkdirTemp("", "telaio-rabbitmq-")
	if err != nil {
		return nil, err
	}
	var procs []*process
	cleanup := func() {
		for i := len(procs) - 1; i >= 0; i-- {
			procs[i].stop(15 * time.Second)
		}
		_ = os.RemoveAll(dir)
	}
	fail := func(err error) (*Broker, error) { cleanup(); return nil, err }

	var ports [3]int // epmd, amqp, distribution
	for i := range ports {
		if ports[i], err = testproc.FreePort(); err != nil {
			return fail(err)
		}
	}
	epmdPort, amqpPort, distPort := ports[0], ports[1], ports[2]
	user, pass := "telaio", Secret()
	conf := fmt.Sprintf(`listeners.tcp.default = 127.0.0.1:%d
loopback_users = none
default_user = %s
default_pass = %s
log.console = true
log.console.level = warning
log.file = false
`, amqpPort, user, pass)
	files := map[string]string{
		"rabbitmq.conf":     conf,
		"rabbitmq-env.conf": "",
		"enabled_plugins":   "[].\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			return fail(err)
		}
	}
	for _, sub := range []string{"home", "mnesia", "log"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			return fail(err)
		}
	}
	env := append(os.Environ(),
		"HOME="+filepath.Join(dir, "home"), // the Erlang cookie lives here
		"ERL_EPMD_ADDRESS=127.0.0.1",
		"ERL_EPMD_PORT="+strconv.Itoa(epmdPort),
	)

	epmdCmd := exec.Command(epmdBin, "-address", "127.0.0.1", "-port", strconv.Itoa(epmdPort))
	epmdCmd.Env = env
	epmd, err := start("epmd", epmdCmd)
	if err != nil {
		return fail(err)
	}
	procs = append(procs, epmd)
	if err := epmd.waitReady(10*time.Second, dialReady(hostPort(epmdPort))); err != nil {
		return fail(err)
	}

	cmd := exec.Command(bin)
	cmd.Env = append(env,
		"RABBITMQ_CONF_ENV_FILE="+filepath.Join(dir, "rabbitmq-env.conf"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(dir, "rabbitmq.conf"),
		"RABBITMQ_ADVANCED_CONFIG_FILE="+filepath.Join(dir, "advanced.config"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(dir, "enabled_plugins"),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(dir, "log"),
		"RABBITMQ_PID_FILE="+filepath.Join(dir, "rabbit.pid"),
		"RABBITMQ_NODENAME=telaio-"+Secret()[:8]+"@localhost",
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_NODE_PORT="+strconv.Itoa(amqpPort),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(distPort),
		"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
	)
	rabbit, err := start("rabbitmq-server", cmd)
	if err != nil {
		return fail(err)
	}
	procs = append(procs, rabbit)
	addr := hostPort(amqpPort)
	if err := rabbit.waitReady(RabbitMQStartTimeout, amqpReady(addr)); err != nil {
		return fail(err)
	}
	return &Broker{
		URL:         &url.URL{Scheme: "amqp", Host: addr, Path: "/"},
		Protocol:    "amqp",
		Credentials: transport.Credentials{Username: user, Password: pass},
		stop:        cleanup,
		pids:        []int{epmd.cmd.Process.Pid, rabbit.cmd.Process.Pid},
	}, nil
}
