package oas

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/yamlx"
)

// Limits of LoadFiles, with their defaults.
const (
	// DefaultMaxFiles bounds how many files other than the root one
	// description's $refs may read (WithMaxFiles).
	DefaultMaxFiles = 64
	// DefaultMaxBytes bounds the bytes of a description: its root and
	// every file its $refs read, together (WithMaxBytes).
	DefaultMaxBytes = 64 << 20
)

// Reader gives LoadFiles the documents that $refs name. The caller decides
// what may be read: a file tree, hosts allowed to be fetched, size and time
// limits. A Reader is used by one LoadFiles at a time.
type Reader interface {
	// Resolve resolves ref, the document part of a $ref (the text before
	// "#", never empty), against base, the location of the document
	// holding the $ref, and returns the location of the document it names.
	// Locations are compared as strings: one document must always resolve
	// to the same location. An error refuses the $ref.
	Resolve(base, ref string) (string, error)
	// Read returns the bytes of the document at loc, a location Resolve
	// returned. It is called once per location.
	Read(ctx context.Context, loc string) ([]byte, error)
}

// Option configures LoadFiles.
type Option func(*config)

type config struct {
	maxFiles int
	maxBytes int64
}

// WithMaxFiles sets how many files other than the root $refs may read
// (n < 0 keeps DefaultMaxFiles; 0 reads none).
func WithMaxFiles(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.maxFiles = n
		}
	}
}

// WithMaxBytes sets the byte limit of a description, its root and the files
// its $refs read together (n <= 0 keeps DefaultMaxBytes).
func WithMaxBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// Errors of the $refs LoadFiles cannot follow (RefError.Err wraps one of
// them, a *SyntaxError, or what the Reader returned).
var (
	// ErrTooManyFiles: the description's $refs read more files than
	// WithMaxFiles allows.
	ErrTooManyFiles = errors.New("the description's $refs read too many files")
	// ErrTooLarge: the description's files exceed WithMaxBytes together.
	ErrTooLarge = errors.New("the description's files are too large together")
	// ErrNoTarget: the file exists but nothing is at the $ref's fragment.
	ErrNoTarget = errors.New("nothing is at the fragment")
	// ErrBadRef: the $ref is not a URI reference with a JSON pointer
	// fragment.
	ErrBadRef = errors.New("not a URI reference with a JSON pointer fragment")
)

// RefError is a $ref to another document that LoadFiles could not follow.
// The $ref stays as written in Raw, and is listed by ExternalRefs.
type RefError struct {
	ExternalRef
	// Target is the location the $ref resolved to ("" when Resolve
	// refused it).
	Target string
	Err    error
}

func (e *RefError) Error() string {
	return fmt.Sprintf("%s: $ref %q: %v", e.Position(), e.Ref, e.Err)
}

func (e *RefError) Unwrap() error { return e.Err }

// SyntaxError is a file read for a $ref that is not valid YAML or JSON, or
// not an object, with the position of the problem in that file.
type SyntaxError struct {
	Pos Position
	Msg string
}

func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }

// LoadFiles is Load for a description split in several files: every $ref
// to another document (a relative path such as schemas/pet.yaml#/Pet, or a
// URL) is resolved against the file that holds it and read through r,
// once per document, cycles included. The documents read are embedded in
// Raw under the key "x-telaio-files", each under its path relative to the
// root's folder (a URL for a remote one), and every $ref to them is
// rewritten into a local "#/x-telaio-files/..." pointer, so that Raw is one
// self-contained document: the index, package schema and LibOpenAPI see
// no external reference. Locate maps pointers back to the files, with
// lines and columns; Files lists them.
//
// Only the parts of a file that a $ref reaches are searched for further
// $refs. A $ref LoadFiles cannot follow (refused by r, unreadable, not
// YAML, nothing at its fragment, over a limit) is reported by RefErrors
// and stays as written; the error is for the root document only (not
// decodable, not OpenAPI 3.x).
func LoadFiles(ctx context.Context, src []byte, url string, r Reader, opts ...Option) (*Document, error) {
	cfg := config{maxFiles: DefaultMaxFiles, maxBytes: DefaultMaxBytes}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if int64(len(src)) > cfg.maxBytes {
		return nil, &Error{URL: url, Msg: fmt.Sprintf("the description is larger than %d bytes", cfg.maxBytes)}
	}
	node, raw, err := decode(src)
	if err != nil {
		return nil, &Error{URL: url, Msg: err.Error()}
	}
	if err := checkVersion(raw, url); err != nil {
		return nil, err
	}
	root := newSrcFile(url, "", src, node, raw)
	b := &bundler{ctx: ctx, r: r, cfg: cfg, root: root, byLoc: map[string]*srcFile{}, failed: map[string]error{},
		visited: map[uintptr]bool{}, total: int64(len(src))}
	b.run()
	files := []*srcFile{root}
	files = append(files, b.order...)
	d, err := build(raw, url, files, nil, b.unresolved)
	if err != nil {
		return nil, err
	}
	d.Src = src
	d.refErrs = b.errs
	return d, nil
}

// RefErrors lists the $refs to other documents LoadFiles could not follow,
// in the order they were met.
func (d *Document) RefErrors() []*RefError { return d.refErrs }

// bundler is the state of one LoadFiles.
type bundler struct {
	ctx    context.Context
	r      Reader
	cfg    config
	root   *srcFile
	byLoc  map[string]*srcFile
	order  []*srcFile // the files read, in order
	failed map[string]error
	// visited holds the objects of embedded files already searched (each
	// is searched once, so a rewritten $ref is never rewritten again).
	visited map[uintptr]bool
	queue   []task
	total   int64

	errs       []*RefError
	unresolved []ExternalRef
}

// task is a value of an embedded file to search for $refs: a $ref
// reached it.
type task struct {
	f    *srcFile
	v    any
	toks []string
}

// site is a reference met by a walk: holder[key] is its text (key is
// "$ref", or a discriminator mapping value's name).
type site struct {
	holder map[string]any
	key    string
	toks   []string // the pointer of holder inside its file
	pos    Position
}

func (s site) ref() string { v, _ := s.holder[s.key].(string); return v }

func (b *bundler) run() {
	// The root: searched whole, as Load does.
	sites, ids := b.walk(b.root, b.root.raw, nil, inObject)
	b.follow(b.root, sites, ids)
	for len(b.queue) > 0 {
		t := b.queue[0]
		b.queue = b.queue[1:]
		sites, ids := b.walk(t.f, t.v, t.toks, inObject)
		b.follow(t.f, sites, ids)
	}
	if len(b.order) == 0 {
		return
	}
	embedded := make(map[string]any, len(b.order))
	for _, f := range b.order {
		embedded[f.key] = f.raw
	}
	// The key is Telaio's: a value the author put there is replaced.
	b.root.raw.(map[string]any)[filesKey] = embedded
}

// walk finds the references under v (at toks in f): the $refs to other
// documents, and, in an embedded file, its local $refs, which are rewritten
// at once and their targets queued. Discriminator mappings count.
func (b *bundler) walk(f *srcFile, v any, toks []string, ctx walkCtx) ([]site, map[string]bool) {
	w := &refWalker{ids: map[string]bool{}, toks: append([]string(nil), toks...), mappings: true}
	if f != b.root {
		w.visited = b.visited
	}
	var sites []site
	w.onRef = func(holder map[string]any, key string, toks []string) {
		ref, _ := holder[key].(string)
		if ref == "" {
			return
		}
		if ref[0] == '#' {
			if f != b.root {
				b.local(f, holder, key, toks, ref)
			}
			return
		}
		if key != "$ref" && !looksLikeRef(ref) {
			return // a mapping value that is a schema name
		}
		sites = append(sites, site{holder: holder, key: key, toks: append([]string(nil), toks...)})
	}
	w.walk(v, ctx)
	return sites, w.ids
}

// local rewrites a same-file $ref of an embedded file and queues its
// target.
func (b *bundler) local(f *srcFile, holder map[string]any, key string, toks []string, ref string) {
	frag, err := jsonptr.ParseFragment(ref)
	if err != nil {
		return // an anchor: left as it is
	}
	holder[key] = fragment(bundledPtr(f.key, frag))
	if target, ok := lookupIn(f.raw, frag); ok {
		b.queue = append(b.queue, task{f: f, v: target, toks: frag})
	}
}

// follow resolves, reads and rewrites the external references of one walk,
// in the order they are written.
func (b *bundler) follow(f *srcFile, sites []site, ids map[string]bool) {
	for i := range sites {
		key := sites[i].key
		toks := sites[i].toks
		if key != "$ref" {
			toks = append(toks[:len(toks):len(toks)], key)
		} else {
			toks = append(toks[:len(toks):len(toks)], "$ref")
		}
		sites[i].pos = f.locate(toks)
	}
	sort.SliceStable(sites, func(i, j int) bool {
		a, c := sites[i].pos, sites[j].pos
		if a.Line != c.Line {
			return a.Line < c.Line
		}
		return a.Column < c.Column
	})
	for _, s := range sites {
		ref := s.ref()
		doc, frag, _ := strings.Cut(ref, "#")
		if doc == "" || ids[doc] {
			continue // names a resource embedded by its $id
		}
		b.external(f, s, ref, doc, frag)
	}
}

// external follows one reference to another document.
func (b *bundler) external(f *srcFile, s site, ref, doc, frag string) {
	ptr := rawPointer(f, s.toks)
	fail := func(target string, err error) {
		er := ExternalRef{Pointer: ptr, Ref: ref, File: s.pos.File, Line: s.pos.Line, Column: s.pos.Column}
		b.errs = append(b.errs, &RefError{ExternalRef: er, Target: target, Err: err})
		if s.key == "$ref" {
			b.unresolved = append(b.unresolved, er)
		}
	}
	toks, err := jsonptr.ParseFragment("#" + frag)
	if err != nil {
		fail("", fmt.Errorf("%w: %v", ErrBadRef, err))
		return
	}
	loc, err := b.r.Resolve(f.Location, doc)
	if err != nil {
		fail("", err)
		return
	}
	if loc == b.root.Location {
		if _, ok := lookupIn(b.root.raw, toks); !ok {
			fail(loc, fmt.Errorf("%w %s of %s", ErrNoTarget, fragment(jsonptr.Pointer(toks).String()), loc))
			return
		}
		s.holder[s.key] = fragment(jsonptr.Pointer(toks).String())
		return
	}
	if err, bad := b.failed[loc]; bad {
		fail(loc, err)
		return
	}
	tf := b.byLoc[loc]
	if tf == nil {
		if tf, err = b.read(loc); err != nil {
			b.failed[loc] = err
			fail(loc, err)
			return
		}
	}
	target, ok := lookupIn(tf.raw, toks)
	if !ok {
		fail(loc, fmt.Errorf("%w %s of %s", ErrNoTarget, fragment(jsonptr.Pointer(toks).String()), loc))
		return
	}
	s.holder[s.key] = fragment(bundledPtr(tf.key, toks))
	b.queue = append(b.queue, task{f: tf, v: target, toks: toks})
}

// read reads and decodes the document at loc within the limits.
func (b *bundler) read(loc string) (*srcFile, error) {
	if len(b.order) >= b.cfg.maxFiles {
		return nil, fmt.Errorf("%w (more than %d; WithMaxFiles)", ErrTooManyFiles, b.cfg.maxFiles)
	}
	if err := b.ctx.Err(); err != nil {
		return nil, err
	}
	src, err := b.r.Read(b.ctx, loc)
	if err != nil {
		return nil, err
	}
	b.total += int64(len(src))
	if b.total > b.cfg.maxBytes {
		return nil, fmt.Errorf("%w (more than %d bytes; WithMaxBytes)", ErrTooLarge, b.cfg.maxBytes)
	}
	node, raw, err := decode(src)
	if err != nil {
		return nil, syntaxError(loc, err)
	}
	if raw == nil {
		return nil, &SyntaxError{Pos: Position{File: loc, Line: 1, Column: 1}, Msg: "the document is empty"}
	}
	f := newSrcFile(loc, fileKey(b.root.Location, loc), src, node, raw)
	b.byLoc[loc] = f
	b.order = append(b.order, f)
	return f, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// syntaxError locates a decoding error in the file at loc.
func syntaxError(loc string, err error) *SyntaxError {
	var ye *yamlx.Error
	if errors.As(err, &ye) {
		return &SyntaxError{Pos: Position{File: loc, Line: ye.Line, Column: ye.Column}, Msg: ye.Msg}
	}
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
		msg = m[2]
	}
	return &SyntaxError{Pos: Position{File: loc, Line: line, Column: 1}, Msg: "invalid YAML: " + msg}
}

// rawPointer is the pointer into Document.Raw of toks inside f.
func rawPointer(f *srcFile, toks []string) string {
	if f.key == "" {
		return jsonptr.Pointer(toks).String()
	}
	return bundledPtr(f.key, toks)
}

// lookupIn finds the value at toks in v.
func lookupIn(v any, toks []string) (any, bool) { return jsonptr.Pointer(toks).Get(v) }

// fragment turns a pointer into the fragment of a $ref: "%" is encoded, as
// the readers of $refs decode percent-escapes.
func fragment(ptr string) string {
	return "#" + strings.ReplaceAll(ptr, "%", "%25")
}

// looksLikeRef reports whether a discriminator mapping value is a
// reference rather than a schema name.
func looksLikeRef(v string) bool {
	if strings.ContainsAny(v, "#/") {
		return true
	}
	l := strings.ToLower(v)
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}
