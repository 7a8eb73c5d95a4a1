import Foundation

/// How a conversation reaches the customer: the widget's live chat, or e-mail (a ticket).
public enum ConversationChannel: String, Codable, Sendable, CaseIterable {
    case chat
    case email
}

extension Author.Kind {
    /// Whether the customer sees what this author wrote: everything but the desk's internal notes.
    public var isVisibleToCustomer: Bool { self != .note }
}

/// Who wrote a message.
public struct Author: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case customer
        case `operator`
        case system
        /// An operator's internal note: in the operators' timeline only, never shown to the
        /// customer nor mailed (`id` and `name` are the operator's).
        case note
    }

    public var kind: Kind
    /// The customer's or operator's id; `nil` for the system (the greeting).
    public var id: UUID?
    public var name: String

    public init(kind: Kind, id: UUID?, name: String) {
        self.kind = kind
        self.id = id
        self.name = name
    }
}

/// One message of a conversation. `seq` is 1, 2, 3… per conversation, with no gaps; internal
/// notes take their places in it too, so the customer's view (notes left out) may skip numbers.
public struct Message: Codable, Sendable, Hashable {
    public var id: UUID
    public var conversationID: UUID
    public var seq: Int64
    public var author: Author
    public var body: String
    public var clientMessageID: String?
    public var createdAt: Date
    /// The files it carries, in the order they were attached; absent on the wire when none (so
    /// messages and events from before attachments read the same).
    public var attachments: [Attachment]

    public init(
        id: UUID, conversationID: UUID, seq: Int64, author: Author, body: String, clientMessageID: String?, createdAt: Date,
        attachments: [Attachment] = []
    ) {
        self.id = id
        self.conversationID = conversationID
        self.seq = seq
        self.author = author
        self.body = body
        self.clientMessageID = clientMessageID
        self.createdAt = createdAt
        self.attachments = attachments
    }

    enum CodingKeys: String, CodingKey {
        case id, seq, author, body, attachments
        case conversationID = "conversation_id"
        case clientMessageID = "client_message_id"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(UUID.self, forKey: .id)
        conversationID = try container.decode(UUID.self, forKey: .conversationID)
        seq = try container.decode(Int64.self, forKey: .seq)
        author = try container.decode(Author.self, forKey: .author)
        body = try container.decode(String.self, forKey: .body)
        clientMessageID = try container.decodeIfPresent(String.self, forKey: .clientMessageID)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        attachments = try container.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(conversationID, forKey: .conversationID)
        try container.encode(seq, forKey: .seq)
        try container.encode(author, forKey: .author)
        try container.encode(body, forKey: .body)
        try container.encode(clientMessageID, forKey: .clientMessageID)
        try container.encode(createdAt, forKey: .createdAt)
        if !attachments.isEmpty { try container.encode(attachments, forKey: .attachments) }
    }
}

/// The person a conversation is with.
public struct Customer: Codable, Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var email: String?

    public init(id: UUID, name: String, email: String?) {
        self.id = id
        self.name = name
        self.email = email
    }
}

/// A conversation as the conversation service knows it (assignment is the pool's to add).
public struct ConversationRecord: Codable, Sendable, Hashable {
    public var id: UUID
    public var channel: ConversationChannel
    public var customer: Customer
    /// The visitor identity that may read it through the widget.
    public var visitorID: UUID?
    public var createdAt: Date
    public var closedAt: Date?
    public var lastMessage: Message?
    /// Why it closed (with `closed_at`); `nil` while open, and for closes from before reasons were kept.
    public var closedReason: CloseReason?
    /// How far the customer has read (0: nothing yet); it never moves back.
    public var customerReadSeq: Int64
    /// How far the desk has read: the furthest any operator read (0: nothing yet).
    public var operatorReadSeq: Int64
    /// The customer's rating, once given after the close.
    public var rating: Rating?

    public init(
        id: UUID, channel: ConversationChannel, customer: Customer, visitorID: UUID?, createdAt: Date, closedAt: Date?,
        lastMessage: Message?, closedReason: CloseReason? = nil, customerReadSeq: Int64 = 0, operatorReadSeq: Int64 = 0,
        rating: Rating? = nil
    ) {
        self.id = id
        self.channel = channel
        self.customer = customer
        self.visitorID = visitorID
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.lastMessage = lastMessage
        self.closedReason = closedReason
        self.customerReadSeq = customerReadSeq
        self.operatorReadSeq = operatorReadSeq
        self.rating = rating
    }

    enum CodingKeys: String, CodingKey {
        case id, channel, customer, rating
        case visitorID = "visitor_id"
        case createdAt = "created_at"
        case closedAt = "closed_at"
        case lastMessage = "last_message"
        case closedReason = "closed_reason"
        case customerReadSeq = "customer_read_seq"
        case operatorReadSeq = "operator_read_seq"
    }

    /// Events stored before reading positions were kept have none: they read as 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(UUID.self, forKey: .id), channel: try container.decode(ConversationChannel.self, forKey: .channel),
            customer: try container.decode(Customer.self, forKey: .customer),
            visitorID: try container.decodeIfPresent(UUID.self, forKey: .visitorID),
            createdAt: try container.decode(Date.self, forKey: .createdAt),
            closedAt: try container.decodeIfPresent(Date.self, forKey: .closedAt),
            lastMessage: try container.decodeIfPresent(Message.self, forKey: .lastMessage),
            closedReason: try container.decodeIfPresent(CloseReason.self, forKey: .closedReason),
            customerReadSeq: try container.decodeIfPresent(Int64.self, forKey: .customerReadSeq) ?? 0,
            operatorReadSeq: try container.decodeIfPresent(Int64.self, forKey: .operatorReadSeq) ?? 0,
            rating: try container.decodeIfPresent(Rating.self, forKey: .rating))
    }
}

/// How the customer rated a closed conversation: once, 1 to 5, with an optional comment.
public struct Rating: Codable, Sendable, Hashable {
    public var score: Int
    public var comment: String?
    public var createdAt: Date

    public init(score: Int, comment: String?, createdAt: Date) {
        self.score = score
        self.comment = comment
        self.createdAt = createdAt
    }

    /// The scores a customer may give.
    public static let scores = 1...5
    /// The longest comment, in Unicode scalars.
    public static let maximumComment = 1_000

    enum CodingKeys: String, CodingKey {
        case score, comment
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(score, forKey: .score)
        // Always written, `null` without one.
        try container.encode(comment, forKey: .comment)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
