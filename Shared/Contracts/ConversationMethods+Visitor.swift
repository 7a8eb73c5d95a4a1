import Foundation

/// A write the widget makes for its visitor (a message, the close, a rating): the conversation
/// must be the visitor's, and every such write counts against one budget a minute, kept by the
/// conversation service in the write's own transaction.
public struct VisitorWrite: Codable, Sendable, Hashable {
    public var visitorID: UUID
    /// Writes the visitor may make in any 60 seconds (`SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE`).
    public var perMinute: Int

    public init(visitorID: UUID, perMinute: Int) {
        self.visitorID = visitorID
        self.perMinute = perMinute
    }

    /// The window the budget counts in, in seconds.
    public static let window = 60
    /// The range a budget may be set in.
    public static let perMinuteRange = 1...100_000_000

    /// `invalid_params` naming the field, if the budget is out of range.
    public func problem(field: String) -> RPCError? {
        Self.perMinuteRange.contains(perMinute)
            ? nil : .invalidParams(field: field + ".per_minute", "per_minute must be 1 to \(Self.perMinuteRange.upperBound)")
    }

    enum CodingKeys: String, CodingKey {
        case visitorID = "visitor_id"
        case perMinute = "per_minute"
    }
}

extension ConversationMethods {
    /// `conversation.visitor_post`: a customer's message from the widget, in one hop: the
    /// conversation must be `visitor`'s (else `not_found`), the visitor within their budget (else
    /// `rate_limited` with `retry_after`), not blocked, the chat open. The author is the
    /// conversation's customer. A retry of a stored message (same `client_message_id`) answers
    /// it with `created: false` and is not counted.
    public enum VisitorPost: RPCMethod {
        public static let name = "conversation.visitor_post"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var visitor: VisitorWrite
            public var draft: Draft

            public init(conversationID: UUID, visitor: VisitorWrite, draft: Draft) {
                self.conversationID = conversationID
                self.visitor = visitor
                self.draft = draft
            }

            enum CodingKeys: String, CodingKey {
                case visitor, draft
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = Post.Result
    }
}
