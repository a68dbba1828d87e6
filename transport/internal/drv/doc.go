// Package drv holds what every driver in this module shares: the bounded
// subscription buffer, error wrapping with password redaction, and readers
// for binding values and server URLs.
package drv
