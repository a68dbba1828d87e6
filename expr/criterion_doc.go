package expr

// # Criteria
//
// CompileCriterion compiles a Criterion Object once; Criterion.Eval then
// evaluates it against a Resolver any number of times, concurrently. Four
// types exist: simple (the default), regex, jsonpath and xpath. This section
// records the decisions taken where Arazzo 1.0.x is silent (checklist §12,
// §13 and §24, decisions D1-D7 and D34). Several follow the Arazzo 1.1.0
// text; they are marked "1.1 rule".
//
// ## Type and context (§13, D34)
//
// Type is "", "simple", "regex", "jsonpath" or "xpath" (lower-case). A
// Criterion Expression Type Object is given as Type plus Version: jsonpath
// accepts only "draft-goessner-dispatch-jsonpath-00", xpath accepts
// "xpath-30", "xpath-20" and "xpath-10"; without a version jsonpath is RFC
// 9535 and xpath is XPath 3.1. Any other version, including the 1.1 values
// "rfc9535" and "xpath-31", is a *CriterionTypeError; with
// ArazzoVersion("1.1") those two are accepted (as the defaults they name).
// Type "jsonpointer", which the 1.1 Expression Type Object allows, is
// refused for criteria in both grammars (E22). The context, and the
// operands of a simple condition, follow the grammar the options select. regex, jsonpath and
// xpath require a context (*ContextError otherwise); an explicit simple type
// without a context is accepted (the official schema rejects it; PR #499
// says that is unintended). A simple criterion's context is parsed and
// reported by Exprs but plays no part in the evaluation.
//
// Errors from CompileCriterion carry byte offsets into the condition
// (*SyntaxError) or the context (*ContextError), so a validator can map them
// to a line and column.
//
// ## Simple conditions: grammar (D1)
//
//	condition  = or
//	or         = and *( "||" and )
//	and        = basic *( "&&" basic )
//	basic      = group / "!" group / "!" operand / operand [ cmp operand ]
//	group      = "(" or ")"
//	cmp        = "==" / "!=" / "<" / "<=" / ">" / ">="
//	operand    = literal / runtime-expression *( "." name / "[" 1*DIGIT "]" )
//	literal    = "true" / "false" / "null" / number / string
//	number     = JSON number (a leading "-", no "+", no leading "." or zeros, exponents allowed)
//	string     = "'" *( any character except "'" / "''" ) "'"
//
// So && binds tighter than ||; "!" applies only to a parenthesised group or a
// single operand (write !($statusCode == 200), not !$statusCode == 200);
// there is no "!!"; parentheses group logical expressions, never operands
// ($a == (1) is rejected); comparisons do not chain ('x' < 'y' < 'z' is
// rejected). Whitespace (space, tab, CR, LF) is free between tokens. Double
// quotes, "=", "===", "<>", "and"/"or"/"not", hexadecimal and "+1" or ".5"
// numbers are rejected with a message saying what to write instead.
//
// A runtime-expression operand starts at "$" and ends at whitespace or at
// one of ! & ( ) < = > { | } (so a JSON pointer in a condition cannot
// contain those characters). If the whole operand is a runtime expression,
// it is used as is: $response.body#/a.b is the member "a.b", and
// $inputs.customer.firstName is the input named "customer.firstName", which
// the Resolver finds with LookupName (the longest defined name, then
// navigation: D3). Otherwise the longest prefix ending before a "." or "["
// that parses is the expression, and the rest is property de-reference and
// 0-based index navigation applied to its value: $response.body.data[0].id
// is $response.body followed by .data, [0] and .id (the 1.1 example form).
// Navigation through anything that is not an object or array, or past its
// end, gives null. A body the resolver returns undecoded (string or []byte)
// is decoded as JSON before navigation.
//
// ## Simple conditions: evaluation (D2, D4, D7; 1.1 rules)
//
// The condition is compiled once with expr-lang/expr (builtins disabled,
// MaxNodes set, AsBool). Each operand is lifted out: runtime expressions
// become calls get(n) that resolve the operand lazily (so && and || short-
// circuit also over operands that would fail), and literals become constant
// nodes; no text of the condition ever reaches expr-lang's lexer, where "#"
// and "$env" are tokens. Comparisons are calls to the functions below. An
// evaluation allocates nothing when the resolver returns decoded values.
//
//   - Numbers compare as float64, whatever their Go type (float64, int,
//     int64, json.Number, ...).
//   - A string that is a JSON number (surrounding whitespace ignored) is
//     coerced to a number when compared with a number: $statusCode == '200'
//     holds, and so does a header value '12' > 9. Two strings always compare
//     as strings.
//   - Strings compare case-insensitively, for equality (strings.EqualFold)
//     and for order (by lower-cased code point).
//   - null equals only null; every relational comparison with null is false.
//     A missing value is null.
//   - No coercion between booleans and strings or numbers: true == 'true' and
//     1 == true are false. Booleans are not ordered.
//   - Arrays and objects are equal when they have the same members, compared
//     by these rules; they are not ordered.
//   - != is the negation of ==.
//   - A bare operand passes unless it is null or false (D4): 0 and '' pass,
//     so does a bare string literal such as '^200$' (which is not a regex).
//   - An operand whose resolution fails (for example a JSON pointer into a
//     body that is not JSON) fails the criterion; Eval returns false and a
//     *CriterionError (D7).
//
// ## regex (D5)
//
// The condition is a Go regexp (RE2: no backreferences or lookaround, unlike
// ECMAScript), compiled once, with search semantics: it may match anywhere,
// and anchors are written explicitly ('^200$'). The context value is matched
// as a string: strings and []byte as they are, other values as Stringify
// gives them ($statusCode becomes "200", objects and arrays JSON). An absent
// or null context fails the criterion without an error (1.1 rule). Matching
// takes time linear in the context, times up to the size of the compiled
// program, which MaxRegexProgram caps (DefaultMaxRegexProgram instructions).
//
// ## jsonpath (D6)
//
// The condition is an RFC 9535 query (github.com/pb33f/jsonpath in strict
// mode). The context value is the root node $, and the criterion passes when
// the query selects at least one node. Note what this means for filters: they
// run over the children of the node they apply to, so the spec's example
// $[?count(@.pets) > 0] with the body {"pets": [...]} as context selects
// nothing (it tests the members of the body, not the body), while
// $.pets[?@.tag == 'dog'] works as expected. Likewise an absent member
// compared with "!= null" is true (RFC 9535), so the oauth example
// $[?@.access_token != null] passes for any body object with at least one
// member; $.access_token tests that the body has the member. The queries
// are evaluated as RFC 9535 defines them, without guessing at intent.
//
// An absent or null context fails without an error (1.1 rule). A []byte
// context is decoded as JSON; a string context is a JSON string. The context
// is converted to the library's node tree once per value when the resolver
// implements Memoizer (about 20 µs and 90 allocations for a small body
// without it; a query on a converted tree costs about 2 µs). The number of
// JSON values converted is capped by MaxContextNodes
// (DefaultMaxContextNodes), and the query's estimated cost over the context
// by MaxQueryCost (DefaultMaxQueryCost): nested descendant segments,
// selector lists and absolute queries in filters multiply the work, and
// the library has no budget of its own. The patterns of match() and
// search() are capped by MaxRegexProgram.
//
// With the version draft-goessner-dispatch-jsonpath-00 the query is parsed in
// the library's non-strict mode (JSONPath Plus extensions, which include the
// Goessner "?()" filters), and one more form is accepted, because real
// documents write it: a path, optionally ending in ".length", a comparison
// operator, and a literal (as in simple conditions, or a double-quoted JSON
// string), for example $.results.length > 0 or $.status == 'ok'. The path is
// evaluated; no node gives null, one node gives its value, more than one is
// an evaluation error. ".length" gives the number of elements of an array,
// characters of a string or members of an object (an object's own "length"
// member wins, as in JavaScript). The value is then compared with the
// literal by the simple-condition rules above. A comparison outside a filter
// in an RFC 9535 query is a syntax error that points to this form.
//
// ## xpath (D6)
//
// The engine is github.com/antchfx/xpath, an XPath 1.0 implementation, over
// github.com/antchfx/xmlquery. The context value must be an XML document as a
// string or []byte; any JSON value (object, array, number, boolean) is an
// evaluation error, and an absent or null context fails without one. The
// document is parsed once per value with a Memoizer, its size is capped by
// MaxContextNodes, and the estimated cost of the expression over it by
// MaxQueryCost. The criterion passes on the effective boolean value of
// the result: a non-empty node-set, true, a number other than 0 and NaN, a
// non-empty string.
//
// Whatever the version (XPath 3.1 by default, or xpath-30, -20, -10), only
// expressions that are also valid XPath 1.0, and that the engine evaluates
// faithfully, are accepted. The condition is parsed completely by this
// package first, because the engine ignores trailing input (it evaluates
// "/a/b eq 'x'" as "/a/b") and evaluates some 2.0 syntax wrongly. Rejected,
// with a message naming the construct: value comparisons (eq ne lt le gt
// ge), node comparisons (is << >>), for, let, some, every, if, instance of,
// treat as, castable as, cast as, to, idiv, union/intersect/except keywords,
// "||", "!", "=>", sequences "(a, b)" and "()", comments "(: :)", numbers
// with exponents, doubled quotes in string literals, kind tests such as
// element(), "fn:" prefixes, map/array constructors, lookups, function
// references, variables (a criterion has no bindings), predicates after "."
// and functions the engine lacks (id, lang, upper-case, ...). The functions
// accepted are the XPath 1.0 core library (except id and lang) and, for 2.0
// and later, lower-case, ends-with and string-join.
//
// For the 2.0+ versions (the default included) a light static typing also
// rejects the valid 1.0 expressions whose meaning differs there: chained
// comparisons (a = b = c); comparisons mixing strings, numbers and booleans
// (1 = '1', string(/a) = 1, true() = 1), which are type errors in 2.0+ but
// conversions in 1.0; arithmetic on strings or booleans; and relational
// comparisons (< <= > >=) unless one side is a number and the other a
// number or a path, because 1.0 compares numbers where 2.0+ compares
// strings ('abc' < 'abd' is false in 1.0, true in 2.0+; write
// number(/a/x) > number(/a/y)). With xpath-10 these are accepted with their
// 1.0 meaning. Remaining differences are dynamic and rare: a node-set
// compared with a boolean, and division by zero (Infinity in 1.0, an error
// for integers in 2.0+).
//
// ## Evaluation under a context (reliability)
//
// Criterion.EvalContext stops promptly when its context ends and bounds its
// work by MaxEvalCost; see "Stopping an evaluation" in the package
// documentation for how each engine is metered. Criterion.Eval is
// EvalContext with context.Background().
//
// ## Embedded expressions (Arazzo 1.1)
//
// With the 1.1 grammar, {$...} expressions embedded in a regex, jsonpath or
// xpath condition are evaluated at each evaluation, their string forms
// (see Template.Render) substituted, and the resulting condition compiled
// and applied (checklist-1.1 8.3): '^{$inputs.prefix}-[0-9]+$'. The value is
// substituted as text, not quoted or escaped for the condition's language:
// write the quotes around it ("$.pets[?@.owner == '{$inputs.owner}']"). At
// compile time the condition is checked with each expression replaced by a
// plain value; a substituted condition that does not compile fails the
// criterion with that error. The compiled forms of the last 64 substituted
// conditions are kept. With the 1.0 grammar conditions are taken literally
// (1.0 defines no embedding for them).
