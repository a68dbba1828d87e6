package expr

import (
	"fmt"
	"strings"

	"github.com/telaio/telaio/internal/jsonptr"
)

// Kind says which source a runtime expression reads.
type Kind uint8

// The kinds of runtime expression.
const (
	KindInvalid            Kind = iota
	KindURL                     // $url
	KindMethod                  // $method
	KindStatusCode              // $statusCode
	KindRequestHeader           // $request.header.<token>
	KindRequestQuery            // $request.query.<name>
	KindRequestPath             // $request.path.<name>
	KindRequestBody             // $request.body[#<pointer>]
	KindResponseHeader          // $response.header.<token>
	KindResponseBody            // $response.body[#<pointer>]
	KindInputs                  // $inputs.<name>[#<pointer>]
	KindOutputs                 // $outputs.<name>[#<pointer>]
	KindSteps                   // $steps.<stepId>.outputs.<name>[#<pointer>]
	KindWorkflows               // $workflows.<workflowId>.(inputs|outputs).<name>[#<pointer>]
	KindSourceDescriptions      // $sourceDescriptions.<name>.<reference>
	KindComponents              // $components.(parameters|successActions|failureActions).<key>
	KindMessageHeader           // $message.header.<token> (Arazzo 1.1)
	KindMessagePayload          // $message.payload[#<pointer>] (Arazzo 1.1)
	KindSelf                    // $self (Arazzo 1.1)
)

var kindNames = [...]string{
	KindInvalid:            "invalid",
	KindURL:                "$url",
	KindMethod:             "$method",
	KindStatusCode:         "$statusCode",
	KindRequestHeader:      "$request.header",
	KindRequestQuery:       "$request.query",
	KindRequestPath:        "$request.path",
	KindRequestBody:        "$request.body",
	KindResponseHeader:     "$response.header",
	KindResponseBody:       "$response.body",
	KindInputs:             "$inputs",
	KindOutputs:            "$outputs",
	KindSteps:              "$steps",
	KindWorkflows:          "$workflows",
	KindSourceDescriptions: "$sourceDescriptions",
	KindComponents:         "$components",
	KindMessageHeader:      "$message.header",
	KindMessagePayload:     "$message.payload",
	KindSelf:               "$self",
}

// String returns the expression prefix the kind stands for, such as
// "$response.body" or "$steps".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Expr is a parsed runtime expression. Parse fills it; it is immutable
// afterwards and safe to share between goroutines.
type Expr struct {
	Kind Kind
	// Raw is the expression as written.
	Raw string
	// ID is the step id ($steps), workflow id ($workflows), source
	// description name ($sourceDescriptions) or component type ($components:
	// "parameters", "successActions" or "failureActions").
	ID string
	// Field is "outputs" for $steps and "inputs" or "outputs" for $workflows.
	Field string
	// Name is the header name (as written; header names are
	// case-insensitive), query or path parameter name, input or output name,
	// component key, or source description reference (an operationId, a
	// workflowId or a field such as "url").
	Name string
	// Pointer is the JSON pointer after '#', for the kinds that take one.
	Pointer jsonptr.Pointer
	// HasPointer reports whether '#' was present. "$response.body#" has
	// HasPointer true and an empty Pointer: the whole body.
	HasPointer bool
	// Lenient is set, only under the Lenient option, when the text uses a
	// form outside the standard grammar that real documents write, and
	// Standard is then the standard text to suggest instead:
	//
	//   - dot navigation after body or payload: "$response.body.a.b[0]" is
	//     read as "$response.body#/a/b/0" (Pointer /a/b/0), and Standard is
	//     that text;
	//   - a name holding navigation: "$inputs.a.b" or
	//     "$steps.s.outputs.list[0]" keep the name as written ("a.b",
	//     resolved by the longest defined name, D3) and Standard is
	//     "$inputs.a#/b". Such a name is also standard syntax, for an input
	//     or output literally named "a.b"; a validator that knows the names
	//     warns only when the whole name is not defined.
	Lenient bool
	// Standard is the standard form of a lenient expression, or "".
	Standard string
}

// SyntaxError reports why a string is not a runtime expression.
type SyntaxError struct {
	// Offset is the byte offset in Expr of the problem.
	Offset int
	// Msg describes the problem.
	Msg string
	// Expr is the text that was parsed.
	Expr string
	// Err is a *LimitError when the text is over one of the limits (then
	// Offset is where the limit was passed), else nil.
	Err error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Unwrap returns Err.
func (e *SyntaxError) Unwrap() error { return e.Err }

// String returns the expression's text. For an Expr returned by Parse it is
// equal to Raw, except for the lenient body and payload forms, for which it
// is the standard form; for one built by hand it is assembled from the
// fields.
func (e *Expr) String() string {
	if e == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString(e.Kind.String())
	switch e.Kind {
	case KindURL, KindMethod, KindStatusCode, KindSelf:
	case KindRequestBody, KindResponseBody, KindMessagePayload:
	case KindSteps, KindWorkflows:
		b.WriteByte('.')
		b.WriteString(e.ID)
		b.WriteByte('.')
		b.WriteString(e.Field)
		b.WriteByte('.')
		b.WriteString(e.Name)
	case KindSourceDescriptions, KindComponents:
		b.WriteByte('.')
		b.WriteString(e.ID)
		b.WriteByte('.')
		b.WriteString(e.Name)
	default:
		b.WriteByte('.')
		b.WriteString(e.Name)
	}
	if e.HasPointer {
		b.WriteByte('#')
		b.WriteString(e.Pointer.String())
	}
	return b.String()
}

// takesPointer reports whether the kind may carry a '#' JSON pointer.
func (k Kind) takesPointer() bool {
	switch k {
	case KindRequestBody, KindResponseBody, KindMessagePayload, KindInputs, KindOutputs, KindSteps, KindWorkflows:
		return true
	}
	return false
}

// isBody reports whether the kind reads a request or response body or a
// message payload, which a resolver may return undecoded.
func (k Kind) isBody() bool {
	return k == KindRequestBody || k == KindResponseBody || k == KindMessagePayload
}
