package httpenc_test

import (
	"fmt"

	"github.com/telaio/telaio/internal/httpenc"
)

func ExampleParam_Path() {
	p := httpenc.Param{Name: "id", In: "path", Style: "matrix"}
	s, _ := p.Path([]any{"a b", 7.0})
	fmt.Println("/pets/{id}: /pets/" + s)
	// Output: /pets/{id}: /pets/;id=a%20b,7
}

func ExampleParam_Query() {
	explode := false
	tags := httpenc.Param{Name: "tags", In: "query", Explode: &explode}
	filter := httpenc.Param{Name: "filter", In: "query", Style: "deepObject"}

	a, _ := tags.Query([]any{"red", "x,y"})
	b, _ := filter.Query(map[string]any{"min": 2.0, "max": 10.5})
	fmt.Println(a[0].Name, a[0].Value)
	fmt.Println(httpenc.EncodeQuery(append(a, b...)))
	// Output:
	// tags red,x,y
	// tags=red,x%2Cy&filter%5Bmax%5D=10.5&filter%5Bmin%5D=2
}

func ExampleParam_Query_error() {
	p := httpenc.Param{Name: "filter", Style: "deepObject"}
	_, err := p.Query("secret-value")
	fmt.Println(err)
	// Output: httpenc: query parameter "filter": style deepObject needs an object value
}

func ExampleParam_Header() {
	p := httpenc.Param{Name: "X-Rate", In: "header"}
	s, _ := p.Header(map[string]any{"limit": 10.0, "unit": "s"})
	fmt.Println(s)
	// Output: limit,10,unit,s
}

func ExampleParam_Cookie() {
	p := httpenc.Param{Name: "session", In: "cookie"}
	s, _ := p.Cookie("abc;def")
	fmt.Println(s)
	// Output: session=abc%3Bdef
}

func ExampleEncodeForm() {
	b, _ := httpenc.EncodeForm(map[string]any{"grant_type": "password", "username": "a b", "attempts": 3.0})
	fmt.Println(string(b))
	// Output: attempts=3&grant_type=password&username=a+b
}

func ExampleEncodeJSON() {
	b, _ := httpenc.EncodeJSON(map[string]any{"html": "<b>&</b>", "n": 7.0})
	fmt.Println(string(b))
	// Output: {"html":"<b>&</b>","n":7}
}

func ExampleEncodeMultipart() {
	_, ct, _ := httpenc.EncodeMultipart(map[string]any{"name": "Rex"}, "BOUNDARY")
	fmt.Println(ct)
	// Output: multipart/form-data; boundary=BOUNDARY
}

func ExampleEncodeXML() {
	b, _ := httpenc.EncodeXML(map[string]any{"pet": map[string]any{"name": "Rex", "age": 3.0}})
	fmt.Println(string(b))
	// Output: <pet><age>3</age><name>Rex</name></pet>
}
