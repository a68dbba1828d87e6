package arazzo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/mock"
)

// petServer serves the API of testdata/split under /api. With bad set, the
// pet it returns breaks the schemas of pet.yaml and owner.yaml, and the
// created pet has id 0 (which parameters/common.yaml forbids).
func petServer(t *testing.T, bad *atomic.Bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/pets":
			var pet map[string]any
			if err := json.NewDecoder(r.Body).Decode(&pet); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if bad.Load() {
				pet["id"] = 0
			}
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(pet)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/pets/"):
			if bad.Load() {
				w.Write([]byte(`{"id": 0, "tags": ["a tag far too long"], "owner": {"pets": [{"id": "x", "name": "Bo"}]}}`))
				return
			}
			w.Write([]byte(`{"id": 7, "name": "Rex", "tags": ["good"], "owner": {"name": "Ann", "pets": [{"id": 8, "name": "Bo"}]}}`))
		case r.Method == http.MethodGet && r.URL.Path == "/api/pets":
			w.Write([]byte(`[]`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRunSplitDescription: a workflow over a description split in files
// runs through executor.New and Engine.Run, and the contract checks of
// requests and responses use the schemas of the other files (a parameter
// minimum in parameters/common.yaml, required properties and a $defs in
// schemas/pet.yaml, the cycle through schemas/owner.yaml).
func TestRunSplitDescription(t *testing.T) {
	doc, ds := arazzo.Load(context.Background(), "testdata/split/pets.arazzo.yaml")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var bad atomic.Bool
	srv := petServer(t, &bad)
	eng, err := executor.New(doc, executor.WithServer("api", srv.URL+"/api"), executor.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string]any{"id": 7, "name": "Rex"}
	res, err := eng.Run(context.Background(), "petLifecycle", inputs)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Success || res.Outputs["name"] != "Rex" || res.Outputs["owner"] != "Ann" {
		t.Fatalf("run: success %v, outputs %v, error %s", res.Success, res.Outputs, res.Error)
	}
	for _, s := range res.Steps {
		if len(s.Violations) > 0 {
			t.Errorf("step %s: %+v", s.StepID, s.Violations)
		}
	}

	bad.Store(true)
	res, err = eng.Run(context.Background(), "petLifecycle", inputs)
	if res == nil || err == nil || !strings.Contains(err.Error(), "response-body") {
		t.Fatalf("run: %v", err)
	}
	if res.Success {
		t.Fatal("the run with bad responses succeeded")
	}
	var got []string
	for _, s := range res.Steps {
		for _, v := range s.Violations {
			got = append(got, s.StepID+" "+v.Check+" "+v.In+v.InstancePath+" "+v.SchemaPath)
		}
	}
	slices.Sort(got)
	want := []string{
		"get request-parameters path.id #/x-telaio-files/parameters~1common.yaml/Id/schema/minimum",
		"get response-body body #/x-telaio-files/schemas~1pet.yaml/required",
		"get response-body body/owner #/x-telaio-files/schemas~1owner.yaml/required",
		"get response-body body/owner/pets/0/id #/x-telaio-files/schemas~1pet.yaml/properties/id/type",
		"get response-body body/tags/0 #/x-telaio-files/schemas~1pet.yaml/$defs/Tag/maxLength",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRealWorldOAS32: lenient/fp-oas32.arazzo.yaml of the real-world
// reproductions: an OpenAPI 3.2.0 source loads and validates with no
// diagnostic, and the workflow runs, against a server and against the mock
// built from the libopenapi model of the description (run --mock).
func TestRealWorldOAS32(t *testing.T) {
	doc, ds := arazzo.Load(context.Background(), "testdata/realworld/fp-oas32.arazzo.yaml")
	ds = append(ds, arazzo.Validate(doc)...)
	if len(ds) != 0 {
		t.Fatalf("diagnostics: %v", ds)
	}
	o := doc.Sources["api"].OpenAPI
	if o.Version != "3.2.0" {
		t.Errorf("Version = %q", o.Version)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pets/1" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id": "1", "name": "Rex"}`))
	}))
	defer srv.Close()
	h, err := mock.New(o)
	if err != nil {
		t.Fatal(err)
	}
	mockSrv := httptest.NewServer(h)
	defer mockSrv.Close()
	for name, url := range map[string]string{"server": srv.URL, "mock": mockSrv.URL} {
		eng, err := executor.New(doc, executor.WithServer("api", url))
		if err != nil {
			t.Fatal(err)
		}
		res, err := eng.Run(context.Background(), "w", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Success {
			t.Errorf("%s: run failed: %s %+v", name, res.Error, res.Steps[0].Violations)
		}
	}
}
