package oas

import (
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/yamlx"
)

// splitPointer splits an RFC 6901 pointer into unescaped tokens.
func splitPointer(ptr string) ([]string, error) {
	p, err := jsonptr.Parse(ptr)
	return p, err
}

// resolver follows local $refs while the index is built.
type resolver struct {
	doc *Document
	// order gives the declaration order of maps by pointer when there is
	// no YAML tree (a Subset).
	order map[string][]string
}

const maxRefHops = 32

// follow resolves v when it is a {$ref: "#/..."} object, returning the target
// and its pointer. Non-local refs are left as they are.
func (r *resolver) follow(v any, ptr string) (any, string) {
	for i := 0; i < maxRefHops; i++ {
		m, ok := v.(map[string]any)
		if !ok {
			return v, ptr
		}
		ref, ok := m["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#") {
			return v, ptr
		}
		// A $ref is a URI reference: its fragment may be percent-encoded.
		toks, err := jsonptr.ParseFragment(ref)
		if err != nil {
			return v, ptr
		}
		target, ok := toks.Get(r.doc.Raw)
		if !ok {
			return v, ptr
		}
		v, ptr = target, toks.String()
	}
	return v, ptr
}

func (r *resolver) servers(v any) []Server {
	list, _ := v.([]any)
	var out []Server
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		s := Server{}
		s.URL, _ = m["url"].(string)
		s.Description, _ = m["description"].(string)
		if vars, ok := m["variables"].(map[string]any); ok {
			s.Variables = map[string]ServerVariable{}
			for name, vv := range vars {
				vm, _ := vv.(map[string]any)
				sv := ServerVariable{}
				sv.Default, _ = vm["default"].(string)
				if enum, ok := vm["enum"].([]any); ok {
					for _, e := range enum {
						if s, ok := e.(string); ok {
							sv.Enum = append(sv.Enum, s)
						}
					}
				}
				s.Variables[name] = sv
			}
		}
		out = append(out, s)
	}
	return out
}

func (r *resolver) security(v any) []SecurityRequirement {
	list, _ := v.([]any)
	out := make([]SecurityRequirement, 0, len(list))
	for _, item := range list {
		m, _ := item.(map[string]any)
		req := SecurityRequirement{}
		for name, scopes := range m {
			var ss []string
			if l, ok := scopes.([]any); ok {
				for _, s := range l {
					if str, ok := s.(string); ok {
						ss = append(ss, str)
					}
				}
			}
			req[name] = ss
		}
		out = append(out, req)
	}
	return out
}

func (r *resolver) schemes(root map[string]any) map[string]*SecurityScheme {
	comps, _ := root["components"].(map[string]any)
	raw, _ := comps["securitySchemes"].(map[string]any)
	out := make(map[string]*SecurityScheme, len(raw))
	for name, v := range raw {
		v, _ = r.follow(v, "/components/securitySchemes/"+jsonptr.EscapeToken(name))
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		s := &SecurityScheme{Name: name}
		s.Type, _ = m["type"].(string)
		sch, _ := m["scheme"].(string)
		s.Scheme = strings.ToLower(sch)
		s.In, _ = m["in"].(string)
		s.ParamName, _ = m["name"].(string)
		if flows, ok := m["flows"].(map[string]any); ok {
			if cc, ok := flows["clientCredentials"].(map[string]any); ok {
				s.TokenURL, _ = cc["tokenUrl"].(string)
				if sc, ok := cc["scopes"].(map[string]any); ok {
					for k := range sc {
						s.Scopes = append(s.Scopes, k)
					}
				}
			}
		}
		out[name] = s
	}
	return out
}

func (r *resolver) parameters(v any, ptr string) []*Parameter {
	list, _ := v.([]any)
	var out []*Parameter
	for i, item := range list {
		item, iptr := r.follow(item, ptr+"/"+itoa(i))
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		if _, unresolved := m["$ref"]; unresolved {
			continue // an external (or dangling) reference: unknown
		}
		p := &Parameter{Pointer: iptr}
		p.Name, _ = m["name"].(string)
		p.In, _ = m["in"].(string)
		p.Required, _ = m["required"].(bool)
		p.AllowReserved, _ = m["allowReserved"].(bool)
		p.Deprecated, _ = m["deprecated"].(bool)
		if p.In == "path" {
			p.Required = true
		}
		p.Style, _ = m["style"].(string)
		if p.Style == "" {
			switch p.In {
			case "query", "cookie":
				p.Style = "form"
			case "querystring":
				// No style: the media type of content serializes it.
			default:
				p.Style = "simple"
			}
		}
		if e, ok := m["explode"].(bool); ok {
			p.Explode = e
		} else {
			p.Explode = p.Style == "form"
		}
		if s, ok := m["schema"]; ok {
			p.Schema = s
			p.SchemaPointer = iptr + "/schema"
		} else if c, ok := m["content"].(map[string]any); ok {
			// One media type (the specification allows no more).
			for _, ct := range r.keyOrder(iptr+"/content", c) {
				p.ContentType = ct
				mt, mptr := r.follow(c[ct], iptr+"/content/"+jsonptr.EscapeToken(ct))
				if mm, ok := mt.(map[string]any); ok {
					if s, ok := mm["schema"]; ok {
						p.Schema = s
						p.SchemaPointer = mptr + "/schema"
					}
				}
				break
			}
		}
		out = append(out, p)
	}
	return out
}

// splitQueryString takes the OpenAPI 3.2 "in: querystring" parameter out
// of a merged list (the first one, should there be several).
func splitQueryString(list []*Parameter) ([]*Parameter, *Parameter) {
	var qs *Parameter
	out := list[:0:0]
	for _, p := range list {
		if p.In != "querystring" {
			out = append(out, p)
		} else if qs == nil {
			qs = p
		}
	}
	if qs == nil {
		return list, nil
	}
	return out, qs
}

// mergeParams overlays operation parameters on path-item ones by (name, in).
func mergeParams(common, own []*Parameter) []*Parameter {
	if len(common) == 0 {
		return own
	}
	out := append([]*Parameter(nil), own...)
	for _, c := range common {
		dup := false
		for _, o := range own {
			if o.Name == c.Name && o.In == c.In {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

func (r *resolver) requestBody(v any, ptr string) *RequestBody {
	v, ptr = r.follow(v, ptr)
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	b := &RequestBody{}
	b.Required, _ = m["required"].(bool)
	b.Content = r.content(m["content"], ptr+"/content", m)
	return b
}

func (r *resolver) content(v any, ptr string, parent map[string]any) []*MediaType {
	c, _ := v.(map[string]any)
	out := make([]*MediaType, 0, len(c))
	for _, name := range r.keyOrder(ptr, c) {
		mt := &MediaType{Name: name}
		// OpenAPI 3.2: a media type may be a $ref (components/mediaTypes).
		mv, mptr := r.follow(c[name], ptr+"/"+jsonptr.EscapeToken(name))
		mm, _ := mv.(map[string]any)
		if s, ok := mm["schema"]; ok {
			mt.Schema = s
			mt.SchemaPointer = mptr + "/schema"
		}
		if s, ok := mm["itemSchema"]; ok {
			mt.ItemSchema = s
			mt.ItemSchemaPointer = mptr + "/itemSchema"
		}
		if ex, ok := mm["example"]; ok {
			mt.Example, mt.HasExample = ex, true
		}
		if exs, ok := mm["examples"].(map[string]any); ok {
			mt.Examples = map[string]any{}
			for k, e := range exs {
				e, _ = r.follow(e, "")
				if em, ok := e.(map[string]any); ok {
					if val, ok := em["value"]; ok {
						mt.Examples[k] = val
					}
				}
			}
		}
		out = append(out, mt)
	}
	return out
}

// keyOrder lists the keys of the map at ptr in declaration order when the
// YAML tree is known, else JSON media types first, then sorted.
func (r *resolver) keyOrder(ptr string, m map[string]any) []string {
	if keys, ok := r.order[ptr]; ok && len(keys) == len(m) {
		return keys
	}
	if len(r.doc.files) > 0 && len(m) > 1 {
		if toks, err := splitPointer(ptr); err == nil {
			if keys := yamlx.Keys(r.doc.nodeAt(toks)); len(keys) == len(m) {
				// Kept for Subset, which has no YAML tree to ask.
				if r.doc.order == nil {
					r.doc.order = map[string][]string{}
				}
				r.doc.order[ptr] = keys
				return keys
			}
		}
	}
	return orderedKeys(m)
}

// orderedKeys returns map keys with JSON media types first, then sorted; the
// JSON data model keeps no key order, so this gives a stable, useful order.
func orderedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		k = strings.ToLower(k)
		switch {
		case k == "application/json":
			return 0
		case strings.HasSuffix(k, "+json") || strings.HasSuffix(k, "/json"):
			return 1
		}
		return 2
	}
	sortStrings(keys, func(a, b string) bool {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		return a < b
	})
	return keys
}

func (r *resolver) responses(v any, ptr string) []*Response {
	m, _ := v.(map[string]any)
	codes := make([]string, 0, len(m))
	for k := range m {
		if !strings.HasPrefix(k, "x-") {
			codes = append(codes, k)
		}
	}
	sortStrings(codes, func(a, b string) bool {
		if a == "default" || b == "default" {
			return b == "default" && a != "default"
		}
		return strings.ToUpper(a) < strings.ToUpper(b)
	})
	out := make([]*Response, 0, len(codes))
	for _, code := range codes {
		rv, rptr := r.follow(m[code], ptr+"/"+jsonptr.EscapeToken(code))
		rm, _ := rv.(map[string]any)
		resp := &Response{Code: code}
		resp.Content = r.content(rm["content"], rptr+"/content", rm)
		if hs, ok := rm["headers"].(map[string]any); ok {
			for _, name := range orderedKeys(hs) {
				hv, hptr := r.follow(hs[name], rptr+"/headers/"+jsonptr.EscapeToken(name))
				hm, _ := hv.(map[string]any)
				h := &Header{Name: name}
				h.Required, _ = hm["required"].(bool)
				if s, ok := hm["schema"]; ok {
					h.Schema = s
					h.SchemaPointer = hptr + "/schema"
				}
				resp.Headers = append(resp.Headers, h)
			}
		}
		out = append(out, resp)
	}
	return out
}
