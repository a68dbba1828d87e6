package mock

import (
	"errors"
	"fmt"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/schema"
)

// Errors of NewSynthesizer and Synthesizer.Value, for errors.Is.
var (
	// ErrNoSchema: the pointer names nothing in the document.
	ErrNoSchema = errors.New("mock: no schema at the pointer")
	// ErrUnsatisfiable: no value can satisfy the schema (a false schema, an
	// empty enum).
	ErrUnsatisfiable = errors.New("mock: no value satisfies the schema")
	// ErrNotValid: every synthesized value breaks the schema (see
	// Synthesizer.Value); the first one is returned anyway.
	ErrNotValid = errors.New("mock: no synthesized value validates against the schema")
)

// SynthesisError is the error of NewSynthesizer and Synthesizer.Value. It
// wraps ErrNoSchema, ErrUnsatisfiable, ErrNotValid, or a
// *schema.CompileError when the schema does not compile.
type SynthesisError struct {
	// Pointer is the schema's JSON pointer in the document.
	Pointer string
	// Violation is, for ErrNotValid, the first violation of the value
	// returned ("/orderId: must be >= 1"); it never quotes the value.
	Violation string
	Err       error
}

func (e *SynthesisError) Error() string {
	s := fmt.Sprintf("%v (schema %q)", e.Err, e.Pointer)
	if e.Violation != "" {
		s += ": " + e.Violation
	}
	return s
}

func (e *SynthesisError) Unwrap() error { return e.Err }

// Synthesizer builds values valid against one JSON Schema inside a
// document in the JSON data model (nil, bool, float64, string, []any,
// map[string]any): an AsyncAPI message payload or headers schema, say,
// taken from asyncapi.Document.Raw by pointer. It is the generator that
// synthesizes the mock server's bodies (see the package documentation,
// Responses), read as plain JSON Schema: no OpenAPI 3.0 dialect, no
// direction (readOnly and writeOnly properties are built like any other).
// The schema is compiled with package schema (JSON Schema 2020-12 unless
// its "$schema" names another draft; only local $refs are followed), and
// every value is checked against it.
//
// A Synthesizer is immutable and safe for concurrent use.
type Synthesizer struct {
	sd  schemaDoc
	ptr string
	sch any
	chk *schema.Schema // nil when the schema is larger than DefaultMaxSchemaNodes
}

// NewSynthesizer prepares the synthesis of values for the schema at
// pointer inside root ("/components/schemas/Order" or its "#" fragment
// form; "" is root itself). A schema that reaches more than
// DefaultMaxSchemaNodes JSON values through its $refs is not compiled: its
// values are not checked. The error is a *SynthesisError wrapping
// ErrNoSchema or the *schema.CompileError of a schema that does not
// compile.
func NewSynthesizer(root any, pointer string) (*Synthesizer, error) {
	ptr := pointer
	if strings.HasPrefix(ptr, "#") {
		p, err := jsonptr.ParseFragment(ptr)
		if err != nil {
			return nil, &SynthesisError{Pointer: pointer, Err: fmt.Errorf("%w: %w", ErrNoSchema, err)}
		}
		ptr = p.String()
	}
	sd := schemaDoc{root: root}
	sch, ok := sd.lookup(ptr)
	if !ok {
		return nil, &SynthesisError{Pointer: pointer, Err: ErrNoSchema}
	}
	s := &Synthesizer{sd: sd, ptr: ptr, sch: sch}
	if sd.within(ptr, DefaultMaxSchemaNodes) {
		c, err := schema.Compile(root, ptr)
		if err != nil {
			return nil, &SynthesisError{Pointer: ptr, Err: err}
		}
		s.chk = c
	}
	return s, nil
}

// Schema returns the compiled schema values are checked against, or nil
// when it was too large to compile.
func (s *Synthesizer) Schema() *schema.Schema { return s.chk }

// Value synthesizes a value for the schema. The same seed always gives the
// same value. When a value does not validate, synthesis is retried with the
// schemas' examples ignored, with required content only, and with other
// oneOf/anyOf alternatives; the first valid value is returned. When none
// validates, the first value built is returned with a *SynthesisError
// wrapping ErrNotValid, so a caller may still use it. A schema no value
// satisfies is an error wrapping ErrUnsatisfiable (and a nil value).
func (s *Synthesizer) Value(seed int64) (any, error) {
	var first any
	var firstViolation string
	for i, a := range attempts {
		g := newGen(s.sd, 0, seed, a, DefaultSynthNodes, DefaultSynthDepth)
		v, ok, _ := g.value([]any{s.sch}, 0, false, nil)
		if !ok {
			return nil, &SynthesisError{Pointer: s.ptr, Err: ErrUnsatisfiable}
		}
		if s.chk == nil {
			return v, nil
		}
		problems := schemaChecker{s.chk}.check(v)
		if len(problems) == 0 {
			return v, nil
		}
		if i == 0 {
			first = v
			firstViolation = problems[0].pointer + ": " + problems[0].message
		}
	}
	return first, &SynthesisError{Pointer: s.ptr, Violation: firstViolation, Err: ErrNotValid}
}

// Synthesize returns a value valid against the schema at pointer inside
// root, a whole document in the JSON data model: NewSynthesizer, then
// Value(seed). Callers that synthesize for one schema repeatedly should
// keep the Synthesizer, which compiles the schema once.
func Synthesize(root any, pointer string, seed int64) (any, error) {
	s, err := NewSynthesizer(root, pointer)
	if err != nil {
		return nil, err
	}
	return s.Value(seed)
}
