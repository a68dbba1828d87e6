package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

const validateSynopsis = `telaio validate FILE... [--format text|json] [--strict] [--no-type-check] [--allow-host HOST]... [--root DIR] [--quiet]

Checks Arazzo documents, their source descriptions and the types their
workflows pass between operations. Exit status: 0 when every document is
valid (warnings allowed), 1 when one has errors, 2 for usage errors and
unreadable files.`

func cmdValidate(ctx context.Context, args []string, e *env) int {
	fs := newFlags(e, "validate", validateSynopsis)
	format := fs.String("format", "text", "output format: text or json")
	strict := fs.Bool("strict", false, "treat warnings as errors")
	noTypes := fs.Bool("no-type-check", false, "skip checking workflows against the OpenAPI schemas")
	hosts := fs.StringArray("allow-host", nil, "allow fetching http(s) source descriptions from `HOST` (repeatable)")
	root := fs.String("root", "", "file sources must stay inside `DIR` (default: the document's checkout, else its folder)")
	quiet := fs.Bool("quiet", false, "print only problems")
	if code, done := parseFlags(fs, args, e); done {
		if code != exitOK && wantsJSON(args) {
			writeErrorJSON(e.stdout, "invalid flags (see stderr)", nil)
		}
		return code
	}
	fail := func(msg string) int {
		if *format == "json" {
			writeErrorJSON(e.stdout, msg, nil)
		}
		return usageError(e, "validate", "%s", msg)
	}
	switch {
	case *format != "text" && *format != "json":
		*format = "text"
		return fail(fmt.Sprintf("--format must be text or json, not %q", fs.Lookup("format").Value.String()))
	case fs.NArg() == 0:
		return fail("no file given (usage: telaio validate FILE...)")
	}
	code := exitOK
	var all diag.Diagnostics
	sources := map[string][]byte{}
	valid := 0
	for _, file := range fs.Args() {
		doc, diags := arazzo.Load(ctx, file, loadOptions(e, *hosts, *root)...)
		if doc == nil && unreadable(diags) {
			code = max(code, exitUsage)
		}
		if doc != nil {
			// Validate type-checks the workflows against the OpenAPI
			// schemas once the document is structurally sound.
			var opts []arazzo.CheckOption
			if *noTypes {
				opts = append(opts, arazzo.NoTypeCheck())
			}
			diags = append(diags, arazzo.Validate(doc, opts...)...)
			collectSources(doc, sources, map[*arazzo.Document]bool{})
		}
		if *strict {
			for _, d := range diags {
				d.Severity = diag.Error
			}
		}
		diags.Sort()
		if diags.HasErrors() {
			code = max(code, exitFailed)
		} else if doc != nil {
			valid++
		}
		all = append(all, diags...)
	}
	if *format == "json" {
		writeDiagsJSON(e, all)
		return code
	}
	for _, d := range all {
		fmt.Fprintln(e.stdout, formatDiag(d, sources))
	}
	if code == exitOK && !*quiet {
		if valid == 1 {
			fmt.Fprintln(e.stdout, "1 document valid")
		} else {
			fmt.Fprintf(e.stdout, "%d documents valid\n", valid)
		}
	}
	return code
}

// formatDiag renders a diagnostic with its source line: the text of a
// loaded document, else the file read from disk (inside the root: every
// diagnostic names a document that Load read).
func formatDiag(d *diag.Diagnostic, sources map[string][]byte) string {
	src := sources[d.Range.File]
	if src == nil && d.Range.File != "" {
		src, _ = os.ReadFile(d.Range.File)
	}
	return diag.Format(d, src)
}

// loadOptions are the arazzo.Load options of the --allow-host and --root
// flags, and the plan cache (see cacheDir).
func loadOptions(e *env, hosts []string, root string) []arazzo.LoadOption {
	opts := []arazzo.LoadOption{arazzo.WithAllowedHosts(hosts...), arazzo.WithCache(cacheDir(e))}
	if root != "" {
		opts = append(opts, arazzo.WithRoot(root))
	}
	return opts
}

func unreadable(ds diag.Diagnostics) bool {
	for _, d := range ds {
		if d.Code == arazzo.CodeUnreadable {
			return true
		}
	}
	return false
}

func collectSources(d *arazzo.Document, out map[string][]byte, seen map[*arazzo.Document]bool) {
	if seen[d] {
		return
	}
	seen[d] = true
	out[d.File] = d.Src
	out[filepath.Clean(d.File)] = d.Src
	for _, s := range d.Sources {
		if s.Arazzo != nil {
			collectSources(s.Arazzo, out, seen)
		}
	}
}

type jsonDiag struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

func diagsJSON(ds diag.Diagnostics) []jsonDiag {
	var out []jsonDiag
	for _, d := range ds {
		out = append(out, jsonDiag{File: d.Range.File, Line: d.Range.Start.Line, Column: d.Range.Start.Column,
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message})
	}
	return out
}

func diagsJSONOrEmpty(ds diag.Diagnostics) []jsonDiag {
	if out := diagsJSON(ds); out != nil {
		return out
	}
	return []jsonDiag{}
}

func writeDiagsJSON(e *env, ds diag.Diagnostics) {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(diagsJSONOrEmpty(ds))
}

// cacheDir is where the plan cache lives: $TELAIO_CACHE_DIR, else telaio
// under the user's cache directory; TELAIO_CACHE_DIR=off turns it off.
func cacheDir(e *env) string {
	switch dir := e.getenv("TELAIO_CACHE_DIR"); dir {
	case "off":
		return ""
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(base, "telaio")
	default:
		return dir
	}
}
