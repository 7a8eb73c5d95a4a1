import Testing

@testable import GatewayService

@Suite("W3C traceparent")
struct TraceparentTests {
    @Test("a new trace is valid, and no two are alike")
    func fresh() {
        let traces = (0..<1000).map { _ in TraceMiddleware<GatewayContext>.newTraceparent() }
        #expect(traces.allSatisfy { TraceMiddleware<GatewayContext>.isValid($0) })
        #expect(Set(traces).count == traces.count)
    }

    @Test(
        "what a client sends is kept only when valid",
        arguments: [
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true),
            ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false),
            ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", false),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false),
            ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", false),
            ("zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false),
            ("", false),
        ])
    func incoming(value: String, valid: Bool) {
        #expect(TraceMiddleware<GatewayContext>.isValid(value) == valid)
    }

    @Test(
        "words are written as 16 hex digits",
        arguments: [(UInt64(0), "0000000000000000"), (1, "0000000000000001"), (.max, "ffffffffffffffff")])
    func hex(word: UInt64, text: String) {
        #expect(TraceMiddleware<GatewayContext>.hex(word) == text)
    }
}
