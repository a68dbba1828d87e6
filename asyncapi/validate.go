package asyncapi

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/telaio/telaio/internal/jsonptr"
)

// The official AsyncAPI JSON Schemas (npm @asyncapi/specs 6.11.1, the
// bundled "-without-$id" files; Apache-2.0, see schemas/NOTICE).
//
//go:embed schemas/2.6.0.json schemas/3.0.0.json schemas/3.1.0.json
var schemaFiles embed.FS

// compiledSchema compiles one official schema, once per process. It is a
// cache: the compiled schema is immutable and safe for concurrent use.
type compiledSchema struct {
	once sync.Once
	s    *jsonschema.Schema
	err  error
}

var officialSchemas = map[string]*compiledSchema{"2.6.0": {}, "3.0.0": {}, "3.1.0": {}}

// officialSchema returns the compiled official schema of a version
// ("2.6.0", "3.0.0" or "3.1.0").
func officialSchema(v string) (*jsonschema.Schema, error) {
	c, ok := officialSchemas[v]
	if !ok {
		return nil, fmt.Errorf("no bundled AsyncAPI %s schema", v)
	}
	c.once.Do(func() {
		data, err := schemaFiles.ReadFile("schemas/" + v + ".json")
		if err != nil {
			c.err = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			c.err = err
			return
		}
		comp := jsonschema.NewCompiler()
		comp.DefaultDraft(jsonschema.Draft7)
		comp.UseLoader(noLoader{})
		url := "https://telaio.invalid/asyncapi/" + v + ".json"
		if err := comp.AddResource(url, doc); err != nil {
			c.err = err
			return
		}
		c.s, c.err = comp.Compile(url)
	})
	return c.s, c.err
}

// noLoader refuses every URL: nothing is ever fetched.
type noLoader struct{}

func (noLoader) Load(u string) (any, error) {
	return nil, errors.New("remote schemas are never fetched: " + u)
}

var printer = message.NewPrinter(language.English)

// validateSchema checks the document against the official JSON Schema of
// its version. Documents of other 2.x minor versions and 3.0/3.1 patch
// versions are checked against the bundled 2.6.0, 3.0.0 or 3.1.0 schema
// (2.6 reads the earlier 2.x documents).
func (l *loader) validateSchema(root map[string]any, version, schemaV string) {
	s, err := officialSchema(schemaV)
	if err != nil {
		l.errorf(l.at(""), CodeSchema, "the AsyncAPI %s schema does not compile: %v", schemaV, err)
		return
	}
	inst := root
	if version != schemaV {
		inst = make(map[string]any, len(root))
		for k, v := range root {
			inst[k] = v
		}
		inst["asyncapi"] = schemaV
	}
	err = s.Validate(any(inst))
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		if err != nil {
			l.errorf(l.at(""), CodeSchema, "AsyncAPI %s schema: %v", schemaV, err)
		}
		return
	}
	type seenKey struct{ ptr, msg string }
	seen := map[seenKey]bool{}
	for _, leaf := range leaves(ve, inst) {
		if locationChecked(leaf, inst) {
			continue
		}
		ptr := jsonptr.Pointer(leaf.InstanceLocation).String()
		msg := leaf.ErrorKind.LocalizedString(printer)
		if seen[seenKey{ptr, msg}] {
			continue
		}
		seen[seenKey{ptr, msg}] = true
		at := l.at(ptr)
		if ap, ok := leaf.ErrorKind.(*kind.AdditionalProperties); ok && len(ap.Properties) > 0 {
			at = l.files.keyRange(ptr, ap.Properties[0])
		}
		where := ptr
		if where == "" {
			where = "(root)"
		}
		l.errorf(at, CodeSchema, "%s: %s (AsyncAPI %s schema)", where, msg, schemaV)
	}
}

// leaves lists the violations worth reporting under e. Where a oneOf or
// anyOf failed, only the alternative the author most likely meant is
// reported (see best).
func leaves(e *jsonschema.ValidationError, inst any) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		branches := make([][]*jsonschema.ValidationError, 0, len(e.Causes))
		for _, c := range e.Causes {
			branches = append(branches, leaves(c, inst))
		}
		return best(e, branches, inst)
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c, inst)...)
	}
	return out
}

// best picks the failed alternative of a oneOf/anyOf to report: not a
// Reference Object unless the value has a $ref; not one that only
// complains about the value's type when another gets further; then the one
// whose violations are the deepest in the document, then the one with the
// fewest. With nothing left, the combinator itself is reported.
func best(e *jsonschema.ValidationError, branches [][]*jsonschema.ValidationError, inst any) []*jsonschema.ValidationError {
	val, _ := jsonptr.Pointer(e.InstanceLocation).Get(inst)
	vm, isMap := val.(map[string]any)
	_, hasRef := vm["$ref"]
	keep := branches
	if isMap && !hasRef {
		keep = slices.DeleteFunc(slices.Clone(keep), func(b []*jsonschema.ValidationError) bool {
			return slices.ContainsFunc(b, func(v *jsonschema.ValidationError) bool {
				r, ok := v.ErrorKind.(*kind.Required)
				return ok && slices.Contains(r.Missing, "$ref") && len(v.InstanceLocation) == len(e.InstanceLocation)
			})
		})
	}
	typed := slices.DeleteFunc(slices.Clone(keep), func(b []*jsonschema.ValidationError) bool {
		for _, v := range b {
			if _, ok := v.ErrorKind.(*kind.Type); !ok || len(v.InstanceLocation) != len(e.InstanceLocation) {
				return false
			}
		}
		return true
	})
	if len(typed) > 0 {
		keep = typed
	}
	if len(keep) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	depth := func(b []*jsonschema.ValidationError) int {
		d := 0
		for _, v := range b {
			d = max(d, len(v.InstanceLocation))
		}
		return d
	}
	pick := keep[0]
	for _, b := range keep[1:] {
		if db, dp := depth(b), depth(pick); db > dp || db == dp && len(b) < len(pick) {
			pick = b
		}
	}
	return pick
}

// locationChecked reports a pattern violation of a runtime expression
// (correlationId, parameter or reply address location) that the model
// builder reports too, with a clearer message.
func locationChecked(e *jsonschema.ValidationError, inst any) bool {
	if _, ok := e.ErrorKind.(*kind.Pattern); !ok || len(e.InstanceLocation) == 0 || e.InstanceLocation[len(e.InstanceLocation)-1] != "location" {
		return false
	}
	v, _ := jsonptr.Pointer(e.InstanceLocation).Get(inst)
	s, ok := v.(string)
	if !ok {
		return false
	}
	_, err := ParseLocation(s)
	return err != nil
}
