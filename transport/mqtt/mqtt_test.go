package mqtt_test

import (
	"testing"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport/mqtt"
	"github.com/telaio/telaio/transport/transporttest"
)

func TestConformance(t *testing.T) {
	for _, v := range []string{"3.1.1", "5"} {
		for _, auth := range []bool{false, true} {
			name := "v" + v
			if auth {
				name += "/password"
			}
			t.Run(name, func(t *testing.T) {
				transporttest.Run(t, func(t *testing.T) transporttest.Setup {
					var o brokertest.Options
					if auth {
						o = brokertest.Options{Username: "alice", Password: brokertest.Secret()}
					}
					b := brokertest.Mosquitto(t, o)
					s := b.Server()
					s.ProtocolVersion = v
					setup := transporttest.Setup{Driver: mqtt.Driver{}, Server: s, Stop: b.Stop, NoHeaders: !mqtt.SupportsHeaders(v)}
					if !setup.NoHeaders {
						setup.Headers = map[string]string{mqtt.HeaderCorrelationData: "c-1", mqtt.HeaderResponseTopic: "replies/1"}
					}
					return setup
				})
			})
		}
	}
}
