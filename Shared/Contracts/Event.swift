import Foundation

/// The name of one kind of outbox event, `owner.happening` (`message.created`). The constants
/// below are every kind there is; `Event` ties each to the one payload type it carries.
public struct EventKind: WireWord {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// One kind of outbox event: its name, the payload it carries, and what it is about.
///
/// The writer appends `(Kind.self, payload)` and the reader decodes `Kind.Payload` from the
/// stored JSON: a kind's name and document cannot drift apart.
public protocol Event {
    associatedtype Payload: Codable & Sendable
    static var kind: EventKind { get }
    /// What the event is about (usually the conversation): readers filter and key idempotency on it.
    static func subject(of payload: Payload) -> UUID
}

/// The conversation service's events.
public enum ConversationEvents {
    /// A customer started a conversation (chat, or e-mail for a ticket).
    public enum Started: Event {
        public static let kind = EventKind(rawValue: "conversation.started")
        public static func subject(of payload: ConversationRecord) -> UUID { payload.id }
    }

    /// A message was written; the payload is the message as stored.
    public enum MessageCreated: Event {
        public static let kind = EventKind(rawValue: "message.created")
        public static func subject(of payload: Message) -> UUID { payload.conversationID }
    }

    /// It was closed: it leaves the Pool and Messages for the Archive.
    public enum Closed: Event {
        public static let kind = EventKind(rawValue: "conversation.closed")
        public static func subject(of payload: ConversationRecord) -> UUID { payload.id }
    }

    /// The customer wrote again after it was closed.
    public enum Reopened: Event {
        public static let kind = EventKind(rawValue: "conversation.reopened")
        public static func subject(of payload: ConversationRecord) -> UUID { payload.id }
    }

    /// A chat goes on by e-mail: it is a ticket from now on.
    public enum MovedToEmail: Event {
        public static let kind = EventKind(rawValue: "conversation.moved_to_email")
        public static func subject(of payload: ConversationRecord) -> UUID { payload.id }
    }
}

/// The pool service's events.
public enum PoolEvents {
    /// A conversation changed hands (taken, taken over, handed on, given by auto-assign).
    public enum Assigned: Event {
        public static let kind = EventKind(rawValue: "conversation.assigned")
        public static func subject(of payload: AssignmentChange) -> UUID { payload.conversationID }
    }

    /// A conversation went back to the Pool (returned by its holder or an admin, its holder
    /// deactivated or away): its customer waits again.
    public enum Returned: Event {
        public static let kind = EventKind(rawValue: "conversation.returned")
        public static func subject(of payload: AssignmentChange) -> UUID { payload.conversationID }
    }

    /// A chat waits and operators should hear of it: new in the Pool, waiting long, waiting
    /// longer still (the admins).
    public enum Alert: Event {
        public static let kind = EventKind(rawValue: "pool.alert")
        public static func subject(of payload: PoolAlert) -> UUID { payload.conversationID }
    }

    /// An item entered, changed in or left the Pool.
    public enum Changed: Event {
        public static let kind = EventKind(rawValue: "pool.changed")
        public static func subject(of payload: PoolChange) -> UUID { payload.conversationID }
    }
}

/// The notification service's events.
public enum NotificationEvents {
    /// A notification for one operator (the bell); the subject is that operator.
    public enum Created: Event {
        public static let kind = EventKind(rawValue: "notification.created")
        public static func subject(of payload: OperatorNotification) -> UUID { payload.operatorID }
    }

    /// Some of one operator's notifications were marked read by the desk, not by them (a chat
    /// the Pool's alerts were about was taken); the subject is that operator.
    public enum Settled: Event {
        public static let kind = EventKind(rawValue: "notification.settled")
        public static func subject(of payload: NotificationSettlement) -> UUID { payload.operatorID }
    }
}

/// The ticketing service's events.
public enum TicketingEvents {
    /// A mail was queued; wakes every sender.
    public enum MailQueued: Event {
        public static let kind = EventKind(rawValue: "mail.queued")
        public static func subject(of payload: MailQueue) -> UUID { payload.ticketID }
    }

    /// A mail's delivery state changed, for the console showing its conversation.
    public enum MailUpdated: Event {
        public static let kind = EventKind(rawValue: "mail.updated")
        public static func subject(of payload: MailUpdate) -> UUID { payload.conversationID }
    }
}

extension EventKind {
    /// Every kind of event, for readers that name what they follow.
    public static let all: [EventKind] = [
        ConversationEvents.Started.kind, ConversationEvents.MessageCreated.kind, ConversationEvents.Closed.kind,
        ConversationEvents.Reopened.kind, ConversationEvents.MovedToEmail.kind, PoolEvents.Assigned.kind, PoolEvents.Returned.kind,
        PoolEvents.Alert.kind, PoolEvents.Changed.kind, NotificationEvents.Created.kind, NotificationEvents.Settled.kind,
        TicketingEvents.MailQueued.kind, TicketingEvents.MailUpdated.kind, ConversationEvents.Read.kind, ConversationEvents.Rated.kind,
    ]
}

/// An event read back: its kind and subject, and its payload still as the JSON text stored, so
/// a reader that passes it on (the gateway to browsers) never decodes it, and one that uses it
/// decodes it once, into its kind's own type.
public struct StreamEvent: Codable, Sendable, Hashable {
    public var cursor: EventCursor
    public var kind: EventKind
    public var subject: UUID
    /// The payload's JSON document as text.
    public var payload: String

    public init(cursor: EventCursor, kind: EventKind, subject: UUID, payload: String) {
        self.cursor = cursor
        self.kind = kind
        self.subject = subject
        self.payload = payload
    }

    /// Whether it is of kind `E`.
    public func `is`<E: Event>(_ event: E.Type) -> Bool { kind == E.kind }

    /// Its payload as `E`'s; an error if it is another kind or does not decode.
    public func decode<E: Event>(_ event: E.Type) throws -> E.Payload {
        guard kind == E.kind else {
            throw DecodingError.typeMismatch(
                E.Payload.self, .init(codingPath: [], debugDescription: "a \(kind) event read as \(E.kind)"))
        }
        return try WireJSON.decoder().decode(E.Payload.self, from: Data(payload.utf8))
    }

    enum CodingKeys: String, CodingKey {
        case cursor, subject, payload
        case kind = "type"
    }
}
