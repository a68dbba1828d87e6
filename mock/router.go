package mock

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// router maps request paths to operations with a segment trie. Literal
// segments are preferred over templated ones at every level; matching
// backtracks, so /a/{x} still serves GET /a/b when /a/b only declares POST.
type router struct {
	root *node
}

type node struct {
	lits map[string]*node
	vars []*varEdge
	ops  map[string]*operation // by upper-case method
}

// varEdge is a templated segment: either a whole-segment parameter
// ({id}) or a mixed one ({name}.{ext}, v{version}) matched with a regexp.
type varEdge struct {
	tmpl  string // the segment template, for de-duplication
	name  string // whole-segment parameter name; "" for mixed
	re    *regexp.Regexp
	names []string // mixed: parameter names in order of the groups
	child *node
}

func newNode() *node { return &node{lits: map[string]*node{}} }

func newRouter() *router { return &router{root: newNode()} }

// splitTemplate splits a path template into segments, ignoring a trailing
// slash ("/" itself has no segments).
func splitTemplate(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

var paramRe = regexp.MustCompile(`\{([^{}]+)\}`)

// add registers op under its path template and method. It reports false when
// the same method and template (after normalising parameter names) is already
// taken.
func (r *router) add(op *operation) bool {
	n := r.root
	for _, seg := range splitTemplate(op.path) {
		n = n.child(seg)
	}
	if n.ops == nil {
		n.ops = map[string]*operation{}
	}
	if _, dup := n.ops[op.method]; dup {
		return false
	}
	n.ops[op.method] = op
	return true
}

func (n *node) child(seg string) *node {
	locs := paramRe.FindAllStringSubmatchIndex(seg, -1)
	if len(locs) == 0 {
		c := n.lits[seg]
		if c == nil {
			c = newNode()
			n.lits[seg] = c
		}
		return c
	}
	for _, e := range n.vars {
		if e.tmpl == seg {
			return e.child
		}
	}
	e := &varEdge{tmpl: seg, child: newNode()}
	if len(locs) == 1 && locs[0][0] == 0 && locs[0][1] == len(seg) {
		e.name = seg[locs[0][2]:locs[0][3]]
	} else {
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, l := range locs {
			b.WriteString(regexp.QuoteMeta(seg[last:l[0]]))
			b.WriteString("(.+?)")
			e.names = append(e.names, seg[l[2]:l[3]])
			last = l[1]
		}
		b.WriteString(regexp.QuoteMeta(seg[last:]))
		b.WriteString("$")
		e.re = regexp.MustCompile(b.String())
	}
	n.vars = append(n.vars, e)
	// Whole-segment parameters are tried after mixed ones: a mixed
	// segment has literal text and is the more specific match.
	sort.SliceStable(n.vars, func(i, j int) bool {
		return n.vars[i].re != nil && n.vars[j].re == nil
	})
	return e.child
}

// pathParams holds the matched parameter values (already percent-decoded).
type pathParams []struct{ name, value string }

func (p pathParams) get(name string) (string, bool) {
	for _, kv := range p {
		if kv.name == name {
			return kv.value, true
		}
	}
	return "", false
}

// splitRequestPath splits an escaped request path into decoded segments. ok
// is false for a malformed escape.
func splitRequestPath(escaped string) ([]string, bool) {
	escaped = strings.Trim(escaped, "/")
	if escaped == "" {
		return nil, true
	}
	raw := strings.Split(escaped, "/")
	out := make([]string, len(raw))
	for i, s := range raw {
		d, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		out[i] = d
	}
	return out, true
}

// match finds the operation for method at segs. When some path matches but
// not the method, op is nil and allow lists the methods of the matching
// paths.
func (r *router) match(method string, segs []string) (op *operation, params pathParams, allow []string) {
	var ps pathParams
	var found *node
	var foundParams pathParams
	var anyMatch []*node
	var walk func(n *node, i int) bool
	walk = func(n *node, i int) bool {
		if i == len(segs) {
			if len(n.ops) == 0 {
				return false
			}
			if n.ops[method] != nil {
				found = n
				foundParams = append(pathParams(nil), ps...)
				return true
			}
			anyMatch = append(anyMatch, n)
			return false
		}
		seg := segs[i]
		if c := n.lits[seg]; c != nil && walk(c, i+1) {
			return true
		}
		for _, e := range n.vars {
			mark := len(ps)
			if e.re == nil {
				if seg == "" {
					continue
				}
				ps = append(ps, struct{ name, value string }{e.name, seg})
			} else {
				m := e.re.FindStringSubmatch(seg)
				if m == nil {
					continue
				}
				for k, name := range e.names {
					ps = append(ps, struct{ name, value string }{name, m[k+1]})
				}
			}
			if walk(e.child, i+1) {
				return true
			}
			ps = ps[:mark]
		}
		return false
	}
	if walk(r.root, 0) {
		return found.ops[method], foundParams, nil
	}
	seen := map[string]bool{}
	for _, n := range anyMatch {
		for m := range n.ops {
			if !seen[m] {
				seen[m] = true
				allow = append(allow, m)
			}
		}
	}
	sort.Strings(allow)
	return nil, nil, allow
}
