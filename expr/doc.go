// Package expr parses and evaluates Arazzo 1.0.x and 1.1 runtime
// expressions ($url, $method, $statusCode, $request.*, $response.*,
// $inputs, $outputs, $steps, $workflows, $sourceDescriptions, $components,
// and in 1.1 $message.* and $self), the "{$...}" templates that embed them
// in strings, and the "Any | {expression}" values of a document; it also
// owns criteria (simple, regex, jsonpath, xpath), and the Arazzo 1.1
// Selector Objects and payload replacement targets.
//
// Start with Parse for a bare expression, ParseTemplate for a string with
// embedded expressions, CompileValue for a parameter value or payload,
// CompileCriterion for a Criterion Object, CompileSelector for a Selector
// Object and CompileTarget for a payload replacement target. Evaluation
// reads data through a Resolver supplied by the caller (the executor), so
// this package knows nothing about HTTP:
//
//	e, err := expr.Parse("$steps.login.outputs.token")
//	v, ok, err := e.Eval(resolver)
//
//	v11 := expr.ArazzoVersion(doc.Arazzo) // the grammar of the document
//	c, err := expr.CompileCriterion(spec, v11)
//	pass, err := c.EvalContext(ctx, resolver) // stops when ctx ends
//
// Everything compiled here (Expr, Template, Value, Criterion, Selector,
// Target) is immutable and safe for concurrent use. Parse never panics, on
// any input.
//
// # Grammar
//
// Parse accepts what the Arazzo 1.0.1 ABNF accepts at the top level, with
// the structured sub-rules that Arazzo 1.1.0 made normative (and the
// reference implementation applies to 1.0.x) for four prefixes:
//
//	$url  $method  $statusCode
//	$request.header.<token>       $response.header.<token>
//	$request.query.<name>         $request.path.<name>
//	$request.body[#<pointer>]     $response.body[#<pointer>]
//	$inputs.<name>[#<pointer>]    $outputs.<name>[#<pointer>]
//	$steps.<id>.outputs.<key>[#<pointer>]
//	$workflows.<id>.inputs.<key>[#<pointer>]
//	$workflows.<id>.outputs.<key>[#<pointer>]
//	$sourceDescriptions.<id>.<name>
//	$components.parameters.<key>  (also successActions, failureActions)
//
// where <token> is an RFC 9110 token (kept as written; header names are
// case-insensitive, which is the resolver's business), <id> is
// 1*(ALPHA / DIGIT / "_" / "-"), <key> is 1*(ALPHA / DIGIT / "." / "-" / "_"),
// <pointer> is an RFC 6901 JSON pointer, and <name> is one or more CHAR.
// The decisions taken where the 1.0.x text is silent or ambiguous:
//
//   - CHAR (undefined by the spec) is any Unicode character except the
//     control characters U+0000-U+001F and the braces "{" "}", which delimit
//     embedded expressions. So "$inputs.café" and "$inputs.foo bar" are
//     valid, "$inputs.foo}" is not. Backslash and '"' are ordinary
//     characters (no JSON escape processing). The text must be valid UTF-8.
//     A body pointer follows RFC 6901 alone, so "$response.body#/{foo}" is
//     valid (as in the 1.0.1 ABNF).
//   - Empty names are rejected (D26): "$inputs.", "$request.query.",
//     "$request.path.", "$steps.a.outputs." are errors.
//   - Prefixes and field words are case-sensitive (D38). RFC 5234 makes
//     quoted ABNF strings case-insensitive, so the literal grammar accepts
//     "$URL" or "$StatusCode"; no real document uses them and field names
//     are case-sensitive everywhere else in Arazzo, so they are rejected
//     with a message such as "did you mean $url?".
//   - $inputs, $outputs, $steps and $workflows names are split at the first
//     '#' into Name and Pointer: "$steps.a.outputs.pets#/0/id" is output
//     "pets" of step "a" with pointer /0/id (the 1.0.1 examples table uses
//     this form; the 1.0.1 grammar only reads it as part of the name).
//     Among request and response sources only body takes "#": a '#' in a
//     query or path name is part of the name, and "$request.body.user" is an
//     error whose message suggests "$request.body#/user".
//   - "$sourceDescriptions.my.api.op" is source "my", reference "api.op"
//     (split at the first dot after the name).
//   - "$message.*" and "$self" are rejected with a message saying they
//     are Arazzo 1.1 syntax ($message was removed in Arazzo 1.0.1) and
//     pointing to the upgrade (E1); "$components.inputs.x" is rejected
//     because inputs in components are reached with a JSON Schema $ref.
//   - A "." inside a name is part of the name: "$inputs.customer.firstName"
//     has Name "customer.firstName". LookupName resolves such names by the
//     longest defined name, then navigates (D3).
//
// # The Arazzo 1.1 grammar (E2)
//
// The grammar follows the document's version: ArazzoVersion("1.1.0") (an
// Option of ParseWith, ParseTemplate, CompileValue, CompileCriterion,
// CompileSelector and CompileTarget) selects the 1.1 grammar, the default
// is the 1.0 grammar above. The 1.1 grammar adds
//
//	$message.header.<token>       KindMessageHeader
//	$message.payload[#<pointer>]  KindMessagePayload
//	$self                         KindSelf
//
// and applies the strict 1.1 ABNF (checklist §13.1):
//
//   - $inputs and $outputs take an identifier, 1*(ALPHA / DIGIT / "." /
//     "-" / "_"), as $steps and $workflows names already do:
//     "$inputs.café" and "$inputs.a[0]" are errors. A "." is still part of
//     the name, resolved by LookupName (D3).
//   - CHAR (query and path names, source description references) excludes
//     '"' and allows a backslash only in a JSON escape (\" \\ \/ \b \f \n
//     \r \t \uXXXX), kept as written (not decoded).
//   - Every JSON pointer excludes "{" and "}" (also after body, where 1.0
//     allows them), and, as the 1.1 json-pointer rule says, nothing else
//     beyond RFC 6901: control characters are allowed.
//   - The shared source rule would allow $message.body, $message.query,
//     $message.path, $request.payload and $response.payload; they are
//     rejected with a message saying what to write (E30).
//   - Empty query and path names stay errors (D26), although the 1.1 name
//     rule allows them.
//
// In the 1.0 grammar $message and $self are errors that say they are
// Arazzo 1.1 syntax and point to telaio upgrade (E1). A 1.1 template's
// embedded expressions never hold a brace, so of "{$a{$b}" only the inner
// one can be an expression. Templates embed values by the 1.1 rules, which
// are D28's (E31). What $message reads (the received message of a receive
// step, the message sent by a send step, nothing elsewhere: E33) and how a
// header is matched (exactly, then case-insensitively) is the resolver's
// business.
//
// # Lenient forms (E29, E34)
//
// Real documents, and the 1.1 specification's own examples, write forms the
// grammar does not allow. With the Lenient option they are accepted and
// reported, never silently: the parsed Expr has Lenient set and Standard
// holds the text to suggest, so that a validator can warn ("write
// $response.body#/a/b/0") and refuse them under a strict mode.
//
//	$response.body.a.b[0]      read as $response.body#/a/b/0 (also $request.body)
//	$message.payload.a.b       read as $message.payload#/a/b (1.1)
//	$inputs.a.b, $inputs.a[0]  read the D3 way (name "a.b"); Standard $inputs.a#/b
//	$steps.s.outputs.list[0]   likewise for $outputs, $steps and $workflows names
//
// A name holding "." is also a standard name (for an input literally named
// "a.b"), so a validator that knows the names warns only when the whole name
// is not defined. Without the option the body and payload forms are errors
// whose message gives the standard form with indexes as pointer tokens
// ("write $response.body#/data/0/id"), and templates and values keep them as
// literal text. The operands of simple conditions never need the option:
// dot navigation is part of the condition grammar.
//
// A jsonpath criterion given without a version whose condition is not RFC
// 9535 but has the form "<path> <op> <literal>" ($.status == 'ok',
// $.results.length > 0), which Goessner-era tools accepted, compiles under
// Lenient with the draft-goessner-dispatch-jsonpath-00 semantics, and
// Criterion.Lenient names that version, for the validator to propose
// declaring it (E34: the meaning is pinned, never guessed). Without the
// option it is the syntax error it is today.
//
// # Templates
//
// Arazzo 1.0.x gives embedded expressions no grammar and no escape, and JSON
// payload templates contain literal braces, so ParseTemplate is a lenient
// scanner (D27): it finds "{$", reads to the next "}", and substitutes the
// text in between only if it parses as an expression; anything else stays
// literal, and Template.Suspicious lists it for validators. A bare string
// value is an expression only if the whole string parses as one
// ("$.items[*]" stays literal).
//
// Render embeds a value in its string form (Stringify, D28): strings as they
// are, numbers as encoding/json writes them, true/false, objects and arrays
// serialized as JSON, and a JSON null as "null" (so that a JSON template
// such as {"id": {$inputs.id}} stays valid JSON; the reference JavaScript
// implementation renders null as "" instead). An absent value renders as ""
// and Render reports the result incomplete.
//
// # Absent values
//
// Eval distinguishes an absent value (present=false, nil error) from a JSON
// null. A pointer to a missing member, or through a scalar, is absent, not
// an error. Value.Eval omits object members and array elements whose
// expression is absent; it never invents nulls. A whole-value expression
// that is absent makes the value absent, and so does a string that is one
// embedded expression and nothing else ("{$inputs.token}"); a longer
// template renders the absent part as "". Value.EvalWith reports every
// absent expression to a callback so that callers can warn.
//
// # Limits
//
// Every limit has a default and an Option (ParseWith, ParseTemplate,
// CompileValue, CompileCriterion, CompileSelector and CompileTarget take
// them); going over one is an error
// holding a *LimitError whose Code names it:
//
//	MaxExpressionLength  64 KiB      expression-too-long  a runtime expression; the text of an embedded one
//	MaxConditionLength   4096 bytes  condition-too-long   a criterion's condition (so a pattern or query too)
//	MaxRegexProgram      1000        regex-too-complex    instructions of a regex or match()/search() pattern
//	MaxQueryCost         10^7        query-too-complex    estimated nodes a jsonpath or xpath query visits
//	MaxContextNodes      200000      context-too-large    JSON values or XML nodes of a jsonpath/xpath context
//	MaxEvalCost          10^8        eval-too-costly      work of one evaluation, counted as it runs (about 1 s of CPU)
//
// A template is never an error: an embedded expression over the limit stays
// literal and is listed by Suspicious. Templates are scanned in linear time
// and runtime expressions parsed in linear time, so the lengths bound the
// work. Matching a regex costs up to its program size per byte of context.
//
// # Stopping an evaluation
//
// Criterion.EvalContext stops, within milliseconds, when its context is
// canceled or its deadline passes, and returns an error that wraps
// ctx.Err() (a *StoppedError), so that a caller reports a canceled or timed
// out step rather than a criterion not met. Its work is also bounded by
// MaxEvalCost, whatever the context. Each engine is metered in its own way,
// since none takes a context:
//
//   - XPath: the engine walks the document only through a navigator, which
//     this package supplies: it charges one unit per move and computes
//     string values itself (one unit per node read, one per 16 bytes), and
//     looks at the context every 1024 units. When either runs out it stops
//     the engine with a private panic, recovered at the package boundary
//     (the engine has no recover of its own on that path). The XML parser
//     reads through a reader that fails once the context has ended.
//   - regex: Go's regexp cannot be interrupted, and a match costs up to the
//     program size per character. A match whose bound (program size times
//     input length) is under about a million units runs directly; a larger
//     one reads its input through a RuneReader that charges the program size
//     per character and reports the end of the input once the budget or the
//     context has run out, which ends the match at once (its result is then
//     discarded). A match found early costs only what it read.
//   - JSONPath: the library can be neither metered nor interrupted. The
//     query's estimated cost (see MaxQueryCost) is charged before it runs;
//     a query estimated at more than a few milliseconds of work runs on a
//     goroutine of its own and is abandoned when the context ends: it
//     completes in the background, its work bounded by MaxQueryCost, and its
//     result is dropped. Converting the context to the library's tree looks
//     at the context every 4096 values.
//   - simple conditions do work linear in their operands; they look at the
//     context once, before they start.
//
// Criterion.Eval is EvalContext with context.Background().
//
// # Selector Objects, Expression Type Objects, replacement targets
//
// An Expression Type Object (Arazzo 1.1) is given as a type and a version:
// jsonpath rfc9535 (the default) or draft-goessner-dispatch-jsonpath-00;
// xpath xpath-31 (the default), xpath-30, xpath-20 or xpath-10; jsonpointer
// rfc6901. Every XPath version is evaluated by the XPath 1.0 engine (E23).
// Syntax of XPath 2.0 and later that it cannot evaluate (every/some ...
// satisfies, for ... return, eq, ...: see the criteria documentation) in a
// 1.1 criterion of a version other than xpath-10 compiles, reports itself
// through Criterion.Unsupported (the validator warns), and fails each
// evaluation with that error, so the criterion does not hold and failure
// actions apply; in a selector or replacement target, under xpath-10 and
// with the 1.0 grammar it is a syntax error. Comparisons and arithmetic
// that XPath 1.0 would evaluate differently stay syntax errors. A
// criterion may not be of type jsonpointer (E22); with the 1.0
// grammar a criterion takes only the 1.0 versions (no rfc9535, xpath-31).
//
// CompileSelector compiles a Selector Object, and Selector.Select (or Eval)
// evaluates it with these result shapes (E25): jsonpointer gives the value
// at the pointer, and selecting nothing is an error; jsonpath gives null for
// an empty nodelist (Selection.Nodes is 0, for the caller to warn), the
// value for one node and an array of the values for several; xpath gives
// an atomic result (string, number, boolean) as it is, and for a node-set
// null when empty, the node's value for one and an array for several, the
// value of a node being its string value, except that an element (or the
// document) with element children is serialized as XML. A string or []byte
// context is parsed as XML for xpath and as JSON for jsonpath and
// jsonpointer (not JSON: an error); its parsed form is memoized through the
// Resolver's Memoizer. An absent context selects nothing (Present false).
// Selector.Pointer gives the JSON pointer a jsonpointer selector, or a
// singular JSONPath query of names and indexes, denotes, for a type checker.
//
// With the 1.1 grammar CompileValue finds Selector Objects anywhere in a
// value (E20): an object whose keys are exactly context, selector and type
// (plus x- extensions), whose context and selector are strings, and whose
// type is valid (a type string, or an Expression Type Object of a type, a
// valid version, and x- extensions) is a Selector Object; any other object
// is literal (so an object with "expression" instead of "context" is
// literal; E24 is the validator's). Value.EvalContext evaluates them under
// a context and one budget for the whole value, and reports empty
// selections (OnEmptySelection) and absent expressions (OnAbsent).
//
// CompileTarget compiles a Payload Replacement target. Without
// targetSelectorType the media type decides (E26): JSON Pointer for JSON,
// any +json type, form data and no media type, XPath for XML and any +xml
// type; in 1.1 any other media type needs an explicit type. Target.Set sets
// a JSON Pointer target as internal/jsonptr does, and a JSONPath target at
// every node it selects, leaving alone a node inside another selected one;
// selecting nothing is an error, as a JSONPath query cannot create a
// location (E27). Target.SetCreate serves a request body with replacements
// and no payload (E28): it starts from {} and creates the objects a JSON
// pointer's path needs. An XPath target is checked here, and applied to the
// XML payload by the caller (Set returns ErrXPathTarget).
//
// # Decisions (checklist-1.1 §19)
//
//	E1   $message, $self in a 1.0 grammar: error pointing to the upgrade    TestE1_ArazzoElevenSyntaxIn10
//	E2   grammar per version (ArazzoVersion); 1.0 by default               TestE2_GrammarPerVersion
//	E20  Selector Object = exact key set with a valid type                  TestE20_SelectorObjectsInValues
//	E22  criterion of type jsonpointer: rejected                            TestE22_CriterionJSONPointer
//	E23  one XPath 1.0 engine; 2.0+ syntax fails the criterion at run time  TestE23_XPathVersions11
//	E25  selector result shapes (above)                                     TestE25_SelectorResultShapes
//	E26  target type by media type                                          TestE26_TargetTypeByMediaType
//	E27  JSONPath target: every match; none is an error                     TestE27_JSONPathTargets
//	E28  no payload: start from {}, create intermediate objects             TestE28_TargetCreate
//	E29  strict grammar; lenient forms behind Lenient, reported             TestE29_LenientForms
//	E30  $message.body/query/path, $request/$response.payload: rejected     TestE30_OverPermissiveSources
//	E31  embedding: scalars as text, null "null", objects/arrays as JSON    TestE31_EmbeddingRules
//	E33  $message kinds; what they read is the resolver's                   TestE33_MessageExpressions
//	E34  non-RFC 9535 jsonpath comparisons: Goessner under Lenient, named   TestE34_LenientJSONPathComparison
//
// Value.Eval returns results that share structure with the compiled
// document (a fully literal value comes back as is, with no allocation):
// treat them as read-only. internal/jsonptr's Set copies what it changes.
package expr
