import Contracts
import Foundation
import Logging
import Testing

@testable import GatewayService

@Suite("Who a stream shows what")
struct StreamAudienceTests {
    static let me = UUID()
    static let colleague = UUID()
    static let visitor = UUID()
    static let mine = UUID()
    static let theirs = UUID()

    static func event(_ type: String, _ subject: UUID, payload: String = "{}") -> StreamEvent {
        StreamEvent(cursor: .init(xid: 1, seq: 1), type: type, subject: subject.uuidString.lowercased(), payload: payload)
    }

    @Test(
        "an operator sees the desk and only their own bell",
        arguments: [
            (event("pool.changed", mine), true),
            (event("message.created", theirs), true),
            (event("conversation.assigned", theirs), true),
            (event("conversation.closed", mine), true),
            (event("notification.created", me), true),
            (event("notification.created", colleague), false),
            (event("conversation.started", mine), false),
            (event("ticket.created", mine), false),
        ])
    func operatorSees(event: StreamEvent, shown: Bool) {
        var audience = StreamAudience(viewer: .operator(Self.me))
        let admitted = audience.admits(event)
        #expect(admitted == shown)
    }

    @Test(
        "a visitor sees their own conversations only, never the Pool or anyone's bell",
        arguments: [
            (event("message.created", mine), true),
            (event("conversation.assigned", mine), true),
            (event("conversation.closed", mine), true),
            (event("message.created", theirs), false),
            (event("conversation.closed", theirs), false),
            (event("pool.changed", mine), false),
            (event("notification.created", me), false),
        ])
    func visitorSees(event: StreamEvent, shown: Bool) {
        var audience = StreamAudience(viewer: .visitor(Self.visitor), conversations: [Self.mine])
        let admitted = audience.admits(event)
        #expect(admitted == shown)
    }

    @Test("a conversation the visitor starts while connected joins their stream; someone else's does not")
    func learnsNewConversations() {
        var audience = StreamAudience(viewer: .visitor(Self.visitor))
        let fresh = UUID()
        let stranger = UUID()
        let admitted = [
            Self.event("message.created", fresh),
            Self.event("conversation.started", fresh, payload: #"{"visitor_id":"\#(Self.visitor)"}"#),
            Self.event("conversation.started", stranger, payload: #"{"visitor_id":"\#(UUID())"}"#),
            Self.event("conversation.started", stranger, payload: "not json"),
            Self.event("message.created", fresh),
            Self.event("message.created", stranger),
        ].map { audience.admits($0) }
        #expect(admitted == [false, false, false, false, true, false])
    }

    @Test("frames carry the payload as it is, and a close as its id and instant")
    func frames() {
        let id = UUID()
        let message = StreamEvent(
            cursor: .init(xid: 7, seq: 3), type: "message.created", subject: id.uuidString.lowercased(), payload: #"{"body":"<b>x</b>"}"#)
        #expect(StreamRoutes.frame(message) == #"{"type":"message.created","cursor":"7-3","data":{"body":"<b>x</b>"}}"#)
        let closed = StreamEvent(
            cursor: .init(xid: 8, seq: 1), type: "conversation.closed", subject: id.uuidString.lowercased(),
            payload: #"{"id":"\#(id)","visitor_id":null,"closed_at":"2026-11-26T10:00:00.000Z"}"#)
        #expect(
            StreamRoutes.frame(closed)
                == #"{"type":"conversation.closed","cursor":"8-1","data":{"conversation_id":"\#(id)","closed_at":"2026-11-26T10:00:00.000Z"}}"#
        )
        #expect(StreamRoutes.control("ready", cursor: nil) == #"{"type":"ready","cursor":null,"data":{}}"#)
    }
}

@Suite("The gateway's event hub")
struct EventHubTests {
    static func events(_ range: ClosedRange<Int64>, type: String = "pool.changed") -> [StreamEvent] {
        range.map { StreamEvent(cursor: .init(xid: 10, seq: $0), type: type, subject: "s", payload: "{}") }
    }

    func hub() -> EventHub { EventHub(runtimeDirectory: "/nonexistent", logger: Logger(label: "test")) }

    @Test("hands each event on once, in order, to the queues that want its type; a resubscription repeats nothing")
    func fansOut() async {
        let hub = hub()
        let pool = hub.register(types: ["pool.changed"])
        let bell = hub.register(types: ["notification.created"])
        #expect(pool.position == nil)
        hub.publish(Self.events(1...3))
        hub.publish(Self.events(2...4))  // a feed that started again a little early
        hub.publish(Self.events(5...5, type: "notification.created"))
        hub.unregister(pool.id)
        hub.unregister(bell.id)
        var seen: [Int64] = []
        for await case .event(let event) in pool.items { seen.append(event.cursor.seq) }
        #expect(seen == [1, 2, 3, 4])
        var rung: [Int64] = []
        for await case .event(let event) in bell.items { rung.append(event.cursor.seq) }
        #expect(rung == [5])
        #expect(hub.register(types: []).position == .init(xid: 10, seq: 5))
    }

    @Test("a queue that falls too far behind is ended and marked, and the others go on")
    func boundsQueues() async {
        let hub = hub()
        let slow = hub.register(types: ["pool.changed"])
        let other = hub.register(types: ["pool.changed"])
        hub.publish(Self.events(1...Int64(EventHub.queueLimit)))
        var drained = 0
        var iterator = other.items.makeAsyncIterator()
        while drained < EventHub.queueLimit, await iterator.next() != nil { drained += 1 }
        hub.publish(Self.events(Int64(EventHub.queueLimit + 1)...Int64(EventHub.queueLimit + 1)))
        #expect(hub.unregister(slow.id))
        #expect(!hub.unregister(other.id))
        var kept = 0
        for await _ in slow.items { kept += 1 }
        #expect(kept == EventHub.queueLimit)
    }
}
