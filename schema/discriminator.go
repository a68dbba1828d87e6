package schema

import (
	"sort"
	"strconv"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// dispatch is the plan for translating an OpenAPI `discriminator` that
// sits beside oneOf or anyOf. The translated schema keeps every other
// keyword and, instead of the combinator, gets one more allOf member (at
// index at):
//
//	{"allOf": [
//	   {"if": <P is v1>, "then": {"$ref": target1}}, ...],
//	 "if": <P is one of v1..vn>,
//	 "else": {"oneOf" or "anyOf": [the alternatives]}}
//
// so a payload whose P selects a schema is validated against that schema
// alone, and any other payload against the combinator as written.
type dispatch struct {
	kw      string                 // "oneOf" or "anyOf"
	prop    string                 // discriminator.propertyName
	at      int                    // allOf index of the dispatch schema
	targets map[string]string      // discriminator value -> $ref of the selected schema
	local   map[string]localTarget // discriminator value -> a target in the document
	refs    []mappingRef           // explicit mapping values, for t.ref
}

type mappingRef struct{ ref, optr string }

// localTarget is the document pointer of a selected schema; mapped is true
// when it comes from discriminator.mapping.
type localTarget struct {
	ptr    string
	mapped bool
}

// planDispatch returns the plan for an OpenAPI schema m, or nil when m
// has no usable discriminator or no oneOf/anyOf beside it (the
// allOf-inheritance form is validated as written).
func planDispatch(m map[string]any) *dispatch {
	disc, ok := m["discriminator"].(map[string]any)
	if !ok {
		return nil
	}
	prop, _ := disc["propertyName"].(string)
	if prop == "" {
		return nil
	}
	d := &dispatch{prop: prop, targets: map[string]string{}, local: map[string]localTarget{}}
	var alts []any
	if a, ok := m["oneOf"].([]any); ok {
		d.kw, alts = "oneOf", a
	} else if a, ok := m["anyOf"].([]any); ok {
		d.kw, alts = "anyOf", a
	} else {
		return nil
	}
	switch all := m["allOf"].(type) {
	case nil:
	case []any:
		d.at = len(all)
	default:
		return nil // not a schema list; the library reports it
	}
	if mapping, ok := disc["mapping"].(map[string]any); ok {
		for value, v := range mapping {
			s, ok := v.(string)
			if !ok || s == "" {
				continue
			}
			ref := mappingTarget(s)
			d.refs = append(d.refs, mappingRef{ref, "/discriminator/mapping/" + jsonptr.EscapeToken(value)})
			if p, ok := localRef(ref); ok {
				// Mapping values are relative to the OpenAPI document,
				// not to an enclosing "$id".
				ref = docURL + fragment(p)
				d.local[value] = localTarget{p, true}
			}
			d.targets[value] = ref
		}
	}
	// Implicit mapping: an alternative "$ref" to ".../Name" is selected
	// by the value "Name", unless the mapping uses that value.
	for _, a := range alts {
		am, _ := a.(map[string]any)
		ref, _ := am["$ref"].(string)
		p, ok := localRef(ref)
		if !ok {
			continue
		}
		toks := splitPointer(p)
		if len(toks) == 0 {
			continue
		}
		name, ok := unescapeToken(toks[len(toks)-1])
		if !ok {
			continue
		}
		if _, taken := d.targets[name]; !taken {
			d.targets[name] = ref
			d.local[name] = localTarget{p, false}
		}
	}
	if len(d.targets) == 0 {
		return nil
	}
	return d
}

// mappingTarget turns a mapping value into a "$ref": a reference is used
// as written, a bare schema name names a schema under
// #/components/schemas.
func mappingTarget(s string) string {
	if strings.HasPrefix(s, "#") || strings.ContainsAny(s, "/:") {
		return s
	}
	return fragment("/components/schemas/" + jsonptr.EscapeToken(s))
}

// altPointer is the sparse pointer of the translated alternatives (the
// fallback combinator) of a schema translated at inner.
func (d *dispatch) altPointer(inner string) string {
	return inner + "/allOf/" + strconv.Itoa(d.at) + "/else/" + d.kw
}

// applyDispatch adds the dispatch schema to out, the translated schema placed at
// inner (original pointer optr). alts are the translated alternatives,
// already placed at d.altPointer(inner).
func (t *translator) applyDispatch(d *dispatch, out map[string]any, alts any, optr, inner string, hasID bool) error {
	for _, r := range d.refs {
		if err := t.ref(r.ref, optr+r.optr, hasID); err != nil {
			return err
		}
	}
	values := make([]string, 0, len(d.targets))
	for v := range d.targets {
		values = append(values, v)
	}
	sort.Strings(values)
	pairs := make([]any, len(values))
	enum := make([]any, len(values))
	for i, v := range values {
		then := map[string]any{"$ref": d.targets[v]}
		// An implicit target is the alternative's own "$ref", relative to
		// an enclosing "$id" like it; a mapping value is not.
		if lt, ok := d.local[v]; ok && (lt.mapped || !hasID) {
			t.sites = append(t.sites, refSite{then, lt.ptr})
		}
		pairs[i] = map[string]any{
			"if":   d.selector(map[string]any{"const": v}),
			"then": then,
		}
		enum[i] = v
	}
	sch := map[string]any{
		"allOf": pairs,
		"if":    d.selector(map[string]any{"enum": enum}),
		"else":  map[string]any{d.kw: alts},
	}
	dptr := inner + "/allOf/" + strconv.Itoa(d.at)
	t.b.alias.Store(dptr, optr+"/discriminator")
	t.b.alias.Store(d.altPointer(inner), optr+"/"+d.kw)
	all, _ := out["allOf"].([]any)
	out["allOf"] = append(append(make([]any, 0, len(all)+1), all...), sch)
	return nil
}

// selector matches an object whose discriminator property is present and
// satisfies value.
func (d *dispatch) selector(value map[string]any) map[string]any {
	return map[string]any{
		"type":       "object",
		"required":   []any{d.prop},
		"properties": map[string]any{d.prop: value},
	}
}
