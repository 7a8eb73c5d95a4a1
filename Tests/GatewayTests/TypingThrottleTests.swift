import Contracts
import Foundation
import Testing

@testable import GatewayService

@Suite("Typing frames: the throttle and what counts as one")
struct TypingThrottleTests {
    /// Frames at these milliseconds after the first, and which of them are relayed.
    @Test(
        "a burst of three, then one every half second",
        arguments: [
            ([0, 0, 0, 0, 0], [true, true, true, false, false]),
            ([0, 1, 2, 3, 499, 500], [true, true, true, false, false, true]),
            ([0, 0, 0, 2_000, 2_000, 2_000, 2_000], [true, true, true, true, true, true, false]),
            ([0, 2_000, 4_000, 6_000], [true, true, true, true]),
            ([0, 0, 0, 600, 700, 1_100], [true, true, true, true, false, true]),
        ])
    func throttle(milliseconds: [Int], relayed: [Bool]) {
        let start = ContinuousClock.now
        var throttle = TypingThrottle()
        let decisions = milliseconds.map { throttle.admit(at: start + .milliseconds($0)) }
        #expect(decisions == relayed)
    }

    @Test("a flood of a thousand frames in one instant relays the burst only")
    func flood() {
        let now = ContinuousClock.now
        var throttle = TypingThrottle()
        #expect((0..<1_000).filter { _ in throttle.admit(at: now) }.count == 3)
    }

    @Test(
        "only a short, well-formed typing frame is one",
        arguments: [
            (#"{"type":"typing","conversation_id":"6F9619FF-8B86-D011-B42D-00C04FC964FF"}"#, true),
            (#"{"type":"typing"}"#, false),
            (#"{"type":"ready","conversation_id":"6F9619FF-8B86-D011-B42D-00C04FC964FF"}"#, false),
            (#"{"type":"typing","conversation_id":"not an id"}"#, false),
            ("typing", false),
            (
                #"{"type":"typing","conversation_id":"6F9619FF-8B86-D011-B42D-00C04FC964FF","x":"\#(String(repeating: "x", count: 200))"}"#,
                false
            ),
        ])
    func frames(text: String, accepted: Bool) {
        #expect((TypingSender.request(text) != nil) == accepted)
    }
}
