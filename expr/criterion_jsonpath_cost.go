package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The JSONPath library has no evaluation budget, and some queries cost far
// more than the size of their context: each selector list multiplies the
// nodes selected ($[0,0][0,0]... doubles them per segment), each descendant
// segment after the first multiplies them by up to the depth of the context,
// an absolute query inside a filter runs once per node filtered, and the
// match() and search() functions compile their pattern for every node. So a
// query's shape is read from its text before it runs, and the cost bound it
// gives with the context's size is checked against MaxQueryCost.

// queryShape is what the cost of a JSONPath or XPath query depends on (an
// XPath expression has no fanout or regex).
type queryShape struct {
	fanout      float64 // product of the selector counts of bracketed selector lists
	descendants int     // descendant segments or axes
	absolute    int     // queries that may visit every node, run once per node
	regex       float64 // total weight of the match() and search() patterns
	lang        string  // "JSONPath query" or "XPath expression", for messages
}

// cost is the bound on the nodes visited over a context of n nodes (values)
// and depth d.
func (s queryShape) cost(n, d int) float64 {
	c := float64(n) * max(s.fanout, 1) * (1 + s.regex)
	if s.descendants > 1 {
		c *= math.Pow(float64(d)+1, float64(s.descendants-1))
	}
	if s.absolute > 0 {
		c *= math.Pow(float64(n), float64(s.absolute))
	}
	return c
}

// checkCost returns a *LimitError when the bound exceeds limit.
func (s queryShape) checkCost(n, d, limit int) *LimitError {
	c := s.cost(n, d)
	if c <= float64(limit) {
		return nil
	}
	size := math.MaxInt
	if c < float64(math.MaxInt/2) {
		size = int(c)
	}
	return &LimitError{Code: CodeQueryTooComplex, Limit: limit, Size: size,
		Msg: fmt.Sprintf("the %s may visit about %s nodes over this context (%d nodes, depth %d), more than the limit of %d (MaxQueryCost)",
			s.lang, strconv.FormatFloat(c, 'g', 3, 64), n, d, limit)}
}

// readJSONPathShape reads the shape of query q (already compiled by the
// library, so well-formed). Its string literals are checked as patterns when
// q calls match() or search(): one whose program has more than maxRegex
// instructions gives a *LimitError, and the offset in q of the literal.
func readJSONPathShape(q string, maxRegex int) (queryShape, int, *LimitError) {
	s := queryShape{fanout: 1, lang: "JSONPath query"}
	type frame struct{ parens, commas int }
	var brackets []frame
	parens := 0
	usesRegex := false
	type lit struct {
		off  int
		text string
	}
	var lits []lit
	for i := 0; i < len(q); i++ {
		switch c := q[i]; c {
		case '\'', '"':
			j, text := scanJSONPathString(q, i)
			lits = append(lits, lit{i, text})
			i = j - 1
		case '.':
			if i+1 < len(q) && q[i+1] == '.' {
				s.descendants++
				i++
			}
		case '[':
			brackets = append(brackets, frame{parens: parens})
		case ']':
			if n := len(brackets); n > 0 {
				s.fanout *= float64(brackets[n-1].commas + 1)
				brackets = brackets[:n-1]
			}
		case ',':
			if n := len(brackets); n > 0 && brackets[n-1].parens == parens {
				brackets[n-1].commas++
			}
		case '(':
			parens++
			w := i
			for w > 0 && isJSONPathNameByte(q[w-1]) {
				w--
			}
			if name := q[w:i]; name == "match" || name == "search" {
				usesRegex = true
			}
		case ')':
			parens--
		case '$':
			if len(brackets) > 0 && !singularJSONPath(q[i:jsonPathQueryEnd(q, i)]) {
				s.absolute++
			}
		}
	}
	if usesRegex {
		for _, l := range lits {
			insts, weight, err := regexProgram(l.text)
			if err != nil {
				continue // not a pattern: match() and search() are false
			}
			if insts > maxRegex {
				return s, l.off, &LimitError{Code: CodeRegexTooComplex, Limit: maxRegex, Size: insts,
					Msg: fmt.Sprintf("the pattern compiles to %d instructions, more than the limit of %d", insts, maxRegex)}
			}
			s.regex += float64(weight)
		}
	}
	return s, 0, nil
}

func isJSONPathNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c >= 0x80
}

// scanJSONPathString reads the string literal that starts at q[i] (a quote)
// and returns the index after it and its value. Escapes are decoded as
// RFC 9535 says; an unterminated literal runs to the end.
func scanJSONPathString(q string, i int) (int, string) {
	quote := q[i]
	var b strings.Builder
	j := i + 1
	for j < len(q) && q[j] != quote {
		c := q[j]
		if c != '\\' || j+1 >= len(q) {
			b.WriteByte(c)
			j++
			continue
		}
		j++
		switch e := q[j]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if j+4 < len(q) {
				if r, err := strconv.ParseUint(q[j+1:j+5], 16, 16); err == nil {
					b.WriteRune(rune(r))
					j += 4
					break
				}
			}
			b.WriteByte(e)
		default:
			b.WriteByte(e)
		}
		j++
	}
	if j < len(q) {
		j++
	}
	if !utf8.ValidString(b.String()) {
		return j, strings.ToValidUTF8(b.String(), "\uFFFD")
	}
	return j, b.String()
}

// jsonPathQueryEnd returns the end of the query that starts at q[i]: names,
// dots, "*" and bracketed selectors.
func jsonPathQueryEnd(q string, i int) int {
	j := i + 1
	for j < len(q) {
		c := q[j]
		switch {
		case c == '.' || c == '*' || isJSONPathNameByte(c):
			j++
		case c == '[':
			j = skipJSONPathBrackets(q, j)
		default:
			return j
		}
	}
	return j
}

// skipJSONPathBrackets returns the index after the bracketed selectors that
// start at q[j].
func skipJSONPathBrackets(q string, j int) int {
	depth := 0
	for j < len(q) {
		switch q[j] {
		case '\'', '"':
			j, _ = scanJSONPathString(q, j)
			continue
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
		j++
	}
	return j
}

// singularJSONPath reports whether query q selects at most one node by
// names and indexes only (no "..", "*", filter, slice or list).
func singularJSONPath(q string) bool {
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '\'', '"':
			j, _ := scanJSONPathString(q, i)
			i = j - 1
		case '*', '?', ':', ',':
			return false
		case '.':
			if i+1 < len(q) && q[i+1] == '.' {
				return false
			}
		}
	}
	return true
}
