package mock

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// The validators compile schemas from the description decoded into the JSON
// data model; these helpers locate objects in it by JSON pointer, following
// local $refs through the non-schema objects (path items, parameters,
// request bodies, responses, headers) so that every schema has a pointer the
// schema compiler can start from.

// resolve returns the object at ptr after following local $refs (at most 32
// hops) and the pointer it was finally found at. ok is false when the chain
// breaks or leaves the document.
func resolve(root any, ptr string) (map[string]any, string, bool) {
	for range 32 {
		v, ok := jsonptr.Lookup(root, ptr)
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
		v, ok := jsonptr.Lookup(root, base+"/parameters")
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
	if _, ok := jsonptr.Lookup(root, objPtr+"/schema"); ok {
		return objPtr + "/schema"
	}
	return ""
}
