// Package transporttest is the conformance suite every transport driver runs:
// the same cases, against a real broker, for every protocol.
//
// A driver's test calls Run with a function that returns a Setup for a
// running broker:
//
//	func TestConformance(t *testing.T) {
//		transporttest.Run(t, func(t *testing.T) transporttest.Setup {
//			b := brokertest.NATS(t, brokertest.Options{})
//			return transporttest.Setup{Driver: nats.Driver{}, Server: b.Server(), Stop: b.Stop}
//		})
//	}
//
// Run calls the function once per case, so a Setup may start a broker of its
// own (cheap for embedded brokers) or share one started once per package.
//
// The cases: a round trip keeps payload bytes and headers; a context
// without deadline works; a subscription armed before a publish gets the
// message, one armed after does not; several subscriptions each get it;
// Filter drops before buffering; the buffer overflows by count and by bytes
// with ErrOverflow after the kept messages; Next honours its context; Close
// (of the subscription or the Conn) unblocks Next with ErrClosed; concurrent
// publishes all arrive once; Publish to a broker that went away fails within
// its context; Dial to a closed port fails; a wrong password fails with
// ErrAuth and no error ever shows the password.
//
// BenchRoundTrip measures a driver's round trip against the client library
// alone, interleaved in one run; BenchCompare interleaves any two round trips
// (the engine's benchmarks use it for a whole workflow run against the
// library).
package transporttest
