package arazzo

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/diag"
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
	// Arazzo is the spec version the document declares (1.0.0 or 1.0.1).
	Arazzo             string
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

	root *yaml.Node
}

// Info is the Info Object.
type Info struct {
	Meta
	Title, Summary, Description, Version string
}

// Source description types.
const (
	SourceOpenAPI = "openapi"
	SourceArazzo  = "arazzo"
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

// Output is one entry of an outputs map: a name and a runtime expression.
type Output struct {
	Name, Expression string
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
	Parameters                             []*Parameter
	RequestBody                            *RequestBody
	SuccessCriteria                        []*Criterion
	OnSuccess                              []*Action
	OnFailure                              []*Action
	Outputs                                []*Output
}

// Parameter is the Parameter Object, or a Reusable Object in a parameters list
// (then Reusable is set and Name, In and Value are empty).
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
	Criteria           []*Criterion
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
// When the Criterion Expression Type Object form is used, TypeObject is set
// and Type and Version are copied from it.
type Criterion struct {
	Meta
	Condition, Context string
	Type, Version      string
	TypeObject         *ExpressionType
}

// EffectiveType is Type, or "simple" when omitted.
func (c *Criterion) EffectiveType() string {
	if c.Type == "" {
		return CriterionSimple
	}
	return c.Type
}

// ExpressionType is the Criterion Expression Type Object.
type ExpressionType struct {
	Meta
	Type, Version string
}

// RequestBody is the Request Body Object.
type RequestBody struct {
	Meta
	ContentType  string
	Payload      any
	HasPayload   bool
	Replacements []*PayloadReplacement
}

// PayloadReplacement is the Payload Replacement Object.
type PayloadReplacement struct {
	Meta
	Target string
	Value  any
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
