import Contracts
import Foundation

/// What a customer, a message and a read must be. Pure: checked before anything is stored.
enum Rules {
    static let maximumName = 200
    static let maximumClientMessageID = 100

    /// The first broken rule of a start, as the error to answer.
    static func check(_ params: ConversationMethods.Start.Params) -> RPCError? {
        let name = params.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { return .invalidParams(field: "params.name", "name must not be empty") }
        if TextRules.hasRefused(params.name) {
            return .invalidParams(field: "params.name", "name must not hold control characters other than tab and newline")
        }
        if name.unicodeScalars.count > maximumName {
            return .invalidParams(field: "params.name", "name must be at most \(maximumName) characters")
        }
        if let email = params.email, !EmailAddress.isPlausible(email) {
            return .invalidParams(field: "params.email", "email must be an address like name@example.com")
        }
        if let draft = params.message { return check(draft, field: "params.message") }
        return nil
    }

    static func check(_ draft: ConversationMethods.Draft, field: String) -> RPCError? {
        if draft.attachmentIDs.count > AttachmentRules.maximumPerMessage {
            return .invalidParams(
                field: "params.attachment_ids", "a message carries at most \(AttachmentRules.maximumPerMessage) attachments")
        }
        if Set(draft.attachmentIDs).count != draft.attachmentIDs.count {
            return .invalidParams(field: "params.attachment_ids", "attachment_ids names a file twice")
        }
        if draft.attachmentIDs.isEmpty, draft.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .invalidParams(field: "\(field).body", "body must not be empty")
        }
        if let excess = MessageBody.excess(draft.body) { return .invalidParams(field: "\(field).body", excess) }
        if TextRules.hasRefused(draft.body) {
            return .invalidParams(field: "\(field).body", "body must not hold control characters other than tab and newline")
        }
        if draft.clientMessageID.isEmpty || draft.clientMessageID.count > maximumClientMessageID {
            return .invalidParams(
                field: "\(field).client_message_id", "client_message_id must be 1 to \(maximumClientMessageID) characters")
        }
        return nil
    }

    static func check(_ params: ConversationMethods.Messages.Params) -> RPCError? {
        if params.afterSeq < 0 { return .invalidParams(field: "params.after_seq", "after_seq must not be negative") }
        if let before = params.beforeSeq {
            if before < 1 { return .invalidParams(field: "params.before_seq", "before_seq must be at least 1") }
            if params.afterSeq != 0 { return .invalidParams(field: "params.before_seq", "give after_seq or before_seq, not both") }
        }
        if !PageRequest.limits.contains(params.limit) {
            return .invalidParams(field: "params.limit", "limit must be 1 to \(PageRequest.limits.upperBound)")
        }
        return nil
    }

    /// Greeting and offline texts: 1 to 1,000 characters, not blank.
    static func check(_ settings: ConversationSettings) -> RPCError? {
        for (field, text) in [("greeting_message", settings.greetingMessage), ("offline_message", settings.offlineMessage)] {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || text.count > 1000 {
                return .invalidParams(field: "params.settings.\(field)", "\(field) must be 1 to 1000 characters")
            }
        }
        let idle = ConversationSettings.idleCloseRange
        if let minutes = settings.idleCloseMinutes, !idle.contains(minutes) {
            return .invalidParams(
                field: "params.settings.idle_close_minutes", "idle_close_minutes must be \(idle.lowerBound) to \(idle.upperBound), or null")
        }
        return nil
    }
}
