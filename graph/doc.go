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
// # Arazzo 1.1
//
// A document that declares arazzo 1.1 also shows what 1.1 adds. An Arazzo
// 1.0 document draws exactly as above: 1.1 fields written in it are errors
// there (see package arazzo, E1) and are not drawn.
//
//   - Message steps (Document.StepKind is StepMessage): a send step is a
//     parallelogram leaning right, [/…/], and a receive step one leaning
//     left, [\…\]; the label gives the action and the AsyncAPI operationId,
//     or "channel" and the channel for a channelPath; a step whose action
//     is neither is a rectangle. For an operationId, the next line names
//     its channel's address (the channel's key when the address is only
//     known at run time).
//   - Channels: one cylinder per channel of an AsyncAPI source, labelled
//     with its address and "channel of <source>", with a thick edge from
//     each step that sends on it and to each step that receives from it,
//     so a send and a receive through one channel meet at its node. A
//     channel is known when the step resolves (Document.ResolveMessage,
//     sources loaded), or from a channelPath alone; a step naming an
//     operationId whose source did not load has no channel node. Channels
//     belong to the document: MermaidAll draws each once, outside the
//     subgraphs, joining the workflows that send and receive on it.
//   - correlationId (as written; a number or boolean as JSON) and timeout
//     ("timeout N ms", on any step) are lines of the step's label.
//   - Step dependencies (Step.Dependencies), as edges from the step
//     depended on to the dependent step: a dependsOn entry is a "--o" edge
//     labelled dependsOn, a $steps.<id>.outputs reference a dotted "-.-o"
//     edge labelled outputs, or correlationId when the step's correlationId
//     reads it (a receive waiting on the value a send produced); a $steps
//     edge is not drawn when dependsOn names the same step, nor for a step
//     reading its own outputs. A step of another workflow
//     of the document ($workflows.<id>.steps.<id>) is that step's node in
//     MermaidAll, else a rectangle "<stepId> / in workflow <id>"; a step
//     of another document
//     ($sourceDescriptions.<name>.<workflowId>.steps.<id>) is a
//     flag-shaped node, >…], that says "(other document)". A step that
//     does not exist is marked "(unknown step)".
//   - Execution order (Workflow.ExecutionOrder): when dependencies reorder
//     the steps, every step is numbered by its place in the order ("2.
//     confirm") and the default flow follows that order, as the executor
//     runs it. Steps whose dependencies form a cycle are drawn in list
//     order, with a %% comment.
//   - Action parameters: a goto or retry edge names the inputs it passes
//     to its workflow ("goto (cancel) with orderId, reason"); a Reusable
//     Object by its component's name.
//
// Arrows, in short: --> success and the default flow, -.-> failure, ==>
// workflow calls and messages (to or from a channel), --o dependsOn, -.-o
// outputs read (or the correlation value).
//
// Node ids are generated (s0, s1, … per workflow, prefixed by w0, w1, … in
// MermaidAll; c0, c1, … for channels), so ids never clash with Mermaid
// keywords; every label is quoted, with the characters Mermaid treats
// specially written as entity codes (#quot; and the like), and line
// breaks in the document's text written as spaces: nothing a document
// says (ids, targets, channel keys and addresses, correlationIds,
// dependsOn entries, action and parameter names) can close a label, add
// an edge or inject HTML.
package graph
