package arazzo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/oas"
)

// Arazzo 1.1 loading: AsyncAPI source descriptions (type: asyncapi, or
// sniffed by their asyncapi root field, E6) and identity-based references
// ($self, E4). load.go calls in here at two points of source(): known,
// once the url is resolved, and asyncAPI, once the bytes are read.

// loaderExt is the loader's Arazzo 1.1 state.
type loaderExt struct {
	// asyncapis holds the AsyncAPI descriptions read, by location.
	asyncapis map[string]*asyncapi.Document
	// selves maps the resolved $self of every document seen to it.
	selves map[string]*Document
	// registered marks the documents whose $self is in selves.
	registered map[*Document]bool
}

// known resolves a source without reading it: an Arazzo document whose
// resolved $self is the source's url (E4: identity before location, so a
// document supplied locally satisfies an absolute url without a fetch),
// or an AsyncAPI description read already. It also registers doc's own
// $self, reporting a duplicate.
func (l *loader) known(doc *Document, src *Source) bool {
	l.register(doc)
	sd := src.Description
	if src.Type == "" || src.Type == SourceArazzo {
		if id := identityOf(doc, sd.URL); id != "" {
			if d := l.ext.selves[id]; d != nil {
				src.Type, src.Arazzo = SourceArazzo, d
				if d.URL != "" {
					src.Location = d.URL
				}
				return true
			}
		}
	}
	if a := l.ext.asyncapis[src.Location]; a != nil && (src.Type == "" || src.Type == SourceAsyncAPI) {
		src.Type, src.AsyncAPI = SourceAsyncAPI, a
		return true
	}
	return false
}

// register records the resolved $self of doc; a $self another document
// has already is an error (E4).
func (l *loader) register(doc *Document) {
	if doc == nil || l.ext.registered[doc] {
		return
	}
	if l.ext.registered == nil {
		l.ext.registered = map[*Document]bool{}
		l.ext.selves = map[string]*Document{}
	}
	l.ext.registered[doc] = true
	if doc.Self == "" || !doc.Is11() {
		return
	}
	id := doc.BaseURI()
	if other := l.ext.selves[id]; other != nil && other != doc {
		l.diags.Errorf(doc.ValueRange("$self"), CodeDuplicateSelf,
			"$self %q is also the $self of %s: two documents of one description cannot have the same identity", doc.Self, other.File)
		return
	}
	l.ext.selves[id] = doc
}

// identityOf is the identity a source url names from document d: the url
// resolved against d's base URI when that is an absolute URI, else the url
// when it is absolute itself; "" when it names no identity (a relative
// reference from a document without an absolute base is a location).
func identityOf(d *Document, ref string) string {
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if u.IsAbs() {
		return u.String()
	}
	base, err := url.Parse(d.BaseURI())
	if err != nil || !base.IsAbs() {
		return ""
	}
	return base.ResolveReference(u).String()
}

// BaseURI is the document's base URI (Arazzo 1.1, E5): its $self when
// that is absolute; a relative $self resolved against the location the
// document was loaded from (URL); without $self, that location. It is the
// value of the runtime expression $self, and the identity other documents
// reference it by (E4). A document Load read from the file system was
// retrieved from a file: URI (file:///abs/path/flows.arazzo.yaml); one
// LoadFS or Parse read has no absolute location, and its URL, a path,
// stands in.
func (d *Document) BaseURI() string {
	if d == nil {
		return ""
	}
	loc := d.URL
	if d.retrieval != "" {
		loc = d.retrieval
	}
	if d.Self == "" {
		return loc
	}
	self, err := url.Parse(d.Self)
	if err != nil || self.IsAbs() {
		return d.Self
	}
	if base, err := url.Parse(loc); err == nil && base.IsAbs() {
		return base.ResolveReference(self).String()
	}
	if strings.HasPrefix(self.Path, "/") || d.URL == "" {
		return d.Self
	}
	return path.Join(path.Dir(d.URL), d.Self)
}

// asyncAPIRoot finds a top-level asyncapi key in YAML, or any "asyncapi"
// key in JSON (confirmed by decoding).
var asyncAPIRoot = regexp.MustCompile(`(?m)^["']?asyncapi["']?\s*:|"asyncapi"\s*:`)

// asyncAPI loads src from data when it is an AsyncAPI description: it is
// declared asyncapi, or has no type and its root has an asyncapi field
// (E6). done is false when the source is something else, for the caller
// to load.
func (l *loader) asyncAPI(ctx context.Context, doc *Document, src *Source, data []byte, loc string) (done bool, err error) {
	switch src.Type {
	case SourceAsyncAPI:
		if !doc.Is11() {
			return true, nil // an Arazzo 1.1 source type: Validate reports it (E1)
		}
	case "":
		if !looksAsyncAPI(data) {
			return false, nil
		}
		raw, err := oas.Decode(data)
		if err != nil || !asyncapi.Sniff(raw) {
			return false, nil
		}
		src.Type = SourceAsyncAPI
	default:
		return false, nil
	}
	if !looksAsyncAPI(data) {
		// Declared asyncapi, but another kind of description: Validate
		// reports the mismatch (source-type-mismatch).
		if raw, err := oas.Decode(data); err == nil {
			if kind := oas.Sniff(raw); kind != "" {
				if kind == "swagger" {
					kind = SourceOpenAPI
				}
				src.Type = kind
				return true, nil
			}
		}
		return true, fmt.Errorf("%s is not an AsyncAPI description (it has no asyncapi field)", loc)
	}
	display := l.display(doc, loc)
	read := func(ref string) ([]byte, error) {
		// ref is relative to the description's own folder; the loader's
		// rules apply (inside the root, allowed hosts, size caps).
		if strings.HasPrefix(loc, "override:") {
			return nil, errors.New("a description given as an override cannot read other files")
		}
		target, err := l.resolve(loc, ref)
		if err != nil {
			return nil, err
		}
		return l.read(ctx, target)
	}
	a, err := asyncapi.Load(data, display, asyncapi.WithReadFile(read), asyncapi.WithMaxDocumentBytes(l.maxBytes))
	if a != nil {
		l.diags = append(l.diags, a.Diagnostics...)
		src.AsyncAPI = a
		if l.ext.asyncapis == nil {
			l.ext.asyncapis = map[string]*asyncapi.Document{}
		}
		l.ext.asyncapis[loc] = a
		return true, nil
	}
	var ds diag.Diagnostics
	if errors.As(err, &ds) {
		l.diags = append(l.diags, ds...)
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("cannot load the AsyncAPI description %s: %v", loc, err)
	}
	return true, nil
}

// looksAsyncAPI reports whether data may be an AsyncAPI description.
func looksAsyncAPI(data []byte) bool {
	return asyncAPIRoot.Match(bytes.TrimPrefix(data, []byte("\ufeff")))
}
