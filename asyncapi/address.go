package asyncapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Errors of ResolveAddress and Server.URL, for errors.Is.
var (
	// ErrUnknownAddress: the channel's address is null or absent, so the
	// run configuration must supply it.
	ErrUnknownAddress = errors.New("the channel address is unknown (null or absent)")
	// ErrMissingValue: a {name} has no value and no default.
	ErrMissingValue = errors.New("no value and no default")
	// ErrNotInEnum: a value is not one of the declared enum values.
	ErrNotInEnum = errors.New("not one of the allowed values")
	// ErrBadTemplate: an address or host has unbalanced braces or an empty
	// {} expression.
	ErrBadTemplate = errors.New("malformed {} expression")
)

// SubstitutionError reports a failed {name} substitution in a channel
// address or a server host or pathname.
type SubstitutionError struct {
	// Template is the address, host or pathname.
	Template string
	// Name is the parameter or variable ("" for ErrUnknownAddress and
	// ErrBadTemplate).
	Name string
	Err  error
}

func (e *SubstitutionError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("%q: %v", e.Template, e.Err)
	}
	return fmt.Sprintf("%q: {%s}: %v", e.Template, e.Name, e.Err)
}

func (e *SubstitutionError) Unwrap() error { return e.Err }

// segment is a literal text or, when name is set, a {name} expression.
type segment struct {
	text string
	name string
	off  int // byte offset of the segment in the template
}

// splitTemplate splits a template with {name} expressions. Names are any
// text without braces.
func splitTemplate(t string) ([]segment, error) {
	var out []segment
	i := 0
	for i < len(t) {
		open := strings.IndexAny(t[i:], "{}")
		if open < 0 {
			out = append(out, segment{text: t[i:], off: i})
			break
		}
		open += i
		if t[open] == '}' {
			return nil, &SubstitutionError{Template: t, Err: fmt.Errorf("%w: unmatched \"}\" at offset %d", ErrBadTemplate, open)}
		}
		if open > i {
			out = append(out, segment{text: t[i:open], off: i})
		}
		end := strings.IndexAny(t[open+1:], "{}")
		if end < 0 || t[open+1+end] == '{' {
			return nil, &SubstitutionError{Template: t, Err: fmt.Errorf("%w: unclosed \"{\" at offset %d", ErrBadTemplate, open)}
		}
		end += open + 1
		name := t[open+1 : end]
		if name == "" {
			return nil, &SubstitutionError{Template: t, Err: fmt.Errorf("%w: empty {} at offset %d", ErrBadTemplate, open)}
		}
		out = append(out, segment{name: name, off: open})
		i = end + 1
	}
	return out, nil
}

// TemplateNames lists the {name} expressions of a channel address or a
// server host or pathname, in order, without repeats. It returns an error
// wrapping ErrBadTemplate for unbalanced braces.
func TemplateNames(template string) ([]string, error) {
	segs, err := splitTemplate(template)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range segs {
		if s.name != "" && !slices.Contains(out, s.name) {
			out = append(out, s.name)
		}
	}
	return out, nil
}

// substitute replaces the {name} expressions of t; value returns the value
// of a name or an error.
func substitute(t string, value func(name string) (string, error)) (string, error) {
	segs, err := splitTemplate(t)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, s := range segs {
		if s.name == "" {
			b.WriteString(s.text)
			continue
		}
		v, err := value(s.name)
		if err != nil {
			return "", &SubstitutionError{Template: t, Name: s.name, Err: err}
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// pick chooses a value: the given one, else the default; then checks enum.
func pick(given map[string]string, name string, enum []string, def string, hasDef bool, declared bool) (string, error) {
	v, ok := given[name]
	if !ok {
		if !hasDef {
			if !declared {
				return "", fmt.Errorf("%w (not declared)", ErrMissingValue)
			}
			return "", ErrMissingValue
		}
		v = def
	}
	if len(enum) > 0 && !slices.Contains(enum, v) {
		return "", fmt.Errorf("%w (%s)", ErrNotInEnum, strings.Join(enum, ", "))
	}
	return v, nil
}

// ResolveAddress substitutes the {name} expressions of the channel address:
// each from params, else the parameter's default, else it is an error
// naming the parameter. A value outside a parameter's enum is an error.
// Values are inserted as they are (no escaping). Errors are
// *SubstitutionError wrapping ErrUnknownAddress, ErrMissingValue,
// ErrNotInEnum or ErrBadTemplate.
func (c *Channel) ResolveAddress(params map[string]string) (string, error) {
	if c.Address == "" {
		return "", &SubstitutionError{Template: c.Key, Err: ErrUnknownAddress}
	}
	return substitute(c.Address, func(name string) (string, error) {
		p := c.Parameter(name)
		if p == nil {
			return pick(params, name, nil, "", false, false)
		}
		return pick(params, name, p.Enum, p.Default, p.HasDefault, true)
	})
}

// URL builds the server's URL, "<protocol>://<host><pathname>", with its
// {variable} expressions substituted: each from vars, else the variable's
// default, else it is an error naming the variable. A value outside a
// variable's enum is an error. Errors are *SubstitutionError.
func (s *Server) URL(vars map[string]string) (string, error) {
	value := func(name string) (string, error) {
		v := s.Variables[name]
		if v == nil {
			return pick(vars, name, nil, "", false, false)
		}
		return pick(vars, name, v.Enum, v.Default, v.HasDefault, true)
	}
	host, err := substitute(s.Host, value)
	if err != nil {
		return "", err
	}
	path, err := substitute(s.Pathname, value)
	if err != nil {
		return "", err
	}
	if path != "" && !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if s.Protocol == "" {
		return host + path, nil
	}
	return s.Protocol + "://" + host + path, nil
}
