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

/// The payload of `mail.queued`: a mail of this ticket was queued (for this message, if it carries one).
public struct MailQueue: Codable, Sendable, Hashable {
    public var ticketID: UUID
    public var messageID: UUID?

    public init(ticketID: UUID, messageID: UUID?) {
        self.ticketID = ticketID
        self.messageID = messageID
    }

    enum CodingKeys: String, CodingKey {
        case ticketID = "ticket_id"
        case messageID = "message_id"
    }
}

/// The payload of `mail.updated`: a mail's new delivery state, for the console's open conversation.
public struct MailUpdate: Codable, Sendable, Hashable {
    public var conversationID: UUID
    public var delivery: MailDelivery

    public init(conversationID: UUID, delivery: MailDelivery) {
        self.conversationID = conversationID
        self.delivery = delivery
    }

    enum CodingKeys: String, CodingKey {
        case delivery
        case conversationID = "conversation_id"
    }
}
