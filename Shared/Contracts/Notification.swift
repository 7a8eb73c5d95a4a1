import Foundation

/// An operator's notifications the desk marked read on its own (the chat they were about was
/// taken): their console counts its bell again.
public struct NotificationSettlement: Codable, Sendable, Hashable {
    public var operatorID: UUID
    public var conversationID: UUID
    /// How many of theirs were marked read.
    public var count: Int

    public init(operatorID: UUID, conversationID: UUID, count: Int) {
        self.operatorID = operatorID
        self.conversationID = conversationID
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case count
        case operatorID = "operator_id"
        case conversationID = "conversation_id"
    }
}

/// One entry under the bell in the upper right corner of an operator's console.
public struct OperatorNotification: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// A conversation fell into my Messages (take, auto-assign, transfer to me).
        case assigned
        /// A colleague took my job.
        case takenOver = "taken_over"
        /// The customer wrote in a conversation I hold.
        case message
        /// A new chat waits in the Pool (told to every available operator).
        case poolWaiting = "pool.waiting"
        /// A chat has waited in the Pool too long (everyone available, then the admins).
        case poolWaitingLong = "pool.waiting_long"
    }

    public var id: UUID
    /// Whose bell it is under.
    public var operatorID: UUID
    public var kind: Kind
    public var conversationID: UUID
    public var text: String
    public var createdAt: Date
    public var readAt: Date?

    public init(id: UUID, operatorID: UUID, kind: Kind, conversationID: UUID, text: String, createdAt: Date, readAt: Date?) {
        self.id = id
        self.operatorID = operatorID
        self.kind = kind
        self.conversationID = conversationID
        self.text = text
        self.createdAt = createdAt
        self.readAt = readAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, text
        case operatorID = "operator_id"
        case conversationID = "conversation_id"
        case createdAt = "created_at"
        case readAt = "read_at"
    }
}
