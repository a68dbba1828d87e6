package mqtt

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	paho3 "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/telaio/telaio/transport"
)

// client3 is MQTT 3.1 and 3.1.1 over paho.mqtt.golang.
type client3 struct {
	cl paho3.Client
	c  *conn
}

func dial3(ctx context.Context, cfg dialConfig, c *conn) (client, error) {
	scheme := "tcp"
	if cfg.tls != nil {
		scheme = "ssl"
	}
	o := paho3.NewClientOptions().
		AddBroker((&url.URL{Scheme: scheme, Host: cfg.host}).String()).
		SetClientID(cfg.clientID).
		SetProtocolVersion(uint(cfg.version)).
		SetCleanSession(true).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetKeepAlive(cfg.keepAlive).
		SetOrderMatters(true). // one goroutine calls handlers in arrival order
		SetConnectionLostHandler(func(_ paho3.Client, err error) { c.lost(err) })
	if dl, ok := ctx.Deadline(); ok {
		o.SetConnectTimeout(time.Until(dl))
	}
	if cfg.user != "" || cfg.pass != "" {
		o.SetUsername(cfg.user).SetPassword(cfg.pass)
	}
	if cfg.tls != nil {
		o.SetTLSConfig(cfg.tls)
	}
	cl := paho3.NewClient(o)
	tok := cl.Connect()
	if err := wait(ctx, tok.Done(), tok.Error); err != nil {
		cl.Disconnect(0)
		if errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) || errors.Is(err, packets.ErrorRefusedNotAuthorised) {
			err = fmt.Errorf("%w: %w", transport.ErrAuth, err)
		}
		return nil, err
	}
	return &client3{cl: cl, c: c}, nil
}

func (k *client3) publish(ctx context.Context, topic string, qos byte, retain bool, m *transport.Message, _ *uint32) (*transport.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tok := k.cl.Publish(topic, qos, retain, m.Payload)
	if err := wait(ctx, tok.Done(), tok.Error); err != nil {
		return nil, err
	}
	r := &transport.Receipt{Partition: -1, Offset: -1}
	if pt, ok := tok.(*paho3.PublishToken); ok && qos > 0 {
		r.ID = strconv.Itoa(int(pt.MessageID()))
	}
	return r, nil
}

func (k *client3) subscribe(ctx context.Context, filter string, qos byte, _ bool) error {
	tok := k.cl.Subscribe(filter, qos, k.handle)
	if err := wait(ctx, tok.Done(), tok.Error); err != nil {
		return err
	}
	if st, ok := tok.(*paho3.SubscribeToken); ok {
		if code, ok := st.Result()[filter]; ok && code == 0x80 {
			return fmt.Errorf("broker refused the subscription to %q", filter)
		}
	}
	return nil
}

func (k *client3) handle(_ paho3.Client, msg paho3.Message) {
	now := time.Now()
	topic := msg.Topic()
	k.c.dispatch(topic, msg.Retained(), func(b map[string]any) *transport.Delivery {
		d := &transport.Delivery{
			Message:   transport.Message{Channel: transport.Channel{Address: topic, Bindings: b}, Payload: msg.Payload()},
			Partition: -1,
			Offset:    -1,
			Received:  now,
		}
		if msg.Qos() > 0 {
			d.ID = strconv.Itoa(int(msg.MessageID()))
		}
		return d
	})
}

func (k *client3) unsubscribe(ctx context.Context, filter string) error {
	tok := k.cl.Unsubscribe(filter)
	return wait(ctx, tok.Done(), tok.Error)
}

func (k *client3) close() { k.cl.Disconnect(250) }
