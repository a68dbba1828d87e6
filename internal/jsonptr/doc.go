// Package jsonptr implements RFC 6901 JSON Pointers over the JSON data model
// used throughout Telaio (nil, bool, float64, string, []any, map[string]any).
//
// A Pointer is the list of its reference tokens, already unescaped. Parse
// reads the string form ("" or "/a/b~1c"); ParseFragment reads the URI
// fragment form, where tokens may also be percent-encoded ("#/a%20b").
// String gives the string form back.
//
// Get follows the pointer through objects and arrays. Array indexes follow
// RFC 6901 §4: "0" or a decimal number without leading zeros; "-" (the
// element after the last) never exists for Get.
//
// Set returns a new root with the value stored at the pointer. It never
// mutates its input: every object and array on the path is copied (the rest
// is shared), so a document that other goroutines read can be used as the
// base. The parent of the target must exist; a missing object member is
// created; an array index must be in range, and "-" appends. SetCreate
// also creates the missing objects along the path.
//
//	p, _ := jsonptr.Parse("/pets/0/id")
//	v, ok := p.Get(doc)
package jsonptr
