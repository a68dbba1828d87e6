package temporal_test

import (
	"bytes"
	"fmt"

	"github.com/telaio/telaio/temporal"
)

// ExampleDataConverter seals payloads with a key, as clients and workers
// do with the key of TELAIO_TEMPORAL_KEY (temporal.KeyFromEnv).
func ExampleDataConverter() {
	key, _ := temporal.ParseKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	dc, err := temporal.DataConverter(key)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := dc.ToPayload(map[string]any{"password": "hunter2-hunter2"})
	fmt.Println("readable:", bytes.Contains(p.GetData(), []byte("hunter2")))
	fmt.Println("encoding:", string(p.GetMetadata()["encoding"]))
	var back map[string]any
	_ = dc.FromPayload(p, &back)
	fmt.Println("decoded:", back["password"])
	// Output:
	// readable: false
	// encoding: binary/telaio-aes256-gcm
	// decoded: hunter2-hunter2
}
