package brokertest

import (
	"net/url"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/telaio/telaio/transport"
)

// NATS starts an embedded nats-server on 127.0.0.1 with JetStream off. A
// Password without Username makes it require that token.
func NATS(t testing.TB, o Options) *Broker {
	t.Helper()
	opts := &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true, HTTPPort: 0}
	switch {
	case o.Username != "":
		opts.Username, opts.Password = o.Username, o.Password
	case o.Password != "":
		opts.Authorization = o.Password // token authentication
	}
	s, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatalf("nats-server: %v", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		t.Fatal("nats-server did not start in 10s")
	}
	u, err := url.Parse(s.ClientURL())
	if err != nil {
		s.Shutdown()
		t.Fatal(err)
	}
	b := &Broker{URL: u, Protocol: "nats", stop: func() { s.Shutdown(); s.WaitForShutdown() }}
	if o.Username != "" || o.Password != "" {
		b.Credentials = transport.Credentials{Username: o.Username, Password: o.Password}
	}
	t.Cleanup(b.Stop)
	return b
}

// Kafka starts an in-process kfake cluster of one broker on 127.0.0.1 that
// creates topics on first use (one partition unless DefaultNumPartitions is
// among extra). With o.Username, SASL is required with o.Mechanism.
func Kafka(t testing.TB, o Options, extra ...kfake.Opt) *Broker {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1)}
	if o.Username != "" {
		mech := strings.ToUpper(o.Mechanism)
		if mech == "" {
			mech = "PLAIN"
		}
		opts = append(opts, kfake.EnableSASL(), kfake.Superuser(mech, o.Username, o.Password))
	}
	opts = append(opts, extra...)
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	b := &Broker{
		URL:      &url.URL{Scheme: "kafka", Host: strings.Join(c.ListenAddrs(), ",")},
		Protocol: "kafka",
		stop:     c.Close,
	}
	if o.Username != "" {
		b.Credentials = transport.Credentials{Username: o.Username, Password: o.Password, Mechanism: o.Mechanism}
	}
	t.Cleanup(b.Stop)
	return b
}
