import Contracts
import Foundation
import Testing

/// The events' and frames' JSON, pinned: a change here is a change of the wire, made on purpose.
@Suite("Events and stream frames")
struct EventTests {
    static let conversation = UUID(uuidString: "11111111-1111-1111-1111-111111111111")!
    static let person = UUID(uuidString: "22222222-2222-2222-2222-222222222222")!
    static let thing = UUID(uuidString: "33333333-3333-3333-3333-333333333333")!
    static let at = Date(timeIntervalSince1970: 1_796_000_000.25)
    static let atText = "2026-11-30T00:53:20.250Z"

    static let message = Message(
        id: thing, conversationID: conversation, seq: 2, author: Author(kind: .customer, id: person, name: "Ayşe"), body: "Merhaba",
        clientMessageID: "c1", createdAt: at)
    static let record = ConversationRecord(
        id: conversation, channel: .chat, customer: Customer(id: person, name: "Ayşe", email: nil), visitorID: nil, createdAt: at,
        closedAt: nil, lastMessage: nil)

    static let messageJSON =
        #"{"author":{"id":"\#(person)","kind":"customer","name":"Ayşe"},"body":"Merhaba","client_message_id":"c1","conversation_id":"\#(conversation)","created_at":"\#(atText)","id":"\#(thing)","seq":2}"#
    static let recordJSON =
        #"{"channel":"chat","created_at":"\#(atText)","customer":{"id":"\#(person)","name":"Ayşe"},"customer_read_seq":0,"id":"\#(conversation)","operator_read_seq":0}"#

    /// Each kind with a payload, the payload's JSON, and the subject it must yield.
    static let pinned: [(kind: String, encode: @Sendable () throws -> NewPin, json: String, subject: UUID)] = [
        ("conversation.started", { try NewPin(ConversationEvents.Started.self, record) }, recordJSON, conversation),
        ("message.created", { try NewPin(ConversationEvents.MessageCreated.self, message) }, messageJSON, conversation),
        ("conversation.closed", { try NewPin(ConversationEvents.Closed.self, record) }, recordJSON, conversation),
        ("conversation.reopened", { try NewPin(ConversationEvents.Reopened.self, record) }, recordJSON, conversation),
        ("conversation.moved_to_email", { try NewPin(ConversationEvents.MovedToEmail.self, record) }, recordJSON, conversation),
        (
            "conversation.assigned",
            {
                try NewPin(
                    PoolEvents.Assigned.self,
                    AssignmentChange(conversationID: conversation, from: nil, to: OperatorRef(id: person, name: "Can"), how: .take, at: at))
            },
            #"{"at":"\#(atText)","conversation_id":"\#(conversation)","how":"take","to":{"id":"\#(person)","name":"Can"}}"#, conversation
        ),
        (
            "conversation.returned",
            {
                try NewPin(
                    PoolEvents.Returned.self,
                    AssignmentChange(
                        conversationID: conversation, from: OperatorRef(id: person, name: "Can"), to: nil, how: .returned, at: at,
                        reason: .away))
            },
            #"{"at":"\#(atText)","conversation_id":"\#(conversation)","from":{"id":"\#(person)","name":"Can"},"how":"returned","reason":"away"}"#,
            conversation
        ),
        (
            "pool.alert",
            {
                try NewPin(
                    PoolEvents.Alert.self,
                    PoolAlert(conversationID: conversation, level: .waiting, customerName: "Ayşe", waitingSince: at, recipients: [person]))
            },
            #"{"conversation_id":"\#(conversation)","customer_name":"Ayşe","level":2,"recipients":["\#(person)"],"waiting_since":"\#(atText)"}"#,
            conversation
        ),
        (
            "pool.changed", { try NewPin(PoolEvents.Changed.self, PoolChange(conversationID: conversation)) },
            #"{"conversation_id":"\#(conversation)"}"#, conversation
        ),
        (
            "notification.created",
            {
                try NewPin(
                    NotificationEvents.Created.self,
                    OperatorNotification(
                        id: thing, operatorID: person, kind: .assigned, conversationID: conversation, text: "Ayşe is yours", createdAt: at,
                        readAt: nil))
            },
            #"{"conversation_id":"\#(conversation)","created_at":"\#(atText)","id":"\#(thing)","kind":"assigned","operator_id":"\#(person)","text":"Ayşe is yours"}"#,
            person
        ),
        (
            "notification.settled",
            {
                try NewPin(
                    NotificationEvents.Settled.self, NotificationSettlement(operatorID: person, conversationID: conversation, count: 2))
            },
            #"{"conversation_id":"\#(conversation)","count":2,"operator_id":"\#(person)"}"#, person
        ),
        (
            "mail.queued", { try NewPin(TicketingEvents.MailQueued.self, MailQueue(ticketID: thing, messageID: nil)) },
            #"{"ticket_id":"\#(thing)"}"#, thing
        ),
        (
            "mail.updated",
            {
                try NewPin(
                    TicketingEvents.MailUpdated.self,
                    MailUpdate(
                        conversationID: conversation,
                        delivery: MailDelivery(messageID: thing, status: .sent, attempts: 1, lastError: nil, nextAttemptAt: nil, sentAt: at)
                    ))
            },
            #"{"conversation_id":"\#(conversation)","delivery":{"attempts":1,"message_id":"\#(thing)","sent_at":"\#(atText)","status":"sent"}}"#,
            conversation
        ),
        (
            "conversation.read",
            { try NewPin(ConversationEvents.Read.self, ReadReceipt(conversationID: conversation, side: .customer, seq: 7)) },
            #"{"conversation_id":"\#(conversation)","seq":7,"side":"customer"}"#, conversation
        ),
        (
            "conversation.rated",
            {
                try NewPin(
                    ConversationEvents.Rated.self,
                    RatingGiven(conversationID: conversation, rating: Rating(score: 4, comment: nil, createdAt: at)))
            },
            #"{"conversation_id":"\#(conversation)","rating":{"comment":null,"created_at":"\#(atText)","score":4}}"#, conversation
        ),
    ]

    @Test("every kind of event has its name, its payload's JSON and its subject", arguments: 0..<pinned.count)
    func pinnedJSON(index: Int) throws {
        let expected = Self.pinned[index]
        let pin = try expected.encode()
        #expect(pin.kind.rawValue == expected.kind)
        #expect(pin.json == expected.json)
        #expect(pin.subject == expected.subject)
    }

    @Test("the list of kinds is every pinned kind, each once")
    func everyKind() {
        #expect(EventKind.all.map(\.rawValue).sorted() == Self.pinned.map(\.kind).sorted())
    }

    @Test("an event decodes once into its kind's payload, and refuses to be read as another kind")
    func decodesOnce() throws {
        let event = StreamEvent(
            cursor: .init(xid: 9, seq: 4), kind: ConversationEvents.MessageCreated.kind, subject: Self.conversation,
            payload: Self.messageJSON)
        #expect(try event.decode(ConversationEvents.MessageCreated.self) == Self.message)
        #expect(event.is(ConversationEvents.MessageCreated.self))
        #expect(throws: DecodingError.self) { try event.decode(ConversationEvents.Closed.self) }
    }

    @Test("the feed carries an event as {cursor, type, subject, payload}")
    func feedJSON() throws {
        let event = StreamEvent(cursor: .init(xid: 9, seq: 4), kind: PoolEvents.Changed.kind, subject: Self.conversation, payload: "{}")
        let encoder = WireJSON.encoder()
        encoder.outputFormatting = .sortedKeys
        #expect(
            String(decoding: try encoder.encode(event), as: UTF8.self)
                == #"{"cursor":"9-4","payload":"{}","subject":"\#(Self.conversation)","type":"pool.changed"}"#)
    }

    @Test(
        "every frame is {type, cursor, data}, its text the same JSON its encoding gives",
        arguments: [
            (StreamFrame(type: .ready, cursor: .init(xid: 5, seq: 1)), #"{"type":"ready","cursor":"5-1","data":{}}"#),
            (StreamFrame(type: .heartbeat, cursor: nil), #"{"type":"heartbeat","cursor":null,"data":{}}"#),
            (
                StreamFrame(type: .resync, cursor: .init(xid: 5, seq: 2), data: RawJSON(#"{"reason":"behind"}"#)),
                #"{"type":"resync","cursor":"5-2","data":{"reason":"behind"}}"#
            ),
            (
                StreamFrame(
                    StreamEvent(cursor: .init(xid: 6, seq: 1), kind: PoolEvents.Changed.kind, subject: thing, payload: #"{"a":"\u003c"}"#)),
                #"{"type":"pool.changed","cursor":"6-1","data":{"a":"\u003c"}}"#
            ),
            (
                StreamFrame.error(APIErrorBody(code: "unauthorized", message: "the \"session\" ended\n")),
                #"{"type":"error","cursor":null,"data":{"error":{"code":"unauthorized","details":{},"message":"the \"session\" ended\n"}}}"#
            ),
        ])
    func frames(frame: StreamFrame, text: String) throws {
        #expect(frame.text == text)
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(frame.text.utf8))
        #expect(parsed == (try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(frame))))
    }

    @Test("a record stored before reading positions and ratings reads them as 0 and none; a typing frame is {conversation_id, author}")
    func liveFeel() throws {
        let old = try WireJSON.decoder().decode(
            ConversationRecord.self,
            from: Data(
                #"{"channel":"chat","created_at":"\#(Self.atText)","customer":{"id":"\#(Self.person)","name":"Ayşe"},"id":"\#(Self.conversation)"}"#
                    .utf8))
        #expect(old == Self.record && old.customerReadSeq == 0 && old.rating == nil)
        let typing = Typing(conversationID: Self.conversation, author: Author(kind: .operator, id: Self.person, name: "Can"))
        let frame = StreamFrame(type: .typing, cursor: .init(xid: 5, seq: 1), data: try RawJSON(encoding: typing))
        #expect(
            frame.text
                == #"{"type":"typing","cursor":"5-1","data":{"author":{"id":"\#(Self.person)","kind":"operator","name":"Can"},"conversation_id":"\#(Self.conversation)"}}"#
        )
    }

    @Test("a string with every kind of character quotes to JSON that reads back the same")
    func quoting() throws {
        let text = "a\"b\\c\nd\u{1}e\u{1F}f\tg\rhé😀"
        #expect(try JSONDecoder().decode(String.self, from: Data(RawJSON.quoted(text).utf8)) == text)
    }
}

/// What appending an event would write: its kind, subject and payload JSON (keys sorted).
struct NewPin {
    var kind: EventKind
    var subject: UUID
    var json: String

    init<E: Event>(_ event: E.Type, _ payload: E.Payload) throws {
        let encoder = WireJSON.encoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        kind = E.kind
        subject = E.subject(of: payload)
        json = String(decoding: try encoder.encode(payload), as: UTF8.self)
    }
}
