package arazzo_test

import (
	"bytes"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/diag"
)

func TestParseMaxDocumentBytes(t *testing.T) {
	small := []byte("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\n" +
		"sourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o}]}]\n")
	big := append(bytes.Repeat([]byte("# padding\n"), arazzo.DefaultMaxDocumentBytes/10), small...)
	tests := []struct {
		name    string
		src     []byte
		opts    []arazzo.ParseOption
		tooBig  bool
		wantMsg string
	}{
		{"under the default", small, nil, false, ""},
		{"over an option", small, []arazzo.ParseOption{arazzo.WithMaxDocumentBytes(100)}, true,
			"document is 157 bytes, more than the limit of 100"},
		{"at an option", small, []arazzo.ParseOption{arazzo.WithMaxDocumentBytes(int64(len(small)))}, false, ""},
		{"over the default", big, nil, true, ""},
		{"over the default, under an option", big, []arazzo.ParseOption{arazzo.WithMaxDocumentBytes(32 << 20)}, false, ""},
		{"non-positive option keeps the default", big, []arazzo.ParseOption{arazzo.WithMaxDocumentBytes(0), nil}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ds := arazzo.Parse(tt.src, "f.yaml", tt.opts...)
			if !tt.tooBig {
				if doc == nil || ds.HasCode(arazzo.CodeDocumentTooLarge) {
					t.Fatalf("Parse = %v, %v; want a document", doc, ds)
				}
				return
			}
			want := diag.Pos{Line: 1, Column: 1}
			if doc != nil || len(ds) != 1 || ds[0].Code != arazzo.CodeDocumentTooLarge || ds[0].Range.Start != want {
				t.Fatalf("Parse = %v, %v; want nil and one %s at 1:1", doc, ds, arazzo.CodeDocumentTooLarge)
			}
			if tt.wantMsg != "" && ds[0].Message != tt.wantMsg {
				t.Errorf("message %q, want %q", ds[0].Message, tt.wantMsg)
			}
		})
	}
}
