package jsonval

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// MaxDepth is how deep arrays and objects may nest: encoding/json's limit.
// The container that opens level MaxDepth+1 is an error (ErrTooDeep).
const MaxDepth = 10000

// Decode decodes one JSON document into the JSON data model: nil, bool,
// float64, string, []any and map[string]any, exactly as json.Unmarshal into
// a *any does (same values, same errors), allocating less.
//
// The result shares no memory with data, which may be reused as soon as
// Decode returns; data must not change while Decode runs. Decode copies
// each object key once per call (keys are interned) and each distinct
// short string value once per call; other strings are copied one by one.
//
// The error is a *DecodeError.
func Decode(data []byte) (any, error) {
	d := decoder{s: unsafe.String(unsafe.SliceData(data), len(data)), borrowed: true}
	return d.decode()
}

// DecodeString is [Decode] for a string, which it shares instead of
// copying: string values and keys written without escapes are substrings
// of s, so any string taken from the result keeps the whole of s alive.
// It suits a caller that holds the input as a string anyway and keeps the
// result no longer than the input; strings.Clone detaches a string that
// must outlive them.
func DecodeString(s string) (any, error) {
	d := decoder{s: s}
	return d.decode()
}

func (d *decoder) decode() (any, error) {
	d.skipSpace()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.i < len(d.s) {
		return nil, d.syntaxError("after top-level value")
	}
	if d.rangeErr != nil {
		return nil, d.rangeErr
	}
	return v, nil
}

// decoder is the state of one call. Arrays and objects collect their
// elements on the shared stacks elems and pairs, then move them to a slice
// or map of the exact size.
type decoder struct {
	s     string
	i     int // next byte of s
	depth int

	// borrowed is set when s is the caller's []byte: strings of the
	// result must not share its memory.
	borrowed bool

	elems stack[any]
	pairs stack[pair]
	buf   []byte // unescaped string being built
	keys  [internedKeys]string
	boxed [boxedStrings]boxedString

	// rangeErr is the first number out of range: encoding/json reports it
	// only when the whole input is valid JSON, so decoding goes on.
	rangeErr *DecodeError
}

type pair struct {
	key string
	val any
}

// syntaxError reports the byte at d.i, encoding/json's way: at the end of
// the input the scanner is fed a space, so a state where a space is
// allowed reports "unexpected end of JSON input" and the others an
// invalid ' '.
func (d *decoder) syntaxError(context string) *DecodeError {
	if d.i >= len(d.s) {
		return d.endError()
	}
	return &DecodeError{Err: ErrSyntax, Offset: int64(d.i) + 1, Msg: "invalid character " + quoteChar(d.s[d.i]) + " " + context}
}

// literalError reports the byte at d.i in a state where a space is not
// allowed (inside a number, a literal, an escape).
func (d *decoder) literalError(context string) *DecodeError {
	if d.i >= len(d.s) {
		return &DecodeError{Err: ErrSyntax, Offset: int64(len(d.s)), Msg: "invalid character ' ' " + context}
	}
	return d.syntaxError(context)
}

func (d *decoder) endError() *DecodeError {
	return &DecodeError{Err: ErrSyntax, Offset: int64(len(d.s)), Msg: "unexpected end of JSON input"}
}

func (d *decoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value starting at d.i (after white space).
func (d *decoder) value() (any, error) {
	if d.i >= len(d.s) {
		return nil, d.endError()
	}
	switch c := d.s[d.i]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		return d.str()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return d.number()
		}
		return nil, d.syntaxError("looking for beginning of value")
	}
}

func (d *decoder) literal(lit string) error {
	d.i++
	for k := 1; k < len(lit); k++ {
		if d.i >= len(d.s) || d.s[d.i] != lit[k] {
			return d.literalError("in literal " + lit + " (expecting " + quoteChar(lit[k]) + ")")
		}
		d.i++
	}
	return nil
}

// enter counts one more level of nesting, d.i on the opening byte.
func (d *decoder) enter() error {
	d.depth++
	if d.depth > MaxDepth {
		e := d.syntaxError("exceeded max depth")
		e.Err = ErrTooDeep
		return e
	}
	d.i++
	d.skipSpace()
	return nil
}

func (d *decoder) array() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		d.depth--
		return make([]any, 0), nil
	}
	base := d.elems.mark()
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.elems.push(v)
		d.skipSpace()
		if d.i >= len(d.s) {
			return nil, d.endError()
		}
		if c := d.s[d.i]; c == ']' {
			d.i++
			break
		} else if c != ',' {
			return nil, d.syntaxError("after array element")
		}
		d.i++
		d.skipSpace()
	}
	out := make([]any, d.elems.since(base))
	n := 0
	for i := base.chunk; i <= d.elems.top; i++ {
		n += copy(out[n:], d.elems.part(base, i))
	}
	d.elems.popTo(base)
	d.depth--
	return out, nil
}

func (d *decoder) object() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		d.depth--
		return make(map[string]any), nil
	}
	base := d.pairs.mark()
	for {
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, d.syntaxError("looking for beginning of object key string")
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, d.syntaxError("after object key")
		}
		d.i++
		d.skipSpace()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.pairs.push(pair{k, v})
		d.skipSpace()
		if d.i >= len(d.s) {
			return nil, d.endError()
		}
		if c := d.s[d.i]; c == '}' {
			d.i++
			break
		} else if c != ',' {
			return nil, d.syntaxError("after object key:value pair")
		}
		d.i++
		d.skipSpace()
	}
	// Duplicate keys make the hint too large, never too small; the last
	// one wins as in encoding/json.
	m := make(map[string]any, d.pairs.since(base))
	for i := base.chunk; i <= d.pairs.top; i++ {
		for _, p := range d.pairs.part(base, i) {
			m[p.key] = p.val
		}
	}
	d.pairs.popTo(base)
	d.depth--
	return m, nil
}

// strByte classifies the bytes of a string literal: 0 is plain ASCII.
var strByte = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = strControl
	}
	t['"'] = strQuote
	t['\\'] = strEscape
	for c := 0x80; c < 0x100; c++ {
		t[c] = strNonASCII
	}
	return t
}()

const (
	strControl = 1 + iota
	strQuote
	strEscape
	strNonASCII
)

// scanString checks the string literal at d.i (on its opening quote) and
// leaves d.i after its closing quote. It returns the text between the
// quotes and whether it must be unescaped (escapes or invalid UTF-8).
func (d *decoder) scanString() (raw string, slow bool, err error) {
	s := d.s
	start := d.i + 1
	i := start
	escaped, nonASCII := false, false
	for {
		for i < len(s) && strByte[s[i]] == 0 {
			i++
		}
		if i >= len(s) {
			d.i = i
			return "", false, d.endError()
		}
		switch strByte[s[i]] {
		case strQuote:
			raw = s[start:i]
			d.i = i + 1
			return raw, escaped || nonASCII && !utf8.ValidString(raw), nil
		case strNonASCII:
			nonASCII = true
			i++
		case strControl:
			d.i = i
			return "", false, d.syntaxError("in string literal")
		case strEscape:
			escaped = true
			i++
			if i >= len(s) {
				d.i = i
				return "", false, d.literalError("in string escape code")
			}
			switch s[i] {
			case 'b', 'f', 'n', 'r', 't', '\\', '/', '"':
				i++
			case 'u':
				i++
				for range 4 {
					if i >= len(s) || !isHex(s[i]) {
						d.i = i
						return "", false, d.literalError(`in \u hexadecimal character escape`)
					}
					i++
				}
			default:
				d.i = i
				return "", false, d.syntaxError("in string escape code")
			}
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// str decodes a string value, boxed. Short strings are boxed once per
// call and shared, as many values repeat (enumerations, identifiers).
func (d *decoder) str() (any, error) {
	raw, slow, err := d.scanString()
	if err != nil {
		return nil, err
	}
	v := d.view(raw, slow)
	if len(v) == 0 {
		return "", nil // boxing "" allocates nothing
	}
	if len(v) > maxBoxedString {
		return d.keep(v, slow), nil
	}
	e := &d.boxed[hash(v)&(len(d.boxed)-1)]
	if e.v != nil && e.s == v {
		return e.v, nil
	}
	k := d.keep(v, slow)
	e.s, e.v = k, k
	return e.v, nil
}

// key decodes an object key. Keys that must be copied are copied once per
// call and shared (interned), as objects repeat keys.
func (d *decoder) key() (string, error) {
	raw, slow, err := d.scanString()
	if err != nil || !slow && !d.borrowed {
		return raw, err
	}
	v := d.view(raw, slow)
	e := &d.keys[hash(v)&(len(d.keys)-1)]
	if *e == v {
		return *e, nil
	}
	*e = strings.Clone(v)
	return *e, nil
}

// view returns the text of a string literal: raw itself, or unescaped in
// d.buf, valid until the next string.
func (d *decoder) view(raw string, slow bool) string {
	if !slow {
		return raw
	}
	b := d.unescape(raw)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// keep returns a string of the result: v itself when it is a substring of
// an input that may be shared, else a copy.
func (d *decoder) keep(v string, slow bool) string {
	if slow || d.borrowed {
		return strings.Clone(v)
	}
	return v
}

// The caches of a call: direct-mapped tables in the decoder, which stays
// on the stack. A miss (a collision) only costs the copy a cache saves.
const (
	boxedStrings   = 64
	maxBoxedString = 32
	internedKeys   = 128
)

type boxedString struct {
	s string
	v any
}

// hash is FNV-1a over the first 32 bytes of s and its length.
func hash(s string) int {
	h := uint32(2166136261) ^ uint32(len(s))
	for _, c := range []byte(s[:min(len(s), 32)]) {
		h = (h ^ uint32(c)) * 16777619
	}
	return int(h ^ h>>16)
}

// unescape decodes the text of a valid string literal into d.buf as
// encoding/json does: invalid UTF-8 bytes and unpaired surrogate escapes
// become U+FFFD.
func (d *decoder) unescape(raw string) []byte {
	b := d.buf[:0]
	for r := 0; r < len(raw); {
		// Copy a run of plain ASCII at once.
		run := r
		for run < len(raw) && strByte[raw[run]] == 0 {
			run++
		}
		b = append(b, raw[r:run]...)
		r = run
		if r >= len(raw) {
			break
		}
		c := raw[r]
		if c != '\\' {
			// Valid literals hold no quote or control byte here.
			rr, size := utf8.DecodeRuneInString(raw[r:])
			if rr == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, raw[r:r+size]...)
			}
			r += size
			continue
		}
		switch e := raw[r+1]; e {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			rr := getu4(raw[r:])
			r += 6
			if utf16.IsSurrogate(rr) {
				if dec := utf16.DecodeRune(rr, getu4(raw[r:])); dec != unicode.ReplacementChar {
					r += 6
					b = utf8.AppendRune(b, dec)
					continue
				}
				rr = unicode.ReplacementChar
			}
			b = utf8.AppendRune(b, rr)
			continue
		default: // '"', '\\', '/'
			b = append(b, e)
		}
		r += 2
	}
	d.buf = b
	return b
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s string) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// number decodes the number at d.i. Integers of up to 15 digits are exact
// in a float64 and skip strconv.
func (d *decoder) number() (any, error) {
	s := d.s
	start := d.i
	i := start
	neg := s[i] == '-'
	if neg {
		i++
	}
	digits := i
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		d.i = i
		return nil, d.literalError("in numeric literal")
	}
	intEnd := i
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			d.i = i
			return nil, d.literalError("after decimal point in numeric literal")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			d.i = i
			return nil, d.literalError("in exponent of numeric literal")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	d.i = i
	if i == intEnd && intEnd-digits <= 15 {
		var n int64
		for _, c := range []byte(s[digits:intEnd]) {
			n = n*10 + int64(c-'0')
		}
		if neg {
			if n == 0 {
				return negZero, nil
			}
			n = -n
		}
		if 0 <= n && n < int64(len(smallInts)) {
			return smallInts[n], nil
		}
		return float64(n), nil
	}
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil {
		if d.rangeErr == nil {
			// encoding/json's offset: past the byte after the number.
			d.rangeErr = numberRangeError(s[start:i], i+1)
		}
		return nil, nil
	}
	return f, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// smallInts holds the boxed float64 values 0 to 1023, so that common small
// numbers cost no allocation. Read-only after initialization.
var smallInts = func() (t [1024]any) {
	for i := range t {
		t[i] = float64(i)
	}
	return t
}()

var negZero any = math.Copysign(0, -1)
