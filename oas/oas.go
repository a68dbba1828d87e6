package oas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/yamlx"
)

// methods in the order operations are listed within a path item: the
// fixed fields of the Path Item Object. "query" (the QUERY method) is a
// field of OpenAPI 3.2 only: in a 3.0 or 3.1 description it is not an
// operation.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"}

// Methods returns the fixed HTTP methods of a path item, lower case, in the
// order operations are listed (a new slice each call).
func Methods() []string { return append([]string(nil), methods...) }

// Document is an indexed OpenAPI description.
type Document struct {
	// URL is where the description was loaded from.
	URL string
	// Version is the openapi field (3.0.x, 3.1.x or 3.2.x).
	Version string
	// Raw is the whole description in the JSON data model. For a
	// description whose $refs read other files (LoadFiles), they are
	// embedded under "x-telaio-files" and every $ref is local.
	Raw any
	// Src is the bytes of the description's root file; nil when they were
	// not read (a subset from the plan cache: Source reads the description
	// on demand).
	Src []byte
	// Servers are the document-level servers.
	Servers []Server
	// SecuritySchemes maps components.securitySchemes names to schemes.
	SecuritySchemes map[string]*SecurityScheme
	// Security is the document-level security requirement list (nil when absent).
	Security []SecurityRequirement
	// UsesSecurity reports whether any security requirement is written
	// anywhere (document or operation level).
	UsesSecurity bool

	ops     []*Operation
	byID    map[string][]*Operation
	byPtr   map[string]*Operation
	extRefs []ExternalRef
	// order is the declaration order of the content maps with more than
	// one media type, by pointer (see Subset).
	order map[string][]string
	// partial is set on a Subset: Raw and the index hold only what some
	// operations need.
	partial bool

	// files are the description's files, the root first (none for
	// FromValue and a Subset); byKey indexes the embedded ones.
	files []*srcFile
	byKey map[string]*srcFile
	// manifest lists the files of a Subset, whose bytes it does not keep;
	// locByKey maps their keys to their locations.
	manifest []File
	locByKey map[string]string
	bundled  bool
	refErrs  []*RefError

	libOnce sync.Once
	lib     libopenapi.Document
	libErr  error

	srcOnce sync.Once
	srcRead func() ([]byte, error) // reads Src on demand (LoadSubsetFunc)
	srcData []byte
	srcErr  error
}

// Source returns the whole description as one text, the one LibOpenAPI
// builds from: Src for a description in one file; for a description whose
// $refs read other files, Raw (the bundle) encoded as JSON; for a Subset,
// the bytes read (once) by the function given to LoadSubsetFunc.
func (d *Document) Source() ([]byte, error) {
	switch {
	case d.Src == nil && d.srcRead != nil:
		d.srcOnce.Do(func() { d.srcData, d.srcErr = d.srcRead() })
		return d.srcData, d.srcErr
	case d.bundled && !d.partial:
		d.srcOnce.Do(func() { d.srcData, d.srcErr = json.Marshal(d.Raw) })
		return d.srcData, d.srcErr
	}
	return d.Src, nil
}

// Server is a Server Object with its variables.
type Server struct {
	URL         string
	Description string
	Variables   map[string]ServerVariable
}

// ServerVariable is a Server Variable Object.
type ServerVariable struct {
	Default string
	Enum    []string
}

// SecurityScheme is a Security Scheme Object.
type SecurityScheme struct {
	Name string // the key in components.securitySchemes
	Type string // apiKey, http, oauth2, openIdConnect, mutualTLS
	// Scheme is the HTTP auth scheme (basic, bearer), lower-cased.
	Scheme string
	// In and ParamName locate an apiKey (header, query or cookie).
	In, ParamName string
	// TokenURL is the oauth2 client credentials flow token URL.
	TokenURL string
	Scopes   []string
}

// SecurityRequirement is one alternative of a security requirement list: all
// the named schemes apply together. An empty requirement means anonymous.
type SecurityRequirement map[string][]string

// Operation is one operation of the description.
type Operation struct {
	ID string // operationId, may be empty
	// Method is the HTTP method: upper case for the fixed fields of the
	// Path Item Object, as written for an OpenAPI 3.2 additionalOperations
	// entry (its key is sent as it is).
	Method string
	Path   string // path template, e.g. /pets/{id}
	// Pointer is the JSON pointer of the operation, e.g. /paths/~1pets/get.
	Pointer    string
	Summary    string
	Parameters []*Parameter // path-item and operation parameters merged
	// QueryString is the OpenAPI 3.2 parameter "in: querystring" (the
	// whole query string, serialized by its media type), nil when none. It
	// is not listed in Parameters.
	QueryString *Parameter
	Body        *RequestBody // nil when the operation declares none
	Responses   []*Response  // in declaration order
	// Security is the operation's requirement list; nil means inherit the
	// document's, empty means none.
	Security []SecurityRequirement
	// Servers are the servers that apply (operation, path item or document).
	Servers []Server
	// Raw is the operation object.
	Raw map[string]any
	Doc *Document
}

// Parameter is a resolved Parameter Object.
type Parameter struct {
	// Name and In as declared: In is path, query, header, cookie, or (3.2)
	// querystring.
	Name, In string
	// Style is the declared style or the default for In ("" for
	// querystring, which has none: ContentType says how it is serialized).
	Style         string
	Explode       bool // declared or the style's default
	Required      bool
	AllowReserved bool
	Deprecated    bool
	// SchemaPointer locates the parameter's schema in Document.Raw ("" when
	// none, e.g. when content is used).
	SchemaPointer string
	Schema        any
	// ContentType is set when the parameter uses content instead of schema.
	ContentType string
	// Pointer locates the Parameter Object in Raw (the target of its $ref).
	Pointer string
}

// RequestBody is a resolved Request Body Object.
type RequestBody struct {
	Required bool
	Content  []*MediaType // in declaration order
}

// Response is a resolved Response Object for one status code or range.
type Response struct {
	Code    string // "200", "2XX" or "default"
	Content []*MediaType
	Headers []*Header
}

// Header is a response header definition.
type Header struct {
	Name          string
	Required      bool
	SchemaPointer string
	Schema        any
}

// MediaType is a media type entry with its schema location.
type MediaType struct {
	Name          string // e.g. application/json
	SchemaPointer string // "" when the media type has no schema
	Schema        any
	// ItemSchemaPointer locates the OpenAPI 3.2 itemSchema of a sequential
	// media type (application/jsonl, text/event-stream...): the schema of
	// each item; "" when none.
	ItemSchemaPointer string
	ItemSchema        any
	Example           any
	HasExample        bool
	Examples          map[string]any
}

// Error describes a problem with a description.
type Error struct {
	URL string
	Msg string
}

func (e *Error) Error() string {
	if e.URL == "" {
		return "openapi: " + e.Msg
	}
	return e.URL + ": " + e.Msg
}

// Load decodes and indexes an OpenAPI description. url names it in errors.
// Only same-document $refs are followed: a $ref to another file or a URL
// is listed by ExternalRefs and left unresolved (LoadFiles follows them).
func Load(src []byte, url string) (*Document, error) {
	node, raw, err := decode(src)
	if err != nil {
		return nil, &Error{URL: url, Msg: err.Error()}
	}
	if err := checkVersion(raw, url); err != nil {
		return nil, err
	}
	f := newSrcFile(url, "", src, node, raw)
	d, err := build(raw, url, []*srcFile{f}, nil, externalRefs(raw, f, url))
	if err != nil {
		return nil, err
	}
	d.Src = src
	return d, nil
}

// Decode decodes a YAML or JSON document into the JSON data model (JSON
// through encoding/json, which accepts what YAML parsers reject, such as \/).
func Decode(src []byte) (any, error) {
	_, v, err := decode(src)
	return v, err
}

// decode decodes a description; the YAML node tree is returned too (it
// keeps the order of media types), nil for JSON read with encoding/json.
func decode(src []byte) (*yaml.Node, any, error) {
	trimmed := bytes.TrimLeft(src, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var v any
		if err := json.Unmarshal(src, &v); err == nil {
			return nil, v, nil
		}
	}
	return yamlx.DecodeNode(src)
}

// Sniff reports the kind of a decoded description: "openapi", "arazzo",
// "swagger" or "".
func Sniff(raw any) string {
	m, ok := raw.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range []string{"openapi", "arazzo", "swagger"} {
		if _, ok := m[k]; ok {
			return k
		}
	}
	return ""
}

// FromValue indexes a description already decoded into the JSON data model.
// Media types are then listed JSON first, then sorted (the data model keeps
// no key order); Load keeps the declaration order of YAML documents.
func FromValue(raw any, url string) (*Document, error) {
	if err := checkVersion(raw, url); err != nil {
		return nil, err
	}
	return build(raw, url, nil, nil, externalRefs(raw, nil, url))
}

// checkVersion refuses what is not an OpenAPI 3.0, 3.1 or 3.2 description.
func checkVersion(raw any, url string) error {
	root, ok := raw.(map[string]any)
	if !ok {
		return &Error{URL: url, Msg: "an OpenAPI description must be an object"}
	}
	v, _ := root["openapi"].(string)
	switch {
	case v == "":
		if _, ok := root["swagger"]; ok {
			return &Error{URL: url, Msg: "Swagger 2.0 descriptions are not supported; convert it to OpenAPI 3"}
		}
		return &Error{URL: url, Msg: `not an OpenAPI description: the "openapi" field is missing`}
	case minor(v) >= 0:
		return nil
	}
	return &Error{URL: url, Msg: fmt.Sprintf("OpenAPI version %q is not supported (3.0, 3.1 and 3.2 are)", v)}
}

// minor is the minor version of a supported 3.x version, else -1.
func minor(v string) int {
	for m, p := range []string{"3.0", "3.1", "3.2"} {
		if v == p || strings.HasPrefix(v, p+".") {
			return m
		}
	}
	return -1
}

// build indexes a checked description; files are its files (root first,
// none when unknown), order the declaration order of content maps (a
// Subset), extRefs its unresolved external references.
func build(raw any, url string, files []*srcFile, order map[string][]string, extRefs []ExternalRef) (*Document, error) {
	root := raw.(map[string]any)
	d := &Document{URL: url, Raw: raw, byID: map[string][]*Operation{}, byPtr: map[string]*Operation{}, files: files, extRefs: extRefs}
	d.Version, _ = root["openapi"].(string)
	if len(files) > 1 {
		d.bundled = true
		d.byKey = make(map[string]*srcFile, len(files)-1)
		for _, f := range files[1:] {
			d.byKey[f.key] = f
		}
	}
	v32 := minor(d.Version) >= 2
	r := &resolver{doc: d, order: order}
	d.Servers = r.servers(root["servers"])
	if len(d.Servers) == 0 {
		d.Servers = []Server{{URL: "/"}}
	}
	if sec, ok := root["security"]; ok {
		d.Security = r.security(sec)
		d.UsesSecurity = true
	}
	d.SecuritySchemes = r.schemes(root)
	paths, _ := root["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, path := range keys {
		pathPtr := "/paths/" + jsonptr.EscapeToken(path)
		item, itemPtr := r.follow(paths[path], pathPtr)
		itemMap, ok := item.(map[string]any)
		if !ok {
			continue
		}
		itemServers := d.Servers
		if s := r.servers(itemMap["servers"]); len(s) > 0 {
			itemServers = s
		}
		common := r.parameters(itemMap["parameters"], itemPtr+"/parameters")
		add := func(method, ptr string, opRaw map[string]any) {
			op := &Operation{Method: method, Path: path, Pointer: ptr, Raw: opRaw, Doc: d, Servers: itemServers}
			op.ID, _ = opRaw["operationId"].(string)
			op.Summary, _ = opRaw["summary"].(string)
			if s := r.servers(opRaw["servers"]); len(s) > 0 {
				op.Servers = s
			}
			op.Parameters = mergeParams(common, r.parameters(opRaw["parameters"], op.Pointer+"/parameters"))
			op.Parameters, op.QueryString = splitQueryString(op.Parameters)
			if rb, ok := opRaw["requestBody"]; ok {
				op.Body = r.requestBody(rb, op.Pointer+"/requestBody")
			}
			op.Responses = r.responses(opRaw["responses"], op.Pointer+"/responses")
			if sec, ok := opRaw["security"]; ok {
				op.Security = r.security(sec)
				if op.Security == nil {
					op.Security = []SecurityRequirement{}
				}
				d.UsesSecurity = true
			}
			d.ops = append(d.ops, op)
			d.byPtr[op.Pointer] = op
			if alias := pathPtr + ptr[len(itemPtr):]; alias != ptr {
				// A path item that is a $ref: an operationPath names the
				// operation through the paths entry.
				d.byPtr[alias] = op
			}
			if op.ID != "" {
				d.byID[op.ID] = append(d.byID[op.ID], op)
			}
		}
		for _, m := range methods {
			if m == "query" && !v32 {
				continue
			}
			if opRaw, ok := itemMap[m].(map[string]any); ok {
				add(strings.ToUpper(m), itemPtr+"/"+m, opRaw)
			}
		}
		if extra, ok := itemMap["additionalOperations"].(map[string]any); ok && v32 {
			for _, m := range sortedMapKeys(extra) {
				if opRaw, ok := extra[m].(map[string]any); ok && m != "" && !strings.HasPrefix(m, "x-") {
					add(m, itemPtr+"/additionalOperations/"+jsonptr.EscapeToken(m), opRaw)
				}
			}
		}
	}
	return d, nil
}

// Operations lists every operation, by path then method.
func (d *Document) Operations() []*Operation { return d.ops }

// OperationByID finds an operation by operationId. It returns an error when
// none or several operations have the id.
func (d *Document) OperationByID(id string) (*Operation, error) {
	ops := d.byID[id]
	switch len(ops) {
	case 0:
		return nil, &Error{URL: d.URL, Msg: fmt.Sprintf("no operation has operationId %q", id)}
	case 1:
		return ops[0], nil
	}
	return nil, &Error{URL: d.URL, Msg: fmt.Sprintf("operationId %q is not unique (%d operations)", id, len(ops))}
}

// HasOperationID reports whether some operation has the id.
func (d *Document) HasOperationID(id string) bool { return len(d.byID[id]) > 0 }

// OperationIDs lists the operationIds, sorted.
func (d *Document) OperationIDs() []string {
	out := make([]string, 0, len(d.byID))
	for id := range d.byID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// ErrPathItem is returned by OperationByPointer for a pointer that names a
// path item rather than an operation.
var ErrPathItem = errors.New("the pointer names a path item, not an operation")

// OperationByPointer finds an operation by the JSON pointer of the operation
// object (e.g. /paths/~1pets~1{id}/get, as in an operationPath fragment).
func (d *Document) OperationByPointer(ptr string) (*Operation, error) {
	if op, ok := d.byPtr[ptr]; ok {
		return op, nil
	}
	p, err := splitPointer(ptr)
	if err != nil {
		return nil, &Error{URL: d.URL, Msg: fmt.Sprintf("invalid JSON pointer %q: %v", ptr, err)}
	}
	if len(p) == 2 && p[0] == "paths" {
		if paths, ok := d.Raw.(map[string]any)["paths"].(map[string]any); ok {
			if _, ok := paths[p[1]]; ok {
				return nil, &Error{URL: d.URL, Msg: fmt.Sprintf("%s: %v", ptr, ErrPathItem)}
			}
		}
	}
	if len(p) == 3 && p[0] == "paths" {
		// Accept an upper-case method as written by some documents.
		if op, ok := d.byPtr["/paths/"+jsonptr.EscapeToken(p[1])+"/"+strings.ToLower(p[2])]; ok {
			return op, nil
		}
	}
	return nil, &Error{URL: d.URL, Msg: fmt.Sprintf("no operation at %s", ptr)}
}

// PathItemOperations lists the operations of the path item a pointer names
// (used to explain an operationPath that stops at a path item), its
// additionalOperations included.
func (d *Document) PathItemOperations(ptr string) []*Operation {
	var out []*Operation
	if p, err := splitPointer(ptr); err == nil && len(p) == 2 && p[0] == "paths" {
		for _, op := range d.ops {
			if op.Path == p[1] {
				out = append(out, op)
			}
		}
		return out
	}
	for _, op := range d.ops {
		if !strings.HasPrefix(op.Pointer, ptr+"/") {
			continue
		}
		rest := op.Pointer[len(ptr)+1:]
		if !strings.Contains(rest, "/") || strings.HasPrefix(rest, "additionalOperations/") && strings.Count(rest, "/") == 1 {
			out = append(out, op)
		}
	}
	return out
}

// sortedMapKeys lists the keys of m, sorted.
func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// EffectiveSecurity is the requirement list that applies to op.
func (op *Operation) EffectiveSecurity() []SecurityRequirement {
	if op.Security != nil {
		return op.Security
	}
	return op.Doc.Security
}

// Param finds a parameter by name and location (QueryString for
// "querystring").
func (op *Operation) Param(name, in string) *Parameter {
	if in == "querystring" {
		if q := op.QueryString; q != nil && q.Name == name {
			return q
		}
		return nil
	}
	for _, p := range op.Parameters {
		if p.In == in && (p.Name == name || (in == "header" && strings.EqualFold(p.Name, name))) {
			return p
		}
	}
	return nil
}

// MediaType finds a request media type by name (exact, then wildcard).
func (b *RequestBody) MediaType(name string) *MediaType {
	return findMedia(b.Content, name)
}

func findMedia(list []*MediaType, name string) *MediaType {
	base := strings.ToLower(strings.TrimSpace(strings.SplitN(name, ";", 2)[0]))
	for _, m := range list {
		if strings.EqualFold(strings.SplitN(m.Name, ";", 2)[0], base) {
			return m
		}
	}
	for _, m := range list {
		mt := strings.ToLower(m.Name)
		if mt == "*/*" || (strings.HasSuffix(mt, "/*") && strings.HasPrefix(base, strings.TrimSuffix(mt, "*"))) {
			return m
		}
	}
	return nil
}

// Response finds the response definition for a status code: the exact code,
// then the range (2XX), then default.
func (op *Operation) Response(status int) *Response {
	code := strconv.Itoa(status)
	var rng, def *Response
	for _, r := range op.Responses {
		switch {
		case r.Code == code:
			return r
		case len(r.Code) == 3 && strings.EqualFold(r.Code[1:], "XX") && r.Code[0] == code[0]:
			rng = r
		case r.Code == "default":
			def = r
		}
	}
	if rng != nil {
		return rng
	}
	return def
}

// MediaType finds a response media type by name.
func (r *Response) MediaType(name string) *MediaType { return findMedia(r.Content, name) }

// LibOpenAPI builds the complete libopenapi document once and returns it,
// from Source: for a description whose $refs read other files, the bundle,
// whose $refs are all local (its maps then list their keys sorted).
// libopenapi is configured to resolve local references only: it reads no
// file and fetches no URL for an external $ref (see ExternalRefs), which
// stays unresolved in the model (building it reports the refs as missing
// components).
func (d *Document) LibOpenAPI() (libopenapi.Document, error) {
	d.libOnce.Do(func() {
		src, err := d.Source()
		if err != nil {
			d.libErr = err
			return
		}
		if src == nil {
			src, d.libErr = json.Marshal(d.Raw)
			if d.libErr != nil {
				return
			}
		}
		cfg := datamodel.NewDocumentConfiguration()
		cfg.Logger = slog.New(slog.DiscardHandler)
		// Never read a file or fetch a URL for a $ref (the defaults, made
		// explicit): external references stay unresolved.
		cfg.AllowFileReferences = false
		cfg.AllowRemoteReferences = false
		cfg.BasePath = ""
		cfg.BaseURL = nil
		cfg.LocalFS = nil
		cfg.RemoteFS = nil
		cfg.RemoteURLHandler = refuseRemote
		d.lib, d.libErr = libopenapi.NewDocumentWithConfiguration(src, cfg)
	})
	return d.lib, d.libErr
}

// refuseRemote is the libopenapi remote handler: never used while remote
// references are off, and refusing should they ever be turned on.
func refuseRemote(u string) (*http.Response, error) {
	return nil, &Error{URL: u, Msg: "remote references are never fetched"}
}
