package mock

import (
	"sync"

	"github.com/telaio/telaio/schema"
)

// echoSite is a string property of a synthesized body whose value a request
// may replace (see WithEcho), with the string constraints that apply to it.
type echoSite struct {
	path []any // keys (string) and indexes (int) from the root to the object
	key  string
	cons map[string]any // format, pattern, lengths, enum, const; nil: any string

	once sync.Once
	chk  *schema.Schema // nil: any string is valid
	bad  bool           // the constraints could not be compiled: never echo
}

const maxEchoSites = 10000

// newEchoSite records a string property synthesized from the flat set f.
func newEchoSite(path []any, key string, f *flat) *echoSite {
	c := map[string]any{}
	if f.format != "" {
		c["format"] = f.format
	}
	if len(f.patterns) > 0 {
		all := make([]any, len(f.patterns))
		for i, p := range f.patterns {
			all[i] = map[string]any{"pattern": p}
		}
		c["allOf"] = all
	}
	if f.minLen > 0 {
		c["minLength"] = float64(f.minLen)
	}
	if f.maxLen >= 0 {
		c["maxLength"] = float64(f.maxLen)
	}
	if f.hasEnum {
		c["enum"] = f.enum
	}
	if f.hasConst {
		c["const"] = f.constV
	}
	if len(c) == 0 {
		c = nil
	}
	return &echoSite{path: path, key: key, cons: c}
}

// accepts reports whether str satisfies the site's string constraints,
// checked with package schema.
func (st *echoSite) accepts(str string) bool {
	st.once.Do(func() {
		if st.cons == nil {
			return
		}
		chk, err := schema.Compile(st.cons, "")
		st.chk, st.bad = chk, err != nil
	})
	if st.bad {
		return false
	}
	return st.chk == nil || st.chk.Validate(str) == nil
}

// echoBody returns the encoding of val with the request's strings written
// into the matching echo sites of m, such that valid (the check of the
// whole body) accepts it: all of them when it does, else those a greedy
// pass in site order keeps. ok is false when nothing applies.
func echoBody(m *media, val any, echo map[string]string, valid func(any) bool) ([]byte, bool) {
	type edit struct {
		st *echoSite
		v  string
	}
	var edits []edit
	for _, st := range m.sites {
		nv, ok := echo[st.key]
		if !ok {
			continue
		}
		if obj, ok := at(val, st.path).(map[string]any); !ok || obj[st.key] == nv || !st.accepts(nv) {
			continue
		}
		edits = append(edits, edit{st, nv})
	}
	build := func(list []edit) *patch {
		p := &patch{}
		for _, e := range list {
			p.set(e.st.path, e.st.key, e.v)
		}
		return p
	}
	if len(edits) == 0 {
		return nil, false
	}
	if p := build(edits); valid(p.apply(val)) {
		return appendJSON(nil, val, p), true
	}
	var kept []edit
	for _, e := range edits {
		if valid(build(append(kept, e)).apply(val)) {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		return nil, false
	}
	return appendJSON(nil, val, build(kept)), true
}

func at(v any, path []any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
