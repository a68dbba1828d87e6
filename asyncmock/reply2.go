package asyncmock

import (
	"fmt"
	"slices"

	"github.com/telaio/telaio/asyncapi"
)

// replySubjectLocation reads the NATS reply subject of a request, which
// the responder sees as the reply_to pseudo-header.
var replySubjectLocation = func() *asyncapi.Location {
	l, err := asyncapi.ParseLocation("$message.header#/" + HeaderReplyTo)
	if err != nil {
		panic(err) // a constant expression
	}
	return l
}()

// reply2 derives the reply of a 2.x publish operation (one the application
// receives), as AsyncAPI 2.x has no reply object (see the package
// documentation, "AsyncAPI 2.x"):
//
//   - a subscribe operation on another channel whose messages carry their
//     correlation id where the request's messages do (the same location):
//     if exactly one channel has such operations, it is the reply channel
//     and the first such operation's messages are the replies;
//   - else the subscribe operation of the request's own channel: its
//     messages are the replies, sent only to a request's NATS reply
//     subject (replying on the request's channel would reach every
//     requester, requests included);
//   - else the operation is not answered.
//
// Errors wrap ErrNotServed.
func reply2(d *asyncapi.Document, op *asyncapi.Operation) (*asyncapi.Reply, error) {
	locs := map[string]bool{}
	for _, m := range op.Messages {
		if m.CorrelationID != nil && m.CorrelationID.Location != nil {
			locs[m.CorrelationID.Location.String()] = true
		}
	}
	var paired, own *asyncapi.Operation
	var pairedChans []string
	for _, o := range d.Operations() {
		if o.Action != asyncapi.ActionSend || o.Channel == nil {
			continue
		}
		if o.Channel == op.Channel {
			if own == nil {
				own = o
			}
			continue
		}
		for _, m := range o.Messages {
			if m.CorrelationID == nil || m.CorrelationID.Location == nil || !locs[m.CorrelationID.Location.String()] {
				continue
			}
			if paired == nil {
				paired = o
			}
			if !slices.Contains(pairedChans, o.Channel.Address) {
				pairedChans = append(pairedChans, o.Channel.Address)
			}
			break
		}
	}
	switch {
	case len(pairedChans) == 1:
		return &asyncapi.Reply{Channel: paired.Channel, Messages: paired.Messages}, nil
	case own != nil:
		return &asyncapi.Reply{Messages: own.Messages}, nil
	case len(pairedChans) > 1:
		return nil, fmt.Errorf("%w: AsyncAPI 2.x: several channels may carry the reply (%q), and the operation's channel has no subscribe operation", ErrNotServed, pairedChans)
	}
	return nil, fmt.Errorf("%w: AsyncAPI 2.x: no subscribe operation describes a reply (none on the operation's channel, none elsewhere with the request's correlationId location)", ErrNotServed)
}
