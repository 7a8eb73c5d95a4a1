import Foundation

/// Where one outgoing mail stands, as operators see it on the message it carries.
public struct MailDelivery: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable {
        /// Waiting for its first try or the next one (`next_attempt_at`).
        case queued
        /// The SMTP server accepted it.
        case sent
        /// Refused for good (`last_error` says why), or retried for three days in vain.
        case failed
    }

    /// The conversation message it carries; `nil` for the acknowledgement and the chat transcript.
    public var messageID: UUID?
    public var status: Status
    public var attempts: Int
    public var lastError: String?
    public var nextAttemptAt: Date?
    public var sentAt: Date?

    public init(messageID: UUID?, status: Status, attempts: Int, lastError: String?, nextAttemptAt: Date?, sentAt: Date?) {
        self.messageID = messageID
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
    }

    enum CodingKeys: String, CodingKey {
        case status, attempts
        case messageID = "message_id"
        case lastError = "last_error"
        case nextAttemptAt = "next_attempt_at"
        case sentAt = "sent_at"
    }
}

/// A ticket as operators see it beside its conversation.
public struct TicketSummary: Codable, Sendable, Hashable {
    public var number: Int64
    public var email: String
    public var subject: String
    /// The delivery state of each mail the ticket sent, oldest first.
    public var deliveries: [MailDelivery]

    public init(number: Int64, email: String, subject: String, deliveries: [MailDelivery]) {
        self.number = number
        self.email = email
        self.subject = subject
        self.deliveries = deliveries
    }
}

/// One line of the Tickets screen, as ticketing knows it (the holder is the pool's).
public struct TicketListEntry: Codable, Sendable, Hashable {
    public var number: Int64
    public var conversationID: UUID
    public var name: String
    public var email: String
    public var subject: String
    public var createdAt: Date

    public init(number: Int64, conversationID: UUID, name: String, email: String, subject: String, createdAt: Date) {
        self.number = number
        self.conversationID = conversationID
        self.name = name
        self.email = email
        self.subject = subject
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case number, name, email, subject
        case conversationID = "conversation_id"
        case createdAt = "created_at"
    }
}

extension TicketingMethods {
    /// `ticketing.tickets`: a page of the tickets whose conversation exists, newest first; or,
    /// with `conversation_ids` (at most `PageRequest.limits.upperBound`), the tickets of those
    /// conversations, in one page.
    public enum Tickets: RPCMethod {
        public static let name = "ticketing.tickets"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var page: PageRequest
            public var conversationIDs: [UUID]?

            public init(page: PageRequest = .init(), conversationIDs: [UUID]? = nil) {
                self.page = page
                self.conversationIDs = conversationIDs
            }

            enum CodingKeys: String, CodingKey {
                case page
                case conversationIDs = "conversation_ids"
            }
        }

        public typealias Result = Page<TicketListEntry>
    }

    /// `ticketing.ticket`: the ticket of an e-mail conversation; `not_found` for a chat.
    /// Its deliveries are those of the mails carrying `message_ids` (at most
    /// `PageRequest.limits.upperBound`: the messages on a page) or, without them, the latest 100.
    public enum Ticket: RPCMethod {
        public static let name = "ticketing.ticket"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var messageIDs: [UUID]?

            public init(conversationID: UUID, messageIDs: [UUID]? = nil) {
                self.conversationID = conversationID
                self.messageIDs = messageIDs
            }

            enum CodingKeys: String, CodingKey {
                case conversationID = "conversation_id"
                case messageIDs = "message_ids"
            }
        }

        public typealias Result = TicketSummary
    }

    /// `ticketing.inbound`: one received mail, raw, base64 encoded (mail need not be UTF-8).
    /// Stored before it answers; the same Message-ID again stores nothing.
    public enum Inbound: RPCMethod {
        public static let name = "ticketing.inbound"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var raw: String
            public init(raw: String) { self.raw = raw }
        }

        public struct Result: Codable, Sendable, Hashable {
            public enum Outcome: String, Codable, Sendable {
                /// Added to the ticket it answers.
                case appended
                /// From an unknown sender or thread: a new ticket.
                case created
                /// This Message-ID was received before: nothing stored.
                case duplicate
            }

            public var outcome: Outcome
            public var number: Int64

            public init(outcome: Outcome, number: Int64) {
                self.outcome = outcome
                self.number = number
            }
        }
    }

    /// `ticketing.ticket_chat`: "Ticket this chat": the holder turns a live chat into a ticket
    /// answered by e-mail; the customer gets the chat so far by mail. Doing it again returns the same ticket.
    public enum TicketChat: RPCMethod {
        public static let name = "ticketing.ticket_chat"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var email: String
            public var holder: OperatorRef

            public init(conversationID: UUID, email: String, holder: OperatorRef) {
                self.conversationID = conversationID
                self.email = email
                self.holder = holder
            }

            enum CodingKeys: String, CodingKey {
                case email, holder
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = TicketSummary
    }
}
