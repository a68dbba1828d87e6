package asyncapi

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/internal/jsonptr"
)

// Limits of Load, with their defaults.
const (
	// DefaultMaxDocumentBytes bounds the bytes Load reads: the document
	// plus every file its $refs read (WithMaxDocumentBytes).
	DefaultMaxDocumentBytes = 16 << 20
	// DefaultMaxFiles bounds how many other files $refs may read
	// (WithMaxFiles).
	DefaultMaxFiles = 32
	// DefaultMaxRefHops bounds how many $refs one resolution may follow
	// (a $ref to a $ref to ...); a longer chain is a CodeRefCycle error
	// (WithMaxRefHops).
	DefaultMaxRefHops = 32
	// maxDiagnostics caps how many diagnostics Load reports.
	maxDiagnostics = 200
)

// Option configures Load.
type Option func(*config)

type config struct {
	maxBytes   int64
	maxFiles   int
	maxHops    int
	readFile   func(ref string) ([]byte, error)
	noValidate bool
}

// WithMaxDocumentBytes sets the byte limit of Load (n <= 0 keeps
// DefaultMaxDocumentBytes).
func WithMaxDocumentBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// WithMaxFiles sets how many other files $refs may read (n < 0 keeps
// DefaultMaxFiles; 0 allows none).
func WithMaxFiles(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.maxFiles = n
		}
	}
}

// WithMaxRefHops sets how many $refs one resolution may follow (n <= 0
// keeps DefaultMaxRefHops).
func WithMaxRefHops(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxHops = n
		}
	}
}

// WithReadFile lets $refs to other files be followed: read is called once
// per file with the referenced path resolved against the referring file's
// directory, relative to the document's own directory, slash-separated and
// cleaned ("schemas/order.yaml", "../common.yaml", or an absolute path as
// written). The caller decides what may be read (a file-root rule) and
// returns an error to refuse. Without this option a $ref to another file
// is a CodeExternalRef error. URLs are never fetched.
func WithReadFile(read func(ref string) ([]byte, error)) Option {
	return func(c *config) { c.readFile = read }
}

// WithSchemaValidation turns the structural validation against the
// official AsyncAPI JSON Schema on (the default) or off. Off, Load still
// builds the model and runs its own checks, and ignores fields of the
// wrong type.
func WithSchemaValidation(on bool) Option {
	return func(c *config) { c.noValidate = !on }
}

// Version support: 3.0.x and 3.1.x natively, 2.0-2.6 normalised (E7).
var versionRE = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

// schemaVersion returns the bundled JSON Schema a version is checked
// against and the major version, or an error message.
func schemaVersion(v string) (string, int, string) {
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return "", 0, fmt.Sprintf("asyncapi version %q is not a major.minor.patch version", v)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	switch {
	case major == 3 && minor == 0:
		return "3.0.0", 3, ""
	case major == 3 && minor == 1:
		return "3.1.0", 3, ""
	case major == 2 && minor <= 6:
		return "2.6.0", 2, ""
	}
	return "", 0, fmt.Sprintf("AsyncAPI %s is not supported (Telaio reads 3.0.x and 3.1.x, and 2.0-2.6 as an extension)", v)
}

// Load decodes an AsyncAPI description (YAML or JSON) and builds its model:
// servers, channels, operations and messages with every $ref followed,
// traits applied and, for 2.x, the 3.0 vocabulary. url names the document
// in diagnostics and is the base of relative $refs (see WithReadFile).
//
// The error, when not nil, is a diag.Diagnostics listing every error found
// (structural violations of the official JSON Schema, $refs, the rules of
// the specification the schema cannot express), each with its position.
// The Document is nil only when the bytes do not decode, are too large, or
// do not declare a supported version; otherwise it is returned with
// everything that could be resolved, and Document.Diagnostics holds the
// errors and warnings.
func Load(src []byte, url string, opts ...Option) (*Document, error) {
	cfg := config{maxBytes: DefaultMaxDocumentBytes, maxFiles: DefaultMaxFiles, maxHops: DefaultMaxRefHops}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	l := &loader{cfg: cfg, url: url}
	d := l.load(src)
	l.diags.Sort()
	if len(l.diags) > maxDiagnostics {
		l.diags = l.diags[:maxDiagnostics]
	}
	if d != nil {
		d.Diagnostics = l.diags
	}
	if err := l.diags.Err(); err != nil {
		return d, err
	}
	return d, nil
}

// loader holds the state of one Load.
type loader struct {
	cfg   config
	url   string
	diags diag.Diagnostics
	files *fileSet
	raw   map[string]any
	read  int64 // bytes read so far, all files included
	// badRefs holds the pointers of the objects whose $ref was already
	// reported, so that the model builder stays quiet about them.
	badRefs map[string]bool
	// origRef maps the pointer of an object whose $ref was rewritten
	// (embedded files) to the text as written.
	origRef map[string]string
}

func (l *loader) errorf(r diag.Range, code, format string, args ...any) {
	l.diags.Errorf(r, code, format, args...)
}

func (l *loader) warnf(r diag.Range, code, format string, args ...any) {
	l.diags.Warnf(r, code, format, args...)
}

// at is the position of a pointer into the (bundled) document.
func (l *loader) at(ptr string) diag.Range { return l.files.rangeOf(ptr) }

func (l *loader) load(src []byte) *Document {
	start := diag.Range{File: l.url, Start: diag.Pos{Line: 1, Column: 1}}
	if int64(len(src)) > l.cfg.maxBytes {
		l.errorf(start, CodeDocumentTooLarge, "the document is %d bytes, more than the limit of %d", len(src), l.cfg.maxBytes)
		return nil
	}
	l.read = int64(len(src))
	node, raw, err := decode(src)
	if err != nil {
		de, _ := err.(*decodeError)
		f := newFile(l.url, src, nil)
		r := start
		if de != nil {
			r.Start = f.pos(de.line, de.col)
		}
		l.errorf(r, CodeSyntax, "%v", err)
		return nil
	}
	l.files = &fileSet{main: newFile(l.url, src, node), ext: map[string]*file{}}
	root, ok := raw.(map[string]any)
	if !ok {
		l.errorf(l.at(""), CodeInvalidDocument, "an AsyncAPI document must be an object")
		return nil
	}
	l.raw = root
	version, ok := root["asyncapi"].(string)
	if !ok {
		if _, present := root["asyncapi"]; present {
			l.errorf(l.at("/asyncapi"), CodeUnsupportedVersion, `the asyncapi field must be a string such as "3.0.0"`)
		} else {
			l.errorf(l.at(""), CodeUnsupportedVersion, "not an AsyncAPI document: the asyncapi field is missing")
		}
		return nil
	}
	schemaV, major, msg := schemaVersion(version)
	if msg != "" {
		l.errorf(l.at("/asyncapi"), CodeUnsupportedVersion, "%s", msg)
		return nil
	}
	if node != nil {
		for _, k := range duplicateKeys(node) {
			l.errorf(diag.Range{File: l.url, Start: l.files.main.pos(k.Line, k.Column)}, CodeDuplicateKey, "key %q is written twice in this object", k.Value)
		}
	}
	if major == 2 {
		l.warnf(l.at("/asyncapi"), CodeVersion2, "AsyncAPI %s is read as an extension: Arazzo 1.1 uses the AsyncAPI 3 vocabulary, so publish is read as the application receiving and subscribe as the application sending", version)
	}
	if !l.cfg.noValidate {
		l.validateSchema(root, version, schemaV)
	}
	l.badRefs = map[string]bool{}
	l.origRef = map[string]string{}
	l.bundle()
	l.checkRefs()
	d := &Document{URL: l.url, Version: version, Major: major, Raw: root, files: l.files,
		opsByID: map[string]*Operation{}, opsByPtr: map[string]*Operation{}, chanByKey: map[string]*Channel{}}
	b := newBuilder(l, d)
	if major == 2 {
		b.build2()
	} else {
		b.build3()
	}
	return d
}

// str returns m[k] when it is a string.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// strs returns the strings of a list (other items are skipped).
func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// scalarString renders a scalar (2.x schema enums and defaults may be
// numbers or booleans) as a string.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// child appends an escaped token to a pointer.
func child(ptr, tok string) string {
	return ptr + "/" + jsonptr.EscapeToken(tok)
}
