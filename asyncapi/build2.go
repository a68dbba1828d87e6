package asyncapi

import (
	"fmt"
	"strings"
)

// build2 builds the model of a 2.x document, normalised into the 3.0 shape:
// a channel's key is its address; its publish operation is the
// application receiving (Action "receive") and its subscribe operation the
// application sending ("send"); message.oneOf becomes a list; a server's
// url is split into host and pathname; security requirement maps name
// components.securitySchemes.
func (b *builder) build2() {
	b.header()
	b.securitySchemes()
	b.servers2()
	b.componentMessages()
	b.channels2()
}

// splitURL splits a 2.x server url into host (with port) and pathname,
// dropping any scheme.
func splitURL(u string) (host, pathname string) {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		u = rest
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		return u[:i], u[i:]
	}
	return u, ""
}

func (b *builder) servers2() {
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
		url := str(m, "url")
		s.Host, s.Pathname = splitURL(url)
		s.Description = str(m, "description")
		s.Variables = b.serverVariables(m, target)
		s.Security = b.security2(m, target)
		s.Bindings, s.BindingsPointer = b.bindings(m, target)
		b.checkServer(s, target, field{"url", url})
		b.d.Servers = append(b.d.Servers, s)
		b.serverByPtr[decl] = s
	}
}

// security2 reads a 2.x security list: requirement maps from scheme names
// (in components.securitySchemes) to scopes.
func (b *builder) security2(m map[string]any, ptr string) []SecurityRequirement {
	list, ok := m["security"].([]any)
	if !ok {
		return nil
	}
	out := make([]SecurityRequirement, 0, len(list))
	for i, item := range list {
		iptr := fmt.Sprintf("%s/security/%d", ptr, i)
		req, ok := item.(map[string]any)
		if !ok {
			continue
		}
		var r SecurityRequirement
		for _, name := range b.l.files.keyOrder(iptr, req) {
			s := b.schemeByName[name]
			if s == nil {
				b.l.errorf(b.l.files.keyRange(iptr, name), CodeSecurity, "security requirement names %q, which is not in components.securitySchemes", name)
				continue
			}
			r.Schemes = append(r.Schemes, s)
			r.Scopes = append(r.Scopes, strs(req[name]))
		}
		out = append(out, r)
	}
	return out
}

func (b *builder) channels2() {
	keys, obj, optr := b.entries(b.l.raw, "", "channels")
	for _, key := range keys {
		decl := child(optr, key)
		m, target, ok := b.object(obj[key], decl)
		if !ok {
			continue
		}
		c := &Channel{Key: key, Address: key, Pointer: decl, Target: target, Range: b.l.at(decl), doc: b.d}
		c.Description = str(m, "description")
		pkeys, pobj, pptr := b.entries(m, target, "parameters")
		for _, name := range pkeys {
			pdecl := child(pptr, name)
			pm, ptarget, ok := b.object(pobj[name], pdecl)
			if !ok {
				continue
			}
			p := &Parameter{Name: name, Pointer: pdecl, Range: b.l.at(pdecl), Description: str(pm, "description")}
			if _, ok := pm["schema"]; ok {
				p.Schema, p.SchemaPointer, _ = b.schemaAt(pm, ptarget, "schema")
				if sm, ok := p.Schema.(map[string]any); ok {
					p.Default, p.HasDefault = scalarString(sm["default"])
					p.defaultPtr = child(p.SchemaPointer, "default")
					for _, e := range asList(sm["enum"]) {
						if s, ok := scalarString(e); ok {
							p.Enum = append(p.Enum, s)
						}
					}
				}
			}
			p.Location = b.location(pm, ptarget, fmt.Sprintf("channel %q: parameter %q: location", key, name))
			c.Parameters = append(c.Parameters, p)
		}
		for i, name := range asList(m["servers"]) {
			n, _ := name.(string)
			s := b.serverByPtr[child("/servers", n)]
			if s == nil {
				b.l.errorf(b.l.at(fmt.Sprintf("%s/servers/%d", target, i)), CodeChannelServer, "channel %q: server %q is not in the servers object", key, n)
				continue
			}
			c.Servers = append(c.Servers, s)
		}
		c.Bindings, c.BindingsPointer = b.bindings(m, target)
		b.checkAddress(c, b.l.files.keyRange(optr, key))
		b.d.Channels = append(b.d.Channels, c)
		b.chanByPtr[decl] = c
		b.d.chanByKey[key] = c
		for _, verb := range b.l.files.keyOrder(target, m) {
			if verb == "publish" || verb == "subscribe" {
				b.operation2(m[verb], child(decl, verb), child(target, verb), verb, c)
			}
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// operation2 builds a 2.x publish or subscribe operation of channel c,
// declared at decl (canonically at ptr).
func (b *builder) operation2(v any, decl, ptr, verb string, c *Channel) {
	m, target, ok := b.object(v, ptr)
	if !ok {
		return
	}
	m = b.applyTraits(m, target)
	op := &Operation{Pointer: decl, Target: target, Range: b.l.at(target), Channel: c}
	op.ID = str(m, "operationId")
	op.Action = ActionReceive // publish: the application receives
	if verb == "subscribe" {
		op.Action = ActionSend
	}
	op.Summary = str(m, "summary")
	op.Description = str(m, "description")
	if mv, ok := m["message"]; ok {
		mptr := child(target, "message")
		wrapper, wptr, ok := b.object(mv, mptr)
		if list, isList := wrapper["oneOf"].([]any); ok && isList {
			for i, item := range list {
				if msg := b.message(item, fmt.Sprintf("%s/oneOf/%d", wptr, i), ""); msg != nil {
					op.Messages = append(op.Messages, msg)
				}
			}
		} else if msg := b.message(mv, mptr, ""); msg != nil {
			op.Messages = append(op.Messages, msg)
		}
	}
	c.Messages = append(c.Messages, op.Messages...)
	op.Security = b.security2(m, target)
	op.Bindings, op.BindingsPointer = b.bindings(m, target)
	if op.ID != "" {
		if first, dup := b.d.opsByID[op.ID]; dup {
			b.l.errorf(b.l.at(child(target, "operationId")), CodeDuplicateOperationID, "operationId %q is already used by the operation at %s", op.ID, first.Range)
		} else {
			b.d.opsByID[op.ID] = op
		}
	}
	b.d.ops = append(b.d.ops, op)
	b.d.opsByPtr[decl] = op
	b.d.opsByPtr[target] = op
}
