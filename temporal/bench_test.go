package temporal_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telaio/telaio/temporal"
)

// chainFlow is a workflow of n GET steps.
func chainFlow(n int) string {
	var b strings.Builder
	b.WriteString(`arazzo: 1.0.1
info: {title: bench, version: "1"}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: chain
    steps:
`)
	for i := range n {
		fmt.Fprintf(&b, "      - {stepId: s%d, operationId: getA, successCriteria: [{condition: $statusCode == 200}]}\n", i)
	}
	return b.String()
}

func medianOf(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// BenchmarkPerStepOverhead runs a 10-step plan, in every iteration, with
// Engine.Run, on Temporal with one activity per attempt, and on Temporal
// with local activities (idempotent steps), against one loopback API and
// one dev server (FastDynamicConfig). It reports the median per step of
// each and the ratios to Engine.Run.
func BenchmarkPerStepOverhead(b *testing.B) {
	const steps = 10
	c := dial(b, testKey)
	a := newAPI(b)
	eng, err := loadEngine(writeDocWith(b, chainFlow(steps)), a.srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	queue := queueName(b)
	startWorker(b, c, queue, eng)
	ctx := context.Background()
	onTemporal := func(opts ...temporal.RunOption) func() {
		return func() {
			run, err := temporal.Start(ctx, c, eng, "chain", nil, append(opts, temporal.WithTaskQueue(queue))...)
			if err != nil {
				b.Fatal(err)
			}
			if res, err := run.Result(ctx); err != nil || !res.Success {
				b.Fatal(err)
			}
		}
	}
	local := func() {
		if res, err := eng.Run(ctx, "chain", nil); err != nil || !res.Success {
			b.Fatal(err)
		}
	}
	remote, localAct := onTemporal(), onTemporal(temporal.WithLocalActivities())
	remote() // warm up
	var tl, tr, ta []time.Duration
	timed := func(d *[]time.Duration, f func()) {
		t := time.Now()
		f()
		*d = append(*d, time.Since(t))
	}
	for b.Loop() {
		timed(&tl, local)
		timed(&tr, remote)
		timed(&ta, localAct)
	}
	ml, mr, ma := medianOf(tl)/steps, medianOf(tr)/steps, medianOf(ta)/steps
	b.ReportMetric(float64(ml.Microseconds()), "engine-µs/step")
	b.ReportMetric(float64(mr)/1e6, "temporal-ms/step")
	b.ReportMetric(float64(ma)/1e6, "localact-ms/step")
	b.ReportMetric(float64(mr)/float64(ml), "ratio")
	b.ReportMetric(float64(ma)/float64(ml), "ratio-localact")
}

// BenchmarkConcurrentRuns starts 200 two-step runs at once on one
// in-process worker and waits for all: runs/s and latency percentiles.
func BenchmarkConcurrentRuns(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts []temporal.RunOption
	}{{"activities", nil}, {"local-activities", []temporal.RunOption{temporal.WithLocalActivities()}}} {
		b.Run(mode.name, func(b *testing.B) {
			const runs = 200
			c := dial(b, testKey)
			a := newAPI(b)
			eng, err := loadEngine(writeDocWith(b, chainFlow(2)), a.srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			queue := queueName(b)
			startWorker(b, c, queue, eng)
			ctx := context.Background()
			var lat []time.Duration
			var total time.Duration
			for b.Loop() {
				start := time.Now()
				var wg sync.WaitGroup
				var mu sync.Mutex
				errs := 0
				for range runs {
					wg.Go(func() {
						t := time.Now()
						run, err := temporal.Start(ctx, c, eng, "chain", nil, append(mode.opts, temporal.WithTaskQueue(queue))...)
						if err == nil {
							_, err = run.Result(ctx)
						}
						mu.Lock()
						defer mu.Unlock()
						if err != nil {
							errs++
						}
						lat = append(lat, time.Since(t))
					})
				}
				wg.Wait()
				total += time.Since(start)
				if errs > 0 {
					b.Fatalf("%d runs failed", errs)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(runs*b.N)/total.Seconds(), "runs/s")
			b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
			// The same 200 runs with Engine.Run, for scale.
			start := time.Now()
			var wg sync.WaitGroup
			for range runs {
				wg.Go(func() {
					if _, err := eng.Run(ctx, "chain", nil); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(runs)/time.Since(start).Seconds(), "engine-runs/s")
		})
	}
}

// BenchmarkMessageRun runs the specification's pet order example (a send,
// then the receive of its reply) on an embedded NATS broker with
// Engine.Run and on Temporal, where the run holds a session (created, the
// receive armed, the subscriptions dropped and the session completed: four
// activities besides the two attempts), interleaved; medians per run.
func BenchmarkMessageRun(b *testing.B) {
	c := dial(b, testKey)
	eng := petOrderEngine(b)
	queue := queueName(b)
	startWorker(b, c, queue, eng)
	ctx := context.Background()
	n := 0
	in := func() map[string]any {
		n++
		return map[string]any{"orderRequestId": fmt.Sprintf("bench-%d", n), "petId": 3}
	}
	local := func() {
		if res, err := eng.Run(ctx, "purchasePet", in()); err != nil || !res.Success {
			b.Fatal(err)
		}
	}
	remote := func() {
		run, err := temporal.Start(ctx, c, eng, "purchasePet", in(), temporal.WithTaskQueue(queue))
		if err != nil {
			b.Fatal(err)
		}
		if res, err := run.Result(ctx); err != nil || !res.Success {
			b.Fatal(err)
		}
	}
	remote() // warm up
	var tl, tr []time.Duration
	for b.Loop() {
		t := time.Now()
		local()
		tl = append(tl, time.Since(t))
		t = time.Now()
		remote()
		tr = append(tr, time.Since(t))
	}
	ml, mr := medianOf(tl), medianOf(tr)
	b.ReportMetric(float64(ml.Microseconds()), "engine-µs/run")
	b.ReportMetric(float64(mr)/1e6, "temporal-ms/run")
	b.ReportMetric(float64(mr)/float64(ml), "ratio")
}
