package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	yaml "github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	"github.com/pb33f/libopenapi/orderedmap"
	"github.com/pb33f/libopenapi/renderer"
	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/internal/jsonval"
)

// seedFor derives the renderer seed of one synthesized value from the
// server seed and a stable key (operation, response, media type), so values
// do not depend on the order requests arrive in.
func (s *Server) seedFor(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return s.cfg.seed ^ int64(h.Sum64()&math.MaxInt64)
}

// synthesize renders a value for sch with libopenapi's schema renderer
// (every declared property, not only the required ones; formats such as
// uuid, date-time, email and uri respected), then repairs what the renderer
// gets wrong (see fixup).
func (s *Server) synthesize(sch *base.Schema, key string, dir direction) (v any, err error) {
	if sch == nil {
		return nil, fmt.Errorf("no schema")
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("mock: the schema renderer failed: %v", r)
		}
	}()
	// An empty dictionary path: generated words do not depend on the host's
	// /usr/share/dict/words.
	r := renderer.CreateRendererUsingDictionary("")
	r.SetSeed(s.seedFor(key))
	r.DisableRequiredCheck()
	out, err := r.RenderSchemaWithError(sch)
	if err != nil {
		return nil, err
	}
	return fixup(jsonval.Normalize(out), sch, dir), nil
}

// nodeValue converts an example's YAML node to the JSON data model, keeping
// scalars that YAML would read as timestamps as the strings written.
func nodeValue(n *yaml.Node) any {
	budget := 1 << 20
	return nodeValueDepth(n, 0, &budget)
}

func nodeValueDepth(n *yaml.Node, depth int, budget *int) any {
	*budget--
	if n == nil || depth > 10000 || *budget < 0 {
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return nodeValueDepth(n.Content[0], depth+1, budget)
	case yaml.AliasNode:
		return nodeValueDepth(n.Alias, depth+1, budget)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, nodeValueDepth(c, depth+1, budget))
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" && k.ShortTag() == "!!merge" {
				if m, ok := nodeValueDepth(v, depth+1, budget).(map[string]any); ok {
					for mk, mv := range m {
						if _, set := out[mk]; !set {
							out[mk] = mv
						}
					}
				}
				continue
			}
			out[k.Value] = nodeValueDepth(v, depth+1, budget)
		}
		return out
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			b, err := strconv.ParseBool(n.Value)
			if err != nil {
				return n.Value
			}
			return b
		case "!!int":
			if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
				return float64(i)
			}
			if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
				return f
			}
			return n.Value
		case "!!float":
			if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f
			}
			return n.Value
		}
		return n.Value
	}
	return nil
}

// firstExample returns the value of the first example with an inline value.
func firstExample(m *orderedmap.Map[string, *base.Example]) (any, bool) {
	if m == nil {
		return nil, false
	}
	for _, ex := range m.FromOldest() {
		if ex != nil && ex.Value != nil {
			return nodeValue(ex.Value), true
		}
	}
	return nil, false
}

// namedExample returns the value of the example called name.
func namedExample(m *orderedmap.Map[string, *base.Example], name string) (any, bool) {
	if m == nil {
		return nil, false
	}
	if ex, ok := m.Get(name); ok && ex != nil && ex.Value != nil {
		return nodeValue(ex.Value), true
	}
	return nil, false
}

// isJSON reports whether a media type carries JSON.
func isJSON(mt string) bool {
	mt = strings.ToLower(mt)
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json") ||
		mt == "*/*" || mt == "application/*"
}

// encode serializes v for the media type name and returns the bytes and the
// Content-Type to send.
func encode(name string, v any, sch *base.Schema) ([]byte, string, error) {
	ct := name
	switch {
	case strings.Contains(name, "xml"):
		g := renderer.NewMockGeneratorWithDictionary("", renderer.XML)
		return g.RenderXML(v, sch), ct, nil
	case strings.Contains(name, "yaml"):
		b, err := yamlv3.Marshal(v)
		return b, ct, err
	case isJSON(name):
		if strings.Contains(name, "*") {
			ct = "application/json"
		}
		b, err := marshalJSON(v)
		return b, ct, err
	}
	if str, ok := v.(string); ok {
		if strings.Contains(name, "*") {
			ct = "text/plain; charset=utf-8"
		}
		return []byte(str), ct, nil
	}
	if strings.Contains(name, "*") {
		ct = "application/json"
	}
	b, err := marshalJSON(v)
	return b, ct, err
}

// marshalJSON encodes JSON data model values with appendJSON, anything else
// with encoding/json (without HTML escaping).
func marshalJSON(v any) ([]byte, error) {
	switch v.(type) {
	case nil, bool, string, float64, []any, map[string]any:
		return appendJSON(nil, v, nil), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// headerText serializes a header value with the simple style.
func headerText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = headerText(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, 0, 2*len(keys))
		for _, k := range keys {
			parts = append(parts, k, headerText(x[k]))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}
