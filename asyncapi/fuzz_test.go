package asyncapi_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/internal/jsonptr"
)

// FuzzLoad checks that no input makes Load panic or hang, that every
// diagnostic has a code and a position inside the document, and that the
// model it returns can be walked and queried. $refs to other files read
// the input itself (the bundler, the file limit and the byte limit are
// exercised). Seeds: every testdata document plus testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/*.yaml", "testdata/ext/*.yaml", "testdata/ext/*/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		read := asyncapi.WithReadFile(func(string) ([]byte, error) { return src, nil })
		d, err := asyncapi.Load(src, "fuzz.yaml", read, asyncapi.WithMaxFiles(4), asyncapi.WithMaxDocumentBytes(1<<20))
		lines := 1 + bytes.Count(src, []byte("\n"))
		if d == nil && err == nil {
			t.Fatal("no document and no error")
		}
		if d == nil {
			return
		}
		for _, x := range d.Diagnostics {
			if x.Code == "" {
				t.Errorf("diagnostic without a code: %v", x)
			}
			if x.Range.File == "fuzz.yaml" && x.Range.Start.Line > lines {
				t.Errorf("diagnostic past the end (%d lines): %v", lines, x)
			}
		}
		for _, c := range d.Channels {
			got, err := d.ChannelByPointer(jsonptr.Pointer{"channels", c.Key}.String())
			if err != nil || got != c {
				t.Errorf("channel %q not found by pointer: %v", c.Key, err)
			}
			_, _ = c.ResolveAddress(map[string]string{"x": "y"})
			_ = d.Range(c.Target)
		}
		for _, s := range d.Servers {
			_, _ = s.URL(nil)
		}
		for _, op := range d.Operations() {
			if op.Action != asyncapi.ActionSend && op.Action != asyncapi.ActionReceive && err == nil {
				t.Errorf("operation %q has action %q and no error", op.ID, op.Action)
			}
			for _, m := range op.Messages {
				_ = d.Range(m.PayloadPointer)
				if m.CorrelationID != nil && m.CorrelationID.Location != nil {
					_, _ = m.CorrelationID.Location.Eval(map[string]any{"a": "b"}, map[string]any{})
				}
			}
			if op.ID != "" {
				if got, err := d.OperationByID(op.ID); err != nil || got.ID != op.ID {
					t.Errorf("operation %q not found: %v", op.ID, err)
				}
			}
		}
	})
}

// FuzzParseLocation checks that ParseLocation never panics and that what
// it accepts prints back and evaluates without panicking.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"$message.header#/a", "$message.payload#/a/0/b~1c", "$message.payload", "$message.header.x", "$message.body#", "$message.header#/~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := asyncapi.ParseLocation(s)
		if err != nil {
			return
		}
		if l.String() != s {
			t.Errorf("String() = %q", l.String())
		}
		_, _ = l.Eval(map[string][]string{"a": {"b"}}, map[string]any{"a": []any{1.0}})
	})
}
