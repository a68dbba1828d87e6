// Package mqtt is the transport driver for MQTT (AsyncAPI protocols "mqtt",
// "mqtts" and "secure-mqtt"): MQTT 3.1 and 3.1.1 over
// github.com/eclipse/paho.mqtt.golang, MQTT 5 over github.com/eclipse/paho.golang.
//
//	conn, err := mqtt.Driver{}.Dial(ctx, transport.Server{Protocol: "mqtt", ProtocolVersion: "5", URL: u})
//
// # URL and version
//
// mqtt://host:port (port 1883) or mqtts://host:port (port 8883, TLS).
// Server.ProtocolVersion "3.1.1" (or "4"), "3.1" (or "3"), "5" (or "5.0");
// empty means DefaultProtocolVersion, 3.1.1, because every broker speaks
// it (not every one speaks 5). Declare protocolVersion 5 in the AsyncAPI
// server to use headers. SupportsHeaders tells a validator whether a version
// can carry them.
//
// # Credentials
//
// Username and password in CONNECT; Mechanism must be empty or "plain". A
// refused CONNECT (bad user name or password, not authorised) is
// transport.ErrAuth.
//
// # Mapping
//
// Channel address = topic (a topic filter with + and # when subscribing; a
// Delivery's Address is the message's topic). Bindings honoured: operation
// bindings qos (0, 1, 2; default DefaultQoS = 1), retain, and
// messageExpiryInterval (MQTT 5); server binding keepAlive. The server
// binding clientId is the application's identifier, not Telaio's: using it
// would disconnect the application, so the driver generates
// ClientIDPrefix + a random suffix.
//
// MQTT 5 user properties are the headers (a repeated key: the first value).
// Other MQTT 5 properties are pseudo-headers, named as in the AsyncAPI MQTT
// message binding:
//
//	pseudo-header    MQTT 5 property
//	contentType      Content Type (also Message.ContentType)
//	correlationData  Correlation Data (bytes as a string)
//	responseTopic    Response Topic
//
// MQTT 3.1 and 3.1.1 have no headers: publishing a message with headers is
// an error wrapping transport.ErrUnsupported that names the version; received
// messages have no headers; Message.ContentType is ignored. A Key is refused.
//
// # Decisions
//
//   - Publish returns on PUBACK (QoS 1) or PUBCOMP (QoS 2); QoS 0 once
//     written.
//   - Subscribe returns on SUBACK. Each Subscribe sends a SUBSCRIBE (several
//     subscriptions to one filter on a Conn share it; the highest QoS wins)
//     and the last Close of a filter sends UNSUBSCRIBE.
//   - Retained messages sent because of a SUBSCRIBE were published before
//     arming: they are dropped (MQTT 5: Retain Handling 2) unless
//     SubscribeOptions.Retained asks for them.
//   - Clean session, no reconnect: messages published while disconnected
//     would be lost silently, so a lost connection fails every subscription
//     with transport.ErrConnectionLost.
//   - Overlapping wildcard filters on one Conn may deliver a message to a
//     subscription twice if the broker sends one copy per filter.
package mqtt
