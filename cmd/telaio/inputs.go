package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/telaio/telaio/internal/yamlx"
)

// This file reads workflow inputs from the command line: --inputs FILE (or
// - for stdin) and --input name=value. FuzzParseInput checks that no
// argument panics.

// maxInputsBytes bounds an --inputs file (or stdin).
const maxInputsBytes = 16 << 20

// givenInputs are the inputs of the command line, before a workflow's
// schema types them.
type givenInputs struct {
	file  map[string]any // --inputs
	pairs []string       // --input name=value, in order
}

// readInputs reads --inputs FILE ("-": stdin) and checks the --input pairs.
func readInputs(file string, pairs []string, stdin io.Reader) (givenInputs, error) {
	g := givenInputs{pairs: pairs}
	if file != "" {
		var r io.Reader = stdin
		name := "stdin"
		if file != "-" {
			f, err := os.Open(file)
			if err != nil {
				return g, fmt.Errorf("--inputs: %v", err)
			}
			defer f.Close()
			r, name = f, file
		}
		if r == nil {
			return g, fmt.Errorf("--inputs -: no standard input")
		}
		data, err := io.ReadAll(io.LimitReader(r, maxInputsBytes+1))
		if err != nil {
			return g, fmt.Errorf("--inputs %s: %v", name, err)
		}
		if len(data) > maxInputsBytes {
			return g, fmt.Errorf("--inputs %s: larger than %d bytes", name, maxInputsBytes)
		}
		if g.file, err = decodeInputs(data); err != nil {
			return g, fmt.Errorf("--inputs %s: %v", name, err)
		}
	}
	for _, p := range pairs {
		if _, _, err := parseInput(p); err != nil {
			return g, err
		}
	}
	return g, nil
}

// has reports whether the command line gives the input.
func (g givenInputs) has(name string) bool {
	if _, ok := g.file[name]; ok {
		return true
	}
	for _, p := range g.pairs {
		if n, _, _ := strings.Cut(p, "="); n == name {
			return true
		}
	}
	return false
}

// mergeInputs applies the --inputs values then each --input name=value
// (split at the first "="; the value is JSON when it parses as JSON, else
// a string; an input the schema declares as a string keeps the text as
// written).
func mergeInputs(file map[string]any, pairs []string, strs map[string]bool) (map[string]any, error) {
	inputs := make(map[string]any, len(file)+len(pairs))
	for k, x := range file {
		inputs[k] = x
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

// typedInput reads an input's text as --input does.
func typedInput(name, text string, isString bool) any {
	in, err := mergeInputs(nil, []string{name + "=" + text}, map[string]bool{name: isString})
	if err != nil {
		return text
	}
	return in[name]
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
