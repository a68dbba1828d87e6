package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/transport/amqp"
	"github.com/telaio/telaio/transport/kafka"
	"github.com/telaio/telaio/transport/mqtt"
	"github.com/telaio/telaio/transport/nats"
)

// messageOptions registers the four broker drivers: the command line runs
// the message steps of any AsyncAPI source (a library user registers only
// the brokers it needs).
func messageOptions() []executor.Option {
	return []executor.Option{
		executor.WithTransport(nats.Driver{}),
		executor.WithTransport(kafka.Driver{}),
		executor.WithTransport(mqtt.Driver{}),
		executor.WithTransport(amqp.Driver{}),
	}
}

// brokerTLS builds the TLS configuration of broker connections from
// --tls-cert, --tls-key and --tls-ca; nil when none is given.
func brokerTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" && caFile == "" {
		return nil, nil
	}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("--tls-cert and --tls-key go together: give both")
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %v", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca: %s holds no PEM certificate", caFile)
		}
		c.RootCAs = pool
	}
	return c, nil
}
