package asyncmock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/telaio/telaio/internal/jsonval"
)

// lineWriter writes whole lines to the request log, one Write per line,
// serialized; a nil writer discards.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	line := fmt.Appendf(nil, format+"\n", args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(line)
}

func decodeJSON(b []byte) (any, error) { return jsonval.Decode(b) }

// encodeJSON encodes v without HTML escaping and without the encoder's
// trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
