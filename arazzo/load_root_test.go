package arazzo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
)

const rootDoc = `arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions:
  - {name: api, url: ../openapi/api.yml, type: openapi}
workflows:
  - workflowId: w
    steps:
      - {stepId: s, operationId: op}
`

const rootAPI = `openapi: 3.1.0
info: {title: api, version: "1"}
paths:
  /x:
    get:
      operationId: op
      responses: {"200": {description: ok}}
`

// layout writes the Stytch-style layout (arazzo/ beside openapi/) under
// dir and returns the document's path.
func layout(t *testing.T, dir string) string {
	t.Helper()
	for name, text := range map[string]string{"arazzo/flow.arazzo.yaml": rootDoc, "openapi/api.yml": rootAPI} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "arazzo", "flow.arazzo.yaml")
}

// TestLoadDefaultRootIsCheckout: inside a checkout, ../openapi works from
// any working directory, with relative and absolute paths.
func TestLoadDefaultRootIsCheckout(t *testing.T) {
	for _, marker := range []string{".git", ".hg", ".svn"} {
		t.Run(marker, func(t *testing.T) {
			repo := t.TempDir()
			if err := os.Mkdir(filepath.Join(repo, marker), 0o755); err != nil {
				t.Fatal(err)
			}
			doc := layout(t, repo)
			for _, wd := range []string{filepath.Dir(doc), repo, t.TempDir()} {
				t.Chdir(wd)
				for _, path := range []string{doc, mustRel(t, wd, doc)} {
					d, ds := arazzo.Load(context.Background(), path)
					if ds.HasErrors() || d == nil || d.Sources["api"].OpenAPI == nil {
						t.Errorf("from %s, Load(%s): %v", wd, path, ds)
					}
				}
			}
		})
	}
}

func mustRel(t *testing.T, base, target string) string {
	t.Helper()
	r, err := filepath.Rel(base, target)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLoadOutsideCheckoutNamesRoot: without a checkout the root is the
// document's folder, and the error names the --root that allows the source.
func TestLoadOutsideCheckoutNamesRoot(t *testing.T) {
	dir := t.TempDir()
	doc := layout(t, dir)
	_, ds := arazzo.Load(context.Background(), doc)
	if !ds.HasErrors() {
		t.Fatal("want an error: ../openapi is outside the document's folder")
	}
	msg := ds.Errors()[0].Message
	if !strings.Contains(msg, "--root "+dir) {
		t.Errorf("the error should name --root %s: %s", dir, msg)
	}
	// With that root it loads.
	if _, ds := arazzo.Load(context.Background(), doc, arazzo.WithRoot(dir)); ds.HasErrors() {
		t.Errorf("with --root %s: %v", dir, ds)
	}
}

// TestLoadOverrideAnyURL: an override is looked up before the url is
// resolved, so ../ urls can be overridden.
func TestLoadOverrideAnyURL(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "flow.arazzo.yaml")
	if err := os.WriteFile(p, []byte(rootDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	d, ds := arazzo.Load(context.Background(), p, arazzo.WithSourceOverride("api", []byte(rootAPI)))
	if ds.HasErrors() || d.Sources["api"].OpenAPI == nil {
		t.Fatalf("override of a ../ url: %v", ds)
	}
	fsys := fstest.MapFS{"flow.yaml": {Data: []byte(rootDoc)}}
	d, ds = arazzo.LoadFS(context.Background(), fsys, "flow.yaml", arazzo.WithSourceOverride("api", []byte(rootAPI)))
	if ds.HasErrors() || d.Sources["api"].OpenAPI == nil {
		t.Fatalf("LoadFS override of a ../ url: %v", ds)
	}
}

func TestLoadFSNil(t *testing.T) {
	d, ds := arazzo.LoadFS(context.Background(), nil, "x.yaml")
	if d != nil || !ds.HasErrors() || !strings.Contains(ds[0].Message, "nil file system") {
		t.Errorf("LoadFS(nil) = %v, %v", d, ds)
	}
}

// TestLoadSourceNotADescriptionQuotesNothing: a source that is no API
// description (here a credentials file declared arazzo, or untyped) is
// reported without a byte of its content.
func TestLoadSourceNotADescriptionQuotesNothing(t *testing.T) {
	const cred = "https://alice:ghp_s3cretToken1234@github.com"
	for _, typ := range []string{"arazzo", "openapi", ""} {
		t.Run("type="+typ, func(t *testing.T) {
			doc := strings.Replace(rootDoc, "url: ../openapi/api.yml, type: openapi", "url: .git-credentials, type: "+typ, 1)
			if typ == "" {
				doc = strings.Replace(rootDoc, "url: ../openapi/api.yml, type: openapi", "url: .git-credentials", 1)
			}
			fsys := fstest.MapFS{"flow.yaml": {Data: []byte(doc)}, ".git-credentials": {Data: []byte(cred + "\n")}}
			_, ds := arazzo.LoadFS(context.Background(), fsys, "flow.yaml")
			if !ds.HasErrors() {
				t.Fatal("want an error")
			}
			for _, d := range ds {
				if strings.Contains(d.Error(), "s3cret") || strings.Contains(d.Error(), "alice") || d.Range.File == ".git-credentials" {
					t.Errorf("the diagnostic quotes or points into the file: %v", d)
				}
			}
		})
	}
}

func TestLookupWorkflow(t *testing.T) {
	d, _ := arazzo.Parse([]byte(rootDoc), "flow.yaml")
	if _, err := d.LookupWorkflow("w"); err != nil {
		t.Fatal(err)
	}
	_, err := d.LookupWorkflow("ww")
	if !errors.Is(err, arazzo.ErrUnknownWorkflow) || !strings.Contains(err.Error(), `did you mean "w"?`) {
		t.Errorf("err = %v", err)
	}
}
