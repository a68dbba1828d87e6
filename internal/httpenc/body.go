package httpenc

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EncodeJSON encodes v as JSON without HTML escaping (<, >, & stay as is)
// and without a trailing newline. nil encodes as null.
func EncodeJSON(v any) ([]byte, error) {
	b, err := marshalJSON(v)
	if err != nil {
		return nil, &Error{Op: "json", Reason: "cannot encode", Err: err}
	}
	return b, nil
}

// EncodeForm encodes an application/x-www-form-urlencoded body. An object
// gives one field per member in sorted key order: strings as is, numbers
// in JSON form (7, 2.5), booleans true/false, nil as an empty value, arrays
// and objects JSON-serialized. Names and values are escaped as HTML forms
// do (space as "+"). A string or []byte payload is sent verbatim; nil gives
// an empty body; any other payload is an error.
func EncodeForm(v any) ([]byte, error) {
	switch x := normalize(v).(type) {
	case nil:
		return []byte{}, nil
	case string:
		return []byte(x), nil
	case []byte:
		return append([]byte(nil), x...), nil
	case map[string]any:
		var sb strings.Builder
		for i, k := range sortedKeys(x) {
			s, err := text(normalize(x[k]))
			if err != nil {
				return nil, &Error{Op: "form", Reason: "cannot encode field " + quote(k), Err: err}
			}
			if i > 0 {
				sb.WriteByte('&')
			}
			sb.WriteString(url.QueryEscape(k))
			sb.WriteByte('=')
			sb.WriteString(url.QueryEscape(s))
		}
		return []byte(sb.String()), nil
	}
	return nil, &Error{Op: "form", Reason: "the payload must be an object or a string"}
}

// EncodeMultipart encodes a multipart/form-data body and returns it with
// its Content-Type. An object gives one part per member in sorted key
// order; an array member gives one part per item. Part content:
//
//   - string, number, boolean: the text form, Content-Type text/plain;
//   - nil: an empty text part;
//   - []byte: the bytes, Content-Type application/octet-stream, with
//     filename set to the member name (servers treat it as a file);
//   - object, or an array inside an array: JSON, Content-Type
//     application/json.
//
// boundary "" picks a random boundary; otherwise it must be valid (RFC
// 2046: 1-70 characters). Any payload other than an object is an error.
func EncodeMultipart(v any, boundary string) (body []byte, contentType string, err error) {
	m, ok := normalize(v).(map[string]any)
	if !ok {
		return nil, "", &Error{Op: "multipart", Reason: "the payload must be an object"}
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if boundary != "" {
		if err := w.SetBoundary(boundary); err != nil {
			return nil, "", &Error{Op: "multipart", Reason: "invalid boundary", Err: err}
		}
	}
	for _, k := range sortedKeys(m) {
		val := normalize(m[k])
		items := []any{val}
		if arr, ok := val.([]any); ok {
			items = arr
		}
		for _, it := range items {
			if err := writePart(w, k, normalize(it)); err != nil {
				return nil, "", err
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", &Error{Op: "multipart", Reason: "cannot encode", Err: err}
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "%0D", "\n", "%0A")

func writePart(w *multipart.Writer, name string, v any) error {
	h := textproto.MIMEHeader{}
	disp := `form-data; name="` + quoteEscaper.Replace(name) + `"`
	var content []byte
	switch x := v.(type) {
	case []byte:
		disp += `; filename="` + quoteEscaper.Replace(name) + `"`
		h.Set("Content-Type", "application/octet-stream")
		content = x
	case map[string]any, []any:
		b, err := marshalJSON(x)
		if err != nil {
			return &Error{Op: "multipart", Reason: "cannot encode part " + quote(name), Err: err}
		}
		h.Set("Content-Type", "application/json")
		content = b
	default:
		s, ok, err := scalar(x)
		if err != nil || !ok {
			if err == nil {
				err = errUnsupported(x)
			}
			return &Error{Op: "multipart", Reason: "cannot encode part " + quote(name), Err: err}
		}
		h.Set("Content-Type", "text/plain; charset=utf-8")
		content = []byte(s)
	}
	h.Set("Content-Disposition", disp)
	pw, err := w.CreatePart(h)
	if err != nil {
		return &Error{Op: "multipart", Reason: "cannot encode part " + quote(name), Err: err}
	}
	_, err = pw.Write(content)
	return err
}

// EncodeXML encodes an XML body. A string or []byte payload is sent
// verbatim. An object payload must have exactly one member, the root
// element; members become child elements in sorted key order, an array
// member repeats its element once per item, scalars become escaped text
// (numbers in JSON form), nil an empty element. Keys must be XML names. No
// XML declaration is written. nil gives an empty body; anything else is an
// error.
func EncodeXML(v any) ([]byte, error) {
	switch x := normalize(v).(type) {
	case nil:
		return []byte{}, nil
	case string:
		return []byte(x), nil
	case []byte:
		return append([]byte(nil), x...), nil
	case map[string]any:
		if len(x) != 1 {
			return nil, &Error{Op: "xml", Reason: "an object payload needs exactly one member, the root element"}
		}
		var buf bytes.Buffer
		for k, val := range x {
			if _, isArr := normalize(val).([]any); isArr {
				return nil, &Error{Op: "xml", Reason: "the root element cannot be an array"}
			}
			if err := writeElement(&buf, k, val, 0); err != nil {
				return nil, err
			}
		}
		return buf.Bytes(), nil
	}
	return nil, &Error{Op: "xml", Reason: "the payload must be an object or a string"}
}

func writeElement(buf *bytes.Buffer, name string, v any, depth int) error {
	if depth > 256 {
		return &Error{Op: "xml", Reason: "value nested too deeply"}
	}
	if !isXMLName(name) {
		return &Error{Op: "xml", Reason: "key " + quote(name) + " is not an XML name"}
	}
	v = normalize(v)
	switch x := v.(type) {
	case []any:
		for _, it := range x {
			if err := writeElement(buf, name, it, depth+1); err != nil {
				return err
			}
		}
		return nil
	case nil:
		buf.WriteString("<" + name + "/>")
		return nil
	case map[string]any:
		buf.WriteString("<" + name + ">")
		for _, k := range sortedKeys(x) {
			if err := writeElement(buf, k, x[k], depth+1); err != nil {
				return err
			}
		}
		buf.WriteString("</" + name + ">")
		return nil
	}
	s, ok, err := scalar(v)
	if err != nil || !ok {
		if err == nil {
			err = errUnsupported(v)
		}
		return &Error{Op: "xml", Reason: "cannot encode element " + quote(name), Err: err}
	}
	buf.WriteString("<" + name + ">")
	if err := xml.EscapeText(buf, []byte(s)); err != nil {
		return &Error{Op: "xml", Reason: "cannot encode element " + quote(name), Err: err}
	}
	buf.WriteString("</" + name + ">")
	return nil
}

// isXMLName checks the XML 1.0 Name production, approximated with Unicode
// letter and digit classes.
func isXMLName(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		start := unicode.IsLetter(r) || r == '_' || r == ':'
		if i == 0 {
			if !start {
				return false
			}
			continue
		}
		if !start && !unicode.IsDigit(r) && r != '-' && r != '.' && !unicode.Is(unicode.Mn, r) && r != '\u00B7' {
			return false
		}
	}
	return true
}

type unsupportedError struct{ typ string }

func (e unsupportedError) Error() string { return "unsupported Go type " + e.typ }

func errUnsupported(v any) error {
	return unsupportedError{typ: fmt.Sprintf("%T", v)}
}
