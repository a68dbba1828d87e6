package upgrade

import (
	"strings"

	"github.com/telaio/telaio/arazzo"
)

// inputNames lists the property names an inputs schema declares,
// following local $refs and allOf, or nil when it does not restrict them
// (alternatives, patternProperties, additionalProperties other than
// false). It decides as arazzo.Validate does which dotted input names are
// names and which are navigation.
func inputNames(d *arazzo.Document, schema any) []string {
	var names []string
	closed := false
	seen := 0
	var walk func(s any) bool
	walk = func(s any) bool {
		seen++
		if seen > 64 {
			return false
		}
		m, ok := s.(map[string]any)
		if !ok {
			return false
		}
		if ref, ok := m["$ref"].(string); ok {
			t, ok := resolveLocal(d, ref)
			if !ok || !walk(t) {
				return false
			}
		}
		for _, k := range []string{"anyOf", "oneOf"} {
			if _, ok := m[k]; ok {
				return false
			}
		}
		if all, ok := m["allOf"].([]any); ok {
			for _, sub := range all {
				if !walk(sub) {
					return false
				}
			}
		}
		if _, ok := m["patternProperties"]; ok {
			return false
		}
		if ap, ok := m["additionalProperties"]; ok {
			if b, ok := ap.(bool); ok && !b {
				closed = true
			} else {
				return false
			}
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k := range props {
				names = append(names, k)
			}
		}
		return true
	}
	if !walk(schema) || (names == nil && !closed) {
		return nil
	}
	return names
}

// resolveLocal resolves a "#/..." reference inside the document.
func resolveLocal(d *arazzo.Document, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	cur := d.Raw
	frag, err := arazzo.UnescapeFragment(ref[2:])
	if err != nil {
		return nil, false
	}
	for _, tok := range strings.Split(frag, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func outputNames(outs []*arazzo.Output) []string {
	out := make([]string, 0, len(outs))
	for _, o := range outs {
		out = append(out, o.Name)
	}
	return out
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
