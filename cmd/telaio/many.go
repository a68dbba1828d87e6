package main

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/report"
)

// job is one workflow run of a multi-run invocation.
type job struct {
	file, workflow string
	out, errOut    bytes.Buffer
	code           int
	res            *executor.Result
}

// runMany runs several workflows: every file's single workflow (or the one
// --workflow names), or with --all every workflow of every file that no other
// workflow of the file depends on (a dependency runs inside the run that
// needs it, once). Up to --parallel runs go at a time; their output is
// printed in order, then the summary line "N passed, M failed".
func runMany(ctx context.Context, files []string, f runFlags, reports []report.Spec, e *env) int {
	// Each file is loaded, validated and planned once, however many of its
	// workflows run.
	type once struct {
		sync.Once
		p *prepared
	}
	preps := map[string]*once{}
	var mu sync.Mutex
	get := func(file string) *prepared {
		mu.Lock()
		o, ok := preps[file]
		if !ok {
			o = &once{}
			preps[file] = o
		}
		mu.Unlock()
		o.Do(func() { o.p = prepare(ctx, file, f, e.getenv) })
		return o.p
	}
	defer func() {
		for _, o := range preps {
			if o.p != nil {
				o.p.close()
			}
		}
	}()
	var jobs []*job
	for _, file := range files {
		if !f.all {
			jobs = append(jobs, &job{file: file, workflow: f.workflow})
			continue
		}
		p := get(file)
		if p.doc == nil {
			e.stderr.Write(p.msgs.Bytes())
			return exitUsage
		}
		needed := map[string]bool{}
		for _, w := range p.doc.Workflows {
			for _, d := range w.DependsOn {
				needed[d] = true
			}
		}
		for _, w := range p.doc.Workflows {
			if !needed[w.WorkflowID] {
				jobs = append(jobs, &job{file: file, workflow: w.WorkflowID})
			}
		}
	}
	sem := make(chan struct{}, f.parallel)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			je := &env{stdout: &j.out, stderr: &j.errOut, stdin: e.stdin, getenv: e.getenv}
			j.code, j.res = runPrepared(ctx, get(j.file), j.workflow, f, nil, je)
		}()
	}
	wg.Wait()
	passed, failed := 0, 0
	var results []*executor.Result
	for _, j := range jobs {
		if f.format == "text" {
			fmt.Fprintf(e.stdout, "== %s: %s\n", j.file, j.workflow)
		}
		e.stdout.Write(j.out.Bytes())
		e.stderr.Write(j.errOut.Bytes())
		if j.res != nil {
			results = append(results, j.res)
		}
		if j.code == exitOK {
			passed++
		} else {
			failed++
		}
	}
	for _, spec := range reports {
		if err := spec.WriteFile(results, report.WithVersion(version)); err != nil {
			fmt.Fprintf(e.stderr, "telaio run: report %s: %v\n", spec, err)
		}
	}
	summary := e.stdout
	if f.format == "json" {
		summary = e.stderr
	}
	fmt.Fprintf(summary, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}
