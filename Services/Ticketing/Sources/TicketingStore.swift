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
                VALUES (
                    \(new.id), \(new.isOpen ? "open" : "pending"), \(new.name.trimmingCharacters(in: .whitespacesAndNewlines)),
                    \(new.email.lowercased()), \(new.message), \(new.subject), \(new.visitorID), \(replyToken()), \(new.conversationID))
                ON CONFLICT DO NOTHING
                """
            ).affectedRows == 1
        let stored = try ticket(new.id, in: transaction) ?? ticket(conversation: new.conversationID, in: transaction)
        return (stored!, created)
    }

    /// The newest open tickets, newest first.
    /// A page of the open tickets, newest first, or the open tickets of some conversations.
    static func list(_ params: TicketingMethods.Tickets.Params, in transaction: Transaction) throws -> Page<TicketListEntry> {
        let ids = params.conversationIDs
        let limit = ids.map { $0.count + 1 } ?? params.page.limit + 1
        let rows = try transaction.query(
            """
            SELECT number, conversation_id, name, email, subject, created_at FROM ticketing.tickets
            WHERE status = 'open' AND (\(params.page.position?.key)::bigint IS NULL OR number < \(params.page.position?.key))
              AND (\(ids)::uuid[] IS NULL OR conversation_id = ANY(\(ids)::uuid[]))
            ORDER BY number DESC LIMIT \(limit)
            """
        )
        let candidates = try rows.map { row in
            let (number, conversationID, name, email, subject, createdAt) = try row.decode((Int64, UUID, String, String, String, Date).self)
            let entry = TicketListEntry(
                number: number, conversationID: conversationID, name: name, email: email, subject: subject, createdAt: createdAt)
            return (entry, PageCursor(key: entry.number))
        }
        return Page(candidates: candidates, limit: limit - 1)
    }

    /// The tickets whose conversations `started` names are open now.
    static func opened(_ conversationIDs: [UUID], in transaction: Transaction) throws {
        guard !conversationIDs.isEmpty else { return }
        try transaction.query(
            """
            UPDATE ticketing.tickets SET status = 'open'
            WHERE conversation_id = ANY(\(conversationIDs)::uuid[]) AND status = 'pending'
            """)
    }

    static let ticketColumns: SQL =
        "id, number, name, email, message, subject, reply_token, visitor_id, conversation_id, status = 'open' AS is_open, created_at"

    /// A ticket from a row of `ticketColumns`.
    static func ticket(_ row: PGRow) throws -> Ticket {
        Ticket(
            id: try row.decode("id"), number: try row.decode("number"), name: try row.decode("name"), email: try row.decode("email"),
            message: try row.decode("message"), subject: try row.decode("subject"), replyToken: try row.decode("reply_token"),
            visitorID: try row.decode("visitor_id"), conversationID: try row.decode("conversation_id"), isOpen: try row.decode("is_open"),
            createdAt: try row.decode("created_at"))
    }

    static func ticket(_ id: UUID, in transaction: Transaction) throws -> Ticket? {
        try transaction.query("SELECT \(ticketColumns) FROM ticketing.tickets WHERE id = \(id)").first.map(ticket)
    }

    static func ticket(conversation id: UUID, in transaction: Transaction) throws -> Ticket? {
        try transaction.query("SELECT \(ticketColumns) FROM ticketing.tickets WHERE conversation_id = \(id)").first.map(ticket)
    }

    /// The ticket a reply address names: its number and token must both match.
    static func ticket(number: Int64, token: String, in transaction: Transaction) throws -> Ticket? {
        try transaction.query("SELECT \(ticketColumns) FROM ticketing.tickets WHERE number = \(number) AND reply_token = \(token)")
            .first.map(ticket)
    }

    /// Tickets a crash left `pending` for longer than `age`, oldest first.
    static func stalled(olderThan age: Double, in transaction: Transaction) throws -> [UUID] {
        try transaction.query(
            """
            SELECT id FROM ticketing.tickets WHERE status = 'pending' AND created_at < now() - make_interval(secs => \(age))
            ORDER BY created_at LIMIT 100
            """
        ).map { try $0.decode("id") }
    }

    /// A random token for the ticket's reply address: 128 bits, lowercase hex.
    static func replyToken() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    static func settings(in transaction: Transaction) throws -> TicketingSettings {
        let (ack, hoursJSON, offlineWhenNoOperator) = try transaction.query(
            "SELECT ack_message, working_hours::text, offline_when_no_operator FROM ticketing.settings")[0].decode(
                (String, String?, Bool).self)
        let hours = try hoursJSON.map { try WireJSON.decoder().decode(WorkingHours.self, from: Data($0.utf8)) }
        return TicketingSettings(ackMessage: ack, workingHours: hours, offlineWhenNoOperator: offlineWhenNoOperator)
    }

    static func save(_ settings: TicketingSettings, in transaction: Transaction) throws -> TicketingSettings {
        let hours = try settings.workingHours.map { try PostgresJSON($0) }
        try transaction.query(
            """
            UPDATE ticketing.settings
            SET ack_message = \(settings.ackMessage), working_hours = \(hours)::jsonb, offline_when_no_operator = \(settings.offlineWhenNoOperator)
            """)
        return settings
    }
}
