package amqp

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/telaio/telaio/transport"
	"github.com/telaio/telaio/transport/internal/drv"
)

// Pseudo-headers: AMQP 0-9-1 basic properties under their AMQP names. On
// receive they hold the property when it is set (and win over an
// application header of the same name); on publish they set the property
// and are not put in the headers table.
const (
	HeaderContentType     = "content_type"
	HeaderContentEncoding = "content_encoding"
	HeaderCorrelationID   = "correlation_id"
	HeaderReplyTo         = "reply_to"
	HeaderExpiration      = "expiration" // milliseconds, as a decimal string
	HeaderMessageID       = "message_id"
	HeaderTimestamp       = "timestamp" // Unix seconds, as a decimal string
	HeaderType            = "type"
	HeaderUserID          = "user_id"
	HeaderAppID           = "app_id"
	HeaderPriority        = "priority"      // 0 to 255
	HeaderDeliveryMode    = "delivery_mode" // 1 (transient) or 2 (persistent)
)

// route is where a channel's messages go and come from.
type route struct {
	exchange string // publish to; "" is the default exchange
	key      string // routing key to publish with, and to bind with
	// queue, when not empty, is consumed directly (is: queue, or no
	// exchange); otherwise a server-named exclusive auto-delete queue is
	// bound to exchange with key.
	queue                          string
	durable, autoDelete, exclusive bool
}

// resolve reads the AMQP channel binding of ch.
func resolve(ch transport.Channel) (route, error) {
	b := ch.Bindings
	is, _, err := drv.String(b, "is")
	if err != nil {
		return route{}, err
	}
	if is != "" && is != "routingKey" && is != "queue" {
		return route{}, fmt.Errorf("%w: is is %q, want routingKey or queue", transport.ErrBinding, is)
	}
	ex, _, err := drv.Map(b, "exchange")
	if err != nil {
		return route{}, err
	}
	exName, _, err := drv.String(ex, "name")
	if err != nil {
		return route{}, fmt.Errorf("exchange: %w", err)
	}
	q, _, err := drv.Map(b, "queue")
	if err != nil {
		return route{}, err
	}
	qName, _, err := drv.String(q, "name")
	if err != nil {
		return route{}, fmt.Errorf("queue: %w", err)
	}
	if is != "queue" && exName != "" {
		return route{exchange: exName, key: ch.Address}, nil
	}
	r := route{queue: qName}
	if r.queue == "" {
		r.queue = ch.Address
	}
	if r.queue == "" {
		return route{}, fmt.Errorf("%w: empty queue name", transport.ErrBinding)
	}
	r.key = r.queue
	for _, f := range []struct {
		name string
		v    *bool
	}{{"durable", &r.durable}, {"autoDelete", &r.autoDelete}, {"exclusive", &r.exclusive}} {
		if *f.v, _, err = drv.Bool(q, f.name); err != nil {
			return route{}, fmt.Errorf("queue: %w", err)
		}
	}
	return r, nil
}

// arm prepares what ach consumes and returns the queue name: a new
// server-named queue bound to the exchange, or the named queue, declared
// with the binding's flags when it does not exist yet.
func (r route) arm(c *conn, ach *amqp091.Channel) (string, error) {
	if r.queue == "" {
		q, err := ach.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			return "", err
		}
		if err := ach.QueueBind(q.Name, r.key, r.exchange, false, nil); err != nil {
			return "", err
		}
		return q.Name, nil
	}
	// A failed passive declare closes its channel: use a throwaway one.
	probe, err := c.ac.Channel()
	if err != nil {
		return "", err
	}
	_, err = probe.QueueDeclarePassive(r.queue, false, false, false, false, nil)
	_ = probe.Close()
	if err == nil {
		return r.queue, nil
	}
	if e, ok := err.(*amqp091.Error); !ok || e.Code != amqp091.NotFound {
		return "", err
	}
	if _, err := ach.QueueDeclare(r.queue, r.durable, r.autoDelete, r.exclusive, false, nil); err != nil {
		return "", err
	}
	return r.queue, nil
}

// publishing builds the AMQP message for m: operation bindings first, then
// message bindings, then Message.ContentType, then pseudo-headers.
func publishing(m *transport.Message) (amqp091.Publishing, bool, error) {
	p := amqp091.Publishing{Body: m.Payload}
	b := m.Channel.Bindings
	var err error
	if ms, ok, err := drv.Int(b, "expiration", 0, 1<<53); err != nil {
		return p, false, err
	} else if ok {
		p.Expiration = strconv.FormatInt(ms, 10)
	}
	if p.UserId, _, err = drv.String(b, "userId"); err != nil {
		return p, false, err
	}
	if n, ok, err := drv.Int(b, "priority", 0, 255); err != nil {
		return p, false, err
	} else if ok {
		p.Priority = uint8(n)
	}
	if n, ok, err := drv.Int(b, "deliveryMode", 1, 2); err != nil {
		return p, false, err
	} else if ok {
		p.DeliveryMode = uint8(n)
	}
	mandatory, _, err := drv.Bool(b, "mandatory")
	if err != nil {
		return p, false, err
	}
	if ts, _, err := drv.Bool(b, "timestamp"); err != nil {
		return p, false, err
	} else if ts {
		p.Timestamp = time.Now()
	}
	for _, f := range []string{"cc", "bcc"} {
		raw, ok := b[f]
		if !ok || raw == nil {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			return p, false, fmt.Errorf("%w: %s is not an array", transport.ErrBinding, f)
		}
		if p.Headers == nil {
			p.Headers = amqp091.Table{}
		}
		p.Headers[strings.ToUpper(f)] = list // RabbitMQ's sender-selected distribution
	}
	if p.ContentEncoding, _, err = drv.String(m.Bindings, "contentEncoding"); err != nil {
		return p, false, err
	}
	if p.Type, _, err = drv.String(m.Bindings, "messageType"); err != nil {
		return p, false, err
	}
	if m.ContentType != "" {
		p.ContentType = m.ContentType
	}
	for k, v := range m.Headers {
		if err := setProperty(&p, k, v); err != nil {
			return p, false, err
		}
	}
	return p, mandatory, nil
}

func setProperty(p *amqp091.Publishing, k, v string) error {
	switch k {
	case HeaderContentType:
		p.ContentType = v
	case HeaderContentEncoding:
		p.ContentEncoding = v
	case HeaderCorrelationID:
		p.CorrelationId = v
	case HeaderReplyTo:
		p.ReplyTo = v
	case HeaderExpiration:
		if _, err := strconv.ParseUint(v, 10, 63); err != nil {
			return fmt.Errorf("header %s: %q is not a number of milliseconds", k, v)
		}
		p.Expiration = v
	case HeaderMessageID:
		p.MessageId = v
	case HeaderTimestamp:
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			p.Timestamp = time.Unix(s, 0)
		} else if t, err := time.Parse(time.RFC3339, v); err == nil {
			p.Timestamp = t
		} else {
			return fmt.Errorf("header %s: %q is neither Unix seconds nor RFC 3339", k, v)
		}
	case HeaderType:
		p.Type = v
	case HeaderUserID:
		p.UserId = v
	case HeaderAppID:
		p.AppId = v
	case HeaderPriority:
		n, err := strconv.ParseUint(v, 10, 8)
		if err != nil {
			return fmt.Errorf("header %s: %q is not 0 to 255", k, v)
		}
		p.Priority = uint8(n)
	case HeaderDeliveryMode:
		n, err := strconv.ParseUint(v, 10, 8)
		if err != nil || (n != 1 && n != 2) {
			return fmt.Errorf("header %s: %q is not 1 or 2", k, v)
		}
		p.DeliveryMode = uint8(n)
	default:
		if p.Headers == nil {
			p.Headers = amqp091.Table{}
		}
		p.Headers[k] = v
	}
	return nil
}

// delivery converts a received message: the headers table (values as
// strings), then the set properties as pseudo-headers.
func delivery(d amqp091.Delivery, bindings map[string]any) *transport.Delivery {
	out := &transport.Delivery{
		Message: transport.Message{
			Channel:     transport.Channel{Address: d.RoutingKey, Bindings: bindings},
			Payload:     d.Body,
			ContentType: d.ContentType,
		},
		Partition: -1,
		Offset:    -1,
		ID:        strconv.FormatUint(d.DeliveryTag, 10),
		Received:  time.Now(),
	}
	h := make(map[string]string, len(d.Headers)+4)
	for k, v := range d.Headers {
		h[k] = stringify(v)
	}
	set := func(k, v string) {
		if v != "" {
			h[k] = v
		}
	}
	set(HeaderContentType, d.ContentType)
	set(HeaderContentEncoding, d.ContentEncoding)
	set(HeaderCorrelationID, d.CorrelationId)
	set(HeaderReplyTo, d.ReplyTo)
	set(HeaderExpiration, d.Expiration)
	set(HeaderMessageID, d.MessageId)
	if !d.Timestamp.IsZero() {
		set(HeaderTimestamp, strconv.FormatInt(d.Timestamp.Unix(), 10))
	}
	set(HeaderType, d.Type)
	set(HeaderUserID, d.UserId)
	set(HeaderAppID, d.AppId)
	if d.Priority != 0 {
		set(HeaderPriority, strconv.Itoa(int(d.Priority)))
	}
	if d.DeliveryMode != 0 {
		set(HeaderDeliveryMode, strconv.Itoa(int(d.DeliveryMode)))
	}
	if len(h) > 0 {
		out.Headers = h
	}
	return out
}

// stringify renders a header table value: strings and byte strings as they
// are, numbers and booleans in Go syntax, times in RFC 3339, tables and
// arrays as JSON.
func stringify(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case nil:
		return ""
	case amqp091.Table, []any:
		b, err := json.Marshal(jsonable(x))
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

func jsonable(v any) any {
	switch x := v.(type) {
	case amqp091.Table:
		m := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m[k] = jsonable(x[k])
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case []byte:
		return string(x)
	case amqp091.Decimal:
		return fmt.Sprint(x)
	}
	return v
}
