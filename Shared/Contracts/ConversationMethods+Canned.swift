import Foundation

/// Whose a canned response is: the whole desk's (admins manage them, every operator uses them)
/// or one operator's own (only they see it).
public enum CannedScope: String, Codable, Sendable, CaseIterable {
    case desk
    case personal
}

/// A canned response: a reply an operator inserts by its shortcut (`/hello` in the composer).
/// Its body may hold placeholders (`{{customer.name}}`), filled in when it is used.
public struct CannedResponse: Codable, Sendable, Hashable {
    public var id: UUID
    public var shortcut: String
    public var title: String
    public var body: String
    public var scope: CannedScope
    /// The operator a personal one belongs to; `nil` for the desk's.
    public var ownerID: UUID?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, shortcut: String, title: String, body: String, scope: CannedScope, ownerID: UUID?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.shortcut = shortcut
        self.title = title
        self.body = body
        self.scope = scope
        self.ownerID = ownerID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, shortcut, title, body, scope
        case ownerID = "owner_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// What is written: the public API's `{shortcut, title, body, scope}`.
public struct CannedDraft: Codable, Sendable, Hashable {
    public var shortcut: String
    public var title: String
    public var body: String
    public var scope: CannedScope

    public init(shortcut: String, title: String, body: String, scope: CannedScope) {
        self.shortcut = shortcut
        self.title = title
        self.body = body
        self.scope = scope
    }
}

/// Who asks, and whether they may manage the desk's canned responses.
public struct CannedActor: Codable, Sendable, Hashable {
    public var id: UUID
    public var admin: Bool

    public init(id: UUID, admin: Bool) {
        self.id = id
        self.admin = admin
    }
}

extension ConversationMethods {
    /// `conversation.canned.list`: the desk's canned responses and the viewer's own, oldest
    /// first, a page at a time; `query` keeps those whose shortcut or title starts with it.
    public enum CannedList: RPCMethod {
        public static let name = "conversation.canned.list"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var viewerID: UUID
            public var query: String?
            public var page: PageRequest

            public init(viewerID: UUID, query: String? = nil, page: PageRequest = .init()) {
                self.viewerID = viewerID
                self.query = query
                self.page = page
            }

            enum CodingKeys: String, CodingKey {
                case query, page
                case viewerID = "viewer_id"
            }
        }

        public typealias Result = Page<CannedResponse>
    }

    /// `conversation.canned.create`: a new one. Refused with `admin_only` for a desk one by a
    /// non-admin, `shortcut_taken` when its scope (or owner) has the shortcut, `limit_reached`
    /// at the cap.
    public enum CannedCreate: RPCMethod {
        public static let name = "conversation.canned.create"

        public struct Params: Codable, Sendable, Hashable {
            public var actor: CannedActor
            public var draft: CannedDraft

            public init(actor: CannedActor, draft: CannedDraft) {
                self.actor = actor
                self.draft = draft
            }
        }

        public typealias Result = CannedResponse
    }

    /// `conversation.canned.update`: replaces one (its scope stays). Another's personal one is
    /// `not_found`; a desk one is `admin_only` to a non-admin.
    public enum CannedUpdate: RPCMethod {
        public static let name = "conversation.canned.update"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var actor: CannedActor
            public var id: UUID
            public var draft: CannedDraft

            public init(actor: CannedActor, id: UUID, draft: CannedDraft) {
                self.actor = actor
                self.id = id
                self.draft = draft
            }
        }

        public typealias Result = CannedResponse
    }

    /// `conversation.canned.delete`: as update decides who may.
    public enum CannedDelete: RPCMethod {
        public static let name = "conversation.canned.delete"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var actor: CannedActor
            public var id: UUID

            public init(actor: CannedActor, id: UUID) {
                self.actor = actor
                self.id = id
            }
        }

        public typealias Result = Empty
    }

    /// `conversation.canned.render`: one the operator may see, its placeholders filled from the
    /// conversation's customer and the operator. The one place placeholders are filled.
    public enum CannedRender: RPCMethod {
        public static let name = "conversation.canned.render"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var `operator`: OperatorRef
            public var id: UUID
            /// Required; absent, the answer is `not_found` for an unknown `id` and `invalid_params` otherwise.
            public var conversationID: UUID?

            public init(operator: OperatorRef, id: UUID, conversationID: UUID?) {
                self.operator = `operator`
                self.id = id
                self.conversationID = conversationID
            }

            enum CodingKeys: String, CodingKey {
                case `operator`, id
                case conversationID = "conversation_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            public var id: UUID
            public var shortcut: String
            public var body: String

            public init(id: UUID, shortcut: String, body: String) {
                self.id = id
                self.shortcut = shortcut
                self.body = body
            }
        }
    }
}

extension RPCError.Reason {
    // The conversation service's refusals for canned responses.
    /// Only an admin manages the desk's canned responses.
    public static let adminOnly = Self(rawValue: "admin_only")
    /// The scope (or the owner) already has a canned response with this shortcut.
    public static let shortcutTaken = Self(rawValue: "shortcut_taken")
    /// The desk, or the operator, has as many as they may have.
    public static let limitReached = Self(rawValue: "limit_reached")
}
