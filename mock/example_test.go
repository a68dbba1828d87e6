package mock_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/telaio/telaio/mock"
)

const petstore = `openapi: 3.0.3
info: {title: Pets, version: "1"}
servers:
  - url: https://api.example.com/v1
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: A pet.
          content:
            application/json:
              schema:
                type: object
                required: [petId, name, tag]
                properties:
                  petId: {type: string}
                  name: {type: string, example: Rex}
                  tag: {type: string, enum: [dog]}
`

func ExampleNew() {
	srv, err := mock.NewFromBytes([]byte(petstore))
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	// The server URL's path (/v1) is optional; petId is echoed.
	for _, path := range []string{"/v1/pets/p-1", "/pets/p-2", "/v1/pets"} {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(res.StatusCode, strings.TrimSpace(string(body)))
	}
	// Output:
	// 200 {"name":"Rex","petId":"p-1","tag":"dog"}
	// 200 {"name":"Rex","petId":"p-2","tag":"dog"}
	// 404 {"error":"not_found","message":"no operation matches this path"}
}

func ExampleServer_ServeHTTP_badRequest() {
	doc := `openapi: 3.1.0
info: {title: Orders, version: "1"}
paths:
  /orders:
    post:
      parameters:
        - {name: dryRun, in: query, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [item, quantity]
              properties:
                item: {type: string}
                quantity: {type: integer, minimum: 1}
      responses:
        "201": {description: Created.}
`
	srv, err := mock.NewFromBytes([]byte(doc))
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	res, err := http.Post(ts.URL+"/orders?dryRun=perhaps", "application/json", strings.NewReader(`{"quantity":0}`))
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode)
	fmt.Println(string(body))
	// Output:
	// 400
	// {"error":"bad_request","message":"the request does not match the operation POST /orders","details":[{"in":"query","name":"dryRun","pointer":"","message":"expected boolean, got string"},{"in":"body","pointer":"","message":"missing required property \"item\""},{"in":"body","pointer":"/quantity","message":"must be >= 1"}]}
}
