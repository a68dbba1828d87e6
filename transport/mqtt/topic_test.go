package mqtt

import "testing"

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/+", "a/b", true},
		{"a/+", "a/b/c", false},
		{"a/#", "a/b/c", true},
		{"a/#", "a", true},
		{"#", "a/b", true},
		{"+/+", "a/b", true},
		{"+", "a/b", false},
		{"#", "$SYS/x", false},
		{"+/x", "$SYS/x", false},
		{"$SYS/#", "$SYS/x", true},
		{"a/+/c", "a//c", true},
		{"a/b/c", "a/b", false},
	} {
		if got := matches(c.filter, c.topic); got != c.want {
			t.Errorf("matches(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
}

func FuzzMatches(f *testing.F) {
	for _, s := range []string{"a/+/c", "#", "a/#", "+", "$SYS/#", "a//b"} {
		f.Add(s, "a/b/c")
	}
	f.Fuzz(func(t *testing.T, filter, topic string) {
		if validFilter(filter) != nil {
			return
		}
		got := matches(filter, topic)
		if filter == topic && !got {
			t.Fatalf("matches(%q, %q) = false for equal strings", filter, topic)
		}
	})
}

func TestValidFilter(t *testing.T) {
	for f, ok := range map[string]bool{"a/b": true, "a/#": true, "#": true, "+/a": true, "a#": false, "a/#/b": false, "a+/b": false, "": false} {
		if got := validFilter(f) == nil; got != ok {
			t.Errorf("validFilter(%q) ok = %v, want %v", f, got, ok)
		}
	}
}
