import Contracts
import Foundation
import Mail
import Storage
import Wire

/// Mails that belong to no ticket (a password reset link): queued in the same outbox, so they
/// are sent, retried and leased like every other mail, but no ticket's thread shows them.
enum Notices {
    /// The first thing wrong with a notice, naming its field.
    static func check(_ params: TicketingMethods.SendNotice.Params) -> RPCError? {
        typealias Limits = TicketingMethods.SendNotice.Params
        if !EmailAddress.isPlausible(params.to) { return .invalidParams(field: "params.to", "to must be an e-mail address") }
        let subject = params.subject.trimmingCharacters(in: .whitespaces)
        // A line break in a subject would start a header of the caller's choosing.
        if subject.isEmpty || subject.count > Limits.subjectLimit || subject.contains(where: \.isNewline) || TextRules.hasRefused(subject) {
            return .invalidParams(field: "params.subject", "subject must be 1 to \(Limits.subjectLimit) characters on one line")
        }
        if params.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || params.text.count > Limits.textLimit
            || TextRules.hasRefused(params.text)
        {
            return .invalidParams(field: "params.text", "text must be 1 to \(Limits.textLimit) characters without control characters")
        }
        return nil
    }

    /// The notice as a mail from the desk, marked automatic so that no auto-responder answers it.
    static func letter(_ params: TicketingMethods.SendNotice.Params, from: MailAddress, messageID: String, date: Date) -> OutgoingMail {
        OutgoingMail(
            from: from, to: MailAddress(name: nil, address: params.to), replyTo: nil,
            subject: params.subject.trimmingCharacters(in: .whitespaces), messageID: messageID, inReplyTo: nil, references: [],
            date: date, body: params.text,
            html: HTMLLetter(
                desk: from.name ?? from.address, preview: params.subject, blocks: [.paragraph(params.text)],
                footer: "This e-mail was sent automatically."
            ).rendered(),
            extraHeaders: [("Auto-Submitted", "auto-generated")])
    }

    /// Queues the notice once per caller's id. No `mail.queued` event (that names a ticket): the
    /// senders find it on their next look, within a second.
    static func queue(_ mail: OutgoingMail, id: UUID, in transaction: Transaction) throws {
        try queue(mail, key: "notice:" + id.uuidString.lowercased(), in: transaction)
    }

    /// Queues a mail of no ticket once per `key`; `false` when that key was queued before.
    @discardableResult
    static func queue(_ mail: OutgoingMail, key: String, in transaction: Transaction) throws -> Bool {
        try transaction.query(
            """
            INSERT INTO ticketing.mails (id, key, ticket_id, message_id, header_message_id, sender, recipient, raw)
            VALUES (\(UUID()), \(key), NULL, NULL, \(mail.messageID), \(mail.from.address), \(mail.to.address), \(mail.rendered()))
            ON CONFLICT (key) DO NOTHING
            """
        ).affectedRows == 1
    }

    /// Whether a mail under `key` was queued (and so will be, or was, sent).
    static func isQueued(_ key: String, in transaction: Transaction) throws -> Bool {
        try !transaction.query("SELECT 1 FROM ticketing.mails WHERE key = \(key)").isEmpty
    }
}
