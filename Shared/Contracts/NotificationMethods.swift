import Foundation

/// The notification service's methods.
public enum NotificationMethods {
    /// `notification.list`: a page of an operator's notifications, newest first, with how many
    /// there are in all.
    public enum List: RPCMethod {
        public static let name = "notification.list"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorID: UUID
            public var unreadOnly: Bool
            public var page: PageRequest

            public init(operatorID: UUID, unreadOnly: Bool = false, page: PageRequest = .init()) {
                self.operatorID = operatorID
                self.unreadOnly = unreadOnly
                self.page = page
            }

            enum CodingKeys: String, CodingKey {
                case page
                case operatorID = "operator_id"
                case unreadOnly = "unread_only"
            }
        }

        public typealias Result = Page<OperatorNotification>
    }

    /// `notification.read`: marks one read (`id`), those of one conversation (`conversation_id`),
    /// or all of the operator's (neither); only ever the operator's own.
    public enum Read: RPCMethod {
        public static let name = "notification.read"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorID: UUID
            public var id: UUID?
            public var conversationID: UUID?

            public init(operatorID: UUID, id: UUID?, conversationID: UUID? = nil) {
                self.operatorID = operatorID
                self.id = id
                self.conversationID = conversationID
            }

            enum CodingKeys: String, CodingKey {
                case id
                case operatorID = "operator_id"
                case conversationID = "conversation_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            public var marked: Int
            public init(marked: Int) { self.marked = marked }
        }
    }
}
