package schema

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// Bundle mode. The JSON Schema library checks every schema it compiles
// against its draft's meta-schema. A schema it finds under a keyword it
// knows (properties, definitions, ...) is checked with the resource that
// holds it; a schema found only by pointer — everything under an OpenAPI
// document's paths and components — is checked on its own, and the library
// copies its bookkeeping for the whole resource each time (quadratic in the
// number of schemas referenced). So an OpenAPI document is not handed over
// as it is: each include gathers the subtrees it needs (translated; see
// translate.go) under "definitions" (draft-07, OpenAPI 3.0) or "$defs"
// (2020-12, 3.1) of a new resource, keyed by their pointer in the caller's
// document, with every local "$ref" rewritten to where its target now
// lives, in this bundle or an earlier one. A subtree is translated, checked
// and compiled once per OpenAPI value and Direction.

// bundleBase names the bundle resources: bundleBase + index.
const bundleBase = "https://telaio.invalid/bundle/"

// refSite is a translated schema whose "$ref" points at the document
// pointer ptr.
type refSite struct {
	m   map[string]any
	ptr string
}

// site records the "$ref" of m for rewriting, when it is a document-local
// pointer (an anchor, or a reference relative to a "$id", is left alone).
func (t *translator) site(m map[string]any, ref string, hasID bool) {
	if !t.b.bundled || hasID {
		return
	}
	if p, ok := localRef(ref); ok {
		t.sites = append(t.sites, refSite{m, p})
	}
}

func newBundler(orig any, d dialect, dir Direction) *builder {
	b := newBuilder(orig, d, dir)
	b.bundled, b.sparse, b.placed = true, nil, nil
	b.home, b.pending = map[string]int{}, map[string]any{}
	return b
}

// defsKeyword is where a bundle keeps its schemas.
func (b *builder) defsKeyword() string {
	if b.dialect == dialectOAS30 {
		return "definitions"
	}
	return "$defs"
}

// locate returns the library URL of the schema at document pointer p
// (placed, or inside a placed subtree).
func (b *builder) locate(p string) (string, bool) {
	q, ok := b.placedPrefix(p)
	if !ok {
		return "", false
	}
	return b.bundles[b.home[q]] + fragment("/"+b.defsKeyword()+"/"+jsonptr.EscapeToken(q)+p[len(q):]), true
}

// flush makes the pending subtrees a new bundle resource: it returns the
// resource's URL and document, or ok false when nothing is pending.
func (b *builder) flush() (string, map[string]any, bool) {
	if len(b.pending) == 0 {
		return "", nil, false
	}
	u := bundleBase + strconv.Itoa(len(b.bundles))
	b.bundles = append(b.bundles, u)
	for _, s := range b.sites {
		if loc, ok := b.locate(s.ptr); ok {
			s.m["$ref"] = loc
		}
	}
	doc := map[string]any{b.defsKeyword(): b.pending}
	b.pending, b.sites = map[string]any{}, nil
	return u, doc, true
}

// docPointer maps a library schema location (URL with a JSON-pointer
// fragment) to the pointer it stands for in the translated view of the
// caller's document: the view that alias and forbidden are keyed by. ok is
// false for locations in other resources (a "$id" inside a schema).
func (b *builder) docPointer(loc string) (string, bool) {
	base, frag, found := strings.Cut(loc, "#")
	if !found {
		return "", false
	}
	p, err := url.PathUnescape(frag)
	if err != nil {
		return "", false
	}
	if !b.bundled {
		return p, base == docURL
	}
	if !strings.HasPrefix(base, bundleBase) {
		return "", false
	}
	prefix := "/" + b.defsKeyword() + "/"
	rest, ok := strings.CutPrefix(p, prefix)
	if !ok {
		return "", false
	}
	tok, after, _ := strings.Cut(rest, "/")
	q, ok := unescapeToken(tok)
	if !ok {
		return "", false
	}
	if after != "" {
		q += "/" + after
	}
	return q, true
}

// discard forgets the pending subtrees of an include that failed.
func (b *builder) discard() {
	for p := range b.pending {
		delete(b.home, p)
	}
	b.pending, b.sites = map[string]any{}, nil
}
