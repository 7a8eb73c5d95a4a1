import Contracts
import Foundation
import Testing

@testable import PoolService

@Suite("A run of messages folded per conversation")
struct MessageRunTests {
    static let first = UUID()
    static let second = UUID()
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A message of `kind` in `conversation`, `minute` minutes after `start`.
    static func message(_ kind: Author.Kind, _ minute: Double, _ body: String = "hi", in conversation: UUID = first) -> Message {
        Message(
            id: UUID(), conversationID: conversation, seq: 1, author: Author(kind: kind, id: nil, name: "A"), body: body,
            clientMessageID: nil, createdAt: start.addingTimeInterval(minute * 60))
    }

    static func at(_ minute: Double) -> Date { start.addingTimeInterval(minute * 60) }

    @Test(
        "end states",
        arguments: [
            ([message(.customer, 0, "a")], [MessageRun.Effect(preview: "a", waiting: .atLeast(at(0)))]),
            (
                [message(.customer, 0, "a"), message(.customer, 1, "b")],
                [MessageRun.Effect(preview: "b", waiting: .atLeast(at(0)))]
            ),
            ([message(.operator, 0)], [MessageRun.Effect(preview: nil, waiting: .cleared)]),
            ([message(.customer, 0, "a"), message(.operator, 1)], [MessageRun.Effect(preview: "a", waiting: .cleared)]),
            (
                [message(.customer, 0, "a"), message(.operator, 1), message(.customer, 2, "c"), message(.customer, 3, "d")],
                [MessageRun.Effect(preview: "d", waiting: .since(at(2)))]
            ),
            ([message(.system, 0), message(.note, 1)], []),
            ([message(.note, 0), message(.customer, 1, "a")], [MessageRun.Effect(preview: "a", waiting: .atLeast(at(1)))]),
        ])
    func endStates(messages: [Message], expected: [MessageRun.Effect]) {
        var run = MessageRun()
        for message in messages { run.add(message) }
        #expect(run.effects.map(\.effect) == expected)
        #expect(run.isEmpty == expected.isEmpty)
    }

    @Test("conversations keep the order they first appeared in, each with its own end state")
    func perConversation() {
        var run = MessageRun()
        for message in [
            Self.message(.operator, 0, in: Self.second), Self.message(.customer, 1, "x", in: Self.first),
            Self.message(.customer, 2, "y", in: Self.second),
        ] {
            run.add(message)
        }
        #expect(run.effects.map(\.conversation) == [Self.second, Self.first])
        #expect(
            run.effects.map(\.effect) == [
                .init(preview: "y", waiting: .since(Self.at(2))), .init(preview: "x", waiting: .atLeast(Self.at(1))),
            ])
    }

    @Test("the preview is the customer's first line, cut at 140 characters")
    func preview() {
        var run = MessageRun()
        run.add(Self.message(.customer, 0, String(repeating: "ş", count: 200) + "\nsecond line"))
        #expect(run.effects.first?.effect.preview == String(repeating: "ş", count: 139) + "…")
    }
}
