package asyncapi

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// ErrNotFound is wrapped by the errors of the lookups.
var ErrNotFound = errors.New("not found")

// LookupError reports a failed lookup.
type LookupError struct {
	// URL is the document's.
	URL string
	// What is "operation" or "channel"; Name the id or pointer looked up.
	What, Name string
	// Reason says why, when it is more than absence.
	Reason string
}

func (e *LookupError) Error() string {
	s := fmt.Sprintf("%s: no %s %q", e.URL, e.What, e.Name)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *LookupError) Unwrap() error { return ErrNotFound }

// Sniff reports whether a decoded document is an AsyncAPI description: an
// object with an asyncapi key.
func Sniff(raw any) bool {
	m, ok := raw.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["asyncapi"]
	return ok
}

// OperationByID finds an operation by id: its key in the operations object
// (3.x) or its operationId (2.x).
func (d *Document) OperationByID(id string) (*Operation, error) {
	if op, ok := d.opsByID[id]; ok {
		return op, nil
	}
	return nil, &LookupError{URL: d.URL, What: "operation", Name: id}
}

// OperationIDs lists the operation ids, sorted (for "did you mean").
func (d *Document) OperationIDs() []string {
	out := make([]string, 0, len(d.opsByID))
	for id := range d.opsByID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// OperationByPointer finds an operation by JSON pointer, in string or "#"
// fragment form: "/operations/<id>" (3.x) or "/channels/<key>/publish" and
// ".../subscribe" (2.x).
func (d *Document) OperationByPointer(ptr string) (*Operation, error) {
	p, err := parsePointer(ptr)
	if err != nil {
		return nil, &LookupError{URL: d.URL, What: "operation", Name: ptr, Reason: err.Error()}
	}
	if op, ok := d.opsByPtr[p.String()]; ok {
		return op, nil
	}
	return nil, &LookupError{URL: d.URL, What: "operation", Name: ptr}
}

// ChannelByPointer finds a root channel by JSON pointer, in string or "#"
// fragment form, as an Arazzo channelPath names it: "#/channels/<key>",
// with the key escaped per RFC 6901 (2.x channels are keyed by address:
// "#/channels/user~1signedup"). Percent-encoding is decoded in the fragment
// form.
func (d *Document) ChannelByPointer(ptr string) (*Channel, error) {
	p, err := parsePointer(ptr)
	if err != nil {
		return nil, &LookupError{URL: d.URL, What: "channel", Name: ptr, Reason: err.Error()}
	}
	if len(p) == 2 && p[0] == "channels" {
		if c, ok := d.chanByKey[p[1]]; ok {
			return c, nil
		}
		return nil, &LookupError{URL: d.URL, What: "channel", Name: ptr}
	}
	reason := `a channel pointer is "#/channels/<key>"`
	if len(p) > 2 && p[0] == "channels" {
		reason += " (this one points inside a channel)"
	} else if len(p) >= 2 && p[0] == "components" {
		reason += " (components channels are not channels of the application)"
	}
	return nil, &LookupError{URL: d.URL, What: "channel", Name: ptr, Reason: reason}
}

// ChannelKeys lists the keys of the root channels in document order (for
// "did you mean").
func (d *Document) ChannelKeys() []string {
	out := make([]string, len(d.Channels))
	for i, c := range d.Channels {
		out[i] = c.Key
	}
	return out
}

func parsePointer(s string) (jsonptr.Pointer, error) {
	if strings.HasPrefix(s, "#") {
		return jsonptr.ParseFragment(s)
	}
	return jsonptr.Parse(s)
}

// IsJSONSchemaFormat reports whether a schemaFormat names schemas that are
// JSON Schema documents (which package schema can compile as draft-07):
// "" (the default), the AsyncAPI schema formats
// (application/vnd.aai.asyncapi[+json|+yaml];version=...) and JSON Schema
// (application/schema[+json|+yaml];version=...). Avro, OpenAPI, RAML,
// Protobuf and others are not.
func IsJSONSchemaFormat(format string) bool {
	if format == "" {
		return true
	}
	mt, _, _ := strings.Cut(strings.ToLower(format), ";")
	switch strings.TrimSpace(mt) {
	case "application/vnd.aai.asyncapi", "application/vnd.aai.asyncapi+json", "application/vnd.aai.asyncapi+yaml",
		"application/schema+json", "application/schema+yaml":
		return true
	}
	return false
}
