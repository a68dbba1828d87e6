package schema

import (
	"net/url"
	"strconv"
	"strings"
)

// normalizePointer accepts "/a/b", "#/a/b" (URI fragment form, percent
// decoded) or "" / "#" for the whole document.
func normalizePointer(p string) (string, error) {
	if strings.HasPrefix(p, "#") {
		dec, err := url.PathUnescape(p[1:])
		if err != nil {
			return "", &CompileError{Pointer: p, Reason: "invalid percent-encoding in pointer"}
		}
		p = dec
	}
	if p != "" && !strings.HasPrefix(p, "/") {
		return "", &CompileError{Pointer: p, Reason: "a JSON pointer must be empty or start with '/'"}
	}
	for _, tok := range splitPointer(p) {
		if _, ok := unescapeToken(tok); !ok {
			return "", &CompileError{Pointer: p, Reason: "invalid '~' escape in pointer"}
		}
	}
	return p, nil
}

// splitPointer returns the raw (still escaped) tokens of p.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p[1:], "/")
}

func unescapeToken(t string) (string, bool) {
	if !strings.Contains(t, "~") {
		return t, true
	}
	var sb strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c != '~' {
			sb.WriteByte(c)
			continue
		}
		if i+1 >= len(t) {
			return "", false
		}
		switch t[i+1] {
		case '0':
			sb.WriteByte('~')
		case '1':
			sb.WriteByte('/')
		default:
			return "", false
		}
		i++
	}
	return sb.String(), true
}

// lookup resolves the JSON pointer p (escaped form) in v.
func lookup(v any, p string) (any, bool) {
	for _, raw := range splitPointer(p) {
		tok, ok := unescapeToken(raw)
		if !ok {
			return nil, false
		}
		switch x := v.(type) {
		case map[string]any:
			v, ok = x[tok]
			if !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) || (len(tok) > 1 && tok[0] == '0') {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// isPrefix reports whether pointer a is p itself or an ancestor of p.
func isPrefix(a, p string) bool {
	return a == p || strings.HasPrefix(p, a+"/") || a == ""
}

// localRef converts a "$ref" value to a document pointer when it is a local
// JSON-pointer fragment ("#", "#/a/b"); ok is false for anything else.
func localRef(ref string) (string, bool) {
	if !strings.HasPrefix(ref, "#") {
		return "", false
	}
	frag, err := url.PathUnescape(ref[1:])
	if err != nil {
		return "", false
	}
	if frag != "" && !strings.HasPrefix(frag, "/") {
		return "", false // anchor
	}
	return frag, true
}

// fragment renders a pointer as a URI fragment for the compiler.
func fragment(p string) string {
	var sb strings.Builder
	sb.WriteByte('#')
	for _, tok := range splitPointer(p) {
		sb.WriteByte('/')
		sb.WriteString(url.PathEscape(tok))
	}
	return sb.String()
}

// canonical resolves pointer p in root like lookup, but when a step meets
// an object holding a local "$ref" and not the next token (a Reference
// Object such as a requestBody or parameter defined in components), it
// continues from the reference's target. It returns the pointer that
// actually holds the value.
func canonical(root any, p string) (string, bool) {
	if _, ok := lookup(root, p); ok {
		return p, true
	}
	cur := ""
	hops := 0
	for _, tok := range splitPointer(p) {
		for {
			next := cur + "/" + tok
			if _, ok := lookup(root, next); ok {
				cur = next
				break
			}
			v, _ := lookup(root, cur)
			m, _ := v.(map[string]any)
			ref, _ := m["$ref"].(string)
			target, ok := localRef(ref)
			if !ok || hops >= 32 {
				return "", false
			}
			hops++
			cur = target
		}
	}
	return cur, true
}
