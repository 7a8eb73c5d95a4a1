import Foundation

/// The conversation service's methods.
public enum ConversationMethods {
    /// What is posted: a body and the sender's own id for it, so a retry never duplicates.
    public struct Draft: Codable, Sendable, Hashable {
        public var body: String
        public var clientMessageID: String
        /// Uploads of the author's, in this conversation and attached nowhere yet; the body may
        /// be empty when there are some.
        public var attachmentIDs: [UUID]

        public init(body: String, clientMessageID: String, attachmentIDs: [UUID] = []) {
            self.body = body
            self.clientMessageID = clientMessageID
            self.attachmentIDs = attachmentIDs
        }

        enum CodingKeys: String, CodingKey {
            case body
            case clientMessageID = "client_message_id"
            case attachmentIDs = "attachment_ids"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            body = try container.decode(String.self, forKey: .body)
            clientMessageID = try container.decode(String.self, forKey: .clientMessageID)
            attachmentIDs = try container.decodeIfPresent([UUID].self, forKey: .attachmentIDs) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(body, forKey: .body)
            try container.encode(clientMessageID, forKey: .clientMessageID)
            if !attachmentIDs.isEmpty { try container.encode(attachmentIDs, forKey: .attachmentIDs) }
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
            /// Internal notes too: the operators' timeline. Left out unless asked for, so a caller
            /// that forgets shows the customer nothing of the desk's notes.
            public var includeNotes: Bool

            public init(
                conversationID: UUID, afterSeq: Int64 = 0, beforeSeq: Int64? = nil, limit: Int = PageRequest.defaultLimit,
                includeNotes: Bool = false
            ) {
                self.conversationID = conversationID
                self.afterSeq = afterSeq
                self.beforeSeq = beforeSeq
                self.limit = limit
                self.includeNotes = includeNotes
            }

            /// Where a page of messages goes on: after a seq, or (a negative key) before one.
            public init(conversationID: UUID, continuing cursor: PageCursor, limit: Int = PageRequest.defaultLimit) {
                if cursor.key < 0 {
                    self.init(conversationID: conversationID, beforeSeq: -cursor.key, limit: limit)
                } else {
                    self.init(conversationID: conversationID, afterSeq: cursor.key, limit: limit)
                }
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                self.init(
                    conversationID: try container.decode(UUID.self, forKey: .conversationID),
                    afterSeq: try container.decode(Int64.self, forKey: .afterSeq),
                    beforeSeq: try container.decodeIfPresent(Int64.self, forKey: .beforeSeq),
                    limit: try container.decode(Int.self, forKey: .limit),
                    includeNotes: try container.decodeIfPresent(Bool.self, forKey: .includeNotes) ?? false)
            }

            enum CodingKeys: String, CodingKey {
                case limit
                case conversationID = "conversation_id"
                case afterSeq = "after_seq"
                case beforeSeq = "before_seq"
                case includeNotes = "include_notes"
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
            /// Why; absent: `operator` when `closed_by` is given.
            public var reason: CloseReason?
            /// The visitor closing it from the widget: the conversation must be theirs, and
            /// closing an open one counts against their budget.
            public var visitor: VisitorWrite?

            public init(conversationID: UUID, closedBy: OperatorRef? = nil, reason: CloseReason? = nil, visitor: VisitorWrite? = nil) {
                self.conversationID = conversationID
                self.closedBy = closedBy
                self.reason = reason
                self.visitor = visitor
            }

            enum CodingKeys: String, CodingKey {
                case reason, visitor
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

    /// `conversation.overview`: these conversations (at most `PageRequest.limits.upperBound`),
    /// each with how many messages in it the operator has not read, in the order asked; one the
    /// service does not know is left out. Messages' one call for what the pool's page names.
    public enum Overview: RPCMethod {
        public static let name = "conversation.overview"
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

        public struct Entry: Codable, Sendable, Hashable {
            public var conversation: ConversationRecord
            /// Messages after the operator's reading position, their own left out.
            public var unread: Int

            public init(conversation: ConversationRecord, unread: Int) {
                self.conversation = conversation
                self.unread = unread
            }
        }

        public typealias Result = [Entry]
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

    /// `conversation.settings.get`: the conversation service's part of Customizations.
    public enum GetSettings: RPCMethod {
        public static let name = "conversation.settings.get"
        public static let isIdempotent = true
        public typealias Params = Empty
        public typealias Result = ConversationSettings
    }

    /// `conversation.settings.put`: saves it (or, with `dry_run`, only validates it).
    public enum PutSettings: RPCMethod {
        public static let name = "conversation.settings.put"
        public static let isIdempotent = true
        public typealias Params = SettingsPut<ConversationSettings>
        public typealias Result = ConversationSettings
    }
}
