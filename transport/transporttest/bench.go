package transporttest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/telaio/telaio/transport"
)

// CorrelationHeader is the header BenchRoundTrip correlates on.
const CorrelationHeader = "corr"

// Direct performs one round trip with the client library alone: publish a
// message carrying CorrelationHeader=id on the benchmark's channel (with the
// same confirmation the driver waits for) and return once a message with that
// header came back through a subscription armed beforehand.
type Direct func(ctx context.Context, id string) error

// BenchRoundTrip measures a publish plus correlated receive through c
// against the same round trip written with the client library (direct),
// interleaved in one run (the order alternates every iteration) so that
// both see the same machine. It reports driver-ns/op, direct-ns/op and
// ratio (driver / direct). sub must be armed on ch (through c or another
// Conn of the same driver).
func BenchRoundTrip(b *testing.B, c transport.Conn, ch transport.Channel, sub transport.Subscription, direct Direct) {
	viaDriver := func(ctx context.Context, id string) error {
		m := &transport.Message{Channel: ch, Headers: map[string]string{CorrelationHeader: id}, Payload: []byte(`{"id":"` + id + `"}`)}
		if _, err := c.Publish(ctx, m); err != nil {
			return err
		}
		for {
			d, err := sub.Next(ctx)
			if err != nil {
				return err
			}
			if d.Headers[CorrelationHeader] == id {
				return nil
			}
		}
	}
	BenchCompare(b, "driver", viaDriver, "direct", direct)
}

// BenchCompare measures two implementations of the same round trip, x (the
// one under test) and ref (the reference), interleaved in one run: every
// iteration runs both with the same id, the order alternating, so that both
// see the same machine (ids are r1, r2, ...). It reports <xName>-ns/op, <refName>-ns/op and ratio
// (x / ref). Both get the same context, with a deadline (some clients need
// one).
func BenchCompare(b *testing.B, xName string, x Direct, refName string, ref Direct) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	var xd, rd time.Duration
	n := 0
	run := func(f Direct, id string, acc *time.Duration) {
		start := time.Now()
		if err := f(ctx, id); err != nil {
			b.Fatal(err)
		}
		*acc += time.Since(start)
	}
	for b.Loop() {
		n++
		id := "r" + strconv.Itoa(n)
		if n%2 == 0 {
			run(x, id, &xd)
			run(ref, id, &rd)
		} else {
			run(ref, id, &rd)
			run(x, id, &xd)
		}
	}
	if n == 0 || rd == 0 {
		return
	}
	b.ReportMetric(float64(xd.Nanoseconds())/float64(n), xName+"-ns/op")
	b.ReportMetric(float64(rd.Nanoseconds())/float64(n), refName+"-ns/op")
	b.ReportMetric(float64(xd)/float64(rd), "ratio")
}
