package arazzo

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/oas"
)

// tcType is the static type of a value: the JSON types it can have and,
// when known, the schemas that describe it (for following pointers).
type tcType struct {
	kinds tcKinds
	nodes []tcNode
}

var tcUnknown = tcType{kinds: tkAll}

func (c *typeChecker) typed(nodes []tcNode) tcType {
	if len(nodes) == 0 {
		return tcUnknown
	}
	return tcType{kinds: c.kindsOf(nodes), nodes: nodes}
}

// tcTok is a pointer token (or condition navigation step) and its byte
// offset from the start of the expression's text.
type tcTok struct {
	name string
	off  int
}

// tcPointerToksIn lists the pointer tokens of e with their offsets in raw,
// which holds the pointer after a "#".
func tcPointerToksIn(e *expr.Expr, raw string) []tcTok {
	if !e.HasPointer || len(e.Pointer) == 0 {
		return nil
	}
	h := strings.IndexByte(raw, '#')
	if h < 0 {
		return nil
	}
	out := make([]tcTok, len(e.Pointer))
	pos := h + 1 // the '/' before token i
	for i, t := range e.Pointer {
		out[i] = tcTok{name: t, off: pos + 1}
		next := strings.IndexByte(raw[min(pos+1, len(raw)):], '/')
		if next < 0 {
			pos = len(raw)
		} else {
			pos += 1 + next
		}
	}
	return out
}

// tcNavigation reads ".name" and "[n]" navigation that follows an operand
// of a simple condition: end is where the expression text ends in cond and
// exprLen its length, so offsets are relative to the expression's start.
func tcNavigation(cond string, end, exprLen int) (out []tcTok, navEnd int) {
	start := end - exprLen
	i := end
	for i < len(cond) {
		switch cond[i] {
		case '.':
			j := i + 1
			for j < len(cond) && cond[j] != '.' && cond[j] != '[' && !tcOperandStop(cond[j]) {
				j++
			}
			if j == i+1 {
				return out, i
			}
			out = append(out, tcTok{name: cond[i+1 : j], off: i + 1 - start})
			i = j
		case '[':
			j := i + 1
			for j < len(cond) && cond[j] >= '0' && cond[j] <= '9' {
				j++
			}
			if j == i+1 || j >= len(cond) || cond[j] != ']' {
				return out, i
			}
			out = append(out, tcTok{name: cond[i+1 : j], off: i + 1 - start})
			i = j + 1
		default:
			return out, i
		}
	}
	return out, i
}

// tcOperand is a runtime-expression operand of a simple condition: the
// expression, its navigation, and its byte range in the condition.
type tcOperand struct {
	e        *expr.Expr
	nav      []tcTok
	off, end int
}

// tcOperands finds the runtime-expression operands of a simple condition
// as its parser does: each "$" outside a single-quoted string starts an
// operand that runs to an operator, space or parenthesis; it is an
// expression, or the longest prefix ending before "." or "[" that is one,
// followed by navigation. Text that is neither is skipped (Validate reports
// it).
func tcOperands(d *Document, cond string) []tcOperand {
	var out []tcOperand
	for i := 0; i < len(cond); i++ {
		switch cond[i] {
		case '\'':
			j := strings.IndexByte(cond[i+1:], '\'')
			if j < 0 {
				return out
			}
			i += j + 1
			continue
		case '$':
		default:
			continue
		}
		k := i
		for k < len(cond) && !tcOperandStop(cond[k]) {
			k++
		}
		text := cond[i:k]
		if e, err := d.parseExpr(text); err == nil {
			out = append(out, tcOperand{e: e, off: i, end: k})
			i = k - 1
			continue
		}
		for j := len(text) - 1; j > 0; j-- {
			if text[j] != '.' && text[j] != '[' {
				continue
			}
			e, err := d.parseExpr(text[:j])
			if err != nil {
				continue
			}
			nav, end := tcNavigation(cond, i+j, j)
			out = append(out, tcOperand{e: e, nav: nav, off: i, end: end})
			break
		}
		i = k - 1
	}
	return out
}

func tcOperandStop(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '!', '&', '(', ')', '<', '=', '>', '{', '|', '}':
		return true
	}
	return false
}

// typeOf types expression e read in ctx, followed by extra navigation.
// When at is not nil, pointers that cannot exist and undeclared response
// headers are reported at at(offset in e.Raw).
func (c *typeChecker) typeOf(ctx tcCtx, e *expr.Expr, extra []tcTok, at func(int) diag.Range) tcType {
	return c.typeOfText(ctx, e, e.Raw, extra, at)
}

// typeOfText is typeOf where raw is the operand's text in messages (the
// expression and its navigation).
func (c *typeChecker) typeOfText(ctx tcCtx, e *expr.Expr, raw string, extra []tcTok, at func(int) diag.Range) tcType {
	e = c.standardName(ctx, e)
	toks := tcToks(e, raw)
	if len(extra) > 0 {
		toks = append(toks, extra...)
	}
	sc := ctx.sc
	switch e.Kind {
	case expr.KindStatusCode:
		return tcType{kinds: tkInteger}
	case expr.KindURL, expr.KindMethod:
		return tcType{kinds: tkString}
	case expr.KindResponseBody:
		if sc.op == nil {
			return tcUnknown
		}
		resps := ctx.resp
		roots, known := c.bodyRoots(sc.op, resps)
		if !known {
			return tcUnknown
		}
		if ctx.also {
			for _, r := range sc.op.Responses {
				if slices.Contains(resps, r) {
					continue
				}
				if more, ok := c.bodyRoots(sc.op, []*oas.Response{r}); ok && len(more) > 0 {
					roots = append(roots, more...)
					resps = append(resps[:len(resps):len(resps)], r)
				}
			}
		}
		if len(roots) == 0 && len(toks) > 0 {
			if at != nil {
				c.report(at(toks[0].off), CodeTypeResponsePointer, diag.Error, "%s: the %s of %s %s no body",
					e.Raw, tcRespList(resps), tcOpName(sc.op), map[bool]string{true: "has", false: "have"}[len(resps) == 1])
			}
			return tcUnknown
		}
		return c.navigate(raw, roots, toks, at, func() (string, string) {
			if len(resps) == 1 {
				return "the " + resps[0].Code + " response body of " + tcOpName(sc.op), "has"
			}
			return "the response bodies of " + tcOpName(sc.op) + " (" + strings.Join(tcCodeList(resps), ", ") + ")", "have"
		})
	case expr.KindResponseHeader:
		return c.responseHeader(ctx, e, at)
	case expr.KindMessagePayload:
		return c.messagePayload(ctx, raw, toks, at)
	case expr.KindMessageHeader:
		return c.messageHeader(ctx, e, at)
	case expr.KindInputs:
		if sc.wf == nil || sc.wf.Inputs == nil {
			return tcUnknown
		}
		t := c.memberType(tcNode{s: sc.wf.Inputs, root: c.docRoot(sc.doc)}, e.Name)
		return c.navigate(raw, t.nodes, toks, nil, nil)
	case expr.KindSteps:
		if sc.wf == nil {
			return tcUnknown
		}
		st := sc.wf.Step(e.ID)
		if st == nil {
			return tcUnknown
		}
		o := tcFindOutput(st.Outputs, e.Name)
		if o == nil {
			return tcUnknown
		}
		t := c.outputType(c.stepScope(sc.doc, sc.wf, st), o)
		return c.navigate(raw, t.nodes, toks, at, func() (string, string) {
			return fmt.Sprintf("output %q of step %q", o.Name, st.StepID), "has"
		})
	case expr.KindOutputs:
		if !ctx.inOutputs || sc.callee == nil {
			return tcUnknown
		}
		o := tcFindOutput(sc.callee.Outputs, e.Name)
		if o == nil {
			return tcUnknown
		}
		t := c.outputType(&tcScope{doc: sc.calleeDoc, wf: sc.callee}, o)
		return c.navigate(raw, t.nodes, toks, at, func() (string, string) {
			return fmt.Sprintf("output %q of workflow %q", o.Name, sc.callee.WorkflowID), "has"
		})
	case expr.KindWorkflows:
		w := sc.doc.Workflow(e.ID)
		if w == nil {
			return tcUnknown
		}
		switch e.Field {
		case "outputs":
			o := tcFindOutput(w.Outputs, e.Name)
			if o == nil {
				return tcUnknown
			}
			t := c.outputType(&tcScope{doc: sc.doc, wf: w}, o)
			return c.navigate(raw, t.nodes, toks, at, func() (string, string) {
				return fmt.Sprintf("output %q of workflow %q", o.Name, w.WorkflowID), "has"
			})
		case "inputs":
			if w.Inputs == nil {
				return tcUnknown
			}
			t := c.memberType(tcNode{s: w.Inputs, root: c.docRoot(sc.doc)}, e.Name)
			return c.navigate(raw, t.nodes, toks, nil, nil)
		}
	}
	return tcUnknown
}

func tcFindOutput(outs []*Output, name string) *Output {
	for _, o := range outs {
		if o != nil && o.Name == name {
			return o
		}
	}
	return nil
}

// memberType is the type of a property of an object schema (unknown when
// the schema does not declare it).
func (c *typeChecker) memberType(n tcNode, name string) tcType {
	var lk tcLookup
	c.member(n, name, &lk)
	if lk.open || !lk.found {
		return tcUnknown
	}
	return c.typed(tcCap(lk.children))
}

// outputType is the type of an output, computed once (without reporting:
// the output's own check reports its problems).
func (c *typeChecker) outputType(sc *tcScope, o *Output) tcType {
	if t, ok := c.outTypes[o]; ok {
		return t
	}
	if c.outBusy[o] || len(c.outBusy) > tcMaxDepth {
		return tcUnknown
	}
	c.outBusy[o] = true
	ctx := tcCtx{sc: sc, inOutputs: sc.step != nil}
	if sc.op != nil {
		ctx.resp = sc.success
	}
	var t tcType
	if o.Selector != nil {
		t = c.selectorType(ctx, o.Selector.Spec(), nil)
	} else if e, err := sc.doc.parseExpr(o.Expression); err == nil {
		t = c.typeOf(ctx, e, nil, nil)
	} else {
		t = tcUnknown
	}
	delete(c.outBusy, o)
	c.outTypes[o] = t
	return t
}

// navigate follows toks through the schemas of a value. A token that
// cannot exist is reported (when at is set) with what() naming the value.
func (c *typeChecker) navigate(raw string, nodes []tcNode, toks []tcTok, at func(int) diag.Range, what func() (string, string)) tcType {
	if len(toks) == 0 {
		return c.typed(nodes)
	}
	if len(nodes) == 0 {
		return tcUnknown
	}
	for i, tok := range toks {
		var lk tcLookup
		for _, n := range nodes {
			c.member(n, tok.name, &lk)
		}
		if lk.open || !lk.declares {
			return tcUnknown
		}
		if !lk.found {
			if at != nil && what != nil {
				where := ""
				if i > 0 {
					where = " under " + tcTokPath(toks[:i])
				}
				kind := "property"
				if c.kindsOf(nodes)&(tkObject|tkArray) == tkArray {
					kind = "element"
				}
				suffix := didYouMean(tok.name, c.namesAt(nodes))
				if kind == "element" {
					suffix = " (an array takes numeric indexes, such as /0)"
				}
				if c.kindsOf(nodes)&(tkObject|tkArray) == 0 {
					suffix = fmt.Sprintf(" (the value%s is %s)", where, c.kindsOf(nodes).article())
				}
				subject, verb := what()
				c.report(at(tok.off), CodeTypeResponsePointer, diag.Error, "%s: %s %s no %s %q%s%s",
					raw, subject, verb, kind, tok.name, where, suffix)
			}
			return tcUnknown
		}
		nodes = tcCap(tcDedupe(lk.children))
	}
	return c.typed(nodes)
}

func tcTokPath(toks []tcTok) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t.name))
	}
	return b.String()
}

// tcDedupe drops repeated schemas (the same map reached twice).
func tcDedupe(nodes []tcNode) []tcNode {
	if len(nodes) < 2 {
		return nodes
	}
	out := nodes[:0:0]
	for _, n := range nodes {
		dup := false
		for _, o := range out {
			if tcSameSchema(n.s, o.s) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out
}

func tcSameSchema(a, b any) bool {
	ma, ok1 := a.(map[string]any)
	mb, ok2 := b.(map[string]any)
	if ok1 && ok2 {
		return reflect.ValueOf(ma).Pointer() == reflect.ValueOf(mb).Pointer()
	}
	if ok1 || ok2 {
		return false
	}
	ba, ok1 := a.(bool)
	bb, ok2 := b.(bool)
	return ok1 && ok2 && ba == bb
}

// bodyRoots lists the body schemas of responses; known is false when one
// of them is undescribed (see the decisions).
func (c *typeChecker) bodyRoots(op *oas.Operation, resps []*oas.Response) (roots []tcNode, known bool) {
	if len(resps) == 0 {
		return nil, false
	}
	for _, r := range resps {
		if len(r.Content) == 0 {
			switch r.Code {
			case "204", "205", "304":
				continue
			}
			return nil, false
		}
		for _, m := range r.Content {
			if m.Schema == nil {
				return nil, false
			}
			roots = append(roots, tcNode{s: m.Schema, root: c.oasRoot(op.Doc)})
		}
	}
	return roots, true
}

func tcCodeList(resps []*oas.Response) []string {
	codes := make([]string, 0, len(resps))
	for _, r := range resps {
		codes = append(codes, r.Code)
	}
	return codes
}

// responseHeader types $response.header.X and reports a header no
// response in scope declares.
func (c *typeChecker) responseHeader(ctx tcCtx, e *expr.Expr, at func(int) diag.Range) tcType {
	if ctx.sc.op == nil || len(ctx.resp) == 0 {
		return tcUnknown
	}
	var nodes []tcNode
	var names []string
	found := false
	resps := ctx.resp
	if ctx.also {
		resps = ctx.sc.op.Responses
	}
	for _, r := range resps {
		for _, h := range r.Headers {
			names = append(names, h.Name)
			if strings.EqualFold(h.Name, e.Name) {
				found = true
				if h.Schema != nil {
					nodes = append(nodes, tcNode{s: h.Schema, root: c.oasRoot(ctx.sc.op.Doc)})
				}
			}
		}
	}
	if found {
		if len(nodes) == 0 {
			return tcType{kinds: tkString}
		}
		return c.typed(nodes)
	}
	if at != nil && !tcStandardResponseHeaders[strings.ToLower(e.Name)] {
		c.report(at(0), CodeTypeUnknownResponseHeader, diag.Warning, "%s: the %s of %s %s header %q%s",
			e.Raw, tcRespList(resps), tcOpName(ctx.sc.op),
			tcDeclareVerb(resps), e.Name, didYouMean(e.Name, names))
	}
	return tcType{kinds: tkString}
}

func tcRespList(resps []*oas.Response) string {
	codes := tcCodeList(resps)
	if len(codes) == 1 {
		return codes[0] + " response"
	}
	return "responses " + strings.Join(codes, ", ")
}

func tcDeclareVerb(resps []*oas.Response) string {
	if len(resps) == 1 {
		return "declares no"
	}
	return "declare no"
}

// ---- status codes ----

// tcCmp is a comparison of $statusCode with a number in a condition; off
// is the number's offset.
type tcCmp struct {
	op   string
	code int
	off  int
}

// tcStatusComparisons finds "$statusCode <op> N" and "N <op> $statusCode"
// in a simple condition.
func tcStatusComparisons(cond string) []tcCmp {
	const sc = "$statusCode"
	var out []tcCmp
	for from := 0; from < len(cond); {
		i := strings.Index(cond[from:], sc)
		if i < 0 {
			break
		}
		i += from
		end := i + len(sc)
		from = end
		if end < len(cond) && (isIdentByte(cond[end]) || cond[end] == '.') {
			continue
		}
		// Forward: $statusCode op N
		j := tcSkipSpace(cond, end)
		if op, k := tcReadOp(cond, j); op != "" {
			k = tcSkipSpace(cond, k)
			if n, off, ok := tcReadCode(cond, k); ok {
				out = append(out, tcCmp{op: op, code: n, off: off})
				continue
			}
		}
		// Backward: N op $statusCode
		k := i - 1
		for k >= 0 && (cond[k] == ' ' || cond[k] == '\t') {
			k--
		}
		opEnd := k + 1
		for k >= 0 && strings.IndexByte("=!<>", cond[k]) >= 0 {
			k--
		}
		op := cond[k+1 : opEnd]
		if !tcValidOp(op) {
			continue
		}
		for k >= 0 && (cond[k] == ' ' || cond[k] == '\t') {
			k--
		}
		numEnd := k + 1
		if k >= 0 && (cond[k] == '\'' || cond[k] == '"') {
			k--
		}
		for k >= 0 && cond[k] >= '0' && cond[k] <= '9' {
			k--
		}
		if k >= 0 && (cond[k] == '\'' || cond[k] == '"') {
			k--
		}
		if n, off, ok := tcReadCode(cond, k+1); ok && off < numEnd {
			out = append(out, tcCmp{op: tcFlipOp(op), code: n, off: off})
		}
	}
	return out
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b|0x20 >= 'a' && b|0x20 <= 'z'
}

func tcSkipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func tcReadOp(s string, i int) (string, int) {
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if strings.HasPrefix(s[min(i, len(s)):], op) {
			return op, i + len(op)
		}
	}
	return "", i
}

func tcValidOp(op string) bool {
	switch op {
	case "==", "!=", "<=", ">=", "<", ">":
		return true
	}
	return false
}

func tcFlipOp(op string) string {
	switch op {
	case "<":
		return ">"
	case ">":
		return "<"
	case "<=":
		return ">="
	case ">=":
		return "<="
	}
	return op
}

// tcReadCode reads a 3-digit status code (optionally quoted) at i.
func tcReadCode(s string, i int) (code, off int, ok bool) {
	if i < 0 || i >= len(s) {
		return 0, 0, false
	}
	q := byte(0)
	if s[i] == '\'' || s[i] == '"' {
		q = s[i]
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j-i != 3 || (j < len(s) && (isIdentByte(s[j]) || s[j] == '.')) {
		return 0, 0, false
	}
	if q != 0 && (j >= len(s) || s[j] != q) {
		return 0, 0, false
	}
	n, err := strconv.Atoi(s[i:j])
	if err != nil || n < 100 || n > 599 {
		return 0, 0, false
	}
	return n, i, true
}

func tcCmpHolds(op string, a, b int) bool {
	switch op {
	case "==":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return false
}

// successResponses lists the responses a step can succeed with (see the
// decisions in typecheck.go).
func (c *typeChecker) successResponses(op *oas.Operation, s *Step) []*oas.Response {
	var out []*oas.Response
	add := func(r *oas.Response) {
		if r == nil {
			return
		}
		for _, o := range out {
			if o == r {
				return
			}
		}
		out = append(out, r)
	}
	for _, r := range op.Responses {
		if len(r.Code) == 3 && r.Code[0] == '2' {
			add(r)
		}
	}
	if len(out) == 0 {
		for _, r := range op.Responses {
			if r.Code == "default" {
				add(r)
			}
		}
	}
	// statusOf lists, once per operation, the response that describes each
	// code (nil for none).
	var byCode []*oas.Response
	codes := func() []*oas.Response {
		if byCode == nil {
			byCode = make([]*oas.Response, 600)
			for code := 100; code < 600; code++ {
				byCode[code] = op.Response(code)
			}
		}
		return byCode
	}
	for _, cr := range s.SuccessCriteria {
		if cr == nil {
			continue
		}
		switch {
		case cr.EffectiveType() == CriterionSimple:
			for _, cmp := range tcStatusComparisons(cr.Condition) {
				if cmp.op == "==" {
					add(op.Response(cmp.code))
					continue
				}
				for code, r := range codes() {
					if r != nil && tcCmpHolds(cmp.op, code, cmp.code) {
						add(r)
					}
				}
			}
		case cr.EffectiveType() == CriterionRegex && strings.TrimSpace(cr.Context) == "$statusCode":
			re, err := regexp.Compile(cr.Condition)
			for code, r := range codes() {
				if r != nil && (err != nil || re.MatchString(strconv.Itoa(code))) {
					add(r)
				}
			}
		}
	}
	return out
}

// tcResponseCodes lists the declared response codes.
func tcResponseCodes(op *oas.Operation) []string {
	out := make([]string, 0, len(op.Responses))
	for _, r := range op.Responses {
		out = append(out, r.Code)
	}
	return out
}
