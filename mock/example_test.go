package mock_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/telaio/telaio/mock"
	"github.com/telaio/telaio/oas"
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

func ExampleNewFromBytes() {
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

const orders = `openapi: 3.1.0
info: {title: Orders, version: "1"}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: /oauth/token, scopes: {orders: orders}}
security: [{oauth: [orders]}]
paths:
  /orders/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: An order.
          content:
            application/json:
              schema:
                type: object
                required: [id, status]
                properties:
                  id: {type: string}
                  status:
                    oneOf:
                      - {const: open}
                      - {const: closed}
`

// New serves a loaded description. The OAuth2 client credentials flow is
// served by the mock's token endpoint, which accepts the placeholder
// credential PlaceholderCredential gives for the scheme; each request is
// logged by WithRequestLog.
func ExampleNew() {
	doc, err := oas.Load([]byte(orders), "orders.yaml")
	if err != nil {
		panic(err)
	}
	var log bytes.Buffer
	srv, err := mock.New(doc, mock.WithRequestLog(&log))
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	cred := mock.PlaceholderCredential(doc.SecuritySchemes["oauth"])
	id, secret, _ := strings.Cut(cred, ":")
	req, _ := http.NewRequest("POST", ts.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	token, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(cred)
	fmt.Println(res.StatusCode, string(token))
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(token, &tr); err != nil {
		panic(err)
	}

	req, _ = http.NewRequest("GET", ts.URL+"/orders/o-1", nil)
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, string(body))

	// The request log without the durations.
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		fmt.Println(line[:strings.LastIndexByte(line, ' ')])
	}
	// Output:
	// telaio-mock:placeholder
	// 200 {"access_token":"telaio-mock-access-token","expires_in":3600,"token_type":"Bearer"}
	// 200 {"id":"o-1","status":"open"}
	// POST /oauth/token 200
	// GET /orders/o-1 200
}
