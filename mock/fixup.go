package mock

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	yaml "github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// libopenapi's renderer (v0.42) gets some schema features wrong; fixup walks
// a rendered value with its schema and repairs them, so that synthesized
// bodies validate:
//   - required properties whose schema has no type ({} or enum-only), arrays
//     without items and const-only schemas are left out;
//   - numbers ignore exclusive bounds, multipleOf, negative maximums and
//     fractional bounds; integer schemas with format float get fractions;
//   - const, and enum on schemas without a type, are ignored;
//   - maxItems is ignored (one item is always rendered), and an array of
//     arrays is flattened;
//   - with every property rendered, readOnly properties appear in requests
//     and writeOnly ones in responses (they are dropped, even when required:
//     OpenAPI exempts them from required in that direction);
//   - string lengths outside minLength/maxLength for some formats.
// Values that fixup has to invent come from zero, a small deterministic
// constructor. oneOf/anyOf are left as rendered (the first alternative).

const maxFixDepth = 64

type fixer struct {
	dir    direction
	budget int
}

func fixup(v any, sch *base.Schema, dir direction) any {
	f := &fixer{dir: dir, budget: 100000}
	return f.fix(v, sch, 0)
}

func (f *fixer) fix(v any, sch *base.Schema, depth int) any {
	f.budget--
	if sch == nil || depth > maxFixDepth || f.budget < 0 {
		return v
	}
	if sch.Const != nil {
		return nodeValue(sch.Const)
	}
	if len(sch.Enum) > 0 {
		if !inEnum(v, sch.Enum) {
			return nodeValue(sch.Enum[0])
		}
		return v
	}
	types := schemaTypes(sch)
	if v == nil {
		if slices.Contains(types, "null") || sch.Nullable != nil && *sch.Nullable {
			return nil
		}
		return f.zero(sch, depth)
	}
	if len(types) > 0 && !slices.Contains(types, jsonType(v, types)) {
		return f.zero(sch, depth)
	}
	switch x := v.(type) {
	case float64:
		return fixNumber(x, sch, slices.Contains(types, "integer") && !slices.Contains(types, "number"))
	case string:
		return fixString(x, sch)
	case []any:
		return f.fixArray(x, sch, depth)
	case map[string]any:
		return f.fixObject(x, sch, depth)
	}
	return v
}

// jsonType names v's JSON type; a whole number is "integer" when the schema
// accepts integers.
func jsonType(v any, types []string) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case float64:
		if slices.Contains(types, "number") {
			return "number"
		}
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	}
	return ""
}

func inEnum(v any, enum []*yaml.Node) bool {
	for _, e := range enum {
		if reflect.DeepEqual(nodeValue(e), v) {
			return true
		}
	}
	return false
}

// bounds returns the inclusive-or-exclusive numeric bounds of sch.
func bounds(sch *base.Schema) (lo, hi float64, loEx, hiEx, hasLo, hasHi bool) {
	if sch.Minimum != nil {
		lo, hasLo = *sch.Minimum, true
	}
	if sch.Maximum != nil {
		hi, hasHi = *sch.Maximum, true
	}
	if e := sch.ExclusiveMinimum; e != nil {
		if e.IsA() {
			loEx = e.A && hasLo
		} else if !hasLo || e.B >= lo {
			lo, hasLo, loEx = e.B, true, true
		}
	}
	if e := sch.ExclusiveMaximum; e != nil {
		if e.IsA() {
			hiEx = e.A && hasHi
		} else if !hasHi || e.B <= hi {
			hi, hasHi, hiEx = e.B, true, true
		}
	}
	return
}

func fixNumber(x float64, sch *base.Schema, integer bool) float64 {
	lo, hi, loEx, hiEx, hasLo, hasHi := bounds(sch)
	ok := func(n float64) bool {
		if integer && n != math.Trunc(n) {
			return false
		}
		if hasLo && (n < lo || loEx && n == lo) {
			return false
		}
		if hasHi && (n > hi || hiEx && n == hi) {
			return false
		}
		if m := sch.MultipleOf; m != nil && *m > 0 {
			q := n / *m
			if math.Abs(q-math.Round(q)) > 1e-9 {
				return false
			}
		}
		return true
	}
	if ok(x) {
		return x
	}
	step := 1.0
	if m := sch.MultipleOf; m != nil && *m > 0 {
		step = *m
	} else if !integer {
		step = 0
	}
	// Candidates: the lowest allowed value, the highest, the middle.
	var cands []float64
	if hasLo {
		if step > 0 {
			c := math.Ceil(lo/step) * step
			if loEx && c == lo {
				c += step
			}
			cands = append(cands, c)
		} else if loEx {
			if hasHi {
				cands = append(cands, lo+(hi-lo)/2)
			} else {
				cands = append(cands, lo+1)
			}
		} else {
			cands = append(cands, lo)
		}
	}
	if hasHi {
		if step > 0 {
			c := math.Floor(hi/step) * step
			if hiEx && c == hi {
				c -= step
			}
			cands = append(cands, c)
		} else if hiEx {
			cands = append(cands, hi-1)
		} else {
			cands = append(cands, hi)
		}
	}
	if step > 0 {
		cands = append(cands, math.Round(x/step)*step, step)
	}
	cands = append(cands, math.Round(x), 0)
	for _, c := range cands {
		if ok(c) {
			return c
		}
	}
	return x
}

func fixString(s string, sch *base.Schema) string {
	n := utf8.RuneCountInString(s)
	if sch.MaxLength != nil && int64(n) > *sch.MaxLength {
		r := []rune(s)
		s = string(r[:max(*sch.MaxLength, 0)])
	}
	if sch.MinLength != nil && int64(n) < *sch.MinLength {
		s += strings.Repeat("x", int(min(*sch.MinLength-int64(n), 4096)))
	}
	return s
}

func itemsSchema(sch *base.Schema) *base.Schema {
	if sch.Items != nil && sch.Items.IsA() && sch.Items.A != nil {
		return sch.Items.A.Schema()
	}
	return nil
}

func (f *fixer) fixArray(a []any, sch *base.Schema, depth int) []any {
	items := itemsSchema(sch)
	if sch.MaxItems != nil && int64(len(a)) > *sch.MaxItems {
		a = a[:max(*sch.MaxItems, 0)]
	}
	for i := range a {
		switch {
		case i < len(sch.PrefixItems) && sch.PrefixItems[i] != nil:
			a[i] = f.fix(a[i], sch.PrefixItems[i].Schema(), depth+1)
		case items != nil:
			a[i] = f.fix(a[i], items, depth+1)
		}
	}
	if sch.MinItems != nil {
		for int64(len(a)) < *sch.MinItems && len(a) < 1000 {
			a = append(a, f.arrayItem(sch, len(a), depth))
		}
	}
	return a
}

func (f *fixer) arrayItem(sch *base.Schema, i, depth int) any {
	if i < len(sch.PrefixItems) && sch.PrefixItems[i] != nil {
		return f.zero(sch.PrefixItems[i].Schema(), depth+1)
	}
	return f.zero(itemsSchema(sch), depth+1)
}

// objectParts gathers the properties and required names of sch and of its
// allOf members (recursively).
func objectParts(sch *base.Schema, props map[string]*base.Schema, required *[]string, depth int) {
	if sch == nil || depth > maxFixDepth {
		return
	}
	if sch.Properties != nil {
		for name, ps := range sch.Properties.FromOldest() {
			if _, seen := props[name]; !seen && ps != nil {
				props[name] = ps.Schema()
			}
		}
	}
	*required = append(*required, sch.Required...)
	for _, sp := range sch.AllOf {
		if sp != nil {
			objectParts(sp.Schema(), props, required, depth+1)
		}
	}
}

func (f *fixer) fixObject(m map[string]any, sch *base.Schema, depth int) map[string]any {
	props := map[string]*base.Schema{}
	var required []string
	objectParts(sch, props, &required, 0)
	closed := sch.AdditionalProperties != nil && !sch.AdditionalProperties.IsA() && !sch.AdditionalProperties.B
	for k, v := range m {
		ps, declared := props[k]
		switch {
		case declared && ps != nil && f.hidden(ps):
			delete(m, k)
		case declared:
			m[k] = f.fix(v, ps, depth+1)
		case closed && len(sch.AllOf) == 0:
			delete(m, k)
		}
	}
	for _, k := range required {
		if _, ok := m[k]; !ok && (props[k] == nil || !f.hidden(props[k])) {
			m[k] = f.fix(nil, props[k], depth+1)
		}
	}
	return m
}

// hidden reports a property that must not travel in f's direction.
func (f *fixer) hidden(ps *base.Schema) bool {
	if f.dir == dirResponse {
		return ps.WriteOnly != nil && *ps.WriteOnly
	}
	return ps.ReadOnly != nil && *ps.ReadOnly
}

// zero builds a small valid value for sch without the renderer.
func (f *fixer) zero(sch *base.Schema, depth int) any {
	f.budget--
	if sch == nil || depth > maxFixDepth || f.budget < 0 {
		return ""
	}
	switch {
	case sch.Const != nil:
		return nodeValue(sch.Const)
	case len(sch.Enum) > 0:
		return nodeValue(sch.Enum[0])
	case sch.Default != nil:
		return nodeValue(sch.Default)
	case sch.Example != nil:
		return nodeValue(sch.Example)
	case len(sch.Examples) > 0:
		return nodeValue(sch.Examples[0])
	}
	types := schemaTypes(sch)
	t := ""
	for _, c := range types {
		if c != "null" {
			t = c
			break
		}
	}
	if t == "" && len(types) > 0 {
		return nil
	}
	if t == "" {
		switch {
		case sch.Properties != nil && sch.Properties.Len() > 0 || len(sch.AllOf) > 0 || len(sch.Required) > 0:
			t = "object"
		case sch.Items != nil || len(sch.PrefixItems) > 0:
			t = "array"
		case len(sch.OneOf) > 0 && sch.OneOf[0] != nil:
			return f.zero(sch.OneOf[0].Schema(), depth+1)
		case len(sch.AnyOf) > 0 && sch.AnyOf[0] != nil:
			return f.zero(sch.AnyOf[0].Schema(), depth+1)
		default:
			return ""
		}
	}
	switch t {
	case "string":
		return fixString(formatZero(sch.Format), sch)
	case "integer":
		return fixNumber(0, sch, true)
	case "number":
		return fixNumber(0, sch, false)
	case "boolean":
		return true
	case "array":
		var a []any
		if sch.MinItems != nil {
			for int64(len(a)) < *sch.MinItems && len(a) < 1000 {
				a = append(a, f.arrayItem(sch, len(a), depth))
			}
		}
		if a == nil {
			a = []any{}
		}
		return a
	case "object":
		props := map[string]*base.Schema{}
		var required []string
		objectParts(sch, props, &required, 0)
		m := map[string]any{}
		for _, k := range required {
			if _, ok := m[k]; !ok && (props[k] == nil || !f.hidden(props[k])) {
				m[k] = f.zero(props[k], depth+1)
			}
		}
		return m
	}
	return nil
}

func formatZero(format string) string {
	switch format {
	case "date-time":
		return "2025-01-01T12:00:00Z"
	case "date":
		return "2025-01-01"
	case "time":
		return "12:00:00Z"
	case "email":
		return "user@example.com"
	case "uuid":
		return "00000000-0000-4000-8000-000000000000"
	case "uri", "url", "iri":
		return "https://example.com/"
	case "uri-reference", "iri-reference":
		return "/example"
	case "hostname", "idn-hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.1"
	case "ipv6":
		return "2001:db8::1"
	case "byte":
		return "eA=="
	}
	return "string"
}
