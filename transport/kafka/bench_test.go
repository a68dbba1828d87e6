package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/internal/enginebench"
	"github.com/telaio/telaio/transport/kafka"
	"github.com/telaio/telaio/transport/transporttest"
)

// BenchmarkRoundTrip compares a produce + correlated consume through the
// driver with the same round trip on franz-go alone (ProduceSync with no
// linger; a client consuming the partitions from their end offsets).
func BenchmarkRoundTrip(b *testing.B) {
	br := brokertest.Kafka(b, brokertest.Options{})
	ctx := context.Background()
	c, err := kafka.Driver{}.Dial(ctx, br.Server())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ch := transport.Channel{Address: "bench-driver"}
	sub, err := c.Subscribe(ctx, ch, transport.SubscribeOptions{})
	if err != nil {
		b.Fatal(err)
	}

	seeds := kgo.SeedBrokers(br.Addr())
	prod, err := kgo.NewClient(seeds, kgo.ProducerLinger(0), kgo.AllowAutoTopicCreation())
	if err != nil {
		b.Fatal(err)
	}
	defer prod.Close()
	const topic = "bench-direct"
	// Create the topic and arm at its end, as the driver does.
	if err := prod.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("warm-up")}).FirstErr(); err != nil {
		b.Fatal(err)
	}
	ends, err := kadm.NewClient(prod).ListEndOffsets(ctx, topic)
	if err != nil {
		b.Fatal(err)
	}
	parts := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) { parts[o.Partition] = kgo.NewOffset().At(o.Offset) })
	cons, err := kgo.NewClient(seeds, kgo.FetchMaxWait(500*time.Millisecond),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: parts}))
	if err != nil {
		b.Fatal(err)
	}
	defer cons.Close()
	var pending []*kgo.Record
	direct := func(ctx context.Context, id string) error {
		rec := &kgo.Record{Topic: topic, Value: []byte(`{"id":"` + id + `"}`),
			Headers: []kgo.RecordHeader{{Key: transporttest.CorrelationHeader, Value: []byte(id)}}}
		if err := prod.ProduceSync(ctx, rec).FirstErr(); err != nil {
			return err
		}
		for {
			for len(pending) > 0 {
				r := pending[0]
				pending = pending[1:]
				for _, h := range r.Headers {
					if h.Key == transporttest.CorrelationHeader && string(h.Value) == id {
						return nil
					}
				}
			}
			fs := cons.PollFetches(ctx)
			if err := fs.Err0(); err != nil {
				return err
			}
			pending = fs.Records()
		}
	}
	transporttest.BenchRoundTrip(b, c, ch, sub, direct)
}

// BenchmarkEngineRoundTrip compares an Engine.Run of a two-step Arazzo 1.1
// workflow (send with header corr, then the correlated receive on the same
// topic) with the same work on franz-go alone. A run arms its receive when
// the workflow starts and closes it when the run ends, on a producer client
// the Engine made once; arming a Kafka subscription is listing the topic's
// end offsets and starting a consumer client at them. So the library side
// does that per round trip too: ListEndOffsets, a new client consuming the
// partitions from there, ProduceSync with no linger, poll until the
// correlated record, close the consumer.
func BenchmarkEngineRoundTrip(b *testing.B) {
	br := brokertest.Kafka(b, brokertest.Options{})
	engine := enginebench.Engine(b, enginebench.Config{Driver: kafka.Driver{}, Broker: br, Address: "bench-engine"})

	ctx := context.Background()
	seeds := kgo.SeedBrokers(br.Addr())
	prod, err := kgo.NewClient(seeds, kgo.ProducerLinger(0), kgo.AllowAutoTopicCreation())
	if err != nil {
		b.Fatal(err)
	}
	defer prod.Close()
	adm := kadm.NewClient(prod)
	const topic = "bench-direct"
	// Create the topic first, as the engine's first run does.
	if err := prod.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("warm-up")}).FirstErr(); err != nil {
		b.Fatal(err)
	}
	direct := func(ctx context.Context, id string) error {
		ends, err := adm.ListEndOffsets(ctx, topic)
		if err != nil {
			return err
		}
		parts := map[int32]kgo.Offset{}
		ends.Each(func(o kadm.ListedOffset) { parts[o.Partition] = kgo.NewOffset().At(o.Offset) })
		cons, err := kgo.NewClient(seeds, kgo.FetchMaxWait(500*time.Millisecond),
			kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: parts}))
		if err != nil {
			return err
		}
		defer cons.Close()
		rec := &kgo.Record{Topic: topic, Value: []byte(`{"id":"` + id + `"}`),
			Headers: []kgo.RecordHeader{{Key: transporttest.CorrelationHeader, Value: []byte(id)}}}
		if err := prod.ProduceSync(ctx, rec).FirstErr(); err != nil {
			return err
		}
		for {
			fs := cons.PollFetches(ctx)
			if err := fs.Err0(); err != nil {
				return err
			}
			for _, r := range fs.Records() {
				for _, h := range r.Headers {
					if h.Key == transporttest.CorrelationHeader && string(h.Value) == id {
						return nil
					}
				}
			}
		}
	}
	transporttest.BenchCompare(b, "engine", engine, "direct", direct)
}
