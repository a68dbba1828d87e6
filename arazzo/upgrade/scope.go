package upgrade

import "github.com/telaio/telaio/arazzo"

// outputNames lists the names of outputs (the names $steps.x.outputs.<name>
// and $workflows.x.outputs.<name> may take).
func outputNames(outs []*arazzo.Output) []string {
	out := make([]string, 0, len(outs))
	for _, o := range outs {
		out = append(out, o.Name)
	}
	return out
}
