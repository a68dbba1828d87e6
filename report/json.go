package report

import (
	"encoding/json"
	"io"

	"github.com/telaio/telaio/executor"
)

// jsonReport is the document JSON writes.
type jsonReport struct {
	// Success is true when every run succeeded.
	Success bool               `json:"success"`
	Results []*executor.Result `json:"results"`
}

// JSON writes the full results, indented:
//
//	{"success": true, "results": [<executor.Result>...]}
//
// success is true when every run succeeded; each result is encoded as
// executor.Result defines it (durations in nanoseconds; inputs are left
// out). Nil results are skipped. opts are accepted for symmetry with the
// other formats and change nothing.
func JSON(w io.Writer, results []*executor.Result, opts ...Option) error {
	results = redacted(results)
	rep := jsonReport{Success: true, Results: []*executor.Result{}}
	for _, r := range results {
		if r == nil {
			continue
		}
		rep.Results = append(rep.Results, r)
		rep.Success = rep.Success && r.Success
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
