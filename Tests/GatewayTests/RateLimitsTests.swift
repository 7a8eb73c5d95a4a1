import Foundation
import Testing

@testable import GatewayService

@Suite("Rate limit verdicts")
struct RateLimitsTests {
    static let pair = RateRule("pair", limit: 10, window: 900)
    static let email = RateRule("email", limit: 10, window: 900, onlyAfter: "pair")
    static let address = RateRule("address", limit: 50, window: 900)

    @Test(
        "one more attempt fits unless a rule that holds is full; Retry-After is the longest wait, at least 1 s and at most the window",
        arguments: [
            // pair, email, address counts (count, seconds until the oldest leaves), expected wait
            ((0, 0), (0, 0), (0, 0), nil),
            ((9, 300), (9, 300), (9, 300), nil),
            ((10, 300), (10, 300), (10, 300), 300),  // the pair is full
            ((0, 0), (500, 800), (0, 0), nil),  // the e-mail is full, but this address never failed for it
            ((1, 20), (10, 800), (1, 20), 800),  // it did: the e-mail's limit holds
            ((0, 0), (0, 0), (50, 0), 1),  // at least a second
            ((0, 0), (0, 0), (50, 5_000), 900),  // never longer than the window
            ((10, 100), (10, 700), (50, 400), 700),
        ] as [((Int, Int), (Int, Int), (Int, Int), Int?)])
    func verdict(pair: (Int, Int), email: (Int, Int), address: (Int, Int), wait: Int?) {
        let counts = [
            "pair": WindowCount(count: pair.0, oldestLeavesIn: pair.1),
            "email": WindowCount(count: email.0, oldestLeavesIn: email.1),
            "address": WindowCount(count: address.0, oldestLeavesIn: address.1),
        ]
        #expect(RateLimits.verdict([Self.pair, Self.email, Self.address], counts: counts) == wait)
    }

    @Test("a key with no attempts in its window is room")
    func missingKey() {
        #expect(RateLimits.verdict([RateRule("new", limit: 1, window: 60)], counts: [:]) == nil)
    }

    @Test("keys found full are remembered until their Retry-After, and the memory stays bounded")
    func fullKeys() {
        let full = FullKeys()
        #expect(!full.any(of: ["a", "b"]))
        full.note(["a"], for: 60)
        #expect(full.any(of: ["b", "a"]))
        #expect(!full.any(of: ["b"]))
        full.note(["gone"], for: 0)
        #expect(!full.any(of: ["gone"]))
        for index in 0..<(FullKeys.capacity + 10) { full.note(["k\(index)"], for: 60) }
        #expect(full.count <= FullKeys.capacity)
        #expect(full.any(of: ["k\(FullKeys.capacity + 9)"]))
    }

    @Test("a visitor's token is known for its lifetime and no longer, and the memory stays bounded")
    func knownVisitors() {
        let known = KnownVisitors()
        let start = ContinuousClock.now
        let visitor = UUID()
        #expect(known.visitor(for: "t", now: start) == nil)
        known.note("t", is: visitor, now: start)
        #expect(known.visitor(for: "t", now: start + .seconds(1)) == visitor)
        #expect(known.visitor(for: "other", now: start + .seconds(1)) == nil)
        #expect(known.visitor(for: "t", now: start + KnownVisitors.lifetime) == nil)
        for index in 0..<(KnownVisitors.capacity + 10) { known.note("k\(index)", is: UUID(), now: start) }
        #expect(known.count <= KnownVisitors.capacity)
        #expect(known.visitor(for: "k\(KnownVisitors.capacity + 9)", now: start) != nil)
    }
}
