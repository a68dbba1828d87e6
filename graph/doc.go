// Package graph draws Arazzo workflows as Mermaid flowcharts, for reading
// a workflow's control flow at a glance (GitHub, GitLab and most Markdown
// viewers render Mermaid).
//
// It owns the drawing only: it reads an arazzo.Document (parsed, or loaded
// so that steps show "METHOD /path"; a document whose sources did not load,
// or an invalid one, still draws) and returns the Mermaid text. Start with
// Mermaid for one workflow and MermaidAll for all of them:
//
//	doc, _ := arazzo.Parse(src, "flow.arazzo.yaml")
//	text, err := graph.Mermaid(doc, "loginUser")
//
// # What is drawn
//
//   - A Start node, one node per step labelled with the stepId and its
//     target (the operation as METHOD /path when the sources are loaded,
//     else the operationId or the path of operationPath, or "workflow" and
//     the called workflowId), and an End node.
//   - The default flow: an edge from each step to the next (the last step
//     to End), left out when an onSuccess action without criteria makes it
//     unreachable. A failure no action handles stops the workflow; that is
//     not drawn.
//   - Actions, merged as the executor merges them (D12): the step's
//     actions first, then the workflow's successActions/failureActions
//     whose name the step does not redefine; reusable actions resolve to
//     components.successActions/failureActions. onSuccess actions are solid
//     edges, onFailure actions dotted: goto a step or a workflow ("goto
//     (name)"), end to the End node ("end (name)"), retry to the step itself
//     or to its stepId/workflowId target ("retry ×N", N the retryLimit,
//     default 1). Action criteria are not shown.
//   - dependsOn: a node per dependency with an edge to Start.
//   - A workflow a goto or retry names is a subroutine node; a step or
//     action naming a step the workflow lacks points at an "unknown step"
//     node, and an action reference that does not resolve is a %% comment.
//
// MermaidAll draws every workflow as a subgraph; references between the
// document's own workflows (goto, retry, dependsOn and workflow steps, the
// latter as thick "calls" edges) then point at the subgraphs.
//
// Node ids are generated (s0, s1, … per workflow, prefixed by w0, w1, … in
// MermaidAll), so ids never clash with Mermaid keywords; every label is
// quoted, with the characters Mermaid treats specially written as entity
// codes (#quot; and the like).
package graph
