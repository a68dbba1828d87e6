package arazzo

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/expr"
	"github.com/telaio/telaio/oas"
)

// ResolveOperation finds the OpenAPI operation a step targets through its
// operationId (plain, or $sourceDescriptions.<name>.<operationId>) or
// operationPath ({$sourceDescriptions.<name>.url}#<pointer>). The document
// must have been loaded with Load.
func (d *Document) ResolveOperation(s *Step) (*Source, *oas.Operation, error) {
	switch {
	case s.OperationID != "":
		return d.resolveOperationID(s.OperationID)
	case s.OperationPath != "":
		return d.resolveOperationPath(s.OperationPath)
	}
	return nil, nil, fmt.Errorf("step %q does not target an operation", s.StepID)
}

// splitOperationID splits an operationId into the source description it
// names ("" for a plain operationId) and the operationId proper.
func splitOperationID(id string) (source, name string, err error) {
	if !strings.HasPrefix(id, "$") {
		return "", id, nil
	}
	e, err := expr.Parse(id)
	if err != nil || e.Kind != expr.KindSourceDescriptions {
		return "", "", fmt.Errorf("operationId %q must be an operationId or $sourceDescriptions.<name>.<operationId>", id)
	}
	return e.ID, e.Name, nil
}

// splitOperationPath splits an operationPath into the source description it
// names and the JSON pointer of its fragment. The lenient form
// $sourceDescriptions.<name>#<pointer> is accepted too (Validate warns:
// nonstandard-operation-path).
func splitOperationPath(p string) (source, ptr string, err error) {
	source, ptr, _, ok := splitSourcePointer(p)
	if !ok {
		return "", "", fmt.Errorf("operationPath %q must be {$sourceDescriptions.<name>.url}#<JSON pointer>", p)
	}
	return source, ptr, nil
}

// lenientSourcePointer is the form $sourceDescriptions.<name>#<fragment>
// that real documents write for operationPath.
var lenientSourcePointer = regexp.MustCompile(`^\$sourceDescriptions\.([A-Za-z0-9_\-]+)#(.*)$`)

// splitSourcePointer splits an operationPath or channelPath,
// {$sourceDescriptions.<name>.url}#<fragment>, into the source name and
// the fragment as a JSON pointer (percent-decoded). lenient is set for the
// form $sourceDescriptions.<name>#<fragment>; ok is false for anything
// else.
func splitSourcePointer(p string) (name, ptr string, lenient, ok bool) {
	if m := lenientSourcePointer.FindStringSubmatch(p); m != nil {
		ptr, err := unescapeFragment(m[2])
		if err != nil {
			return "", "", false, false
		}
		return m[1], ptr, true, true
	}
	t := expr.ParseTemplate(p)
	if len(t.Parts) != 2 || t.Parts[0].Expr == nil || t.Parts[1].Expr != nil ||
		t.Parts[0].Expr.Kind != expr.KindSourceDescriptions || t.Parts[0].Expr.Name != "url" ||
		!strings.HasPrefix(t.Parts[1].Lit, "#") {
		return "", "", false, false
	}
	ptr, err := unescapeFragment(t.Parts[1].Lit[1:])
	if err != nil {
		return "", "", false, false
	}
	return t.Parts[0].Expr.ID, ptr, false, true
}

func (d *Document) resolveOperationID(id string) (*Source, *oas.Operation, error) {
	source, name, err := splitOperationID(id)
	if err != nil {
		return nil, nil, err
	}
	if source != "" {
		src, err := d.openAPISource(source)
		if err != nil {
			return nil, nil, err
		}
		op, err := src.OpenAPI.OperationByID(name)
		return src, op, err
	}
	var found []*Source
	for _, sd := range d.SourceDescriptions {
		if src := d.Sources[sd.Name]; src != nil && src.OpenAPI != nil {
			found = append(found, src)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil, fmt.Errorf("operationId %q: no OpenAPI source description is loaded", id)
	case 1:
		op, err := found[0].OpenAPI.OperationByID(id)
		return found[0], op, err
	}
	return nil, nil, fmt.Errorf("operationId %q must be qualified as $sourceDescriptions.<name>.%s: there are %d OpenAPI sources", id, id, len(found))
}

func (d *Document) openAPISource(name string) (*Source, error) {
	src := d.Sources[name]
	switch {
	case src == nil:
		return nil, fmt.Errorf("no source description %q is loaded", name)
	case src.OpenAPI == nil:
		return nil, fmt.Errorf("source description %q is not an OpenAPI description", name)
	}
	return src, nil
}

func (d *Document) resolveOperationPath(p string) (*Source, *oas.Operation, error) {
	source, ptr, err := splitOperationPath(p)
	if err != nil {
		return nil, nil, err
	}
	src, err := d.openAPISource(source)
	if err != nil {
		return nil, nil, err
	}
	op, err := src.OpenAPI.OperationByPointer(ptr)
	return src, op, err
}

// ResolveWorkflow finds the workflow a reference names: a workflowId of this
// document, or $sourceDescriptions.<name>.<workflowId> of an arazzo source.
// It returns the document that defines the workflow.
func (d *Document) ResolveWorkflow(ref string) (*Document, *Workflow, error) {
	if strings.HasPrefix(ref, "$") {
		e, err := expr.Parse(ref)
		if err != nil || e.Kind != expr.KindSourceDescriptions {
			return nil, nil, fmt.Errorf("workflow reference %q must be a workflowId or $sourceDescriptions.<name>.<workflowId>", ref)
		}
		src := d.Sources[e.ID]
		if src == nil || src.Arazzo == nil {
			return nil, nil, fmt.Errorf("workflow reference %q: source %q is not a loaded Arazzo document", ref, e.ID)
		}
		w := src.Arazzo.Workflow(e.Name)
		if w == nil {
			return nil, nil, fmt.Errorf("workflow reference %q: source %q has no workflow %q", ref, e.ID, e.Name)
		}
		return src.Arazzo, w, nil
	}
	w := d.Workflow(ref)
	if w == nil {
		return nil, nil, fmt.Errorf("no workflow %q", ref)
	}
	return d, w, nil
}

// StepKind is what a step targets.
type StepKind int

// Step kinds.
const (
	// StepUnknown: the step's target cannot be told (no target, several,
	// or an operationId that several kinds of source could hold).
	StepUnknown StepKind = iota
	// StepOperation: an OpenAPI operation (operationId, operationPath).
	StepOperation
	// StepMessage: an AsyncAPI operation or channel (Arazzo 1.1:
	// operationId, channelPath), which the step sends or receives a
	// message on according to its Action.
	StepMessage
	// StepWorkflow: a workflow (workflowId).
	StepWorkflow
)

// String names the kind.
func (k StepKind) String() string {
	switch k {
	case StepOperation:
		return "operation"
	case StepMessage:
		return "message"
	case StepWorkflow:
		return "workflow"
	}
	return "unknown"
}

// StepKind decides what a step targets, from its fields and the types of
// the sources it names (loaded, else declared): an operationId is an
// AsyncAPI operation when its source is an asyncapi source (qualified, or
// the document's only non-arazzo source). A step of an Arazzo 1.0 document
// is never StepMessage.
func (d *Document) StepKind(s *Step) StepKind {
	switch {
	case s.Meta.Has("workflowId"):
		return StepWorkflow
	case s.Meta.Has("channelPath"):
		if !d.Is11() {
			return StepUnknown
		}
		return StepMessage
	case s.Meta.Has("operationPath"):
		if d.Is11() {
			if name, _, _, ok := splitSourcePointer(s.OperationPath); ok && sourceKind(d, name) == SourceAsyncAPI {
				return StepMessage // an error (E9), but a message step
			}
			if rest, ok := strings.CutPrefix(s.OperationPath, "$sourceDescriptions."); ok {
				if name, _, ok := strings.Cut(rest, "."); ok && sourceKind(d, name) == SourceAsyncAPI {
					return StepMessage // the 1.1 root example's form (E9)
				}
			}
		}
		return StepOperation
	case s.Meta.Has("operationId"):
		if !d.Is11() {
			return StepOperation
		}
		return operationKind(d, s)
	}
	return StepUnknown
}

// ResolveMessage finds the AsyncAPI operation or channel a step targets
// (Arazzo 1.1): for an operationId, the operation (plain, then the
// document's only asyncapi source holds it, or
// $sourceDescriptions.<name>.<operationId>) and its channel; for a
// channelPath ({$sourceDescriptions.<name>.url}#/channels/<key>), the
// channel and a nil operation. With a channel, the messages the step may
// send or receive are the operation's (Operation.Messages), else the
// channel's (Channel.Messages) (E8). The document must have been loaded
// with Load.
func (d *Document) ResolveMessage(s *Step) (*Source, *asyncapi.Operation, *asyncapi.Channel, error) {
	switch {
	case s.ChannelPath != "":
		name, ptr, lenient, ok := splitSourcePointer(s.ChannelPath)
		if !ok || lenient {
			return nil, nil, nil, fmt.Errorf("channelPath %q must be {$sourceDescriptions.<name>.url}#/channels/<key>", s.ChannelPath)
		}
		src, err := d.asyncAPISource(name)
		if err != nil {
			return nil, nil, nil, err
		}
		ch, err := src.AsyncAPI.ChannelByPointer(ptr)
		if err != nil {
			return src, nil, nil, err
		}
		return src, nil, ch, nil
	case s.OperationID != "":
		source, id, err := splitOperationID(s.OperationID)
		if err != nil {
			return nil, nil, nil, err
		}
		if source == "" {
			names := asyncSources(d)
			if len(names) != 1 {
				return nil, nil, nil, fmt.Errorf("operationId %q: the document has %d AsyncAPI sources (qualify it as $sourceDescriptions.<name>.%s)", id, len(names), id)
			}
			source = names[0]
		}
		src, err := d.asyncAPISource(source)
		if err != nil {
			return nil, nil, nil, err
		}
		op, err := src.AsyncAPI.OperationByID(id)
		if err != nil {
			return src, nil, nil, err
		}
		return src, op, op.Channel, nil
	}
	return nil, nil, nil, fmt.Errorf("step %q does not target an AsyncAPI operation or channel", s.StepID)
}

func (d *Document) asyncAPISource(name string) (*Source, error) {
	src := d.Sources[name]
	switch {
	case src == nil:
		return nil, fmt.Errorf("no source description %q is loaded", name)
	case src.AsyncAPI == nil:
		return nil, fmt.Errorf("source description %q is not a loaded AsyncAPI description", name)
	}
	return src, nil
}

// StepMessages lists the AsyncAPI messages a message step may send or
// receive: its operation's, else its channel's; nil when the step's target
// does not resolve.
func (d *Document) StepMessages(s *Step) []*asyncapi.Message {
	_, op, ch, err := d.ResolveMessage(s)
	switch {
	case err != nil:
		return nil
	case op != nil:
		return op.Messages
	case ch != nil:
		return ch.Messages
	}
	return nil
}

// ReplyOf reports the reply a receive step reads under the reply rule
// (E10, async-execution.md 2.2): step s of workflow w receives on an
// AsyncAPI operation that declares a reply, and a step that runs before it
// (ExecutionOrder) sends on the same operation. The workflow then plays the
// requester of that operation: the send writes to the operation's channel
// and the receive reads the reply (its channel, or the address the request
// carries), with the reply's messages. It returns nil otherwise.
func (d *Document) ReplyOf(w *Workflow, s *Step) *asyncapi.Reply {
	if w == nil || s == nil || s.Action != StepReceive || d.StepKind(s) != StepMessage {
		return nil
	}
	_, op, _, err := d.ResolveMessage(s)
	if err != nil || op == nil || op.Reply == nil {
		return nil
	}
	for _, i := range w.ExecutionOrder() {
		prev := w.Steps[i]
		if prev == s {
			return nil
		}
		if prev == nil || prev.Action != StepSend || d.StepKind(prev) != StepMessage {
			continue
		}
		if _, pop, _, err := d.ResolveMessage(prev); err == nil && pop == op {
			return op.Reply
		}
	}
	return nil
}

// ResolveDependency finds the step a dependency names: in the dependent
// step's workflow w of document d, another workflow of d, or a workflow
// of an Arazzo source. It returns the document and workflow that hold it.
func (d *Document) ResolveDependency(w *Workflow, dep Dependency) (*Document, *Workflow, *Step, error) {
	doc, wf := d, w
	switch {
	case dep.Source != "":
		src := d.Sources[dep.Source]
		if src == nil || src.Arazzo == nil {
			return nil, nil, nil, fmt.Errorf("dependsOn %q: source %q is not a loaded Arazzo document", dep.Ref, dep.Source)
		}
		doc, wf = src.Arazzo, src.Arazzo.Workflow(dep.Workflow)
	case !dep.Local(w):
		wf = d.Workflow(dep.Workflow)
	}
	if wf == nil {
		return nil, nil, nil, fmt.Errorf("dependsOn %q: no workflow %q", dep.Ref, dep.Workflow)
	}
	st := wf.Step(dep.Step)
	if st == nil {
		return nil, nil, nil, fmt.Errorf("dependsOn %q: workflow %q has no step %q", dep.Ref, wf.WorkflowID, dep.Step)
	}
	return doc, wf, st, nil
}

// sourceKind is the type of a source description: the loaded type, else
// the declared one ("" when neither is known).
func sourceKind(d *Document, name string) string {
	if src := d.Sources[name]; src != nil && src.Type != "" {
		return src.Type
	}
	if sd := d.SourceDescription(name); sd != nil {
		return sd.Type
	}
	return ""
}
