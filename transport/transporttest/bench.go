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
	// Both sides get the same context, with a deadline (some clients need one).
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	viaDriver := func(id string) error {
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
	var drv, dir time.Duration
	n := 0
	for b.Loop() {
		n++
		id := strconv.Itoa(n)
		run := func(f func(string) error, acc *time.Duration) {
			start := time.Now()
			if err := f(id); err != nil {
				b.Fatal(err)
			}
			*acc += time.Since(start)
		}
		directFn := func(id string) error { return direct(ctx, id) }
		if n%2 == 0 {
			run(viaDriver, &drv)
			run(directFn, &dir)
		} else {
			run(directFn, &dir)
			run(viaDriver, &drv)
		}
	}
	if n == 0 || dir == 0 {
		return
	}
	b.ReportMetric(float64(drv.Nanoseconds())/float64(n), "driver-ns/op")
	b.ReportMetric(float64(dir.Nanoseconds())/float64(n), "direct-ns/op")
	b.ReportMetric(float64(drv)/float64(dir), "ratio")
}
