package mock

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// param is a resolved parameter with what decoding needs.
type param struct {
	name, in   string
	style      string
	explode    bool
	required   bool
	schema     *base.Schema // nil when absent or unresolvable
	content    string       // media type when the parameter uses content
	contentKey string       // the content key as written
}

func newParam(p *v3.Parameter) *param {
	pp := &param{name: p.Name, in: strings.ToLower(p.In), style: p.Style}
	pp.required = p.Required != nil && *p.Required || pp.in == "path"
	if pp.style == "" {
		switch pp.in {
		case "query", "cookie":
			pp.style = "form"
		default:
			pp.style = "simple"
		}
	}
	pp.explode = pp.style == "form"
	if p.Explode != nil {
		pp.explode = *p.Explode
	}
	if p.Schema != nil {
		pp.schema = p.Schema.Schema()
	}
	if p.Content != nil {
		for name, mt := range p.Content.FromOldest() {
			pp.content = strings.ToLower(strings.TrimSpace(name))
			pp.contentKey = name
			if mt != nil && mt.Schema != nil {
				pp.schema = mt.Schema.Schema()
			}
			break
		}
	}
	if pp.in == "header" {
		pp.name = http.CanonicalHeaderKey(pp.name)
	}
	return pp
}

// paramSource gives access to the request's parameter values.
type paramSource struct {
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
		if p.content == "" && p.isObject() && (p.style == "deepObject" || p.style == "form" && p.explode) {
			return p.queryObject(src.query)
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
	switch {
	case p.isArray():
		return p.array(raw), true, ""
	case p.isObject():
		return p.object(raw[0]), true, ""
	default:
		return coerce(p.stripPrefix(raw[0]), p.schema), true, ""
	}
}

func (p *param) isArray() bool  { return slices.Contains(schemaTypes(p.schema), "array") }
func (p *param) isObject() bool { return slices.Contains(schemaTypes(p.schema), "object") }

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

func (p *param) array(raw []string) []any {
	var items *base.Schema
	if p.schema != nil && p.schema.Items != nil && p.schema.Items.IsA() && p.schema.Items.A != nil {
		items = p.schema.Items.A.Schema()
	}
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
		out[i] = coerce(s, items)
	}
	return out
}

// object decodes simple/form non-exploded ("k,v,k,v") and simple exploded
// ("k=v,k=v") objects.
func (p *param) object(s string) map[string]any {
	s = p.stripPrefix(s)
	out := map[string]any{}
	parts := splitNonEmpty(s, ",")
	if p.explode && p.style != "form" {
		for _, kv := range parts {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = coerce(v, propSchema(p.schema, k))
		}
		return out
	}
	for i := 0; i+1 < len(parts); i += 2 {
		out[parts[i]] = coerce(parts[i+1], propSchema(p.schema, parts[i]))
	}
	return out
}

// queryObject decodes deepObject (name[k]=v) and exploded form objects (one
// query parameter per declared property).
func (p *param) queryObject(q url.Values) (any, bool, string) {
	out := map[string]any{}
	if p.style == "deepObject" {
		prefix := p.name + "["
		for k, vs := range q {
			if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, "]") && len(vs) > 0 {
				prop := k[len(prefix) : len(k)-1]
				out[prop] = coerce(vs[0], propSchema(p.schema, prop))
			}
		}
	} else if p.schema != nil && p.schema.Properties != nil {
		for prop, ps := range p.schema.Properties.FromOldest() {
			if vs, ok := q[prop]; ok && len(vs) > 0 {
				var sch *base.Schema
				if ps != nil {
					sch = ps.Schema()
				}
				out[prop] = coerce(vs[0], sch)
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

func propSchema(s *base.Schema, name string) *base.Schema {
	if s == nil || s.Properties == nil {
		return nil
	}
	if ps, ok := s.Properties.Get(name); ok && ps != nil {
		return ps.Schema()
	}
	return nil
}

// schemaTypes returns the declared types of s, looking one level into
// allOf/oneOf/anyOf when s declares none; an object without type but with
// properties counts as an object.
func schemaTypes(s *base.Schema) []string {
	if s == nil {
		return nil
	}
	if len(s.Type) > 0 {
		return s.Type
	}
	var out []string
	for _, list := range [][]*base.SchemaProxy{s.AllOf, s.OneOf, s.AnyOf} {
		for _, sp := range list {
			if sp == nil {
				continue
			}
			if sub := sp.Schema(); sub != nil {
				out = append(out, sub.Type...)
			}
		}
	}
	if len(out) == 0 && s.Properties != nil && s.Properties.Len() > 0 {
		out = []string{"object"}
	}
	return out
}

// coerce converts a parameter string to the schema's type: numbers and
// booleans are parsed when the schema wants them (and does not also accept
// strings); anything that does not parse stays a string, for the validator
// to report.
func coerce(s string, sch *base.Schema) any {
	types := schemaTypes(sch)
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
