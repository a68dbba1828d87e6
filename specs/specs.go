// Package specs embeds the bundled fixture documents: the Stytch B2B
// workflows and the OpenAPI description they reference, byte for byte as
// published, and the pet order example of Arazzo 1.1 (an AsyncAPI 3.0
// description and a workflow that sends an order and receives its
// correlated confirmation). FS keeps their layout, so the workflows'
// relative urls (../openapi/stytch-b2b-openapi.yml,
// ../asyncapi/pet-order.asyncapi.yaml) resolve inside it:
//
//	doc, diags := arazzo.LoadFS(ctx, specs.FS, specs.StytchSMSOTP)
package specs

import "embed"

//go:embed stytch petorder
var FS embed.FS

// Paths of the bundled documents inside FS.
const (
	StytchSMSOTP  = "stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml"
	StytchTOTP    = "stytch/arazzo/stytch-b2b-totp-enrollment-workflow.yml"
	StytchOpenAPI = "stytch/openapi/stytch-b2b-openapi.yml"
)

// Workflows lists the bundled Arazzo documents (a new slice each call).
func Workflows() []string { return []string{StytchSMSOTP, StytchTOTP} }

// Paths of the bundled Arazzo 1.1 example inside FS: the specification's
// AsyncAPI example as published (pet-asyncapi.yaml) and a workflow for it,
// purchasePet, which sends an order to operation placeOrder and receives
// that operation's reply (confirm-order) carrying the same orderRequestId
// header. Its inputs
// have defaults, and `telaio run --mock` runs it against package
// asyncmock's broker.
const (
	PetOrderArazzo   = "petorder/arazzo/pet-order.arazzo.yaml"
	PetOrderAsyncAPI = "petorder/asyncapi/pet-order.asyncapi.yaml"
)

// AsyncWorkflows lists the bundled Arazzo documents whose workflows send
// and receive messages (a new slice each call).
func AsyncWorkflows() []string { return []string{PetOrderArazzo} }
