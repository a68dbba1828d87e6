package oas_test

import (
	"os"
	"testing"

	"github.com/telaio/telaio/oas"
)

func loadStytch(tb testing.TB) *oas.Document {
	tb.Helper()
	src, err := os.ReadFile("../specs/stytch/openapi/stytch-b2b-openapi.yml")
	if err != nil {
		tb.Fatal(err)
	}
	d, err := oas.Load(src, "stytch.yml")
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestStytchIndex(t *testing.T) {
	d := loadStytch(t)
	if n := len(d.Operations()); n != 97 {
		t.Errorf("operations = %d, want 97", n)
	}
	op, err := d.OperationByID("api_b2b_otp_v1_b2b_otp_sms_Send")
	if err != nil {
		t.Fatal(err)
	}
	if op.Method != "POST" || op.Path != "/v1/b2b/otps/sms/send" {
		t.Errorf("op = %s %s", op.Method, op.Path)
	}
	if op.Body == nil || op.Body.MediaType("application/json") == nil {
		t.Fatal("no JSON request body")
	}
	if got := op.Body.Content[0].SchemaPointer; got != "/paths/~1v1~1b2b~1otps~1sms~1send/post/requestBody/content/application~1json/schema" {
		t.Errorf("schema pointer = %s", got)
	}
	if d.Servers[0].URL != "https://api.stytch.com" {
		t.Errorf("servers = %+v", d.Servers)
	}
	if s := d.SecuritySchemes["basicAuth"]; s == nil || s.Type != "http" || s.Scheme != "basic" {
		t.Errorf("basicAuth = %+v", s)
	}
	if d.UsesSecurity {
		t.Error("Stytch declares no security requirement")
	}
	byPtr, err := d.OperationByPointer(op.Pointer)
	if err != nil || byPtr != op {
		t.Errorf("by pointer: %v", err)
	}
	if r := op.Response(200); r == nil || r.Code != "200" {
		t.Errorf("response 200 = %+v", r)
	}
}

func BenchmarkLoadStytch(b *testing.B) {
	src, _ := os.ReadFile("../specs/stytch/openapi/stytch-b2b-openapi.yml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := oas.Load(src, "stytch.yml"); err != nil {
			b.Fatal(err)
		}
	}
}
