package arazzo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/oas"
)

// Source is a loaded source description.
type Source struct {
	Description *SourceDescription
	// Type is "openapi", "asyncapi" (Arazzo 1.1) or "arazzo": the declared
	// type, else sniffed (D31, E6).
	Type string
	// Location is where the source was read from (a path in the file system
	// the document was loaded from, or an http(s) URL).
	Location string
	OpenAPI  *oas.Document
	Arazzo   *Document
	// AsyncAPI is the loaded AsyncAPI description of an asyncapi source
	// (Arazzo 1.1; see load_asyncapi.go).
	AsyncAPI *asyncapi.Document
}

// Default limits of Load.
const (
	DefaultMaxSourceBytes = 32 << 20
	DefaultFetchTimeout   = 30 * time.Second
	// DefaultMaxSources caps the source descriptions one Load reads.
	DefaultMaxSources = 64
	// MaxRedirects caps the redirects followed by one fetch.
	MaxRedirects = 10
)

// LoadOption configures Load and LoadFS.
type LoadOption func(*loader)

// WithAllowedHosts lets Load fetch http(s) source descriptions from these
// hosts (host or host:port; "*" allows any host). By default no network
// fetch is made.
func WithAllowedHosts(hosts ...string) LoadOption {
	return func(l *loader) { l.hosts = append(l.hosts, hosts...) }
}

// WithHTTPClient sets the client used for http(s) sources (its Transport,
// Jar and Timeout apply). The client is not modified: Load uses a copy whose
// redirect policy also refuses a redirect to a host not allowed, from https
// to http, or beyond MaxRedirects, then applies the client's own
// CheckRedirect.
func WithHTTPClient(c *http.Client) LoadOption { return func(l *loader) { l.client = c } }

// WithMaxSourceBytes caps the size of each document read (declared by
// Content-Length or actually read, after any decompression), and of the
// files of one OpenAPI description together (its root and the files its
// $refs read).
func WithMaxSourceBytes(n int64) LoadOption { return func(l *loader) { l.maxBytes = n } }

// WithFetchTimeout caps the time of each http(s) fetch, body included
// (DefaultFetchTimeout when d <= 0).
func WithFetchTimeout(d time.Duration) LoadOption { return func(l *loader) { l.timeout = d } }

// WithMaxSources caps the number of documents one Load reads, files and
// fetches together: source descriptions, nested documents included, and
// the files the $refs of OpenAPI descriptions read (DefaultMaxSources when
// n <= 0). A document read twice counts once.
func WithMaxSources(n int) LoadOption { return func(l *loader) { l.maxSources = n } }

// WithRoot sets the directory tree file sources must stay inside (Load
// only). By default it is the nearest enclosing version-control root of the
// document (the nearest folder, from the document's own up, holding .git,
// .hg or .svn), else the document's own folder; so `url:
// ../openapi/api.yml` works in a checkout whatever the working directory,
// while a document outside any checkout reaches only its own folder (the
// error then names the --root that would allow the source). Symbolic links
// are followed only when their target lies inside the root too.
func WithRoot(dir string) LoadOption { return func(l *loader) { l.root = dir } }

// WithSourceOverride makes the source description named name read the given
// bytes instead of its url (useful to test a document against another copy
// of an API description). The override is looked up before the url is
// resolved, so any url works, one outside the root included.
func WithSourceOverride(name string, src []byte) LoadOption {
	return func(l *loader) {
		if l.overrides == nil {
			l.overrides = map[string][]byte{}
		}
		l.overrides[name] = src
	}
}

type loader struct {
	fsys       fs.FS
	root       string
	hosts      []string
	client     *http.Client
	maxBytes   int64
	timeout    time.Duration
	maxSources int
	overrides  map[string][]byte
	cacheDir   string

	entryFile string // Load: the document's absolute path
	osRoot    string // Load: the root's absolute path
	docs      map[string]*Document
	openapis  map[string]*oas.Document
	diags     diag.Diagnostics
	reported  map[*oas.Document]bool // external refs reported
	nread     int                    // sources read so far
	capped    bool                   // too-many-sources was reported
	// refFiles are the files read for $refs of OpenAPI descriptions, by
	// location: read once per Load, however many descriptions name them.
	refFiles map[string][]byte
	ext      loaderExt // Arazzo 1.1 (load_asyncapi.go)
}

// Load reads the Arazzo document at path from the operating system's file
// system, then loads its source descriptions (see LoadFS).
func Load(ctx context.Context, file string, opts ...LoadOption) (*Document, diag.Diagnostics) {
	l := newLoader(opts)
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, ioDiag(file, err)
	}
	root := l.root
	if root == "" {
		root = DefaultRoot(abs)
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, ioDiag(file, err)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || outside(rel) {
		return nil, ioDiag(file, fmt.Errorf("document is outside the root %s", root))
	}
	// os.Root keeps every file source inside root, symbolic links included.
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, ioDiag(file, err)
	}
	defer r.Close()
	l.fsys, l.osRoot = r.FS(), root
	// The document itself is read by the path the caller gave.
	l.entryFile = abs
	return l.load(ctx, filepath.ToSlash(rel), file)
}

// LoadFS reads the Arazzo document at name in fsys and loads its source
// descriptions: OpenAPI 3.0/3.1/3.2 descriptions are indexed (each parsed
// once, however many documents name it; a description split in files is
// bundled into one, its $refs followed under the same rules as source urls,
// see oas.LoadFiles) and arazzo sources are loaded recursively (cycles are
// fine). Relative urls resolve against the referring document and
// must stay inside fsys (symbolic links are fsys's business: os.DirFS
// follows them anywhere, the FS method of os.Root does not); http(s) urls are
// fetched only from hosts allowed with WithAllowedHosts. The diagnostics hold
// parse errors and every source that could not be loaded (see the package
// documentation, Safety).
func LoadFS(ctx context.Context, fsys fs.FS, name string, opts ...LoadOption) (*Document, diag.Diagnostics) {
	if fsys == nil {
		return nil, ioDiag(name, errors.New("LoadFS: nil file system"))
	}
	l := newLoader(opts)
	l.fsys = fsys
	return l.load(ctx, path.Clean(name), name)
}

// vcsMarkers are the entries that make a folder a version-control root.
var vcsMarkers = []string{".git", ".hg", ".svn"}

// DefaultRoot is the root Load uses for the document at path when WithRoot
// is not given: the nearest folder, from the document's own up, holding
// .git, .hg or .svn, else the document's own folder.
func DefaultRoot(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Dir(path)
	}
	dir := filepath.Dir(abs)
	for d := dir; ; {
		for _, m := range vcsMarkers {
			if _, err := os.Lstat(filepath.Join(d, m)); err == nil {
				return d
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

func newLoader(opts []LoadOption) *loader {
	l := &loader{maxBytes: DefaultMaxSourceBytes, docs: map[string]*Document{}, openapis: map[string]*oas.Document{}}
	for _, o := range opts {
		if o != nil {
			o(l)
		}
	}
	if l.timeout <= 0 {
		l.timeout = DefaultFetchTimeout
	}
	if l.maxSources <= 0 {
		l.maxSources = DefaultMaxSources
	}
	l.client = l.guard(l.client)
	return l
}

// guard returns a copy of c (or of a default client) whose redirect policy
// enforces the loader's rules before c's own.
func (l *loader) guard(c *http.Client) *http.Client {
	g := &http.Client{}
	if c != nil {
		*g = *c
	}
	next := g.CheckRedirect
	g.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		to := req.URL
		switch {
		case len(via) >= MaxRedirects:
			return &loadError{code: CodeRedirectRefused, msg: fmt.Sprintf("stopped after %d redirects", len(via))}
		case to.Scheme != "http" && to.Scheme != "https":
			return &loadError{code: CodeRedirectRefused, msg: fmt.Sprintf("refused a redirect to %s: only http(s) urls are fetched", to.Redacted())}
		case to.Scheme == "http" && viaHTTPS(via):
			return &loadError{code: CodeRedirectRefused, msg: fmt.Sprintf("refused a redirect from https to http (%s)", to.Redacted())}
		case !l.allowed(to.Host):
			return &loadError{code: CodeRedirectRefused, msg: fmt.Sprintf("refused a redirect to host %q, which is not allowed (allow it with --allow-host %s, or WithAllowedHosts)", to.Host, to.Host)}
		case next != nil:
			return next(req, via)
		}
		return nil
	}
	return g
}

func viaHTTPS(via []*http.Request) bool {
	for _, v := range via {
		if v.URL.Scheme == "https" {
			return true
		}
	}
	return false
}

func ioDiag(file string, err error) diag.Diagnostics {
	code := CodeUnreadable
	var le *loadError
	if errors.As(err, &le) {
		code = le.code
	}
	var ds diag.Diagnostics
	ds.Errorf(diag.Range{File: file}, code, "%v", err)
	return ds
}

func (l *loader) load(ctx context.Context, name, display string) (*Document, diag.Diagnostics) {
	var src []byte
	var err error
	if l.entryFile != "" {
		src, err = readFile(l.entryFile, l.maxBytes, display)
	} else {
		src, err = l.read(ctx, name)
	}
	if err != nil {
		return nil, ioDiag(display, err)
	}
	doc, ds := Parse(src, display, WithMaxDocumentBytes(l.maxBytes))
	l.diags = append(l.diags, ds...)
	if doc == nil {
		return nil, l.diags
	}
	doc.URL = name
	doc.retrieval = l.retrievalURI(name)
	l.docs[name] = doc
	l.sources(ctx, doc)
	return doc, l.diags
}

// sources loads the source descriptions of doc: those at an absolute
// http(s) url last, so that a document another source supplies is known
// by its $self before such a url is resolved (E4; checklist-1.1 2.2:
// every supplied document is parsed before a reference is resolved), and
// is not fetched.
func (l *loader) sources(ctx context.Context, doc *Document) {
	doc.Sources = map[string]*Source{}
	ordered := make([]*SourceDescription, 0, len(doc.SourceDescriptions))
	var remote []*SourceDescription
	for _, sd := range doc.SourceDescriptions {
		if u, err := url.Parse(sd.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			remote = append(remote, sd)
			continue
		}
		ordered = append(ordered, sd)
	}
	for _, sd := range append(ordered, remote...) {
		if sd.Name == "" || sd.URL == "" {
			continue
		}
		if _, dup := doc.Sources[sd.Name]; dup {
			continue // reported by Validate
		}
		src := &Source{Description: sd, Type: sd.Type}
		doc.Sources[sd.Name] = src
		if sd.Type != "" && sd.Type != SourceOpenAPI && sd.Type != SourceArazzo && sd.Type != SourceAsyncAPI {
			continue // reported by Validate
		}
		err := l.source(ctx, doc, src)
		var le *loadError
		switch {
		case err == nil:
			if src.OpenAPI != nil {
				l.refProblems(doc, src)
			}
		case !errors.As(err, &le):
			l.diags.Errorf(sd.ValueRange("url"), CodeSourceUnavailable, "source description %q: %v", sd.Name, err)
		case le.code == CodeSourceNotLoaded:
			l.diags.Warnf(sd.ValueRange("url"), le.code, "source description %q was not loaded: %v; checks that need it are skipped", sd.Name, le)
		case le.code == CodeTooManySources && l.capped:
			// Reported once per Load.
		default:
			l.capped = l.capped || le.code == CodeTooManySources
			l.diags.Errorf(sd.ValueRange("url"), le.code, "source description %q: %v", sd.Name, le)
		}
	}
}

// refProblems reports the $refs of an OpenAPI source that could not be
// followed (oas.RefError), each where it is written, in the file that
// holds it; $refs to the same document that fail alike are reported once,
// at the first. A remote document from a host not allowed is a warning
// (what it describes is not checked); any other failure is an error.
func (l *loader) refProblems(doc *Document, src *Source) {
	o := src.OpenAPI
	if l.reported[o] {
		return
	}
	if l.reported == nil {
		l.reported = map[*oas.Document]bool{}
	}
	l.reported[o] = true
	type group struct {
		first *oas.RefError
		n     int
	}
	var groups []*group
	index := map[string]*group{}
	for _, e := range o.RefErrors() {
		k := e.Target + "\x00" + e.Err.Error()
		if e.Target == "" {
			k = "\x00" + e.Ref + "\x00" + e.Err.Error()
		}
		if g, ok := index[k]; ok {
			g.n++
			continue
		}
		g := &group{first: e, n: 1}
		index[k] = g
		groups = append(groups, g)
	}
	name := src.Description.Name
	for _, g := range groups {
		e := g.first
		at := l.refRange(doc, src, e.Position())
		where := at.String()
		if at.Start.Line == 0 {
			where = at.File + "#" + e.Pointer
		}
		more := ""
		switch {
		case g.n == 2:
			more = " (and 1 more $ref to the same document)"
		case g.n > 2:
			more = fmt.Sprintf(" (and %d more $refs to the same document)", g.n-1)
		}
		var le *loadError
		var se *oas.SyntaxError
		switch {
		case errors.As(e.Err, &le) && le.code == CodeSourceNotLoaded:
			l.diags.Warnf(at, CodeExternalRef, "source description %q: $ref %q%s was not fetched: %v; what it describes is not checked", name, e.Ref, more, le)
		case errors.As(e.Err, &se):
			l.diags.Errorf(l.refRange(doc, src, se.Pos), CodeExternalRef, "source description %q: %s, read for the $ref %q at %s%s", name, se.Msg, e.Ref, where, more)
		case errors.As(e.Err, &le):
			l.diags.Errorf(at, le.code, "source description %q: $ref %q%s: %v", name, e.Ref, more, le)
		case errors.Is(e.Err, oas.ErrTooLarge):
			l.diags.Errorf(at, CodeDocumentTooLarge, "source description %q: $ref %q%s: the description's files exceed %d bytes together (WithMaxSourceBytes)", name, e.Ref, more, l.maxBytes)
		default:
			l.diags.Errorf(at, CodeExternalRef, "source description %q: $ref %q%s cannot be followed: %v", name, e.Ref, more, e.Err)
		}
	}
}

// refRange turns a position in a file of an OpenAPI source into a range
// whose file is displayed as the source's url is (relative to the entry
// document); a position in an overridden source's bytes falls back to the
// source description's url.
func (l *loader) refRange(doc *Document, src *Source, p oas.Position) diag.Range {
	switch {
	case strings.HasPrefix(p.File, "override:"):
		return src.Description.ValueRange("url")
	case isURL(p.File):
		return diag.Range{File: p.File, Start: diag.Pos{Line: p.Line, Column: p.Column}}
	}
	return diag.Range{File: l.display(doc, p.File), Start: diag.Pos{Line: p.Line, Column: p.Column}}
}

// refReader reads the documents the $refs of an OpenAPI source name: a
// relative $ref resolves against the file holding it and must stay inside
// the root; a URL is fetched only from an allowed host; every document
// counts against WithMaxSources, and is read once per Load.
type refReader struct {
	l *loader
	// base is where the relative $refs of an overridden source resolve:
	// the location its url names ("" when it names none).
	base string
}

var _ oas.Reader = (*refReader)(nil)

func (l *loader) refReader(doc *Document, sd *SourceDescription) *refReader {
	r := &refReader{l: l}
	if _, ok := l.overrides[sd.Name]; ok {
		r.base, _ = l.resolve(doc.URL, sd.URL)
	}
	return r
}

func (r *refReader) Resolve(base, ref string) (string, error) {
	if strings.HasPrefix(base, "override:") {
		if r.base == "" {
			return "", fmt.Errorf("the source is overridden, and its url names no location for %q to resolve against", ref)
		}
		base = r.base
	}
	return r.l.resolve(base, ref)
}

func (r *refReader) Read(ctx context.Context, loc string) ([]byte, error) {
	l := r.l
	if data, ok := l.refFiles[loc]; ok {
		return data, nil
	}
	if isURL(loc) {
		if u, err := url.Parse(loc); err == nil && !l.allowed(u.Host) {
			return nil, notAllowed(u.Host)
		}
	}
	if l.nread >= l.maxSources {
		return nil, &loadError{code: CodeTooManySources, msg: fmt.Sprintf("not read: %d documents were read already, the limit (WithMaxSources)", l.nread)}
	}
	l.nread++
	data, err := l.read(ctx, loc)
	if err != nil {
		return nil, err
	}
	if l.refFiles == nil {
		l.refFiles = map[string][]byte{}
	}
	l.refFiles[loc] = data
	return data, nil
}

// loadOpenAPI indexes an OpenAPI description, reading the files its $refs
// name; raw, when not nil, is data already decoded (a sniffed source): a
// description in one file is then not decoded again.
func (l *loader) loadOpenAPI(ctx context.Context, doc *Document, sd *SourceDescription, data []byte, raw any, loc string) (*oas.Document, error) {
	if raw != nil {
		o, err := oas.FromValue(raw, loc)
		if err != nil {
			return nil, err
		}
		if len(o.ExternalRefs()) == 0 {
			o.Src = data
			return o, nil
		}
	}
	return oas.LoadFiles(ctx, data, loc, l.refReader(doc, sd), oas.WithMaxFiles(l.maxSources), oas.WithMaxBytes(l.maxBytes))
}

func (l *loader) source(ctx context.Context, doc *Document, src *Source) error {
	sd := src.Description
	var data []byte
	var missed string // a plan-cache entry known to be absent
	var loc string
	var err error
	if o, ok := l.overrides[sd.Name]; ok {
		// Looked up before the url is resolved: any url can be overridden.
		data = o
		loc = "override:" + sd.Name
		src.Location = loc
	} else {
		if loc, err = l.resolve(doc.URL, sd.URL); err != nil {
			return err
		}
		src.Location = loc
		if l.known(doc, src) {
			return nil
		}
		if d, ok := l.docs[loc]; ok && (src.Type == "" || src.Type == SourceArazzo) {
			src.Type, src.Arazzo = SourceArazzo, d
			return nil
		}
		if o, ok := l.openapis[loc]; ok && (src.Type == "" || src.Type == SourceOpenAPI) && refsFor(doc, sd.Name).covers(o) {
			src.Type, src.OpenAPI = SourceOpenAPI, o
			return nil
		}
		if l.nread >= l.maxSources {
			return &loadError{code: CodeTooManySources, msg: fmt.Sprintf("not loaded: %d source descriptions were read already, the limit (WithMaxSources); later ones are not loaded", l.nread)}
		}
		l.nread++
		if src.Type != SourceArazzo {
			var o *oas.Document
			if o, missed = l.cachedFile(ctx, doc, sd, loc, refsFor(doc, sd.Name)); o != nil {
				src.Type, src.OpenAPI = SourceOpenAPI, o
				l.openapis[loc] = o
				return nil
			}
		}
		if data, err = l.read(ctx, loc); err != nil {
			return err
		}
	}
	if done, err := l.asyncAPI(ctx, doc, src, data, loc); done {
		return err
	}
	refs := refsFor(doc, sd.Name)
	var entry string // the plan-cache entry for data and refs
	if src.Type != SourceArazzo {
		var o *oas.Document
		if o, entry = l.cached(ctx, doc, sd, data, loc, refs, missed); o != nil {
			src.Type, src.OpenAPI = SourceOpenAPI, o
			l.openapis[loc] = o
			return nil
		}
	}
	kind := src.Type
	var raw any
	if kind == "" {
		// D31: sniff the document when type is omitted.
		if raw, err = oas.Decode(data); err != nil {
			return fmt.Errorf("cannot parse %s: %v", loc, err)
		}
		kind = oas.Sniff(raw)
		if kind == "swagger" {
			kind = SourceOpenAPI
		}
		if kind == "" {
			return fmt.Errorf("%s is neither an OpenAPI nor an Arazzo document (set type)", loc)
		}
		src.Type = kind
	}
	switch kind {
	case SourceOpenAPI:
		o, err := l.loadOpenAPI(ctx, doc, sd, data, raw, loc)
		if err != nil {
			return err
		}
		l.openapis[loc] = o
		src.OpenAPI = o
		l.remember(o, refs, entry)
	case SourceArazzo:
		sub, ds := Parse(data, l.display(doc, loc), WithMaxDocumentBytes(l.maxBytes), func(c *parseConfig) { c.anyRoot = true })
		switch {
		case sub != nil && oas.Sniff(sub.Raw) == "arazzo", sub == nil && looksArazzo(data):
			// An Arazzo document: its own diagnostics.
			l.diags = append(l.diags, ds...)
		case sub != nil && oas.Sniff(sub.Raw) != "":
			// An OpenAPI description declared arazzo is one error of
			// Validate (source-type-mismatch), not a page of unknown
			// fields.
		default:
			// Not an API description at all: say so without quoting a byte
			// of it (it may be anything inside the root, such as a
			// credentials file).
			return fmt.Errorf("%s is not an Arazzo document (it has no arazzo field)", loc)
		}
		if sub == nil {
			return fmt.Errorf("cannot parse the Arazzo document %s", loc)
		}
		sub.URL = loc
		sub.retrieval = l.retrievalURI(loc)
		l.docs[loc] = sub
		src.Arazzo = sub
		l.sources(ctx, sub)
	}
	return nil
}

// arazzoField finds an "arazzo" key at the start of a line: the text is
// meant as an Arazzo document even when it does not parse.
var arazzoField = regexp.MustCompile(`(?m)^\s*["']?arazzo["']?\s*:`)

func looksArazzo(data []byte) bool { return arazzoField.Match(data) }

// retrievalURI is the absolute URI of a location: the location itself
// when it is a URL, a file: URI under the root for a path Load reads from
// the file system, else "".
func (l *loader) retrievalURI(loc string) string {
	if isURL(loc) {
		return loc
	}
	if l.osRoot == "" {
		return ""
	}
	abs := filepath.ToSlash(filepath.Join(l.osRoot, filepath.FromSlash(loc)))
	if !strings.HasPrefix(abs, "/") {
		abs = "/" + abs // a Windows drive letter
	}
	return (&url.URL{Scheme: "file", Path: abs}).String()
}

// display names a nested document in diagnostics: relative to the entry
// document's directory when it is a file.
func (l *loader) display(doc *Document, loc string) string {
	if isURL(loc) {
		return loc
	}
	if doc.File != "" && doc.URL != "" && !isURL(doc.URL) {
		base := strings.TrimSuffix(doc.File, doc.URL)
		if base != doc.File {
			return base + loc
		}
		rel := relPath(path.Dir(doc.URL), loc)
		return path.Join(path.Dir(filepath.ToSlash(doc.File)), rel)
	}
	return loc
}

func relPath(from, to string) string {
	if r, err := filepath.Rel(filepath.FromSlash(from), filepath.FromSlash(to)); err == nil {
		return filepath.ToSlash(r)
	}
	return to
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// resolve resolves ref against the location of the referring document.
func (l *loader) resolve(base, ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("invalid url %q: %v", ref, err)
	}
	switch {
	case u.Scheme == "http" || u.Scheme == "https":
		return u.String(), nil
	case u.Scheme == "file":
		return "", fmt.Errorf("file: URLs are not allowed; use a relative reference")
	case u.Scheme != "":
		return "", fmt.Errorf("unsupported url scheme %q", u.Scheme)
	}
	if isURL(base) {
		b, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		return b.ResolveReference(u).String(), nil
	}
	p := u.Path
	if strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("absolute path %q is outside the document's tree; use a relative reference", p)
	}
	joined := path.Join(path.Dir(base), p)
	if joined == ".." || strings.HasPrefix(joined, "../") {
		if l.osRoot != "" {
			// Name the exact root that would allow it.
			target := filepath.Join(l.osRoot, filepath.FromSlash(joined))
			wider := commonDir(l.osRoot, filepath.Dir(target))
			return "", fmt.Errorf("%q resolves to %s, outside the allowed file tree %s (allow it with --root %s, or WithRoot)", ref, target, l.osRoot, wider)
		}
		return "", fmt.Errorf("%q resolves outside the allowed file tree (set a wider root: WithRoot, or --root on the command line)", ref)
	}
	return joined, nil
}

func (l *loader) read(ctx context.Context, loc string) ([]byte, error) {
	if isURL(loc) {
		return l.fetch(ctx, loc)
	}
	f, size, err := l.open(loc)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readSized(f, size, l.maxBytes, loc)
}

// open opens the local file source loc, a regular file, and returns its
// size.
func (l *loader) open(loc string) (fs.File, int64, error) {
	name := loc
	fi, err := fs.Stat(l.fsys, name)
	if err != nil {
		// os.Root refuses a symbolic link that is absolute or leads outside
		// the root: read the target if it is inside, else say why.
		if real, inside, ok := l.realPath(loc); ok {
			if !inside {
				return nil, 0, fmt.Errorf("%s resolves outside the allowed file tree through a symbolic link (set a wider root: WithRoot, or --root on the command line)", loc)
			}
			name = real
			fi, err = fs.Stat(l.fsys, name)
		}
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, 0, fmt.Errorf("cannot read %s: %v", loc, err)
	}
	if !fi.Mode().IsRegular() {
		// Not opened: opening a named pipe would block.
		what := "not a regular file"
		if fi.IsDir() {
			what = "a directory"
		}
		return nil, 0, fmt.Errorf("cannot read %s: it is %s", loc, what)
	}
	f, err := l.fsys.Open(name)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read %s: %v", loc, err)
	}
	return f, fi.Size(), nil
}

// readSized reads a regular file of the given size in one allocation (the
// 1.4 MB Stytch description otherwise grows its buffer a dozen times).
func readSized(r io.Reader, size, max int64, loc string) ([]byte, error) {
	if size <= 0 || size > max {
		return readCapped(r, max, loc)
	}
	data := make([]byte, size+1)
	n, err := io.ReadFull(r, data)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return data[:n], nil // the file shrank meanwhile
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", loc, err)
	}
	// The file grew meanwhile: read the rest under the cap.
	rest, err := readCapped(r, max-int64(n), loc)
	if err != nil {
		return nil, err
	}
	return append(data, rest...), nil
}

// realPath resolves the symbolic links of loc (Load only): the target
// relative to the root, whether it lies inside, and whether loc could be
// resolved at all. The root still opens the target: a link changed
// meanwhile cannot lead outside.
func (l *loader) realPath(loc string) (string, bool, bool) {
	if l.osRoot == "" {
		return "", false, false
	}
	root, err := filepath.EvalSymlinks(l.osRoot)
	if err != nil {
		return "", false, false
	}
	target, err := filepath.EvalSymlinks(filepath.Join(l.osRoot, filepath.FromSlash(loc)))
	if err != nil {
		return "", false, false
	}
	rel, err := filepath.Rel(root, target)
	if err != nil || outside(rel) {
		return "", false, true
	}
	return filepath.ToSlash(rel), true, true
}

// commonDir is the deepest folder holding both a and b (absolute paths).
func commonDir(a, b string) string {
	for {
		if rel, err := filepath.Rel(a, b); err == nil && !outside(rel) {
			return a
		}
		parent := filepath.Dir(a)
		if parent == a {
			return a
		}
		a = parent
	}
}

// outside reports whether a path made by filepath.Rel leaves its base.
func outside(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// readFile reads the document Load was given.
func readFile(name string, max int64, display string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read %s: %v", display, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory", display)
	}
	return readCapped(f, max, display)
}

func readCapped(r io.Reader, max int64, loc string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", loc, err)
	}
	if int64(len(data)) > max {
		return nil, tooLarge(loc, max)
	}
	return data, nil
}

func tooLarge(loc string, max int64) error {
	return &loadError{code: CodeDocumentTooLarge, msg: fmt.Sprintf("%s is larger than %d bytes (WithMaxSourceBytes)", loc, max)}
}

func (l *loader) allowed(host string) bool {
	for _, h := range l.hosts {
		if h == "*" || strings.EqualFold(h, host) {
			return true
		}
		if hn, _, err := splitHostPort(host); err == nil && strings.EqualFold(h, hn) {
			return true
		}
	}
	return false
}

func splitHostPort(h string) (string, string, error) {
	u, err := url.Parse("//" + h)
	if err != nil {
		return "", "", err
	}
	return u.Hostname(), u.Port(), nil
}

func (l *loader) fetch(ctx context.Context, loc string) ([]byte, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	if !l.allowed(u.Host) {
		return nil, notAllowed(u.Host)
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, l.fetchError(loc, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("cannot fetch %s: %s", loc, resp.Status)
	}
	if resp.ContentLength > l.maxBytes {
		return nil, tooLarge(loc, l.maxBytes)
	}
	data, err := readCapped(resp.Body, l.maxBytes, loc)
	if err != nil {
		return nil, l.fetchError(loc, err)
	}
	return data, nil
}

func (l *loader) fetchError(loc string, err error) error {
	var le *loadError
	if errors.As(err, &le) {
		if le.code == CodeRedirectRefused {
			return &loadError{code: le.code, msg: fmt.Sprintf("fetching %s: %s", loc, le.msg)}
		}
		return le
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &loadError{code: CodeSourceTimeout, msg: fmt.Sprintf("fetching %s took longer than %v (WithFetchTimeout)", loc, l.timeout)}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("cannot fetch %s: %v", loc, err)
}

func notAllowed(host string) error {
	return &loadError{code: CodeSourceNotLoaded, msg: fmt.Sprintf("fetching from host %q is not allowed (allow it with --allow-host %s, or WithAllowedHosts)", host, host)}
}

// loadError is a source that was refused or failed in a way with its own
// diagnostic code.
type loadError struct {
	code string
	msg  string
}

func (e *loadError) Error() string { return e.msg }
