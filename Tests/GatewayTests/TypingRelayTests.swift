import Contracts
import Foundation
import Logging
import Storage
import Testing

@testable import GatewayService

@Suite("The typing relay: who sees whom")
struct TypingRelayTests {
    static let can = UUID()
    static let ece = UUID()
    static let ayseChat = UUID()
    static let mehmetChat = UUID()

    static func record(_ id: UUID, _ name: String) -> ConversationRecord {
        ConversationRecord(
            id: id, channel: .chat, customer: Customer(id: UUID(), name: name, email: nil), visitorID: UUID(), createdAt: .now,
            closedAt: nil, lastMessage: nil)
    }

    /// The typing each stream got for one signal: Can's and Ece's consoles, Ayşe's and Mehmet's widgets.
    static func seen(_ typing: Typing) async -> [String] {
        let relay = TypingRelay(
            database: Database(url: "host=/nonexistent", size: 1, logger: Logger(label: "test")), listener: nil,
            logger: Logger(label: "test"))
        var queues: [(String, AsyncStream<EventHub.Item>, AsyncStream<EventHub.Item>.Continuation)] = []
        for (index, (name, viewer)) in [
            ("Can", StreamAudience.Viewer.operator(can)), ("Ece", .operator(ece)), ("Ayşe", .visitor(UUID())), ("Mehmet", .visitor(UUID())),
        ].enumerated() {
            let (stream, continuation) = AsyncStream.makeStream(of: EventHub.Item.self)
            relay.join(UInt64(index), viewer: viewer, queue: continuation)
            queues.append((name, stream, continuation))
        }
        relay.allow(2, conversation: record(ayseChat, "Ayşe"))
        relay.allow(3, conversation: record(mehmetChat, "Mehmet"))
        relay.deliver(typing)
        var got: [String] = []
        for (name, stream, continuation) in queues {
            continuation.finish()
            for await case .typing(let shown) in stream where shown == typing { got.append(name) }
        }
        return got
    }

    @Test("a customer typing reaches every operator; an operator's reaches the colleagues and that conversation's visitor")
    func audience() async {
        let ayse = Typing(conversationID: Self.ayseChat, author: Author(kind: .customer, id: UUID(), name: "Ayşe"))
        #expect(await Self.seen(ayse) == ["Can", "Ece"])
        let canInAyse = Typing(conversationID: Self.ayseChat, author: Author(kind: .operator, id: Self.can, name: "Can"))
        #expect(await Self.seen(canInAyse) == ["Ece", "Ayşe"])
        let canInMehmet = Typing(conversationID: Self.mehmetChat, author: Author(kind: .operator, id: Self.can, name: "Can"))
        #expect(await Self.seen(canInMehmet) == ["Ece", "Mehmet"])
        let elsewhere = Typing(conversationID: UUID(), author: Author(kind: .operator, id: Self.ece, name: "Ece"))
        #expect(await Self.seen(elsewhere) == ["Can"])
    }

    @Test("a visitor types only as the customer of their own conversations; a stream that left is forgotten")
    func sender() {
        let relay = TypingRelay(
            database: Database(url: "host=/nonexistent", size: 1, logger: Logger(label: "test")), listener: nil,
            logger: Logger(label: "test"))
        let (_, queue) = AsyncStream.makeStream(of: EventHub.Item.self)
        relay.join(7, viewer: .visitor(UUID()), queue: queue)
        relay.allow(7, conversation: Self.record(Self.ayseChat, "Ayşe"))
        #expect(relay.customer(of: 7, in: Self.ayseChat)?.name == "Ayşe")
        #expect(relay.customer(of: 7, in: Self.mehmetChat) == nil)
        #expect(relay.customer(of: 8, in: Self.ayseChat) == nil)
        relay.leave(7)
        #expect(relay.customer(of: 7, in: Self.ayseChat) == nil)
        relay.allow(7, conversation: Self.record(Self.ayseChat, "Ayşe"))
        #expect(relay.customer(of: 7, in: Self.ayseChat) == nil, "a stream that left learns nothing more")
    }
}
