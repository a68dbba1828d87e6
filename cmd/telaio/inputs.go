package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/telaio/telaio/internal/yamlx"
)

// This file reads workflow inputs from the command line: --inputs FILE and
// --input name=value. FuzzParseInput checks that no argument panics.

// readInputs reads --inputs FILE then applies each --input name=value (split
// at the first "="; the value is JSON when it parses as JSON, else a string;
// an input the schema declares as a string keeps the text as written).
func readInputs(file string, pairs []string, strs map[string]bool) (map[string]any, error) {
	inputs := map[string]any{}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--inputs: %v", err)
		}
		m, err := decodeInputs(data)
		if err != nil {
			return nil, fmt.Errorf("--inputs %s: %v", file, err)
		}
		for k, x := range m {
			inputs[k] = x
		}
	}
	for _, p := range pairs {
		name, value, err := parseInput(p)
		if err != nil {
			return nil, err
		}
		if _, isStr := value.(string); strs[name] && !isStr {
			_, value, _ = strings.Cut(p, "=")
		}
		inputs[name] = value
	}
	return inputs, nil
}

// decodeInputs decodes the JSON or YAML text of an --inputs file, which must
// hold an object (or nothing).
func decodeInputs(data []byte) (map[string]any, error) {
	v, err := yamlx.Decode(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return nil, fmt.Errorf("must hold an object")
	}
	return m, nil
}

// parseInput splits name=value at the first "=" and decodes the value as
// JSON when it is valid JSON, else keeps it as a string. A value that is
// valid JSON but not representable (a number beyond float64, such as 1e400;
// nesting deeper than encoding/json allows) stays a string too. The error
// does not echo the argument, which may be a credential.
func parseInput(p string) (string, any, error) {
	name, raw, ok := strings.Cut(p, "=")
	if !ok || name == "" {
		why := `has no "="`
		if ok {
			why = `has no name before "="`
		}
		return "", nil, fmt.Errorf("--input must be name=value (an argument of %d bytes %s)", len(p), why)
	}
	var v any
	if json.Valid([]byte(raw)) {
		if err := json.Unmarshal([]byte(raw), &v); err == nil {
			return name, v, nil
		}
	}
	return name, raw, nil
}
