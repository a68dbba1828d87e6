package asyncapi_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/telaio/telaio/asyncapi"
)

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in     string
		source string
		path   []string
		err    string // part of the error; "" for success
		offset int
	}{
		{in: "$message.header#/orderRequestId", source: "header", path: []string{"orderRequestId"}},
		{in: "$message.payload#/user/id", source: "payload", path: []string{"user", "id"}},
		{in: "$message.payload#/a~1b/c~0d", source: "payload", path: []string{"a/b", "c~d"}},
		{in: "$message.payload#/items/0", source: "payload", path: []string{"items", "0"}},
		{in: "$message.payload#", source: "payload", path: []string{}},
		{in: "$message.payload", source: "payload"},
		{in: "$message.header", source: "header"},
		{in: "$message.payload#/a b", source: "payload", path: []string{"a b"}},
		{in: "", err: "must start with", offset: 0},
		{in: "$msg.header#/x", err: "must start with", offset: 2},
		{in: "$message.body#/x", err: `"header" or "payload"`, offset: 9},
		{in: "$message.headers#/x", err: `expected "#"`, offset: 15},
		{in: "$message.header.x", err: "not Arazzo's", offset: 15},
		{in: "$message.header#x", err: "start with", offset: 16},
		{in: "$message.header#/a~2", err: "invalid escape", offset: 18},
		{in: "$message.header#/" + strings.Repeat("x", 5000), err: "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			l, err := asyncapi.ParseLocation(tc.in)
			if tc.err != "" {
				var le *asyncapi.LocationError
				if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if !strings.Contains(tc.err, "longer") && le.Offset != tc.offset {
					t.Errorf("offset %d, want %d", le.Offset, tc.offset)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Source != tc.source || len(l.Path) != len(tc.path) || (len(tc.path) > 0 && !reflect.DeepEqual(l.Path, tc.path)) {
				t.Errorf("got %q %q", l.Source, l.Path)
			}
			if l.String() != tc.in {
				t.Errorf("String() = %q", l.String())
			}
			back, err := asyncapi.ParseLocation("$message." + l.Source + "#" + l.Pointer())
			if err != nil || !reflect.DeepEqual(back.Path, l.Path) && len(l.Path) > 0 {
				t.Errorf("Pointer() round trip: %v %v", back, err)
			}
		})
	}
}

func TestLocationEval(t *testing.T) {
	payload := map[string]any{"user": map[string]any{"id": "u1", "tags": []any{"a", "b"}}, "n": 3.0}
	tests := []struct {
		expr    string
		headers any
		want    any
		ok      bool
	}{
		{"$message.header#/requestId", map[string]string{"requestId": "r1"}, "r1", true},
		// E33: exact match first, then case-insensitive.
		{"$message.header#/requestId", map[string]string{"REQUESTID": "upper", "requestId": "exact"}, "exact", true},
		{"$message.header#/requestid", map[string]string{"RequestId": "r1"}, "r1", true},
		{"$message.header#/requestid", map[string]string{"REQUESTID": "b", "RequestId": "a"}, "b", true}, // the smallest key, whatever the map order
		{"$message.header#/x-trace", http.Header{"X-Trace": {"t1", "t2"}}, "t1", true},
		{"$message.header#/x-trace", map[string][]string{"x-trace": {}}, nil, false},
		{"$message.header#/meta/v", map[string]any{"Meta": map[string]any{"v": 1.0}}, 1.0, true},
		{"$message.header#/missing", map[string]string{"a": "b"}, nil, false},
		{"$message.header#/a", nil, nil, false},
		{"$message.header#/a/b", map[string]string{"a": "s"}, nil, false},
		{"$message.payload#/user/id", nil, "u1", true},
		{"$message.payload#/user/tags/1", nil, "b", true},
		{"$message.payload#/n", nil, 3.0, true},
		{"$message.payload#/user/ID", nil, nil, false}, // payload pointers are case-sensitive
		{"$message.payload", nil, payload, true},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			l, err := asyncapi.ParseLocation(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := l.Eval(tc.headers, payload)
			if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	l, _ := asyncapi.ParseLocation("$message.header")
	h := map[string]string{"a": "b"}
	if got, ok := l.Eval(h, nil); !ok || !reflect.DeepEqual(got, h) {
		t.Errorf("whole headers: %v %v", got, ok)
	}
}

func TestTemplates(t *testing.T) {
	tests := []struct {
		in    string
		names []string
		err   bool
	}{
		{"orders", nil, false},
		{"users/{userId}/orders/{orderId}", []string{"userId", "orderId"}, false},
		{"{a}{a}", []string{"a"}, false},
		{"a/{", nil, true},
		{"a/}", nil, true},
		{"a/{}", nil, true},
		{"a/{b{c}}", nil, true},
	}
	for _, tc := range tests {
		names, err := asyncapi.TemplateNames(tc.in)
		if tc.err {
			if !errors.Is(err, asyncapi.ErrBadTemplate) {
				t.Errorf("%q: err = %v", tc.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(names, tc.names) {
			t.Errorf("%q: %v, %v", tc.in, names, err)
		}
	}
}

func TestResolveAddress(t *testing.T) {
	d := load(t, "testdata/v3-full.yaml")
	c := chanByKey(t, d, "orderPlaced")
	tests := []struct {
		params map[string]string
		want   string
		err    error
		name   string
	}{
		{map[string]string{"orderId": "42"}, "orders/eu/42/placed", nil, ""},
		{map[string]string{"orderId": "42", "region": "us"}, "orders/us/42/placed", nil, ""},
		{map[string]string{"orderId": "a/b"}, "orders/eu/a/b/placed", nil, ""}, // values are inserted as they are
		{nil, "", asyncapi.ErrMissingValue, "orderId"},
		{map[string]string{"orderId": "1", "region": "mars"}, "", asyncapi.ErrNotInEnum, "region"},
	}
	for _, tc := range tests {
		got, err := c.ResolveAddress(tc.params)
		if tc.err == nil {
			if err != nil || got != tc.want {
				t.Errorf("%v: %q, %v", tc.params, got, err)
			}
			continue
		}
		var se *asyncapi.SubstitutionError
		if !errors.Is(err, tc.err) || !errors.As(err, &se) || se.Name != tc.name || !strings.Contains(err.Error(), "{"+tc.name+"}") {
			t.Errorf("%v: err = %v, want %v naming %s", tc.params, err, tc.err, tc.name)
		}
	}
	// A parameter used in the address but not declared takes its value from params only.
	undeclared := &asyncapi.Channel{Key: "x", Address: "a/{p}"}
	if got, err := undeclared.ResolveAddress(map[string]string{"p": "1"}); err != nil || got != "a/1" {
		t.Errorf("%q, %v", got, err)
	}
	if _, err := undeclared.ResolveAddress(nil); !errors.Is(err, asyncapi.ErrMissingValue) || !strings.Contains(err.Error(), "not declared") {
		t.Errorf("err = %v", err)
	}
}

func TestServerURL(t *testing.T) {
	d := load(t, "testdata/v3-full.yaml")
	prod := d.Servers[0]
	tests := []struct {
		vars map[string]string
		want string
		err  error
	}{
		{nil, "kafka://eu.broker.example.com:9092/v1", nil},
		{map[string]string{"port": "9093"}, "kafka://eu.broker.example.com:9093/v1", nil},
		{map[string]string{"port": "1"}, "", asyncapi.ErrNotInEnum},
	}
	for _, tc := range tests {
		got, err := prod.URL(tc.vars)
		if got != tc.want || !errors.Is(err, tc.err) && (err != nil || tc.err != nil) {
			t.Errorf("%v: %q, %v", tc.vars, got, err)
		}
	}
	noDefault := &asyncapi.Server{Protocol: "mqtt", Host: "{h}", Pathname: "p",
		Variables: map[string]*asyncapi.ServerVariable{"h": {Name: "h"}}}
	if _, err := noDefault.URL(nil); !errors.Is(err, asyncapi.ErrMissingValue) {
		t.Errorf("err = %v", err)
	}
	if u, err := noDefault.URL(map[string]string{"h": "broker"}); err != nil || u != "mqtt://broker/p" {
		t.Errorf("%q, %v", u, err)
	}
	if u, _ := (&asyncapi.Server{Host: "h:1"}).URL(nil); u != "h:1" {
		t.Errorf("no protocol: %q", u)
	}
}
