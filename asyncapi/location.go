package asyncapi

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// Sources of an AsyncAPI runtime expression.
const (
	SourceHeader  = "header"
	SourcePayload = "payload"
)

// Location is a parsed AsyncAPI runtime expression, as used by
// correlationId.location, parameter location and reply address location:
//
//	$message.header#/orderRequestId
//	$message.payload#/user/id
//
// The grammar is AsyncAPI's ("$message." ("header" | "payload") ["#"
// json-pointer]), not Arazzo's: Arazzo writes $message.header.name and
// $message.payload#/ptr. The pointer is in JSON Pointer string form (no
// percent-decoding). A Location is immutable.
type Location struct {
	// Source is SourceHeader or SourcePayload.
	Source string
	// Path is the pointer's reference tokens, unescaped; empty for the
	// whole headers or payload.
	Path []string
	text string
}

// LocationError reports a runtime expression that does not parse.
type LocationError struct {
	Text   string
	Offset int // byte offset in Text
	Msg    string
}

func (e *LocationError) Error() string {
	return fmt.Sprintf("invalid AsyncAPI runtime expression %q (offset %d): %s", e.Text, e.Offset, e.Msg)
}

// maxLocationBytes bounds a runtime expression.
const maxLocationBytes = 4096

// ParseLocation parses an AsyncAPI runtime expression.
func ParseLocation(s string) (*Location, error) {
	const prefix = "$message."
	if len(s) > maxLocationBytes {
		return nil, &LocationError{Text: s[:64] + "...", Offset: maxLocationBytes, Msg: fmt.Sprintf("longer than %d bytes", maxLocationBytes)}
	}
	if !strings.HasPrefix(s, prefix) {
		n := 0
		for n < len(s) && n < len(prefix) && s[n] == prefix[n] {
			n++
		}
		return nil, &LocationError{Text: s, Offset: n, Msg: `must start with "$message.header" or "$message.payload"`}
	}
	rest := s[len(prefix):]
	l := &Location{text: s}
	switch {
	case strings.HasPrefix(rest, SourceHeader):
		l.Source = SourceHeader
	case strings.HasPrefix(rest, SourcePayload):
		l.Source = SourcePayload
	default:
		return nil, &LocationError{Text: s, Offset: len(prefix), Msg: `the source must be "header" or "payload"`}
	}
	off := len(prefix) + len(l.Source)
	rest = s[off:]
	if rest == "" {
		return l, nil
	}
	if rest[0] != '#' {
		msg := `expected "#" and a JSON pointer after the source`
		if rest[0] == '.' {
			msg += ` (AsyncAPI writes $message.header#/name, not Arazzo's $message.header.name)`
		}
		return nil, &LocationError{Text: s, Offset: off, Msg: msg}
	}
	p, err := jsonptr.Parse(rest[1:])
	if err != nil {
		se, _ := err.(*jsonptr.SyntaxError)
		o := off + 1
		msg := err.Error()
		if se != nil {
			o += se.Offset
			msg = se.Msg
		}
		return nil, &LocationError{Text: s, Offset: o, Msg: msg}
	}
	l.Path = p
	return l, nil
}

// String returns the expression as written.
func (l *Location) String() string { return l.text }

// Pointer returns the JSON pointer part in string form ("" for the whole
// source).
func (l *Location) Pointer() string { return jsonptr.Pointer(l.Path).String() }

// Eval finds the value the expression designates in a message. headers may
// be a map[string]string, a map[string][]string (http.Header included; the
// first value counts), or a map[string]any; payload is the decoded payload
// in the JSON data model. The first token of a header expression names the
// header: an exact match first, then a case-insensitive one (Arazzo 1.1,
// E33); the remaining tokens apply to the header's value. ok is false when
// nothing is there.
func (l *Location) Eval(headers any, payload any) (any, bool) {
	if l.Source == SourcePayload {
		return jsonptr.Pointer(l.Path).Get(payload)
	}
	if len(l.Path) == 0 {
		return headers, headers != nil
	}
	v, ok := header(headers, l.Path[0])
	if !ok {
		return nil, false
	}
	return jsonptr.Pointer(l.Path[1:]).Get(v)
}

// header looks a header up by name: exact, then case-insensitive (the
// smallest matching key wins, so that the result never depends on map
// order).
func header(headers any, name string) (any, bool) {
	switch h := headers.(type) {
	case map[string]any:
		if v, ok := h[name]; ok {
			return v, true
		}
		if k, ok := foldKey(keysOf(h), name); ok {
			return h[k], true
		}
	case map[string]string:
		if v, ok := h[name]; ok {
			return v, true
		}
		if k, ok := foldKey(keysOf(h), name); ok {
			return h[k], true
		}
	case http.Header:
		return first(map[string][]string(h), name)
	case map[string][]string:
		return first(h, name)
	}
	return nil, false
}

func first(h map[string][]string, name string) (any, bool) {
	vs, ok := h[name]
	if !ok {
		k, found := foldKey(keysOf(h), name)
		if !found {
			return nil, false
		}
		vs = h[k]
	}
	if len(vs) == 0 {
		return nil, false
	}
	return vs[0], true
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func foldKey(keys []string, name string) (string, bool) {
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}
