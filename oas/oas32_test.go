package oas_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/telaio/telaio/mock"
	"github.com/telaio/telaio/oas"
	"github.com/telaio/telaio/schema"
)

const oas32Doc = `openapi: 3.2.0
$self: https://example.com/api/openapi.yaml
info: {title: t, version: '1'}
paths:
  /events:
    parameters:
      - name: criteria
        in: querystring
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                since: {type: string, format: date}
    get:
      operationId: listEvents
      responses:
        '200':
          description: a stream
          content:
            application/jsonl:
              itemSchema: {type: object, required: [id]}
    query:
      operationId: queryEvents
      requestBody:
        content:
          application/json:
            $ref: '#/components/mediaTypes/Query'
      responses:
        '200':
          description: ok
    additionalOperations:
      PURGE:
        operationId: purgeEvents
        parameters:
          - {name: all, in: query, schema: {type: boolean}}
        responses:
          '204': {description: gone}
components:
  mediaTypes:
    Query:
      schema: {type: object, properties: {q: {type: string}}}
`

// TestOpenAPI32: a 3.2 description loads, and its additions that matter to
// requests are indexed: the QUERY method, additionalOperations (method as
// written), the querystring parameter (Operation.QueryString), media types
// that are $refs (components/mediaTypes), itemSchema.
func TestOpenAPI32(t *testing.T) {
	d, err := oas.Load([]byte(oas32Doc), "api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != "3.2.0" {
		t.Errorf("Version = %q", d.Version)
	}
	var got []string
	for _, op := range d.Operations() {
		got = append(got, op.Method+" "+op.ID+" "+op.Pointer)
	}
	want := []string{
		"GET listEvents /paths/~1events/get",
		"QUERY queryEvents /paths/~1events/query",
		"PURGE purgeEvents /paths/~1events/additionalOperations/PURGE",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("operations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	list, _ := d.OperationByID("listEvents")
	qs := list.QueryString
	if qs == nil || qs.Name != "criteria" || qs.In != "querystring" || qs.ContentType != "application/x-www-form-urlencoded" ||
		qs.Style != "" || qs.Explode || !qs.Required || qs.SchemaPointer != "/paths/~1events/parameters/0/content/application~1x-www-form-urlencoded/schema" {
		t.Errorf("QueryString = %+v", qs)
	}
	if len(list.Parameters) != 0 {
		t.Errorf("Parameters = %+v", list.Parameters)
	}
	if list.Param("criteria", "querystring") != qs {
		t.Error("Param(criteria, querystring) is not QueryString")
	}
	if mt := list.Response(200).MediaType("application/jsonl"); mt == nil || mt.ItemSchemaPointer != "/paths/~1events/get/responses/200/content/application~1jsonl/itemSchema" || mt.SchemaPointer != "" {
		t.Errorf("itemSchema: %+v", mt)
	}
	query, err := d.OperationByPointer("/paths/~1events/query")
	if err != nil || query.ID != "queryEvents" {
		t.Fatalf("OperationByPointer(query) = %v, %v", query, err)
	}
	if mt := query.Body.MediaType("application/json"); mt == nil || mt.SchemaPointer != "/components/mediaTypes/Query/schema" {
		t.Errorf("media type $ref: %+v", mt)
	}
	purge, err := d.OperationByPointer("/paths/~1events/additionalOperations/PURGE")
	if err != nil || purge.ID != "purgeEvents" || len(purge.Parameters) != 1 {
		t.Fatalf("OperationByPointer(PURGE) = %+v, %v", purge, err)
	}
	if n := len(d.PathItemOperations("/paths/~1events")); n != 3 {
		t.Errorf("PathItemOperations: %d", n)
	}
	// PURGE inherits the path item's querystring parameter beside its own
	// query parameter, which 3.2 forbids: both are indexed as declared
	// (checking the description is not the index's business).
	if purge.Param("criteria", "querystring") != qs {
		t.Error("PURGE does not inherit the path item's querystring parameter")
	}
	// Schemas compile with the 3.1 dialect.
	c, err := schema.NewOpenAPI(d.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := c.Compile(qs.SchemaPointer, schema.Request); err != nil || s.Validate(map[string]any{"since": "2025-01-01"}) != nil {
		t.Errorf("querystring schema: %v", err)
	}
	// The subset of a 3.2 description keeps QUERY and additional
	// operations apart.
	entry, err := d.Subset([]*oas.Operation{purge, query})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := oas.LoadSubset(entry, d.Src, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, op := range sub.Operations() {
		got = append(got, op.Method+" "+op.ID)
	}
	if want := []string{"QUERY queryEvents", "PURGE purgeEvents"}; !reflect.DeepEqual(got, want) {
		t.Errorf("subset operations = %q", got)
	}
	// libopenapi builds the 3.2 model.
	lib, err := d.LibOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	m, err := lib.BuildV3Model()
	if err != nil {
		t.Fatalf("BuildV3Model: %v", err)
	}
	pi := m.Model.Paths.PathItems.GetOrZero("/events")
	if pi.Query == nil || pi.AdditionalOperations.GetOrZero("PURGE") == nil {
		t.Errorf("libopenapi: query %v, PURGE %v", pi.Query, pi.AdditionalOperations.GetOrZero("PURGE"))
	}
	// So the mock serves the QUERY method and the additional operations.
	h, err := mock.New(d)
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, r := range h.Routes() {
		routes = append(routes, r.Method+" "+r.OperationID)
	}
	if want := []string{"GET listEvents", "QUERY queryEvents", "PURGE purgeEvents"}; !reflect.DeepEqual(routes, want) {
		t.Errorf("mock routes = %q", routes)
	}
}

// TestOpenAPI31HasNoQueryMethod: "query" and additionalOperations are 3.2
// fields; in a 3.1 path item they are not operations.
func TestOpenAPI31HasNoQueryMethod(t *testing.T) {
	src := strings.Replace(oas32Doc, "openapi: 3.2.0", "openapi: 3.1.1", 1)
	d, err := oas.Load([]byte(src), "api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ids := d.OperationIDs(); !reflect.DeepEqual(ids, []string{"listEvents"}) {
		t.Errorf("operations = %q", ids)
	}
}

func TestVersions(t *testing.T) {
	for _, tt := range []struct{ v, err string }{
		{"3.0.0", ""}, {"3.0.4", ""}, {"3.1.0", ""}, {"3.1.1", ""}, {"3.2.0", ""}, {"3.2", ""},
		{"3.3.0", `OpenAPI version "3.3.0" is not supported (3.0, 3.1 and 3.2 are)`},
		{"3.10.0", `OpenAPI version "3.10.0" is not supported (3.0, 3.1 and 3.2 are)`},
		{"4.0.0", `OpenAPI version "4.0.0" is not supported (3.0, 3.1 and 3.2 are)`},
	} {
		_, err := oas.Load([]byte("openapi: '"+tt.v+"'\ninfo: {title: t, version: '1'}\n"), "x.yaml")
		got := ""
		if err != nil {
			got = strings.TrimPrefix(err.Error(), "x.yaml: ")
		}
		if got != tt.err {
			t.Errorf("%s: error %q, want %q", tt.v, got, tt.err)
		}
	}
}
