package asyncapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/telaio/telaio/diag"
	"github.com/telaio/telaio/internal/jsonptr"
)

// builder builds the model of a bundled document.
type builder struct {
	l *loader
	d *Document
	// msgs holds messages by declaration pointer, so that an operation's
	// messages are the very objects of its channel.
	msgs map[string]*Message
	// chanByPtr holds the root channels by declaration pointer.
	chanByPtr map[string]*Channel
	// serverByPtr holds the root servers by declaration pointer.
	serverByPtr map[string]*Server
	// schemeByTarget holds the components' security schemes by the pointer
	// of their object.
	schemeByTarget map[string]*SecurityScheme
	schemeByName   map[string]*SecurityScheme
	traited        map[string]bool
}

func newBuilder(l *loader, d *Document) *builder {
	return &builder{l: l, d: d, msgs: map[string]*Message{}, chanByPtr: map[string]*Channel{},
		serverByPtr: map[string]*Server{}, schemeByTarget: map[string]*SecurityScheme{},
		schemeByName: map[string]*SecurityScheme{}, traited: map[string]bool{}}
}

// object resolves v (found at ptr) to an object; ok is false when it does
// not resolve or is not an object.
func (b *builder) object(v any, ptr string) (map[string]any, string, bool) {
	t, tptr, ok := b.l.resolve(v, ptr)
	m, isMap := t.(map[string]any)
	return m, tptr, ok && isMap
}

// entries lists the members of the object at m[key] (found at ptr) in
// document order, with the object's pointer.
func (b *builder) entries(m map[string]any, ptr, key string) ([]string, map[string]any, string) {
	v, ok := m[key]
	if !ok {
		return nil, nil, ""
	}
	obj, optr, ok := b.object(v, child(ptr, key))
	if !ok {
		return nil, nil, ""
	}
	return b.l.files.keyOrder(optr, obj), obj, optr
}

// unchecked reports whether the JSON Schema did not check the object at a
// canonical pointer: it comes from another file, or validation is off.
func (b *builder) unchecked(ptr string) bool {
	return b.l.cfg.noValidate || strings.HasPrefix(ptr, "/"+filesKey+"/")
}

// header reads the document-level fields.
func (b *builder) header() {
	root := b.l.raw
	b.d.ID = str(root, "id")
	b.d.DefaultContentType = str(root, "defaultContentType")
	if info, ok := root["info"].(map[string]any); ok {
		b.d.Title = str(info, "title")
		b.d.APIVersion = str(info, "version")
	}
}

// securitySchemes reads components.securitySchemes.
func (b *builder) securitySchemes() {
	comps, _ := b.l.raw["components"].(map[string]any)
	keys, obj, optr := b.entries(comps, "/components", "securitySchemes")
	for _, name := range keys {
		decl := child(optr, name)
		m, target, ok := b.object(obj[name], decl)
		if !ok {
			continue
		}
		s := b.scheme(m, decl)
		s.Name = name
		b.d.SecuritySchemes = append(b.d.SecuritySchemes, s)
		b.schemeByTarget[target] = s
		b.schemeByName[name] = s
	}
}

func (b *builder) scheme(m map[string]any, ptr string) *SecurityScheme {
	s := &SecurityScheme{Pointer: ptr, Range: b.l.at(ptr)}
	s.Type = str(m, "type")
	s.Description = str(m, "description")
	s.In = str(m, "in")
	s.ParamName = str(m, "name")
	s.Scheme = str(m, "scheme")
	s.BearerFormat = str(m, "bearerFormat")
	s.OpenIDConnectURL = str(m, "openIdConnectUrl")
	s.Scopes = strs(m["scopes"])
	s.Flows = m["flows"]
	return s
}

// bindings resolves a bindings object; each protocol's binding is resolved
// too and kept raw.
func (b *builder) bindings(m map[string]any, ptr string) (map[string]any, string) {
	v, ok := m["bindings"]
	if !ok {
		return nil, ""
	}
	obj, optr, ok := b.object(v, child(ptr, "bindings"))
	if !ok {
		return nil, ""
	}
	out := make(map[string]any, len(obj))
	for proto, bv := range obj {
		if t, _, ok := b.l.resolve(bv, child(optr, proto)); ok {
			out[proto] = t
		}
	}
	return out, optr
}

// serverVariables reads a server's variables.
func (b *builder) serverVariables(m map[string]any, ptr string) map[string]*ServerVariable {
	keys, obj, optr := b.entries(m, ptr, "variables")
	if keys == nil {
		return nil
	}
	out := make(map[string]*ServerVariable, len(keys))
	for _, name := range keys {
		decl := child(optr, name)
		vm, vtarget, ok := b.object(obj[name], decl)
		if !ok {
			continue
		}
		v := &ServerVariable{defaultPtr: child(vtarget, "default"), Name: name, Pointer: decl, Description: str(vm, "description"), Enum: strs(vm["enum"]), Examples: strs(vm["examples"])}
		v.Default, v.HasDefault = vm["default"].(string)
		out[name] = v
	}
	return out
}

// field is a templated field of an object: its name and text.
type field struct{ name, text string }

// checkServer checks the {variables} of a server's templates: host and
// pathname (3.x) or url (2.x) of the server object at target.
func (b *builder) checkServer(s *Server, target string, templates ...field) {
	used := map[string]bool{}
	broken := false
	for _, f := range templates {
		if f.text == "" {
			continue
		}
		names, err := TemplateNames(f.text)
		at := b.l.at(child(target, f.name))
		if err != nil {
			b.l.errorf(at, CodeServerVariable, "server %q: %s: %v", s.Name, f.name, err)
			broken = true
			continue
		}
		for _, n := range names {
			used[n] = true
			if s.Variables[n] == nil {
				b.l.errorf(at, CodeServerVariable, "server %q: {%s} is not among the server's variables", s.Name, n)
			}
		}
	}
	for _, name := range sortedKeys(s.Variables) {
		v := s.Variables[name]
		if v.HasDefault && len(v.Enum) > 0 && !slices.Contains(v.Enum, v.Default) {
			b.l.errorf(b.l.at(v.defaultPtr), CodeServerVariable, "server %q: the default of variable %q is not one of its enum values", s.Name, name)
		}
		if !used[name] && !broken {
			b.l.warnf(b.l.at(v.Pointer), CodeServerVariable, "server %q: variable %q is not used", s.Name, name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := keysOf(m)
	slices.Sort(out)
	return out
}

// location parses a runtime expression field, reporting an error at it.
func (b *builder) location(m map[string]any, ptr, what string) *Location {
	s, ok := m["location"].(string)
	if !ok {
		return nil
	}
	loc, err := ParseLocation(s)
	if err != nil {
		b.l.errorf(b.l.at(child(ptr, "location")), CodeInvalidLocation, "%s: %v", what, err)
		return nil
	}
	return loc
}

// correlationID reads a message's correlationId.
func (b *builder) correlationID(m map[string]any, ptr, what string) *CorrelationID {
	v, ok := m["correlationId"]
	if !ok {
		return nil
	}
	cm, cptr, ok := b.object(v, child(ptr, "correlationId"))
	if !ok {
		return nil
	}
	return &CorrelationID{Description: str(cm, "description"), Pointer: cptr, Range: b.l.at(cptr),
		Location: b.location(cm, cptr, what+": correlationId.location")}
}

// schemaAt describes the schema of a message field (headers or payload):
// the value as resolved, its pointer, and the schemaFormat of a 3.x Multi
// Format Schema Object.
func (b *builder) schemaAt(m map[string]any, ptr, field string) (any, string, string) {
	v, ok := m[field]
	if !ok {
		return nil, "", ""
	}
	fptr := child(ptr, field)
	t, tptr, ok := b.l.resolve(v, fptr)
	if !ok {
		return v, fptr, ""
	}
	if tm, isMap := t.(map[string]any); isMap && b.d.Major == 3 {
		if format, ok := tm["schemaFormat"].(string); ok {
			if s, ok := tm["schema"]; ok {
				sptr := child(tptr, "schema")
				if st, stptr, ok := b.l.resolve(s, sptr); ok {
					return st, stptr, format
				}
				return s, sptr, format
			}
		}
	}
	return t, tptr, ""
}

// message builds (once) the message declared at decl, whose value is v.
// id is the message's key, when it has one.
func (b *builder) message(v any, decl, id string) *Message {
	if msg, ok := b.msgs[decl]; ok {
		return msg
	}
	m, target, ok := b.object(v, decl)
	if !ok {
		return nil
	}
	m = b.applyTraits(m, target)
	msg := &Message{ID: id, Pointer: decl, Target: target, Range: b.l.at(decl)}
	b.msgs[decl] = msg
	msg.Name = str(m, "name")
	msg.Title = str(m, "title")
	msg.Summary = str(m, "summary")
	msg.Description = str(m, "description")
	msg.ContentType = str(m, "contentType")
	if msg.ContentType == "" {
		msg.ContentType = b.d.DefaultContentType
	}
	msg.Headers, msg.HeadersPointer, msg.HeadersSchemaFormat = b.schemaAt(m, target, "headers")
	msg.Payload, msg.PayloadPointer, msg.SchemaFormat = b.schemaAt(m, target, "payload")
	if b.d.Major == 2 {
		msg.SchemaFormat = str(m, "schemaFormat")
		if msg.ID == "" {
			msg.ID = str(m, "messageId")
		}
		if msg.ID == "" {
			if k, ok := strings.CutPrefix(target, "/components/messages/"); ok && !strings.Contains(k, "/") {
				msg.ID = unescape(k)
			}
		}
		if msg.ID == "" {
			msg.ID = msg.Name
		}
	}
	what := "message"
	if msg.ID != "" {
		what = fmt.Sprintf("message %q", msg.ID)
	}
	msg.CorrelationID = b.correlationID(m, target, what)
	msg.Bindings, msg.BindingsPointer = b.bindings(m, target)
	return msg
}

func unescape(tok string) string {
	p, err := jsonptr.Parse("/" + tok)
	if err != nil || len(p) != 1 {
		return tok
	}
	return p[0]
}

// componentMessages reads components.messages.
func (b *builder) componentMessages() {
	comps, _ := b.l.raw["components"].(map[string]any)
	keys, obj, optr := b.entries(comps, "/components", "messages")
	for _, k := range keys {
		if msg := b.message(obj[k], child(optr, k), k); msg != nil {
			b.d.Messages = append(b.d.Messages, msg)
		}
	}
}

// checkAddress checks the {parameters} of a channel address, written at
// addrAt.
func (b *builder) checkAddress(c *Channel, addrAt diag.Range) {
	used := map[string]bool{}
	broken := false
	if c.Address != "" {
		names, err := TemplateNames(c.Address)
		if err != nil {
			b.l.errorf(addrAt, CodeChannelParameter, "channel %q: the address: %v", c.Key, err)
			broken = true
		}
		for _, n := range names {
			used[n] = true
			if c.Parameter(n) == nil {
				b.l.errorf(addrAt, CodeChannelParameter, "channel %q: the address parameter {%s} is not declared in the channel's parameters", c.Key, n)
			}
		}
	}
	for _, p := range c.Parameters {
		if p.HasDefault && len(p.Enum) > 0 && !slices.Contains(p.Enum, p.Default) {
			b.l.errorf(b.l.at(p.defaultPtr), CodeChannelParameter, "channel %q: the default of parameter %q is not one of its enum values", c.Key, p.Name)
		}
		if c.Address != "" && !used[p.Name] && !broken {
			b.l.warnf(p.Range, CodeChannelParameter, "channel %q: parameter %q is not used in the address", c.Key, p.Name)
		}
	}
}

// security3 reads a 3.x security list: Security Scheme Objects or $refs to
// them.
func (b *builder) security3(m map[string]any, ptr string) []SecurityRequirement {
	list, ok := m["security"].([]any)
	if !ok {
		return nil
	}
	out := make([]SecurityRequirement, 0, len(list))
	for i, item := range list {
		iptr := fmt.Sprintf("%s/security/%d", ptr, i)
		sm, target, ok := b.object(item, iptr)
		if !ok {
			continue
		}
		s := b.schemeByTarget[target]
		if s == nil {
			s = b.scheme(sm, target)
		}
		out = append(out, SecurityRequirement{Schemes: []*SecurityScheme{s}, Scopes: [][]string{s.Scopes}})
	}
	return out
}

// build3 builds the model of a 3.x document.
func (b *builder) build3() {
	b.header()
	b.securitySchemes()
	b.servers3()
	b.componentMessages()
	b.channels3()
	b.operations3()
}

func (b *builder) servers3() {
	keys, obj, optr := b.entries(b.l.raw, "", "servers")
	for _, name := range keys {
		decl := child(optr, name)
		m, target, ok := b.object(obj[name], decl)
		if !ok {
			continue
		}
		s := &Server{Name: name, Pointer: decl, Range: b.l.at(decl)}
		s.Protocol = str(m, "protocol")
		s.ProtocolVersion = str(m, "protocolVersion")
		s.Host = str(m, "host")
		s.Pathname = str(m, "pathname")
		s.Title = str(m, "title")
		s.Summary = str(m, "summary")
		s.Description = str(m, "description")
		s.Variables = b.serverVariables(m, target)
		s.Security = b.security3(m, target)
		s.Bindings, s.BindingsPointer = b.bindings(m, target)
		b.checkServer(s, target, field{"host", s.Host}, field{"pathname", s.Pathname})
		b.d.Servers = append(b.d.Servers, s)
		b.serverByPtr[decl] = s
	}
}

func (b *builder) channels3() {
	keys, obj, optr := b.entries(b.l.raw, "", "channels")
	for _, key := range keys {
		decl := child(optr, key)
		m, target, ok := b.object(obj[key], decl)
		if !ok {
			continue
		}
		c := &Channel{Key: key, Pointer: decl, Target: target, Range: b.l.at(decl), doc: b.d}
		c.Address = str(m, "address")
		c.Title = str(m, "title")
		c.Summary = str(m, "summary")
		c.Description = str(m, "description")
		mkeys, mobj, mptr := b.entries(m, target, "messages")
		for _, id := range mkeys {
			if msg := b.message(mobj[id], child(mptr, id), id); msg != nil {
				c.Messages = append(c.Messages, msg)
			}
		}
		pkeys, pobj, pptr := b.entries(m, target, "parameters")
		for _, name := range pkeys {
			pdecl := child(pptr, name)
			pm, ptarget, ok := b.object(pobj[name], pdecl)
			if !ok {
				continue
			}
			p := &Parameter{Name: name, Pointer: pdecl, Range: b.l.at(pdecl), Description: str(pm, "description"),
				Enum: strs(pm["enum"]), Examples: strs(pm["examples"])}
			p.Default, p.HasDefault = pm["default"].(string)
			p.defaultPtr = child(ptarget, "default")
			p.Location = b.location(pm, ptarget, fmt.Sprintf("channel %q: parameter %q: location", key, name))
			c.Parameters = append(c.Parameters, p)
		}
		if list, ok := m["servers"].([]any); ok {
			for i, item := range list {
				c.Servers = append(c.Servers, b.serverRef3(item, fmt.Sprintf("%s/servers/%d", target, i), key)...)
			}
		}
		c.Bindings, c.BindingsPointer = b.bindings(m, target)
		b.checkAddress(c, b.l.at(child(target, "address")))
		b.d.Channels = append(b.d.Channels, c)
		b.chanByPtr[decl] = c
		b.d.chanByKey[key] = c
	}
}

// serverRef3 resolves one entry of a 3.x channel's servers list: a $ref to
// a root server.
func (b *builder) serverRef3(item any, ptr, channel string) []*Server {
	m, _ := item.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok {
		return nil // not a $ref: the schema reports it
	}
	_, canon, ok := b.l.resolveRef(ref, ptr)
	if !ok {
		return nil
	}
	if s := b.serverByPtr[canon]; s != nil {
		return []*Server{s}
	}
	b.l.errorf(b.l.at(ptr+"/$ref"), CodeChannelServer, "channel %q: $ref %q is not a server of the root servers object", channel, b.l.refText(ptr))
	return nil
}

// channelRef resolves the channel $ref of an operation or reply to a root
// channel. A $ref to the same Channel Object reached another way (e.g.
// "#/components/channels/x", which one root channel references) is
// accepted with a warning.
func (b *builder) channelRef(v any, ptr, what string) *Channel {
	m, _ := v.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok {
		return nil // not a $ref: the schema reports it
	}
	val, canon, ok := b.l.resolveRef(ref, ptr)
	if !ok {
		return nil
	}
	if c := b.chanByPtr[canon]; c != nil {
		return c
	}
	at := b.l.at(ptr + "/$ref")
	if _, target, ok := b.l.resolve(val, canon); ok {
		var same []*Channel
		for _, c := range b.d.Channels {
			if c.Target == target {
				same = append(same, c)
			}
		}
		if len(same) == 1 {
			b.l.warnf(at, CodeOperationChannel, "%s: $ref %q should point to the root channel %q (%s)", what, b.l.refText(ptr), same[0].Key, "#"+same[0].Pointer)
			return same[0]
		}
	}
	b.l.errorf(at, CodeOperationChannel, "%s: $ref %q does not point to a channel of the root channels object", what, b.l.refText(ptr))
	return nil
}

// messageRefs resolves the messages list of an operation or reply against
// its channel: each $ref must point to one of the channel's messages. A
// $ref to the same Message Object reached another way (e.g.
// "#/components/messages/x" when the channel's message references it) is
// accepted with a warning. Without a list, the channel's messages apply.
func (b *builder) messageRefs(m map[string]any, ptr string, c *Channel, what string) []*Message {
	list, ok := m["messages"].([]any)
	if !ok {
		if c == nil {
			return nil
		}
		return c.Messages
	}
	out := make([]*Message, 0, len(list))
	for i, item := range list {
		iptr := fmt.Sprintf("%s/messages/%d", ptr, i)
		im, _ := item.(map[string]any)
		ref, ok := im["$ref"].(string)
		if !ok {
			continue // not a $ref: the schema reports it
		}
		val, canon, ok := b.l.resolveRef(ref, iptr)
		if !ok {
			continue
		}
		if c == nil {
			// A reply with an address and no channel: nothing to check
			// the messages against.
			if msg := b.message(val, canon, lastToken(canon)); msg != nil {
				out = append(out, msg)
			}
			continue
		}
		var found *Message
		for _, msg := range c.Messages {
			if msg.Pointer == canon {
				found = msg
				break
			}
		}
		at := b.l.at(iptr + "/$ref")
		if found == nil {
			if _, target, ok := b.l.resolve(val, canon); ok {
				var same []*Message
				for _, msg := range c.Messages {
					if msg.Target == target {
						same = append(same, msg)
					}
				}
				if len(same) == 1 {
					found = same[0]
					b.l.warnf(at, CodeOperationMessage, "%s: $ref %q should point to the message of channel %q it stands for (%s)", what, b.l.refText(iptr), c.Key, "#"+found.Pointer)
				}
			}
		}
		if found == nil {
			b.l.errorf(at, CodeOperationMessage, "%s: $ref %q is not one of the messages of channel %q", what, b.l.refText(iptr), c.Key)
			continue
		}
		out = append(out, found)
	}
	return out
}

func (b *builder) operations3() {
	keys, obj, optr := b.entries(b.l.raw, "", "operations")
	for _, id := range keys {
		decl := child(optr, id)
		m, target, ok := b.object(obj[id], decl)
		if !ok {
			continue
		}
		m = b.applyTraits(m, target)
		op := &Operation{ID: id, Pointer: decl, Target: target, Range: b.l.at(decl)}
		op.Action = str(m, "action")
		op.Title = str(m, "title")
		op.Summary = str(m, "summary")
		op.Description = str(m, "description")
		what := fmt.Sprintf("operation %q", id)
		if op.Action != ActionSend && op.Action != ActionReceive && b.unchecked(target) {
			b.l.errorf(b.l.at(target), CodeInvalidObject, `%s: the action must be "send" or "receive"`, what)
		}
		if cv, ok := m["channel"]; ok {
			op.Channel = b.channelRef(cv, child(target, "channel"), what)
		} else if b.unchecked(target) {
			b.l.errorf(b.l.at(target), CodeOperationChannel, "%s has no channel", what)
		}
		op.Messages = b.messageRefs(m, target, op.Channel, what)
		if rv, ok := m["reply"]; ok {
			op.Reply = b.reply(rv, child(target, "reply"), what+": reply")
		}
		op.Security = b.security3(m, target)
		op.Bindings, op.BindingsPointer = b.bindings(m, target)
		b.d.ops = append(b.d.ops, op)
		b.d.opsByID[id] = op
		b.d.opsByPtr[decl] = op
	}
}

func (b *builder) reply(v any, ptr, what string) *Reply {
	m, target, ok := b.object(v, ptr)
	if !ok {
		return nil
	}
	r := &Reply{Pointer: target, Range: b.l.at(target)}
	if av, ok := m["address"]; ok {
		if am, aptr, ok := b.object(av, child(target, "address")); ok {
			r.AddressDescription = str(am, "description")
			r.AddressLocation = b.location(am, aptr, what+": address.location")
		}
	}
	if cv, ok := m["channel"]; ok {
		r.Channel = b.channelRef(cv, child(target, "channel"), what)
	}
	r.Messages = b.messageRefs(m, target, r.Channel, what)
	return r
}

// lastToken is the last reference token of a pointer, unescaped.
func lastToken(ptr string) string {
	p, err := jsonptr.Parse(ptr)
	if err != nil || len(p) == 0 {
		return ""
	}
	return p[len(p)-1]
}
