package arazzo

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/diag"
)

// Step dependencies (Arazzo 1.1, checklist §5): the steps named in a
// step's dependsOn, and the steps whose outputs it reads through
// $steps.<id>.outputs (implicit dependencies, which tools MUST honour
// too). Parse computes them and each workflow's execution order; Validate
// checks them (E15).

// Dependency is a step that must have completed before another runs.
type Dependency struct {
	// Source is the source description of the Arazzo document that
	// defines the step ("" for this document); Workflow its workflow (""
	// for the dependent step's own workflow); Step its stepId.
	Source, Workflow, Step string
	// Implicit is true for a $steps.<id>.outputs reference, false for a
	// dependsOn entry.
	Implicit bool
	// Ref is the dependsOn entry, or the $steps expression, as written;
	// Range is where.
	Ref   string
	Range diag.Range

	// before marks an implicit dependency read before the step runs (in
	// its parameters, request body, correlationId or success criteria).
	before bool
}

// Local reports whether the dependency is a step of the dependent step's
// own workflow (w).
func (d Dependency) Local(w *Workflow) bool {
	return d.Source == "" && (d.Workflow == "" || (w != nil && d.Workflow == w.WorkflowID))
}

// Dependencies lists the steps that must have completed before s runs:
// its dependsOn entries in order, then the steps whose outputs it reads,
// each once, in the order written. A step of an Arazzo 1.0 document has
// none (steps run in list order). Entries of dependsOn that are not one of
// the three reference forms are left out (Validate reports them). The
// slice is the caller's.
func (s *Step) Dependencies() []Dependency {
	return append([]Dependency(nil), s.deps...)
}

// ExecutionOrder lists the indexes of the workflow's steps in the order
// they run (E16): the steps array order, except that a step comes after
// every step of the same workflow it depends on (dependsOn or a $steps
// reference), the ties broken by position in the array (a stable
// topological order). Without dependencies that point forward it is
// 0..n-1. It is nil when the dependencies form a cycle, which Validate
// reports. Dependencies on steps of other workflows do not order this
// one: such a step must have run before, which the executor checks. A
// goto jumps to a step's place in this order. The slice is the caller's.
func (w *Workflow) ExecutionOrder() []int {
	if w.cyclic {
		return nil
	}
	if w.order != nil {
		return append([]int(nil), w.order...)
	}
	out := make([]int, len(w.Steps))
	for i := range out {
		out[i] = i
	}
	return out
}

// parseDependsOn reads a dependsOn entry: a stepId, or
// $workflows.<workflowId>.steps.<stepId>, or
// $sourceDescriptions.<name>.<workflowId>.steps.<stepId> (ids without
// dots, as the 1.1 schema says). ok is false for anything else.
func parseDependsOn(ref string) (dep Dependency, ok bool) {
	dep.Ref = ref
	if ref == "" {
		return dep, false
	}
	if !strings.HasPrefix(ref, "$") {
		dep.Step = ref
		return dep, true
	}
	var parts []string
	switch {
	case strings.HasPrefix(ref, "$workflows."):
		parts = strings.Split(ref[len("$workflows."):], ".")
		if len(parts) != 3 || parts[1] != "steps" || parts[0] == "" || parts[2] == "" {
			return dep, false
		}
		dep.Workflow, dep.Step = parts[0], parts[2]
	case strings.HasPrefix(ref, "$sourceDescriptions."):
		parts = strings.Split(ref[len("$sourceDescriptions."):], ".")
		if len(parts) != 4 || parts[2] != "steps" || parts[0] == "" || parts[1] == "" || parts[3] == "" {
			return dep, false
		}
		dep.Source, dep.Workflow, dep.Step = parts[0], parts[1], parts[3]
	default:
		return dep, false
	}
	return dep, true
}

// stepFieldsBefore are the step fields read before the step runs; a $steps
// reference to the step itself there can never resolve.
var stepFieldsBefore = map[string]bool{"parameters": true, "requestBody": true, "correlationId": true, "successCriteria": true}

// stepRefFields are the step fields whose strings may reference other
// steps' outputs.
var stepRefFields = []string{"parameters", "requestBody", "correlationId", "successCriteria", "onSuccess", "onFailure", "outputs"}

// computeDeps fills the dependencies of every step of a 1.1 workflow and
// its execution order.
func computeDeps(w *Workflow) {
	index := make(map[string]int, len(w.Steps))
	for i, s := range w.Steps {
		if s != nil && s.StepID != "" {
			if _, dup := index[s.StepID]; !dup {
				index[s.StepID] = i
			}
		}
	}
	forward := false
	for i, s := range w.Steps {
		if s == nil {
			continue
		}
		for j, ref := range s.DependsOn {
			dep, ok := parseDependsOn(ref)
			if !ok {
				continue
			}
			dep.Range = listItemRange(&s.Meta, "dependsOn", j)
			s.deps = append(s.deps, dep)
			if k, ok := index[dep.Step]; ok && dep.Local(w) && k > i {
				forward = true
			}
		}
		seen := map[string]bool{}
		for _, f := range stepRefFields {
			n := s.valueNode(f)
			before := stepFieldsBefore[f]
			scanStepRefs(n, 0, func(node *yaml.Node, off int, id, raw string) {
				key := fmt.Sprint(id, before)
				if seen[key] {
					return
				}
				seen[key] = true
				s.deps = append(s.deps, Dependency{Step: id, Implicit: true, Ref: raw, Range: s.offsetIn(node, off), before: before})
				if k, ok := index[id]; ok && k > i {
					forward = true
				}
			})
		}
	}
	if !forward {
		return // list order
	}
	// Kahn's algorithm, the smallest index first.
	n := len(w.Steps)
	indeg := make([]int, n)
	succ := make([][]int, n)
	for i, s := range w.Steps {
		if s == nil {
			continue
		}
		seen := map[int]bool{}
		for _, d := range s.deps {
			k, ok := index[d.Step]
			if !ok || k == i || !d.Local(w) || seen[k] {
				continue
			}
			seen[k] = true
			succ[k] = append(succ[k], i)
			indeg[i]++
		}
	}
	order := make([]int, 0, n)
	done := make([]bool, n)
	for len(order) < n {
		next := -1
		for i := 0; i < n; i++ {
			if !done[i] && indeg[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			w.cyclic = true
			return
		}
		done[next] = true
		order = append(order, next)
		for _, j := range succ[next] {
			indeg[j]--
		}
	}
	w.order = order
}

// scanStepRefs calls f for every "$steps.<id>.outputs" in the strings
// under n, with the string's node and the offset of the "$".
func scanStepRefs(n *yaml.Node, depth int, f func(node *yaml.Node, off int, id, raw string)) {
	if n == nil || depth > 200 {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			scanStepRefs(n.Content[i], depth+1, f)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			scanStepRefs(c, depth+1, f)
		}
	case yaml.AliasNode:
		scanStepRefs(n.Alias, depth+1, f)
	case yaml.ScalarNode:
		s := n.Value
		for from := 0; ; {
			i := strings.Index(s[from:], "$steps.")
			if i < 0 {
				return
			}
			i += from
			j := i + len("$steps.")
			k := j
			for k < len(s) && isIDByte(s[k]) {
				k++
			}
			from = k
			if k == j || !strings.HasPrefix(s[k:], ".outputs") {
				continue
			}
			end := k + len(".outputs")
			for end < len(s) && !strings.ContainsRune(" \t\n)}=!<>&|,'\"", rune(s[end])) {
				end++
			}
			f(n, i, s[j:k], s[i:end])
		}
	}
}

func isIDByte(b byte) bool {
	return b == '_' || b == '-' || b >= '0' && b <= '9' || b|0x20 >= 'a' && b|0x20 <= 'z'
}

// listItemRange is the position of the i-th item of a sequence field.
func listItemRange(m *Meta, field string, i int) diag.Range {
	n := deref(m.valueNode(field))
	if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return m.rangeOf(n.Content[i])
	}
	return m.KeyRange(field)
}
