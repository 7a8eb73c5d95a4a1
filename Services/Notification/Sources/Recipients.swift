import Contracts
import Foundation

/// Who is told what about an event: the pure part of the notification service.
enum Recipients {
    /// For a change of holder: the new holder, always; the former one when a colleague took it over.
    static func forAssignment(_ change: AssignmentChange, customer: String) -> [NotificationStore.Draft] {
        var drafts = [
            NotificationStore.Draft(
                operatorID: change.to.id, kind: .assigned, conversationID: change.conversationID,
                text: text(for: change.how, customer: customer, from: change.from))
        ]
        if change.how == .takeover, let from = change.from, from.id != change.to.id {
            drafts.append(
                .init(
                    operatorID: from.id, kind: .takenOver, conversationID: change.conversationID,
                    text: "\(change.to.name) took over your conversation with \(customer)"))
        }
        return drafts
    }

    /// For a customer's message: the holder, if there is one.
    static func forMessage(_ message: Message, holder: OperatorRef?) -> [NotificationStore.Draft] {
        guard message.author.kind == .customer, let holder else { return [] }
        let line = message.body.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
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
        }
    }
}
