package arazzo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/telaio/telaio/oas"
)

// The plan cache. Parsing a large OpenAPI description dominates the start of
// a short run (the 1.4 MB Stytch description takes most of a cold telaio
// run), while a workflow needs a small part of it. With WithCache, the
// loader keeps, per description and per set of operations a document calls,
// the subset of the description those operations need (oas.Subset), in a
// file named by the SHA-256 of the description's bytes and of that set. A
// description split in files keeps, in its entry, the SHA-256 of every
// other file its $refs read: the entry is used only when each of them
// still has its digest (they are read and hashed on every Load, which is
// cheap next to parsing). A later Load of the same bytes for the same
// operations reads the subset instead of parsing the whole description;
// any other bytes (of any file) or operations miss. An entry is written
// only when every operation the document names resolves and every $ref of
// the description was followed, so a subset never hides a diagnostic. A
// missing, unreadable or corrupt entry is rebuilt; writing is best effort
// (atomic rename, failures ignored).

// cacheVersion is part of every key: a change to what the loader or
// package oas derive from a description must change it.
const cacheVersion = "telaio-plan-2"

// WithCache keeps subsets of OpenAPI descriptions in dir (created when
// missing) and reuses them when the same description is loaded for the
// same operations again. An empty dir turns the cache off (the default).
func WithCache(dir string) LoadOption { return func(l *loader) { l.cacheDir = dir } }

// opRefs are the operations a document names in one source description:
// operationIds and operationPath pointers.
type opRefs struct {
	ids, ptrs []string
}

// refsFor lists the operations doc's steps name in the source description
// called name (unqualified operationIds count for every source).
func refsFor(doc *Document, name string) opRefs {
	var r opRefs
	for _, w := range doc.Workflows {
		for _, s := range w.Steps {
			switch {
			case s.OperationID != "":
				if source, id, err := splitOperationID(s.OperationID); err == nil && (source == "" || source == name) {
					r.ids = append(r.ids, id)
				}
			case s.OperationPath != "":
				if source, ptr, err := splitOperationPath(s.OperationPath); err == nil && source == name {
					r.ptrs = append(r.ptrs, ptr)
				}
			}
		}
	}
	slices.Sort(r.ids)
	r.ids = slices.Compact(r.ids)
	slices.Sort(r.ptrs)
	r.ptrs = slices.Compact(r.ptrs)
	return r
}

// ops finds the operations of d the references name; ok is false when one
// does not resolve.
func (r opRefs) ops(d *oas.Document) (out []*oas.Operation, ok bool) {
	for _, id := range r.ids {
		n := len(out)
		for _, op := range d.Operations() {
			if op.ID == id {
				out = append(out, op)
			}
		}
		if len(out) == n {
			return nil, false
		}
	}
	for _, ptr := range r.ptrs {
		if op, err := d.OperationByPointer(ptr); err == nil {
			out = append(out, op)
			continue
		}
		items := d.PathItemOperations(ptr)
		if len(items) == 0 {
			return nil, false
		}
		out = append(out, items...)
	}
	return out, true
}

// covers reports whether d knows every operation of r (always true for a
// whole description).
func (r opRefs) covers(d *oas.Document) bool {
	if !d.Partial() {
		return true
	}
	_, ok := r.ops(d)
	return ok
}

func (l *loader) cacheFile(data []byte, r opRefs) string {
	h := cacheHash()
	h.Write(data)
	return l.cacheName(h, r)
}

// cacheHash starts the key of an entry; the description's bytes follow.
func cacheHash() hash.Hash {
	h := sha256.New()
	h.Write([]byte(cacheVersion))
	h.Write([]byte{0})
	return h
}

// cacheName finishes the key h with the operations and names the entry.
func (l *loader) cacheName(h hash.Hash, r opRefs) string {
	for _, id := range r.ids {
		h.Write([]byte{0, 'i'})
		h.Write([]byte(id))
	}
	for _, p := range r.ptrs {
		h.Write([]byte{0, 'p'})
		h.Write([]byte(p))
	}
	return filepath.Join(l.cacheDir, hex.EncodeToString(h.Sum(nil))+".json")
}

// cachedFile is cached for a local file source, without reading the
// description into memory: its bytes are hashed as they stream through a
// small buffer (the 1.4 MB Stytch description would otherwise cost a
// fresh 1.4 MB buffer on every run). They are read again only if
// something needs the whole text (oas.Document.Source, for a mock), and
// refused then if they changed since. On a miss it returns the entry it
// looked for (cached need not look again), on any error nothing: the caller
// then reads the file as usual and reports what is wrong.
func (l *loader) cachedFile(ctx context.Context, doc *Document, sd *SourceDescription, loc string, r opRefs) (*oas.Document, string) {
	if l.cacheDir == "" || len(r.ids)+len(r.ptrs) == 0 || isURL(loc) {
		return nil, ""
	}
	f, _, err := l.open(loc)
	if err != nil {
		return nil, ""
	}
	h := cacheHash()
	n, err := io.Copy(h, io.LimitReader(f, l.maxBytes+1))
	f.Close()
	if err != nil || n > l.maxBytes {
		return nil, ""
	}
	file := l.cacheName(h, r)
	entry, err := os.ReadFile(file)
	if err != nil {
		return nil, file
	}
	d := l.fromEntry(ctx, doc, sd, entry, nil, loc, r, file)
	if d == nil {
		return nil, file
	}
	return d, ""
}

// cached returns the cached subset of the description data for r, or nil,
// and the name of its entry ("" when the cache is off for r). An entry
// named missed is known to be absent.
func (l *loader) cached(ctx context.Context, doc *Document, sd *SourceDescription, data []byte, loc string, r opRefs, missed string) (*oas.Document, string) {
	if l.cacheDir == "" || len(r.ids)+len(r.ptrs) == 0 {
		return nil, ""
	}
	file := l.cacheFile(data, r)
	if file == missed {
		return nil, file
	}
	entry, err := os.ReadFile(file)
	if err != nil {
		return nil, file
	}
	return l.fromEntry(ctx, doc, sd, entry, data, loc, r, file), file
}

// fromEntry builds the Document of a plan-cache entry, the subset of the
// description at loc (whose bytes are data, or nil when they were only
// hashed) for r, or nil when the entry is unusable: corrupt, not covering
// r, or cut from a description one of whose other files changed.
func (l *loader) fromEntry(ctx context.Context, doc *Document, sd *SourceDescription, entry, data []byte, loc string, r opRefs, file string) *oas.Document {
	var manifest []oas.File // the files of a description in several files
	again := &loader{fsys: l.fsys, osRoot: l.osRoot, maxBytes: l.maxBytes, cacheDir: l.cacheDir, hosts: l.hosts,
		client: l.client, timeout: l.timeout, maxSources: l.maxSources, overrides: l.overrides}
	// read returns the whole description (oas.Document.Source) when
	// something needs it: the root file read again (refused if it
	// changed), and for a description in several files the bundle, read
	// again from every file.
	read := func() ([]byte, error) {
		if again.osRoot != "" {
			// Load closed its root when it returned.
			root, err := os.OpenRoot(again.osRoot)
			if err != nil {
				return nil, fmt.Errorf("cannot read %s: %v", loc, err)
			}
			defer root.Close()
			again.fsys = root.FS()
		}
		src := data
		if src == nil {
			var err error
			if src, err = again.read(context.Background(), loc); err != nil {
				return nil, err
			}
			if again.cacheFile(src, r) != file {
				return nil, fmt.Errorf("%s changed after it was loaded", loc)
			}
		}
		if len(manifest) == 0 {
			return src, nil
		}
		again.nread, again.refFiles = 0, nil
		whole, err := oas.LoadFiles(context.Background(), src, loc, again.refReader(doc, sd), oas.WithMaxFiles(again.maxSources), oas.WithMaxBytes(again.maxBytes))
		if err != nil {
			return nil, err
		}
		if !slices.Equal(whole.Files(), manifest) || len(whole.RefErrors()) > 0 {
			return nil, fmt.Errorf("a file of %s changed after it was loaded", loc)
		}
		return whole.Source()
	}
	d, err := oas.LoadSubsetFunc(entry, read, loc)
	if err != nil || !r.covers(d) {
		return nil
	}
	if d.Bundled() {
		manifest = d.Files()
		if !l.filesUnchanged(ctx, doc, sd, manifest) {
			return nil
		}
	}
	return d
}

// filesUnchanged reads the files other than the root of a description in
// several files and reports whether each still has its digest.
func (l *loader) filesUnchanged(ctx context.Context, doc *Document, sd *SourceDescription, files []oas.File) bool {
	rr := l.refReader(doc, sd)
	for _, f := range files[1:] {
		data, err := rr.Read(ctx, f.Location)
		if err != nil || sha256.Sum256(data) != f.SHA256 {
			return false
		}
	}
	return true
}

// remember writes the subset of the whole description d that r needs as
// the entry file (see cached).
func (l *loader) remember(d *oas.Document, r opRefs, file string) {
	if file == "" || len(d.ExternalRefs()) > 0 || len(d.RefErrors()) > 0 {
		return
	}
	ops, ok := r.ops(d)
	if !ok {
		return
	}
	entry, err := d.Subset(ops)
	if err != nil {
		return
	}
	if err := os.MkdirAll(l.cacheDir, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(l.cacheDir, ".entry-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(entry)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
	}
}
