import Contracts
import Foundation
import Storage

/// The `ticketing` schema: the ticketing part of Customizations, and tickets.
enum TicketingStore {
    /// A ticket as the chain of steps that opens it needs it.
    struct Ticket: Sendable {
        var id: UUID
        var number: Int64
        var name: String
        var email: String
        var message: String
        var subject: String
        var replyToken: String
        var visitorID: UUID?
        /// Chosen when the ticket is written; the conversation exists once the ticket is open.
        var conversationID: UUID
        var isOpen: Bool
        var createdAt: Date
    }

    /// What a new ticket starts from: an offline message, a mail from an unknown thread, a chat.
    struct NewTicket: Sendable {
        var id: UUID
        var name: String
        var email: String
        var message: String
        var subject: String
        var visitorID: UUID?
        var conversationID: UUID
        /// A chat made a ticket: its conversation exists, so it is open at once.
        var isOpen: Bool
    }

    /// Writes the ticket (once per id, and once per conversation) and returns it as stored and
    /// whether this call wrote it. `pending` until its conversation exists (`open`).
    static func write(_ new: NewTicket, in transaction: Transaction) throws -> (Ticket, created: Bool) {
        let created =
            try transaction.query(
                """
                INSERT INTO ticketing.tickets (id, status, name, email, message, subject, visitor_id, reply_token, conversation_id)
                VALUES ($1, $9, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
                """,
                [
                    new.id, new.name.trimmingCharacters(in: .whitespacesAndNewlines), new.email.lowercased(), new.message, new.subject,
                    new.visitorID, replyToken(), new.conversationID, new.isOpen ? "open" : "pending",
                ]
            ).affectedRows == 1
        let stored = try ticket(new.id, in: transaction) ?? ticket(conversation: new.conversationID, in: transaction)
        return (stored!, created)
    }

    /// The newest open tickets, newest first.
    /// A page of the open tickets, newest first, or the open tickets of some conversations.
    static func list(_ params: TicketingMethods.Tickets.Params, in transaction: Transaction) throws -> Page<TicketListEntry> {
        let ids = params.conversationIDs?.map { $0.uuidString.lowercased() }
        let limit = ids.map { $0.count + 1 } ?? params.page.limit + 1
        let rows = try transaction.query(
            """
            SELECT number, conversation_id, name, email, subject, created_at FROM ticketing.tickets
            WHERE status = 'open' AND ($1::bigint IS NULL OR number < $1) AND ($2::uuid[] IS NULL OR conversation_id = ANY($2::uuid[]))
            ORDER BY number DESC LIMIT $3
            """,
            [params.page.position?.key, ids, limit]
        )
        let candidates = try rows.map { row in
            let entry = TicketListEntry(
                number: try row.decode(at: 0), conversationID: try row.decode(at: 1), name: try row.decode(at: 2),
                email: try row.decode(at: 3), subject: try row.decode(at: 4), createdAt: try row.decode(at: 5))
            return (entry, PageCursor(key: entry.number))
        }
        return Page(candidates: candidates, limit: limit - 1)
    }

    /// The tickets whose conversations `started` names are open now.
    static func opened(_ conversationIDs: [UUID], in transaction: Transaction) throws {
        guard !conversationIDs.isEmpty else { return }
        try transaction.query(
            "UPDATE ticketing.tickets SET status = 'open' WHERE conversation_id = ANY($1::uuid[]) AND status = 'pending'",
            [conversationIDs.map { $0.uuidString.lowercased() }])
    }

    static let ticketColumns =
        "id, number, name, email, message, subject, reply_token, visitor_id, conversation_id, status = 'open', created_at"

    static func ticket(_ row: PGRow) throws -> Ticket {
        Ticket(
            id: try row.decode(at: 0), number: try row.decode(at: 1), name: try row.decode(at: 2), email: try row.decode(at: 3),
            message: try row.decode(at: 4), subject: try row.decode(at: 5), replyToken: try row.decode(at: 6),
            visitorID: try row.decode(at: 7), conversationID: try row.decode(at: 8), isOpen: try row.decode(at: 9),
            createdAt: try row.decode(at: 10))
    }

    static func ticket(_ id: UUID, in transaction: Transaction) throws -> Ticket? {
        try transaction.query("SELECT \(ticketColumns) FROM ticketing.tickets WHERE id = $1", [id]).first.map(ticket)
    }

    static func ticket(conversation id: UUID, in transaction: Transaction) throws -> Ticket? {
        try transaction.query("SELECT \(ticketColumns) FROM ticketing.tickets WHERE conversation_id = $1", [id]).first.map(ticket)
    }

    /// The ticket a reply address names: its number and token must both match.
    static func ticket(number: Int64, token: String, in transaction: Transaction) throws -> Ticket? {
        try transaction.query("SELECT \(ticketColumns) FROM ticketing.tickets WHERE number = $1 AND reply_token = $2", [number, token])
            .first.map(ticket)
    }

    /// Tickets a crash left `pending` for longer than `age`, oldest first.
    static func stalled(olderThan age: Double, in transaction: Transaction) throws -> [UUID] {
        try transaction.query(
            "SELECT id FROM ticketing.tickets WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 100",
            [age]
        ).map { try $0.decode(at: 0) }
    }

    /// A random token for the ticket's reply address: 128 bits, lowercase hex.
    static func replyToken() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    static func settings(in transaction: Transaction) throws -> TicketingSettings {
        let row = try transaction.query("SELECT ack_message, working_hours::text, offline_when_no_operator FROM ticketing.settings")[0]
        let hours = try row.decode(String?.self, at: 1).map { try WireJSON.decoder().decode(WorkingHours.self, from: Data($0.utf8)) }
        return TicketingSettings(ackMessage: try row.decode(at: 0), workingHours: hours, offlineWhenNoOperator: try row.decode(at: 2))
    }

    static func save(_ settings: TicketingSettings, in transaction: Transaction) throws -> TicketingSettings {
        try transaction.query(
            "UPDATE ticketing.settings SET ack_message = $1, working_hours = $2::jsonb, offline_when_no_operator = $3",
            [settings.ackMessage, try settings.workingHours.map { try PostgresJSON($0) }, settings.offlineWhenNoOperator]
        )
        return settings
    }
}
