package suggest

import "testing"

func TestClosest(t *testing.T) {
	cases := []struct {
		name  string
		cands []string
		want  string
	}{
		{"apii", []string{"api", "auth"}, "api"},
		{"lsit", []string{"list", "get"}, "list"},
		{"bearerAuht", []string{"bearerAuth", "basicAuth"}, "bearerAuth"},
		{"x", []string{"api"}, ""},
		{"totally-different", []string{"api"}, ""},
	}
	for _, c := range cases {
		if got := Closest(c.name, c.cands); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestUnknown(t *testing.T) {
	cases := []struct{ name, want string }{
		{"apii", `unknown source "apii" (did you mean "api"? known: api, auth)`},
		{"zzz", `unknown source "zzz" (known: api, auth)`},
	}
	for _, c := range cases {
		if got := Unknown("source", c.name, []string{"auth", "api"}); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
	if got := Unknown("source", "a", nil); got != `unknown source "a" (there is none)` {
		t.Error(got)
	}
}

func TestDistance(t *testing.T) {
	if d := Distance("adpot", "adopt"); d != 1 {
		t.Errorf("transposition: %d", d)
	}
	if d := Distance("", "abc"); d != 3 {
		t.Errorf("insertions: %d", d)
	}
}
