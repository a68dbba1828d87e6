package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

func cmdValidate(ctx context.Context, args []string, e *env) int {
	fs := pflag.NewFlagSet("validate", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "text", "output format: text or json")
	strict := fs.Bool("strict", false, "treat warnings as errors")
	noTypes := fs.Bool("no-type-check", false, "skip checking workflows against the OpenAPI schemas")
	hosts := fs.StringArray("allow-host", nil, "allow fetching http(s) source descriptions from `HOST` (repeatable)")
	root := fs.String("root", "", "file sources must stay inside `DIR` (default: the working directory when it holds the document, else the document's directory)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: telaio validate FILE... [--format text|json] [--strict] [--allow-host HOST]...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 || (*format != "text" && *format != "json") {
		fs.Usage()
		return exitUsage
	}
	code := exitOK
	var all diag.Diagnostics
	sources := map[string][]byte{}
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
		}
		all = append(all, diags...)
	}
	if *format == "json" {
		writeDiagsJSON(e, all)
	} else {
		for _, d := range all {
			src := sources[d.Range.File]
			if src == nil && d.Range.File != "" {
				src, _ = os.ReadFile(d.Range.File)
			}
			fmt.Fprintln(e.stdout, diag.Format(d, src))
		}
	}
	return code
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

func writeDiagsJSON(e *env, ds diag.Diagnostics) {
	out := make([]jsonDiag, 0, len(ds))
	for _, d := range ds {
		out = append(out, jsonDiag{File: d.Range.File, Line: d.Range.Start.Line, Column: d.Range.Start.Column,
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message})
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
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
