package arazzo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/internal/suggest"
)

// Meta records where an object and each of its fields were written, and the
// object's specification extensions (x- fields). Every model object embeds it.
type Meta struct {
	// Range is where the object starts (its mapping node).
	Range diag.Range
	// Extensions holds the x- fields, in the JSON data model.
	Extensions map[string]any

	fields map[string]field
	doc    *Document
}

type field struct {
	key, value *yaml.Node
}

// Has reports whether the field was written in the document.
func (m *Meta) Has(name string) bool {
	_, ok := m.fields[name]
	return ok
}

// KeyRange is where the key of field name was written; the object's range when
// the field is absent.
func (m *Meta) KeyRange(name string) diag.Range {
	if f, ok := m.fields[name]; ok {
		return m.rangeOf(f.key)
	}
	return m.Range
}

// ValueRange is where the value of field name was written; the object's range
// when the field is absent.
func (m *Meta) ValueRange(name string) diag.Range {
	if f, ok := m.fields[name]; ok {
		return m.rangeOf(f.value)
	}
	return m.Range
}

// OffsetRange maps a byte offset inside the string value of field name to a
// position in the file (as well as YAML quoting and block scalars allow).
func (m *Meta) OffsetRange(name string, offset int) diag.Range {
	f, ok := m.fields[name]
	if !ok {
		return m.Range
	}
	return m.offsetIn(f.value, offset)
}

// valueNode is the YAML node of field name's value, or nil.
func (m *Meta) valueNode(name string) *yaml.Node {
	if f, ok := m.fields[name]; ok {
		return f.value
	}
	return nil
}

func (m *Meta) rangeOf(n *yaml.Node) diag.Range {
	if m.doc == nil {
		return nodeRange("", n)
	}
	return nodeRange(m.doc.File, n)
}

func (m *Meta) offsetIn(n *yaml.Node, offset int) diag.Range {
	if m.doc == nil {
		return nodeRange("", n)
	}
	return m.doc.offsetRange(n, offset)
}

// Document is an Arazzo description: the root object plus what Load resolved.
type Document struct {
	Meta
	// Arazzo is the spec version the document declares (1.0.x or 1.1.x).
	// It selects the rules the document is read by: see Is11.
	Arazzo string
	// Self is the $self field (Arazzo 1.1): the URI the document assigns
	// itself, "" when absent. BaseURI resolves it.
	Self               string
	Info               *Info
	SourceDescriptions []*SourceDescription
	Workflows          []*Workflow
	Components         *Components

	// File is the name diagnostics use for this document.
	File string
	// Src is the document's bytes.
	Src []byte
	// Raw is the whole document in the JSON data model; workflow input schemas
	// are compiled against it so local $refs resolve.
	Raw any
	// Sources holds the loaded source descriptions by name, after Load.
	Sources map[string]*Source
	// URL is where the document was loaded from (a path, fs path or URL).
	URL string
	// retrieval is the absolute URI the document was retrieved from (a
	// file: URI for a document Load read from the file system), the base
	// of a relative $self and the value of $self without one (E5); "" when
	// there is none (LoadFS, Parse).
	retrieval string

	root *yaml.Node
	// exprOpts are the options its runtime expressions are parsed with
	// (see ExprOptions), set by Parse.
	exprOpts []expr.Option
}

// Is11 reports whether the document is read by the Arazzo 1.1 rules: it
// declares arazzo 1.1.x (or a later version, which Validate rejects as
// unsupported). A document declaring 1.0.x, or no version, is read by the
// 1.0 rules: the 1.1 fields, source type asyncapi, in: querystring and
// in: channel, Selector Objects, action parameters and the $message and
// $self expressions are errors that say they are Arazzo 1.1 (E1). Each
// document of a description is read by its own version (E3).
func (d *Document) Is11() bool {
	return d != nil && is11(d.Arazzo)
}

// is11 reports whether an arazzo version gets the 1.1 rules: a
// major.minor of 1.1 or later, as expr.ArazzoVersion decides for the
// grammar ("", 1.0.x and text that is not a version get the 1.0 rules).
func is11(v string) bool {
	major, rest, _ := strings.Cut(v, ".")
	minor, _, _ := strings.Cut(rest, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma < 1 {
		return false
	}
	return ma > 1 || mi >= 1
}

// ExprOptions are the options of package expr that read the document's
// runtime expressions as the validator does: the grammar of its version
// (expr.ArazzoVersion) and the lenient forms (expr.Lenient), which
// Validate accepts with a warning that shows the standard form (and
// rejects under Strict). A consumer such as the executor should compile
// the document's expressions, values, criteria and selectors with them, so
// that what validated with a warning runs as it was read. The slice is the
// caller's.
func (d *Document) ExprOptions() []expr.Option {
	if d == nil {
		return []expr.Option{expr.Lenient()}
	}
	return []expr.Option{expr.ArazzoVersion(d.Arazzo), expr.Lenient()}
}

// opts returns the options its expressions are parsed with, without
// allocating for a parsed document.
func (d *Document) opts() []expr.Option {
	if d != nil && d.exprOpts != nil {
		return d.exprOpts
	}
	return d.ExprOptions()
}

// parseExpr parses a runtime expression by the document's rules.
func (d *Document) parseExpr(s string) (*expr.Expr, error) {
	return expr.ParseWith(s, d.opts()...)
}

// Info is the Info Object.
type Info struct {
	Meta
	Title, Summary, Description, Version string
}

// Source description types. SourceAsyncAPI is Arazzo 1.1.
const (
	SourceOpenAPI  = "openapi"
	SourceArazzo   = "arazzo"
	SourceAsyncAPI = "asyncapi"
)

// SourceDescription is the Source Description Object.
type SourceDescription struct {
	Meta
	Name, URL, Type string
}

// Workflow is the Workflow Object.
type Workflow struct {
	Meta
	WorkflowID, Summary, Description string
	// Inputs is the JSON Schema of the workflow's inputs (nil when absent).
	Inputs any
	// InputsPointer is the JSON pointer of Inputs inside Document.Raw.
	InputsPointer  string
	DependsOn      []string
	Steps          []*Step
	SuccessActions []*Action
	FailureActions []*Action
	Outputs        []*Output
	Parameters     []*Parameter

	// order is the execution order when dependencies reorder the steps
	// (nil: list order); cyclic is set when they cannot be ordered.
	order  []int
	cyclic bool
}

// Step finds a step by id.
func (w *Workflow) Step(id string) *Step {
	for _, s := range w.Steps {
		if s.StepID == id {
			return s
		}
	}
	return nil
}

// Output is one entry of an outputs map: a name and a runtime expression,
// or (Arazzo 1.1) a Selector Object, then Selector is set and Expression
// is "".
type Output struct {
	Name, Expression string
	// Selector is the output's Selector Object (Arazzo 1.1), or nil.
	Selector *Selector
	// Key and Value are where the entry's key and value were written.
	Key, Value diag.Range
	node       *yaml.Node
	doc        *Document
}

// OffsetRange maps an offset in Expression to a file position.
func (o *Output) OffsetRange(offset int) diag.Range {
	if o.doc == nil {
		return o.Value
	}
	return o.doc.offsetRange(o.node, offset)
}

// Step is the Step Object.
type Step struct {
	Meta
	StepID, Description                    string
	OperationID, OperationPath, WorkflowID string
	// ChannelPath (Arazzo 1.1) targets a channel of an AsyncAPI source:
	// {$sourceDescriptions.<name>.url}#/channels/<key>.
	ChannelPath string
	// Action (Arazzo 1.1) is StepSend or StepReceive: what a step that
	// targets an AsyncAPI operation or channel does, from the workflow's
	// point of view (E10).
	Action string
	// CorrelationID (Arazzo 1.1) is the correlationId of a receive step as
	// written (nil when absent): a string, which is a runtime expression,
	// a {$...} template or literal text, or a number or boolean, compared
	// as text (E11). It is the value expected where the AsyncAPI message's
	// correlationId.location points.
	CorrelationID any
	// Timeout (Arazzo 1.1) is the step's timeout in milliseconds, nil when
	// absent (E12: it bounds one attempt; a step that calls a workflow,
	// the whole workflow).
	Timeout *int
	// DependsOn (Arazzo 1.1) lists the steps that must have completed
	// before this one runs: a stepId of the same workflow,
	// $workflows.<workflowId>.steps.<stepId>, or
	// $sourceDescriptions.<name>.<workflowId>.steps.<stepId>. Dependencies
	// adds the implicit ones.
	DependsOn       []string
	Parameters      []*Parameter
	RequestBody     *RequestBody
	SuccessCriteria []*Criterion
	OnSuccess       []*Action
	OnFailure       []*Action
	Outputs         []*Output

	// deps are the step's dependencies, computed by Parse (1.1 only).
	deps []Dependency
}

// Step actions (Arazzo 1.1).
const (
	StepSend    = "send"
	StepReceive = "receive"
)

// Parameter is the Parameter Object, or a Reusable Object in a parameters list
// (then Reusable is set and Name, In and Value are empty).
//
// In is path, query, header or cookie; Arazzo 1.1 adds querystring (the
// whole query string of an OpenAPI 3.2 operation, E17) and channel (a
// channel address parameter of an AsyncAPI step, E19). Value is in the JSON
// data model; in Arazzo 1.1 it may hold Selector Objects, which
// expr.CompileValue finds (with the document's ExprOptions).
type Parameter struct {
	Meta
	Name, In string
	Value    any
	Reusable *Reusable
}

// Reusable is the Reusable Object.
type Reusable struct {
	Meta
	Reference string
	// Value overrides the referenced parameter's value when HasValue.
	Value    any
	HasValue bool
}

// Action types.
const (
	ActionEnd   = "end"
	ActionGoto  = "goto"
	ActionRetry = "retry"
)

// Action is a Success Action or Failure Action Object, or a Reusable Object in
// an actions list (then Reusable is set).
type Action struct {
	Meta
	Name, Type         string
	WorkflowID, StepID string
	// Parameters (Arazzo 1.1) are the inputs of the workflow a goto or
	// retry action transfers to (only with WorkflowID; never with in). They
	// are evaluated in the step's context and are the target workflow's
	// only inputs (E21).
	Parameters []*Parameter
	Criteria   []*Criterion
	// RetryAfter and RetryLimit are nil when absent (failure actions only).
	RetryAfter *float64
	RetryLimit *int
	Reusable   *Reusable
	// Failure is true for failure actions.
	Failure bool
}

// Criterion types.
const (
	CriterionSimple   = "simple"
	CriterionRegex    = "regex"
	CriterionJSONPath = "jsonpath"
	CriterionXPath    = "xpath"
)

// Criterion is the Criterion Object. Type is "" when omitted (simple).
// When the (Criterion) Expression Type Object form is used, TypeObject is
// set and Type and Version are copied from it.
type Criterion struct {
	Meta
	Condition, Context string
	Type, Version      string
	TypeObject         *ExpressionType
}

// Spec is the criterion as package expr compiles it (with the document's
// ExprOptions).
func (c *Criterion) Spec() expr.CriterionSpec {
	return expr.CriterionSpec{Condition: c.Condition, Context: c.Context, Type: c.Type, Version: c.Version}
}

// EffectiveType is Type, or "simple" when omitted.
func (c *Criterion) EffectiveType() string {
	if c.Type == "" {
		return CriterionSimple
	}
	return c.Type
}

// ExpressionType is the Expression Type Object of Arazzo 1.1 (the
// Criterion Expression Type Object of 1.0): a type (jsonpath, xpath, and in
// 1.1 jsonpointer) and a version. It types criteria, Selector Objects and
// replacement targets.
type ExpressionType struct {
	Meta
	Type, Version string
}

// Selector is the Selector Object (Arazzo 1.1): a runtime expression whose
// value is structured data, and a JSONPath, XPath or JSON Pointer selector
// applied to it. Type is the selector type; when it is written as an
// Expression Type Object, TypeObject is set and Type and Version are copied
// from it.
type Selector struct {
	Meta
	Context, Selector string
	Type, Version     string
	TypeObject        *ExpressionType
}

// Spec is the Selector Object as package expr compiles it (with the
// document's ExprOptions).
func (s *Selector) Spec() expr.SelectorSpec {
	return expr.SelectorSpec{Context: s.Context, Selector: s.Selector, Type: s.Type, Version: s.Version}
}

// RequestBody is the Request Body Object.
type RequestBody struct {
	Meta
	ContentType  string
	Payload      any
	HasPayload   bool
	Replacements []*PayloadReplacement
}

// PayloadReplacement is the Payload Replacement Object. Value may hold
// Selector Objects (Arazzo 1.1). TargetSelectorType (Arazzo 1.1) is the
// target's type (jsonpointer, jsonpath or xpath; "" when omitted, then the
// media type decides, E26); when it is written as an Expression Type
// Object, TargetTypeObject is set and TargetSelectorType and TargetVersion
// are copied from it.
type PayloadReplacement struct {
	Meta
	Target string
	Value  any

	TargetSelectorType string
	TargetVersion      string
	TargetTypeObject   *ExpressionType
}

// TargetSpec is the replacement's target as package expr compiles it,
// for a request body of media type contentType.
func (r *PayloadReplacement) TargetSpec(contentType string) expr.TargetSpec {
	return expr.TargetSpec{Target: r.Target, Type: r.TargetSelectorType, Version: r.TargetVersion, ContentType: contentType}
}

// Components is the Components Object. The maps' key positions are in Meta
// of each entry (Range) and in KeyRanges.
type Components struct {
	Meta
	Inputs         map[string]any
	Parameters     map[string]*Parameter
	SuccessActions map[string]*Action
	FailureActions map[string]*Action
	// KeyRanges maps "parameters/name" (and inputs/..., successActions/...,
	// failureActions/...) to where the key was written.
	KeyRanges map[string]diag.Range
}

// ErrUnknownWorkflow is returned (wrapped) for a workflowId a document does
// not define, by LookupWorkflow, executor.Engine.Run and graph.Mermaid.
var ErrUnknownWorkflow = errors.New("unknown workflow")

// LookupWorkflow finds a workflow of this document by id; for an unknown id
// the error wraps ErrUnknownWorkflow and names the closest id and every id
// of the document.
func (d *Document) LookupWorkflow(id string) (*Workflow, error) {
	if w := d.Workflow(id); w != nil {
		return w, nil
	}
	return nil, UnknownWorkflowError(id, d.WorkflowIDs())
}

// UnknownWorkflowError is the error for a workflowId that is not one of
// ids: it wraps ErrUnknownWorkflow, suggests the closest id and lists them.
func UnknownWorkflowError(id string, ids []string) error {
	msg := suggest.Unknown("workflow", id, ids)
	return fmt.Errorf("%w%s", ErrUnknownWorkflow, strings.TrimPrefix(msg, "unknown workflow"))
}

// WorkflowIDs lists the ids of the document's workflows, in order.
func (d *Document) WorkflowIDs() []string {
	out := make([]string, 0, len(d.Workflows))
	for _, w := range d.Workflows {
		if w != nil {
			out = append(out, w.WorkflowID)
		}
	}
	return out
}

// Workflow finds a workflow of this document by id.
func (d *Document) Workflow(id string) *Workflow {
	for _, w := range d.Workflows {
		if w != nil && w.WorkflowID == id {
			return w
		}
	}
	return nil
}

// SourceDescription finds a source description by name.
func (d *Document) SourceDescription(name string) *SourceDescription {
	for _, s := range d.SourceDescriptions {
		if s.Name == name {
			return s
		}
	}
	return nil
}
