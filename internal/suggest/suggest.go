// Package suggest finds the name a user probably meant ("did you mean"),
// for diagnostics and usage errors everywhere in Telaio.
package suggest

import (
	"fmt"
	"sort"
	"strings"
)

// Closest returns the candidate closest to name (case-insensitive optimal
// string alignment distance), or "" when none is close: at most one edit
// for names shorter than six bytes, at most three for long ones.
func Closest(name string, candidates []string) string {
	best, bestD := "", 0
	limit := max(1, min(3, len(name)/3))
	for _, c := range candidates {
		d := Distance(strings.ToLower(name), strings.ToLower(c))
		if d <= limit && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean returns ` (did you mean "x"?)` for the closest candidate, or "".
func DidYouMean(name string, candidates []string) string {
	if c := Closest(name, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// Unknown describes an unknown name for a usage error: `unknown source
// "apii" (did you mean "api"?; the document has: api, auth)`. what names
// the kind of thing; candidates are listed sorted.
func Unknown(what, name string, candidates []string) string {
	list := append([]string(nil), candidates...)
	sort.Strings(list)
	var b strings.Builder
	fmt.Fprintf(&b, "unknown %s %q", what, name)
	hint := ""
	if c := Closest(name, list); c != "" {
		hint = fmt.Sprintf("did you mean %q?", c)
	}
	switch {
	case len(list) == 0 && hint == "":
		b.WriteString(" (there is none)")
	case len(list) == 0:
		fmt.Fprintf(&b, " (%s)", hint)
	case hint == "":
		fmt.Fprintf(&b, " (known: %s)", strings.Join(list, ", "))
	default:
		fmt.Fprintf(&b, " (%s known: %s)", hint, strings.Join(list, ", "))
	}
	return b.String()
}

// Distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent bytes
// ("adpot" is one edit from "adopt"). Strings longer than 64 bytes are
// either equal (0) or far apart (64).
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 64
	}
	// d[i][j] is the distance between a[:i] and b[:j]; three rows suffice.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
