package expr

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits and their defaults. Each can be changed with the Option of the same
// name; going over one gives an error with a *LimitError inside (see its
// Code), never a hang.
const (
	// DefaultMaxExpressionLength is the longest runtime expression, in
	// bytes, that Parse accepts, and the longest text between "{$" and "}"
	// that ParseTemplate parses as an embedded expression.
	DefaultMaxExpressionLength = 64 << 10
	// DefaultMaxConditionLength is the longest condition, in bytes, that
	// CompileCriterion accepts (for every criterion type).
	DefaultMaxConditionLength = 4096
	// DefaultMaxContextNodes is the largest context value, counted in JSON
	// values (for jsonpath) or XML nodes (for xpath), that a jsonpath or
	// xpath criterion evaluates.
	DefaultMaxContextNodes = 200_000
	// DefaultMaxRegexProgram is the largest compiled regular expression, in
	// instructions of its regexp/syntax program, of a regex criterion or of
	// a JSONPath match() or search() pattern. Matching costs up to this many
	// steps per byte of the context.
	DefaultMaxRegexProgram = 1000
	// DefaultMaxQueryCost caps the estimated number of nodes a jsonpath or
	// xpath criterion visits over its context (see MaxQueryCost).
	DefaultMaxQueryCost = 10_000_000
	// DefaultMaxEvalCost caps the work of one evaluation of a criterion,
	// selector or value, counted as it runs (see MaxEvalCost). It is about
	// one second of CPU time.
	DefaultMaxEvalCost = 100_000_000
)

// Codes of the limits, in LimitError.Code. They are stable, and suitable as
// diagnostic codes.
const (
	CodeExpressionTooLong = "expression-too-long"
	CodeConditionTooLong  = "condition-too-long"
	CodeContextTooLarge   = "context-too-large"
	CodeRegexTooComplex   = "regex-too-complex"
	CodeQueryTooComplex   = "query-too-complex"
	// CodeValueTooLarge: a value an evaluation built is larger than
	// MaxBytes allows.
	CodeValueTooLarge = "value-too-large"
	CodeEvalTooCostly = "eval-too-costly"
)

// LimitError reports input over one of the package's limits. Compilation
// returns it inside a *SyntaxError (use errors.As), evaluation inside a
// *CriterionError.
type LimitError struct {
	// Code is one of the Code* constants.
	Code string
	// Limit is the limit in force and Size what was measured or estimated
	// (Size is 0 when the work stopped as soon as the limit was passed).
	Limit, Size int
	// Msg describes the problem.
	Msg string
}

func (e *LimitError) Error() string { return e.Msg }

// Option sets a limit, or the grammar, of ParseWith, ParseTemplate,
// CompileValue, CompileCriterion, CompileSelector or CompileTarget; options
// that do not apply to a function are ignored.
type Option func(*limits)

// CriterionOption is the former name of Option.
type CriterionOption = Option

// limits holds what the options set: the limits, and the grammar.
type limits struct {
	maxExpr, maxCond, maxNodes, maxRegex, maxQuery, maxEval int
	// v11 selects the Arazzo 1.1 grammar (ArazzoVersion).
	v11 bool
	// lenient accepts the lenient forms (Lenient).
	lenient bool
}

var defaultLimits = limits{
	maxExpr:  DefaultMaxExpressionLength,
	maxCond:  DefaultMaxConditionLength,
	maxNodes: DefaultMaxContextNodes,
	maxRegex: DefaultMaxRegexProgram,
	maxQuery: DefaultMaxQueryCost,
	maxEval:  DefaultMaxEvalCost,
}

func newLimits(opts []Option) limits {
	c := defaultLimits
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

func setPositive(dst *int, n int) {
	if n > 0 {
		*dst = n
	}
}

// MaxExpressionLength sets the longest runtime expression accepted, in
// bytes (also the longest embedded one a template substitutes). A value
// n <= 0 keeps DefaultMaxExpressionLength.
func MaxExpressionLength(n int) Option { return func(c *limits) { setPositive(&c.maxExpr, n) } }

// MaxConditionLength sets the longest condition accepted, in bytes. A value
// n <= 0 keeps DefaultMaxConditionLength.
func MaxConditionLength(n int) Option { return func(c *limits) { setPositive(&c.maxCond, n) } }

// MaxContextNodes sets the largest context value a jsonpath or xpath
// criterion evaluates, counted in JSON values or XML nodes; a larger one
// fails the criterion with an error. A value n <= 0 keeps
// DefaultMaxContextNodes.
func MaxContextNodes(n int) Option { return func(c *limits) { setPositive(&c.maxNodes, n) } }

// MaxRegexProgram sets the largest regular expression accepted, counted in
// instructions of its compiled program. A value n <= 0 keeps
// DefaultMaxRegexProgram.
func MaxRegexProgram(n int) Option { return func(c *limits) { setPositive(&c.maxRegex, n) } }

// MaxQueryCost sets the largest estimated cost of a jsonpath or xpath
// criterion, in nodes visited. The estimate is an upper bound computed
// before the query runs, from the size N and depth D of the context and the
// shape of the query: N, times D+1 for each descendant segment or axis
// after the first (JSONPath "..", XPath "//", descendant and ancestor axes),
// times N for each query that may visit every node from each node it is
// evaluated on (a non-singular JSONPath "$" query inside a filter; an
// absolute XPath path inside a predicate; the XPath following, preceding
// and sibling axes), and, for JSONPath, times the number of selectors of
// each bracketed selector list and the size of the match() and search()
// patterns (compiled for every node). A query over the limit whatever the
// context is refused by CompileCriterion; otherwise Eval fails the
// criterion. A value n <= 0 keeps DefaultMaxQueryCost.
func MaxQueryCost(n int) Option { return func(c *limits) { setPositive(&c.maxQuery, n) } }

// ArazzoVersion selects the grammar of the Arazzo version v, the arazzo
// field of the document ("1.0.1", "1.1.0"): only major.minor counts. 1.0.x
// (and "", which is the default) gives the 1.0 grammar; 1.1.x, and any later
// version, the 1.1 grammar (E2): $message.header, $message.payload and
// $self, the strict 1.1 ABNF, and Selector Objects in values. See the
// package documentation for the differences.
func ArazzoVersion(v string) Option {
	v11 := isArazzo11(v)
	return func(c *limits) { c.v11 = v11 }
}

// isArazzo11 reports whether the version v is 1.1 or later.
func isArazzo11(v string) bool {
	major, rest, _ := strings.Cut(v, ".")
	minor, _, _ := strings.Cut(rest, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma < 1 {
		return false
	}
	return ma > 1 || mi >= 1
}

// Lenient accepts the non-standard forms that real documents write, and
// reports each one, never silently: dot navigation after body and payload
// ("$response.body.data[0].id", read as "$response.body#/data/0/id"), and
// names holding navigation ("$inputs.a.b", read the D3 way); the parsed
// Expr has Lenient set and the text to suggest in Standard. A jsonpath
// criterion without a version that is not RFC 9535 but has the form
// "<path> <op> <literal>" ($.status == 'ok') compiles with the
// draft-goessner-dispatch-jsonpath-00 semantics, and Criterion.Lenient
// names that version. Without the option these are errors (or literal
// text, in templates and values), as the standard says.
func Lenient() Option { return func(c *limits) { c.lenient = true } }

// MaxEvalCost sets the work one evaluation may do (Criterion.EvalContext,
// Selector.Eval, Value.EvalContext, Target.Set), counted while it runs in
// units of about one node visited, one step of a regular expression over one
// character, or 16 bytes of text copied: an XPath navigator move or string
// value, a regular expression's program size per character it reads, and,
// for JSONPath, whose library cannot be metered, the estimated cost of the
// query (see MaxQueryCost). An evaluation that would go over it stops with a
// *LimitError of code CodeEvalTooCostly. A value n <= 0 keeps
// DefaultMaxEvalCost.
func MaxEvalCost(n int) Option { return func(c *limits) { setPositive(&c.maxEval, n) } }

// tooLong returns the *SyntaxError for text longer than limit bytes.
func tooLong(code, what, text string, limit int) *SyntaxError {
	le := &LimitError{Code: code, Limit: limit, Size: len(text),
		Msg: fmt.Sprintf("%s is %d bytes, longer than the limit of %d", what, len(text), limit)}
	return &SyntaxError{Offset: limit, Msg: le.Msg, Expr: text, Err: le}
}

func valueTooLarge(room int64) *LimitError {
	return &LimitError{Code: CodeValueTooLarge, Msg: "the value is larger than the limit (MaxBytes)"}
}

// JSONSize is the size in bytes of v encoded as JSON (strings without
// escapes, numbers in a short form: an estimate within a few bytes per
// value), counting shared parts each time they appear. It stops as soon as
// the size passes limit and then reports false, so its cost is bounded by
// limit whatever v is.
func JSONSize(v any, limit int64) (int64, bool) {
	var n int64
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case nil:
			n += 4
		case bool:
			n += 5
		case float64:
			n += 8
		case string:
			n += int64(len(x)) + 2
		case []any:
			n += 2
			for _, e := range x {
				n++
				if n > limit || !walk(e) {
					return false
				}
			}
		case map[string]any:
			n += 2
			for k, e := range x {
				n += int64(len(k)) + 4
				if n > limit || !walk(e) {
					return false
				}
			}
		default:
			n += 8
		}
		return n <= limit
	}
	ok := walk(v)
	return n, ok
}
