package temporal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// KeyEnv is the environment variable KeyFromEnv reads: a 32-byte AES key,
// base64 (standard encoding) or hex.
const KeyEnv = "TELAIO_TEMPORAL_KEY"

// Metadata of an encrypted payload.
const (
	// EncodingEncrypted is the encoding of a payload the Codec sealed.
	EncodingEncrypted = "binary/telaio-aes256-gcm"
	// MetaKeyID names the key that sealed it (the first 8 bytes of the
	// key's SHA-256, hex): a wrong key is told apart from a damaged
	// payload.
	MetaKeyID = "telaio-key-id"
)

// ErrKey reports a missing, malformed or wrong key.
var ErrKey = errors.New("temporal: payload key")

// Codec is a converter.PayloadCodec that seals every payload with AES-GCM:
// workflow inputs (secret inputs included), step outputs, results. Give the
// same key to every client and worker of a namespace (DataConverter); the
// Temporal UI shows sealed payloads unless a codec server decodes them.
type Codec struct {
	aead  cipher.AEAD
	keyID string
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec returns a Codec with a 32-byte key.
func NewCodec(key []byte) (*Codec, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: %d bytes, want 32", ErrKey, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	sum := sha256.Sum256(key)
	return &Codec{aead: aead, keyID: hex.EncodeToString(sum[:8])}, nil
}

// KeyFromEnv reads the key from KeyEnv: nil (no error) when it is unset.
func KeyFromEnv() ([]byte, error) {
	v := strings.TrimSpace(os.Getenv(KeyEnv))
	if v == "" {
		return nil, nil
	}
	return ParseKey(v)
}

// ParseKey decodes a 32-byte key written in base64 (standard encoding) or
// hex, as KeyEnv holds it.
func ParseKey(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if b, err := hex.DecodeString(v); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(v); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s must hold 32 bytes, base64 or hex", ErrKey, KeyEnv)
}

// DataConverter is the default data converter with payloads sealed by a
// Codec with key; with a nil key, the default data converter (payloads in
// clear: secret inputs readable in history).
func DataConverter(key []byte) (converter.DataConverter, error) {
	if key == nil {
		return converter.GetDefaultDataConverter(), nil
	}
	c, err := NewCodec(key)
	if err != nil {
		return nil, err
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c), nil
}

// Encode seals each payload.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(EncodingEncrypted), MetaKeyID: []byte(c.keyID)},
			Data:     c.aead.Seal(nonce, nonce, plain, []byte(c.keyID)),
		}
	}
	return out, nil
}

// Decode opens the payloads the Codec sealed and passes others through.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		if id := string(p.GetMetadata()[MetaKeyID]); id != c.keyID {
			return nil, fmt.Errorf("%w: the payload was sealed with key %s, this codec has %s", ErrKey, id, c.keyID)
		}
		data := p.GetData()
		n := c.aead.NonceSize()
		if len(data) < n {
			return nil, fmt.Errorf("%w: sealed payload too short", ErrKey)
		}
		plain, err := c.aead.Open(nil, data[:n], data[n:], []byte(c.keyID))
		if err != nil {
			return nil, fmt.Errorf("%w: cannot open the payload: %v", ErrKey, err)
		}
		var q commonpb.Payload
		if err := proto.Unmarshal(plain, &q); err != nil {
			return nil, err
		}
		out[i] = &q
	}
	return out, nil
}
