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

    static func event(_ kind: String, _ subject: UUID, payload: String = "{}") -> StreamEvent {
        StreamEvent(cursor: .init(xid: 1, seq: 1), kind: EventKind(rawValue: kind), subject: subject, payload: payload)
    }

    @Test(
        "an operator sees the desk and only their own bell",
        arguments: [
            (event("pool.changed", mine), true),
            (event("message.created", theirs), true),
            (event("message.created", theirs, payload: message("note", in: theirs)), true),
            (event("conversation.assigned", theirs), true),
            (event("conversation.returned", theirs), true),
            (event("conversation.closed", mine), true),
            (event("notification.created", me), true),
            (event("notification.settled", me), true),
            (event("pool.alert", mine), false),
            (event("notification.created", colleague), false),
            (event("notification.settled", colleague), false),
            (event("conversation.started", mine), false),
            (event("ticket.created", mine), false),
        ])
    func operatorSees(event: StreamEvent, shown: Bool) {
        var audience = StreamAudience(viewer: .operator(Self.me))
        let admitted = audience.admits(event)
        #expect(admitted == shown)
    }

    /// A `message.created` payload by an author of `kind`.
    static func message(_ kind: String, in conversation: UUID = mine) -> String {
        """
        {"id":"\(UUID().uuidString)","conversation_id":"\(conversation.uuidString)","seq":4,"author":{"kind":"\(kind)","id":null,"name":"Can"},\
        "body":"x","client_message_id":null,"created_at":"2026-12-07T10:00:00.000Z"}
        """
    }

    @Test(
        "a visitor sees their own conversations only, never the Pool, anyone's bell or the desk's internal notes",
        arguments: [
            (event("message.created", mine, payload: message("customer")), true),
            (event("message.created", mine, payload: message("operator")), true),
            (event("message.created", mine, payload: message("system")), true),
            (event("message.created", mine, payload: message("note")), false),
            (event("message.created", mine), false),
            (event("conversation.assigned", mine), true),
            (event("conversation.returned", mine), true),
            (event("conversation.closed", mine), true),
            (event("conversation.moved_to_email", mine), true),
            (event("conversation.returned", theirs), false),
            (event("message.created", theirs), false),
            (event("conversation.closed", theirs), false),
            (event("pool.changed", mine), false),
            (event("notification.created", me), false),
            (event("notification.settled", me), false),
        ])
    func visitorSees(event: StreamEvent, shown: Bool) {
        var audience = StreamAudience(viewer: .visitor(Self.visitor), conversations: [Self.mine])
        let admitted = audience.admits(event)
        #expect(admitted == shown)
    }

    @Test("every kind a stream shows is one the event feed carries")
    func kindsAreStreamed() {
        for viewer in [StreamAudience.Viewer.operator(Self.me), .visitor(Self.visitor)] {
            let missing = StreamAudience(viewer: viewer).kinds.subtracting(EventMethods.streamed)
            #expect(missing.isEmpty, "\(viewer): \(missing)")
        }
    }

    /// A `conversation.started` payload: a new chat of `visitor`.
    static func started(_ id: UUID, by visitor: UUID, closedAt: Date? = nil) -> String {
        let record = ConversationRecord(
            id: id, channel: .chat, customer: Customer(id: UUID(), name: "Ayşe", email: nil), visitorID: visitor,
            createdAt: Date(timeIntervalSince1970: 1_790_000_000), closedAt: closedAt, lastMessage: nil)
        return String(decoding: try! WireJSON.encoder().encode(record), as: UTF8.self)
    }

    @Test("a conversation the visitor starts while connected joins their stream; someone else's does not")
    func learnsNewConversations() {
        var audience = StreamAudience(viewer: .visitor(Self.visitor))
        let fresh = UUID()
        let stranger = UUID()
        let admitted = [
            Self.event("message.created", fresh),
            Self.event("conversation.started", fresh, payload: Self.started(fresh, by: Self.visitor)),
            Self.event("conversation.started", stranger, payload: Self.started(stranger, by: UUID())),
            Self.event("conversation.started", stranger, payload: "not json"),
            Self.event("message.created", fresh, payload: Self.message("customer", in: fresh)),
            Self.event("message.created", stranger, payload: Self.message("customer", in: stranger)),
        ].map { audience.admits($0) }
        #expect(admitted == [false, false, false, false, true, false])
    }

    @Test("frames carry the payload as it is, and a close as its id and instant")
    func frames() {
        let id = UUID()
        let message = StreamEvent(
            cursor: .init(xid: 7, seq: 3), kind: ConversationEvents.MessageCreated.kind, subject: id, payload: #"{"body":"<b>x</b>"}"#)
        #expect(StreamRoutes.frame(message).text == #"{"type":"message.created","cursor":"7-3","data":{"body":"<b>x</b>"}}"#)
        let closed = StreamEvent(
            cursor: .init(xid: 8, seq: 1), kind: ConversationEvents.Closed.kind, subject: id,
            payload: Self.started(id, by: UUID(), closedAt: Date(timeIntervalSince1970: 1_795_000_000)))
        #expect(
            StreamRoutes.frame(closed).text
                == #"{"type":"conversation.closed","cursor":"8-1","data":{"closed_at":"2026-11-18T11:06:40.000Z","conversation_id":"\#(id)"}}"#
        )
    }

    @Test("a refusal's frame carries the API's error body, escaped, as the pages read it (`data.error.code`)")
    func errorFrame() throws {
        let frame = StreamFrame.error(StreamRoutes.sessionEnded.body)
        #expect(
            frame.text
                == #"{"type":"error","cursor":null,"data":{"error":{"code":"unauthorized","details":{},"message":"the session ended"}}}"#)
        let tricky = StreamFrame.error(APIErrorBody(code: "invalid", message: #"a "quoted" \ line"#, details: ["field": "cursor"]))
        let decoded = try JSONDecoder().decode(ErrorFrame.self, from: Data(tricky.text.utf8))
        #expect(decoded.data.error.message == #"a "quoted" \ line"#)
        #expect(decoded.data.error.details["field"] == "cursor")
    }

    struct ErrorFrame: Decodable {
        var type: String
        var data: APIErrorBody
    }
}

@Suite("The gateway's event hub")
struct EventHubTests {
    static func events(_ range: ClosedRange<Int64>, kind: EventKind = PoolEvents.Changed.kind) -> [StreamEvent] {
        range.map { StreamEvent(cursor: .init(xid: 10, seq: $0), kind: kind, subject: UUID(), payload: "{}") }
    }

    func hub() -> EventHub { EventHub(runtimeDirectory: "/nonexistent", logger: Logger(label: "test")) }

    @Test("hands each event on once, in order, to the queues that want its type; a resubscription repeats nothing")
    func fansOut() async {
        let hub = hub()
        let pool = hub.register(kinds: [PoolEvents.Changed.kind])
        let bell = hub.register(kinds: [NotificationEvents.Created.kind])
        #expect(pool.position == nil)
        hub.publish(Self.events(1...3))
        hub.publish(Self.events(2...4))  // a feed that started again a little early
        hub.publish(Self.events(5...5, kind: NotificationEvents.Created.kind))
        hub.unregister(pool.id)
        hub.unregister(bell.id)
        var seen: [Int64] = []
        for await case .event(let event) in pool.items { seen.append(event.cursor.seq) }
        #expect(seen == [1, 2, 3, 4])
        var rung: [Int64] = []
        for await case .event(let event) in bell.items { rung.append(event.cursor.seq) }
        #expect(rung == [5])
        #expect(hub.register(kinds: []).position == .init(xid: 10, seq: 5))
    }

    @Test(
        "a visitor's stream, once narrowed, is handed only its conversations' events and those its visitor starts; operators' streams and one not narrowed yet get every event of their kinds"
    )
    func narrowsVisitors() async throws {
        let hub = hub()
        let (ayse, mehmet) = (UUID(), UUID())
        let (c1, c2, c3, c4, c5) = (UUID(), UUID(), UUID(), UUID(), UUID())
        var seq: Int64 = 0
        func event(_ kind: EventKind, _ subject: UUID, payload: String = "{}") -> StreamEvent {
            seq += 1
            return StreamEvent(cursor: .init(xid: 10, seq: seq), kind: kind, subject: subject, payload: payload)
        }
        func started(_ conversation: UUID, by visitor: UUID) throws -> StreamEvent {
            let record = ConversationRecord(
                id: conversation, channel: .chat, customer: Customer(id: UUID(), name: "Ayşe", email: nil), visitorID: visitor,
                createdAt: Date(timeIntervalSince1970: 1_800_000_000), closedAt: nil, lastMessage: nil)
            return event(ConversationEvents.Started.kind, conversation, payload: try RawJSON(encoding: record).text)
        }
        let kinds = StreamAudience.visitorKinds
        let desk = hub.register(kinds: kinds)
        let first = hub.register(kinds: kinds, visitor: ayse)
        let second = hub.register(kinds: kinds, visitor: mehmet)
        // Before they narrow, both get everything; the hub notes Ayşe's new conversation.
        let early = try started(c2, by: ayse)
        hub.publish([early])
        hub.narrow(first.id, to: [c1])
        hub.narrow(second.id, to: [c3])
        let later = [
            event(ConversationEvents.MessageCreated.kind, c1), event(ConversationEvents.MessageCreated.kind, c2),
            event(ConversationEvents.MessageCreated.kind, c3), event(PoolEvents.Assigned.kind, c4), try started(c5, by: mehmet),
            event(ConversationEvents.MessageCreated.kind, c5), event(ConversationEvents.Closed.kind, c1),
        ]
        hub.publish(later)
        for subscription in [desk, first, second] { hub.unregister(subscription.id) }
        func seen(_ subscription: EventHub.Subscription) async -> [Int64] {
            var seen: [Int64] = []
            for await case .event(let event) in subscription.items { seen.append(event.cursor.seq) }
            return seen
        }
        #expect(await seen(desk) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(await seen(first) == [1, 2, 3, 8])
        #expect(await seen(second) == [1, 4, 6, 7])
    }

    @Test("a queue that falls too far behind is ended and marked, and the others go on")
    func boundsQueues() async {
        let hub = hub()
        let slow = hub.register(kinds: [PoolEvents.Changed.kind])
        let other = hub.register(kinds: [PoolEvents.Changed.kind])
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
