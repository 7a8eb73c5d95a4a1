import Contracts
import Foundation
import Mail

/// Who the suite's mail is from and where replies go.
struct MailIdentity: Sendable {
    var from: MailAddress
    /// Plus-addressed with each ticket's number and token.
    var replyBase: MailAddress

    /// `support+t1001-<token>@example.com`: the token alone finds the ticket; the number is for people.
    func replyTo(_ ticket: TicketingStore.Ticket) -> MailAddress {
        let parts = replyBase.address.split(separator: "@", maxSplits: 1)
        let local = parts.first.map(String.init) ?? "support"
        let domain = parts.count > 1 ? String(parts[1]) : "localhost"
        return MailAddress(name: from.name, address: "\(local)+t\(ticket.number)-\(ticket.replyToken)@\(domain)")
    }

    /// The ticket number and token in a reply address, if `address` is one.
    static func token(in address: String) -> (number: Int64, token: String)? {
        guard let plus = address.firstIndex(of: "+"), let at = address.lastIndex(of: "@"), plus < at else { return nil }
        let tag = address[address.index(after: plus)..<at].lowercased()
        guard tag.hasPrefix("t"), let dash = tag.firstIndex(of: "-"), let number = Int64(tag[tag.index(after: tag.startIndex)..<dash])
        else { return nil }
        let token = String(tag[tag.index(after: dash)...])
        guard token.count == 32, token.allSatisfy(\.isHexDigit) else { return nil }
        return (number, token)
    }
}

/// The mails a ticket sends, composed without I/O: the clock and the ids are given.
enum Letters {
    /// The Message-IDs of a ticket's thread so far, oldest first, and the customer's latest.
    struct Thread: Sendable {
        var ids: [String] = []
        var latestFromCustomer: String?

        /// The customer's last mail when there is one (the reply answers it), else our last mail.
        var inReplyTo: String? { latestFromCustomer ?? ids.last }

        /// The whole thread, shortened to the first and the last 19 ids as long threads are.
        var references: [String] { ids.count <= 20 ? ids : [ids[0]] + ids.suffix(19) }
    }

    /// A ticket's subject from the first words of its first message.
    static func subject(from message: String) -> String {
        let line = message.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if line.isEmpty { return "Your message" }
        return line.count > 60 ? String(line.prefix(59)) + "…" : line
    }

    static func acknowledgement(
        _ ticket: TicketingStore.Ticket, ack: String, identity: MailIdentity, messageID: String, date: Date
    ) -> OutgoingMail {
        let body = """
            \(ack)

            Your ticket number is #\(ticket.number). Reply to this e-mail to add to it.

            Your message:
            \(quote(ticket.message))
            """
        return OutgoingMail(
            from: identity.from, to: MailAddress(name: ticket.name, address: ticket.email), replyTo: identity.replyTo(ticket),
            subject: "[#\(ticket.number)] \(ticket.subject)", messageID: messageID, inReplyTo: nil, references: [], date: date,
            body: body, extraHeaders: [("Auto-Submitted", "auto-replied")])
    }

    static func reply(
        _ ticket: TicketingStore.Ticket, message: Message, thread: Thread, identity: MailIdentity, messageID: String, date: Date
    ) -> OutgoingMail {
        var mail = OutgoingMail(
            from: identity.from, to: MailAddress(name: ticket.name, address: ticket.email), replyTo: identity.replyTo(ticket),
            subject: "Re: [#\(ticket.number)] \(ticket.subject)", messageID: messageID, inReplyTo: thread.inReplyTo,
            references: thread.references, date: date, body: "\(message.body)\n\n-- \n\(message.author.name)")
        // The message's files go with it, as parts whose bytes are read at send time.
        mail.attachments = message.attachments.map {
            OutgoingAttachment(id: $0.id.uuidString.lowercased(), filename: $0.filename, contentType: $0.contentType)
        }
        return mail
    }

    /// The chat so far, for a chat made a ticket: from here on it continues by mail.
    static func transcript(
        _ ticket: TicketingStore.Ticket, messages: [Message], identity: MailIdentity, messageID: String, date: Date
    ) -> OutgoingMail {
        let lines = messages.map { message in
            "\(message.author.name) (\(OutgoingMail.format(message.createdAt))):\n\(message.body)"
        }
        let body = """
            Our conversation continues by e-mail as ticket #\(ticket.number). Reply to this e-mail to answer.

            The chat so far:

            \(lines.joined(separator: "\n\n"))
            """
        return OutgoingMail(
            from: identity.from, to: MailAddress(name: ticket.name, address: ticket.email), replyTo: identity.replyTo(ticket),
            subject: "[#\(ticket.number)] \(ticket.subject)", messageID: messageID, inReplyTo: nil, references: [], date: date, body: body)
    }

    static func quote(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "> \($0)" }.joined(separator: "\n")
    }
}

/// When a mail that failed for now is tried again.
enum Backoff {
    /// `base`, doubling with each attempt, at most an hour.
    static func delay(afterAttempt attempt: Int, base: Duration) -> Duration {
        let factor = 1 << min(max(attempt - 1, 0), 20)
        return min(base * factor, .seconds(3600))
    }

    /// Temporary failures are retried for three days, as mail servers do; then the mail fails.
    static let giveUpAfter: Duration = .seconds(3 * 24 * 3600)
}
