package temporal

import (
	"context"
	"fmt"
	"time"

	"github.com/telaio/telaio/executor"
)

// DefaultWatchInterval is how often Watch asks a run for its new steps.
const DefaultWatchInterval = 250 * time.Millisecond

// Steps asks the run for the step executions it finished from index from
// on, in the order they finished (the steps query; a closed run answers
// too, from its history, while a worker is up).
func (r Run) Steps(ctx context.Context, from int) (StepsPage, error) {
	var p StepsPage
	if r.c == nil {
		return p, ErrNoClient
	}
	v, err := r.c.QueryWorkflow(ctx, r.ID, r.RunID, QuerySteps, from)
	if err != nil {
		return p, fmt.Errorf("temporal: steps of %s: %w", r.ID, err)
	}
	return p, v.Get(&p)
}

// Watch waits for the run's end as Result does and meanwhile tells obs of
// each step execution the run finishes, once and in order: an
// executor.StepFinished event with WorkflowID, StepID, Depth and Step (a
// StepEvent's). It asks the run every interval (DefaultWatchInterval when
// 0 or less); a question that fails (no worker up at that moment) is asked
// again at the next tick, and steps still untold when the run ends are
// told from its Result. obs is called from Watch's goroutine.
func (r Run) Watch(ctx context.Context, obs executor.Observer, interval time.Duration) (*executor.Result, error) {
	if r.c == nil {
		return nil, ErrNoClient
	}
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	type end struct {
		res *executor.Result
		err error
	}
	done := make(chan end, 1)
	go func() {
		res, err := r.Result(ctx)
		done <- end{res, err}
	}()
	told := 0
	tell := func() error {
		for {
			page, err := r.Steps(ctx, told)
			if err != nil {
				return err
			}
			for _, ev := range page.Steps {
				if ev.Step != nil {
					obs.Observe(executor.Event{Kind: executor.StepFinished, WorkflowID: ev.WorkflowID, StepID: ev.Step.StepID, Depth: ev.Depth, Step: ev.Step})
				}
			}
			told += len(page.Steps)
			if !page.More || len(page.Steps) == 0 {
				return nil
			}
		}
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case e := <-done:
			if e.res != nil && tell() != nil {
				n := 0
				finished(e.res, 0, func(ev executor.Event) {
					if n++; n > told {
						obs.Observe(ev)
					}
				})
			}
			return e.res, e.err
		case <-tick.C:
			_ = tell() // asked again at the next tick
		}
	}
}

// finished calls fn with a StepFinished event for each step execution of
// res in the order a run finishes them: the dependencies, then each step
// after the workflow it called, then the workflow a goto transferred to.
func finished(res *executor.Result, depth int, fn func(executor.Event)) {
	for _, d := range res.Dependencies {
		finished(d, depth+1, fn)
	}
	for _, s := range res.Steps {
		if s.Workflow != nil {
			finished(s.Workflow, depth+1, fn)
		}
		fn(executor.Event{Kind: executor.StepFinished, WorkflowID: res.WorkflowID, StepID: s.StepID, Depth: depth, Step: s})
	}
	if res.Transfer != nil {
		finished(res.Transfer, depth, fn)
	}
}
