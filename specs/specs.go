// Package specs embeds the bundled fixture documents: the Stytch B2B
// workflows and the OpenAPI description they reference, byte for byte as
// published. FS keeps their layout, so the workflows' relative url
// ../openapi/stytch-b2b-openapi.yml resolves inside it:
//
//	doc, diags := arazzo.LoadFS(ctx, specs.FS, specs.StytchSMSOTP)
package specs

import "embed"

//go:embed stytch
var FS embed.FS

// Paths of the bundled documents inside FS.
const (
	StytchSMSOTP  = "stytch/arazzo/stytch-b2b-sms-otp-mfa-workflow.yml"
	StytchTOTP    = "stytch/arazzo/stytch-b2b-totp-enrollment-workflow.yml"
	StytchOpenAPI = "stytch/openapi/stytch-b2b-openapi.yml"
)

// Workflows lists the bundled Arazzo documents (a new slice each call).
func Workflows() []string { return []string{StytchSMSOTP, StytchTOTP} }
