package mock

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/telaio/telaio/oas"
)

// param is a resolved parameter with what decoding needs.
type param struct {
	name, in string
	style    string
	explode  bool
	required bool
	ptr      string // schema pointer, "" when none
	schema   any    // nil when absent
	content  string // media type when the parameter uses content
}

func newParam(p *oas.Parameter) *param {
	pp := &param{
		name: p.Name, in: strings.ToLower(p.In), style: p.Style, explode: p.Explode,
		required: p.Required || strings.EqualFold(p.In, "path"),
		ptr:      p.SchemaPointer, schema: p.Schema,
		content: strings.ToLower(strings.TrimSpace(p.ContentType)),
	}
	if pp.in == "header" {
		pp.name = http.CanonicalHeaderKey(pp.name)
	}
	return pp
}

// paramSource gives access to the request's parameter values.
type paramSource struct {
	sd    schemaDoc
	r     *http.Request
	path  pathParams
	query url.Values
}

// decode extracts and decodes p from the request. present is false when the
// parameter is absent; msg describes a value that cannot be decoded.
func (p *param) decode(src *paramSource) (v any, present bool, msg string) {
	var raw []string
	switch p.in {
	case "path":
		s, ok := src.path.get(p.name)
		if !ok {
			return nil, false, ""
		}
		raw = []string{s}
	case "query":
		if p.content == "" && p.isObject(src.sd) && (p.style == "deepObject" || p.style == "form" && p.explode) {
			return p.queryObject(src.sd, src.query)
		}
		vals, ok := src.query[p.name]
		if !ok {
			return nil, false, ""
		}
		raw = vals
	case "header":
		vals := src.r.Header.Values(p.name)
		if len(vals) == 0 {
			return nil, false, ""
		}
		raw = []string{strings.Join(vals, ",")}
	case "cookie":
		c, err := src.r.Cookie(p.name)
		if err != nil {
			return nil, false, ""
		}
		raw = []string{c.Value}
	default:
		return nil, false, ""
	}
	if p.content != "" {
		if !isJSON(p.content) {
			return raw[0], true, ""
		}
		var v any
		if err := json.Unmarshal([]byte(raw[0]), &v); err != nil {
			return nil, true, "value is not valid JSON"
		}
		return v, true, ""
	}
	sd := src.sd
	switch {
	case p.isArray(sd):
		return p.array(sd, raw), true, ""
	case p.isObject(sd):
		return p.object(sd, raw[0]), true, ""
	default:
		return coerce(sd, p.stripPrefix(raw[0]), p.schema), true, ""
	}
}

func (p *param) isArray(sd schemaDoc) bool  { return slices.Contains(sd.types(p.schema), "array") }
func (p *param) isObject(sd schemaDoc) bool { return slices.Contains(sd.types(p.schema), "object") }

// stripPrefix removes the label (".") or matrix (";name=") prefix.
func (p *param) stripPrefix(s string) string {
	switch p.style {
	case "label":
		return strings.TrimPrefix(s, ".")
	case "matrix":
		s = strings.TrimPrefix(s, ";")
		return strings.TrimPrefix(s, p.name+"=")
	}
	return s
}

func (p *param) array(sd schemaDoc, raw []string) []any {
	items := sd.items(p.schema)
	var parts []string
	switch p.style {
	case "form":
		if p.explode {
			parts = raw
		} else {
			parts = splitNonEmpty(raw[0], ",")
		}
	case "spaceDelimited":
		parts = splitNonEmpty(raw[0], " ")
	case "pipeDelimited":
		parts = splitNonEmpty(raw[0], "|")
	case "label":
		s := strings.TrimPrefix(raw[0], ".")
		if p.explode {
			parts = splitNonEmpty(s, ".")
		} else {
			parts = splitNonEmpty(s, ",")
		}
	case "matrix":
		s := strings.TrimPrefix(raw[0], ";")
		if p.explode {
			for _, kv := range splitNonEmpty(s, ";") {
				parts = append(parts, strings.TrimPrefix(kv, p.name+"="))
			}
		} else {
			parts = splitNonEmpty(strings.TrimPrefix(s, p.name+"="), ",")
		}
	default: // simple
		parts = splitNonEmpty(raw[0], ",")
	}
	out := make([]any, len(parts))
	for i, s := range parts {
		if p.in == "header" {
			s = strings.TrimSpace(s)
		}
		out[i] = coerce(sd, s, items)
	}
	return out
}

// object decodes simple/form non-exploded ("k,v,k,v") and simple exploded
// ("k=v,k=v") objects.
func (p *param) object(sd schemaDoc, s string) map[string]any {
	s = p.stripPrefix(s)
	out := map[string]any{}
	parts := splitNonEmpty(s, ",")
	if p.explode && p.style != "form" {
		for _, kv := range parts {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = coerce(sd, v, sd.property(p.schema, k))
		}
		return out
	}
	for i := 0; i+1 < len(parts); i += 2 {
		out[parts[i]] = coerce(sd, parts[i+1], sd.property(p.schema, parts[i]))
	}
	return out
}

// queryObject decodes deepObject (name[k]=v) and exploded form objects (one
// query parameter per declared property).
func (p *param) queryObject(sd schemaDoc, q url.Values) (any, bool, string) {
	out := map[string]any{}
	if p.style == "deepObject" {
		prefix := p.name + "["
		for k, vs := range q {
			if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, "]") && len(vs) > 0 {
				prop := k[len(prefix) : len(k)-1]
				out[prop] = coerce(sd, vs[0], sd.property(p.schema, prop))
			}
		}
	} else {
		for _, prop := range sd.propertyNames(p.schema) {
			if vs, ok := q[prop]; ok && len(vs) > 0 {
				out[prop] = coerce(sd, vs[0], sd.property(p.schema, prop))
			}
		}
	}
	if len(out) == 0 {
		return nil, false, ""
	}
	return out, true, ""
}

func splitNonEmpty(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

// coerce converts a parameter string to the schema's type: numbers and
// booleans are parsed when the schema wants them (and does not also accept
// strings); anything that does not parse stays a string, for the validator
// to report.
func coerce(sd schemaDoc, s string, sch any) any {
	types := sd.types(sch)
	if len(types) == 0 || slices.Contains(types, "string") {
		return s
	}
	if slices.Contains(types, "integer") || slices.Contains(types, "number") {
		if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXnN_") {
			return f
		}
	}
	if slices.Contains(types, "boolean") {
		switch s {
		case "true":
			return true
		case "false":
			return false
		}
	}
	if slices.Contains(types, "null") && (s == "" || s == "null") {
		return nil
	}
	return s
}
