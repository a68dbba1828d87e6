package mqtt

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/eclipse/paho.golang/packets"
	paho5 "github.com/eclipse/paho.golang/paho"

	"github.com/telaio/telaio/transport"
)

// client5 is MQTT 5 over paho.golang.
type client5 struct {
	cl *paho5.Client
	c  *conn
}

// MQTT 5 reason codes of a refused CONNECT that mean bad credentials.
const (
	rcBadUserNameOrPassword = 0x86
	rcNotAuthorized         = 0x87
	rcBadAuthMethod         = 0x8C
)

func dial5(ctx context.Context, cfg dialConfig, c *conn) (client, error) {
	var nc net.Conn
	var err error
	if cfg.tls != nil {
		d := tls.Dialer{Config: cfg.tls}
		nc, err = d.DialContext(ctx, "tcp", cfg.host)
	} else {
		var d net.Dialer
		nc, err = d.DialContext(ctx, "tcp", cfg.host)
	}
	if err != nil {
		return nil, err
	}
	k := &client5{c: c}
	k.cl = paho5.NewClient(paho5.ClientConfig{
		ClientID:          cfg.clientID,
		Conn:              packets.NewThreadSafeConn(nc),
		OnPublishReceived: []func(paho5.PublishReceived) (bool, error){k.handle},
		OnClientError:     func(err error) { c.lost(err) },
		OnServerDisconnect: func(d *paho5.Disconnect) {
			c.lost(fmt.Errorf("server sent DISCONNECT with reason code %#x", d.ReasonCode))
		},
	})
	cp := &paho5.Connect{
		ClientID:   cfg.clientID,
		CleanStart: true,
		KeepAlive:  uint16(cfg.keepAlive / time.Second),
	}
	if cfg.user != "" {
		cp.Username, cp.UsernameFlag = cfg.user, true
	}
	if cfg.pass != "" {
		cp.Password, cp.PasswordFlag = []byte(cfg.pass), true
	}
	ca, err := k.cl.Connect(ctx, cp)
	if err != nil {
		_ = nc.Close()
		if ca != nil {
			switch ca.ReasonCode {
			case rcBadUserNameOrPassword, rcNotAuthorized, rcBadAuthMethod:
				err = fmt.Errorf("%w: %w", transport.ErrAuth, err)
			}
		}
		return nil, err
	}
	return k, nil
}

func (k *client5) publish(ctx context.Context, topic string, qos byte, retain bool, m *transport.Message, expiry *uint32) (*transport.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	props := &paho5.PublishProperties{ContentType: m.ContentType, MessageExpiry: expiry}
	for name, v := range m.Headers {
		switch name {
		case HeaderContentType:
			props.ContentType = v
		case HeaderCorrelationData:
			props.CorrelationData = []byte(v)
		case HeaderResponseTopic:
			props.ResponseTopic = v
		default:
			props.User = append(props.User, paho5.UserProperty{Key: name, Value: v})
		}
	}
	pr, err := k.cl.Publish(ctx, &paho5.Publish{Topic: topic, QoS: qos, Retain: retain, Payload: m.Payload, Properties: props})
	if err != nil {
		return nil, err
	}
	if pr != nil && pr.ReasonCode >= 0x80 {
		return nil, fmt.Errorf("broker refused the message: reason code %#x", pr.ReasonCode)
	}
	return &transport.Receipt{Partition: -1, Offset: -1}, nil
}

func (k *client5) subscribe(ctx context.Context, filter string, qos byte, retained bool) error {
	var rh byte = 2 // do not send retained messages at subscription time
	if retained {
		rh = 0
	}
	sa, err := k.cl.Subscribe(ctx, &paho5.Subscribe{Subscriptions: []paho5.SubscribeOptions{
		{Topic: filter, QoS: qos, RetainHandling: rh},
	}})
	if err != nil {
		return err
	}
	for _, rc := range sa.Reasons {
		if rc >= 0x80 {
			return fmt.Errorf("broker refused the subscription to %q: reason code %#x", filter, rc)
		}
	}
	return nil
}

func (k *client5) handle(pr paho5.PublishReceived) (bool, error) {
	p := pr.Packet
	now := time.Now()
	k.c.dispatch(p.Topic, p.Retain, func(b map[string]any) *transport.Delivery {
		d := &transport.Delivery{
			Message:   transport.Message{Channel: transport.Channel{Address: p.Topic, Bindings: b}, Payload: p.Payload},
			Partition: -1,
			Offset:    -1,
			Received:  now,
		}
		if p.Properties != nil {
			pp := p.Properties
			n := len(pp.User) + 3
			d.Headers = make(map[string]string, n)
			for _, u := range pp.User {
				if _, dup := d.Headers[u.Key]; !dup { // repeated keys: the first wins
					d.Headers[u.Key] = u.Value
				}
			}
			if pp.ContentType != "" {
				d.Headers[HeaderContentType] = pp.ContentType
				d.ContentType = pp.ContentType
			}
			if pp.CorrelationData != nil {
				d.Headers[HeaderCorrelationData] = string(pp.CorrelationData)
			}
			if pp.ResponseTopic != "" {
				d.Headers[HeaderResponseTopic] = pp.ResponseTopic
			}
			if len(d.Headers) == 0 {
				d.Headers = nil
			}
		}
		return d
	})
	return true, nil
}

func (k *client5) unsubscribe(ctx context.Context, filter string) error {
	_, err := k.cl.Unsubscribe(ctx, &paho5.Unsubscribe{Topics: []string{filter}})
	return err
}

func (k *client5) close() {
	_ = k.cl.Disconnect(&paho5.Disconnect{ReasonCode: 0})
	select {
	case <-k.cl.Done():
	case <-time.After(closeTimeout):
	}
}
