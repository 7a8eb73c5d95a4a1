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

    /// The desk's name as mails show it: the sender's name, or its address.
    var desk: String { from.name.flatMap { $0.isEmpty ? nil : $0 } ?? from.address }

    /// What an HTML mail of a ticket says below its card.
    func footer(_ ticket: TicketingStore.Ticket) -> String {
        "You are receiving this because you wrote to \(desk). Reply to this e-mail to add to ticket #\(ticket.number)."
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
        let html = HTMLLetter(
            desk: identity.desk, preview: ack,
            blocks: [
                .paragraph(ack), .reference(label: "Your ticket number is", value: "#\(ticket.number)"),
                .paragraph("Your message:"), .quote(ticket.message),
            ],
            footer: identity.footer(ticket))
        return OutgoingMail(
            from: identity.from, to: MailAddress(name: ticket.name, address: ticket.email), replyTo: identity.replyTo(ticket),
            subject: "[#\(ticket.number)] \(ticket.subject)", messageID: messageID, inReplyTo: nil, references: [], date: date,
            body: body, html: html.rendered(), extraHeaders: [("Auto-Submitted", "auto-replied")])
    }

    static func reply(
        _ ticket: TicketingStore.Ticket, message: Message, thread: Thread, identity: MailIdentity, messageID: String, date: Date
    ) -> OutgoingMail {
        let html = HTMLLetter(
            desk: identity.desk, preview: message.body, blocks: [.paragraph(message.body), .signature(message.author.name)],
            footer: identity.footer(ticket))
        var mail = OutgoingMail(
            from: identity.from, to: MailAddress(name: ticket.name, address: ticket.email), replyTo: identity.replyTo(ticket),
            subject: "Re: [#\(ticket.number)] \(ticket.subject)", messageID: messageID, inReplyTo: thread.inReplyTo,
            references: thread.references, date: date, body: "\(message.body)\n\n-- \n\(message.author.name)", html: html.rendered())
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
        let intro = "Our conversation continues by e-mail as ticket #\(ticket.number). Reply to this e-mail to answer."
        let body = """
            \(intro)

            The chat so far:

            \(plainTranscript(messages))
            """
        let html = HTMLLetter(
            desk: identity.desk, preview: intro, blocks: [.paragraph(intro), .paragraph("The chat so far:")] + htmlTranscript(messages),
            footer: identity.footer(ticket))
        return OutgoingMail(
            from: identity.from, to: MailAddress(name: ticket.name, address: ticket.email), replyTo: identity.replyTo(ticket),
            subject: "[#\(ticket.number)] \(ticket.subject)", messageID: messageID, inReplyTo: nil, references: [], date: date, body: body,
            html: html.rendered())
    }

    /// A chat's transcript the customer asked for: the conversation as it stands, from the desk's
    /// address, marked automatic. Replies to it reach the desk's own inbox as a new ticket.
    static func requestedTranscript(
        _ conversation: ConversationRecord, messages: [Message], truncated: Bool, to address: String, identity: MailIdentity,
        messageID: String, date: Date
    ) -> OutgoingMail {
        let started = OutgoingMail.format(conversation.createdAt)
        let intro = "Here is your conversation with \(identity.desk), as you asked. It began on \(started)."
        let gap = truncated ? ["It is a long one: this transcript holds its latest messages, not the earliest."] : []
        let body = ([intro] + gap + [plainTranscript(messages)]).joined(separator: "\n\n")
        let html = HTMLLetter(
            desk: identity.desk, preview: intro, blocks: [.paragraph(intro)] + gap.map { .paragraph($0) } + htmlTranscript(messages),
            footer: "You asked for this transcript from the chat on our website. If you did not, you can ignore this e-mail.")
        return OutgoingMail(
            from: identity.from, to: MailAddress(name: conversation.customer.name, address: address), replyTo: nil,
            subject: "Your conversation with \(identity.desk)", messageID: messageID, inReplyTo: nil, references: [], date: date,
            body: body, html: html.rendered(), extraHeaders: [("Auto-Submitted", "auto-generated")])
    }

    /// Whether the customer may read `message` in a mail (everything they saw in the chat).
    static func isForCustomer(_ message: Message) -> Bool {
        switch message.author.kind {
        case .customer, .operator, .system: true
        // The desk's internal notes never leave it.
        case .note: false
        }
    }

    /// Messages as plain text: who and when above each.
    static func plainTranscript(_ messages: [Message]) -> String {
        messages.map { "\($0.author.name) (\(OutgoingMail.format($0.createdAt))):\n\(words(of: $0))" }.joined(separator: "\n\n")
    }

    /// Messages as the HTML letter's blocks, the desk's own tinted.
    static func htmlTranscript(_ messages: [Message]) -> [HTMLLetter.Block] {
        messages.map {
            .message(
                author: $0.author.name, time: OutgoingMail.format($0.createdAt), body: words(of: $0), fromDesk: $0.author.kind != .customer)
        }
    }

    /// A message's words and, a line each, the names of its files (a transcript names them; the
    /// files themselves stay in the conversation).
    static func words(of message: Message) -> String {
        ([message.body].filter { !$0.isEmpty } + message.attachments.map { "📎 \($0.filename)" }).joined(separator: "\n")
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
