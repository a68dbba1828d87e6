package executor

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// The trace of a run is bounded (issue 15 #1): it keeps the bodies of
// exchanges as bytes, never decoded trees; each body at most
// Limits.MaxTraceBodyBytes (the rest cut, with the body's size and
// SHA-256); all of them together at most Limits.MaxTraceBytes, beyond
// which the oldest are dropped with a note. Decoded bodies live only while
// the attempt that read them runs (its criteria, outputs and action
// criteria), and in the step outputs that hold parts of them.

// tracedBody is a body the trace holds, for the run's budget.
type tracedBody struct {
	req  *Request
	resp *Response
	n    int64
}

// traceRequestBody records the body of a request as sent.
func (rs *runState) traceRequestBody(r *Request, body []byte, contentType string) {
	text, size, _, note := rs.traceBytes(body, contentType)
	switch t := text.(type) {
	case string:
		r.Body = t
	case json.RawMessage:
		r.Body = string(t)
	}
	if note != "" {
		r.BodySize, r.BodyNote = size, note
	}
	rs.keep(tracedBody{req: r, n: int64(len(r.Body))})
}

// traceResponseBody records the body of a response as received; isJSON
// tells a complete JSON body.
func (rs *runState) traceResponseBody(r *Response, data []byte, contentType string, isJSON bool) {
	if len(data) == 0 {
		return
	}
	body, size, sum, note := rs.traceBytes(data, contentType)
	if note == "" && isJSON {
		switch b := body.(type) {
		case string:
			// Masking changed it: still JSON (replacements are whole
			// strings) unless a secret sat inside a number.
			if json.Valid([]byte(b)) {
				body = json.RawMessage(b)
			}
		case json.RawMessage:
		default:
			body = json.RawMessage(data)
		}
	} else if raw, ok := body.(json.RawMessage); ok {
		body = string(raw)
	}
	r.Body, r.BodySHA256, r.BodyNote = body, sum, note
	if note != "" {
		r.BodySize = size
	}
	n := int64(0)
	switch b := r.Body.(type) {
	case string:
		n = int64(len(b))
	case json.RawMessage:
		n = int64(len(b))
	}
	rs.keep(tracedBody{resp: r, n: n})
}

// traceBytes is what the trace keeps of a body: json.RawMessage(data) when
// nothing is masked and nothing cut (no copy), else a string: masked, cut
// at Limits.MaxTraceBodyBytes with the size and SHA-256 of the whole body.
func (rs *runState) traceBytes(data []byte, contentType string) (body any, size int64, sum, note string) {
	size = int64(len(data))
	limit := rs.e.cfg.limits.MaxTraceBodyBytes
	cut := size > limit
	keep := data
	if cut {
		// Mask a little past the cut so that no secret is cut in half.
		keep = data[:min(size, limit+int64(rs.mask.longest))]
	}
	var text string
	masked := false
	if rs.mask.mayHoldBytes(keep) {
		text = rs.mask.body(string(keep), contentType)
		masked = text != string(keep)
	}
	if !cut {
		if masked {
			return text, size, "", ""
		}
		return json.RawMessage(data), size, "", ""
	}
	if !masked {
		text = string(keep)
	}
	text = cutUTF8(text, int(limit))
	h := sha256.Sum256(data)
	return text, size, hex.EncodeToString(h[:]), fmt.Sprintf("cut at %d of %d bytes (Limits.MaxTraceBodyBytes)", len(text), size)
}

// cutUTF8 cuts s to at most n bytes, at a character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// keep counts a recorded body against Limits.MaxTraceBytes and drops the
// oldest bodies of the run's trace while the total is over it.
func (rs *runState) keep(b tracedBody) {
	rs.traced = append(rs.traced, b)
	rs.tracedBytes += b.n
	limit := rs.e.cfg.limits.MaxTraceBytes
	for rs.tracedBytes > limit && len(rs.traced) > 1 {
		old := rs.traced[0]
		rs.traced = rs.traced[1:]
		rs.tracedBytes -= old.n
		note := fmt.Sprintf("dropped: the run's trace reached Limits.MaxTraceBytes (%d bytes)", limit)
		switch {
		case old.req != nil:
			if old.req.BodySize == 0 {
				old.req.BodySize = int64(len(old.req.Body))
			}
			old.req.Body, old.req.BodyNote = "", note
		case old.resp != nil:
			if old.resp.BodySize == 0 {
				old.resp.BodySize = old.n
			}
			old.resp.Body, old.resp.BodyNote = nil, note
		}
	}
}
