package arazzo

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/oas"
)

// Bounds of schema walks (see the decisions in typecheck.go).
const (
	// tcMaxDepth bounds nesting and $ref hops in one walk.
	tcMaxDepth = 48
	// tcBudget bounds the schema objects one walk visits.
	tcBudget = 4096
	// tcMaxNodes bounds the alternative schemas followed at once.
	tcMaxNodes = 64
)

// tcKinds is a set of JSON types.
type tcKinds uint8

const (
	tkNull tcKinds = 1 << iota
	tkBool
	tkInteger // an integral number
	tkNumber  // a number that is not integral
	tkString
	tkObject
	tkArray

	tkAll = tkNull | tkBool | tkInteger | tkNumber | tkString | tkObject | tkArray
)

var tcKindNames = []struct {
	k    tcKinds
	name string
}{{tkBool, "boolean"}, {tkInteger, "integer"}, {tkNumber, "number"}, {tkString, "string"}, {tkObject, "object"}, {tkArray, "array"}, {tkNull, "null"}}

// String names the types, "number" standing for integer and number.
func (k tcKinds) String() string {
	if k == tkAll {
		return "any"
	}
	var parts []string
	for _, kn := range tcKindNames {
		if k&kn.k == 0 {
			continue
		}
		if kn.k == tkInteger && k&tkNumber != 0 {
			continue // "number" covers it
		}
		parts = append(parts, kn.name)
	}
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// article is String with an indefinite article.
func (k tcKinds) article() string {
	s := k.String()
	if k == tkNull {
		return s
	}
	switch s[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + s
	}
	return "a " + s
}

// tcRoot is a document that local $refs resolve in, with a cache of the
// references resolved so far.
type tcRoot struct {
	raw  any
	refs map[string]tcRef
}

type tcRef struct {
	v  any
	ok bool
}

// tcNode is a schema and the document it belongs to.
type tcNode struct {
	s    any
	root *tcRoot
}

func (c *typeChecker) oasRoot(d *oas.Document) *tcRoot {
	r := c.oasRoots[d]
	if r == nil {
		r = &tcRoot{raw: d.Raw, refs: map[string]tcRef{}}
		c.oasRoots[d] = r
	}
	return r
}

func (c *typeChecker) docRoot(d *Document) *tcRoot {
	r := c.docRoots[d]
	if r == nil {
		r = &tcRoot{refs: map[string]tcRef{}}
		if d != nil {
			r.raw = d.Raw
		}
		c.docRoots[d] = r
	}
	return r
}

// resolve follows a local "#/..." reference.
func (r *tcRoot) resolve(ref string) (any, bool) {
	if r == nil || !strings.HasPrefix(ref, "#") {
		return nil, false
	}
	if v, ok := r.refs[ref]; ok {
		return v.v, v.ok
	}
	var out tcRef
	if p, err := jsonptr.ParseFragment(ref); err == nil {
		out.v, out.ok = p.Get(r.raw)
	}
	r.refs[ref] = out
	return out.v, out.ok
}

// tcWalk is the state of one bounded schema walk: the $refs on the current
// path and the remaining budget.
type tcWalk struct {
	refs   [tcMaxDepth + 1]string
	n      int
	budget int
	// names makes lookups collect the declared names (for suggestions).
	names bool
}

// enter reports whether the walk may go into a schema at depth.
func (w *tcWalk) enter(depth int) bool {
	if depth > tcMaxDepth || w.budget <= 0 {
		return false
	}
	w.budget--
	return true
}

// push records ref on the path; false when it is already there (a cycle)
// or the path is full.
func (w *tcWalk) push(ref string) bool {
	for i := 0; i < w.n; i++ {
		if w.refs[i] == ref {
			return false
		}
	}
	if w.n >= len(w.refs) {
		return false
	}
	w.refs[w.n] = ref
	w.n++
	return true
}

func (w *tcWalk) pop() { w.n-- }

// tcLookup accumulates what the schemas of one level say about a member
// name (an object property or an array index).
type tcLookup struct {
	// open: something at this level admits any name (or could not be
	// followed).
	open bool
	// found: the name is declared or admitted; children are its schemas.
	found    bool
	children []tcNode
	// declares: the level declares structure, so a name it does not admit
	// cannot exist.
	declares bool
	// closed: additionalProperties: false was written at this level.
	closed bool
	names  []string
}

// exists reports whether the name can exist at this level.
func (l *tcLookup) exists() bool { return l.open || l.found || !l.declares }

// namesAt lists the property names the schemas declare at their level,
// sorted, for suggestions.
func (c *typeChecker) namesAt(nodes []tcNode) []string {
	var lk tcLookup
	for _, n := range nodes {
		w := tcWalk{budget: tcBudget, names: true}
		c.memberIn(&w, n, "\x00", 0, &lk)
	}
	sort.Strings(lk.names)
	return slices.Compact(lk.names)
}

// member looks name up in schema n, adding to acc.
func (c *typeChecker) member(n tcNode, name string, acc *tcLookup) {
	w := tcWalk{budget: tcBudget}
	var sub tcLookup
	c.memberIn(&w, n, name, 0, &sub)
	acc.merge(&sub)
}

// merge adds the result for one alternative schema.
func (l *tcLookup) merge(o *tcLookup) {
	if !o.declares && !o.open {
		// An alternative that declares nothing admits anything.
		l.open = true
	}
	l.open = l.open || o.open
	l.found = l.found || o.found
	l.declares = l.declares || o.declares
	l.closed = l.closed || o.closed
	l.children = append(l.children, o.children...)
	l.names = append(l.names, o.names...)
}

func (c *typeChecker) memberIn(w *tcWalk, n tcNode, name string, depth int, acc *tcLookup) {
	if !w.enter(depth) {
		acc.open = true
		return
	}
	m, ok := n.s.(map[string]any)
	if !ok {
		if b, ok := n.s.(bool); ok && !b {
			acc.declares = true
			return
		}
		acc.open = true
		return
	}
	if ref, ok := m["$ref"].(string); ok {
		t, ok := n.root.resolve(ref)
		switch {
		case !ok:
			acc.open = true
		case w.push(ref):
			c.memberIn(w, tcNode{t, n.root}, name, depth+1, acc)
			w.pop()
		}
	}
	types := tcTypeKinds(m)
	if props, ok := m["properties"].(map[string]any); ok {
		acc.declares = true
		if w.names {
			for k := range props {
				acc.names = append(acc.names, k)
			}
		}
		if p, ok := props[name]; ok {
			acc.found = true
			acc.children = append(acc.children, tcNode{p, n.root})
		}
	}
	if pp, ok := m["patternProperties"].(map[string]any); ok {
		acc.declares = true
		for pat, s := range pp {
			if c.matches(pat, name) {
				acc.found = true
				acc.children = append(acc.children, tcNode{s, n.root})
			}
		}
	}
	if ap, ok := m["additionalProperties"]; ok {
		acc.declares = true
		if b, ok := ap.(bool); ok && !b {
			acc.closed = true
		} else {
			acc.found = true
			acc.children = append(acc.children, tcNode{ap, n.root})
		}
	}
	_, hasItems := m["items"]
	prefix, hasPrefix := m["prefixItems"].([]any)
	if hasItems || hasPrefix || (types != tkAll && types&tkArray != 0) {
		acc.declares = true
		if i, ok := jsonptr.Index(name, math.MaxInt32); ok {
			switch it := m["items"].(type) {
			case []any: // draft 4 tuples
				if i < len(it) {
					acc.found = true
					acc.children = append(acc.children, tcNode{it[i], n.root})
				}
			default:
				acc.found = true
				if hasPrefix && i < len(prefix) {
					acc.children = append(acc.children, tcNode{prefix[i], n.root})
				} else if hasItems {
					acc.children = append(acc.children, tcNode{it, n.root})
				} else {
					acc.children = append(acc.children, tcNode{true, n.root})
				}
			}
		}
	}
	if types != tkAll && types&(tkObject|tkArray) == 0 {
		acc.declares = true // a scalar has no members
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, s := range all {
			c.memberIn(w, tcNode{s, n.root}, name, depth+1, acc)
		}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		alts, ok := m[kw].([]any)
		if !ok {
			continue
		}
		for _, s := range alts {
			var sub tcLookup
			c.memberIn(w, tcNode{s, n.root}, name, depth+1, &sub)
			if !sub.declares && !sub.open && c.admitsAll(w, tcNode{s, n.root}, depth+1) {
				sub.open = true
			}
			acc.open = acc.open || sub.open
			acc.found = acc.found || sub.found
			acc.declares = acc.declares || sub.declares
			acc.children = append(acc.children, sub.children...)
			acc.names = append(acc.names, sub.names...)
		}
	}
}

// admitsAll reports whether an alternative that declares no structure
// admits any object: true, {}, or a schema whose type is object (after
// $refs). An alternative that only adds constraints (required, minimum, a
// scalar type) does not.
func (c *typeChecker) admitsAll(w *tcWalk, n tcNode, depth int) bool {
	for i := 0; i < tcMaxDepth && w.enter(depth+i); i++ {
		m, ok := n.s.(map[string]any)
		if !ok {
			b, isBool := n.s.(bool)
			return !isBool || b
		}
		if ref, ok := m["$ref"].(string); ok {
			t, ok := n.root.resolve(ref)
			if !ok {
				return true
			}
			n = tcNode{t, n.root}
			continue
		}
		if _, ok := m["type"]; ok {
			return tcTypeKinds(m)&tkObject != 0
		}
		for k := range m {
			switch k {
			case "description", "title", "example", "examples", "default", "deprecated", "readOnly", "writeOnly",
				"$comment", "$id", "$schema", "externalDocs", "xml", "discriminator":
			default:
				if !strings.HasPrefix(k, "x-") {
					return false
				}
			}
		}
		return true
	}
	return true
}

// matches reports whether name matches a patternProperties pattern; an
// invalid pattern matches everything.
func (c *typeChecker) matches(pat, name string) bool {
	re, ok := c.regexps[pat]
	if !ok {
		re, _ = regexp.Compile(pat)
		c.regexps[pat] = re
	}
	return re == nil || re.MatchString(name)
}

// tcTypeKinds reads the "type" keyword (tkAll when absent or unknown) and
// the 3.0 nullable flag.
func tcTypeKinds(m map[string]any) tcKinds {
	var k tcKinds
	switch t := m["type"].(type) {
	case string:
		k = tcTypeName(t)
	case []any:
		for _, x := range t {
			s, _ := x.(string)
			k |= tcTypeName(s)
		}
	default:
		return tkAll
	}
	if k == 0 {
		return tkAll
	}
	if b, _ := m["nullable"].(bool); b {
		k |= tkNull
	}
	return k
}

func tcTypeName(s string) tcKinds {
	switch s {
	case "null":
		return tkNull
	case "boolean":
		return tkBool
	case "integer":
		return tkInteger
	case "number":
		return tkInteger | tkNumber
	case "string":
		return tkString
	case "object":
		return tkObject
	case "array":
		return tkArray
	}
	return 0
}

// tcValueKinds is the JSON type of a value.
func tcValueKinds(v any) tcKinds {
	switch x := v.(type) {
	case nil:
		return tkNull
	case bool:
		return tkBool
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return tkInteger
		}
		return tkNumber
	case float32:
		return tcValueKinds(float64(x))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return tkInteger
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return tkInteger
		}
		return tkInteger | tkNumber
	case string:
		return tkString
	case map[string]any:
		return tkObject
	case []any:
		return tkArray
	}
	return tkAll
}

// kindsOf is the union of the types the schemas admit (tkAll when any is
// unconstrained, or when there are none).
func (c *typeChecker) kindsOf(nodes []tcNode) tcKinds {
	if len(nodes) == 0 {
		return tkAll
	}
	var k tcKinds
	for _, n := range nodes {
		w := tcWalk{budget: tcBudget}
		k |= c.kindsIn(&w, n, 0)
	}
	if k == 0 {
		return tkAll
	}
	return k
}

func (c *typeChecker) kindsIn(w *tcWalk, n tcNode, depth int) tcKinds {
	if !w.enter(depth) {
		return tkAll
	}
	m, ok := n.s.(map[string]any)
	if !ok {
		return tkAll
	}
	k := tcTypeKinds(m)
	if v, ok := m["const"]; ok {
		k &= tcValueKinds(v)
	}
	if enum, ok := m["enum"].([]any); ok && len(enum) > 0 {
		var e tcKinds
		for _, v := range enum {
			e |= tcValueKinds(v)
		}
		k &= e
	}
	if ref, ok := m["$ref"].(string); ok {
		if t, ok := n.root.resolve(ref); ok && w.push(ref) {
			k &= c.kindsIn(w, tcNode{t, n.root}, depth+1)
			w.pop()
		}
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, s := range all {
			k &= c.kindsIn(w, tcNode{s, n.root}, depth+1)
		}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		if alts, ok := m[kw].([]any); ok && len(alts) > 0 {
			var u tcKinds
			for _, s := range alts {
				u |= c.kindsIn(w, tcNode{s, n.root}, depth+1)
			}
			k &= u
		}
	}
	if b, _ := m["nullable"].(bool); b {
		k |= tkNull
	}
	if k == 0 {
		return tkAll // contradictory: do not judge
	}
	return k
}

// requiredNames lists the properties every one of the schemas requires
// (through $ref and allOf; alternatives of oneOf/anyOf are not counted).
func (c *typeChecker) requiredNames(nodes []tcNode) []string {
	var out []string
	for i, n := range nodes {
		w := tcWalk{budget: tcBudget}
		set := map[string]bool{}
		c.requiredIn(&w, n, 0, set)
		if i == 0 {
			for k := range set {
				out = append(out, k)
			}
			continue
		}
		kept := out[:0]
		for _, k := range out {
			if set[k] {
				kept = append(kept, k)
			}
		}
		out = kept
	}
	sort.Strings(out)
	return out
}

func (c *typeChecker) requiredIn(w *tcWalk, n tcNode, depth int, set map[string]bool) {
	if !w.enter(depth) {
		return
	}
	m, ok := n.s.(map[string]any)
	if !ok {
		return
	}
	if req, ok := m["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				set[s] = true
			}
		}
	}
	if ref, ok := m["$ref"].(string); ok {
		if t, ok := n.root.resolve(ref); ok && w.push(ref) {
			c.requiredIn(w, tcNode{t, n.root}, depth+1, set)
			w.pop()
		}
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, s := range all {
			c.requiredIn(w, tcNode{s, n.root}, depth+1, set)
		}
	}
}

// readOnly reports whether property name is marked readOnly in the
// schemas (a required readOnly property is not sent in requests).
func (c *typeChecker) readOnly(nodes []tcNode, name string) bool {
	var lk tcLookup
	for _, n := range nodes {
		c.member(n, name, &lk)
	}
	if !lk.found {
		return false
	}
	for _, ch := range lk.children {
		w := tcWalk{budget: tcBudget}
		if c.flag(&w, ch, "readOnly", 0) {
			return true
		}
	}
	return false
}

// flag reports whether a boolean keyword is true in a schema or what its
// $ref and allOf bring in.
func (c *typeChecker) flag(w *tcWalk, n tcNode, kw string, depth int) bool {
	if !w.enter(depth) {
		return false
	}
	m, ok := n.s.(map[string]any)
	if !ok {
		return false
	}
	if b, _ := m[kw].(bool); b {
		return true
	}
	if ref, ok := m["$ref"].(string); ok {
		if t, ok := n.root.resolve(ref); ok && w.push(ref) {
			found := c.flag(w, tcNode{t, n.root}, kw, depth+1)
			w.pop()
			if found {
				return true
			}
		}
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, s := range all {
			if c.flag(w, tcNode{s, n.root}, kw, depth+1) {
				return true
			}
		}
	}
	return false
}

// objectNames lists the property names a schema declares at its top level.
func (c *typeChecker) objectNames(n tcNode) []string {
	return c.namesAt([]tcNode{n})
}

// tcCap bounds the alternatives followed at once.
func tcCap(nodes []tcNode) []tcNode {
	if len(nodes) > tcMaxNodes {
		return nodes[:tcMaxNodes]
	}
	return nodes
}
