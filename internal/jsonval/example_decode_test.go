package jsonval_test

import (
	"errors"
	"fmt"

	"github.com/telaio/telaio/internal/jsonval"
)

func ExampleDecode() {
	v, err := jsonval.Decode([]byte(`{"id": 7, "tags": ["a", "b"], "ok": true, "note": null}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := v.(map[string]any)
	fmt.Printf("%T %v\n", m["id"], m["id"])
	fmt.Println(m["tags"], m["ok"], m["note"])
	// Output:
	// float64 7
	// [a b] true <nil>
}

func ExampleDecode_error() {
	body := []byte(`{"status": "running",}`)
	_, err := jsonval.Decode(body)
	var de *jsonval.DecodeError
	if errors.As(err, &de) {
		fmt.Printf("%s at byte %d of %d\n", de.Msg, de.Offset, len(body))
	}
	fmt.Println(errors.Is(err, jsonval.ErrSyntax))
	// Output:
	// invalid character '}' looking for beginning of object key string at byte 22 of 22
	// true
}
