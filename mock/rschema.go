package mock

import (
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// The mock reads Schema Objects straight from the description in the JSON
// data model (oas.Document.Raw): nothing is built for a schema before a
// request needs it. schemaDoc holds what reading them needs.
type schemaDoc struct {
	root  any
	oas30 bool // OpenAPI 3.0 Schema Objects (nullable, boolean exclusive bounds, $ref siblings ignored)
}

// maxRefHops bounds a chain of $refs to $refs.
const maxRefHops = 32

// lookupRef returns the target of a local reference ("#/components/...",
// percent-encoding allowed). References to other documents, $id and
// $anchor names are not followed.
func (d schemaDoc) lookupRef(ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#") {
		return nil, false
	}
	p, err := jsonptr.ParseFragment(ref)
	if err != nil {
		return nil, false
	}
	return p.Get(d.root)
}

// node returns the schema object s designates after following $refs
// (siblings of a $ref are not looked at), or nil for a boolean schema, a
// broken reference or a non-object.
func (d schemaDoc) node(s any) map[string]any {
	for range maxRefHops {
		m, ok := s.(map[string]any)
		if !ok {
			return nil
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		t, ok := d.lookupRef(ref)
		if !ok {
			return nil
		}
		s = t
	}
	return nil
}

// typeList reads the type keyword of one schema object (a string, or in
// 3.1 a list), adding "null" for a 3.0 nullable schema.
func (d schemaDoc) typeList(m map[string]any) []string {
	var out []string
	switch t := m["type"].(type) {
	case string:
		out = []string{t}
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	if d.oas30 && len(out) > 0 && m["nullable"] == true {
		out = append(out, "null")
	}
	return out
}

// types returns the declared types of s, looking one level into
// allOf/oneOf/anyOf when s declares none; an object without type but with
// properties counts as an object.
func (d schemaDoc) types(s any) []string {
	m := d.node(s)
	if m == nil {
		return nil
	}
	if t := d.typeList(m); len(t) > 0 {
		return t
	}
	var out []string
	for _, kw := range []string{"allOf", "oneOf", "anyOf"} {
		list, _ := m[kw].([]any)
		for _, sub := range list {
			if sm := d.node(sub); sm != nil {
				out = append(out, d.typeList(sm)...)
			}
		}
	}
	if len(out) == 0 {
		if props, ok := m["properties"].(map[string]any); ok && len(props) > 0 {
			out = []string{"object"}
		}
	}
	return out
}

// items returns the items schema of an array schema (nil when absent).
func (d schemaDoc) items(s any) any {
	m := d.node(s)
	if m == nil {
		return nil
	}
	if it, ok := m["items"]; ok {
		if _, tuple := it.([]any); !tuple {
			return it
		}
	}
	return nil
}

// property returns the schema of property name, declared by s or by one of
// its allOf members (nil when none).
func (d schemaDoc) property(s any, name string) any {
	return d.propertyDepth(s, name, 0)
}

func (d schemaDoc) propertyDepth(s any, name string, depth int) any {
	m := d.node(s)
	if m == nil || depth > maxRefHops {
		return nil
	}
	if props, ok := m["properties"].(map[string]any); ok {
		if ps, ok := props[name]; ok {
			return ps
		}
	}
	list, _ := m["allOf"].([]any)
	for _, sub := range list {
		if ps := d.propertyDepth(sub, name, depth+1); ps != nil {
			return ps
		}
	}
	return nil
}

// propertyNames lists the properties s declares (with its allOf members).
func (d schemaDoc) propertyNames(s any) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(s any, depth int)
	walk = func(s any, depth int) {
		m := d.node(s)
		if m == nil || depth > maxRefHops {
			return
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for _, k := range sortedKeys(props) {
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
		list, _ := m["allOf"].([]any)
		for _, sub := range list {
			walk(sub, depth+1)
		}
	}
	walk(s, 0)
	return out
}

// flag reports a boolean keyword (readOnly, writeOnly) set on s, following
// $refs and allOf, as package schema reads it.
func (d schemaDoc) flag(s any, name string) bool {
	return d.flagDepth(s, name, 0)
}

func (d schemaDoc) flagDepth(s any, name string, depth int) bool {
	if depth > maxRefHops {
		return false
	}
	m, ok := s.(map[string]any)
	if !ok {
		return false
	}
	if m[name] == true {
		return true
	}
	if ref, ok := m["$ref"].(string); ok {
		if t, ok := d.lookupRef(ref); ok && d.flagDepth(t, name, depth+1) {
			return true
		}
		if d.oas30 {
			return false
		}
	}
	list, _ := m["allOf"].([]any)
	for _, sub := range list {
		if d.flagDepth(sub, name, depth+1) {
			return true
		}
	}
	return false
}

// lookup returns the value at a JSON pointer of the description.
func (d schemaDoc) lookup(ptr string) (any, bool) { return jsonptr.Lookup(d.root, ptr) }

// resolveObject returns the object at ptr after following local $refs and
// the pointer it was finally found at. ok is false when the chain breaks.
func (d schemaDoc) resolveObject(ptr string) (map[string]any, string, bool) {
	for range maxRefHops {
		v, ok := d.lookup(ptr)
		if !ok {
			return nil, "", false
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "", false
		}
		ref, isRef := m["$ref"].(string)
		if !isRef {
			return m, ptr, true
		}
		p, err := jsonptr.ParseFragment(ref)
		if err != nil || !strings.HasPrefix(ref, "#") {
			return nil, "", false
		}
		ptr = p.String()
	}
	return nil, "", false
}

// within reports whether the schema at ptr, with everything its local
// $refs reach, holds at most limit JSON values. It stops counting at the
// limit, so its cost is bounded by it.
func (d schemaDoc) within(ptr string, limit int) bool {
	v, ok := d.lookup(ptr)
	if !ok {
		return true
	}
	n := 0
	seen := map[string]bool{}
	stack := []any{v}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n++; n > limit {
			return false
		}
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && !seen[ref] {
				seen[ref] = true
				if t, ok := d.lookupRef(ref); ok {
					stack = append(stack, t)
				}
			}
			for _, e := range x {
				stack = append(stack, e)
			}
		case []any:
			stack = append(stack, x...)
		}
	}
	return true
}
