package temporal_test

import (
	"testing"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/telaio/telaio/temporal"
)

// FuzzCodecDecode: a damaged or forged payload is an error, never a panic.
func FuzzCodecDecode(f *testing.F) {
	c, err := temporal.NewCodec(testKey)
	if err != nil {
		f.Fatal(err)
	}
	sealed, _ := c.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`{"a":1}`)}})
	f.Add(sealed[0].GetData(), []byte("x"))
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, id []byte) {
		p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte(temporal.EncodingEncrypted), temporal.MetaKeyID: sealed[0].GetMetadata()[temporal.MetaKeyID]}, Data: data}
		_, _ = c.Decode([]*commonpb.Payload{p})
		p.Metadata[temporal.MetaKeyID] = id
		_, _ = c.Decode([]*commonpb.Payload{p})
	})
}
