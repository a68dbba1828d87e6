package upgrade

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
)

// upgrader plans the edits of one document.
type upgrader struct {
	doc *arazzo.Document
	s   *source
	v10 []expr.Option
	v11 []expr.Option

	edits   []edit
	changes []pending
	manual  []pending
	// mutate changes the node tree as the edits change the text, to give
	// the data model the upgraded text must read back as.
	mutate []func()
	// flatVersions are the offsets of the keys of the flat "version"
	// fields this upgrade folds into an Expression Type Object; 1.0
	// validation reports them as unknown fields, which is what is fixed.
	flatVersions map[int]bool
	// carried are the 1.0 errors of a document upgraded under Force.
	carried diag.Diagnostics
}

// pending is a change or a manual fix at an offset of the original text.
type pending struct {
	off            int
	rule, old, new string // changes
	code, msg      string // manual fixes
}

// scope is where an expression is, for the rewrites that depend on the
// names defined there (as arazzo.Validate decides them).
type scope struct {
	wf, callee    *arazzo.Workflow
	inStepOutputs bool
}

func newUpgrader(doc *arazzo.Document, s *source) *upgrader {
	return &upgrader{
		doc: doc, s: s,
		v10:          []expr.Option{expr.ArazzoVersion(doc.Arazzo), expr.Lenient()},
		v11:          []expr.Option{expr.ArazzoVersion(TargetVersion), expr.Lenient()},
		flatVersions: map[int]bool{},
	}
}

// deref follows aliases.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// field finds key in mapping m: its key and value nodes and the pair's
// index (-1 when absent).
func field(m *yaml.Node, key string) (k, v *yaml.Node, i int) {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil, -1
	}
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Kind == yaml.ScalarNode && m.Content[j].Value == key {
			return m.Content[j], deref(m.Content[j+1]), j / 2
		}
	}
	return nil, nil, -1
}

func value(m *yaml.Node, key string) *yaml.Node {
	_, v, _ := field(m, key)
	return v
}

func str(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", false
	}
	return n.Value, true
}

func items(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if c = deref(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// pairs returns the values of a mapping's pairs.
func pairs(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	for j := 1; j < len(n.Content); j += 2 {
		if c := deref(n.Content[j]); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func (u *upgrader) run() {
	root := u.s.root
	if v := value(root, "arazzo"); v != nil {
		if old, ok := str(v); ok {
			u.rewrite(v, []sub{{0, len(old), TargetVersion}}, []pending{{rule: RuleVersion, old: old, new: TargetVersion}})
		}
	}
	for _, w := range items(value(root, "workflows")) {
		u.workflow(w)
	}
	if c := value(root, "components"); c != nil {
		for _, p := range pairs(value(c, "parameters")) {
			u.parameter(p, scope{})
		}
		for _, a := range pairs(value(c, "successActions")) {
			u.action(a, scope{})
		}
		for _, a := range pairs(value(c, "failureActions")) {
			u.action(a, scope{})
		}
	}
}

func (u *upgrader) workflow(n *yaml.Node) {
	id, _ := str(value(n, "workflowId"))
	w := u.doc.Workflow(id)
	sc := scope{wf: w}
	for _, p := range items(value(n, "parameters")) {
		u.parameter(p, sc)
	}
	for _, a := range items(value(n, "successActions")) {
		u.action(a, sc)
	}
	for _, a := range items(value(n, "failureActions")) {
		u.action(a, sc)
	}
	for _, s := range items(value(n, "steps")) {
		u.step(s, w)
	}
	for _, o := range pairs(value(n, "outputs")) {
		u.exprSlot(o, sc)
	}
}

func (u *upgrader) step(n *yaml.Node, w *arazzo.Workflow) {
	sc := scope{wf: w}
	if ref, ok := str(value(n, "workflowId")); ok {
		if _, callee, err := u.doc.ResolveWorkflow(ref); err == nil {
			sc.callee = callee
		}
	}
	if op := value(n, "operationPath"); op != nil {
		u.operationPath(op)
	}
	for _, p := range items(value(n, "parameters")) {
		u.parameter(p, sc)
	}
	if b := value(n, "requestBody"); b != nil {
		if p := value(b, "payload"); p != nil {
			u.valueSlot(p, sc, 0)
		}
		for _, r := range items(value(b, "replacements")) {
			if v := value(r, "value"); v != nil {
				u.valueSlot(v, sc, 0)
			}
		}
	}
	for _, c := range items(value(n, "successCriteria")) {
		u.criterion(c, sc)
	}
	for _, a := range items(value(n, "onSuccess")) {
		u.action(a, sc)
	}
	for _, a := range items(value(n, "onFailure")) {
		u.action(a, sc)
	}
	osc := sc
	osc.inStepOutputs = true
	for _, o := range pairs(value(n, "outputs")) {
		u.exprSlot(o, osc)
	}
}

// parameter walks a Parameter Object or a Reusable Object's value.
func (u *upgrader) parameter(n *yaml.Node, sc scope) {
	if v := value(n, "value"); v != nil {
		u.valueSlot(v, sc, 0)
	}
}

func (u *upgrader) action(n *yaml.Node, sc scope) {
	for _, c := range items(value(n, "criteria")) {
		u.criterion(c, sc)
	}
	for _, p := range items(value(n, "parameters")) {
		u.parameter(p, sc)
	}
}

// rewrite plans the edits that make scalar n's value applySubs(value,
// subs), recording changes (at offsets set from the subs when 0), or a
// manual fix when n cannot be edited.
func (u *upgrader) rewrite(n *yaml.Node, subs []sub, changes []pending) {
	nv := applySubs(n.Value, subs)
	off := u.valueOffset(n, subs[0].a)
	if u.s.isShared(n) {
		u.manualf(u.s.rawStart(n), CodeAnchored, "%q is written under a YAML anchor that an alias reuses, so it is not rewritten: write %q here by hand (Arazzo 1.1 reads only the standard form without a warning)", n.Value, nv)
		return
	}
	edits, err := u.s.scalarEdits(n, subs)
	if err != nil {
		u.manualf(off, CodeNotRewritten, "%q could not be rewritten in place: write %q by hand", n.Value, nv)
		return
	}
	u.edits = append(u.edits, edits...)
	for i, c := range changes {
		if i < len(subs) {
			c.off = u.valueOffset(n, subs[i].a)
		} else {
			c.off = off
		}
		u.changes = append(u.changes, c)
	}
	u.mutate = append(u.mutate, func() { n.Value, n.Tag = nv, "!!str" })
}

// valueOffset is the offset of byte i of scalar n's value in the text (or
// of the scalar when that byte was not written as is).
func (u *upgrader) valueOffset(n *yaml.Node, i int) int {
	t, err := u.s.scalar(n)
	if err != nil {
		return u.s.start(n)
	}
	for ; i < len(t.at); i++ {
		if t.at[i] >= 0 {
			return t.at[i]
		}
	}
	if len(t.at) > 0 && t.at[len(t.at)-1] >= 0 {
		return t.at[len(t.at)-1] + 1
	}
	return t.start
}

// manualf records a manual fix (once: a node reached through an alias is
// seen twice).
func (u *upgrader) manualf(off int, code, format string, args ...any) {
	for _, m := range u.manual {
		if m.off == off && m.code == code {
			return
		}
	}
	u.manual = append(u.manual, pending{off: off, code: code, msg: fmt.Sprintf(format, args...)})
}

// lenient reports whether the lenient expression e is one that arazzo.Validate
// warns about where it is (sc), so the upgrade writes its standard form: the
// body and payload forms always; a name holding "." or "[" only when no input
// or output has the whole name.
func (u *upgrader) lenient(e *expr.Expr, sc scope) bool {
	if !e.Lenient || e.Standard == "" {
		return false
	}
	switch e.Kind {
	case expr.KindRequestBody, expr.KindResponseBody, expr.KindMessagePayload:
		return true
	case expr.KindInputs:
		return sc.wf != nil && !slices.Contains(u.doc.InputNames(sc.wf), e.Name)
	case expr.KindWorkflows:
		w := u.doc.Workflow(e.ID)
		if w == nil {
			return false
		}
		if e.Field == "inputs" {
			return !slices.Contains(u.doc.InputNames(w), e.Name)
		}
		return !slices.Contains(outputNames(w.Outputs), e.Name)
	case expr.KindSteps:
		if sc.wf == nil {
			return false
		}
		st := sc.wf.Step(e.ID)
		return st != nil && !slices.Contains(outputNames(st.Outputs), e.Name)
	case expr.KindOutputs:
		var outs []*arazzo.Output
		if sc.inStepOutputs && sc.callee != nil {
			outs = sc.callee.Outputs
		} else if sc.wf != nil {
			outs = sc.wf.Outputs
		}
		return !slices.Contains(outputNames(outs), e.Name)
	}
	return false
}

// exprSlot handles a field whose value is a runtime expression (an output,
// a criterion's context).
func (u *upgrader) exprSlot(n *yaml.Node, sc scope) {
	if s, ok := str(n); ok {
		u.wholeExpr(n, s, sc)
	}
}

// wholeExpr handles a string that may be a runtime expression: in 1.1
// syntax, its standard form; in 1.0 syntax only, a manual fix. It reports
// whether s is an expression in either grammar.
func (u *upgrader) wholeExpr(n *yaml.Node, s string, sc scope) bool {
	e, err := expr.ParseWith(s, u.v11...)
	if err != nil {
		if _, err10 := expr.ParseWith(s, u.v10...); err10 != nil {
			return false // an expression in neither (Validate reported it where it matters)
		}
		u.manualf(u.valueOffset(n, errOffset(err)), CodeGrammar, "%s is a runtime expression in Arazzo 1.0 but not in 1.1 (%s), which would read it as literal text: rewrite it by hand", s, reason(err))
		return true
	}
	if u.lenient(e, sc) {
		u.rewrite(n, []sub{{0, len(s), e.Standard}}, []pending{{rule: RuleExpression, old: s, new: e.Standard}})
	}
	return true
}

// errOffset is the offset of a syntax error in the text parsed.
func errOffset(err error) int {
	if se, ok := err.(*expr.SyntaxError); ok {
		return se.Offset
	}
	return 0
}

func reason(err error) string {
	if se, ok := err.(*expr.SyntaxError); ok {
		return se.Msg
	}
	return err.Error()
}

// valueSlot walks an Any value (a parameter value, a payload, a
// replacement value): strings that are runtime expressions or hold
// embedded ones, and objects that Arazzo 1.1 reads as Selector Objects.
func (u *upgrader) valueSlot(n *yaml.Node, sc scope, depth int) {
	n = deref(n)
	if n == nil || depth > maxDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		if selectorShaped(n) {
			u.manualf(u.s.start(n), CodeSelectorLiteral, "this object has the keys of a Selector Object (selector and context): Arazzo 1.1 reads it as one and sends the value it selects, where 1.0 sent the object as written (E20); if the object is meant literally, change its keys or build it another way")
			return
		}
		for _, v := range pairs(n) {
			u.valueSlot(v, sc, depth+1)
		}
	case yaml.SequenceNode:
		for _, c := range items(n) {
			u.valueSlot(c, sc, depth+1)
		}
	case yaml.ScalarNode:
		if s, ok := str(n); ok && strings.Contains(s, "$") {
			u.valueString(n, s, sc)
		}
	}
}

// selectorShaped is the test arazzo applies to find Selector Objects in
// values: a selector key and a context (or expression) key.
func selectorShaped(n *yaml.Node) bool {
	_, sel, _ := field(n, "selector")
	_, ctx, _ := field(n, "context")
	_, ex, _ := field(n, "expression")
	return sel != nil && (ctx != nil || ex != nil)
}

// valueString handles a string of an Any value: a whole runtime
// expression, or a template with embedded ones.
func (u *upgrader) valueString(n *yaml.Node, s string, sc scope) {
	if !u.wholeExpr(n, s, sc) {
		u.template(n, s, sc, "")
	}
}

// template rewrites the lenient expressions embedded in s, and reports the
// ones 1.0 substituted that 1.1 would keep as literal text. what names a
// condition, for the messages.
func (u *upgrader) template(n *yaml.Node, s string, sc scope, what string) {
	t10 := expr.ParseTemplate(s, u.v10...)
	t11 := expr.ParseTemplate(s, u.v11...)
	at11 := map[int]*expr.Expr{}
	for _, p := range t11.Parts {
		if p.Expr != nil {
			at11[p.Offset] = p.Expr
		}
	}
	for _, p := range t10.Parts {
		if p.Expr == nil {
			continue
		}
		if e, ok := at11[p.Offset]; ok && e.Raw == p.Expr.Raw {
			continue
		}
		msg, off := "it is not a runtime expression in Arazzo 1.1", p.Offset
		if _, err := expr.ParseWith(p.Expr.Raw, u.v11...); err != nil {
			msg, off = reason(err), p.Offset+errOffset(err)
		}
		u.manualf(u.valueOffset(n, off), CodeGrammar, "{%s}%s is substituted in Arazzo 1.0 but is literal text in 1.1 (%s): rewrite it by hand", p.Expr.Raw, what, msg)
	}
	var subs []sub
	var changes []pending
	for _, p := range t11.Parts {
		if p.Expr != nil && u.lenient(p.Expr, sc) {
			subs = append(subs, sub{p.Offset, p.Offset + len(p.Expr.Raw), p.Expr.Standard})
			changes = append(changes, pending{rule: RuleExpression, old: p.Expr.Raw, new: p.Expr.Standard})
		}
	}
	if len(subs) > 0 {
		u.rewrite(n, subs, changes)
	}
}

// lenientSourcePointer is the operationPath form
// $sourceDescriptions.<name>#<fragment> (arazzo's nonstandard-operation-path).
var lenientSourcePointer = regexp.MustCompile(`^\$sourceDescriptions\.([A-Za-z0-9_\-]+)#(.*)$`)

func (u *upgrader) operationPath(n *yaml.Node) {
	s, ok := str(n)
	if !ok {
		return
	}
	m := lenientSourcePointer.FindStringSubmatch(s)
	if m == nil {
		return
	}
	hash := len("$sourceDescriptions.") + len(m[1])
	std := "{$sourceDescriptions." + m[1] + ".url}#" + m[2]
	u.rewrite(n, []sub{{0, 0, "{"}, {hash, hash, ".url}"}}, []pending{{rule: RuleOperationPath, old: s, new: std}})
}

// criterion handles a Criterion Object: its context, its condition (which
// must mean the same in 1.1), and its type (E34, and the flat form).
func (u *upgrader) criterion(n *yaml.Node, sc scope) {
	ctxN := value(n, "context")
	ctx, _ := str(ctxN)
	if ctxN != nil {
		u.exprSlot(ctxN, sc)
	}
	condN := value(n, "condition")
	cond, ok := str(condN)
	if !ok {
		return
	}
	_, typeN, _ := field(n, "type")
	verK, verN, verIdx := field(n, "version")
	typ := ""
	switch {
	case typeN == nil:
	case typeN.Kind == yaml.ScalarNode:
		typ = typeN.Value
	case typeN.Kind == yaml.MappingNode:
		typ, _ = str(value(typeN, "type"))
	}
	switch typ {
	case "", expr.CriterionSimple:
		u.simple(condN, expr.CriterionSpec{Condition: cond, Context: ctx, Type: typ})
	default:
		if expr.ParseTemplate(cond, u.v11...).HasExprs() {
			u.manualf(u.valueOffset(condN, 0), CodeConditionExpressions, "this %s condition embeds runtime expressions: Arazzo 1.1 substitutes them before evaluating the condition (checklist-1.1 8.3), where Telaio reads a 1.0 condition as written: check that the condition means what it should", typ)
			u.template(condN, cond, sc, " in the condition")
		}
	}
	if typeN == nil || typeN.Kind != yaml.ScalarNode {
		return
	}
	if verN != nil {
		// The 1.0 schema's flat form: type and a sibling version.
		ver, ok := str(verN)
		if ok && (typ == expr.CriterionJSONPath || typ == expr.CriterionXPath) {
			u.flatVersions[u.s.start(verK)] = true
			u.typeObject(n, typeN, typ, verN, ver, verIdx)
		}
		return
	}
	if typ != expr.CriterionJSONPath {
		return
	}
	spec := expr.CriterionSpec{Condition: cond, Context: "$response.body", Type: typ}
	if _, err := expr.CompileCriterion(spec, expr.ArazzoVersion(TargetVersion)); err == nil {
		return // RFC 9535: the default, in 1.0 and 1.1
	}
	c, err := expr.CompileCriterion(spec, u.v11...)
	if err != nil || c.Lenient() == "" {
		return
	}
	u.typeObject(n, typeN, typ, nil, c.Lenient(), -1)
}

// simple reports a simple condition whose meaning the 1.1 grammar changes.
func (u *upgrader) simple(condN *yaml.Node, spec expr.CriterionSpec) {
	c10, err := expr.CompileCriterion(spec, u.v10...)
	if err != nil {
		return
	}
	c11, err := expr.CompileCriterion(spec, u.v11...)
	if err != nil {
		off := 0
		if se, ok := err.(*expr.SyntaxError); ok {
			off = se.Offset
		}
		u.manualf(u.valueOffset(condN, off), CodeGrammar, "condition %q is valid in Arazzo 1.0 but not in 1.1 (%s): rewrite it by hand", spec.Condition, reason(err))
		return
	}
	a, b := c10.Exprs(), c11.Exprs()
	same := len(a) == len(b)
	for i := 0; same && i < len(a); i++ {
		same = a[i].Raw == b[i].Raw && a[i].Kind == b[i].Kind
	}
	if !same {
		u.manualf(u.valueOffset(condN, 0), CodeGrammar, "condition %q reads different runtime expressions in Arazzo 1.1: rewrite it by hand", spec.Condition)
	}
}

// typeObject writes a criterion's type as the Expression Type Object
// {type: typ, version: ver}. verN is the flat form's version node, whose
// pair (index verIdx of criterion n) is removed; nil when the version is
// added (E34).
func (u *upgrader) typeObject(n, typeN *yaml.Node, typ string, verN *yaml.Node, ver string, verIdx int) {
	off := u.s.start(typeN)
	if u.s.isShared(typeN) || verN != nil && u.s.isShared(verN) {
		u.manualf(u.s.rawStart(typeN), CodeAnchored, "this criterion is written under a YAML anchor that an alias reuses, so it is not rewritten: write type: {type: %s, version: %s} by hand", typ, ver)
		return
	}
	tt, err := u.s.scalar(typeN)
	if err != nil || tt.end < 0 {
		u.manualf(off, CodeNotRewritten, "this criterion's type could not be rewritten: write type: {type: %s, version: %s} by hand", typ, ver)
		return
	}
	typeText := string(u.s.src[tt.start:tt.end])
	verText := u.s.render(typeN, ver)
	if verN != nil {
		if vt, err := u.s.scalar(verN); err == nil && vt.end >= 0 && !strings.ContainsAny(string(u.s.src[vt.start:vt.end]), "\n\r") {
			verText = string(u.s.src[vt.start:vt.end])
		} else {
			verText = u.s.render(verN, ver)
		}
	}
	text := "{type: " + typeText + ", version: " + verText + "}"
	if u.s.json {
		text = `{"type": ` + typeText + `, "version": ` + verText + "}"
	}
	edits := []edit{{start: tt.start, end: tt.end, text: text}}
	rule := RuleJSONPathVersion
	if verN != nil {
		del, err := u.s.deletePair(n, verIdx)
		if err != nil {
			u.manualf(off, CodeNotRewritten, "this criterion's version could not be moved: write type: {type: %s, version: %s} by hand and remove the version field", typ, ver)
			return
		}
		edits = append(edits, del)
		rule = RuleExpressionType
	}
	u.edits = append(u.edits, edits...)
	u.changes = append(u.changes, pending{off: off, rule: rule, old: typ, new: text})
	u.mutate = append(u.mutate, func() {
		str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
		typeN.Kind, typeN.Tag, typeN.Value, typeN.Style = yaml.MappingNode, "!!map", "", yaml.FlowStyle
		typeN.Content = []*yaml.Node{str("type"), str(typ), str("version"), str(ver)}
		if verN != nil {
			m := deref(n)
			m.Content = append(m.Content[:2*verIdx:2*verIdx], m.Content[2*verIdx+2:]...)
		}
	})
}
