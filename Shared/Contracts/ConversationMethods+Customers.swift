import Foundation

/// Why a conversation closed, recorded with the close (`closed_reason` in the API).
public enum CloseReason: String, Codable, Sendable, CaseIterable {
    /// An operator (its holder or an admin) closed it.
    case `operator`
    /// The customer ended the chat from the widget.
    case customer
    /// Nobody wrote for `idle_close_minutes`: the desk closed it.
    case idle
    /// Dismissed from the Pool as spam.
    case dismissed
}

/// A visitor refused from chatting: they were dismissed as spam with "block".
public struct VisitorBlock: Codable, Sendable, Hashable {
    public var visitorID: UUID
    /// The name the customer gave in the chat that was dismissed.
    public var customerName: String
    /// The conversation they were blocked from.
    public var conversationID: UUID?
    public var blockedBy: OperatorRef
    public var blockedAt: Date

    public init(visitorID: UUID, customerName: String, conversationID: UUID?, blockedBy: OperatorRef, blockedAt: Date) {
        self.visitorID = visitorID
        self.customerName = customerName
        self.conversationID = conversationID
        self.blockedBy = blockedBy
        self.blockedAt = blockedAt
    }

    enum CodingKeys: String, CodingKey {
        case visitorID = "visitor_id"
        case customerName = "customer_name"
        case conversationID = "conversation_id"
        case blockedBy = "blocked_by"
        case blockedAt = "blocked_at"
    }
}

extension ConversationMethods {
    /// `conversation.customer`: the customer panel: who they are, their latest conversations
    /// (`limit` of them, newest first; `conversations.next_cursor` goes on with
    /// `conversation.history`), and other customers with the same e-mail (at most
    /// `sameEmailLimit`, newest first): unverified, never merged. `not_found` for no such customer.
    public enum CustomerPanel: RPCMethod {
        public static let name = "conversation.customer"
        public static let isIdempotent = true
        /// Other customers with the same e-mail listed at most.
        public static let sameEmailLimit = 20

        public struct Params: Codable, Sendable, Hashable {
            public var customerID: UUID
            public var limit: Int

            public init(customerID: UUID, limit: Int = 20) {
                self.customerID = customerID
                self.limit = limit
            }

            enum CodingKeys: String, CodingKey {
                case limit
                case customerID = "customer_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            public var customer: Customer
            public var conversations: Page<ConversationRecord>
            public var sameEmail: [Customer]

            public init(customer: Customer, conversations: Page<ConversationRecord>, sameEmail: [Customer]) {
                self.customer = customer
                self.conversations = conversations
                self.sameEmail = sameEmail
            }

            enum CodingKeys: String, CodingKey {
                case customer, conversations
                case sameEmail = "same_email"
            }
        }
    }

    /// `conversation.block`: the visitor of this chat is refused (`blocked`) from starting a chat
    /// or writing from now on. Blocking again keeps the first block. `not_found` for no such
    /// conversation, `not_a_chat` for one without a visitor.
    public enum Block: RPCMethod {
        public static let name = "conversation.block"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var by: OperatorRef

            public init(conversationID: UUID, by: OperatorRef) {
                self.conversationID = conversationID
                self.by = by
            }

            enum CodingKeys: String, CodingKey {
                case by
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = VisitorBlock
    }

    /// `conversation.blocks`: the blocked visitors, the latest first, a page at a time.
    public enum Blocks: RPCMethod {
        public static let name = "conversation.blocks"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var page: PageRequest
            public init(page: PageRequest = .init()) { self.page = page }
        }

        public typealias Result = Page<VisitorBlock>
    }

    /// `conversation.unblock`: lifts a visitor's block; `not_found` when there is none.
    public enum Unblock: RPCMethod {
        public static let name = "conversation.unblock"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var visitorID: UUID
            public init(visitorID: UUID) { self.visitorID = visitorID }
            enum CodingKeys: String, CodingKey { case visitorID = "visitor_id" }
        }

        public typealias Result = Empty
    }
}

extension RPCError.Reason {
    /// The visitor was blocked (dismissed as spam with "block"): no chat, no message.
    public static let blocked = Self(rawValue: "blocked")
}
