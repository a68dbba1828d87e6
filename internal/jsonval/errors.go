package jsonval

import (
	"errors"
	"strconv"
)

// The kinds of [DecodeError], for errors.Is.
var (
	// ErrSyntax: the input is not JSON (a bad character, a truncated
	// document, data after the top-level value).
	ErrSyntax = errors.New("jsonval: invalid JSON")
	// ErrTooDeep: arrays and objects nest deeper than [MaxDepth].
	ErrTooDeep = errors.New("jsonval: JSON nested too deeply")
	// ErrNumberRange: a number is beyond the range of float64 (1e400).
	ErrNumberRange = errors.New("jsonval: JSON number out of range")
)

// DecodeError is the error of [Decode] and [DecodeString]. Its message and
// Offset are those of encoding/json's error for the same input
// (*json.SyntaxError, or *json.UnmarshalTypeError for a number out of
// range), so a caller can report "<Msg> at byte <Offset> of <len(input)>".
type DecodeError struct {
	// Err is the kind: ErrSyntax, ErrTooDeep or ErrNumberRange.
	Err error
	// Offset counts the bytes read when the problem was found, the
	// offending byte included; for a truncated input it is the input's
	// length.
	Offset int64
	// Msg is encoding/json's wording, e.g. "invalid character 'x' looking
	// for beginning of value" or "unexpected end of JSON input".
	Msg string
}

func (e *DecodeError) Error() string { return e.Msg }

// Unwrap returns the kind, so errors.Is(err, ErrSyntax) works.
func (e *DecodeError) Unwrap() error { return e.Err }

// maxNumberInMessage caps how much of an out-of-range number the message
// repeats: the input can be megabytes of digits.
const maxNumberInMessage = 64

func numberRangeError(num string, offset int) *DecodeError {
	if len(num) > maxNumberInMessage {
		num = num[:maxNumberInMessage] + "..."
	}
	return &DecodeError{
		Err:    ErrNumberRange,
		Offset: int64(offset),
		Msg:    "json: cannot unmarshal number " + num + " into Go value of type float64",
	}
}

// quoteChar formats c as encoding/json's scanner does in its messages.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}
