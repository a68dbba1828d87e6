package asyncapi

import (
	"fmt"

	"github.com/telaio/telaio/internal/jsonptr"
)

// mergePatch applies an RFC 7396 JSON Merge Patch to target and returns the
// result. Neither argument is modified: the objects along merged paths are
// copied, everything else is shared.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, _ := target.(map[string]any)
	out := make(map[string]any, len(t)+len(p))
	for k, v := range t {
		out[k] = v
	}
	for k, v := range p {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = mergePatch(out[k], v)
	}
	return out
}

// applyTraits merges the traits of the Message or Operation Object at ptr
// (a canonical pointer) into it, once, and stores the result in the
// document in its place, without the traits field. In 2.x each trait is
// merged into the object in order (a trait's field wins); in 3.x the traits
// are merged in order and the object is merged over them (the object's own
// fields win: "A property on a trait MUST NOT override the same property on
// the target object"). It returns the object to read.
func (b *builder) applyTraits(obj map[string]any, ptr string) map[string]any {
	list, ok := obj["traits"].([]any)
	if !ok || b.traited[ptr] {
		return obj
	}
	b.traited[ptr] = true
	own := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "traits" {
			own[k] = v
		}
	}
	var base any = map[string]any{}
	if b.d.Major == 2 {
		base = own
	}
	for i, item := range list {
		t, _, ok := b.l.resolve(item, fmt.Sprintf("%s/traits/%d", ptr, i))
		tm, isMap := t.(map[string]any)
		if !ok || !isMap {
			continue
		}
		base = mergePatch(base, tm)
	}
	if b.d.Major != 2 {
		base = mergePatch(base, own)
	}
	merged, _ := base.(map[string]any)
	b.store(ptr, merged)
	return merged
}

// store replaces the value at a canonical pointer of the document.
func (b *builder) store(ptr string, v any) {
	toks, err := jsonptr.Parse(ptr)
	if err != nil || len(toks) == 0 {
		return
	}
	parent, ok := jsonptr.Pointer(toks[:len(toks)-1]).Get(b.l.raw)
	if !ok {
		return
	}
	last := toks[len(toks)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
	case []any:
		if i, ok := jsonptr.Index(last, len(p)); ok && i < len(p) {
			p[i] = v
		}
	}
}
