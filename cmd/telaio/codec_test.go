package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/telaio/telaio/temporal"
)

const codecKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// startCodecServer runs telaio codec-server with vars until the test ends
// and returns its URL.
func startCodecServer(t *testing.T, vars map[string]string) string {
	t.Helper()
	m, _, _ := startCommand(t, vars, regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`), "codec-server", "--addr", "127.0.0.1:0")
	return m[1]
}

// TestCodecServerCommand: telaio codec-server opens what the key sealed;
// it needs the key, and a bearer token off loopback (then checks it).
func TestCodecServerCommand(t *testing.T) {
	key, err := temporal.ParseKey(codecKey)
	if err != nil {
		t.Fatal(err)
	}
	codec, _ := temporal.NewCodec(key)
	sealed, err := codec.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`{"token":"s3cret"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: sealed})
	decode := func(url, auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url+"/decode", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	url := startCodecServer(t, map[string]string{temporal.KeyEnv: codecKey})
	if code, out := decode(url, ""); code != http.StatusOK || !strings.Contains(out, fmt.Sprintf("%q", "eyJ0b2tlbiI6InMzY3JldCJ9")) {
		t.Errorf("decode: %d %s", code, out)
	}

	url = startCodecServer(t, map[string]string{temporal.KeyEnv: codecKey, codecTokenEnv: "letmein"})
	if code, _ := decode(url, ""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d", code)
	}
	if code, _ := decode(url, "Bearer wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", code)
	}
	if code, _ := decode(url, "Bearer letmein"); code != http.StatusOK {
		t.Errorf("token: %d", code)
	}

	for _, tc := range []struct {
		vars map[string]string
		args []string
		want string
	}{
		{nil, nil, "TELAIO_TEMPORAL_KEY is not set"},
		{map[string]string{temporal.KeyEnv: "short"}, nil, "must hold 32 bytes"},
		{map[string]string{temporal.KeyEnv: codecKey}, []string{"--addr", "0.0.0.0:0"}, "set TELAIO_CODEC_TOKEN"},
		{map[string]string{temporal.KeyEnv: codecKey}, []string{"--allow-origin", "localhost:8233"}, "an origin is a URL"},
		{map[string]string{temporal.KeyEnv: codecKey}, []string{"--adr", "x"}, "--addr"},
	} {
		code, _, errOut := runCLI(t, tc.vars, append([]string{"codec-server"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v %v: exit %d: %s", tc.vars, tc.args, code, errOut)
		}
	}
}
