import Foundation

/// An operator as the pool knows them: enough to name a holder.
public struct OperatorRef: Codable, Sendable, Hashable {
    public var id: UUID
    public var name: String

    public init(id: UUID, name: String) {
        self.id = id
        self.name = name
    }
}

/// One conversation as the pool sees it: waiting in the Pool, or held by an operator.
public struct PoolItem: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case chat
        case ticket
    }

    public enum Status: String, Codable, Sendable {
        case waiting
        case assigned
        case closed
    }

    public var conversationID: UUID
    public var kind: Kind
    public var status: Status
    public var customerName: String
    public var preview: String
    public var waitingSince: Date
    public var holder: OperatorRef?

    public init(
        conversationID: UUID, kind: Kind, status: Status, customerName: String, preview: String, waitingSince: Date, holder: OperatorRef?
    ) {
        self.conversationID = conversationID
        self.kind = kind
        self.status = status
        self.customerName = customerName
        self.preview = preview
        self.waitingSince = waitingSince
        self.holder = holder
    }

    enum CodingKeys: String, CodingKey {
        case kind, status, preview, holder
        case conversationID = "conversation_id"
        case customerName = "customer_name"
        case waitingSince = "waiting_since"
    }
}

/// One change of holder, kept for the conversation's audit.
public struct AssignmentChange: Codable, Sendable, Hashable {
    public enum How: String, Codable, Sendable {
        /// "Take it on me" from the Pool.
        case take
        /// Taking a colleague's job.
        case takeover
        /// Handed to a colleague.
        case transfer
        /// Given by auto-assign.
        case auto
        /// Back to its last holder when the customer wrote again after it was closed.
        case reopen
        /// Given to them by a colleague from the Tickets screen.
        case assign
    }

    public var conversationID: UUID
    public var from: OperatorRef?
    public var to: OperatorRef
    public var how: How
    public var at: Date

    public init(conversationID: UUID, from: OperatorRef?, to: OperatorRef, how: How, at: Date) {
        self.conversationID = conversationID
        self.from = from
        self.to = to
        self.how = how
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case from, to, how, at
        case conversationID = "conversation_id"
    }
}

/// The payload of `pool.changed`: an item entered or left the Pool.
public struct PoolChange: Codable, Sendable, Hashable {
    public var conversationID: UUID

    public init(conversationID: UUID) { self.conversationID = conversationID }

    enum CodingKeys: String, CodingKey { case conversationID = "conversation_id" }
}
