import Contracts
import Foundation
import Mail
import Storage

/// Received mail: stored once per Message-ID with the ticket it belongs to, then added to that
/// ticket's conversation (a step the sweeper finishes if the conversation service was away).
enum Inbound {
    /// What storing a received mail did.
    enum Stored: Sendable {
        case duplicate(number: Int64)
        /// A reply to `ticket`; `key` names the stored mail still to be added to its conversation.
        case reply(ticket: TicketingStore.Ticket, key: String)
        /// A new ticket from an unknown sender or thread, to be opened like an offline message.
        case newTicket(TicketingStore.Ticket)
    }

    /// The dedup key: the Message-ID, or for a mail without one a digest of its bytes.
    static func key(_ mail: InboundMail, digest: Digest) -> String {
        mail.messageID.map { String($0.prefix(900)) } ?? "sha-\(digest.hex)"
    }

    /// The text that becomes the customer's message: the new words, without control characters
    /// (but tab and newline), shortened to a message's bounds.
    static func text(_ mail: InboundMail) -> String {
        var text = TextRules.cleaned(ReplyText.strip(mail.text))
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            text = mail.subject.isEmpty ? "(an empty e-mail)" : TextRules.cleaned(mail.subject)
        }
        return MessageBody.fitted(text, note: "\n\n[shortened: the whole mail is kept with the ticket]")
    }

    /// Finds the ticket: by the reply address's token first, then by the thread's Message-IDs.
    static func match(_ mail: InboundMail, in transaction: Transaction) throws -> TicketingStore.Ticket? {
        for recipient in mail.recipients {
            if let (number, token) = MailIdentity.token(in: recipient.address),
                let ticket = try TicketingStore.ticket(number: number, token: token, in: transaction)
            {
                return ticket
            }
        }
        let ids = Array(Set(mail.inReplyTo + mail.references))
        // A reply to a notice (no ticket's mail) starts a ticket of its own.
        guard !ids.isEmpty else { return nil }
        let row = try transaction.query(
            """
            SELECT ticket_id FROM (
                SELECT ticket_id, created_at AS at FROM ticketing.mails WHERE header_message_id = ANY(\(ids)) AND ticket_id IS NOT NULL
                UNION ALL SELECT ticket_id, received_at FROM ticketing.inbound WHERE message_id = ANY(\(ids))) found
            ORDER BY at DESC LIMIT 1
            """
        ).first
        guard let id: UUID = try row?.decode("ticket_id") else { return nil }
        return try TicketingStore.ticket(id, in: transaction)
    }

    /// Stores the mail once; a mail no ticket knows becomes a new ticket (acknowledged unless a
    /// machine sent it, so two auto-responders never mail each other forever).
    /// The raw mail is `kept.rawID`, a stored file kept with the ticket from now on, or else
    /// `raw`, in this table; `kept.files`: the mail's attachments, stored already, given to the
    /// ticket's conversation here.
    static func store(
        _ mail: InboundMail, key: String, raw: [UInt8]?, kept: Kept, ack: (TicketingStore.Ticket) throws -> Void,
        in transaction: Transaction
    ) throws -> Stored {
        if let row = try transaction.query(
            "SELECT t.number FROM ticketing.inbound i JOIN ticketing.tickets t ON t.id = i.ticket_id WHERE i.message_id = \(key)"
        ).first {
            return .duplicate(number: try row.decode("number"))
        }
        let text = text(mail)
        if let ticket = try match(mail, in: transaction) {
            try insert(key: key, ticket: ticket, raw: raw, kept: kept, text: text, status: "pending", in: transaction)
            return .reply(ticket: ticket, key: key)
        }
        let (ticket, _) = try TicketingStore.write(
            .init(
                id: UUID(), name: TextRules.cleaned(mail.from.name ?? String(mail.from.address.split(separator: "@")[0])),
                email: mail.from.address, message: text,
                subject: mail.subject.isEmpty ? Letters.subject(from: text) : String(TextRules.cleaned(mail.subject).prefix(200)),
                visitorID: nil, conversationID: UUID(), isOpen: false),
            in: transaction)
        try insert(key: key, ticket: ticket, raw: raw, kept: kept, text: text, status: "done", in: transaction)
        if !mail.isAutomatic { try ack(ticket) }
        return .newTicket(ticket)
    }

    /// What of a received mail is in platform storage: the raw mail and its files.
    struct Kept {
        var rawID: UUID?
        var files: [UUID]
    }

    static func insert(
        key: String, ticket: TicketingStore.Ticket, raw: [UInt8]?, kept: Kept, text: String, status: String, in transaction: Transaction
    ) throws {
        try transaction.query(
            """
            INSERT INTO ticketing.inbound (message_id, ticket_id, raw, raw_id, attachment_ids, text, status)
            VALUES (\(key), \(ticket.id), \(raw.map { Data($0) }), \(kept.rawID), \(kept.files)::uuid[], \(text), \(status))
            """)
        // The raw mail stays with its ticket; the files belong to its conversation (attached to
        // the customer's message when it is posted).
        if let rawID = kept.rawID { try transaction.query("UPDATE platform.attachments SET kept = true WHERE id = \(rawID)") }
        if !kept.files.isEmpty {
            try transaction.query(
                "UPDATE platform.attachments SET conversation_id = \(ticket.conversationID) WHERE id = ANY(\(kept.files)::uuid[])")
        }
    }

    /// The files of the mail that opened `ticket` (none for an offline message's).
    static func openingFiles(of ticket: UUID, in transaction: Transaction) throws -> [UUID] {
        try transaction.query(
            "SELECT attachment_ids FROM ticketing.inbound WHERE ticket_id = \(ticket) AND status = 'done' ORDER BY received_at LIMIT 1"
        ).first.map { try files($0) } ?? []
    }

    /// A `uuid[]` column as ids.
    static func files(_ row: PGRow) throws -> [UUID] {
        let text = try row.decode("attachment_ids", as: String.self).trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
        return text.split(separator: ",").compactMap { UUID(uuidString: String($0)) }
    }

    /// A stored reply still to be added to its ticket's conversation.
    struct Pending: Sendable {
        var key: String
        var text: String
        var ticket: TicketingStore.Ticket
        var files: [UUID]
    }

    static func pending(_ key: String, in transaction: Transaction) throws -> Pending? {
        guard
            let row = try transaction.query(
                "SELECT message_id, text, ticket_id, attachment_ids FROM ticketing.inbound WHERE message_id = \(key) AND status = 'pending'"
            ).first,
            let ticket = try TicketingStore.ticket(try row.decode("ticket_id"), in: transaction)
        else { return nil }
        return Pending(key: try row.decode("message_id"), text: try row.decode("text"), ticket: ticket, files: try files(row))
    }

    /// Stored replies a crash or an outage left pending for longer than `age` seconds.
    static func stalled(olderThan age: Double, in transaction: Transaction) throws -> [String] {
        try transaction.query(
            """
            SELECT message_id FROM ticketing.inbound
            WHERE status = 'pending' AND received_at < now() - make_interval(secs => \(age)) ORDER BY received_at LIMIT 100
            """
        ).map { try $0.decode("message_id") }
    }

    static func done(_ key: String, in transaction: Transaction) throws {
        try transaction.query("UPDATE ticketing.inbound SET status = 'done' WHERE message_id = \(key)")
    }
}

/// A 128-bit digest in hex (two FNV-1a passes): an id for mail without a Message-ID and a short,
/// stable client message id for a received mail. Not for security.
/// A 128-bit FNV-style digest, fed a piece at a time (a mail is digested as it is read).
struct Digest {
    private var first: UInt64 = 0xcbf2_9ce4_8422_2325
    private var second: UInt64 = 0x8422_2325_cbf2_9ce4

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            first = (first ^ UInt64(byte)) &* 0x100_0000_01b3
            second = (second ^ UInt64(byte ^ 0x5a)) &* 0x100_0000_01b3
        }
    }

    var hex: String { String(first, radix: 16).leftPadded(16) + String(second, radix: 16).leftPadded(16) }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var digest = Digest()
        digest.add(bytes)
        return digest.hex
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// A received mail's files going into storage as the `MailReader` decodes them: one file open at
/// a time, written a chunk at a time, each under the type its bytes are. They belong to nothing
/// until the mail is stored with its ticket; `discard` forgets them when it is not.
struct InboundFiles {
    let store: AttachmentStore
    /// No file of a mail is larger than the mail.
    let maximum: Int
    private var writer: AttachmentWriter?
    private(set) var kept: [UUID] = []
    private var count = 0

    init(store: AttachmentStore, maximum: Int) {
        self.store = store
        self.maximum = maximum
    }

    mutating func take(_ pieces: [MailReader.Piece]) async throws {
        for piece in pieces {
            switch piece {
            case .file(let filename, let contentType):
                count += 1
                let name = (try? AttachmentRules.filename(TextRules.cleaned(filename ?? "")).get()) ?? "attachment-\(count)"
                writer = try await AttachmentWriter(
                    store: store, conversationID: nil, uploader: .init(kind: .customer, id: nil), filename: name,
                    declaredType: contentType, maximum: maximum)
            case .bytes(let bytes):
                try await writer?.write(bytes)
            case .end:
                guard var file = writer else { continue }
                writer = nil
                do {
                    kept.append(try await file.finish().id)
                } catch AttachmentWriter.Refusal.empty {
                    // An empty part is no file.
                    await file.discard()
                }
            }
        }
    }

    /// Forgets every file stored so far (the mail was refused, failed, or is a duplicate).
    func discard() async {
        await writer?.discard()
        for id in kept { await store.discard(id) }
    }
}
