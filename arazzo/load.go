package arazzo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/oas"
)

// Source is a loaded source description.
type Source struct {
	Description *SourceDescription
	// Type is "openapi" or "arazzo": the declared type, else sniffed (D31).
	Type string
	// Location is where the source was read from (a path in the file system
	// the document was loaded from, or an http(s) URL).
	Location string
	OpenAPI  *oas.Document
	Arazzo   *Document
}

// Default limits of Load.
const (
	DefaultMaxSourceBytes = 32 << 20
	DefaultFetchTimeout   = 30 * time.Second
)

// LoadOption configures Load and LoadFS.
type LoadOption func(*loader)

// WithAllowedHosts lets Load fetch http(s) source descriptions from these
// hosts (host or host:port; "*" allows any host). By default no network
// fetch is made.
func WithAllowedHosts(hosts ...string) LoadOption {
	return func(l *loader) { l.hosts = append(l.hosts, hosts...) }
}

// WithHTTPClient sets the client used for http(s) sources.
func WithHTTPClient(c *http.Client) LoadOption { return func(l *loader) { l.client = c } }

// WithMaxSourceBytes caps the size of each document read.
func WithMaxSourceBytes(n int64) LoadOption { return func(l *loader) { l.maxBytes = n } }

// WithRoot sets the directory tree file sources must stay inside (Load
// only). By default it is the working directory when the document lies
// inside it, else the document's directory.
func WithRoot(dir string) LoadOption { return func(l *loader) { l.root = dir } }

// WithSourceOverride makes the source description named name read the given
// bytes instead of its url (useful to test a document against another copy
// of an API description).
func WithSourceOverride(name string, src []byte) LoadOption {
	return func(l *loader) {
		if l.overrides == nil {
			l.overrides = map[string][]byte{}
		}
		l.overrides[name] = src
	}
}

type loader struct {
	fsys      fs.FS
	root      string
	hosts     []string
	client    *http.Client
	maxBytes  int64
	overrides map[string][]byte

	docs     map[string]*Document
	openapis map[string]*oas.Document
	diags    diag.Diagnostics
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
		root = filepath.Dir(abs)
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
				root = wd
			}
		}
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, ioDiag(file, err)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, ioDiag(file, fmt.Errorf("document is outside the root %s", root))
	}
	l.fsys = os.DirFS(root)
	return l.load(ctx, filepath.ToSlash(rel), file)
}

// LoadFS reads the Arazzo document at name in fsys and loads its source
// descriptions: OpenAPI 3.0/3.1 descriptions are indexed (each parsed once,
// however many documents name it) and arazzo sources are loaded recursively
// (cycles are fine). Relative urls resolve against the referring document and
// must stay inside fsys; http(s) urls are fetched only from hosts allowed with
// WithAllowedHosts. The diagnostics hold parse errors and every source that
// could not be loaded.
func LoadFS(ctx context.Context, fsys fs.FS, name string, opts ...LoadOption) (*Document, diag.Diagnostics) {
	l := newLoader(opts)
	l.fsys = fsys
	return l.load(ctx, path.Clean(name), name)
}

func newLoader(opts []LoadOption) *loader {
	l := &loader{maxBytes: DefaultMaxSourceBytes, docs: map[string]*Document{}, openapis: map[string]*oas.Document{}}
	for _, o := range opts {
		o(l)
	}
	if l.client == nil {
		l.client = &http.Client{Timeout: DefaultFetchTimeout}
	}
	return l
}

func ioDiag(file string, err error) diag.Diagnostics {
	var ds diag.Diagnostics
	ds.Errorf(diag.Range{File: file}, CodeUnreadable, "%v", err)
	return ds
}

func (l *loader) load(ctx context.Context, name, display string) (*Document, diag.Diagnostics) {
	src, err := l.read(ctx, name)
	if err != nil {
		return nil, ioDiag(display, err)
	}
	doc, ds := Parse(src, display)
	l.diags = append(l.diags, ds...)
	if doc == nil {
		return nil, l.diags
	}
	doc.URL = name
	l.docs[name] = doc
	l.sources(ctx, doc)
	return doc, l.diags
}

// sources loads the source descriptions of doc.
func (l *loader) sources(ctx context.Context, doc *Document) {
	doc.Sources = map[string]*Source{}
	for _, sd := range doc.SourceDescriptions {
		if sd.Name == "" || sd.URL == "" {
			continue
		}
		if _, dup := doc.Sources[sd.Name]; dup {
			continue // reported by Validate
		}
		src := &Source{Description: sd, Type: sd.Type}
		doc.Sources[sd.Name] = src
		if sd.Type != "" && sd.Type != SourceOpenAPI && sd.Type != SourceArazzo {
			continue // reported by Validate
		}
		if err := l.source(ctx, doc, src); err != nil {
			var na *notAllowedError
			if errors.As(err, &na) {
				l.diags.Warnf(sd.ValueRange("url"), CodeSourceNotLoaded, "source description %q was not loaded: %v; checks that need it are skipped", sd.Name, err)
				continue
			}
			l.diags.Errorf(sd.ValueRange("url"), CodeSourceUnavailable, "source description %q: %v", sd.Name, err)
		}
	}
}

func (l *loader) source(ctx context.Context, doc *Document, src *Source) error {
	sd := src.Description
	var data []byte
	loc, err := l.resolve(doc.URL, sd.URL)
	if err != nil {
		return err
	}
	src.Location = loc
	if o, ok := l.overrides[sd.Name]; ok {
		data = o
		loc = "override:" + sd.Name
		src.Location = loc
	} else {
		if d, ok := l.docs[loc]; ok && (src.Type == "" || src.Type == SourceArazzo) {
			src.Type, src.Arazzo = SourceArazzo, d
			return nil
		}
		if o, ok := l.openapis[loc]; ok && (src.Type == "" || src.Type == SourceOpenAPI) {
			src.Type, src.OpenAPI = SourceOpenAPI, o
			return nil
		}
		if data, err = l.read(ctx, loc); err != nil {
			return err
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
		var o *oas.Document
		if raw != nil {
			o, err = oas.FromValue(raw, loc)
			if o != nil {
				o.Src = data
			}
		} else {
			o, err = oas.Load(data, loc)
		}
		if err != nil {
			return err
		}
		l.openapis[loc] = o
		src.OpenAPI = o
	case SourceArazzo:
		sub, ds := Parse(data, l.display(doc, loc))
		l.diags = append(l.diags, ds...)
		if sub == nil {
			return fmt.Errorf("cannot parse the Arazzo document %s", loc)
		}
		sub.URL = loc
		l.docs[loc] = sub
		src.Arazzo = sub
		l.sources(ctx, sub)
	}
	return nil
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
		return "", fmt.Errorf("%q resolves outside the allowed file tree (set a wider root: WithRoot, or --root on the command line)", ref)
	}
	return joined, nil
}

func (l *loader) read(ctx context.Context, loc string) ([]byte, error) {
	if isURL(loc) {
		return l.fetch(ctx, loc)
	}
	f, err := l.fsys.Open(loc)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read %s: %v", loc, err)
	}
	defer f.Close()
	return readCapped(f, l.maxBytes, loc)
}

func readCapped(r io.Reader, max int64, loc string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", loc, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", loc, max)
	}
	return data, nil
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
		return nil, &notAllowedError{host: u.Host}
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot fetch %s: %v", loc, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("cannot fetch %s: %s", loc, resp.Status)
	}
	return readCapped(resp.Body, l.maxBytes, loc)
}

// notAllowedError reports a fetch from a host the caller did not allow.
type notAllowedError struct{ host string }

func (e *notAllowedError) Error() string {
	return fmt.Sprintf("fetching from host %q is not allowed (allow it explicitly)", e.host)
}
