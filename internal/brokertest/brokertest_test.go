package brokertest

import (
	"os"
	"testing"
)

var rabbit Shared

func TestMain(m *testing.M) {
	code := m.Run()
	rabbit.Stop()
	os.Exit(code)
}

func TestRabbitMQStartsAndAnswersAMQP(t *testing.T) {
	b := rabbit.RabbitMQ(t)
	if err := amqpReady(b.Addr())(); err != nil {
		t.Fatal(err)
	}
	b2 := rabbit.RabbitMQ(t)
	if b2 != b {
		t.Fatal("Shared started a second broker")
	}
}

func TestMosquittoWithPassword(t *testing.T) {
	b := Mosquitto(t, Options{Username: "u", Password: "p"})
	if err := dialReady(b.Addr())(); err != nil {
		t.Fatal(err)
	}
	b.Stop()
	if err := dialReady(b.Addr())(); err == nil {
		t.Fatal("mosquitto still listening after Stop")
	}
}
