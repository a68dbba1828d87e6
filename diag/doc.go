// Package diag holds source positions and diagnostics shared by every Telaio
// package: a Pos (line, column, byte offset), a Range in a named file, and a
// Diagnostic with a severity, a stable code and a message.
//
// Diagnostics is a list that implements error; a nil or warning-only list is
// not an error (use Err to get a nil error when there is nothing to report).
// Format renders a diagnostic the way compilers do:
//
//	flow.arazzo.yaml:12:9: error: unknown step "login" [goto-unknown-step]
//	   12 |         stepId: login
//	      |         ^
//
// This package imports no other Telaio package.
package diag
