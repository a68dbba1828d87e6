package drv

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telaio/telaio/transport"
)

func d(payload string) *transport.Delivery {
	return &transport.Delivery{Message: transport.Message{Payload: []byte(payload)}}
}

func TestSubDeliversBufferedMessagesBeforeTheOverflowError(t *testing.T) {
	s := NewSub("p", transport.Channel{Address: "a"}, transport.SubscribeOptions{MaxBuffered: 2}, nil)
	for _, p := range []string{"1", "2", "3", "4"} {
		s.Push(d(p))
	}
	for _, want := range []string{"1", "2"} {
		got, err := s.Next(context.Background())
		if err != nil || string(got.Payload) != want {
			t.Fatalf("Next = %v, %v; want %s", got, err, want)
		}
	}
	for range 2 {
		if _, err := s.Next(context.Background()); !errors.Is(err, transport.ErrOverflow) {
			t.Fatalf("Next = %v, want ErrOverflow", err)
		}
	}
	if s.Dropped() != 2 {
		t.Fatalf("Dropped = %d, want 2", s.Dropped())
	}
}

func TestSubFilterRunsBeforeTheLimits(t *testing.T) {
	s := NewSub("p", transport.Channel{}, transport.SubscribeOptions{MaxBuffered: 1,
		Filter: func(d *transport.Delivery) bool { return string(d.Payload) == "keep" }}, nil)
	for _, p := range []string{"a", "b", "keep", "c"} {
		s.Push(d(p))
	}
	got, err := s.Next(context.Background())
	if err != nil || string(got.Payload) != "keep" {
		t.Fatalf("Next = %v, %v", got, err)
	}
}

func TestSubConcurrentNextGetsEveryMessageOnce(t *testing.T) {
	const n = 1000
	s := NewSub("p", transport.Channel{}, transport.SubscribeOptions{MaxBuffered: n}, nil)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				got, err := s.Next(ctx)
				cancel()
				if err != nil {
					return
				}
				mu.Lock()
				if seen[string(got.Payload)] {
					t.Errorf("%s delivered twice", got.Payload)
				}
				seen[string(got.Payload)] = true
				mu.Unlock()
			}
		})
	}
	for i := range n {
		s.Push(d(strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa(i)))
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("got %d distinct messages, want %d", len(seen), n)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestSubCloseUnblocksNextAndCallsOnCloseOnce(t *testing.T) {
	calls := 0
	s := NewSub("p", transport.Channel{}, transport.SubscribeOptions{}, func() error { calls++; return nil })
	done := make(chan error)
	go func() { _, err := s.Next(context.Background()); done <- err }()
	time.Sleep(10 * time.Millisecond)
	_ = s.Close()
	_ = s.Close()
	if err := <-done; !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Next = %v", err)
	}
	if calls != 1 {
		t.Fatalf("onClose called %d times", calls)
	}
	if s.Push(d("late")) {
		t.Fatal("Push after Close accepted")
	}
}

func TestRedactRemovesEveryFormOfTheSecret(t *testing.T) {
	err := Err("amqp", "dial", "", errors.New("dial amqp://u:p%40ss@h failed: p@ss"), "p@ss")
	if strings.Contains(err.Error(), "p@ss") || strings.Contains(err.Error(), "p%40ss") {
		t.Fatalf("secret left in %q", err)
	}
	if !strings.HasPrefix(err.Error(), "amqp dial: ") {
		t.Fatalf("message %q", err)
	}
}

func TestIntBinding(t *testing.T) {
	for _, c := range []struct {
		v    any
		ok   bool
		want int64
	}{{float64(2), true, 2}, {2, true, 2}, {float64(2.5), false, 0}, {"2", false, 0}, {float64(9), false, 0}} {
		got, _, err := Int(map[string]any{"k": c.v}, "k", 0, 3)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Int(%v) = %d, %v", c.v, got, err)
		}
		if err != nil && !errors.Is(err, transport.ErrBinding) {
			t.Errorf("Int(%v) error %v is not ErrBinding", c.v, err)
		}
	}
}
