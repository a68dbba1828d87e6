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
// It exists because encoding/json allocates about 50 bytes per byte of a
// body made of many small objects, enough to run a polling workflow out of
// memory. Decode reads the input once, without reflection, and allocates
// much less (BenchmarkDecode reports allocated bytes per input byte for
// both decoders):
//
//   - the input is copied once into a string, and string values and keys
//     without escapes are substrings of it, not copies;
//   - keys with escapes are unescaped once per call and shared (interned);
//   - arrays and objects collect their elements on a scratch stack reused
//     by the whole call, then are made at their exact size;
//   - the integers 0 to 1023 are shared boxed values.
//
// The price of sharing: any string taken from the result keeps the whole
// input alive. A caller that keeps a small part of a large body for long
// (an output kept across many polls) should copy its strings with
// strings.Clone.
package jsonval
