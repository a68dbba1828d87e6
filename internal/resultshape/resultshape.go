// Package resultshape reduces an executor.Result to what two runs of one
// flow against fresh servers share, for tests that compare runs (Run and
// RunDurable, a local run and one on Temporal).
package resultshape

import (
	"encoding/json"
	"net/url"

	"github.com/telaio/telaio/executor"
)

// Of is res as JSON values without what differs between two runs of the
// same flow: durations, Date and Content-Length headers, hosts and ports
// of URLs, the tokens the Stytch fake generates, and the bodies a durable
// trace leaves out.
func Of(res *executor.Result) (any, error) {
	b, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	walk(v)
	return v, nil
}

func walk(v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range []string{"durationNs", "body", "bodyNote", "Date", "Content-Length"} {
			delete(x, k)
		}
		for _, k := range []string{"sessionToken", "totpRegistrationId", "recoveryCodes"} {
			if _, ok := x[k]; ok {
				x[k] = "<random>"
			}
		}
		if u, ok := x["url"].(string); ok {
			if p, err := url.Parse(u); err == nil {
				x["url"] = p.Path
			}
		}
		for _, e := range x {
			walk(e)
		}
	case []any:
		for _, e := range x {
			walk(e)
		}
	}
}
