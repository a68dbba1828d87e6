// Package brokertest starts real message brokers on loopback for tests and
// stops them when the test ends: embedded NATS (nats-server) and Kafka
// (kfake) in-process, Debian's mosquitto and rabbitmq-server as child
// processes in temporary directories.
//
// Every broker listens on 127.0.0.1 only, on free ports, so parallel test
// packages do not collide. A broker binary that is not installed skips the
// test with the install command, except when the environment has CI=true:
// then the test fails, so that CI cannot go green by skipping.
//
// RabbitMQ takes seconds to start: start it once per test package with a
// package-level Shared and stop it in TestMain:
//
//	var rabbit brokertest.Shared
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		rabbit.Stop()
//		os.Exit(code)
//	}
//
//	func TestX(t *testing.T) {
//		b := rabbit.RabbitMQ(t) // started by the first caller
//		...
//	}
package brokertest
