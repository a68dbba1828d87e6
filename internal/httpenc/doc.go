// Package httpenc serializes OpenAPI 3.x parameters and request bodies: the
// text that goes into a path, query string, header or cookie for a value in
// the JSON data model, and JSON, form, multipart and XML bodies. It knows
// nothing about OpenAPI documents (no libopenapi): the caller reads style,
// explode and allowReserved from the Parameter Object into a Param.
//
//	p := httpenc.Param{Name: "tags", In: "query"}   // style form, explode true
//	pairs, err := p.Query([]any{"a", "b"})           // tags=a, tags=b (unescaped)
//	rawQuery := httpenc.EncodeQuery(pairs)           // "tags=a&tags=b"
//
// # Values
//
// Values are nil, bool, float64 (any Go number or json.Number works),
// string, []any and map[string]any; Go slices and string-keyed maps of other
// element types are accepted too. Numbers are written in JSON form (7, not
// 7.0; 2.5; 1e+21). Object members are serialized in sorted key order (Go
// maps have none). Array items and object member values that are
// themselves arrays or objects are JSON-serialized, except under
// deepObject, which nests brackets.
//
// # nil
//
// A nil parameter value is normally omitted by the caller. If one is
// passed, it is treated as an empty value: Path gives "" (simple), "."
// (label) or ";name" (matrix); Query gives the pair name= (deepObject: no
// pair); Header gives ""; Cookie gives "name=". In bodies nil is null
// (JSON), an empty field or part (form, multipart member), an empty element
// (XML member), or an empty body (a nil form or XML payload).
//
// # Escaping
//
// Path returns percent-escaped text (only RFC 3986 unreserved characters
// are left as is inside values; the style's delimiters are literal).
// Query returns unescaped pairs; EncodeQuery escapes them (space as %20,
// reserved characters kept only with AllowReserved, "#" always escaped;
// the "|" delimiter is written %7C and deepObject brackets %5B %5D, which
// servers decode like the literal characters shown in the OpenAPI tables).
// Header values are not escaped, but CR, LF and NUL are rejected. Cookie
// values escape what RFC 6265 does not allow. Errors (*Error) name the
// parameter and the problem, never the value.
//
// The label style follows RFC 6570 and OpenAPI 3.1.1: with explode false,
// items are separated by commas (".blue,black,brown"), not dots.
package httpenc
