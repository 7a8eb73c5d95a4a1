import Contracts
import Foundation

/// Who a stream is for, and which events it shows them: the pure part of the WebSockets.
///
/// An operator sees the Pool change, every conversation's messages, assignments, closes, reading
/// positions and ratings (any operator may read any conversation) and their own notifications.
/// A visitor sees messages, assignments, closes and reading positions of their own conversations
/// only; the conversations they start while connected join as their `conversation.started`
/// events pass; internal notes are left out of what they see.
struct StreamAudience: Sendable {
    enum Viewer: Sendable, Equatable {
        case `operator`(UUID)
        case visitor(UUID)
    }

    let viewer: Viewer
    /// The visitor's conversations.
    private(set) var conversations: Set<UUID>

    /// The kinds of event this viewer's stream needs to look at; the others are never queued for
    /// it. Set once: every event passes here, for every socket. (One set per kind of viewer,
    /// which every stream shares.)
    let kinds: Set<EventKind>

    static let operatorKinds: Set<EventKind> = [
        ConversationEvents.MessageCreated.kind, PoolEvents.Assigned.kind, PoolEvents.Returned.kind, ConversationEvents.Closed.kind,
        PoolEvents.Changed.kind, NotificationEvents.Created.kind, NotificationEvents.Settled.kind, TicketingEvents.MailUpdated.kind,
        ConversationEvents.Read.kind, ConversationEvents.Rated.kind,
    ]

    static let visitorKinds: Set<EventKind> = [
        ConversationEvents.Started.kind, ConversationEvents.MessageCreated.kind, PoolEvents.Assigned.kind, PoolEvents.Returned.kind,
        ConversationEvents.Closed.kind, ConversationEvents.MovedToEmail.kind, ConversationEvents.Read.kind,
    ]

    init(viewer: Viewer, conversations: [UUID] = []) {
        self.viewer = viewer
        self.conversations = Set(conversations)
        switch viewer {
        case .operator: kinds = Self.operatorKinds
        case .visitor: kinds = Self.visitorKinds
        }
    }

    /// Whether `event` is shown to this viewer. Learns a visitor's new conversations on the way,
    /// so events must pass through here in cursor order.
    mutating func admits(_ event: StreamEvent) -> Bool {
        guard kinds.contains(event.kind) else { return false }
        switch viewer {
        case .operator(let id):
            // Notifications are their one operator's.
            return !(event.is(NotificationEvents.Created.self) || event.is(NotificationEvents.Settled.self)) || event.subject == id
        case .visitor(let id):
            if event.is(ConversationEvents.Started.self) {
                if (try? event.decode(ConversationEvents.Started.self))?.visitorID == id {
                    conversations.insert(event.subject)
                }
                return false
            }
            guard conversations.contains(event.subject) else { return false }
            // The desk's internal notes are never the customer's to see (undecodable: not shown either).
            if event.is(ConversationEvents.MessageCreated.self) {
                return (try? event.decode(ConversationEvents.MessageCreated.self))?.author.kind.isVisibleToCustomer ?? false
            }
            return true
        }
    }
}
