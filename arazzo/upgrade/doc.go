// Package upgrade rewrites an Arazzo 1.0 document as Arazzo 1.1 (the
// telaio upgrade command). It edits the original bytes, so everything it
// does not change (comments, key order, quoting, indentation, JSON or
// YAML) stays as written, and it lists what needs a manual fix.
//
// # Where to start
//
// Document takes a document read by arazzo.Parse or arazzo.Load (with its
// sources, so that validation checks operations) and returns a Result:
//
//	doc, diags := arazzo.Load(ctx, "flow.arazzo.yaml")
//	res, err := upgrade.Document(doc, upgrade.WithLoadDiagnostics(diags))
//	var invalid *upgrade.InvalidError
//	switch {
//	case errors.As(err, &invalid): // not valid Arazzo 1.0: invalid.Diagnostics
//	case err != nil:
//	case res.Already: // declares 1.1 already: nothing to do
//	default:
//		os.WriteFile("flow.arazzo.yaml", res.Text, 0o644)
//		for _, c := range res.Changes { fmt.Println(c) }  // what was rewritten
//		for _, d := range res.Manual { fmt.Println(d) }   // what to fix by hand
//	}
//
// # Rewrites
//
// Each Change has a rule:
//
//	version                 arazzo: 1.0.x                     -> 1.1.0
//	standard-expression     $response.body.a[0]               -> $response.body#/a/0
//	                        $inputs.customer.name             -> $inputs.customer#/name
//	                        (every lenient form arazzo warns about as
//	                        nonstandard-expression, where it warns: a dotted
//	                        input or output name stays when that whole name is
//	                        defined, and in components, where no workflow says
//	                        which names exist), in outputs, parameter values,
//	                        payload and replacement strings, criterion
//	                        contexts, and {$...} embedded in templates and in
//	                        regex, jsonpath and xpath conditions
//	operation-path          $sourceDescriptions.x#/paths/...  -> '{$sourceDescriptions.x.url}#/paths/...'
//	jsonpath-version        type: jsonpath                    -> type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}
//	                        only when the condition is not RFC 9535 but is
//	                        the Goessner draft's <path> <op> <literal> form
//	                        (E34), so that it keeps its meaning; a condition
//	                        valid in RFC 9535 stays as it is
//	expression-type-object  type: jsonpath + version: V       -> type: {type: jsonpath, version: V}
//	                        (the 1.0 schema's flat form; also xpath)
//
// A value is rewritten in place: only the bytes of the expression change,
// in the scalar's own style (plain, single- or double-quoted, literal or
// folded block; escapes elsewhere in the scalar are kept). When the new
// text cannot be written in that style (a plain scalar cannot start with
// "{"), the scalar is written in the plainest style that can hold it:
// single-quoted, else double-quoted. The flat version's line is removed
// with its comment (in a flow mapping or JSON object, the member and its
// comma). An Expression Type Object is written as a flow mapping on the
// type's line, its scalars quoted like the type was.
//
// # Manual fixes
//
// What the upgrade cannot rewrite without changing its meaning, or cannot
// edit safely, is a diagnostic in Result.Manual, at file:line:col of the
// upgraded text:
//
//	upgrade-grammar               a runtime expression, embedded {$...} or simple
//	                              condition that Arazzo 1.0 reads and the strict 1.1
//	                              grammar rejects, with no standard rewrite
//	                              ($inputs.café, $request.query.a"b, a pointer with
//	                              a brace); 1.1 would read it as literal text
//	upgrade-selector-literal      an object in a parameter value, payload or
//	                              replacement value with the keys of a Selector
//	                              Object, which 1.1 reads as a selector (E20)
//	upgrade-condition-expressions a regex, jsonpath or xpath condition embedding
//	                              {$...}: 1.1 substitutes them before evaluating it
//	                              (its lenient forms are rewritten all the same)
//	upgrade-anchored              a value to rewrite under a YAML anchor that an
//	                              alias reuses elsewhere
//	upgrade-not-rewritten         a value written in a form this package does not
//	                              edit in place (a plain scalar with trailing spaces
//	                              before a line break, for instance)
//
// and then every error, and every nonstandard-* warning, of the upgraded
// document validated as 1.1 (arazzo.Validate with the input's sources):
// what 1.1 rejects that 1.0 accepted (such as a step reading the outputs
// of a later one, forward-reference), and any lenient form left. A
// diagnostic at the position of one of the upgrade's own is not repeated.
//
// # Decisions
//
//   - A document that declares 1.1 or later is returned as it is, Already
//     set (TestAlreadyEleven).
//   - A document is upgraded only when it validates as Arazzo 1.0 (its
//     own file's errors; those of the documents it references do not
//     count). Two kinds of 1.0 errors do not block, because the upgrade
//     removes them: Arazzo 1.1 features in a 1.0 document (E1: the
//     validator's hint is this command), and the flat criterion version,
//     an unknown field in 1.0 (TestE1_ElevenFeaturesUpgrade,
//     TestFlatVersionUpgrades). Any other error refuses the document with
//     an *InvalidError (TestRefusesInvalid10), unless Force is given: then
//     the document is upgraded and its 1.0 errors are manual fixes
//     (TestForceCarriesErrors). Refusing is the default because the
//     upgrade decides what an expression means from the validated model.
//   - The rewrites are those arazzo.Validate warns about under 1.1, decided
//     the same way, so the upgraded document is clean under
//     arazzo.Strict() unless a manual fix remains or the document had
//     other strict findings already (TestCorpus pins them).
//   - Names: a dotted $inputs, $outputs, $steps or $workflows name is
//     rewritten only when the whole name is not defined where it is
//     written, as the validator decides (TestDottedNamesKept).
//   - E34: the Goessner version is pinned only on a plain type: jsonpath
//     criterion whose condition fails RFC 9535 and compiles as the
//     Goessner comparison; never on an RFC 9535 condition
//     (TestE34_PinsOnlyGoessner).
//   - E20: an object in a value with a selector key and a context (or
//     expression) key, the test arazzo applies, is a manual fix; it is
//     left as written (TestE20_SelectorShapedLiteral).
//   - regex, jsonpath and xpath conditions that embed {$...}: Telaio
//     reads them literally in 1.0; 1.1 substitutes them. A manual fix,
//     with the lenient forms inside rewritten (TestConditionExpressions).
//   - A value under an anchor that an alias reuses is not edited
//     (TestAnchoredValues): the edit would change every use.
//   - The upgraded text must read back, by the same reader, as the
//     original data with exactly the planned changes; otherwise Document
//     returns a *VerifyError (a bug) rather than a wrong document.
//
// # Safety
//
// Document never panics and does not modify its input. The work is linear
// in the size of the document, which arazzo.Parse bounds
// (arazzo.DefaultMaxDocumentBytes); nesting is followed to a depth of
// 1000. The text is verified before it is returned (see Decisions).
package upgrade
