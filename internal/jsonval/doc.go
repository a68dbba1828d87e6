// Package jsonval owns the JSON data model every Telaio package works with:
// nil, bool, float64, string, []any and map[string]any. It converts Go
// values to it ([Normalize]) and decodes JSON into it ([Decode],
// [DecodeString]).
//
// Start with Decode for JSON from the outside world, such as HTTP response
// bodies:
//
//	v, err := jsonval.Decode(body)
//	var de *jsonval.DecodeError
//	if errors.As(err, &de) {
//		return fmt.Errorf("%s at byte %d of %d", de.Msg, de.Offset, len(body))
//	}
//
// # Decode and encoding/json
//
// Decode gives what json.Unmarshal into a *any gives, value for value and
// error for error (same message, same Offset): float64 numbers, U+FFFD for
// invalid UTF-8 and unpaired surrogate escapes, the last of duplicate keys,
// non-nil empty arrays and objects, the same [MaxDepth] of 10000 nested
// levels, the same rejection of numbers beyond float64 and of trailing
// data. The one difference in errors: a number out of range is repeated in
// the message only up to 64 bytes.
//
// It exists because encoding/json allocates 12 to 55 bytes per byte of a
// body made of small objects, and a polling workflow ran out of memory.
// Decode reads the input once, without reflection, and allocates less
// (BenchmarkDecode reports allocated bytes per input byte for both):
//
//   - keys are copied once per call and shared (interned), and so are
//     short string values (enumerations, identifiers repeat);
//   - the integers 0 to 1023 are shared boxed values;
//   - arrays and objects collect their elements on a scratch stack reused
//     by the whole call, then are made at their exact size.
//
// Most of what remains is the data model itself: a map[string]any of up
// to 8 keys costs 336 bytes whatever its content, so a body of tiny
// objects (`[{"a":1},...]`) still costs about 46 bytes per byte (54 with
// encoding/json).
//
// The result of Decode shares no memory with its argument. [DecodeString]
// instead shares its argument: strings without escapes are substrings of
// it, which saves their copies but keeps the whole input alive as long as
// any one of them.
package jsonval
