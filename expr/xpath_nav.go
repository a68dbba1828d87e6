package expr

import (
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// xnav is the navigator the XPath engine walks the context document with.
// It behaves as xmlquery's NodeNavigator, and charges every move and every
// string value it computes to the evaluation's budget, which stops the
// engine (by panicking, see budget.charge) when the work or the context runs
// out: the engine has no budget and no context of its own, and all its work
// goes through the navigator. A string value costs one unit per node of the
// subtree read, plus one per 16 bytes copied, so that an expression that
// takes the string value of every element of a deep document (whose cost is
// quadratic) is metered too.
type xnav struct {
	root, curr *xmlquery.Node
	attr       int // index of the current attribute of curr, or -1
	b          *budget
}

var _ xpath.NodeNavigator = (*xnav)(nil)

func newXNav(root *xmlquery.Node, b *budget) *xnav {
	return &xnav{root: root, curr: root, attr: -1, b: b}
}

func (x *xnav) NodeType() xpath.NodeType {
	switch x.curr.Type {
	case xmlquery.CommentNode:
		return xpath.CommentNode
	case xmlquery.TextNode, xmlquery.CharDataNode, xmlquery.NotationNode:
		return xpath.TextNode
	case xmlquery.DeclarationNode, xmlquery.DocumentNode:
		return xpath.RootNode
	case xmlquery.ElementNode:
		if x.attr != -1 {
			return xpath.AttributeNode
		}
		return xpath.ElementNode
	}
	// Processing instructions, and any other kind: as xmlquery does.
	return xpath.ElementNode
}

func (x *xnav) LocalName() string {
	if x.attr != -1 {
		return x.curr.Attr[x.attr].Name.Local
	}
	return x.curr.Data
}

func (x *xnav) Prefix() string {
	if x.attr != -1 {
		return x.curr.Attr[x.attr].Name.Space
	}
	return x.curr.Prefix
}

// NamespaceURL is the optional method the engine uses to match names by
// namespace.
func (x *xnav) NamespaceURL() string {
	if x.attr != -1 {
		return x.curr.Attr[x.attr].NamespaceURI
	}
	return x.curr.NamespaceURI
}

func (x *xnav) Value() string {
	x.b.charge(1)
	switch x.curr.Type {
	case xmlquery.CommentNode:
		return x.curr.Data
	case xmlquery.ElementNode:
		if x.attr != -1 {
			return x.curr.Attr[x.attr].Value
		}
		return innerText(x.curr, x.b)
	case xmlquery.TextNode:
		return x.curr.Data
	}
	return ""
}

func (x *xnav) Copy() xpath.NodeNavigator {
	x.b.charge(1)
	n := *x
	return &n
}

func (x *xnav) MoveToRoot() {
	x.b.charge(1)
	x.curr, x.attr = x.root, -1
}

func (x *xnav) MoveToParent() bool {
	x.b.charge(1)
	if x.attr != -1 {
		x.attr = -1
		return true
	}
	if p := x.curr.Parent; p != nil {
		x.curr = p
		return true
	}
	return false
}

func (x *xnav) MoveToNextAttribute() bool {
	x.b.charge(1)
	if x.attr >= len(x.curr.Attr)-1 {
		return false
	}
	x.attr++
	return true
}

func (x *xnav) MoveToChild() bool {
	x.b.charge(1)
	if x.attr != -1 {
		return false
	}
	if c := x.curr.FirstChild; c != nil {
		x.curr = c
		return true
	}
	return false
}

func (x *xnav) MoveToFirst() bool {
	x.b.charge(1)
	if x.attr != -1 || x.curr.PrevSibling == nil {
		return false
	}
	n := int64(0)
	for x.curr.PrevSibling != nil {
		x.curr = x.curr.PrevSibling
		n++
	}
	x.b.charge(n)
	return true
}

// MoveToNext and MoveToPrevious skip text nodes of white space only, as
// xmlquery's navigator does.
func (x *xnav) MoveToNext() bool {
	x.b.charge(1)
	if x.attr != -1 {
		return false
	}
	for n := x.curr.NextSibling; n != nil; n = x.curr.NextSibling {
		x.b.charge(1)
		x.curr = n
		if n.Type != xmlquery.TextNode || strings.TrimSpace(n.Data) != "" {
			return true
		}
	}
	return false
}

func (x *xnav) MoveToPrevious() bool {
	x.b.charge(1)
	if x.attr != -1 {
		return false
	}
	for n := x.curr.PrevSibling; n != nil; n = x.curr.PrevSibling {
		x.b.charge(1)
		x.curr = n
		if n.Type != xmlquery.TextNode || strings.TrimSpace(n.Data) != "" {
			return true
		}
	}
	return false
}

func (x *xnav) MoveTo(other xpath.NodeNavigator) bool {
	x.b.charge(1)
	o, ok := other.(*xnav)
	if !ok || o.root != x.root {
		return false
	}
	x.curr, x.attr = o.curr, o.attr
	return true
}

// innerText is xmlquery's Node.InnerText (the text of the text and CDATA
// nodes of n's subtree, in document order, comments left out), computed
// without recursion and charged to b.
func innerText(n *xmlquery.Node, b *budget) string {
	switch n.Type {
	case xmlquery.TextNode, xmlquery.CharDataNode:
		b.charge(1 + int64(len(n.Data))/16)
		return n.Data
	case xmlquery.CommentNode:
		return ""
	}
	var sb strings.Builder
	x := n.FirstChild
	for x != nil {
		b.charge(1)
		descend := false
		switch x.Type {
		case xmlquery.TextNode, xmlquery.CharDataNode:
			b.charge(int64(len(x.Data)) / 16)
			sb.WriteString(x.Data)
		case xmlquery.CommentNode:
		default:
			descend = x.FirstChild != nil
		}
		if descend {
			x = x.FirstChild
			continue
		}
		for x != n && x.NextSibling == nil {
			x = x.Parent
		}
		if x == n {
			break
		}
		x = x.NextSibling
	}
	return sb.String()
}
