package asyncapi

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// refError says why a $ref does not resolve.
type refError struct {
	code string // CodeUnresolvedRef or CodeRefCycle
	msg  string
	// at is the pointer of the object whose $ref is the broken link.
	at string
	// cycle lists the objects of a loop of $refs.
	cycle []string
}

// refState bounds one resolution: the hops taken and the objects whose $ref
// is being followed (to detect loops).
type refState struct {
	hops    int
	max     int
	holding []string
}

// lookup follows a pointer from the root of the (bundled) document. A $ref
// met on the way is followed (so "#/channels/a/messages/m" works when
// channel a is itself a $ref); one at the end is not. It returns the value
// and its canonical pointer, the one with every $ref on the way resolved.
func (l *loader) lookup(toks []string, st *refState) (any, string, *refError) {
	var cur any = l.raw
	canon := ""
	for _, t := range toks {
		var err *refError
		if cur, canon, err = l.deref(cur, canon, st); err != nil {
			return nil, "", err
		}
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[t]
			if !ok {
				return nil, "", &refError{code: CodeUnresolvedRef, msg: "nothing at " + child(canon, t)}
			}
			cur = v
		case []any:
			i, ok := jsonptr.Index(t, len(c))
			if !ok || i >= len(c) {
				return nil, "", &refError{code: CodeUnresolvedRef, msg: "nothing at " + child(canon, t)}
			}
			cur = c[i]
		default:
			return nil, "", &refError{code: CodeUnresolvedRef, msg: "nothing at " + child(canon, t)}
		}
		canon = child(canon, t)
	}
	return cur, canon, nil
}

// deref follows v, found at ptr, while it is a {"$ref": ...} object, and
// returns the value reached and its canonical pointer.
func (l *loader) deref(v any, ptr string, st *refState) (any, string, *refError) {
	// Every object whose $ref this chain follows stays in st.holding until
	// the chain ends, so that a loop is seen however it closes.
	depth := len(st.holding)
	defer func() { st.holding = st.holding[:depth] }()
	for {
		m, ok := v.(map[string]any)
		if !ok {
			return v, ptr, nil
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v, ptr, nil
		}
		for i, h := range st.holding {
			if h == ptr {
				cyc := append([]string(nil), st.holding[i:]...)
				return nil, "", &refError{code: CodeRefCycle, at: ptr, cycle: cyc,
					msg: "the $refs loop: " + strings.Join(append(cyc, ptr), " -> ")}
			}
		}
		if st.hops >= st.max {
			// Blame the start of the chain: each link is fine on its own.
			at := ptr
			if len(st.holding) > 0 {
				at = st.holding[0]
			}
			return nil, "", &refError{code: CodeRefCycle, at: at, msg: fmt.Sprintf("more than %d $refs in a chain", st.max)}
		}
		st.hops++
		if !strings.HasPrefix(ref, "#") {
			return nil, "", &refError{code: CodeUnresolvedRef, at: ptr, msg: "not a reference inside the document"}
		}
		toks, err := jsonptr.ParseFragment(ref)
		if err != nil {
			return nil, "", &refError{code: CodeUnresolvedRef, at: ptr, msg: "not a JSON pointer: " + err.Error()}
		}
		st.holding = append(st.holding, ptr)
		target, tptr, rerr := l.lookup(toks, st)
		if rerr != nil {
			if rerr.at == "" {
				rerr.at = ptr
			}
			return nil, "", rerr
		}
		v, ptr = target, tptr
	}
}

// resolve follows v (found at ptr) to the object it stands for. A failure
// is reported once per broken $ref; ok is false then.
func (l *loader) resolve(v any, ptr string) (any, string, bool) {
	t, tptr, err := l.deref(v, ptr, &refState{max: l.cfg.maxHops})
	if err != nil {
		l.reportRef(err)
		return nil, "", false
	}
	return t, tptr, true
}

// resolveRef resolves the text of a $ref written at holder: the value it
// names and the pointer of that value; the value is not itself dereffed
// (the caller identifies objects by where a $ref points).
func (l *loader) resolveRef(ref, holder string) (any, string, bool) {
	st := &refState{max: l.cfg.maxHops}
	if !strings.HasPrefix(ref, "#") {
		l.reportRef(&refError{code: CodeUnresolvedRef, at: holder, msg: "not a reference inside the document"})
		return nil, "", false
	}
	toks, err := jsonptr.ParseFragment(ref)
	if err != nil {
		l.reportRef(&refError{code: CodeUnresolvedRef, at: holder, msg: "not a JSON pointer: " + err.Error()})
		return nil, "", false
	}
	st.holding = append(st.holding, holder)
	v, ptr, rerr := l.lookup(toks, st)
	if rerr != nil {
		if rerr.at == "" {
			rerr.at = holder
		}
		l.reportRef(rerr)
		return nil, "", false
	}
	return v, ptr, true
}

func (l *loader) reportRef(err *refError) {
	if l.badRefs[err.at] {
		return
	}
	l.badRefs[err.at] = true
	l.errorf(l.at(err.at+"/$ref"), err.code, "$ref %q does not resolve: %s", l.refText(err.at), err.msg)
}

// refText is the $ref of the object at ptr as written.
func (l *loader) refText(ptr string) string {
	if s, ok := l.origRef[ptr]; ok {
		return s
	}
	v, _ := jsonptr.Lookup(l.raw, ptr)
	m, _ := v.(map[string]any)
	s, _ := m["$ref"].(string)
	return s
}

// walkRefs calls fn for every object with a string "$ref" under v (found
// at base), in a stable order. Objects are not followed through their
// $refs: each is visited once.
func walkRefs(v any, base string, fn func(m map[string]any, ptr string)) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["$ref"].(string); ok {
			fn(x, base)
		}
		keys := make([]string, 0, len(x))
		for k, c := range x {
			switch c.(type) {
			case map[string]any, []any:
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkRefs(x[k], child(base, k), fn)
		}
	case []any:
		for i, c := range x {
			switch c.(type) {
			case map[string]any, []any:
				walkRefs(c, fmt.Sprintf("%s/%d", base, i), fn)
			}
		}
	}
}

// checkRefs reports every $ref of the bundled document that does not
// resolve, at the broken link (a chain is reported where it breaks, a loop
// once, at its first member).
func (l *loader) checkRefs() {
	walkRefs(l.raw, "", func(m map[string]any, ptr string) {
		if l.badRefs[ptr] {
			return
		}
		_, _, err := l.deref(m, ptr, &refState{max: l.cfg.maxHops})
		if err == nil || err.at != ptr {
			return
		}
		if len(err.cycle) > 0 && minString(err.cycle) != ptr {
			return
		}
		l.reportRef(err)
	})
}

func minString(s []string) string {
	m := s[0]
	for _, x := range s[1:] {
		m = min(m, x)
	}
	return m
}

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)

// bundle reads the files that relative $refs name (through WithReadFile),
// embeds them under filesKey and rewrites every $ref into a local one, so
// that the rest of the loader deals with one document. Problems are
// reported at the $ref.
func (l *loader) bundle() {
	type pending struct {
		key string // "" for the main document
		raw any
	}
	queue := []pending{{"", l.raw}}
	embedded := map[string]any{}
	failed := map[string]bool{}
	mainName := ""
	if l.url != "" && !strings.Contains(l.url, "://") {
		mainName = path.Clean(path.Base(l.url))
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		base := ""
		if p.key != "" {
			base = child("/"+filesKey, p.key)
		}
		walkRefs(p.raw, base, func(m map[string]any, ptr string) {
			ref := m["$ref"].(string)
			bad := func(code, format string, args ...any) {
				l.badRefs[ptr] = true
				l.errorf(l.at(ptr+"/$ref"), code, format, args...)
			}
			if strings.HasPrefix(ref, "#") {
				if p.key == "" {
					return
				}
				toks, err := jsonptr.ParseFragment(ref)
				if err != nil {
					bad(CodeUnresolvedRef, "$ref %q is not a JSON pointer: %v", ref, err)
					return
				}
				m["$ref"] = "#" + base + jsonptr.Pointer(toks).String()
				l.origRef[ptr] = ref
				return
			}
			if schemeRE.MatchString(ref) || strings.HasPrefix(ref, "//") {
				bad(CodeRemoteRef, "$ref %q names a URL: remote documents are never fetched", ref)
				return
			}
			file, frag, _ := strings.Cut(ref, "#")
			toks, err := jsonptr.ParseFragment("#" + frag)
			if err != nil {
				bad(CodeUnresolvedRef, "$ref %q: the fragment is not a JSON pointer: %v", ref, err)
				return
			}
			file, err = url.PathUnescape(file)
			if err != nil {
				bad(CodeUnresolvedRef, "$ref %q is not a valid reference: %v", ref, err)
				return
			}
			if !path.IsAbs(file) {
				file = path.Join(path.Dir(p.key), file)
			}
			file = path.Clean(file)
			if file == mainName {
				m["$ref"] = "#" + jsonptr.Pointer(toks).String()
				l.origRef[ptr] = ref
				return
			}
			if l.cfg.readFile == nil {
				bad(CodeExternalRef, "$ref %q names another file, and reading other files is not enabled", ref)
				return
			}
			if failed[file] {
				l.badRefs[ptr] = true
				return
			}
			if _, ok := embedded[file]; !ok {
				raw, ok := l.readFile(file, ref, ptr)
				if !ok {
					failed[file] = true
					l.badRefs[ptr] = true
					return
				}
				embedded[file] = raw
				queue = append(queue, pending{file, raw})
			}
			m["$ref"] = "#" + child("/"+filesKey, file) + jsonptr.Pointer(toks).String()
			l.origRef[ptr] = ref
		})
	}
	if len(embedded) == 0 {
		return
	}
	if _, taken := l.raw[filesKey]; taken {
		l.errorf(l.at("/"+filesKey), CodeInvalidDocument, "the key %q is reserved by Telaio for the files $refs read, and is replaced", filesKey)
	}
	l.raw[filesKey] = embedded
}

// readFile reads and decodes one file for a $ref (written at ptr),
// reporting problems at the $ref.
func (l *loader) readFile(name, ref, ptr string) (any, bool) {
	at := l.at(ptr + "/$ref")
	if len(l.files.ext) >= l.cfg.maxFiles {
		l.errorf(at, CodeTooManyFiles, "$ref %q: the document's $refs read more than %d files", ref, l.cfg.maxFiles)
		return nil, false
	}
	src, err := l.cfg.readFile(name)
	if err != nil {
		l.errorf(at, CodeExternalRef, "$ref %q: cannot read %q: %v", ref, name, err)
		return nil, false
	}
	l.read += int64(len(src))
	if l.read > l.cfg.maxBytes {
		l.errorf(at, CodeDocumentTooLarge, "$ref %q: the document and the files it reads exceed the limit of %d bytes", ref, l.cfg.maxBytes)
		return nil, false
	}
	display := name
	if i := strings.LastIndexByte(l.url, '/'); i >= 0 && !path.IsAbs(name) {
		display = l.url[:i+1] + name
	}
	node, raw, err := decode(src)
	if err != nil {
		de, _ := err.(*decodeError)
		line := 1
		if de != nil {
			line = de.line
		}
		l.errorf(at, CodeExternalRef, "$ref %q: %s:%d: %v", ref, display, line, err)
		return nil, false
	}
	l.files.ext[name] = newFile(display, src, node)
	return raw, true
}
