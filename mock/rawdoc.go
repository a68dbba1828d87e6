package mock

import (
	"net/http"
	"strconv"
	"strings"
)

// The validators compile schemas from the description decoded into the JSON
// data model; these helpers locate objects in it by JSON pointer, following
// local $refs through the non-schema objects (path items, parameters,
// request bodies, responses, headers) so that every schema has a pointer the
// schema compiler can start from.

func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	s = strings.ReplaceAll(s, "~", "~0")
	return strings.ReplaceAll(s, "/", "~1")
}

func unescapeToken(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	s = strings.ReplaceAll(s, "~1", "/")
	return strings.ReplaceAll(s, "~0", "~")
}

// lookup returns the value at the JSON pointer ptr ("" is the root).
func lookup(root any, ptr string) (any, bool) {
	if ptr == "" {
		return root, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := root
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = unescapeToken(tok)
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// resolve returns the object at ptr after following local $refs (at most 32
// hops) and the pointer it was finally found at. ok is false when the chain
// breaks or leaves the document.
func resolve(root any, ptr string) (map[string]any, string, bool) {
	for range 32 {
		v, ok := lookup(root, ptr)
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
		if !strings.HasPrefix(ref, "#") {
			return nil, "", false
		}
		ptr = ref[1:]
	}
	return nil, "", false
}

// rawParamPointers maps "in\x00name" to the pointer of each parameter object
// that applies to the operation at opPtr (path-item ones first, operation
// ones overriding).
func rawParamPointers(root any, itemPtr, opPtr string) map[string]string {
	out := map[string]string{}
	for _, base := range []string{itemPtr, opPtr} {
		v, ok := lookup(root, base+"/parameters")
		if !ok {
			continue
		}
		list, _ := v.([]any)
		for i := range list {
			p, ptr, ok := resolve(root, base+"/parameters/"+strconv.Itoa(i))
			if !ok {
				continue
			}
			name, _ := p["name"].(string)
			in, _ := p["in"].(string)
			out[paramKey(in, name)] = ptr
		}
	}
	return out
}

// paramKey identifies a parameter by location and name (header names are
// case-insensitive).
func paramKey(in, name string) string {
	in = strings.ToLower(in)
	if in == "header" {
		name = http.CanonicalHeaderKey(name)
	}
	return in + "\x00" + name
}

// schemaPointer returns objPtr+"/schema" when that member exists, else "".
func schemaPointer(root any, objPtr string) string {
	if objPtr == "" {
		return ""
	}
	if _, ok := lookup(root, objPtr+"/schema"); ok {
		return objPtr + "/schema"
	}
	return ""
}
