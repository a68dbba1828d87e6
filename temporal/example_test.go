package temporal_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

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

// ExampleCodecHandler serves the codec to the Temporal web UI: it opens
// what the key sealed, for the UI's origin.
func ExampleCodecHandler() {
	key, _ := temporal.ParseKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	h, err := temporal.CodecHandler(key, "http://localhost:8233")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h) // in production: http.ListenAndServe("127.0.0.1:8081", h)
	defer srv.Close()

	codec, _ := temporal.NewCodec(key)
	sealed, _ := codec.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"hello"`)}})
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: sealed})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/decode", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://localhost:8233")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var opened commonpb.Payloads
	_ = protojson.Unmarshal(b, &opened)
	fmt.Println(res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	fmt.Println(string(opened.GetPayloads()[0].GetData()))
	// Output:
	// 200 http://localhost:8233
	// "hello"
}
