package asyncmock

import (
	"errors"
	"maps"
	"testing"
)

func TestCompileSubject(t *testing.T) {
	tests := []struct {
		address, subject string
		wantErr          bool
	}{
		{address: "place-order", subject: "place-order"},
		{address: "shop.{region}.orders.{id}", subject: "shop.*.orders.*"},
		{address: "shop.eu-{id}", subject: "shop.*"},
		{address: "orders/{id}", subject: "*"}, // an MQTT-style address is one NATS token
		{address: "events.>", subject: "events.>"},
		{address: "a.*.b", subject: "a.*.b"},
		{address: "", wantErr: true},
		{address: "a..b", wantErr: true},
		{address: "a.", wantErr: true},
		{address: "has space", wantErr: true},
		{address: "a.>.b", wantErr: true},
		{address: "a.{b", wantErr: true},
		{address: "a.{}", wantErr: true},
		{address: "a.b}", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.address, func(t *testing.T) {
			sp, err := compileSubject(tc.address)
			if tc.wantErr {
				if !errors.Is(err, ErrNotServed) {
					t.Fatalf("want ErrNotServed, got %v (%q)", err, sp.subject)
				}
				return
			}
			if err != nil || sp.subject != tc.subject {
				t.Fatalf("got %q, %v; want %q", sp.subject, err, tc.subject)
			}
		})
	}
}

func TestSubjectParams(t *testing.T) {
	tests := []struct {
		address, subject string
		want             map[string]string
		ok               bool
	}{
		{"place-order", "place-order", nil, true},
		{"shop.{region}.orders.{id}", "shop.eu.orders.o-1", map[string]string{"region": "eu", "id": "o-1"}, true},
		{"shop.{region}.orders.{id}", "shop.eu.orders", nil, false},
		{"shop.{region}.orders.{id}", "shop.eu.orders.o-1.x", nil, false},
		{"shop.eu-{id}", "shop.eu-7", map[string]string{"id": "7"}, true},
		{"shop.eu-{id}", "shop.us-7", nil, false}, // the wildcard matched, the token's text does not
		{"shop.eu-{id}", "shop.eu-", nil, false},
		{"orders/{id}", "orders/42", map[string]string{"id": "42"}, true},
		{"{a}-{b}", "x-y-z", map[string]string{"a": "x", "b": "y-z"}, true},
		{"{id}.{id}", "1.1", map[string]string{"id": "1"}, true},
		{"{id}.{id}", "1.2", nil, false},
		{"events.{kind}.>", "events.created.a.b", map[string]string{"kind": "created"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.address+" "+tc.subject, func(t *testing.T) {
			sp, err := compileSubject(tc.address)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := sp.params(tc.subject)
			if ok != tc.ok || (ok && !maps.Equal(got, tc.want)) {
				t.Fatalf("got %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestValidPublishSubject(t *testing.T) {
	for s, want := range map[string]bool{
		"confirm-order": true, "inbox.alice.7": true, "_INBOX.x": true,
		"": false, "a b": false, "a..b": false, ".a": false, "a.*": false, "a.>": false, "a\n": false,
	} {
		if got := validPublishSubject(s); got != want {
			t.Errorf("%q: %v", s, got)
		}
	}
}
