package asyncapi_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/telaio/telaio/asyncapi"
)

func TestChannelByPointer(t *testing.T) {
	v3 := load(t, "testdata/v3-full.yaml")
	v2 := load(t, "testdata/v2-full.yaml")
	tests := []struct {
		doc    *asyncapi.Document
		ptr    string
		key    string
		reason string
	}{
		{v3, "#/channels/orderPlaced", "orderPlaced", ""},
		{v3, "/channels/orderPlaced", "orderPlaced", ""},
		{v3, "#/channels/confirmations", "confirmations", ""}, // a $ref channel, by its key
		{v2, "#/channels/user~1{userId}~1signedup", "user/{userId}/signedup", ""},
		{v2, "#/channels/user~1%7BuserId%7D~1signedup", "user/{userId}/signedup", ""}, // fragment percent-encoding
		{v3, "#/channels/nope", "", ""},
		{v2, "#/channels/user/{userId}/signedup", "", "points inside a channel"}, // unescaped
		{v3, "#/components/channels/confirmations", "", "components channels"},
		{v3, "#/channels/orderPlaced/messages", "", "inside a channel"},
		{v3, "#/channels/a~2b", "", "invalid escape"},
		{v3, "channels/orderPlaced", "", "start with"},
	}
	for _, tc := range tests {
		t.Run(tc.ptr, func(t *testing.T) {
			c, err := tc.doc.ChannelByPointer(tc.ptr)
			if tc.key != "" {
				if err != nil || c.Key != tc.key {
					t.Fatalf("got %v, %v", c, err)
				}
				return
			}
			var le *asyncapi.LookupError
			if !errors.Is(err, asyncapi.ErrNotFound) || !errors.As(err, &le) || le.What != "channel" || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("err = %v", err)
			}
		})
	}
	if keys := v3.ChannelKeys(); !slices.Equal(keys, []string{"orderPlaced", "confirmations", "dynamicReplies"}) {
		t.Errorf("ChannelKeys = %v", keys)
	}
}

func TestOperationLookups(t *testing.T) {
	d := load(t, "testdata/v3-full.yaml")
	if _, err := d.OperationByID("placeorder"); !errors.Is(err, asyncapi.ErrNotFound) || !strings.Contains(err.Error(), `no operation "placeorder"`) {
		t.Errorf("err = %v", err)
	}
	if ids := d.OperationIDs(); !slices.Equal(ids, []string{"confirmDynamic", "onOrderPlaced", "placeOrder"}) {
		t.Errorf("OperationIDs = %v", ids)
	}
	op, err := d.OperationByPointer("#/operations/placeOrder")
	if err != nil || op.ID != "placeOrder" {
		t.Errorf("OperationByPointer = %v, %v", op, err)
	}
	if _, err := d.OperationByPointer("#/operations/nope"); !errors.Is(err, asyncapi.ErrNotFound) {
		t.Errorf("err = %v", err)
	}
	// A 2.x operation without operationId is found by pointer only.
	v2, _ := loadString(t, head2+"channels:\n  a:\n    publish:\n      message: {payload: {type: string}}\n")
	if op, err := v2.OperationByPointer("/channels/a/publish"); err != nil || op.ID != "" || op.Action != asyncapi.ActionReceive {
		t.Errorf("got %v, %v", op, err)
	}
	if ids := v2.OperationIDs(); len(ids) != 0 {
		t.Errorf("OperationIDs = %v", ids)
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		raw  any
		want bool
	}{
		{map[string]any{"asyncapi": "3.0.0"}, true},
		{map[string]any{"asyncapi": nil}, true},
		{map[string]any{"openapi": "3.1.0"}, false},
		{map[string]any{"arazzo": "1.1.0"}, false},
		{[]any{"asyncapi"}, false},
		{"asyncapi", false},
		{nil, false},
	} {
		if got := asyncapi.Sniff(tc.raw); got != tc.want {
			t.Errorf("Sniff(%v) = %v", tc.raw, got)
		}
	}
}

func TestIsJSONSchemaFormat(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   bool
	}{
		{"", true},
		{"application/vnd.aai.asyncapi;version=3.0.0", true},
		{"application/vnd.aai.asyncapi+json;version=3.0.0", true},
		{"application/vnd.aai.asyncapi+yaml;version=2.6.0", true},
		{"application/schema+json;version=draft-07", true},
		{"Application/Schema+YAML; version=draft-07", true},
		{"application/vnd.apache.avro;version=1.9.0", false},
		{"application/vnd.oai.openapi;version=3.0.0", false},
		{"application/raml+yaml;version=1.0", false},
		{"application/vnd.google.protobuf;version=3", false},
	} {
		if got := asyncapi.IsJSONSchemaFormat(tc.format); got != tc.want {
			t.Errorf("%q: %v", tc.format, got)
		}
	}
}

// Document.Range maps any pointer of the model, and the ones Load built
// (trait merges) to their nearest written ancestor.
func TestDocumentRange(t *testing.T) {
	d := load(t, "testdata/v3-full.yaml")
	tests := []struct{ ptr, at string }{
		{"", "testdata/v3-full.yaml:1:1"},
		{"/channels/orderPlaced/address", "testdata/v3-full.yaml:48:14"},
		{"#/channels/orderPlaced/address", "testdata/v3-full.yaml:48:14"},
		{"/components/messages/OrderPlaced", "testdata/v3-full.yaml:149:5"},
		// headers came from a trait: the message itself is where they are
		{"/components/messages/OrderPlaced/headers", "testdata/v3-full.yaml:149:5"},
		{"/nope/deeper", "testdata/v3-full.yaml:1:1"},
		{"not a pointer", "testdata/v3-full.yaml"},
	}
	for _, tc := range tests {
		if got := d.Range(tc.ptr).String(); got != tc.at {
			t.Errorf("Range(%q) = %s, want %s", tc.ptr, got, tc.at)
		}
	}
	var nilDoc *asyncapi.Document
	if r := nilDoc.Range("/x"); r.File != "" {
		t.Errorf("nil document: %v", r)
	}
}
