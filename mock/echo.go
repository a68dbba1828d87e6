package mock

import (
	"slices"
	"sync"

	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/telaio/telaio/schema"
)

// echoSite is a string property of a synthesized body whose value a request
// may replace (see WithEcho).
type echoSite struct {
	path []any // keys (string) and indexes (int) from the root to the object
	key  string
	sch  *base.Schema

	once sync.Once
	chk  *schema.Schema // nil: any string is valid
	bad  bool           // the constraints could not be compiled: never echo
}

const maxEchoSites = 10000

// echoSites lists the string properties of v declared with a plain string
// schema (type string, no allOf/oneOf/anyOf/not), walking v with sch.
func echoSites(v any, sch *base.Schema) []*echoSite {
	var out []*echoSite
	var walk func(v any, sch *base.Schema, path []any, depth int)
	walk = func(v any, sch *base.Schema, path []any, depth int) {
		if sch == nil || depth > maxFixDepth || len(out) >= maxEchoSites {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			props := map[string]*base.Schema{}
			var req []string
			objectParts(sch, props, &req, 0)
			for _, alt := range [][]*base.SchemaProxy{sch.OneOf, sch.AnyOf} {
				if len(alt) > 0 && alt[0] != nil {
					objectParts(alt[0].Schema(), props, &req, 0)
				}
			}
			for _, k := range sortedKeys(x) {
				ps := props[k]
				if ps == nil {
					continue
				}
				if _, isStr := x[k].(string); isStr {
					if plainString(ps) {
						out = append(out, &echoSite{path: slices.Clone(path), key: k, sch: ps})
					}
					continue
				}
				walk(x[k], ps, append(path, k), depth+1)
			}
		case []any:
			items := itemsSchema(sch)
			for i, e := range x {
				it := items
				if i < len(sch.PrefixItems) && sch.PrefixItems[i] != nil {
					it = sch.PrefixItems[i].Schema()
				}
				walk(e, it, append(path, i), depth+1)
			}
		}
	}
	walk(v, sch, nil, 0)
	return out
}

func plainString(s *base.Schema) bool {
	return slices.Contains(s.Type, "string") && s.AllOf == nil && s.OneOf == nil && s.AnyOf == nil && s.Not == nil
}

// accepts reports whether str satisfies the site's string constraints
// (format, pattern, length, enum, const), checked with package schema.
func (st *echoSite) accepts(str string) bool {
	st.once.Do(func() {
		c := map[string]any{}
		s := st.sch
		if s.Format != "" {
			c["format"] = s.Format
		}
		if s.Pattern != "" {
			c["pattern"] = s.Pattern
		}
		if s.MinLength != nil {
			c["minLength"] = float64(*s.MinLength)
		}
		if s.MaxLength != nil {
			c["maxLength"] = float64(*s.MaxLength)
		}
		if len(s.Enum) > 0 {
			enum := make([]any, len(s.Enum))
			for i, e := range s.Enum {
				enum[i] = nodeValue(e)
			}
			c["enum"] = enum
		}
		if s.Const != nil {
			c["const"] = nodeValue(s.Const)
		}
		if len(c) == 0 {
			return
		}
		chk, err := schema.Compile(c, "")
		st.chk, st.bad = chk, err != nil
	})
	if st.bad {
		return false
	}
	return st.chk == nil || st.chk.Validate(str) == nil
}

// echoBody encodes val with the request's strings written into the matching
// echo sites of m; ok is false when nothing applies.
func echoBody(m *media, val any, echo map[string]string) ([]byte, bool) {
	var p *patch
	for _, st := range m.sites {
		nv, ok := echo[st.key]
		if !ok {
			continue
		}
		if obj, ok := at(val, st.path).(map[string]any); !ok || obj[st.key] == nv || !st.accepts(nv) {
			continue
		}
		if p == nil {
			p = &patch{}
		}
		p.set(st.path, st.key, nv)
	}
	if p == nil {
		return nil, false
	}
	return appendJSON(nil, val, p), true
}

func at(v any, path []any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
