package expr

import (
	"context"
	"fmt"
)

// budget meters one evaluation: the work it does, against MaxEvalCost, and
// the end of its context. The engines that cannot be interrupted from
// outside call charge as they work (the XPath navigator, the reader a
// regular expression reads its input from); charge panics with an
// evalAbort when the work or the context runs out, recovered where the
// engine is called. A budget is used by one goroutine at a time.
type budget struct {
	ctx  context.Context
	done <-chan struct{} // nil for a context that never ends
	// left is the work still allowed; tick is the work until the next look
	// at ctx.
	left, tick, limit int64
	err               error // why the evaluation stopped
}

// ctxCheckEvery is the work done between two looks at the context: about
// ten microseconds, so that an evaluation stops promptly without paying for
// a look at every step.
const ctxCheckEvery = 1024

func newBudget(ctx context.Context, limit int) *budget {
	if ctx == nil {
		ctx = context.Background()
	}
	return &budget{ctx: ctx, done: ctx.Done(), left: int64(limit), limit: int64(limit), tick: ctxCheckEvery}
}

// evalAbort is the panic value with which charge stops an engine.
type evalAbort struct{ b *budget }

// charge spends n units, and stops the evaluation (by panicking with an
// evalAbort) when the budget or the context has run out.
func (b *budget) charge(n int64) {
	b.left -= n
	b.tick -= n
	if b.tick > 0 && b.left >= 0 {
		return
	}
	if err := b.check(); err != nil {
		panic(evalAbort{b})
	}
}

// spend is charge without the panic: it returns the error that ends the
// evaluation, for code that can return one.
func (b *budget) spend(n int64) error {
	b.left -= n
	b.tick -= n
	if b.tick > 0 && b.left >= 0 {
		return nil
	}
	return b.check()
}

// check records and returns why the evaluation must stop, if it must: the
// budget is spent, or the context has ended.
func (b *budget) check() error {
	if b.err != nil {
		return b.err
	}
	b.tick = ctxCheckEvery
	if b.left < 0 {
		b.err = &LimitError{Code: CodeEvalTooCostly, Limit: int(b.limit), Size: 0,
			Msg: fmt.Sprintf("the evaluation needs more work than the limit of %d units (MaxEvalCost)", b.limit)}
		return b.err
	}
	return b.stopped()
}

// stopped returns the error that ends the evaluation when its context has
// ended, without spending anything. A nil budget never stops.
func (b *budget) stopped() error {
	if b == nil {
		return nil
	}
	if b.err != nil {
		return b.err
	}
	if b.done != nil {
		select {
		case <-b.done:
			b.err = &StoppedError{Err: b.ctx.Err()}
			return b.err
		default:
		}
	}
	return nil
}

// need refuses, before it starts, work estimated at n units that the budget
// cannot pay; otherwise it spends them.
func (b *budget) need(n float64, what string) error {
	if n > float64(b.left) {
		b.err = &LimitError{Code: CodeEvalTooCostly, Limit: int(b.limit), Size: sizeOf(n),
			Msg: fmt.Sprintf("%s may need about %.3g units of work, more than the %d left of the limit of %d (MaxEvalCost)", what, n, max(b.left, 0), b.limit)}
		return b.err
	}
	return b.spend(int64(n))
}

func sizeOf(f float64) int {
	if f < 1<<62 {
		return int(f)
	}
	return 1 << 62
}

// StoppedError reports an evaluation stopped because its context was
// canceled or its deadline passed. It wraps the context's error, so
// errors.Is(err, context.Canceled) and errors.Is(err,
// context.DeadlineExceeded) work on any error that holds it.
type StoppedError struct {
	// Err is the context's error.
	Err error
}

func (e *StoppedError) Error() string { return "evaluation stopped: " + e.Err.Error() }

// Unwrap returns the context's error.
func (e *StoppedError) Unwrap() error { return e.Err }
