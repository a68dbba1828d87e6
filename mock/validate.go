package mock

import (
	"errors"

	"github.com/telaio/telaio/schema"
)

// Validation goes through package schema, which compiles OpenAPI 3.0/3.1
// Schema Objects (with the 3.0 dialect translated) from the description by
// JSON pointer, as the executor's contract checks do.

type direction = schema.Direction

const (
	dirRequest  = schema.Request
	dirResponse = schema.Response
)

// violation is one schema violation at an instance pointer.
type violation struct {
	pointer, message string
}

type checker interface {
	check(v any) []violation
}

type schemaChecker struct{ s *schema.Schema }

func (c schemaChecker) check(v any) []violation {
	err := c.s.Validate(v)
	if err == nil {
		return nil
	}
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		out := make([]violation, len(ve.Violations))
		for i, x := range ve.Violations {
			out[i] = violation{x.InstancePath, x.Message}
		}
		return out
	}
	return []violation{{"", err.Error()}}
}
