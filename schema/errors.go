package schema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"github.com/telaio/telaio/internal/jsonptr"
)

// Violation is one failed constraint.
type Violation struct {
	// InstancePath is a JSON pointer into the validated value ("" = the
	// value itself).
	InstancePath string
	// SchemaPath is the absolute keyword location in the document the
	// schema was compiled from, as "#" followed by an unencoded JSON pointer,
	// e.g. "#/components/schemas/Pet/properties/age/type". References are
	// followed, so it names the keyword that failed, not the path taken.
	SchemaPath string
	// Message describes the constraint and, at most, the JSON type of the
	// value. It never quotes instance values (they can be secrets).
	Message string
}

// String renders the violation as "at /age: expected integer, got string".
func (v Violation) String() string {
	at := v.InstancePath
	if at == "" {
		at = "(root)"
	}
	return "at " + at + ": " + v.Message
}

// ValidationError lists every violation found in a value. Violations are
// sorted by instance path, then schema path.
type ValidationError struct {
	Violations []Violation
}

// Error lists the violations one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		lines[i] = v.String()
	}
	return strings.Join(lines, "\n")
}

// CompileError reports a schema that cannot be compiled.
type CompileError struct {
	// Pointer is the requested schema's location in the document.
	Pointer string
	// Reason is a short description; Err, when set, is the cause.
	Reason string
	Err    error
}

func (e *CompileError) Error() string {
	s := "schema: compile #" + e.Pointer + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *CompileError) Unwrap() error { return e.Err }

// RefError is a $ref that cannot be resolved: a remote reference (never
// fetched) or a pointer to nothing.
type RefError struct {
	Ref    string // as written (or the absolute URL the library asked for)
	Reason string
}

func (e *RefError) Error() string { return fmt.Sprintf("$ref %q: %s", e.Ref, e.Reason) }

// --- converting the library's error tree ---

type leaf struct {
	v       Violation
	typeErr *kind.Type
}

func (d *docInfo) convert(err *jsonschema.ValidationError) *ValidationError {
	var leaves []leaf
	d.flatten(err, &leaves)
	out := &ValidationError{Violations: make([]Violation, 0, len(leaves))}
	seen := map[Violation]bool{}
	for _, l := range leaves {
		if !seen[l.v] {
			seen[l.v] = true
			out.Violations = append(out.Violations, l.v)
		}
	}
	sort.SliceStable(out.Violations, func(i, j int) bool {
		a, b := out.Violations[i], out.Violations[j]
		if a.InstancePath != b.InstancePath {
			return a.InstancePath < b.InstancePath
		}
		if a.SchemaPath != b.SchemaPath {
			return a.SchemaPath < b.SchemaPath
		}
		return a.Message < b.Message
	})
	return out
}

// schemaPath maps a library schema URL plus keyword path to
// "#<pointer in the original doc>".
func (d *docInfo) schemaPath(loc string, kw []string) string {
	var sb strings.Builder
	for _, k := range kw {
		sb.WriteByte('/')
		sb.WriteString(jsonptr.EscapeToken(k))
	}
	p, ok := d.b.docPointer(loc)
	if !ok {
		return loc + sb.String() // a resource with its own $id
	}
	return "#" + d.b.originalPointer(p+sb.String())
}

func (d *docInfo) flatten(e *jsonschema.ValidationError, out *[]leaf) {
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.AllOf, *kind.Reference:
		for _, c := range e.Causes {
			d.flatten(c, out)
		}
		return
	case *kind.AnyOf:
		d.alternatives(e, "anyOf", out)
		return
	case *kind.OneOf:
		if len(k.Subschemas) == 0 {
			d.alternatives(e, "oneOf", out)
			return
		}
	}
	if len(e.Causes) > 0 {
		if _, ok := e.ErrorKind.(*kind.PropertyNames); !ok {
			for _, c := range e.Causes {
				d.flatten(c, out)
			}
			return
		}
	}
	d.leaves(e, out)
}

// alternatives reports a failed anyOf/oneOf. When exactly one alternative
// accepts the value's type (the others fail on `type` alone, like the null
// branch of a nullable), that alternative's violations are reported;
// otherwise one violation names the combinator.
func (d *docInfo) alternatives(e *jsonschema.ValidationError, kw string, out *[]leaf) {
	at := jsonptr.Pointer(e.InstanceLocation).String()
	var candidates [][]leaf
	var wants []string
	var got string
	for _, c := range e.Causes {
		var ls []leaf
		d.flatten(c, &ls)
		if len(ls) == 1 && ls[0].typeErr != nil && ls[0].v.InstancePath == at {
			wants = append(wants, ls[0].typeErr.Want...)
			got = ls[0].typeErr.Got
			continue
		}
		candidates = append(candidates, ls)
	}
	sp := d.schemaPath(e.SchemaURL, []string{kw})
	switch {
	case len(candidates) == 1:
		*out = append(*out, candidates[0]...)
	case len(candidates) == 0 && len(wants) > 0:
		*out = append(*out, leaf{v: Violation{at, sp, "expected " + joinTypes(wants) + ", got " + got}})
	default:
		*out = append(*out, leaf{v: Violation{at, sp, fmt.Sprintf("does not match any of the %d alternatives of %s", len(e.Causes), kw)}})
	}
}

func joinTypes(ts []string) string {
	seen := map[string]bool{}
	var u []string
	for _, t := range ts {
		if !seen[t] && t != "null" {
			seen[t] = true
			u = append(u, t)
		}
	}
	for _, t := range ts {
		if t == "null" {
			u = append(u, t)
			break
		}
	}
	return strings.Join(u, " or ")
}

func (d *docInfo) leaves(e *jsonschema.ValidationError, out *[]leaf) {
	at := jsonptr.Pointer(e.InstanceLocation).String()
	kw := e.ErrorKind.KeywordPath()
	add := func(at string, kw []string, msg string) {
		*out = append(*out, leaf{v: Violation{at, d.schemaPath(e.SchemaURL, kw), msg}})
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		*out = append(*out, leaf{v: Violation{at, d.schemaPath(e.SchemaURL, kw), "expected " + strings.Join(k.Want, " or ") + ", got " + k.Got}, typeErr: k})
	case *kind.Required:
		for _, m := range k.Missing {
			add(at, kw, "missing required property "+strconv.Quote(m))
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			add(at+"/"+jsonptr.EscapeToken(p), kw, "property is not allowed (additionalProperties)")
		}
	case *kind.PropertyNames:
		add(at+"/"+jsonptr.EscapeToken(k.Property), kw, "property name does not match propertyNames")
	case *kind.FalseSchema:
		msg := "no value is allowed here"
		if f, ok := d.forbidden(e.SchemaURL); ok {
			if f == "readOnly" {
				msg = "property is readOnly and must not be sent in a request"
			} else {
				msg = "property is writeOnly and must not appear in a response"
			}
		}
		add(at, kw, msg)
	default:
		add(at, kw, message(e.ErrorKind))
	}
}

func message(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Enum:
		return "must be " + oneOf(k.Want)
	case *kind.Const:
		return "must be " + oneOf([]any{k.Want})
	case *kind.Format:
		return "is not a valid " + strconv.Quote(k.Want)
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.Pattern:
		return "does not match pattern " + strconv.Quote(k.Want)
	case *kind.Minimum:
		return "must be >= " + rat(k.Want)
	case *kind.Maximum:
		return "must be <= " + rat(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be > " + rat(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be < " + rat(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + rat(k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("has %d items, want at least %d", k.Got, k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("has %d items, want at most %d", k.Got, k.Want)
	case *kind.MinProperties:
		return fmt.Sprintf("has %d properties, want at least %d", k.Got, k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("has %d properties, want at most %d", k.Got, k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("items %d and %d are equal (uniqueItems)", k.Duplicates[0], k.Duplicates[1])
	case *kind.Contains:
		return "no item matches the contains schema"
	case *kind.MinContains:
		return fmt.Sprintf("%d items match the contains schema, want at least %d", len(k.Got), k.Want)
	case *kind.MaxContains:
		return fmt.Sprintf("%d items match the contains schema, want at most %d", len(k.Got), k.Want)
	case *kind.AdditionalItems:
		return fmt.Sprintf("%d additional items are not allowed", k.Count)
	case *kind.Dependency:
		return fmt.Sprintf("property %q requires %s", k.Prop, quoteAll(k.Missing))
	case *kind.DependentRequired:
		return fmt.Sprintf("property %q requires %s", k.Prop, quoteAll(k.Missing))
	case *kind.Not:
		return "must not match the schema in \"not\""
	case *kind.OneOf:
		return fmt.Sprintf("matches more than one alternative of oneOf (%d and %d)", k.Subschemas[0], k.Subschemas[1])
	case *kind.AnyOf:
		return "does not match any alternative of anyOf"
	case *kind.RefCycle:
		return "reference cycle"
	case *kind.InvalidJsonValue:
		return fmt.Sprintf("a Go %T is not a JSON value", k.Value)
	case *kind.ContentEncoding:
		return "is not " + strconv.Quote(k.Want) + " encoded"
	case *kind.ContentMediaType:
		return "is not of media type " + strconv.Quote(k.Want)
	case *kind.ContentSchema:
		return "decoded content does not match contentSchema"
	}
	if kw := k.KeywordPath(); len(kw) > 0 {
		return "fails " + strconv.Quote(strings.Join(kw, "/"))
	}
	return "validation failed"
}

// oneOf renders allowed values (schema data, never instance data).
func oneOf(vals []any) string {
	if len(vals) > 20 {
		return fmt.Sprintf("one of the %d allowed values", len(vals))
	}
	parts := make([]string, 0, len(vals))
	for _, v := range vals {
		b, err := json.Marshal(v)
		if err != nil || len(b) > 80 {
			return fmt.Sprintf("one of the %d allowed values", len(vals))
		}
		parts = append(parts, string(b))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "one of " + strings.Join(parts, ", ")
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func rat(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}
