import Foundation

/// How a conversation reaches the customer: the widget's live chat, or e-mail (a ticket).
public enum ConversationChannel: String, Codable, Sendable, CaseIterable {
    case chat
    case email
}

/// Who wrote a message.
public struct Author: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case customer
        case `operator`
        case system
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

/// One message of a conversation. `seq` is 1, 2, 3… per conversation, with no gaps.
public struct Message: Codable, Sendable, Hashable {
    public var id: UUID
    public var conversationID: UUID
    public var seq: Int64
    public var author: Author
    public var body: String
    public var clientMessageID: String?
    public var createdAt: Date

    public init(id: UUID, conversationID: UUID, seq: Int64, author: Author, body: String, clientMessageID: String?, createdAt: Date) {
        self.id = id
        self.conversationID = conversationID
        self.seq = seq
        self.author = author
        self.body = body
        self.clientMessageID = clientMessageID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, seq, author, body
        case conversationID = "conversation_id"
        case clientMessageID = "client_message_id"
        case createdAt = "created_at"
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

    public init(
        id: UUID, channel: ConversationChannel, customer: Customer, visitorID: UUID?, createdAt: Date, closedAt: Date?,
        lastMessage: Message?
    ) {
        self.id = id
        self.channel = channel
        self.customer = customer
        self.visitorID = visitorID
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.lastMessage = lastMessage
    }

    enum CodingKeys: String, CodingKey {
        case id, channel, customer
        case visitorID = "visitor_id"
        case createdAt = "created_at"
        case closedAt = "closed_at"
        case lastMessage = "last_message"
    }
}

/// The conversation service's methods.
public enum Conversations {
    /// What is posted: a body and the sender's own id for it, so a retry never duplicates.
    public struct Draft: Codable, Sendable, Hashable {
        public var body: String
        public var clientMessageID: String

        public init(body: String, clientMessageID: String) {
            self.body = body
            self.clientMessageID = clientMessageID
        }

        enum CodingKeys: String, CodingKey {
            case body
            case clientMessageID = "client_message_id"
        }
    }

    /// `conversation.start`: a customer and a conversation, the greeting as message 1 and an
    /// optional first message as message 2. Send an idempotency key: a retry with the same key
    /// returns the same conversation.
    public enum Start: RPCMethod {
        public static let name = "conversation.start"

        public struct Params: Codable, Sendable, Hashable {
            public var channel: ConversationChannel
            public var name: String
            public var email: String?
            /// Keeps one customer across a visitor's chats.
            public var visitorID: UUID?
            public var message: Draft?
            /// The new conversation's id when the caller chooses it (a ticket links to it before it exists).
            public var conversationID: UUID?

            public init(
                channel: ConversationChannel, name: String, email: String?, visitorID: UUID?, message: Draft?, conversationID: UUID? = nil
            ) {
                self.channel = channel
                self.name = name
                self.email = email
                self.visitorID = visitorID
                self.message = message
                self.conversationID = conversationID
            }

            enum CodingKeys: String, CodingKey {
                case channel, name, email, message
                case visitorID = "visitor_id"
                case conversationID = "conversation_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            public var conversation: ConversationRecord
            public var messages: [Message]

            public init(conversation: ConversationRecord, messages: [Message]) {
                self.conversation = conversation
                self.messages = messages
            }
        }
    }

    /// `conversation.post`: appends a message. The same `client_message_id` again returns the
    /// first message (`created: false`). Refused with `closed` once the conversation is closed.
    public enum Post: RPCMethod {
        public static let name = "conversation.post"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var author: Author
            public var draft: Draft

            public init(conversationID: UUID, author: Author, draft: Draft) {
                self.conversationID = conversationID
                self.author = author
                self.draft = draft
            }

            enum CodingKeys: String, CodingKey {
                case author, draft
                case conversationID = "conversation_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            public var message: Message
            public var created: Bool

            public init(message: Message, created: Bool) {
                self.message = message
                self.created = created
            }
        }
    }

    /// `conversation.messages`: a page of messages in `seq` order: the first ones after
    /// `after_seq`, or with `before_seq` the last ones before it (scrolling back). A page stops
    /// at `limit` messages or at `Page.byteBudget` bytes; its `next_cursor` goes on the same way.
    public enum Messages: RPCMethod {
        public static let name = "conversation.messages"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var afterSeq: Int64
            public var beforeSeq: Int64?
            public var limit: Int

            public init(conversationID: UUID, afterSeq: Int64 = 0, beforeSeq: Int64? = nil, limit: Int = PageRequest.defaultLimit) {
                self.conversationID = conversationID
                self.afterSeq = afterSeq
                self.beforeSeq = beforeSeq
                self.limit = limit
            }

            /// Where a page of messages goes on: after a seq, or (a negative key) before one.
            public init(conversationID: UUID, continuing cursor: PageCursor, limit: Int = PageRequest.defaultLimit) {
                if cursor.key < 0 {
                    self.init(conversationID: conversationID, beforeSeq: -cursor.key, limit: limit)
                } else {
                    self.init(conversationID: conversationID, afterSeq: cursor.key, limit: limit)
                }
            }

            enum CodingKeys: String, CodingKey {
                case limit
                case conversationID = "conversation_id"
                case afterSeq = "after_seq"
                case beforeSeq = "before_seq"
            }
        }

        public typealias Result = Page<Message>
    }

    /// `conversation.get`.
    public enum Get: RPCMethod {
        public static let name = "conversation.get"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public init(conversationID: UUID) { self.conversationID = conversationID }
            enum CodingKeys: String, CodingKey { case conversationID = "conversation_id" }
        }

        public typealias Result = ConversationRecord
    }

    /// `conversation.close`: moves it to the Archive. Closing a closed one returns it unchanged.
    public enum Close: RPCMethod {
        public static let name = "conversation.close"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            /// The operator who closed it; the Archive filters by it.
            public var closedBy: OperatorRef?

            public init(conversationID: UUID, closedBy: OperatorRef? = nil) {
                self.conversationID = conversationID
                self.closedBy = closedBy
            }

            enum CodingKeys: String, CodingKey {
                case conversationID = "conversation_id"
                case closedBy = "closed_by"
            }
        }

        public typealias Result = ConversationRecord
    }

    /// One closed conversation in the Archive, as one operator sees it.
    public struct ArchiveEntry: Codable, Sendable, Hashable {
        public var conversation: ConversationRecord
        public var closedBy: OperatorRef?
        /// Hidden from this operator's own view (nothing is deleted).
        public var hidden: Bool

        public init(conversation: ConversationRecord, closedBy: OperatorRef?, hidden: Bool) {
            self.conversation = conversation
            self.closedBy = closedBy
            self.hidden = hidden
        }

        enum CodingKeys: String, CodingKey {
            case conversation, hidden
            case closedBy = "closed_by"
        }
    }

    /// `conversation.archive`: closed conversations, newest first, a page at a time.
    public enum Archive: RPCMethod {
        public static let name = "conversation.archive"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            /// Whose view: their hidden ones are left out unless `include_hidden`.
            public var viewerID: UUID
            /// Words to find in messages, the customer's name or e-mail.
            public var query: String?
            public var closedByID: UUID?
            public var from: Date?
            public var to: Date?
            public var includeHidden: Bool
            public var page: PageRequest

            public init(
                viewerID: UUID, query: String? = nil, closedByID: UUID? = nil, from: Date? = nil, to: Date? = nil,
                includeHidden: Bool = false, page: PageRequest = .init()
            ) {
                self.viewerID = viewerID
                self.query = query
                self.closedByID = closedByID
                self.from = from
                self.to = to
                self.includeHidden = includeHidden
                self.page = page
            }

            enum CodingKeys: String, CodingKey {
                case query, from, to, page
                case viewerID = "viewer_id"
                case closedByID = "closed_by_id"
                case includeHidden = "include_hidden"
            }
        }

        public typealias Result = Page<ArchiveEntry>
    }

    /// `conversation.history`: a page of one customer's conversations (by visitor identity or
    /// customer id), newest first, past ones included.
    public enum History: RPCMethod {
        public static let name = "conversation.history"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var visitorID: UUID?
            public var customerID: UUID?
            public var page: PageRequest

            public init(visitorID: UUID? = nil, customerID: UUID? = nil, page: PageRequest = .init()) {
                self.visitorID = visitorID
                self.customerID = customerID
                self.page = page
            }

            enum CodingKeys: String, CodingKey {
                case page
                case visitorID = "visitor_id"
                case customerID = "customer_id"
            }
        }

        public typealias Result = Page<ConversationRecord>
    }

    /// `conversation.read`: moves one operator's reading position (it never moves back).
    public enum Read: RPCMethod {
        public static let name = "conversation.read"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorID: UUID
            public var conversationID: UUID
            public var seq: Int64

            public init(operatorID: UUID, conversationID: UUID, seq: Int64) {
                self.operatorID = operatorID
                self.conversationID = conversationID
                self.seq = seq
            }

            enum CodingKeys: String, CodingKey {
                case seq
                case operatorID = "operator_id"
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = Empty
    }

    /// `conversation.unread`: per conversation, the messages after the operator's reading position
    /// that someone else wrote.
    public enum Unread: RPCMethod {
        public static let name = "conversation.unread"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorID: UUID
            public var conversationIDs: [UUID]

            public init(operatorID: UUID, conversationIDs: [UUID]) {
                self.operatorID = operatorID
                self.conversationIDs = conversationIDs
            }

            enum CodingKeys: String, CodingKey {
                case operatorID = "operator_id"
                case conversationIDs = "conversation_ids"
            }
        }

        /// Conversation id (lower-case text) → unread count.
        public typealias Result = [String: Int]
    }

    /// `conversation.hide`: hides (or shows again) a closed conversation in one operator's Archive.
    public enum Hide: RPCMethod {
        public static let name = "conversation.hide"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var viewerID: UUID
            public var conversationID: UUID
            public var hidden: Bool

            public init(viewerID: UUID, conversationID: UUID, hidden: Bool) {
                self.viewerID = viewerID
                self.conversationID = conversationID
                self.hidden = hidden
            }

            enum CodingKeys: String, CodingKey {
                case hidden
                case viewerID = "viewer_id"
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = Empty
    }

    /// `conversation.reopen`: a closed conversation becomes open again (the customer wrote back);
    /// `conversation.reopened` follows. Reopening an open one returns it unchanged.
    public enum Reopen: RPCMethod {
        public static let name = "conversation.reopen"
        public static let isIdempotent = true
        public typealias Params = Get.Params
        public typealias Result = ConversationRecord
    }

    /// `conversation.move_to_email`: "Ticket this chat": a live chat continues by e-mail with
    /// the customer's address; `conversation.moved_to_email` follows. Refused with `closed` once closed.
    public enum MoveToEmail: RPCMethod {
        public static let name = "conversation.move_to_email"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var email: String

            public init(conversationID: UUID, email: String) {
                self.conversationID = conversationID
                self.email = email
            }

            enum CodingKeys: String, CodingKey {
                case email
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = ConversationRecord
    }
}
