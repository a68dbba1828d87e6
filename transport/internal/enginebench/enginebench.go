// Package enginebench builds the engine side of the transports'
// BenchmarkEngineRoundTrip: an executor.Engine running a two-step Arazzo
// 1.1 workflow (send on a channel with header corr=$inputs.id, then
// receive on the same channel with correlationId $inputs.id) against a
// running broker, wrapped as a transporttest.Direct so that
// transporttest.BenchCompare can interleave it with the same round trip
// written with the client library.
//
//	run := enginebench.Engine(b, enginebench.Config{Driver: nats.Driver{}, Broker: br, Address: "bench.engine"})
//	transporttest.BenchCompare(b, "engine", run, "direct", direct)
//
// What one run does, which the library side must do too for a fair
// comparison: the engine's connection is dialed once and pooled; every run
// subscribes to the receive step's channel when the workflow starts (before
// the send), publishes with the driver's confirmation, waits for the
// correlated message and closes the subscription when the run ends.
package enginebench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/executor"
	"github.com/telaio/telaio/internal/brokertest"
	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/transporttest"
)

// Config says how to reach the broker and which channel to use.
type Config struct {
	Driver transport.Driver
	Broker *brokertest.Broker
	// Address is the channel's address.
	Address string
	// ProtocolVersion is the AsyncAPI server's protocolVersion ("5" for
	// MQTT 5, whose user properties carry the correlation header).
	ProtocolVersion string
	// Bindings is the channel's bindings object for the protocol, as
	// YAML flow (for example AMQP's exchange); empty for none.
	Bindings string
}

const arazzoDoc = `arazzo: 1.1.0
info: {title: Engine round trip, version: 1.0.0}
sourceDescriptions:
  - {name: bench, url: ./bench.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: roundTrip
    inputs:
      type: object
      required: [id]
      properties:
        id: {type: string}
    steps:
      - stepId: send
        operationId: $sourceDescriptions.bench.accept
        action: send
        parameters:
          - {name: ` + transporttest.CorrelationHeader + `, in: header, value: $inputs.id}
        requestBody:
          payload: {id: $inputs.id}
      - stepId: receive
        operationId: $sourceDescriptions.bench.emit
        action: receive
        correlationId: $inputs.id
`

// asyncAPIDoc is filled with the protocol, its version line, the security
// lines, the address and the channel's bindings.
const asyncAPIDoc = `asyncapi: 3.0.0
info: {title: Bench, version: 1.0.0}
servers:
  broker:
    host: "127.0.0.1:1"
    protocol: %s%s%s
channels:
  ping:
    address: %q
    messages:
      ping: {$ref: '#/components/messages/ping'}%s
operations:
  accept:
    action: receive
    channel: {$ref: '#/channels/ping'}
  emit:
    action: send
    channel: {$ref: '#/channels/ping'}
components:
  securitySchemes:
    user: {type: userPassword}
  messages:
    ping:
      contentType: application/json
      correlationId: {location: '$message.header#/` + transporttest.CorrelationHeader + `'}
      headers:
        type: object
        required: [` + transporttest.CorrelationHeader + `]
        properties: {` + transporttest.CorrelationHeader + `: {type: string}}
      payload:
        type: object
        required: [id]
        properties: {id: {type: string}}
`

// Engine compiles the workflow for cfg, with one Engine for the whole
// benchmark (closed by b.Cleanup), and returns one run of it as a Direct:
// it fails unless the run succeeded.
func Engine(b testing.TB, cfg Config) transporttest.Direct {
	b.Helper()
	br := cfg.Broker
	var version, security, bindings string
	if cfg.ProtocolVersion != "" {
		version = fmt.Sprintf("\n    protocolVersion: %q", cfg.ProtocolVersion)
	}
	opts := []executor.Option{executor.Validated(), executor.WithTransport(cfg.Driver), executor.WithServer("bench", br.URL.String())}
	if c := br.Credentials; c.Username != "" {
		security = "\n    security: [{$ref: '#/components/securitySchemes/user'}]"
		opts = append(opts, executor.WithAuth("user", c.Username+":"+c.Password))
	}
	if cfg.Bindings != "" {
		bindings = "\n    bindings:\n      " + br.Protocol + ": " + cfg.Bindings
	}
	fsys := fstest.MapFS{
		"bench.arazzo.yaml":   {Data: []byte(arazzoDoc)},
		"bench.asyncapi.yaml": {Data: fmt.Appendf(nil, asyncAPIDoc, br.Protocol, version, security, cfg.Address, bindings)},
	}
	doc, ds := arazzo.LoadFS(context.Background(), fsys, "bench.arazzo.yaml")
	if doc != nil {
		ds = append(ds, arazzo.Validate(doc)...)
	}
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	e, err := executor.New(doc, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	return func(ctx context.Context, id string) error {
		res, err := e.Run(ctx, "roundTrip", map[string]any{"id": id})
		if err != nil {
			return err
		}
		if !res.Success {
			var steps []string
			for _, s := range res.Steps {
				steps = append(steps, s.StepID+": "+s.Error)
			}
			return fmt.Errorf("run %s failed: %s", id, strings.Join(steps, "; "))
		}
		return nil
	}
}
