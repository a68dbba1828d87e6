package mock

import (
	"fmt"
	"strings"
)

// largeDescription generates an OpenAPI 3.0 description in JSON with
// nSchemas component schemas and 5 operations per resource (nResources
// resources): list, create, get, replace, delete. The schemas form one long
// cycle of optional properties (S0.next is S1, ..., the last's is S0), and
// each refers to two others through an array and a oneOf. With 6000
// schemas and 6000 resources (30000 operations) the text is about 24 MB.
func largeDescription(nSchemas, nResources int) []byte {
	var b strings.Builder
	b.Grow(nSchemas*1700 + nResources*9000)
	lorem := strings.Repeat("A resource of the generated API, described at length so that the text is as large as a real description. ", 2)
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"large","version":"1"},`)
	b.WriteString(`"servers":[{"url":"https://api.example.com/v1"}],"security":[{"bearer":[]}],"paths":{`)
	for i := range nResources {
		s := i % nSchemas
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `
  "/resources%d":{
    "get":{"operationId":"list%d","summary":%q,"parameters":[
      {"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":100}},
      {"name":"cursor","in":"query","schema":{"type":"string"}}],
      "responses":{
        "200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/S%d"}},"next":{"type":"string"}}}}}},
        "400":{"$ref":"#/components/responses/BadRequest"}}},
    "post":{"operationId":"create%d","summary":%q,
      "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/S%d"}}}},
      "responses":{
        "201":{"description":"created","content":{"application/json":{"schema":{"$ref":"#/components/schemas/S%d"}}}},
        "400":{"$ref":"#/components/responses/BadRequest"}}}},
  "/resources%d/{id}":{
    "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
    "get":{"operationId":"get%d","summary":%q,
      "responses":{
        "200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/S%d"}}}},
        "404":{"description":"not found","content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}}},
    "put":{"operationId":"replace%d","summary":%q,
      "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/S%d"}}}},
      "responses":{
        "200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/S%d"}}}},
        "400":{"$ref":"#/components/responses/BadRequest"}}},
    "delete":{"operationId":"delete%d","summary":%q,"responses":{"204":{"description":"deleted"}}}}`,
			i, i, lorem, s, i, lorem, s, s, i, i, lorem, s, i, lorem, s, s, i, lorem)
	}
	b.WriteString(`},"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},`)
	b.WriteString(`"responses":{"BadRequest":{"description":"bad request","content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}},`)
	b.WriteString(`"schemas":{"Problem":{"type":"object","properties":{"type":{"type":"string"},"title":{"type":"string"},"status":{"type":"integer"},"detail":{"type":"string"}}}`)
	for i := range nSchemas {
		fmt.Fprintf(&b, `,
  "S%d":{"type":"object","description":%q,"required":["id","name"],"properties":{
    "id":{"type":"string","format":"uuid"},
    "name":{"type":"string","maxLength":64,"description":%q},
    "createdAt":{"type":"string","format":"date-time"},
    "count":{"type":"integer","minimum":0,"maximum":1000},
    "status":{"type":"string","enum":["active","inactive","pending"]},
    "tags":{"type":"array","items":{"type":"string"},"maxItems":5},
    "next":{"$ref":"#/components/schemas/S%d"},
    "related":{"type":"array","items":{"$ref":"#/components/schemas/S%d"}},
    "kind":{"oneOf":[{"$ref":"#/components/schemas/S%d"},{"type":"string","enum":["none"]}]}}}`,
			i, lorem, lorem, (i+1)%nSchemas, (i*7+3)%nSchemas, (i+2)%nSchemas)
	}
	b.WriteString("}}}\n")
	return []byte(b.String())
}
