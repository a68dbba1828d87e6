package stytchfake

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/telaio/telaio/internal/jsonptr"
	"github.com/telaio/telaio/internal/yamlx"
	"github.com/telaio/telaio/schema"
	"github.com/telaio/telaio/specs"
)

// Spec holds the compiled request-body and 200-response schemas of the four
// operations, taken from an OpenAPI description (the bundled Stytch B2B
// one). It is immutable and safe for concurrent use; share one between
// servers.
type Spec struct {
	ops map[string]*opSchemas
}

type opSchemas struct {
	request, response *schema.Schema
}

// maxViolationsInMessage bounds how many schema violations an error
// message lists.
const maxViolationsInMessage = 5

// BundledSpec is the Spec of the Stytch B2B description bundled in package
// specs, decoded and compiled once per process (a Spec is read-only and
// safe for concurrent use).
func BundledSpec() (*Spec, error) { return bundledSpec() }

var bundledSpec = sync.OnceValues(func() (*Spec, error) {
	src, err := specs.FS.ReadFile(specs.StytchOpenAPI)
	if err != nil {
		return nil, err
	}
	return LoadSpec(src)
})

// LoadSpec decodes an OpenAPI document (YAML or JSON) and compiles the
// schemas the fake validates with.
func LoadSpec(src []byte) (*Spec, error) {
	root, err := yamlx.Decode(src)
	if err != nil {
		return nil, fmt.Errorf("stytchfake: decoding the OpenAPI description: %w", err)
	}
	return SpecFromDocument(root)
}

// SpecFromDocument compiles the schemas from an OpenAPI document already
// decoded to JSON-model values. Each of the four operations must be a POST
// at the path the fake serves, with an application/json request body and
// 200 response.
func SpecFromDocument(root any) (*Spec, error) {
	oa, err := schema.NewOpenAPI(root)
	if err != nil {
		return nil, fmt.Errorf("stytchfake: %w", err)
	}
	paths, _ := mapAt(root, "paths")
	sp := &Spec{ops: map[string]*opSchemas{}}
	for _, op := range operations {
		item, _ := mapAt(paths, op.path)
		post, _ := mapAt(item, "post")
		if id, _ := post["operationId"].(string); id != op.id {
			return nil, fmt.Errorf("stytchfake: the OpenAPI description has no operation %s at POST %s", op.id, op.path)
		}
		base := "/paths/" + jsonptr.EscapeToken(op.path) + "/post"
		req, err := oa.Compile(base+"/requestBody/content/application~1json/schema", schema.Request)
		if err != nil {
			return nil, fmt.Errorf("stytchfake: %s request schema: %w", op.id, err)
		}
		resp, err := oa.Compile(base+"/responses/200/content/application~1json/schema", schema.Response)
		if err != nil {
			return nil, fmt.Errorf("stytchfake: %s response schema: %w", op.id, err)
		}
		sp.ops[op.id] = &opSchemas{request: req, response: resp}
	}
	return sp, nil
}

// ValidateRequest checks a decoded request body against the operation's
// request schema; the error is a *schema.ValidationError.
func (sp *Spec) ValidateRequest(operationID string, body any) error {
	o, err := sp.op(operationID)
	if err != nil {
		return err
	}
	return o.request.Validate(body)
}

// ValidateResponse checks a decoded 200 response body against the
// operation's response schema; the error is a *schema.ValidationError.
func (sp *Spec) ValidateResponse(operationID string, body any) error {
	o, err := sp.op(operationID)
	if err != nil {
		return err
	}
	return o.response.Validate(body)
}

func (sp *Spec) op(id string) (*opSchemas, error) {
	o := sp.ops[id]
	if o == nil {
		return nil, fmt.Errorf("stytchfake: unknown operation %q", id)
	}
	return o, nil
}

// checkRequest turns a request-schema failure into a 400 bad_request whose
// message lists the violations (paths and constraints, never values).
func (sp *Spec) checkRequest(opID string, body any) *apiError {
	err := sp.ValidateRequest(opID, body)
	if err == nil {
		return nil
	}
	var ve *schema.ValidationError
	if !errors.As(err, &ve) {
		return internalError()
	}
	var b strings.Builder
	b.WriteString("The request body does not match the request schema: ")
	for i, v := range ve.Violations {
		if i == maxViolationsInMessage {
			fmt.Fprintf(&b, "; and %d more", len(ve.Violations)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		at := v.InstancePath
		if at == "" {
			at = "/"
		}
		fmt.Fprintf(&b, "at %s: %s", at, v.Message)
	}
	b.WriteString(".")
	return &apiError{status: http.StatusBadRequest, typ: ErrorTypeBadRequest, message: b.String()}
}

func mapAt(v any, key string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out, ok := m[key].(map[string]any)
	return out, ok
}
