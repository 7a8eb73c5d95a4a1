import Contracts
import Foundation

/// Who is told what about an event: the pure part of the notification service.
enum Recipients {
    /// For a change of holder: the new holder, always; the former one when a colleague took it over.
    static func forAssignment(_ change: AssignmentChange, customer: String) -> [NotificationStore.Draft] {
        guard let to = change.to else { return [] }
        var drafts = [
            NotificationStore.Draft(
                operatorID: to.id, kind: .assigned, conversationID: change.conversationID,
                text: text(for: change.how, customer: customer, from: change.from))
        ]
        if change.how == .takeover, let from = change.from, from.id != to.id {
            drafts.append(
                .init(
                    operatorID: from.id, kind: .takenOver, conversationID: change.conversationID,
                    text: "\(to.name) took over your conversation with \(customer)"))
        }
        return drafts
    }

    /// For a customer's message: the holder, if there is one.
    static func forMessage(_ message: Message, holder: OperatorRef?) -> [NotificationStore.Draft] {
        guard message.author.kind == .customer, let holder else { return [] }
        let line = message.firstLine
        let preview = line.count > 80 ? String(line.prefix(79)) + "…" : line
        return [
            .init(operatorID: holder.id, kind: .message, conversationID: message.conversationID, text: "\(message.author.name): \(preview)")
        ]
    }

    static func text(for how: AssignmentChange.How, customer: String, from: OperatorRef?) -> String {
        switch how {
        case .take: "You took the conversation with \(customer)"
        case .auto: "\(customer) was given to you"
        case .transfer: "\(from?.name ?? "A colleague") handed you the conversation with \(customer)"
        case .takeover: "You took over the conversation with \(customer)" + (from.map { " from \($0.name)" } ?? "")
        case .reopen: "\(customer) wrote again: the conversation is back with you"
        case .assign: "You were given the ticket of \(customer)" + (from.map { " (it was with \($0.name))" } ?? "")
        case .returned: "The conversation with \(customer) went back to the Pool"
        case .dismissed: "The chat of \(customer) was dismissed as spam"
        }
    }

    /// For a chat waiting in the Pool: each operator the pool named.
    static func forAlert(_ alert: PoolAlert, now: Date) -> [NotificationStore.Draft] {
        let waited = Self.duration(now.timeIntervalSince(alert.waitingSince))
        let (kind, text): (OperatorNotification.Kind, String) =
            switch alert.level {
            case .new: (.poolWaiting, "\(alert.customerName) is waiting in the Pool")
            case .waiting: (.poolWaitingLong, "\(alert.customerName) has waited \(waited) in the Pool")
            case .admins: (.poolWaitingLong, "\(alert.customerName) has waited \(waited) in the Pool and nobody has taken it")
            }
        return alert.recipients.map { .init(operatorID: $0, kind: kind, conversationID: alert.conversationID, text: text) }
    }

    /// "45 s", "3 min", "2 h 5 min": how long, as a person says it.
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = max(0, Int(seconds))
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min" }
        let minutes = (whole % 3600) / 60
        return "\(whole / 3600) h" + (minutes > 0 ? " \(minutes) min" : "")
    }
}
