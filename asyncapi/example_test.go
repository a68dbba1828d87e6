package asyncapi_test

import (
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/diag"
)

const orders = `asyncapi: 3.0.0
info: {title: Orders, version: 1.0.0}
servers:
  local: {host: 'localhost:{port}', protocol: kafka, variables: {port: {default: '9092'}}}
channels:
  orderPlaced:
    address: 'orders/{orderId}'
    parameters:
      orderId: {}
    messages:
      placed:
        headers: {type: object, properties: {requestId: {type: string}}}
        payload: {type: object, properties: {orderId: {type: string}}}
        correlationId: {location: '$message.header#/requestId'}
operations:
  placeOrder:
    action: receive
    channel: {$ref: '#/channels/orderPlaced'}
`

func ExampleLoad() {
	d, err := asyncapi.Load([]byte(orders), "orders.asyncapi.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	op, _ := d.OperationByID("placeOrder")
	m := op.Messages[0]
	fmt.Println(op.Action, op.Channel.Key, op.Channel.Address)
	fmt.Println(m.ID, m.PayloadPointer)
	fmt.Println(m.CorrelationID.Location)
	addr, _ := op.Channel.ResolveAddress(map[string]string{"orderId": "42"})
	url, _ := d.Servers[0].URL(nil)
	fmt.Println(addr, url)
	// Output:
	// receive orderPlaced orders/{orderId}
	// placed /channels/orderPlaced/messages/placed/payload
	// $message.header#/requestId
	// orders/42 kafka://localhost:9092
}

func ExampleLoad_errors() {
	src := `asyncapi: 3.0.0
info: {title: Orders, version: 1.0.0}
channels:
  orders: {address: orders}
operations:
  placeOrder:
    action: publish
    channel: {$ref: '#/channels/order'}
`
	_, err := asyncapi.Load([]byte(src), "orders.asyncapi.yaml")
	for _, d := range err.(diag.Diagnostics) {
		fmt.Println(diag.Format(d, []byte(src)))
	}
	// Output:
	// orders.asyncapi.yaml:7:13: error: /operations/placeOrder/action: value must be one of 'send', 'receive' (AsyncAPI 3.0.0 schema) [asyncapi-schema]
	//  7 |     action: publish
	//    |             ^
	// orders.asyncapi.yaml:8:21: error: $ref "#/channels/order" does not resolve: nothing at /channels/order [asyncapi-unresolved-ref]
	//  8 |     channel: {$ref: '#/channels/order'}
	//    |                     ^
}

func ExampleLoad_version2() {
	src := `asyncapi: 2.6.0
info: {title: Users, version: 1.0.0}
channels:
  user/signedup:
    subscribe:
      operationId: userSignedUp
      message: {payload: {type: object}}
`
	d, _ := asyncapi.Load([]byte(src), "users.yaml")
	op, _ := d.OperationByID("userSignedUp")
	c, _ := d.ChannelByPointer("#/channels/user~1signedup")
	fmt.Println(op.Action, op.Channel == c, c.Address)
	fmt.Println(d.Diagnostics[0].Code)
	// Output:
	// send true user/signedup
	// asyncapi-v2-extension
}

func ExampleWithReadFile() {
	files := fstest.MapFS{
		"messages.yaml": {Data: []byte("Placed:\n  payload: {type: object}\n")},
	}
	src := `asyncapi: 3.0.0
info: {title: Orders, version: 1.0.0}
channels:
  orders:
    messages:
      placed: {$ref: 'messages.yaml#/Placed'}
`
	read := asyncapi.WithReadFile(func(ref string) ([]byte, error) {
		return fs.ReadFile(files, ref) // the caller decides what may be read
	})
	d, err := asyncapi.Load([]byte(src), "orders.yaml", read)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Channels[0].Messages[0].PayloadPointer)
	// Output: /x-telaio-files/messages.yaml/Placed/payload
}

func ExampleParseLocation() {
	loc, err := asyncapi.ParseLocation("$message.header#/requestId")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, ok := loc.Eval(map[string]string{"RequestID": "r-1"}, nil)
	fmt.Println(loc.Source, loc.Path, v, ok)

	_, err = asyncapi.ParseLocation("$message.header.requestId")
	fmt.Println(err)
	// Output:
	// header [requestId] r-1 true
	// invalid AsyncAPI runtime expression "$message.header.requestId" (offset 15): expected "#" and a JSON pointer after the source (AsyncAPI writes $message.header#/name, not Arazzo's $message.header.name)
}

func ExampleChannel_ResolveAddress() {
	d, _ := asyncapi.Load([]byte(orders), "orders.yaml")
	c := d.Channels[0]
	_, err := c.ResolveAddress(nil)
	fmt.Println(err)
	// Output: "orders/{orderId}": {orderId}: no value and no default
}
