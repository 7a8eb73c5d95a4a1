import Contracts
import Foundation

/// Who a stream is for, and which events it shows them: the pure part of the WebSockets.
///
/// An operator sees the Pool change, every conversation's messages, assignments and closes
/// (any operator may read any conversation) and their own notifications. A visitor sees
/// messages, assignments and closes of their own conversations only; the conversations they
/// start while connected join as their `conversation.started` events pass.
struct StreamAudience: Sendable {
    enum Viewer: Sendable, Equatable {
        case `operator`(UUID)
        case visitor(UUID)
    }

    let viewer: Viewer
    /// The visitor's conversations (lowercased ids, as event subjects carry them).
    private(set) var conversations: Set<String>

    init(viewer: Viewer, conversations: [UUID] = []) {
        self.viewer = viewer
        self.conversations = Set(conversations.map { $0.uuidString.lowercased() })
    }

    /// The event types this viewer's stream needs to look at; the others are never queued for it.
    var types: Set<String> {
        switch viewer {
        case .operator:
            ["message.created", "conversation.assigned", "conversation.closed", "pool.changed", "notification.created", "mail.updated"]
        case .visitor:
            ["conversation.started", "message.created", "conversation.assigned", "conversation.closed"]
        }
    }

    /// Whether `event` is shown to this viewer. Learns a visitor's new conversations on the way,
    /// so events must pass through here in cursor order.
    mutating func admits(_ event: StreamEvent) -> Bool {
        guard types.contains(event.type) else { return false }
        switch viewer {
        case .operator(let id):
            return event.type != "notification.created" || event.subject == id.uuidString.lowercased()
        case .visitor(let id):
            if event.type == "conversation.started" {
                if (try? WireJSON.decoder().decode(Started.self, from: Data(event.payload.utf8)))?.visitorID == id {
                    conversations.insert(event.subject)
                }
                return false
            }
            return conversations.contains(event.subject)
        }
    }
}

/// The one member of a `conversation.started` payload a visitor's stream reads.
private struct Started: Decodable {
    var visitorID: UUID?
    enum CodingKeys: String, CodingKey { case visitorID = "visitor_id" }
}
