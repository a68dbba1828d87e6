package mock

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Synthesis builds a value for a Schema Object of the description, read
// from the JSON data model. The schemas that apply to one value (the
// schema, its $ref targets, its allOf members and one chosen alternative of
// each oneOf/anyOf, recursively) are first merged into one flat set of
// constraints, so that a const or an enum anywhere among them is honoured;
// the value is then built from the flat set. A discriminator beside the
// chosen alternative gets the value that selects it.
//
// The result is checked against the compiled schema (package schema, as the
// contract checks do). When it does not validate, synthesis is retried with
// the schemas' examples ignored, with required content only, and with other
// oneOf/anyOf alternatives; the first valid value wins.

// DefaultSynthNodes is the default number of JSON values (objects, arrays
// and scalars) a synthesized body may hold before only required properties
// and minItems items are added; see WithSynthesisLimits.
const DefaultSynthNodes = 1000

// DefaultSynthDepth is the default nesting depth below which a synthesized
// body holds only required properties and minItems items; see
// WithSynthesisLimits.
const DefaultSynthDepth = 12

const (
	hardNodes = 100000 // values per body, whatever is required
	hardDepth = 64     // nesting depth, whatever is required
	maxFlat   = 64     // nesting of allOf/oneOf/$ref merged into one value
	maxArray  = 1000   // items added for minItems
	maxProps  = 1000   // properties added for minProperties
)

// attempt is one way of synthesizing a value (see synthesize).
type attempt struct {
	examples bool // use the schemas' example, examples and default values
	lean     bool // required properties and minItems items only
	shift    int  // rotates the choice among oneOf/anyOf alternatives
}

var attempts = []attempt{
	{examples: true}, {}, {lean: true},
	{shift: 1}, {shift: 1, lean: true},
	{shift: 2}, {shift: 2, lean: true},
}

// gen synthesizes one value. It is used by one goroutine.
type gen struct {
	sd       schemaDoc
	dir      direction
	rnd      *rand.Rand
	a        attempt
	maxNodes int
	maxDepth int

	nodes   int
	stack   map[string]int // $refs of the values being built
	variant int            // index of the array item being built, for uniqueItems
	sites   []*echoSite
	res     map[string]*regexp.Regexp
}

func newGen(sd schemaDoc, dir direction, seed int64, a attempt, maxNodes, maxDepth int) *gen {
	return &gen{
		sd: sd, dir: dir, a: a, maxNodes: maxNodes, maxDepth: maxDepth,
		rnd:   rand.New(rand.NewPCG(uint64(seed), 0x6d6f636b)),
		stack: map[string]int{},
	}
}

// seedFor derives the seed of one synthesized value from the server seed
// and a stable key (operation, response, media type), so values do not
// depend on the order requests arrive in.
func seedFor(seed int64, key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return seed ^ int64(h.Sum64()&math.MaxInt64)
}

// flat is the merged constraints of the schemas that apply to one value.
type flat struct {
	never  bool // a false schema applies: no value
	nullOK bool // a 3.0 nullable schema without type accepts null

	typed bool     // types constrains the value
	types []string // allowed types, in the order first declared

	hasConst bool
	constV   any
	hasEnum  bool
	enum     []any
	example  any
	hasEx    bool

	minLen, maxLen int // maxLen < 0: none
	patterns       []string
	format         string

	lo, hi           float64
	hasLo, hasHi     bool
	loEx, hiEx       bool
	multipleOf       float64
	items            []any   // schemas of every item past the prefix
	prefix           [][]any // schemas of the first items
	itemsFalse       bool
	minItems         int
	maxItems         int // < 0: none
	unique           bool
	props            map[string][]any
	required         []string
	addl             []any
	closed           []closedSet
	noExtra          bool // unevaluatedProperties: false
	patProps         []patProp
	minProps         int
	maxProps         int // < 0: none
	depReq           map[string][]string
	discProp, discTo string // discriminator property and the value selecting the chosen alternative
	refs             []string
}

// closedSet is what one schema with additionalProperties: false allows.
type closedSet struct {
	names    map[string]bool
	patterns []string
}

type patProp struct {
	pattern string
	schema  any
}

func (g *gen) flatten(ss []any, lean bool) *flat {
	f := &flat{maxLen: -1, maxItems: -1, maxProps: -1}
	seen := map[string]bool{}
	for _, s := range ss {
		g.add(f, s, 0, seen, lean)
	}
	return f
}

func (g *gen) add(f *flat, s any, depth int, seen map[string]bool, lean bool) {
	if depth > maxFlat {
		return
	}
	switch x := s.(type) {
	case bool:
		if !x {
			f.never = true
		}
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			if !seen[ref] {
				seen[ref] = true
				f.refs = append(f.refs, ref)
				if t, ok := g.sd.lookupRef(ref); ok {
					g.add(f, t, depth+1, seen, lean)
				}
			}
			if g.sd.oas30 {
				return // siblings of a $ref are ignored in 3.0
			}
		}
		g.addKeywords(f, x, depth, seen, lean)
	}
}

func num(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok && !math.IsInf(f, 0) && !math.IsNaN(f)
}

func count(v any) (int, bool) {
	f, ok := num(v)
	if !ok || f < 0 {
		return 0, false
	}
	return int(min(f, math.MaxInt32)), true
}

func (g *gen) addKeywords(f *flat, m map[string]any, depth int, seen map[string]bool, lean bool) {
	if t := g.sd.typeList(m); len(t) > 0 {
		if !f.typed {
			f.typed, f.types = true, t
		} else {
			// The intersection; number and integer meet in integer.
			var both []string
			for _, x := range f.types {
				switch {
				case slices.Contains(t, x):
					both = append(both, x)
				case x == "number" && slices.Contains(t, "integer"), x == "integer" && slices.Contains(t, "number"):
					both = append(both, "integer")
				}
			}
			f.types = both
		}
	}
	if c, ok := m["const"]; ok && !g.sd.oas30 {
		if f.hasConst && !reflect.DeepEqual(f.constV, c) {
			f.never = true
		}
		f.hasConst, f.constV = true, c
	}
	if e, ok := m["enum"].([]any); ok {
		if g.sd.oas30 && m["nullable"] == true && !slices.Contains(e, nil) {
			e = append(slices.Clip(e), nil)
		}
		if !f.hasEnum {
			f.hasEnum, f.enum = true, e
		} else {
			f.enum = slices.DeleteFunc(slices.Clone(f.enum), func(x any) bool { return !inList(x, e) })
		}
	}
	if !f.hasEx {
		if v, ok := m["example"]; ok {
			f.example, f.hasEx = v, true
		} else if ex, ok := m["examples"].([]any); ok && len(ex) > 0 && !g.sd.oas30 {
			f.example, f.hasEx = ex[0], true
		} else if v, ok := m["default"]; ok {
			f.example, f.hasEx = v, true
		}
	}

	if n, ok := count(m["minLength"]); ok {
		f.minLen = max(f.minLen, n)
	}
	if n, ok := count(m["maxLength"]); ok && (f.maxLen < 0 || n < f.maxLen) {
		f.maxLen = n
	}
	if p, ok := m["pattern"].(string); ok && p != "" {
		f.patterns = append(f.patterns, p)
	}
	if fm, ok := m["format"].(string); ok && f.format == "" {
		f.format = fm
	}

	lo, loOK := num(m["minimum"])
	hi, hiOK := num(m["maximum"])
	loEx, hiEx := false, false
	switch e := m["exclusiveMinimum"].(type) {
	case bool:
		loEx = e && loOK
	case float64:
		if !loOK || e >= lo {
			lo, loOK, loEx = e, true, true
		}
	}
	switch e := m["exclusiveMaximum"].(type) {
	case bool:
		hiEx = e && hiOK
	case float64:
		if !hiOK || e <= hi {
			hi, hiOK, hiEx = e, true, true
		}
	}
	if loOK && (!f.hasLo || lo > f.lo || lo == f.lo && loEx) {
		f.lo, f.hasLo, f.loEx = lo, true, loEx
	}
	if hiOK && (!f.hasHi || hi < f.hi || hi == f.hi && hiEx) {
		f.hi, f.hasHi, f.hiEx = hi, true, hiEx
	}
	if mo, ok := num(m["multipleOf"]); ok && mo > 0 {
		switch {
		case f.multipleOf == 0:
			f.multipleOf = mo
		case mo != f.multipleOf && mo == math.Trunc(mo) && f.multipleOf == math.Trunc(f.multipleOf):
			f.multipleOf = lcm(f.multipleOf, mo)
		}
	}

	switch it := m["items"].(type) {
	case []any: // a tuple (draft 4 to 2019-09)
		for i, s := range it {
			f.addPrefix(i, s)
		}
	case bool:
		if !it {
			f.itemsFalse = true
		}
	case map[string]any:
		f.items = append(f.items, it)
	}
	if pi, ok := m["prefixItems"].([]any); ok && !g.sd.oas30 {
		for i, s := range pi {
			f.addPrefix(i, s)
		}
	}
	if n, ok := count(m["minItems"]); ok {
		f.minItems = max(f.minItems, n)
	}
	if n, ok := count(m["maxItems"]); ok && (f.maxItems < 0 || n < f.maxItems) {
		f.maxItems = n
	}
	if m["uniqueItems"] == true {
		f.unique = true
	}

	props, _ := m["properties"].(map[string]any)
	for _, name := range sortedKeys(props) {
		if f.props == nil {
			f.props = map[string][]any{}
		}
		f.props[name] = append(f.props[name], props[name])
	}
	if req, ok := m["required"].([]any); ok {
		for _, r := range req {
			if name, ok := r.(string); ok && !slices.Contains(f.required, name) {
				f.required = append(f.required, name)
			}
		}
	}
	pp, _ := m["patternProperties"].(map[string]any)
	for _, p := range sortedKeys(pp) {
		f.patProps = append(f.patProps, patProp{p, pp[p]})
	}
	switch ap := m["additionalProperties"].(type) {
	case bool:
		if !ap {
			cs := closedSet{names: map[string]bool{}}
			for k := range props {
				cs.names[k] = true
			}
			for k := range pp {
				cs.patterns = append(cs.patterns, k)
			}
			f.closed = append(f.closed, cs)
		}
	case map[string]any:
		f.addl = append(f.addl, ap)
	}
	if m["unevaluatedProperties"] == false {
		f.noExtra = true
	}
	if n, ok := count(m["minProperties"]); ok {
		f.minProps = max(f.minProps, n)
	}
	if n, ok := count(m["maxProperties"]); ok && (f.maxProps < 0 || n < f.maxProps) {
		f.maxProps = n
	}
	if dr, ok := m["dependentRequired"].(map[string]any); ok && !g.sd.oas30 {
		for k, v := range dr {
			list, _ := v.([]any)
			for _, e := range list {
				if s, ok := e.(string); ok {
					if f.depReq == nil {
						f.depReq = map[string][]string{}
					}
					f.depReq[k] = append(f.depReq[k], s)
				}
			}
		}
	}

	if all, ok := m["allOf"].([]any); ok {
		for _, s := range all {
			g.add(f, s, depth+1, seen, lean)
		}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		alts, ok := m[kw].([]any)
		if !ok || len(alts) == 0 {
			continue
		}
		i := g.choose(alts, lean, seen)
		if i < 0 {
			f.never = true
			continue
		}
		if disc, ok := m["discriminator"].(map[string]any); ok && (kw == "oneOf" || m["oneOf"] == nil) {
			if prop, val, ok := discriminatorValue(disc, alts[i]); ok {
				f.discProp, f.discTo = prop, val
			}
		}
		g.add(f, alts[i], depth+1, seen, lean)
	}
}

func (f *flat) addPrefix(i int, s any) {
	for len(f.prefix) <= i {
		f.prefix = append(f.prefix, nil)
	}
	f.prefix[i] = append(f.prefix[i], s)
}

func lcm(a, b float64) float64 {
	x, y := a, b
	for y != 0 {
		x, y = y, math.Mod(x, y)
	}
	return a / x * b
}

func inList(v any, list []any) bool {
	for _, e := range list {
		if reflect.DeepEqual(e, v) {
			return true
		}
	}
	return false
}

// choose picks the alternative of a oneOf/anyOf to build: the first that is
// not only null (nor a false schema) and does not lead back to a value
// being built or to a schema already merged, rotated by the attempt's
// shift. In lean mode a null-only
// alternative, then one that does not recurse, is preferred.
func (g *gen) choose(alts []any, lean bool, seen map[string]bool) int {
	var nulls, plain, rec []int
	for i, alt := range alts {
		if b, ok := alt.(bool); ok && !b {
			continue
		}
		m := g.sd.node(alt)
		am, _ := alt.(map[string]any)
		ref, _ := am["$ref"].(string)
		switch {
		case m != nil && slices.Equal(g.sd.typeList(m), []string{"null"}):
			nulls = append(nulls, i)
		case g.recursive(alt) || seen[ref]:
			rec = append(rec, i)
		default:
			plain = append(plain, i)
		}
	}
	var order []int
	if lean {
		order = slices.Concat(nulls, plain, rec)
	} else {
		order = slices.Concat(plain, rec, nulls)
	}
	if len(order) == 0 {
		return -1
	}
	return order[g.a.shift%len(order)]
}

// recursive reports whether s names (directly or through its allOf
// members) a $ref whose value is being built.
func (g *gen) recursive(s any) bool {
	m, ok := s.(map[string]any)
	if !ok {
		return false
	}
	if ref, ok := m["$ref"].(string); ok && g.stack[ref] > 0 {
		return true
	}
	all, _ := m["allOf"].([]any)
	for _, sub := range all {
		if sm, ok := sub.(map[string]any); ok {
			if ref, ok := sm["$ref"].(string); ok && g.stack[ref] > 0 {
				return true
			}
		}
	}
	return false
}

// discriminatorValue returns the discriminator property and the value that
// selects alt: the mapping key naming alt's $ref, else the last segment of
// the $ref (package schema dispatches the same way).
func discriminatorValue(disc map[string]any, alt any) (string, string, bool) {
	prop, _ := disc["propertyName"].(string)
	m, _ := alt.(map[string]any)
	ref, _ := m["$ref"].(string)
	if prop == "" || ref == "" {
		return "", "", false
	}
	mapping, _ := disc["mapping"].(map[string]any)
	for _, k := range sortedKeys(mapping) {
		t, _ := mapping[k].(string)
		if !strings.HasPrefix(t, "#") && !strings.ContainsAny(t, "/:") {
			t = "#/components/schemas/" + t
		}
		if t == ref {
			return prop, k, true
		}
	}
	name := ref[strings.LastIndexByte(ref, '/')+1:]
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return prop, name, name != ""
}

// value builds a value for the schemas ss (which all apply). ok is false
// when no value can exist (a false schema): an optional property or item
// is then left out. sf is the flat set of a string value, for echo.
func (g *gen) value(ss []any, depth int, lean bool, path []any) (v any, ok bool, sf *flat) {
	g.nodes++
	if g.nodes > hardNodes || depth > hardDepth {
		return nil, true, nil
	}
	if depth >= g.maxDepth || g.nodes >= g.maxNodes || g.a.lean {
		lean = true
	}
	for _, s := range ss {
		if g.recursive(s) {
			lean = true
		}
	}
	f := g.flatten(ss, lean)
	if f.never {
		return nil, false, nil
	}
	if g.sd.oas30 {
		// nullable beside $ref or composition keywords accepts null (as
		// package schema reads it).
		for _, s := range ss {
			if m, ok := s.(map[string]any); ok && m["nullable"] == true {
				f.nullOK = true
			}
		}
	}
	for _, r := range f.refs {
		g.stack[r]++
	}
	defer func() {
		for _, r := range f.refs {
			g.stack[r]--
		}
	}()
	if f.hasConst {
		return clone(f.constV), true, strFlat(f.constV, f)
	}
	if f.hasEnum {
		if len(f.enum) == 0 {
			return nil, false, nil
		}
		var fits []any
		for _, e := range f.enum {
			if g.fitsType(e, f) {
				fits = append(fits, e)
			}
		}
		if len(fits) == 0 {
			fits = slices.Clone(f.enum) // sorted below: never the document's
		}
		// A non-null value first.
		slices.SortStableFunc(fits, func(a, b any) int {
			switch {
			case a == nil && b != nil:
				return 1
			case a != nil && b == nil:
				return -1
			}
			return 0
		})
		e := fits[g.variant%len(fits)]
		return clone(e), true, strFlat(e, f)
	}
	if g.a.examples && f.hasEx && g.fits(f.example, f) {
		return clone(f.example), true, strFlat(f.example, f)
	}
	switch g.pickType(f, lean) {
	case "null":
		return nil, true, nil
	case "boolean":
		return g.variant%2 == 0, true, nil
	case "integer":
		return g.number(f, true), true, nil
	case "number":
		return g.number(f, false), true, nil
	case "array":
		return g.array(f, depth, lean, path), true, nil
	case "object":
		return g.object(f, depth, lean, path), true, nil
	}
	s := g.str(f)
	return s, true, f
}

func strFlat(v any, f *flat) *flat {
	if _, ok := v.(string); ok {
		return f
	}
	return nil
}

// pickType chooses the JSON type to build: the first declared non-null
// type, else one inferred from the keywords present (string when nothing
// says otherwise). In lean mode a nullable object or array is null.
func (g *gen) pickType(f *flat, lean bool) string {
	if f.typed {
		if len(f.types) == 0 {
			return "null" // no type fits: the value is invalid anyway
		}
		for _, t := range f.types {
			if t == "null" {
				continue
			}
			if lean && (t == "object" || t == "array") && (f.nullOK || slices.Contains(f.types, "null")) {
				return "null"
			}
			return t
		}
		return "null"
	}
	if lean && f.nullOK {
		return "null"
	}
	switch {
	case f.props != nil || len(f.required) > 0 || len(f.addl) > 0 || len(f.closed) > 0 || f.minProps > 0 || f.discProp != "":
		return "object"
	case f.items != nil || f.prefix != nil || f.minItems > 0 || f.maxItems >= 0:
		return "array"
	case f.hasLo || f.hasHi || f.multipleOf > 0:
		return "number"
	}
	return "string"
}

// fitsType reports whether v has a type f allows.
func (g *gen) fitsType(v any, f *flat) bool {
	if !f.typed {
		return true
	}
	t := jsonType(v)
	if t == "integer" {
		return slices.Contains(f.types, "integer") || slices.Contains(f.types, "number")
	}
	return slices.Contains(f.types, t)
}

func jsonType(v any) string {
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
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	}
	return ""
}

// fits is a light check of an example against f: type, const and enum,
// string and number constraints. Object and array examples are not used
// (their content is built from their schemas).
func (g *gen) fits(v any, f *flat) bool {
	if !g.fitsType(v, f) {
		return false
	}
	switch x := v.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if n < f.minLen || f.maxLen >= 0 && n > f.maxLen {
			return false
		}
		for _, p := range f.patterns {
			if re := g.regexp(p); re != nil && !re.MatchString(x) {
				return false
			}
		}
		return formatOK(f.format, x)
	case float64:
		return numberOK(x, f, slices.Contains(f.types, "integer") && !slices.Contains(f.types, "number"))
	case bool, nil:
		return true
	}
	return false
}

func (g *gen) regexp(p string) *regexp.Regexp {
	if re, ok := g.res[p]; ok {
		return re
	}
	if g.res == nil {
		g.res = map[string]*regexp.Regexp{}
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil // not enforced by package schema either
	}
	g.res[p] = re
	return re
}

func clone(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clone(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = clone(e)
		}
		return out
	}
	return v
}

func (g *gen) array(f *flat, depth int, lean bool, path []any) []any {
	n := f.minItems
	if !lean {
		n = max(n, 1, len(f.prefix))
	}
	if f.maxItems >= 0 {
		n = min(n, f.maxItems)
	}
	if f.itemsFalse {
		n = min(n, len(f.prefix))
	}
	n = min(n, maxArray)
	out := make([]any, 0, n)
	seen := map[string]bool{}
	saved := g.variant
	defer func() { g.variant = saved }()
	for i := 0; len(out) < n && i < n+8; i++ {
		ss := f.items
		if len(out) < len(f.prefix) {
			ss = f.prefix[len(out)]
		}
		g.variant = i
		v, ok, _ := g.value(ss, depth+1, lean, append(path, len(out)))
		if !ok {
			break
		}
		if f.unique {
			k := string(appendJSON(nil, v, nil))
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, v)
	}
	return out
}

// object builds an object: required properties first, then (unless lean)
// the optional ones, scalars before objects and arrays so that a spent
// budget drops nested content rather than top-level fields.
func (g *gen) object(f *flat, depth int, lean bool, path []any) map[string]any {
	out := map[string]any{}
	put := func(name string, mustHave bool) {
		if _, done := out[name]; done {
			return
		}
		ss := g.propSchemas(f, name)
		if len(ss) > 0 && g.hidden(ss) {
			return
		}
		v, ok, sf := g.value(ss, depth+1, lean, append(path, name))
		if !ok {
			if !mustHave {
				return
			}
			v = nil
		}
		out[name] = v
		if _, isStr := v.(string); isStr && sf != nil && len(g.sites) < maxEchoSites {
			g.sites = append(g.sites, newEchoSite(slices.Clone(path), name, sf))
		}
	}
	for _, name := range f.required {
		put(name, true)
	}
	if f.discProp != "" {
		// The value selecting the chosen alternative; never echoed.
		out[f.discProp] = f.discTo
		g.sites = slices.DeleteFunc(g.sites, func(st *echoSite) bool {
			return st.key == f.discProp && slices.Equal(st.path, path)
		})
	}
	if !lean {
		var scalars, nested []string
		for _, name := range sortedKeys(f.props) {
			if _, done := out[name]; done || !g.allowed(f, name) {
				continue
			}
			if g.nested(f.props[name]) {
				nested = append(nested, name)
			} else {
				scalars = append(scalars, name)
			}
		}
		for _, name := range slices.Concat(scalars, nested) {
			if f.maxProps >= 0 && len(out) >= f.maxProps {
				break
			}
			put(name, false)
		}
	}
	for _, k := range sortedKeys(out) {
		for _, dep := range f.depReq[k] {
			put(dep, true)
		}
	}
	if len(out) < f.minProps {
		for _, name := range sortedKeys(f.props) {
			if len(out) >= f.minProps {
				break
			}
			if g.allowed(f, name) {
				put(name, false)
			}
		}
		for i := 1; len(out) < f.minProps && i <= maxProps; i++ {
			name := "property" + strconv.Itoa(i)
			if _, taken := out[name]; taken || !g.allowed(f, name) || f.noExtra {
				continue
			}
			put(name, false)
		}
	}
	return out
}

// allowed reports whether every additionalProperties: false among the
// merged schemas allows the property.
func (g *gen) allowed(f *flat, name string) bool {
	for _, cs := range f.closed {
		if cs.names[name] {
			continue
		}
		ok := false
		for _, p := range cs.patterns {
			if re := g.regexp(p); re != nil && re.MatchString(name) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// propSchemas lists the schemas that apply to property name.
func (g *gen) propSchemas(f *flat, name string) []any {
	ss := f.props[name]
	for _, pp := range f.patProps {
		if re := g.regexp(pp.pattern); re != nil && re.MatchString(name) {
			ss = append(slices.Clip(ss), pp.schema)
		}
	}
	if len(ss) == 0 {
		ss = f.addl
	}
	return ss
}

// hidden reports a property that must not travel in g's direction
// (readOnly in requests, writeOnly in responses; none without a
// direction).
func (g *gen) hidden(ss []any) bool {
	var name string
	switch g.dir {
	case dirRequest:
		name = "readOnly"
	case dirResponse:
		name = "writeOnly"
	default:
		return false // no direction (Synthesizer): every property travels
	}
	for _, s := range ss {
		if g.sd.flag(s, name) {
			return true
		}
	}
	return false
}

// nested reports whether a property's schemas build an object or array.
func (g *gen) nested(ss []any) bool {
	for _, s := range ss {
		for _, t := range g.sd.types(s) {
			if t == "object" || t == "array" {
				return true
			}
		}
		if m := g.sd.node(s); m != nil && (m["properties"] != nil || m["items"] != nil) {
			return true
		}
	}
	return false
}

// words are the strings synthesized for a string without format or
// pattern.
var words = []string{
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
	"quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "yankee",
}

func (g *gen) str(f *flat) string {
	lenOK := func(s string) bool {
		n := utf8.RuneCountInString(s)
		return n >= f.minLen && (f.maxLen < 0 || n <= f.maxLen)
	}
	if len(f.patterns) > 0 {
		var best string
		for _, p := range f.patterns {
			if g.regexp(p) == nil {
				continue
			}
			for _, grow := range []int{0, 1, 4, 16, max(f.minLen, 1)} {
				s, ok := patternString(p, grow, g.rnd)
				if !ok {
					break
				}
				if best == "" {
					best = s
				}
				if lenOK(s) && g.matchAll(f.patterns, s) && formatOK(f.format, s) {
					return s
				}
				if f.maxLen >= 0 && utf8.RuneCountInString(s) > f.maxLen {
					break
				}
			}
		}
		if best != "" {
			return best
		}
	}
	if s, ok := formatValue(f.format, g.rnd, g.variant); ok && lenOK(s) {
		return s
	}
	s := words[g.rnd.IntN(len(words))]
	if g.variant > 0 {
		s += "-" + strconv.Itoa(g.variant)
	}
	return fitLength(s, f.minLen, f.maxLen)
}

func (g *gen) matchAll(patterns []string, s string) bool {
	for _, p := range patterns {
		if re := g.regexp(p); re != nil && !re.MatchString(s) {
			return false
		}
	}
	return true
}

func fitLength(s string, lo, hi int) string {
	n := utf8.RuneCountInString(s)
	if hi >= 0 && n > hi {
		s = string([]rune(s)[:hi])
		n = hi
	}
	if n < lo {
		s += strings.Repeat("x", min(lo-n, 1<<16))
	}
	return s
}

// number builds a number within f's bounds, a multiple of multipleOf.
func (g *gen) number(f *flat, integer bool) float64 {
	lo, hi := 1.0, 100.0
	switch {
	case f.hasLo && f.hasHi && f.hi-f.lo <= 100:
		lo, hi = f.lo, f.hi
	case f.hasLo && f.hasHi && f.lo <= 1 && f.hi >= 100:
	case f.hasLo:
		lo, hi = f.lo, f.lo+100
	case f.hasHi:
		lo, hi = f.hi-100, f.hi
	}
	x := lo + (hi-lo)*g.rnd.Float64()
	if integer {
		x = math.Round(x)
	} else {
		x = math.Round(x*100) / 100
	}
	return fixNumber(x, f, integer)
}

func numberOK(n float64, f *flat, integer bool) bool {
	if integer && n != math.Trunc(n) {
		return false
	}
	if f.hasLo && (n < f.lo || f.loEx && n == f.lo) {
		return false
	}
	if f.hasHi && (n > f.hi || f.hiEx && n == f.hi) {
		return false
	}
	if m := f.multipleOf; m > 0 {
		q := n / m
		if math.Abs(q-math.Round(q)) > 1e-9 {
			return false
		}
	}
	return true
}

// fixNumber returns x when it satisfies f, else the nearest of a few
// candidates that does: the lowest allowed value, the highest, a multiple
// near x.
func fixNumber(x float64, f *flat, integer bool) float64 {
	if numberOK(x, f, integer) {
		return x
	}
	step := 1.0
	if f.multipleOf > 0 {
		step = f.multipleOf
	} else if !integer {
		step = 0
	}
	var cands []float64
	if f.hasLo {
		switch {
		case step > 0:
			c := math.Ceil(f.lo/step) * step
			if f.loEx && c == f.lo {
				c += step
			}
			cands = append(cands, c)
		case f.loEx && f.hasHi:
			cands = append(cands, f.lo+(f.hi-f.lo)/2)
		case f.loEx:
			cands = append(cands, f.lo+1)
		default:
			cands = append(cands, f.lo)
		}
	}
	if f.hasHi {
		switch {
		case step > 0:
			c := math.Floor(f.hi/step) * step
			if f.hiEx && c == f.hi {
				c -= step
			}
			cands = append(cands, c)
		case f.hiEx:
			cands = append(cands, f.hi-1)
		default:
			cands = append(cands, f.hi)
		}
	}
	if step > 0 {
		cands = append(cands, math.Round(x/step)*step, step)
	}
	cands = append(cands, math.Round(x), 0)
	for _, c := range cands {
		if numberOK(c, f, integer) {
			return c
		}
	}
	return x
}

// formatValue returns a value of a known format. Date-times are fixed at
// 2025-01-01T12:00:00Z (plus variant days, for uniqueItems).
func formatValue(format string, rnd *rand.Rand, variant int) (string, bool) {
	day := 1 + variant%28
	switch format {
	case "date-time":
		return fmt.Sprintf("2025-01-%02dT12:00:00Z", day), true
	case "date":
		return fmt.Sprintf("2025-01-%02d", day), true
	case "time":
		return "12:00:00Z", true
	case "duration":
		return "P" + strconv.Itoa(day) + "D", true
	case "email", "idn-email":
		return words[rnd.IntN(len(words))] + "@example.com", true
	case "uuid":
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte(rnd.IntN(256))
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), true
	case "uri", "url", "iri":
		return "https://example.com/" + words[rnd.IntN(len(words))], true
	case "uri-reference", "iri-reference":
		return "/" + words[rnd.IntN(len(words))], true
	case "uri-template":
		return "https://example.com/{id}", true
	case "hostname", "idn-hostname":
		return words[rnd.IntN(len(words))] + ".example.com", true
	case "ipv4":
		return "192.0.2." + strconv.Itoa(1+rnd.IntN(254)), true
	case "ipv6":
		return "2001:db8::" + strconv.Itoa(1+rnd.IntN(9999)), true
	case "byte":
		return "ZXhhbXBsZQ==", true
	case "json-pointer":
		return "/" + words[rnd.IntN(len(words))], true
	case "relative-json-pointer":
		return "0", true
	case "regex":
		return "^[a-z]+$", true
	case "int64", "int32":
		return strconv.Itoa(rnd.IntN(1000)), true
	case "password":
		return "p4ssw0rd", true
	}
	return "", false
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// formatOK is a light check of the formats synthesis produces, for
// examples; formats it does not know pass (the compiled schema decides).
func formatOK(format, s string) bool {
	switch format {
	case "date-time":
		_, err := time.Parse(time.RFC3339, s)
		return err == nil
	case "date":
		_, err := time.Parse(time.DateOnly, s)
		return err == nil
	case "uuid":
		return uuidRe.MatchString(s)
	case "email":
		return strings.Contains(s, "@")
	case "uri", "url":
		return strings.Contains(s, ":")
	}
	return true
}
