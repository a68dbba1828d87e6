package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/telaio/telaio/internal/jsonptr"
)

// Parse parses a bare runtime expression, such as "$statusCode" or
// "$steps.login.outputs.token". The whole string must be the expression:
// surrounding whitespace, operators and "{...}" braces are errors. The error
// is always a *SyntaxError. See the package documentation for the grammar
// and the decisions it takes. An expression longer than
// DefaultMaxExpressionLength is an error with a *LimitError inside; ParseWith
// takes options to change the limit.
func Parse(s string) (*Expr, error) {
	// Small enough to be inlined, so that e may stay on the caller's stack.
	e := new(Expr)
	if err := parseInto(e, s); err != nil {
		return nil, err
	}
	return e, nil
}

// ParseWith is Parse with the options opts: MaxExpressionLength, and the
// grammar (ArazzoVersion, Lenient).
func ParseWith(s string, opts ...Option) (*Expr, error) {
	return parseG(s, grammarOf(opts))
}

// grammar is what parsing an expression depends on: the length limit, the
// Arazzo version, and whether the lenient forms are accepted.
type grammar struct {
	max          int
	v11, lenient bool
}

var defaultGrammar = grammar{max: DefaultMaxExpressionLength}

// grammarOf returns the grammar that opts set.
func grammarOf(opts []Option) grammar {
	if len(opts) == 0 {
		return defaultGrammar
	}
	return newLimits(opts).grammar()
}

func (l limits) grammar() grammar { return grammar{max: l.maxExpr, v11: l.v11, lenient: l.lenient} }

// parseG is Parse with the grammar given.
func parseG(s string, g grammar) (*Expr, error) {
	e := new(Expr)
	if err := parseIntoG(e, s, g); err != nil {
		return nil, err
	}
	return e, nil
}

// exprParser holds the text being parsed, for error reporting, and the
// grammar.
type exprParser struct {
	s            string
	v11, lenient bool
}

func (p exprParser) errorf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...), Expr: p.s}
}

// canonical prefixes after '$'.
var topWords = []string{"url", "method", "statusCode", "request", "response", "inputs", "outputs",
	"steps", "workflows", "sourceDescriptions", "components"}

// topWords11 are the prefixes of Arazzo 1.1.
var topWords11 = append(append([]string(nil), topWords...), "message", "self")

// upgradeHint ends the messages about Arazzo 1.1 syntax in a 1.0 document.
const upgradeHint = "declare arazzo: 1.1.0 to use it (telaio upgrade converts a 1.0 document)"

// parseInto parses s into e with the default limit. It is not inlined, to
// keep Parse small enough to be.
//
//go:noinline
func parseInto(e *Expr, s string) error {
	return parseIntoMax(e, s, DefaultMaxExpressionLength)
}

func parseIntoMax(e *Expr, s string, max int) error {
	return parseIntoG(e, s, grammar{max: max})
}

func parseIntoG(e *Expr, s string, g grammar) error {
	p := exprParser{s: s, v11: g.v11, lenient: g.lenient}
	e.Raw = s
	if len(s) > g.max {
		return tooLong(CodeExpressionTooLong, "the runtime expression", s, g.max)
	}
	if s == "" {
		return p.errorf(0, "empty runtime expression")
	}
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				return p.errorf(i, "invalid UTF-8")
			}
			i += n
		}
	}
	if s[0] != '$' {
		if s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' {
			return p.errorf(0, "a runtime expression cannot start with whitespace")
		}
		if s[0] == '{' && strings.HasPrefix(s, "{$") {
			return p.errorf(0, "a runtime expression cannot be wrapped in braces here; {$...} is only for embedding in a string")
		}
		return p.errorf(0, `a runtime expression starts with "$"`)
	}
	j := 1 + asciiLetters(s[1:])
	word := s[1:j]
	switch word {
	case "url", "method", "statusCode":
		switch word {
		case "url":
			e.Kind = KindURL
		case "method":
			e.Kind = KindMethod
		default:
			e.Kind = KindStatusCode
		}
		if j != len(s) {
			return p.errorf(j, "unexpected %s after $%s", quoteRest(s[j:]), word)
		}
		return nil
	case "request", "response":
		if err := p.dot(j, "$", word, "header, query, path or body"); err != nil {
			return err
		}
		return p.source(e, j+1, word == "request")
	case "inputs", "outputs":
		e.Kind = KindInputs
		what := "input"
		if word == "outputs" {
			e.Kind = KindOutputs
			what = "output"
		}
		if err := p.dot(j, "$", word, "a name"); err != nil {
			return err
		}
		if p.v11 {
			name := "input name"
			if e.Kind == KindOutputs {
				name = "output name"
			}
			return p.keyAndPointer(e, j+1, name)
		}
		return p.nameAndPointer(e, j+1, what)
	case "steps":
		e.Kind = KindSteps
		return p.steps(e, j)
	case "workflows":
		e.Kind = KindWorkflows
		return p.workflows(e, j)
	case "sourceDescriptions":
		e.Kind = KindSourceDescriptions
		return p.sourceDescriptions(e, j)
	case "components":
		e.Kind = KindComponents
		return p.components(e, j)
	case "message":
		if !p.v11 {
			return p.errorf(0, "$message is Arazzo 1.1 syntax, for AsyncAPI messages (it was removed in Arazzo 1.0.1): %s", upgradeHint)
		}
		if err := p.dot(j, "$", word, "header or payload"); err != nil {
			return err
		}
		return p.message(e, j+1)
	case "self":
		if !p.v11 {
			return p.errorf(0, "$self is Arazzo 1.1.0 syntax, not a 1.0.x runtime expression: %s", upgradeHint)
		}
		e.Kind = KindSelf
		if j != len(s) {
			return p.errorf(j, "unexpected %s after $self", quoteRest(s[j:]))
		}
		return nil
	case "":
		return p.errorf(1, `expected a name after "$" (such as $inputs, $steps or $statusCode)`)
	}
	words := topWords
	if p.v11 {
		words = topWords11
	}
	if c := foldWord(word, words); c != "" {
		return p.errorf(1, "unknown runtime expression $%s: names are case-sensitive; did you mean $%s?", word, c)
	}
	if c := foldWord(word+"s", words); c != "" {
		return p.errorf(1, "unknown runtime expression $%s; did you mean $%s?", word, c)
	}
	if strings.EqualFold(word, "message") {
		return p.errorf(1, "unknown runtime expression $%s ($message was removed in Arazzo 1.0.1, and returns in 1.1)", word)
	}
	if p.v11 {
		return p.errorf(1, "unknown runtime expression $%s (expected $url, $method, $statusCode, $request, $response, $message, $inputs, $outputs, $steps, $workflows, $sourceDescriptions, $components or $self)", word)
	}
	return p.errorf(1, "unknown runtime expression $%s (expected $url, $method, $statusCode, $request, $response, $inputs, $outputs, $steps, $workflows, $sourceDescriptions or $components)", word)
}

// asciiLetters returns the length of the run of ASCII letters at the start of s.
func asciiLetters(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return i
		}
	}
	return len(s)
}

// foldWord returns the canonical word that matches w case-insensitively.
func foldWord(w string, words []string) string {
	for _, c := range words {
		if strings.EqualFold(w, c) {
			return c
		}
	}
	return ""
}

func quoteRest(s string) string {
	const max = 20
	if len(s) > max {
		// Cut on a rune boundary.
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// dot checks that s[i] is '.'; after names what the dot introduces.
// The text after which the dot is expected is after1+after2 (concatenated
// only on error, so that a successful parse does not allocate for it).
func (p exprParser) dot(i int, after1, after2, expect string) error {
	if i < len(p.s) && p.s[i] == '.' {
		return nil
	}
	if i >= len(p.s) {
		return p.errorf(i, "expected .%s after %s%s", placeholder(expect), after1, after2)
	}
	return p.errorf(i, "expected \".\" after %s%s, found %s", after1, after2, quoteRest(p.s[i:]))
}

func placeholder(expect string) string {
	if strings.Contains(expect, " ") {
		return "<" + expect + ">"
	}
	return expect
}

// source parses header/query/path/body after "$request." or "$response.".
func (p exprParser) source(e *Expr, i int, request bool) error {
	s := p.s
	j := i + asciiLetters(s[i:])
	word := s[i:j]
	prefix := "$response"
	if request {
		prefix = "$request"
	}
	switch word {
	case "header":
		e.Kind = KindResponseHeader
		if request {
			e.Kind = KindRequestHeader
		}
		if err := p.dot(j, prefix, ".header", "a header name"); err != nil {
			return err
		}
		return p.token(e, j+1)
	case "query", "path":
		e.Kind = KindRequestQuery
		what := "query parameter"
		if word == "path" {
			e.Kind = KindRequestPath
			what = "path parameter"
		}
		if !request {
			return p.errorf(i, "$response has no %s source (only header and body)", word)
		}
		after := ".query"
		if word == "path" {
			after = ".path"
		}
		if err := p.dot(j, prefix, after, "a name"); err != nil {
			return err
		}
		name, err := p.name(j+1, len(s), what)
		if err != nil {
			return err
		}
		e.Name = name
		return nil
	case "body":
		e.Kind = KindResponseBody
		if request {
			e.Kind = KindRequestBody
		}
		return p.payload(e, j, prefix, "body")
	case "payload":
		if p.v11 {
			return p.errorf(i, "%s has no payload source (payload is a $message source): write %s.body", prefix, prefix)
		}
	case "":
		return p.errorf(i, "expected header, query, path or body after %s.", prefix)
	}
	if c := foldWord(word, []string{"header", "query", "path", "body"}); c != "" {
		return p.errorf(i, "unknown source %s.%s: names are case-sensitive; did you mean %s.%s?", prefix, word, prefix, c)
	}
	switch word {
	case "headers":
		return p.errorf(i, "unknown source %s.headers; did you mean %s.header?", prefix, prefix)
	case "cookie":
		return p.errorf(i, "there is no cookie source; a cookie is read from the Cookie header")
	}
	return p.errorf(i, "unknown source %s.%s (expected header, query, path or body)", prefix, word)
}

// payload parses what follows "body" or "payload" at j: nothing, or "#" and
// a JSON pointer.
func (p exprParser) payload(e *Expr, j int, prefix, word string) error {
	s := p.s
	if j == len(s) {
		return nil
	}
	switch s[j] {
	case '#':
		return p.pointer(e, j+1, false)
	case '.', '[':
		toks, ok := navTokens(s[j:])
		if ok && p.lenient {
			e.Pointer, e.HasPointer = toks, true
			e.Lenient = true
			e.Standard = e.String()
			return nil
		}
		if s[j] == '[' && !ok {
			break
		}
		if len(s)-j > 64 { // no suggestion: keep the message (and the work) short
			return p.errorf(j, "only \"#\" and a JSON pointer may follow %s: write %s.%s#/... (dot navigation is not runtime-expression syntax)", word, prefix, word)
		}
		std := "/" + strings.ReplaceAll(s[j+1:], ".", "/")
		if ok {
			std = toks.String()
		}
		return p.errorf(j, "only \"#\" and a JSON pointer may follow %s: write %s.%s#%s (dot navigation is not runtime-expression syntax)",
			word, prefix, word, std)
	}
	return p.errorf(j, "unexpected %s after %s.%s (only \"#\" and a JSON pointer may follow)", quoteRest(s[j:]), prefix, word)
}

// navTokens reads dot navigation, *( "." name / "[" index "]" ), where a
// name is one or more characters other than . [ ] # { } and the control
// characters, and an index is "0" or digits without a leading zero, as the
// reference tokens of a JSON pointer. ok is false when s is not such
// navigation.
func navTokens(s string) (toks jsonptr.Pointer, ok bool) {
	for k := 0; k < len(s); {
		switch s[k] {
		case '.':
			j := k + 1
			for j < len(s) && !navStop(s[j]) {
				j++
			}
			if j == k+1 {
				return nil, false
			}
			toks = append(toks, s[k+1:j])
			k = j
		case '[':
			j := k + 1
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			if j == k+1 || j == len(s) || s[j] != ']' || j-k-1 > 1 && s[k+1] == '0' {
				return nil, false
			}
			toks = append(toks, s[k+1:j])
			k = j + 1
		default:
			return nil, false
		}
	}
	return toks, len(toks) > 0
}

func navStop(c byte) bool {
	return c < 0x20 || strings.IndexByte(".[]#{}", c) >= 0
}

// lenientName marks e, under the Lenient option, when its name holds
// navigation ("a.b", "a[0]"): the name is read as written (LookupName
// resolves it, D3), and Standard is the form with a JSON pointer
// ("$inputs.a#/b"), which is what the text means unless something is named
// "a.b".
func (p exprParser) lenientName(e *Expr) {
	if !p.lenient {
		return
	}
	cut := strings.IndexAny(e.Name, ".[")
	if cut <= 0 {
		return
	}
	toks, ok := navTokens(e.Name[cut:])
	if !ok {
		return
	}
	std := *e
	std.Name = e.Name[:cut]
	std.Pointer = append(toks, e.Pointer...)
	std.HasPointer = true
	e.Lenient = true
	e.Standard = std.String()
}

// message parses header/payload after "$message." (Arazzo 1.1). The 1.1
// grammar shares its source rule with $request and $response, which would
// allow body, query and path; they are rejected (E30).
func (p exprParser) message(e *Expr, i int) error {
	s := p.s
	j := i + asciiLetters(s[i:])
	word := s[i:j]
	switch word {
	case "header":
		e.Kind = KindMessageHeader
		if err := p.dot(j, "$message", ".header", "a header name"); err != nil {
			return err
		}
		return p.token(e, j+1)
	case "payload":
		e.Kind = KindMessagePayload
		return p.payload(e, j, "$message", "payload")
	case "body":
		return p.errorf(i, "$message has no body source: write $message.payload")
	case "query", "path":
		return p.errorf(i, "$message has no %s source (only header and payload)", word)
	case "":
		return p.errorf(i, "expected header or payload after $message.")
	}
	if c := foldWord(word, []string{"header", "payload"}); c != "" {
		return p.errorf(i, "unknown source $message.%s: names are case-sensitive; did you mean $message.%s?", word, c)
	}
	if word == "headers" {
		return p.errorf(i, "unknown source $message.headers; did you mean $message.header?")
	}
	return p.errorf(i, "unknown source $message.%s (expected header or payload)", word)
}

// tchar reports whether c may appear in an RFC 9110 token.
func tchar(c byte) bool {
	if 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p exprParser) token(e *Expr, i int) error {
	s := p.s
	if i == len(s) {
		return p.errorf(i, "empty header name")
	}
	for k := i; k < len(s); k++ {
		if !tchar(s[k]) {
			return p.errorf(k, "invalid character %s in header name (a header name is an RFC 9110 token)", charName(s[k:]))
		}
	}
	e.Name = s[i:]
	return nil
}

func charName(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return fmt.Sprintf("%q", r)
}

// name checks s[i:end] as a non-empty run of CHAR: any Unicode character
// except control characters (U+0000-U+001F) and the braces "{" "}".
func (p exprParser) name(i, end int, what string) (string, error) {
	if i == end {
		return "", p.errorf(i, "empty %s name", what)
	}
	if err := p.chars(i, end, what, " name"); err != nil {
		return "", err
	}
	return p.s[i:end], nil
}

// chars checks s[i:end] for characters outside CHAR; the text it is in is
// named what+suffix (concatenated only on error).
func (p exprParser) chars(i, end int, what, suffix string) error {
	s := p.s
	for k := i; k < end; k++ {
		switch c := s[k]; {
		case c < 0x20:
			return p.errorf(k, "control character %q is not allowed in the %s%s", c, what, suffix)
		case c == '{' || c == '}':
			return p.errorf(k, "%q is not allowed in the %s%s (braces delimit embedded expressions)", c, what, suffix)
		case p.v11 && c == '"':
			return p.errorf(k, "%q is not allowed in the %s%s (the Arazzo 1.1 CHAR rule: write \\\")", c, what, suffix)
		case p.v11 && c == '\\':
			n := escapeLen(s[k:end])
			if n == 0 {
				return p.errorf(k, "invalid escape %s in the %s%s (the Arazzo 1.1 CHAR rule allows the JSON escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", quoteRest(s[k:min(end, k+6)]), what, suffix)
			}
			k += n - 1
		}
	}
	return nil
}

// escapeLen returns the length of the JSON escape sequence at the start of
// s (which starts with a backslash), or 0 if there is none.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) < 6 {
			return 0
		}
		for _, c := range []byte(s[2:6]) {
			if !('0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f') {
				return 0
			}
		}
		return 6
	}
	return 0
}

// nameAndPointer parses "<name>[#<pointer>]" to the end of the string,
// splitting at the first '#'.
func (p exprParser) nameAndPointer(e *Expr, i int, what string) error {
	end := len(p.s)
	if h := strings.IndexByte(p.s[i:], '#'); h >= 0 {
		end = i + h
	}
	name, err := p.name(i, end, what)
	if err != nil {
		return err
	}
	e.Name = name
	if end < len(p.s) {
		if err := p.pointer(e, end+1, true); err != nil {
			return err
		}
	}
	p.lenientName(e)
	return nil
}

// pointer parses the JSON pointer that starts at i and runs to the end.
// restricted applies the CHAR rule (no braces or control characters), as for
// a pointer that is, in the 1.0.x grammar, part of a name. In the 1.1
// grammar every pointer excludes the braces.
func (p exprParser) pointer(e *Expr, i int, restricted bool) error {
	if p.v11 {
		// The 1.1 json-pointer rule excludes the braces, and only them.
		if k := strings.IndexAny(p.s[i:], "{}"); k >= 0 {
			return p.errorf(i+k, "%q is not allowed in a JSON pointer (Arazzo 1.1: braces delimit embedded expressions)", p.s[i+k])
		}
	} else if restricted {
		if err := p.chars(i, len(p.s), "JSON pointer", ""); err != nil {
			return err
		}
	}
	ptr, err := jsonptr.Parse(p.s[i:])
	if err != nil {
		se := err.(*jsonptr.SyntaxError)
		return p.errorf(i+se.Offset, "%s", se.Msg)
	}
	e.Pointer = ptr
	e.HasPointer = true
	return nil
}

func idChar(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

func keyChar(c byte) bool { return idChar(c) || c == '.' }

// ident reads 1*(ALPHA / DIGIT / "_" / "-") ending at '.'; what names it.
// It returns the index of the terminating '.'.
func (p exprParser) ident(i int, what, shape string) (int, error) {
	s := p.s
	k := i
	for k < len(s) && idChar(s[k]) {
		k++
	}
	if k == i {
		if k == len(s) {
			return 0, p.errorf(k, "empty %s (expected %s)", what, shape)
		}
		if s[k] == '.' {
			return 0, p.errorf(k, "empty %s (expected %s)", what, shape)
		}
		return 0, p.errorf(k, "invalid character %s in %s (allowed: A-Z a-z 0-9 _ -)", charName(s[k:]), what)
	}
	if k == len(s) {
		return 0, p.errorf(k, "expected %s", shape)
	}
	if s[k] != '.' {
		return 0, p.errorf(k, "invalid character %s in %s (allowed: A-Z a-z 0-9 _ -)", charName(s[k:]), what)
	}
	return k, nil
}

// key reads 1*(ALPHA / DIGIT / "." / "-" / "_") up to the end or, when
// pointerOK, up to '#' (then, under Lenient, "[digits]" indexes too). It
// returns the end index.
func (p exprParser) key(i int, what string, pointerOK bool) (int, error) {
	s := p.s
	k := i
	for k < len(s) {
		if keyChar(s[k]) {
			k++
			continue
		}
		// Lenient: an index, as in "$steps.a.outputs.list[0]".
		if p.lenient && pointerOK && s[k] == '[' && k > i {
			j := k + 1
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			if j > k+1 && j < len(s) && s[j] == ']' {
				k = j + 1
				continue
			}
		}
		break
	}
	if k == i && (k == len(s) || s[k] == '#') {
		return 0, p.errorf(k, "empty %s", what)
	}
	if k < len(s) && !(pointerOK && s[k] == '#') {
		return 0, p.errorf(k, "invalid character %s in %s (allowed: A-Z a-z 0-9 . - _)", charName(s[k:]), what)
	}
	return k, nil
}

// field reads the word at i that must be one of words, followed by '.'.
func (p exprParser) field(i int, words []string, shape string) (string, int, error) {
	s := p.s
	j := i + asciiLetters(s[i:])
	w := s[i:j]
	ok := false
	for _, c := range words {
		if w == c {
			ok = true
		}
	}
	if !ok {
		if c := foldWord(w, words); c != "" {
			return "", 0, p.errorf(i, "unknown field %q: names are case-sensitive; did you mean %q? (expected %s)", w, c, shape)
		}
		return "", 0, p.errorf(i, "expected %s", shape)
	}
	if j == len(s) || s[j] != '.' {
		return "", 0, p.errorf(j, "expected %s", shape)
	}
	return w, j, nil
}

const (
	stepsShape     = "$steps.<stepId>.outputs.<name>"
	workflowsShape = "$workflows.<workflowId>.inputs.<name> or $workflows.<workflowId>.outputs.<name>"
	sourcesShape   = "$sourceDescriptions.<name>.<operationId, workflowId or url>"
	componentShape = "$components.<parameters, successActions or failureActions>.<key>"
)

func (p exprParser) steps(e *Expr, j int) error {
	if err := p.dot(j, "$steps", "", "<stepId>.outputs.<name>"); err != nil {
		return err
	}
	k, err := p.ident(j+1, "step id", stepsShape)
	if err != nil {
		return err
	}
	e.ID = p.s[j+1 : k]
	e.Field, k, err = p.field(k+1, []string{"outputs"}, stepsShape)
	if err != nil {
		return err
	}
	return p.keyAndPointer(e, k+1, "output name")
}

func (p exprParser) workflows(e *Expr, j int) error {
	if err := p.dot(j, "$workflows", "", "<workflowId>.<inputs or outputs>.<name>"); err != nil {
		return err
	}
	k, err := p.ident(j+1, "workflow id", workflowsShape)
	if err != nil {
		return err
	}
	e.ID = p.s[j+1 : k]
	e.Field, k, err = p.field(k+1, []string{"inputs", "outputs"}, workflowsShape)
	if err != nil {
		return err
	}
	what := "output name"
	if e.Field == "inputs" {
		what = "input name"
	}
	return p.keyAndPointer(e, k+1, what)
}

func (p exprParser) keyAndPointer(e *Expr, i int, what string) error {
	end, err := p.key(i, what, true)
	if err != nil {
		return err
	}
	e.Name = p.s[i:end]
	if end < len(p.s) {
		if err := p.pointer(e, end+1, true); err != nil {
			return err
		}
	}
	p.lenientName(e)
	return nil
}

func (p exprParser) sourceDescriptions(e *Expr, j int) error {
	if err := p.dot(j, "$sourceDescriptions", "", "<name>.<operationId, workflowId or url>"); err != nil {
		return err
	}
	k, err := p.ident(j+1, "source description name", sourcesShape)
	if err != nil {
		return err
	}
	e.ID = p.s[j+1 : k]
	name, err := p.name(k+1, len(p.s), "source description reference")
	if err != nil {
		return err
	}
	e.Name = name
	return nil
}

var componentTypes = []string{"parameters", "successActions", "failureActions"}

func (p exprParser) components(e *Expr, j int) error {
	if err := p.dot(j, "$components", "", "<parameters, successActions or failureActions>.<key>"); err != nil {
		return err
	}
	i := j + 1
	w := p.s[i : i+asciiLetters(p.s[i:])]
	if w == "inputs" {
		return p.errorf(i, "$components.inputs is not a runtime expression: inputs in components are referenced with a JSON Schema $ref (\"#/components/inputs/...\")")
	}
	typ, k, err := p.field(i, componentTypes, componentShape)
	if err != nil {
		return err
	}
	e.ID = typ
	end, err := p.key(k+1, "component key", false)
	if err != nil {
		return err
	}
	e.Name = p.s[k+1 : end]
	return nil
}
