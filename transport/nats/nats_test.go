package nats_test

import (
	"testing"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport/nats"
	"github.com/telaio/telaio/transport/transporttest"
)

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Setup {
		b := brokertest.NATS(t, brokertest.Options{})
		return transporttest.Setup{Driver: nats.Driver{}, Server: b.Server(), Stop: b.Stop}
	})
}

func TestConformanceWithPassword(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Setup {
		b := brokertest.NATS(t, brokertest.Options{Username: "alice", Password: brokertest.Secret()})
		return transporttest.Setup{Driver: nats.Driver{}, Server: b.Server(), Stop: b.Stop}
	})
}
