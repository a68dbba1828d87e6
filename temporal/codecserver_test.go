package temporal_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/telaio/telaio/temporal"
)

// TestCodecServerDecodesHistory: the codec server opens the sealed input of
// a real run's history for the web UI's origin (preflight included), and
// refuses other methods, a wrong key and oversized bodies; another origin
// gets no CORS headers.
func TestCodecServerDecodesHistory(t *testing.T) {
	const token = "tok-codec-0123456789abcdef"
	a := newAPI(t)
	c, eng, queue := served(t, a)
	ctx := testCtx(t)
	run, err := temporal.Start(ctx, c, eng, "twoSteps", map[string]any{"token": token}, temporal.WithTaskQueue(queue))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Result(ctx); err != nil {
		t.Fatal(err)
	}
	var input *commonpb.Payloads
	for _, ev := range history(t, c, run.ID) {
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED {
			input = ev.GetWorkflowExecutionStartedEventAttributes().GetInput()
		}
	}
	body, err := protojson.Marshal(input)
	if err != nil || bytes.Contains(body, []byte(token)) {
		t.Fatalf("the history's input is not sealed (%v)", err)
	}

	h, err := temporal.CodecHandler(testKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	post := func(h http.Handler, origin string, body []byte) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/decode", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Namespace", "default")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}

	res, out := post(h, temporal.DefaultCodecOrigin, body)
	var decoded commonpb.Payloads
	if res.StatusCode != http.StatusOK || protojson.Unmarshal(out, &decoded) != nil || len(decoded.GetPayloads()) != 1 {
		t.Fatalf("decode: %d %s", res.StatusCode, out)
	}
	if !bytes.Contains(decoded.GetPayloads()[0].GetData(), []byte(token)) {
		t.Errorf("the decoded input holds no token: %s", decoded.GetPayloads()[0].GetData())
	}
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != temporal.DefaultCodecOrigin {
		t.Errorf("Access-Control-Allow-Origin %q", got)
	}
	if res, _ := post(h, "https://evil.example", body); res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("another origin is allowed")
	}
	anyOrigin, err := temporal.CodecHandler(testKey, "*")
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := post(anyOrigin, "https://ui.example", body); res.StatusCode != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != "https://ui.example" {
		t.Errorf("*: %d %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}

	pre, _ := http.NewRequest(http.MethodOptions, srv.URL+"/decode", nil)
	pre.Header.Set("Origin", temporal.DefaultCodecOrigin)
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pres, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	pres.Body.Close()
	if pres.StatusCode != http.StatusNoContent || !strings.Contains(pres.Header.Get("Access-Control-Allow-Headers"), "X-Namespace") {
		t.Errorf("preflight: %d %v", pres.StatusCode, pres.Header)
	}
	gres, err := http.Get(srv.URL + "/decode")
	if err != nil {
		t.Fatal(err)
	}
	gres.Body.Close()
	if gres.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", gres.StatusCode)
	}

	wrong, err := temporal.CodecHandler([]byte("another key, also 32 bytes long!"))
	if err != nil {
		t.Fatal(err)
	}
	if res, out := post(wrong, "", body); res.StatusCode != http.StatusBadRequest || bytes.Contains(out, []byte(token)) {
		t.Errorf("wrong key: %d %s", res.StatusCode, out)
	}
	big := append([]byte(`{"payloads": [{"data": "`), bytes.Repeat([]byte("A"), temporal.MaxCodecRequestBytes)...)
	if res, _ := post(h, "", append(big, `"}]}`...)); res.StatusCode < 400 {
		t.Errorf("oversized body: %d", res.StatusCode)
	}
	if _, err := temporal.CodecHandler([]byte("short")); err == nil {
		t.Error("a short key is accepted")
	}
}
