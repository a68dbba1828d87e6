package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/arazzo/upgrade"
	"github.com/telaio/telaio/diag"
)

const upgradeSynopsis = `telaio upgrade FILE [-w] [--force] [--format text|json] [--root DIR]

Rewrites an Arazzo 1.0 document as 1.1.0: the arazzo version, the lenient
forms Telaio warns about in their standard form ($response.body.a[0] ->
$response.body#/a/0, operationPath {$sourceDescriptions.x.url}#...), and
the type of jsonpath criteria whose condition is only valid Goessner
JSONPath, so that it means what it meant. Everything else stays as
written: comments, key order, quoting, layout; JSON stays JSON. What could
change meaning under 1.1 and cannot be rewritten safely is listed as a
manual fix, at file:line:col of the upgraded document.

Without -w the upgraded document goes to stdout and the list of changes
and manual fixes to stderr; with -w the file is rewritten in place (a
symbolic link is followed; the file keeps its mode) and the list goes to
stdout. A document that does not validate as Arazzo 1.0 is refused with
its diagnostics, unless --force is given: then it is upgraded all the
same and its errors are listed as manual fixes. Exit status: 0 when upgraded cleanly (or already 1.1), 1
when manual fixes remain or the document is not valid Arazzo 1.0, 2 for
usage errors and unreadable files.`

func cmdUpgrade(ctx context.Context, args []string, e *env) int {
	fs := newFlags(e, "upgrade", upgradeSynopsis)
	write := fs.BoolP("write", "w", false, "rewrite the file in place")
	force := fs.Bool("force", false, "upgrade a document that is not valid Arazzo 1.0; its errors are listed as manual fixes")
	format := fs.String("format", "text", "format of the list of changes: text or json")
	root := fs.String("root", "", "file sources must stay inside `DIR` (default: the document's checkout, else its folder)")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	switch {
	case *format != "text" && *format != "json":
		return usageError(e, "upgrade", "--format must be text or json, not %q", *format)
	case fs.NArg() == 0:
		return usageError(e, "upgrade", "no file given (usage: telaio upgrade FILE [-w])")
	case fs.NArg() > 1:
		return usageError(e, "upgrade", "one file at a time (got %d)", fs.NArg())
	}
	file := fs.Arg(0)
	// The report goes where the document does not.
	report := e.stderr
	if *write {
		report = e.stdout
	}
	doc, diags := arazzo.Load(ctx, file, loadOptions(e, nil, *root)...)
	if doc == nil {
		code := exitFailed
		if unreadable(diags) {
			code = exitUsage
		}
		refuse(report, *format, file, "cannot read the document", diags, nil)
		return code
	}
	opts := []upgrade.Option{upgrade.WithLoadDiagnostics(diags)}
	if *force {
		opts = append(opts, upgrade.Force())
	}
	res, err := upgrade.Document(doc, opts...)
	var invalid *upgrade.InvalidError
	switch {
	case errors.As(err, &invalid):
		refuse(report, *format, file, fmt.Sprintf("%s is not a valid Arazzo 1.0 document: fix its errors first (or upgrade it all the same with --force)", file), invalid.Diagnostics.Errors(), doc.Src)
		return exitFailed
	case err != nil:
		refuse(report, *format, file, err.Error(), nil, nil)
		return exitFailed
	}
	written := false
	switch {
	case res.Already:
		if !*write {
			_, _ = e.stdout.Write(res.Text)
		}
	case *write:
		if err := writeInPlace(file, res.Text); err != nil {
			refuse(report, *format, file, fmt.Sprintf("cannot write %s: %v", file, err), nil, nil)
			return exitFailed
		}
		written = true
	default:
		_, _ = e.stdout.Write(res.Text)
	}
	if *format == "json" {
		writeUpgradeJSON(report, file, res, written)
	} else {
		writeUpgradeText(report, file, res, written)
	}
	if !res.Clean() {
		return exitFailed
	}
	return exitOK
}

// refuse reports why a document was not upgraded.
func refuse(w io.Writer, format, file, msg string, ds diag.Diagnostics, src []byte) {
	if format == "json" {
		writeErrorJSON(w, msg, ds)
		return
	}
	fmt.Fprintf(w, "telaio upgrade: %s\n", msg)
	sources := map[string][]byte{}
	if src != nil {
		sources[file] = src
	}
	for _, d := range ds {
		fmt.Fprintln(w, formatDiag(d, sources))
	}
}

func writeUpgradeText(w io.Writer, file string, res *upgrade.Result, written bool) {
	if res.Already {
		fmt.Fprintf(w, "%s already declares arazzo %s: nothing to do\n", file, res.From)
		return
	}
	for _, c := range res.Changes {
		fmt.Fprintf(w, "%s: changed %s -> %s [%s]\n", c.Range, terminalSafe(c.Old), terminalSafe(c.New), c.Rule)
	}
	sources := map[string][]byte{file: res.Text}
	for _, d := range res.Manual {
		fmt.Fprintln(w, formatDiag(d, sources))
	}
	verb := "upgraded"
	if written {
		verb = "rewrote"
	}
	fmt.Fprintf(w, "%s %s from arazzo %s to %s: %s, %s\n", verb, file, res.From, upgrade.TargetVersion,
		plural(len(res.Changes), "change"), plural(len(res.Manual), "manual fix"))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if what == "manual fix" {
		return fmt.Sprintf("%d manual fixes", n)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

type upgradeChangeJSON struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Rule   string `json:"rule"`
	Old    string `json:"old"`
	New    string `json:"new"`
}

func writeUpgradeJSON(w io.Writer, file string, res *upgrade.Result, written bool) {
	out := struct {
		File    string              `json:"file"`
		From    string              `json:"from"`
		To      string              `json:"to"`
		Already bool                `json:"already"`
		Written bool                `json:"written"`
		Changes []upgradeChangeJSON `json:"changes"`
		Manual  []jsonDiag          `json:"manual"`
	}{File: file, From: res.From, To: upgrade.TargetVersion, Already: res.Already, Written: written,
		Changes: []upgradeChangeJSON{}, Manual: diagsJSONOrEmpty(res.Manual)}
	if res.Already {
		out.To = res.From
	}
	for _, c := range res.Changes {
		out.Changes = append(out.Changes, upgradeChangeJSON{File: c.Range.File, Line: c.Range.Start.Line, Column: c.Range.Start.Column,
			Rule: c.Rule, Old: c.Old, New: c.New})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

// writeInPlace replaces the file at path (the file a symbolic link leads
// to) with data atomically: a temporary file in the same folder, with the
// file's mode, renamed over it.
func writeInPlace(path string, data []byte) (err error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(target)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".upgrade-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), fi.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}
