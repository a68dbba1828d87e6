package arazzo

import (
	"fmt"
	"regexp"
	"strings"

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
