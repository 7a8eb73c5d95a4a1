import Contracts
import Foundation
import Storage

/// The `ticketing` schema: the ticketing part of Customizations, and tickets.
enum TicketingStore {
    static let migrations = [
        Migration(schema: "ticketing", version: 1, name: "schema", sql: "CREATE SCHEMA ticketing;"),
        Migration(
            schema: "ticketing", version: 2, name: "settings",
            sql: """
                CREATE TABLE ticketing.settings (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    ack_message text NOT NULL,
                    working_hours jsonb,
                    offline_when_no_operator boolean NOT NULL DEFAULT false
                );
                INSERT INTO ticketing.settings (ack_message) VALUES (
                    'Thank you for your message. We have opened a ticket and will answer you by e-mail as soon as we can.'
                );
                """
        ),
        Migration(
            schema: "ticketing", version: 3, name: "tickets",
            sql: """
                CREATE SEQUENCE ticketing.ticket_numbers START 1001;
                CREATE TABLE ticketing.tickets (
                    id uuid PRIMARY KEY,
                    number bigint NOT NULL UNIQUE DEFAULT nextval('ticketing.ticket_numbers'),
                    status text NOT NULL CHECK (status IN ('pending', 'open')),
                    name text NOT NULL,
                    email text NOT NULL,
                    message text NOT NULL,
                    visitor_id uuid,
                    reply_token text NOT NULL UNIQUE,
                    conversation_id uuid UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX tickets_pending ON ticketing.tickets (created_at) WHERE status = 'pending';
                """
        ),
    ]

    /// A ticket as the chain of steps that opens it needs it.
    struct Ticket: Sendable {
        var id: UUID
        var number: Int64
        var name: String
        var email: String
        var message: String
        var visitorID: UUID?
        var conversationID: UUID?
    }

    /// Writes the `pending` ticket (once per id) and returns it as stored.
    static func write(_ params: TicketingMethods.OfflineMessage.Params, in transaction: Transaction) throws -> Ticket {
        try transaction.query(
            """
            INSERT INTO ticketing.tickets (id, status, name, email, message, visitor_id, reply_token)
            VALUES ($1, 'pending', $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING
            """,
            [
                params.id, params.name.trimmingCharacters(in: .whitespacesAndNewlines), params.email.lowercased(), params.message,
                params.visitorID, replyToken(),
            ]
        )
        return try ticket(params.id, in: transaction)!
    }

    static func ticket(_ id: UUID, in transaction: Transaction) throws -> Ticket? {
        try transaction.query(
            "SELECT id, number, name, email, message, visitor_id, conversation_id FROM ticketing.tickets WHERE id = $1", [id]
        ).first.map { row in
            Ticket(
                id: try row.decode(at: 0), number: try row.decode(at: 1), name: try row.decode(at: 2), email: try row.decode(at: 3),
                message: try row.decode(at: 4), visitorID: try row.decode(at: 5), conversationID: try row.decode(at: 6))
        }
    }

    /// Links the ticket to its conversation; it is open from then on.
    static func link(_ id: UUID, to conversationID: UUID, in transaction: Transaction) throws {
        try transaction.query(
            "UPDATE ticketing.tickets SET conversation_id = $2, status = 'open' WHERE id = $1 AND status = 'pending'", [id, conversationID])
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
