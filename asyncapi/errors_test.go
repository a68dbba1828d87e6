package asyncapi_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
)

const head3 = "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n"
const head2 = "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\n"

// Every error path of Load, with its code, position and severity.
func TestLoad_ErrorPaths(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		opts    []asyncapi.Option
		code    string
		at      string // file:line:col
		warning bool
		msg     string // a part of the message
		nilDoc  bool
	}{
		{name: "too large", src: head3 + "channels: {}\n", opts: []asyncapi.Option{asyncapi.WithMaxDocumentBytes(10)},
			code: asyncapi.CodeDocumentTooLarge, at: "doc.yaml:1:1", nilDoc: true},
		{name: "yaml syntax", src: head3 + "channels:\n  a: [\n", code: asyncapi.CodeSyntax, at: "doc.yaml:4:1", msg: "invalid YAML", nilDoc: true},
		{name: "empty", src: "\n", code: asyncapi.CodeSyntax, at: "doc.yaml:1:1", msg: "empty", nilDoc: true},
		{name: "alias inside its anchor", src: head3 + "channels:\n  a: &a {<<: *a, address: a}\n", code: asyncapi.CodeSyntax, at: "doc.yaml:4:14", msg: "contains it", nilDoc: true},
		{name: "alias bomb", src: aliasBomb(), code: asyncapi.CodeSyntax, at: "doc.yaml:1:1", msg: "aliases expand", nilDoc: true},
		{name: "merge bomb", src: mergeBomb(), code: asyncapi.CodeSyntax, at: "doc.yaml:1:1", msg: "aliases expand", nilDoc: true},
		{name: "not an object", src: "- asyncapi\n", code: asyncapi.CodeInvalidDocument, at: "doc.yaml:1:1", nilDoc: true},
		{name: "no asyncapi field", src: "openapi: 3.1.0\n", code: asyncapi.CodeUnsupportedVersion, at: "doc.yaml:1:1", msg: "missing", nilDoc: true},
		{name: "version not a string", src: "asyncapi: 3\n", code: asyncapi.CodeUnsupportedVersion, at: "doc.yaml:1:11", nilDoc: true},
		{name: "duplicate key", src: head3 + "channels:\n  a: {address: a}\n  a: {address: b}\n", code: asyncapi.CodeDuplicateKey, at: "doc.yaml:5:3"},
		{name: "schema: enum", src: head3 + "channels:\n  c: {address: c}\noperations:\n  o:\n    action: publish\n    channel: {$ref: '#/channels/c'}\n",
			code: asyncapi.CodeSchema, at: "doc.yaml:7:13", msg: "/operations/o/action: value must be one of 'send', 'receive' (AsyncAPI 3.0.0 schema)"},
		{name: "schema: unknown field at its key", src: head3 + "channels:\n  c:\n    address: c\n    adress: d\n",
			code: asyncapi.CodeSchema, at: "doc.yaml:6:5", msg: "'adress' not allowed"},
		{name: "schema: wrong type", src: head3 + "servers:\n  s: {host: h, protocol: 7}\n", code: asyncapi.CodeSchema, at: "doc.yaml:4:26", msg: "want string"},
		{name: "schema: 2.x", src: head2 + "channels:\n  c:\n    publish:\n      message: {payload: 3}\n",
			code: asyncapi.CodeSchema, at: "doc.yaml:6:26", msg: "(AsyncAPI 2.6.0 schema)"},
		{name: "schema: missing field", src: "asyncapi: 3.0.0\ninfo: {title: t}\n", code: asyncapi.CodeSchema, at: "doc.yaml:2:7", msg: "missing property 'version'"},
		{name: "unresolved ref", src: head3 + "channels:\n  c:\n    $ref: '#/components/channels/nope'\n",
			code: asyncapi.CodeUnresolvedRef, at: "doc.yaml:5:11", msg: "nothing at /components"},
		{name: "ref not a pointer", src: head3 + "channels:\n  c:\n    $ref: '#a'\n", code: asyncapi.CodeUnresolvedRef, at: "doc.yaml:5:11", msg: "not a JSON pointer"},
		{name: "ref to itself", src: head3 + "channels:\n  c:\n    $ref: '#/channels/c'\n", code: asyncapi.CodeRefCycle, at: "doc.yaml:5:11", msg: "loop"},
		{name: "ref chain over the hop limit", opts: []asyncapi.Option{asyncapi.WithMaxRefHops(2)},
			src:  head3 + "channels:\n  c: {$ref: '#/components/channels/a'}\ncomponents:\n  channels:\n    a: {$ref: '#/components/channels/b'}\n    b: {$ref: '#/components/channels/d'}\n    d: {address: d}\n",
			code: asyncapi.CodeRefCycle, at: "doc.yaml:4:13", msg: "more than 2 $refs"},
		{name: "operation channel does not resolve", src: head3 + "operations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/nope'}\n",
			code: asyncapi.CodeUnresolvedRef, at: "doc.yaml:6:21"},
		{name: "operation channel not a root channel", src: head3 + "operations:\n  o:\n    action: send\n    channel: {$ref: '#/components/channels/x'}\ncomponents:\n  channels:\n    x: {address: x}\n",
			code: asyncapi.CodeOperationChannel, at: "doc.yaml:6:21", msg: "not point to a channel of the root channels object"},
		{name: "operation channel through components", src: head3 + "channels:\n  c: {$ref: '#/components/channels/x'}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/components/channels/x'}\ncomponents:\n  channels:\n    x: {address: x}\n",
			code: asyncapi.CodeOperationChannel, at: "doc.yaml:8:21", warning: true, msg: `should point to the root channel "c"`},
		{name: "operation message not in the channel", src: head3 + "channels:\n  a:\n    messages: {m: {payload: {type: string}}}\n  b:\n    messages: {m: {payload: {type: string}}}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/a'}\n    messages: [{$ref: '#/channels/b/messages/m'}]\n",
			code: asyncapi.CodeOperationMessage, at: "doc.yaml:12:23", msg: `is not one of the messages of channel "a"`},
		{name: "operation message through components", src: head3 + "channels:\n  a:\n    messages: {m: {$ref: '#/components/messages/M'}}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/a'}\n    messages: [{$ref: '#/components/messages/M'}]\ncomponents:\n  messages:\n    M: {payload: {type: string}}\n",
			code: asyncapi.CodeOperationMessage, at: "doc.yaml:10:23", warning: true, msg: "#/channels/a/messages/m"},
		{name: "reply channel does not resolve", src: head3 + "channels:\n  a: {address: a}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/a'}\n    reply:\n      channel: {$ref: '#/channels/z'}\n",
			code: asyncapi.CodeUnresolvedRef, at: "doc.yaml:10:23"},
		{name: "reply message not in the reply channel", src: head3 + "channels:\n  a:\n    messages: {m: {payload: {}}}\n  r:\n    messages: {n: {payload: {}}}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/a'}\n    reply:\n      channel: {$ref: '#/channels/r'}\n      messages: [{$ref: '#/channels/a/messages/m'}]\n",
			code: asyncapi.CodeOperationMessage, at: "doc.yaml:14:25", msg: `operation "o": reply`},
		{name: "correlationId location", src: head3 + "components:\n  messages:\n    M:\n      correlationId: {location: '$message.headers#/x'}\n",
			code: asyncapi.CodeInvalidLocation, at: "doc.yaml:6:33", msg: `message "M": correlationId.location`},
		{name: "parameter location", src: head3 + "channels:\n  c:\n    address: 'a/{p}'\n    parameters:\n      p: {location: 'payload#/p'}\n",
			code: asyncapi.CodeInvalidLocation, at: "doc.yaml:7:21", msg: `parameter "p"`},
		{name: "reply address location", src: head3 + "channels:\n  a: {address: a}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/a'}\n    reply:\n      address: {location: '$message.header.replyTo'}\n",
			code: asyncapi.CodeInvalidLocation, at: "doc.yaml:10:27", msg: "not Arazzo's"},
		{name: "server variable undeclared", src: head3 + "servers:\n  s: {host: '{h}:1', protocol: kafka}\n",
			code: asyncapi.CodeServerVariable, at: "doc.yaml:4:13", msg: "{h} is not among"},
		{name: "server variable default outside enum", src: head3 + "servers:\n  s:\n    host: '{h}'\n    protocol: kafka\n    variables:\n      h: {enum: [a], default: b}\n",
			code: asyncapi.CodeServerVariable, at: "doc.yaml:8:31", msg: "not one of its enum values"},
		{name: "server variable unused", src: head3 + "servers:\n  s:\n    host: h\n    protocol: kafka\n    variables:\n      h: {default: b}\n",
			code: asyncapi.CodeServerVariable, at: "doc.yaml:8:10", warning: true, msg: "not used"},
		{name: "server host malformed", src: head3 + "servers:\n  s: {host: 'h:{port', protocol: kafka}\n",
			code: asyncapi.CodeServerVariable, at: "doc.yaml:4:13", msg: "unclosed"},
		{name: "2.x server url variable", src: head2 + "servers:\n  s: {url: 'mqtt://{h}', protocol: mqtt}\nchannels: {}\n",
			code: asyncapi.CodeServerVariable, at: "doc.yaml:4:12", msg: "{h}"},
		{name: "channel parameter undeclared", src: head3 + "channels:\n  c: {address: 'a/{id}'}\n",
			code: asyncapi.CodeChannelParameter, at: "doc.yaml:4:16", msg: "{id} is not declared"},
		{name: "channel parameter default outside enum", src: head3 + "channels:\n  c:\n    address: 'a/{id}'\n    parameters:\n      id: {enum: [x], default: y}\n",
			code: asyncapi.CodeChannelParameter, at: "doc.yaml:7:32", msg: "not one of its enum values"},
		{name: "channel parameter unused", src: head3 + "channels:\n  c:\n    address: a\n    parameters:\n      id: {}\n",
			code: asyncapi.CodeChannelParameter, at: "doc.yaml:7:11", warning: true, msg: "not used"},
		{name: "2.x channel parameter undeclared", src: head2 + "channels:\n  a/{id}: {}\n", code: asyncapi.CodeChannelParameter, at: "doc.yaml:4:3"},
		{name: "channel server not a root server", src: head3 + "channels:\n  c:\n    servers: [{$ref: '#/components/servers/s'}]\ncomponents:\n  servers:\n    s: {host: h, protocol: kafka}\n",
			code: asyncapi.CodeChannelServer, at: "doc.yaml:5:22", msg: "not a server of the root servers object"},
		{name: "2.x channel server unknown", src: head2 + "channels:\n  c:\n    servers: [nope]\n", code: asyncapi.CodeChannelServer, at: "doc.yaml:5:15"},
		{name: "2.x duplicate operationId", src: head2 + "channels:\n  a:\n    publish: {operationId: x}\n  b:\n    subscribe: {operationId: x}\n",
			code: asyncapi.CodeDuplicateOperationID, at: "doc.yaml:7:30", msg: "doc.yaml:5:14"},
		{name: "2.x unknown security scheme", src: head2 + "servers:\n  s:\n    url: h\n    protocol: kafka\n    security: [{nope: []}]\nchannels: {}\n",
			code: asyncapi.CodeSecurity, at: "doc.yaml:7:17"},
		{name: "operation from another file without action", opts: []asyncapi.Option{readAny("O:\n  channel: {$ref: '#/C'}\nC: {}\n")},
			src: head3 + "operations:\n  o: {$ref: 'ops.yaml#/O'}\n", code: asyncapi.CodeInvalidObject, at: "ops.yaml:1:1", msg: `operation "o": the action`},
		{name: "operation from another file, channel outside the root channels", opts: []asyncapi.Option{readAny("O:\n  action: send\n  channel: {$ref: '#/C'}\nC: {}\n")},
			src: head3 + "operations:\n  o: {$ref: 'ops.yaml#/O'}\n", code: asyncapi.CodeOperationChannel, at: "ops.yaml:3:19", msg: `"#/C" does not point to a channel of the root channels object`},
		{name: "without schema validation, a missing channel", opts: []asyncapi.Option{asyncapi.WithSchemaValidation(false)},
			src: head3 + "operations:\n  o: {action: send}\n", code: asyncapi.CodeOperationChannel, at: "doc.yaml:4:6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var d *asyncapi.Document
			var ds diag.Diagnostics
			go func() {
				defer close(done)
				d, ds = loadString(t, tc.src, tc.opts...)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Load does not return")
			}
			if tc.nilDoc != (d == nil) {
				t.Errorf("document = %v, want nil: %v", d, tc.nilDoc)
			}
			var found *diag.Diagnostic
			for _, x := range ds {
				if x.Code == tc.code {
					found = x
					break
				}
			}
			if found == nil {
				t.Fatalf("no %s diagnostic in:\n%v", tc.code, ds)
			}
			if got := found.Range.String(); got != tc.at {
				t.Errorf("at %s, want %s: %v", got, tc.at, found)
			}
			if (found.Severity == diag.Warning) != tc.warning {
				t.Errorf("severity %s: %v", found.Severity, found)
			}
			if !strings.Contains(found.Message, tc.msg) {
				t.Errorf("message %q does not contain %q", found.Message, tc.msg)
			}
			if !tc.warning && !errors.Is(ds.Err(), &diag.Diagnostic{Code: tc.code}) {
				t.Errorf("errors.Is does not find %s", tc.code)
			}
		})
	}
}

// A loop of $refs is reported once, at its first member, and Load returns.
func TestRefCycle_ReportedOnceNeverHangs(t *testing.T) {
	src := head3 + "channels:\n  a: {$ref: '#/components/channels/b'}\ncomponents:\n  channels:\n    b: {$ref: '#/components/channels/c'}\n    c: {$ref: '#/components/channels/b'}\n" +
		"operations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/a/messages/m'}\n"
	_, ds := loadString(t, src)
	n := 0
	for _, x := range ds {
		if x.Code == asyncapi.CodeRefCycle {
			n++
			if x.Range.String() != "doc.yaml:7:15" {
				t.Errorf("cycle reported at %s", x.Range)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d cycle diagnostics: %v", n, ds)
	}
}

// The model is built from a document the schema rejects: callers can still
// look operations up.
func TestLoad_PartialDocumentOnErrors(t *testing.T) {
	src := head3 + "channels:\n  c: {address: c, bogus: 1}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/c'}\n"
	d, err := asyncapi.Load([]byte(src), "doc.yaml")
	if err == nil || d == nil {
		t.Fatalf("want a document and an error, got %v, %v", d, err)
	}
	if op, lerr := d.OperationByID("o"); lerr != nil || op.Channel.Key != "c" {
		t.Errorf("lookup in a partial document: %v, %v", op, lerr)
	}
}

func TestLoad_JSON(t *testing.T) {
	src := `{"asyncapi": "3.0.0", "info": {"title": "t", "version": "1"},
 "channels": {"c": {"address": "a/{id}"}}}`
	_, ds := loadString(t, src)
	if len(ds) != 1 || ds[0].Code != asyncapi.CodeChannelParameter || ds[0].Range.String() != "doc.yaml:2:32" {
		t.Errorf("JSON with positions: %v", ds)
	}
	// "\/" is JSON but not YAML: decoded without positions.
	src = `{"asyncapi": "3.0.0", "info": {"title": "t\/u", "version": "1"}, "channels": {"c": {"address": "a/{id}"}}}`
	d, ds := loadString(t, src)
	if d == nil || d.Title != "t/u" || len(ds) != 1 || ds[0].Range.String() != "doc.yaml" {
		t.Errorf("JSON the YAML parser rejects: %v, %v", d, ds)
	}
}

func TestLoad_NonASCIIColumnsCountBytes(t *testing.T) {
	src := head3 + "channels:\n  c: {description: 'éé', address: 'a/{id}'}\n"
	_, ds := loadString(t, src)
	if len(ds) != 1 || ds[0].Range.String() != "doc.yaml:4:37" {
		t.Errorf("got %v", ds)
	}
}

func TestLoad_ReservedFilesKey(t *testing.T) {
	src := head3 + "x-telaio-files: 1\nchannels:\n  c:\n    messages: {m: {$ref: 'o.yaml#/M'}}\n"
	read := asyncapi.WithReadFile(func(string) ([]byte, error) { return []byte("M: {payload: {}}\n"), nil })
	d, ds := loadString(t, src, read)
	if !ds.HasCode(asyncapi.CodeInvalidDocument) || d.Channels[0].Messages[0].Target != "/x-telaio-files/o.yaml/M" {
		t.Errorf("got %v", ds)
	}
}

// aliasBomb is a few hundred bytes that expand to 10^9 nodes.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString(head3 + "x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "x-a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// mergeBomb doubles through merge keys only: no value to convert, 2^60
// merges.
func mergeBomb() string {
	var b strings.Builder
	b.WriteString(head3 + "x-m0: &m0 {}\n")
	for i := 1; i < 60; i++ {
		fmt.Fprintf(&b, "x-m%d: &m%d {<<: [*m%d, *m%d]}\n", i, i, i-1, i-1)
	}
	return b.String()
}

// readAny reads content for any file.
func readAny(content string) asyncapi.Option {
	return asyncapi.WithReadFile(func(string) ([]byte, error) { return []byte(content), nil })
}
