package schema

// The boolean fast path of Schema.Validate.
//
// The JSON Schema library (santhosh-tekuri/jsonschema) builds a scope, an
// "unevaluated" record, a sub-validator per schema node and an error value
// for every failed oneOf/anyOf branch, even when the instance is valid.
// Contract checks validate every response body, so that cost dominates a
// warm workflow run. The fast path answers one question without allocating:
// "is v valid, for sure?".
//
// It walks a program built once (lazily, on the second Validate) from the
// library's compiled *jsonschema.Schema graph and mirrors the library's
// validator keyword by keyword, in three-valued logic: valid, invalid or
// unsure. Schema.Validate returns nil at once only for "valid"; for
// "invalid" or "unsure" it calls the library exactly as before, so the
// library stays the authority and every error report is unchanged.
//
// The invariant: the fast path never says "valid" when the library would
// report an error. Whenever exactness is in doubt it says "unsure":
//   - a graph using a keyword the program does not model ($dynamicRef,
//     $recursiveRef, unevaluated*, content*, vocabulary extensions, an
//     unknown draft, enum values of foreign Go types) gets no program;
//   - values outside the JSON data model (json.Number, int, NaN, ...),
//     numbers within one ulp of a bound, uniqueItems
//     on long arrays, revisiting a schema for the same value (the library
//     reports a reference cycle there), nesting beyond fastMaxDepth and
//     more than fastBudget schema applications make that sub-check unsure.
//
// Numbers: the library reads a float64 as the exact rational its shortest
// decimal form (fmt's %v) denotes. A float64 integer below 2^53 is exactly
// that rational; any other float64 is compared through the float64 nearest
// to the bound, which decides the comparison unless the value is that
// float64 or (for a bound no float64 represents) its neighbour.
//
// The program is immutable once built and shared by concurrent callers.

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fastMaxDepth bounds the recursion of one fast check (schema applications
// plus value nesting). Deeper checks are unsure.
const fastMaxDepth = 256

// fastBudget bounds the schema applications of one fast check, so that a
// schema whose applicators fan out exponentially costs a bounded time.
const fastBudget = 1 << 22

// fastUniqueMax is the longest array whose uniqueItems the fast path checks
// (pairwise, without allocating).
const fastUniqueMax = 128

// verdict is a three-valued result.
type verdict uint8

const (
	vValid verdict = iota
	vInvalid
	vUnsure
)

// JSON types as a bit set.
const (
	tNull uint8 = 1 << iota
	tBoolean
	tNumber
	tInteger
	tString
	tArray
	tObject
)

// fastState is the lazily built program of a Schema. The zero value is
// ready to use; root is nil when the schema is not eligible.
type fastState struct {
	used atomic.Bool // Validate ran before
	once sync.Once
	root *fnode
}

// fastValid reports whether v is valid against s and the fast path is sure.
// The first call only notes that s is in use: a schema validated once does
// not pay for building the program.
func (s *Schema) fastValid(v any) bool {
	if !s.fast.used.Load() {
		s.fast.used.Store(true)
		return false
	}
	p := s.fastProgram()
	return p != nil && p.run(v) == vValid
}

// run checks v against the program rooted at n.
func (n *fnode) run(v any) verdict { return n.runWith(v, fastBudget) }

func (n *fnode) runWith(v any, budget int) verdict {
	w := fwalk{left: budget}
	return n.eval(&w, v, nil, 0)
}

// fastProgram returns the program of s, building it on first use; nil when
// s is not eligible.
func (s *Schema) fastProgram() *fnode {
	s.fast.once.Do(func() { s.fast.root = buildFast(s.lib) })
	return s.fast.root
}

// fnode mirrors one compiled library schema. Keyword groups that apply to
// one JSON type live in optional parts, so a program costs little memory.
type fnode struct {
	boolean   int8 // 1: the schema `true`, -1: `false`, 0: an object schema
	types     uint8
	numFormat int8 // fmtNone or a format evaluated natively (numbers only)
	draft     int
	ref       *fnode
	format    *jsonschema.Format
	vals      *fvalues
	cond      *fcond
	obj       *fobject
	arr       *farray
	str       *fstring
	num       *fnumber
}

// fvalues is const and enum, canonical (see canon).
type fvalues struct {
	hasConst bool
	constV   any
	hasEnum  bool
	enum     []any
}

type fcond struct {
	not                 *fnode
	allOf, anyOf, oneOf []*fnode
	ifN, thenN, elseN   *fnode
}

type fobject struct {
	minProps, maxProps int // -1: absent
	propList           []fprop
	props              map[string]int // name -> index in propList
	reqIn              int            // required names that are properties
	reqOut             []string       // required names that are not
	patProps           []fpattern
	addl               fadditional
	propNames          *fnode
	deps               []fdep // "dependencies" (compiled in every draft)
	depRequired        []fdep
	depSchemas         []fdep
}

type fprop struct {
	name string
	n    *fnode
	req  bool
}

type farray struct {
	minItems, maxItems       int // -1: absent
	unique                   bool
	contains                 *fnode
	minContains, maxContains int // -1: absent
	items                    *fnode
	itemList                 []*fnode
	hasItemList              bool
	addlItems                fadditional
	prefix                   []*fnode
	items2020                *fnode
}

type fstring struct {
	minLen, maxLen int // -1: absent
	pattern        jsonschema.Regexp
}

type fnumber struct {
	min, max, exMin, exMax *fbound
	hasMul                 bool
	mulP, mulQ             uint64 // multipleOf = mulP/mulQ in lowest terms (sign dropped)
	mulOther               bool   // a multipleOf the fast path cannot decide
}

type fpattern struct {
	re jsonschema.Regexp
	n  *fnode
}

// fadditional is additionalProperties / additionalItems.
type fadditional struct {
	kind int8 // addlNone, addlTrue, addlFalse, addlSchema
	n    *fnode
}

const (
	addlNone int8 = iota
	addlTrue
	addlFalse
	addlSchema
)

type fdep struct {
	name string
	req  []string // when n is nil
	n    *fnode
}

const (
	fmtNone int8 = iota
	fmtInt32
	fmtInt64
	fmtFinite
)

// fastNoMatch stands for an enum/const number no float64 equals.
type fastNoMatch struct{}

// fbound is a number bound B: f is the float64 nearest to B, atF the sign
// of f-B and exact whether B is f.
type fbound struct {
	f     float64
	atF   int
	exact bool
}

func newBound(r *big.Rat) *fbound {
	f, exact := r.Float64()
	b := &fbound{f: f, exact: exact}
	if !math.IsInf(f, 0) {
		b.atF = new(big.Rat).SetFloat64(f).Cmp(r)
	}
	return b
}

// cmp returns the sign of R-B, where R is the exact rational the library
// reads for v (its shortest decimal form), and whether that is sure.
//
// R lies in v's rounding interval, which holds no other float64. So when v
// differs from f, R is on v's side of f, and of B too unless B is not f and
// v is f's neighbour (B and R may then both sit between v and f). When v is
// f, R is v only for integers (exactInt).
func (b *fbound) cmp(v float64) (int, bool) {
	switch {
	case math.IsInf(b.f, 1):
		return -1, true // B is beyond every float64's rounding interval
	case math.IsInf(b.f, -1):
		return 1, true
	case v == b.f:
		if exactInt(v) {
			return b.atF, true
		}
		return 0, false
	}
	s := -1
	if v > b.f {
		s = 1
	}
	if b.exact || exactInt(v) {
		return s, true
	}
	if v == math.Nextafter(b.f, math.Inf(1)) || v == math.Nextafter(b.f, math.Inf(-1)) {
		return 0, false
	}
	return s, true
}

// exactInt reports whether v is an integer whose shortest decimal form is
// v itself.
func exactInt(v float64) bool {
	return v == math.Trunc(v) && math.Abs(v) < 1<<53
}

// --- building ---

type fastBuilder struct {
	memo  map[*jsonschema.Schema]*fnode
	types map[jsonschema.Types]uint8
	ok    bool
}

// buildFast returns the program for sch, or nil when any schema reachable
// from it uses something the fast path does not model.
func buildFast(sch *jsonschema.Schema) *fnode {
	if sch == nil {
		return nil
	}
	b := &fastBuilder{memo: map[*jsonschema.Schema]*fnode{}, types: map[jsonschema.Types]uint8{}, ok: true}
	root := b.node(sch)
	if !b.ok {
		return nil
	}
	return root
}

func (b *fastBuilder) fail() { b.ok = false }

func (b *fastBuilder) node(s *jsonschema.Schema) *fnode {
	if n, ok := b.memo[s]; ok {
		return n
	}
	n := &fnode{}
	b.memo[s] = n
	if !b.ok {
		return n
	}
	if s.Bool != nil {
		n.boolean = -1
		if *s.Bool {
			n.boolean = 1
		}
		return n
	}
	switch s.DraftVersion {
	case 4, 6, 7, 2019, 2020:
		n.draft = s.DraftVersion
	default:
		b.fail()
		return n
	}
	if s.RecursiveRef != nil || s.DynamicRef != nil || s.UnevaluatedProperties != nil ||
		s.UnevaluatedItems != nil || len(s.Extensions) > 0 || s.ContentEncoding != nil ||
		s.ContentMediaType != nil || s.ContentSchema != nil {
		b.fail()
		return n
	}
	if s.Types != nil && !s.Types.IsEmpty() {
		n.types = b.typeSet(*s.Types)
	}
	if s.Const != nil || s.Enum != nil {
		n.vals = &fvalues{}
		if s.Const != nil {
			n.vals.hasConst = true
			n.vals.constV = b.canon(*s.Const, 0)
		}
		if s.Enum != nil {
			n.vals.hasEnum = true
			n.vals.enum = make([]any, len(s.Enum.Values))
			for i, e := range s.Enum.Values {
				n.vals.enum[i] = b.canon(e, 0)
			}
		}
	}
	if s.Format != nil {
		if s.Format.Validate == nil {
			b.fail()
		}
		n.format, n.numFormat = s.Format, nativeFormat(s.Format)
	}
	n.ref = b.opt(s.Ref)
	if s.Not != nil || s.AllOf != nil || s.AnyOf != nil || s.OneOf != nil || s.If != nil {
		n.cond = &fcond{not: b.opt(s.Not), allOf: b.list(s.AllOf), anyOf: b.list(s.AnyOf), oneOf: b.list(s.OneOf),
			ifN: b.opt(s.If), thenN: b.opt(s.Then), elseN: b.opt(s.Else)}
	}
	n.obj = b.object(s)
	n.arr = b.array(s)
	n.str = b.str(s)
	n.num = b.number(s)
	return n
}

func (b *fastBuilder) typeSet(ts jsonschema.Types) uint8 {
	if m, ok := b.types[ts]; ok {
		return m
	}
	var m uint8
	for _, t := range ts.ToStrings() {
		switch t {
		case "null":
			m |= tNull
		case "boolean":
			m |= tBoolean
		case "number":
			m |= tNumber
		case "integer":
			m |= tInteger
		case "string":
			m |= tString
		case "array":
			m |= tArray
		case "object":
			m |= tObject
		default:
			b.fail()
		}
	}
	b.types[ts] = m
	return m
}

func (b *fastBuilder) object(s *jsonschema.Schema) *fobject {
	if s.MinProperties == nil && s.MaxProperties == nil && s.Properties == nil && s.Required == nil &&
		s.PatternProperties == nil && s.AdditionalProperties == nil && s.PropertyNames == nil &&
		s.Dependencies == nil && s.DependentRequired == nil && s.DependentSchemas == nil {
		return nil
	}
	o := &fobject{minProps: b.count(s.MinProperties), maxProps: b.count(s.MaxProperties),
		propNames: b.opt(s.PropertyNames), addl: b.additional(s.AdditionalProperties)}
	if len(s.Properties) > 0 {
		names := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			names = append(names, k)
		}
		sort.Strings(names)
		o.props = make(map[string]int, len(names))
		for i, k := range names {
			o.propList = append(o.propList, fprop{name: k, n: b.opt(s.Properties[k])})
			o.props[k] = i
		}
	}
	for _, r := range s.Required {
		if i, ok := o.props[r]; ok {
			if !o.propList[i].req {
				o.propList[i].req = true
				o.reqIn++
			}
		} else if !slices.Contains(o.reqOut, r) {
			o.reqOut = append(o.reqOut, r)
		}
	}
	for re, p := range s.PatternProperties {
		if re == nil || p == nil {
			b.fail()
			continue
		}
		o.patProps = append(o.patProps, fpattern{re: re, n: b.node(p)})
	}
	for name, d := range s.Dependencies {
		switch d := d.(type) {
		case []string:
			o.deps = append(o.deps, fdep{name: name, req: d})
		case *jsonschema.Schema:
			if d == nil {
				b.fail()
				continue
			}
			o.deps = append(o.deps, fdep{name: name, n: b.node(d)})
		default:
			b.fail()
		}
	}
	for name, req := range s.DependentRequired {
		o.depRequired = append(o.depRequired, fdep{name: name, req: req})
	}
	for name, d := range s.DependentSchemas {
		if d == nil {
			b.fail()
			continue
		}
		o.depSchemas = append(o.depSchemas, fdep{name: name, n: b.node(d)})
	}
	return o
}

func (b *fastBuilder) array(s *jsonschema.Schema) *farray {
	if s.MinItems == nil && s.MaxItems == nil && !s.UniqueItems && s.Contains == nil && s.Items == nil &&
		s.AdditionalItems == nil && s.PrefixItems == nil && s.Items2020 == nil {
		return nil
	}
	a := &farray{minItems: b.count(s.MinItems), maxItems: b.count(s.MaxItems), unique: s.UniqueItems,
		contains: b.opt(s.Contains), minContains: b.count(s.MinContains), maxContains: b.count(s.MaxContains),
		addlItems: b.additional(s.AdditionalItems), prefix: b.list(s.PrefixItems), items2020: b.opt(s.Items2020)}
	switch it := s.Items.(type) {
	case nil:
	case *jsonschema.Schema:
		a.items = b.opt(it)
	case []*jsonschema.Schema:
		a.hasItemList = true
		a.itemList = b.list(it)
	default:
		b.fail()
	}
	return a
}

func (b *fastBuilder) str(s *jsonschema.Schema) *fstring {
	if s.MinLength == nil && s.MaxLength == nil && s.Pattern == nil {
		return nil
	}
	return &fstring{minLen: b.count(s.MinLength), maxLen: b.count(s.MaxLength), pattern: s.Pattern}
}

func (b *fastBuilder) number(s *jsonschema.Schema) *fnumber {
	if s.Minimum == nil && s.Maximum == nil && s.ExclusiveMinimum == nil && s.ExclusiveMaximum == nil && s.MultipleOf == nil {
		return nil
	}
	n := &fnumber{}
	for _, p := range []struct {
		dst **fbound
		r   *big.Rat
	}{{&n.min, s.Minimum}, {&n.max, s.Maximum}, {&n.exMin, s.ExclusiveMinimum}, {&n.exMax, s.ExclusiveMaximum}} {
		if p.r != nil {
			*p.dst = newBound(p.r)
		}
	}
	if m := s.MultipleOf; m != nil {
		p, q := new(big.Int).Abs(m.Num()), m.Denom()
		switch {
		case m.Sign() == 0:
			b.fail() // the library would divide by zero
		case p.IsUint64() && q.IsUint64():
			n.hasMul, n.mulP, n.mulQ = true, p.Uint64(), q.Uint64()
		default:
			n.mulOther = true
		}
	}
	return n
}

func (b *fastBuilder) additional(a any) fadditional {
	switch a := a.(type) {
	case nil:
		return fadditional{}
	case bool:
		if a {
			return fadditional{kind: addlTrue}
		}
		return fadditional{kind: addlFalse}
	case *jsonschema.Schema:
		if a != nil {
			return fadditional{kind: addlSchema, n: b.node(a)}
		}
	}
	b.fail()
	return fadditional{}
}

func (b *fastBuilder) opt(s *jsonschema.Schema) *fnode {
	if s == nil {
		return nil
	}
	return b.node(s)
}

func (b *fastBuilder) list(ss []*jsonschema.Schema) []*fnode {
	if ss == nil {
		return nil
	}
	out := make([]*fnode, len(ss))
	for i, s := range ss {
		if s == nil {
			b.fail()
			continue
		}
		out[i] = b.node(s)
	}
	return out
}

// count returns a count keyword's value, -1 when absent. Negative values
// (which the meta-schemas reject) make the graph ineligible.
func (b *fastBuilder) count(p *int) int {
	if p == nil {
		return -1
	}
	if *p < 0 {
		b.fail()
	}
	return *p
}

// canon converts an enum/const value (as the library holds it) into the
// form jsonEq compares instances with: a number becomes the float64 whose
// shortest decimal form is the same rational, or fastNoMatch when there is
// none (no float64 instance can equal it).
func (b *fastBuilder) canon(v any, depth int) any {
	if depth > fastMaxDepth {
		b.fail()
		return nil
	}
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case json.Number, float32, float64, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		r, ok := new(big.Rat).SetString(fmt.Sprint(x))
		if !ok {
			return fastNoMatch{}
		}
		f, _ := r.Float64()
		if math.IsInf(f, 0) {
			return fastNoMatch{}
		}
		if r2, ok := new(big.Rat).SetString(fmt.Sprint(f)); !ok || r2.Cmp(r) != 0 {
			return fastNoMatch{}
		}
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = b.canon(e, depth+1)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = b.canon(e, depth+1)
		}
		return out
	}
	b.fail()
	return nil
}

// nativeFormat recognises this package's own number formats (extraFormats),
// which the fast path evaluates without allocating.
func nativeFormat(f *jsonschema.Format) int8 {
	for _, e := range extraFormats {
		if e != f {
			continue
		}
		switch f.Name {
		case "int32":
			return fmtInt32
		case "int64":
			return fmtInt64
		case "float", "double":
			return fmtFinite
		}
	}
	return fmtNone
}

// --- evaluation ---

// fwalk is the state of one fast check.
type fwalk struct {
	left int // schema applications left (fastBudget)
}

// fchain is the list of schemas applied to the current value, innermost
// first (the library's scope chain for one instance location).
type fchain struct {
	n  *fnode
	up *fchain
}

// kindOf is the JSON type of v, or 0 for anything the fast path does not
// handle (other Go types, NaN, infinities).
func kindOf(v any) uint8 {
	switch x := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBoolean
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return tNumber
	case string:
		return tString
	case []any:
		return tArray
	case map[string]any:
		return tObject
	}
	return 0
}

// eval checks v against n, in the library's order; up holds the schemas
// already applied to v.
func (n *fnode) eval(w *fwalk, v any, up *fchain, depth int) verdict {
	switch n.boolean {
	case 1:
		return vValid
	case -1:
		return vInvalid
	}
	if depth > fastMaxDepth || w.left <= 0 {
		return vUnsure
	}
	w.left--
	for c := up; c != nil; c = c.up {
		if c.n == n {
			return vUnsure // the library reports a $ref cycle
		}
	}
	here := fchain{n: n, up: up}
	k := kindOf(v)
	if k == 0 {
		return vUnsure
	}
	if n.types != 0 && n.types&k == 0 &&
		(n.types&tInteger == 0 || k != tNumber || v.(float64) != math.Trunc(v.(float64))) {
		return vInvalid
	}
	if n.vals != nil {
		if r := n.vals.check(v); r != vValid {
			return r
		}
	}
	if n.format != nil {
		if r := n.checkFormat(v, k); r != vValid {
			return r
		}
	}
	if n.ref != nil {
		r := n.ref.eval(w, v, &here, depth+1)
		if n.draft < 2019 || r != vValid {
			return r
		}
	}
	r := vValid
	switch k {
	case tObject:
		if n.obj != nil {
			r = n.obj.eval(w, n.draft, v, v.(map[string]any), &here, depth)
		}
	case tArray:
		if n.arr != nil {
			r = n.arr.eval(w, n.draft, v.([]any), depth)
		}
	case tString:
		if n.str != nil {
			r = n.str.eval(v.(string))
		}
	case tNumber:
		if n.num != nil {
			r = n.num.eval(v.(float64))
		}
	}
	if r != vValid || n.cond == nil {
		return r
	}
	return n.cond.eval(w, v, &here, depth)
}

func (c *fvalues) check(v any) verdict {
	if c.hasConst {
		if r := jsonEq(v, c.constV, 0); r != vValid {
			return r
		}
	}
	if c.hasEnum {
		r := vInvalid
		for _, e := range c.enum {
			if r = jsonEq(v, e, 0); r != vInvalid {
				break
			}
		}
		return r
	}
	return vValid
}

func (n *fnode) checkFormat(v any, k uint8) verdict {
	if n.numFormat != fmtNone {
		if k != tNumber {
			return vValid // the formats apply to numbers only
		}
		f := v.(float64)
		switch n.numFormat {
		case fmtInt32:
			if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
				return vInvalid
			}
		case fmtInt64:
			if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
				return vInvalid
			}
		}
		return vValid // fmtFinite: kindOf already excluded NaN and infinities
	}
	if n.format.Validate(v) != nil {
		return vInvalid
	}
	return vValid
}

func (c *fcond) eval(w *fwalk, v any, here *fchain, depth int) verdict {
	if c.not != nil {
		switch c.not.eval(w, v, here, depth+1) {
		case vValid:
			return vInvalid
		case vUnsure:
			return vUnsure
		}
	}
	for _, a := range c.allOf {
		if r := a.eval(w, v, here, depth+1); r != vValid {
			return r
		}
	}
	if len(c.anyOf) > 0 {
		r := vInvalid
		for _, a := range c.anyOf {
			switch a.eval(w, v, here, depth+1) {
			case vValid:
				r = vValid
			case vUnsure:
				r = vUnsure
			}
			if r == vValid {
				break
			}
		}
		if r != vValid {
			return r
		}
	}
	if len(c.oneOf) > 0 {
		valid, unsure := 0, false
		for _, a := range c.oneOf {
			switch a.eval(w, v, here, depth+1) {
			case vValid:
				valid++
			case vUnsure:
				unsure = true
			}
			if valid > 1 {
				return vInvalid
			}
		}
		if unsure {
			return vUnsure
		}
		if valid == 0 {
			return vInvalid
		}
	}
	if c.ifN != nil {
		switch c.ifN.eval(w, v, here, depth+1) {
		case vValid:
			if c.thenN != nil {
				return c.thenN.eval(w, v, here, depth+1)
			}
		case vInvalid:
			if c.elseN != nil {
				return c.elseN.eval(w, v, here, depth+1)
			}
		default:
			return vUnsure
		}
	}
	return vValid
}

func hasAll(obj map[string]any, names []string) bool {
	for _, r := range names {
		if _, ok := obj[r]; !ok {
			return false
		}
	}
	return true
}

func (o *fobject) eval(w *fwalk, draft int, v any, obj map[string]any, here *fchain, depth int) verdict {
	if o.minProps != -1 && len(obj) < o.minProps {
		return vInvalid
	}
	if o.maxProps != -1 && len(obj) > o.maxProps {
		return vInvalid
	}
	if !hasAll(obj, o.reqOut) {
		return vInvalid
	}
	for _, d := range o.deps {
		if _, ok := obj[d.name]; !ok {
			continue
		}
		if d.n == nil {
			if !hasAll(obj, d.req) {
				return vInvalid
			}
		} else if r := d.n.eval(w, v, here, depth+1); r != vValid {
			return r
		}
	}
	if r := o.properties(w, obj, depth); r != vValid {
		return r
	}
	if draft == 4 {
		return vValid
	}
	if o.propNames != nil {
		for name := range obj {
			if r := o.propNames.eval(w, name, nil, depth+1); r != vValid {
				return r
			}
		}
	}
	if draft == 6 {
		return vValid
	}
	for _, d := range o.depSchemas {
		if _, ok := obj[d.name]; ok {
			if r := d.n.eval(w, v, here, depth+1); r != vValid {
				return r
			}
		}
	}
	for _, d := range o.depRequired {
		if _, ok := obj[d.name]; ok && !hasAll(obj, d.req) {
			return vInvalid
		}
	}
	return vValid
}

// properties checks properties, patternProperties, additionalProperties
// and the required names that are properties.
func (o *fobject) properties(w *fwalk, obj map[string]any, depth int) verdict {
	if o.patProps == nil && o.addl.kind == addlNone && len(o.propList) <= len(obj) {
		// Only declared properties matter: look each one up.
		for i := range o.propList {
			p := &o.propList[i]
			pv, ok := obj[p.name]
			if !ok {
				if p.req {
					return vInvalid
				}
				continue
			}
			if r := p.n.eval(w, pv, nil, depth+1); r != vValid {
				return r
			}
		}
		return vValid
	}
	seen := 0 // required properties present
	for name, pv := range obj {
		evaluated := false
		if i, ok := o.props[name]; ok {
			evaluated = true
			p := &o.propList[i]
			if p.req {
				seen++
			}
			if r := p.n.eval(w, pv, nil, depth+1); r != vValid {
				return r
			}
		}
		for _, pp := range o.patProps {
			if pp.re.MatchString(name) {
				evaluated = true
				if r := pp.n.eval(w, pv, nil, depth+1); r != vValid {
					return r
				}
			}
		}
		if !evaluated {
			switch o.addl.kind {
			case addlFalse:
				return vInvalid
			case addlSchema:
				if r := o.addl.n.eval(w, pv, nil, depth+1); r != vValid {
					return r
				}
			}
		}
	}
	if seen != o.reqIn {
		return vInvalid
	}
	return vValid
}

func each(w *fwalk, s *fnode, items []any, depth int) verdict {
	for _, it := range items {
		if r := s.eval(w, it, nil, depth+1); r != vValid {
			return r
		}
	}
	return vValid
}

func (a *farray) eval(w *fwalk, draft int, arr []any, depth int) verdict {
	if a.minItems != -1 && len(arr) < a.minItems {
		return vInvalid
	}
	if a.maxItems != -1 && len(arr) > a.maxItems {
		return vInvalid
	}
	if a.unique && len(arr) > 1 {
		if r := uniqueItems(arr, depth); r != vValid {
			return r
		}
	}
	if draft < 2020 {
		evaluated := 0
		if a.items != nil {
			if r := each(w, a.items, arr, depth); r != vValid {
				return r
			}
			evaluated = len(arr)
		} else if a.hasItemList {
			evaluated = min(len(arr), len(a.itemList))
			for i, it := range arr[:evaluated] {
				if r := a.itemList[i].eval(w, it, nil, depth+1); r != vValid {
					return r
				}
			}
		}
		switch a.addlItems.kind {
		case addlFalse:
			if evaluated != len(arr) {
				return vInvalid
			}
		case addlSchema:
			if r := each(w, a.addlItems.n, arr[evaluated:], depth); r != vValid {
				return r
			}
		}
	} else {
		evaluated := min(len(arr), len(a.prefix))
		for i, it := range arr[:evaluated] {
			if r := a.prefix[i].eval(w, it, nil, depth+1); r != vValid {
				return r
			}
		}
		if a.items2020 != nil {
			if r := each(w, a.items2020, arr[evaluated:], depth); r != vValid {
				return r
			}
		}
	}
	if a.contains != nil {
		matched := 0
		for _, it := range arr {
			switch a.contains.eval(w, it, nil, depth+1) {
			case vValid:
				matched++
			case vUnsure:
				return vUnsure
			}
		}
		if a.minContains != -1 {
			if matched < a.minContains {
				return vInvalid
			}
		} else if matched == 0 {
			return vInvalid
		}
		if a.maxContains != -1 && matched > a.maxContains {
			return vInvalid
		}
	}
	return vValid
}

func (c *fstring) eval(s string) verdict {
	if c.minLen != -1 || c.maxLen != -1 {
		l := utf8.RuneCountInString(s)
		if c.minLen != -1 && l < c.minLen {
			return vInvalid
		}
		if c.maxLen != -1 && l > c.maxLen {
			return vInvalid
		}
	}
	if c.pattern != nil && !c.pattern.MatchString(s) {
		return vInvalid
	}
	return vValid
}

// inBound checks a number against an optional bound: valid when the sign
// of value-bound is within [lo, hi].
func inBound(b *fbound, f float64, lo, hi int) verdict {
	if b == nil {
		return vValid
	}
	c, sure := b.cmp(f)
	switch {
	case !sure:
		return vUnsure
	case c < lo || c > hi:
		return vInvalid
	}
	return vValid
}

func (c *fnumber) eval(f float64) verdict {
	if r := inBound(c.min, f, 0, 1); r != vValid {
		return r
	}
	if r := inBound(c.max, f, -1, 0); r != vValid {
		return r
	}
	if r := inBound(c.exMin, f, 1, 1); r != vValid {
		return r
	}
	if r := inBound(c.exMax, f, -1, -1); r != vValid {
		return r
	}
	switch {
	case c.mulOther:
		return vUnsure
	case c.hasMul:
		return c.multiple(f)
	}
	return vValid
}

// multiple decides whether R/(P/Q) is an integer, R being the shortest
// decimal form of f, D*10^e. As P and Q are coprime, that is P | D*10^e
// for e >= 0 (P without the factors 2 and 5 it shares with 10^e must
// divide D) and P*10^-e | D*Q for e < 0.
func (c *fnumber) multiple(f float64) verdict {
	if c.mulQ == 1 && c.mulP <= 1<<53 && exactInt(f) {
		if math.Mod(f, float64(c.mulP)) == 0 {
			return vValid
		}
		return vInvalid
	}
	var buf [32]byte
	d, e, ok := shortestDecimal(strconv.AppendFloat(buf[:0], f, 'e', -1, 64))
	if !ok {
		return vUnsure
	}
	if d == 0 {
		return vValid
	}
	if e >= 0 {
		p := c.mulP
		for i := 0; i < e && p%2 == 0; i++ {
			p /= 2
		}
		for i := 0; i < e && p%5 == 0; i++ {
			p /= 5
		}
		if d%p == 0 {
			return vValid
		}
		return vInvalid
	}
	m := c.mulP
	for range -e {
		hi, lo := bits.Mul64(m, 10)
		if hi != 0 {
			return vUnsure
		}
		m = lo
	}
	hi, lo := bits.Mul64(d, c.mulQ)
	if bits.Rem64(hi, lo, m) == 0 {
		return vValid
	}
	return vInvalid
}

// shortestDecimal reads strconv's 'e' form of a float64 ("-7.5e-02") as
// |D| * 10^e with D free of trailing zeros (D is 0 for zero).
func shortestDecimal(b []byte) (d uint64, e int, ok bool) {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	nd := 0
	for ; i < len(b) && b[i] != 'e'; i++ {
		switch c := b[i]; {
		case c == '.':
		case c >= '0' && c <= '9' && nd < 19:
			d = d*10 + uint64(c-'0')
			nd++
		default:
			return 0, 0, false
		}
	}
	if i+2 >= len(b) || nd == 0 {
		return 0, 0, false
	}
	neg := b[i+1] == '-'
	exp := 0
	for _, c := range b[i+2:] {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	e = exp - (nd - 1)
	if d == 0 {
		return 0, 0, true
	}
	for d%10 == 0 {
		d /= 10
		e++
	}
	return d, e, true
}

// jsonEq compares an instance value a with b (a canonical enum/const value
// or, for uniqueItems, another instance value) as the library's equality
// does.
func jsonEq(a, b any, depth int) verdict {
	if depth > fastMaxDepth {
		return vUnsure
	}
	switch x := a.(type) {
	case nil:
		if b == nil {
			return vValid
		}
	case bool:
		if y, ok := b.(bool); ok && x == y {
			return vValid
		}
	case string:
		if y, ok := b.(string); ok && x == y {
			return vValid
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return vUnsure
		}
		if y, ok := b.(float64); ok && x == y {
			return vValid
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			break
		}
		for i := range x {
			if r := jsonEq(x[i], y[i], depth+1); r != vValid {
				return r
			}
		}
		return vValid
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			break
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok {
				return vInvalid
			}
			if r := jsonEq(xv, yv, depth+1); r != vValid {
				return r
			}
		}
		return vValid
	default:
		return vUnsure
	}
	return vInvalid
}

// plain reports whether v holds only JSON data model values (finite
// numbers).
func plain(v any, depth int) bool {
	if depth > fastMaxDepth {
		return false
	}
	switch x := v.(type) {
	case nil, bool, string:
		return true
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	case []any:
		for _, e := range x {
			if !plain(e, depth+1) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !plain(e, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

func uniqueItems(arr []any, depth int) verdict {
	if len(arr) > fastUniqueMax {
		return vUnsure
	}
	for _, e := range arr {
		if !plain(e, depth+1) {
			return vUnsure
		}
	}
	for i := 1; i < len(arr); i++ {
		for j := 0; j < i; j++ {
			switch jsonEq(arr[i], arr[j], depth+1) {
			case vValid:
				return vInvalid
			case vUnsure:
				return vUnsure
			}
		}
	}
	return vValid
}
