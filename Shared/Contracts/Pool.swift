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
    /// Since when the customer's oldest message nobody has answered was written; `nil` when
    /// the last word was the desk's.
    public var customerWaitingSince: Date?

    public init(
        conversationID: UUID, kind: Kind, status: Status, customerName: String, preview: String, waitingSince: Date, holder: OperatorRef?,
        customerWaitingSince: Date? = nil
    ) {
        self.conversationID = conversationID
        self.kind = kind
        self.status = status
        self.customerName = customerName
        self.preview = preview
        self.waitingSince = waitingSince
        self.holder = holder
        self.customerWaitingSince = customerWaitingSince
    }

    enum CodingKeys: String, CodingKey {
        case kind, status, preview, holder
        case conversationID = "conversation_id"
        case customerName = "customer_name"
        case waitingSince = "waiting_since"
        case customerWaitingSince = "customer_waiting_since"
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
        /// Back to the Pool (by its holder, an admin, or the desk: `reason` says why).
        case returned
        /// Closed as spam from the Pool without being taken.
        case dismissed
    }

    /// Why the desk itself moved a conversation.
    public enum Reason: String, Codable, Sendable {
        /// Its holder was deactivated.
        case deactivated
        /// Its holder had no console open for `away_after_seconds`.
        case away
    }

    public var conversationID: UUID
    public var from: OperatorRef?
    /// The new holder; `nil` when it went back to the Pool or was dismissed.
    public var to: OperatorRef?
    public var how: How
    public var at: Date
    /// Who made the change when that is neither side (an admin handing on a colleague's job);
    /// `nil` when the taker or holder did it, or the desk itself.
    public var by: OperatorRef?
    public var reason: Reason?

    public init(
        conversationID: UUID, from: OperatorRef?, to: OperatorRef?, how: How, at: Date, by: OperatorRef? = nil, reason: Reason? = nil
    ) {
        self.conversationID = conversationID
        self.from = from
        self.to = to
        self.how = how
        self.at = at
        self.by = by
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case from, to, how, at, by, reason
        case conversationID = "conversation_id"
    }
}

/// The payload of `pool.changed`: an item entered or left the Pool.
public struct PoolChange: Codable, Sendable, Hashable {
    public var conversationID: UUID

    public init(conversationID: UUID) { self.conversationID = conversationID }

    enum CodingKeys: String, CodingKey { case conversationID = "conversation_id" }
}

/// What an operator takes on: live chats, tickets (answered by e-mail), or both. It survives
/// logging out; auto-assign and the Pool's alerts count only operators who are also present.
public struct Availability: Codable, Sendable, Hashable {
    public var chats: Bool
    public var tickets: Bool

    public init(chats: Bool, tickets: Bool) {
        self.chats = chats
        self.tickets = tickets
    }

    public static let off = Availability(chats: false, tickets: false)
}

/// Whether an operator is at the desk, from their console's streams: `online` while one is open
/// (and for `away_after_seconds` after the last one closed: a reload or a short network cut is
/// not leaving), `away` after that, `offline` once they logged out or before they ever came.
public enum Presence: String, Codable, Sendable, Hashable {
    case online
    case away
    case offline
}

/// An operator as the desk's roster knows them: named, with the role that decides who hears of
/// chats waiting too long.
public struct RosterEntry: Codable, Sendable, Hashable {
    public enum Role: String, Codable, Sendable {
        case admin
        case `operator`
    }

    public var id: UUID
    public var name: String
    public var role: Role

    public init(id: UUID, name: String, role: Role) {
        self.id = id
        self.name = name
        self.role = role
    }

    public var ref: OperatorRef { OperatorRef(id: id, name: name) }
}

/// The payload of `pool.alert`: a chat waits, and these operators should hear of it (once per
/// chat and level).
public struct PoolAlert: Codable, Sendable, Hashable {
    public enum Level: Int, Codable, Sendable, Comparable {
        /// It just came into the Pool: every available operator.
        case new = 1
        /// It waited `escalation.after_seconds`: every available operator again.
        case waiting = 2
        /// It waited `escalation.admins_after_seconds`: the admins.
        case admins = 3

        public static func < (left: Level, right: Level) -> Bool { left.rawValue < right.rawValue }
    }

    public var conversationID: UUID
    public var level: Level
    public var customerName: String
    public var waitingSince: Date
    /// At most `PageRequest.limits.upperBound` operators.
    public var recipients: [UUID]

    public init(conversationID: UUID, level: Level, customerName: String, waitingSince: Date, recipients: [UUID]) {
        self.conversationID = conversationID
        self.level = level
        self.customerName = customerName
        self.waitingSince = waitingSince
        self.recipients = recipients
    }

    enum CodingKeys: String, CodingKey {
        case level, recipients
        case conversationID = "conversation_id"
        case customerName = "customer_name"
        case waitingSince = "waiting_since"
    }
}
