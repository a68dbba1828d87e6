package mock

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// isJSON reports whether a media type carries JSON.
func isJSON(mt string) bool {
	mt = strings.ToLower(mt)
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json") ||
		mt == "*/*" || mt == "application/*"
}

// encode serializes v for the media type name and returns the bytes and the
// Content-Type to send.
func (s *Server) encode(name string, v any, sch any) ([]byte, string, error) {
	ct := name
	switch {
	case strings.Contains(name, "xml"):
		return s.encodeXML(v, sch), ct, nil
	case strings.Contains(name, "yaml"):
		b, err := yaml.Marshal(v)
		return b, ct, err
	case isJSON(name):
		if strings.Contains(name, "*") {
			ct = "application/json"
		}
		b, err := marshalJSON(v)
		return b, ct, err
	}
	if str, ok := v.(string); ok {
		if strings.Contains(name, "*") {
			ct = "text/plain; charset=utf-8"
		}
		return []byte(str), ct, nil
	}
	if strings.Contains(name, "*") {
		ct = "application/json"
	}
	b, err := marshalJSON(v)
	return b, ct, err
}

// marshalJSON encodes JSON data model values with appendJSON, anything else
// with encoding/json (without HTML escaping).
func marshalJSON(v any) ([]byte, error) {
	switch v.(type) {
	case nil, bool, string, float64, []any, map[string]any:
		return appendJSON(nil, v, nil), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// headerText serializes a header value with the simple style.
func headerText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = headerText(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, 0, 2*len(keys))
		for _, k := range keys {
			parts = append(parts, k, headerText(x[k]))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// encodeXML writes v as XML following the schema's xml objects: the
// element name (xml.name, else the name of the $ref'd component, else
// "root"), attributes (xml.attribute) and wrapped arrays (xml.wrapped).
// Object members come in name order.
func (s *Server) encodeXML(v any, sch any) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	s.xmlElement(&b, s.xmlName(sch, "root"), v, sch, 0)
	return b.Bytes()
}

// xmlInfo reads the xml object of a schema.
func (s *Server) xmlInfo(sch any) map[string]any {
	m := s.sd.node(sch)
	x, _ := m["xml"].(map[string]any)
	if x == nil {
		// A $ref with its own xml object (3.1).
		if r, ok := sch.(map[string]any); ok {
			x, _ = r["xml"].(map[string]any)
		}
	}
	return x
}

func (s *Server) xmlName(sch any, def string) string {
	if n, ok := s.xmlInfo(sch)["name"].(string); ok && n != "" {
		return n
	}
	if r, ok := sch.(map[string]any); ok {
		if ref, ok := r["$ref"].(string); ok {
			if i := strings.LastIndexByte(ref, '/'); i >= 0 && i+1 < len(ref) {
				return ref[i+1:]
			}
		}
	}
	return def
}

func (s *Server) xmlElement(b *bytes.Buffer, name string, v any, sch any, depth int) {
	if depth > hardDepth {
		return
	}
	switch x := v.(type) {
	case []any:
		items := s.sd.items(sch)
		itemName := name
		if n, ok := s.xmlInfo(items)["name"].(string); ok && n != "" {
			itemName = n
		}
		wrapped := s.xmlInfo(sch)["wrapped"] == true
		if wrapped {
			b.WriteString("<" + name + ">")
		}
		for _, e := range x {
			s.xmlElement(b, itemName, e, items, depth+1)
		}
		if wrapped {
			b.WriteString("</" + name + ">")
		}
	case map[string]any:
		b.WriteString("<" + name)
		var children []string
		for _, k := range sortedKeys(x) {
			ps := s.sd.property(sch, k)
			if s.xmlInfo(ps)["attribute"] == true {
				b.WriteString(" " + s.xmlName(ps, k) + `="`)
				_ = xml.EscapeText(b, []byte(headerText(x[k])))
				b.WriteString(`"`)
				continue
			}
			children = append(children, k)
		}
		b.WriteString(">")
		for _, k := range children {
			ps := s.sd.property(sch, k)
			n := k
			if xn, ok := s.xmlInfo(ps)["name"].(string); ok && xn != "" {
				n = xn
			}
			s.xmlElement(b, n, x[k], ps, depth+1)
		}
		b.WriteString("</" + name + ">")
	case nil:
		b.WriteString("<" + name + "/>")
	default:
		b.WriteString("<" + name + ">")
		_ = xml.EscapeText(b, []byte(headerText(x)))
		b.WriteString("</" + name + ">")
	}
}
