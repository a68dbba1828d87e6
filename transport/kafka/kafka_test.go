package kafka_test

import (
	"testing"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport/kafka"
	"github.com/telaio/telaio/transport/transporttest"
)

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Setup {
		b := brokertest.Kafka(t, brokertest.Options{})
		return transporttest.Setup{Driver: kafka.Driver{}, Server: b.Server(), Stop: b.Stop, Lazy: true}
	})
}

func TestConformanceSASL(t *testing.T) {
	for _, mech := range []string{"plain", "scram-sha-256", "scram-sha-512"} {
		t.Run(mech, func(t *testing.T) {
			transporttest.Run(t, func(t *testing.T) transporttest.Setup {
				b := brokertest.Kafka(t, brokertest.Options{Username: "alice", Password: brokertest.Secret(), Mechanism: mech})
				return transporttest.Setup{Driver: kafka.Driver{}, Server: b.Server(), Stop: b.Stop, Lazy: true}
			})
		})
	}
}
