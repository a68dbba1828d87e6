package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/telaio/telaio/internal/yamlx"
)

// A case directory's files (see testdata/cases/README.md).
const (
	fileArazzo  = "arazzo.yaml"
	fileServer  = "server.yaml"
	fileInputs  = "inputs.yaml"
	fileOptions = "options.yaml"
	fileExpect  = "expect.yaml"
)

// serverPlaceholder in expect.yaml is replaced by the test server's base URL
// (e.g. http://127.0.0.1:41234) before the file is decoded.
const serverPlaceholder = "${server}"

// testCase is one case directory, decoded.
type testCase struct {
	name, dir string
	routes    []*route
	inputs    map[string]any
	opts      caseOptions
	// expectSrc is expect.yaml's text; it is decoded once the server URL is
	// known (decodeExpect).
	expectSrc []byte
}

// route is one entry of server.yaml.
type route struct {
	Method    string      `yaml:"method"`
	Path      string      `yaml:"path"`
	Responses []*response `yaml:"responses"`
}

// response is what a route answers.
type response struct {
	Status      int               `yaml:"status"`
	Headers     map[string]string `yaml:"headers"`
	Body        yaml.Node         `yaml:"body"`
	BodyText    *string           `yaml:"bodyText"`
	ContentType string            `yaml:"contentType"`
	DelayMs     int               `yaml:"delayMs"`
	Echo        bool              `yaml:"echo"`

	body    []byte // encoded Body or BodyText
	hasBody bool
}

// caseOptions is options.yaml.
type caseOptions struct {
	WorkflowID string            `yaml:"workflowId"`
	Auth       map[string]string `yaml:"auth"`
	Limits     struct {
		MaxStepExecutions int    `yaml:"maxStepExecutions"`
		MaxDepth          int    `yaml:"maxDepth"`
		MaxResponseBytes  int64  `yaml:"maxResponseBytes"`
		MaxRetryWait      string `yaml:"maxRetryWait"`
		RequestTimeout    string `yaml:"requestTimeout"`
	} `yaml:"limits"`
	// Clock fixes the engine's clock (RFC 3339), e.g. for HTTP-date
	// Retry-After headers.
	Clock               string `yaml:"clock"`
	SkipInputValidation bool   `yaml:"skipInputValidation"`
	// UseOpenAPIServers keeps the OpenAPI servers instead of pointing every
	// source at the test server; the case's documents then write
	// ${server} where the test server's base URL goes.
	UseOpenAPIServers bool `yaml:"useOpenAPIServers"`
	// ServerIndex picks an OpenAPI server by index per source name
	// (executor.WithServerIndex); it implies useOpenAPIServers.
	ServerIndex map[string]int `yaml:"serverIndex"`
}

// expectation is expect.yaml.
type expectation struct {
	resultExpect `yaml:",inline"`
	// Error is the *executor.StepError the run must return; absent means
	// the run must return no error (unless InputError).
	Error *errorExpect `yaml:"error"`
	// InputError: the run must return an *executor.InputError.
	InputError bool `yaml:"inputError"`
	// Sleeps are the retry waits requested, in order (Go durations).
	Sleeps *[]string `yaml:"sleeps"`
	// Requests are the requests the server received, in order.
	Requests *[]*requestExpect `yaml:"requests"`
	// Warnings are diagnostic codes that loading or validation must report.
	Warnings []string `yaml:"warnings"`
	// Errors are diagnostic codes that loading or validation must report
	// as errors: the document is invalid, so the workflow is not run.
	Errors []string `yaml:"errors"`
}

type errorExpect struct {
	Code       string `yaml:"code"`
	StepID     string `yaml:"stepId"`
	WorkflowID string `yaml:"workflowId"`
	Contains   string `yaml:"contains"`
}

// resultExpect is what an *executor.Result must hold; unset fields are not
// checked.
type resultExpect struct {
	WorkflowID   string          `yaml:"workflowId"`
	Status       string          `yaml:"status"`
	Success      *bool           `yaml:"success"`
	Outputs      yaml.Node       `yaml:"outputs"`
	Steps        *[]*stepExpect  `yaml:"steps"`
	Dependencies []*resultExpect `yaml:"dependencies"`
	Transfer     *resultExpect   `yaml:"transfer"`
}

func (r *resultExpect) isZero() bool {
	return r.WorkflowID == "" && r.Status == "" && r.Success == nil && r.Outputs.Kind == 0 &&
		r.Steps == nil && r.Dependencies == nil && r.Transfer == nil
}

// stepExpect is one executed step: a bare step id, or a map.
type stepExpect struct {
	StepID        string             `yaml:"stepId"`
	StatusCode    *int               `yaml:"statusCode"`
	Attempts      *int               `yaml:"attempts"`
	Success       *bool              `yaml:"success"`
	Action        *string            `yaml:"action"`
	Outputs       yaml.Node          `yaml:"outputs"`
	ErrorContains string             `yaml:"errorContains"`
	Criteria      []*criterionExpect `yaml:"criteria"`
	Workflow      *resultExpect      `yaml:"workflow"`
}

type criterionExpect struct {
	Passed bool `yaml:"passed"`
	// Error: the criterion must (true) or must not (false) report an
	// evaluation error.
	Error *bool `yaml:"error"`
}

func (s *stepExpect) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		s.StepID = n.Value
		return nil
	}
	type plain stepExpect
	return strictNode(n, (*plain)(s))
}

// requestExpect is one request the server must have received.
type requestExpect struct {
	Method string `yaml:"method"`
	// Path is the path as sent, percent-encoding kept.
	Path string `yaml:"path"`
	// Query is the decoded query, compared exactly: a string per name, or
	// a list when the name repeats.
	Query yaml.Node `yaml:"query"`
	// RawQuery is the query string as sent.
	RawQuery *string `yaml:"rawQuery"`
	// Headers are compared by name, case-insensitively; repeated headers
	// are joined with ", ". Only the names listed are checked.
	Headers       map[string]string `yaml:"headers"`
	AbsentHeaders []string          `yaml:"absentHeaders"`
	// ContentType is compared as a media type, parameters ignored.
	ContentType string `yaml:"contentType"`
	// Body is the exact JSON value of the body.
	Body yaml.Node `yaml:"body"`
	// BodyText is the exact body text; "" means no body.
	BodyText *string `yaml:"bodyText"`
	// Form is the decoded fields of an application/x-www-form-urlencoded
	// or multipart/form-data body, compared exactly.
	Form yaml.Node `yaml:"form"`
	// AbsentBodyFields are member names of the JSON body object, or JSON
	// pointers (starting with "/"), that must not be present.
	AbsentBodyFields []string `yaml:"absentBodyFields"`
}

// strictDecode decodes YAML rejecting unknown fields.
func strictDecode(src []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// strictNode decodes a node rejecting unknown fields (yaml.Node.Decode does
// not carry KnownFields into custom unmarshalers).
func strictNode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	return strictDecode(b, v)
}

// loadCase reads a case directory.
func loadCase(dir string) (*testCase, error) {
	tc := &testCase{name: filepath.Base(dir), dir: dir}
	if _, err := os.Stat(filepath.Join(dir, fileArazzo)); err != nil {
		return nil, fmt.Errorf("a case needs %s: %v", fileArazzo, err)
	}
	var err error
	if tc.expectSrc, err = os.ReadFile(filepath.Join(dir, fileExpect)); err != nil {
		return nil, fmt.Errorf("a case needs %s: %v", fileExpect, err)
	}
	if b, err := readOptional(dir, fileServer); err != nil {
		return nil, err
	} else if b != nil {
		if err := strictDecode(b, &tc.routes); err != nil {
			return nil, fmt.Errorf("%s: %v", fileServer, err)
		}
		if err := prepareRoutes(tc.routes); err != nil {
			return nil, fmt.Errorf("%s: %v", fileServer, err)
		}
	}
	if b, err := readOptional(dir, fileInputs); err != nil {
		return nil, err
	} else if b != nil {
		v, err := yamlx.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", fileInputs, err)
		}
		if v != nil {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: want a map of inputs, got %T", fileInputs, v)
			}
			tc.inputs = m
		}
	}
	if b, err := readOptional(dir, fileOptions); err != nil {
		return nil, err
	} else if b != nil {
		if err := strictDecode(b, &tc.opts); err != nil {
			return nil, fmt.Errorf("%s: %v", fileOptions, err)
		}
	}
	// Decode expect.yaml once now, to report its mistakes early.
	if _, err := tc.decodeExpect("http://127.0.0.1:1"); err != nil {
		return nil, err
	}
	return tc, nil
}

func readOptional(dir, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// decodeExpect decodes expect.yaml with the server URL substituted.
func (tc *testCase) decodeExpect(serverURL string) (*expectation, error) {
	src := bytes.ReplaceAll(tc.expectSrc, []byte(serverPlaceholder), []byte(serverURL))
	var e expectation
	if err := strictDecode(src, &e); err != nil {
		return nil, fmt.Errorf("%s: %v", fileExpect, err)
	}
	if e.Sleeps != nil {
		for _, s := range *e.Sleeps {
			if _, err := time.ParseDuration(s); err != nil {
				return nil, fmt.Errorf("%s: sleeps: %v", fileExpect, err)
			}
		}
	}
	if len(e.Errors) > 0 && (e.Error != nil || e.InputError || e.Requests != nil || e.Sleeps != nil || !e.resultExpect.isZero()) {
		return nil, fmt.Errorf("%s: errors means the workflow is not run: give only warnings beside it", fileExpect)
	}
	if e.Requests != nil {
		for i, r := range *e.Requests {
			if r == nil || r.Method == "" || r.Path == "" {
				return nil, fmt.Errorf("%s: requests[%d] needs method and path", fileExpect, i)
			}
		}
	}
	return &e, nil
}

// prepareRoutes checks server.yaml and encodes the response bodies once.
func prepareRoutes(routes []*route) error {
	for i, r := range routes {
		if r == nil || r.Method == "" || !strings.HasPrefix(r.Path, "/") {
			return fmt.Errorf("route %d needs a method and a path starting with /", i)
		}
		r.Method = strings.ToUpper(r.Method)
		if len(r.Responses) == 0 {
			r.Responses = []*response{{}}
		}
		for j, resp := range r.Responses {
			if resp == nil {
				resp = &response{}
				r.Responses[j] = resp
			}
			if resp.Status == 0 {
				resp.Status = 200
			}
			n := 0
			if resp.Body.Kind != 0 {
				n++
				v, err := yamlx.Value(&resp.Body)
				if err != nil {
					return fmt.Errorf("%s %s response %d: %v", r.Method, r.Path, j, err)
				}
				if resp.body, err = jsonMarshal(v); err != nil {
					return fmt.Errorf("%s %s response %d: %v", r.Method, r.Path, j, err)
				}
				resp.hasBody = true
				if resp.ContentType == "" {
					resp.ContentType = "application/json"
				}
			}
			if resp.BodyText != nil {
				n++
				resp.body, resp.hasBody = []byte(*resp.BodyText), true
				if resp.ContentType == "" {
					resp.ContentType = "text/plain; charset=utf-8"
				}
			}
			if resp.Echo {
				n++
			}
			if n > 1 {
				return fmt.Errorf("%s %s response %d: give one of body, bodyText and echo", r.Method, r.Path, j)
			}
		}
	}
	return nil
}
