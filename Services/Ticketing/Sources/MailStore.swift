import Contracts
import Foundation
import Mail
import Storage

/// The mail outbox and the received mail in the `ticketing` schema.
enum MailStore {
    /// Queues `mail` once per `key` (replaying an event queues nothing twice), with a `mail.queued`
    /// event: its NOTIFY after the commit wakes the senders (a NOTIFY inside the transaction would
    /// serialise this commit with every other notifying one).
    static func queue(_ mail: OutgoingMail, key: String, ticket: UUID, messageID: UUID?, in transaction: Transaction) throws {
        let queued = try transaction.query(
            """
            INSERT INTO ticketing.mails (id, key, ticket_id, message_id, header_message_id, sender, recipient, raw)
            VALUES (\(UUID()), \(key), \(ticket), \(messageID), \(mail.messageID), \(mail.from.address), \(mail.to.address), \(mail.rendered()))
            ON CONFLICT (key) DO NOTHING
            """
        ).affectedRows
        if queued == 1 {
            try transaction.appendEvent(TicketingEvents.MailQueued.self, MailQueue(ticketID: ticket, messageID: messageID))
        }
    }

    /// The Message-IDs of a ticket's thread, ours and the customer's, oldest first.
    static func thread(_ ticket: UUID, in transaction: Transaction) throws -> Letters.Thread {
        var thread = Letters.Thread()
        for row in try transaction.query(
            """
            SELECT header_message_id AS id, false AS from_customer, created_at AS at FROM ticketing.mails WHERE ticket_id = \(ticket)
            UNION ALL SELECT message_id, true, received_at FROM ticketing.inbound WHERE ticket_id = \(ticket)
            ORDER BY at
            """)
        {
            let (id, fromCustomer) = try row.decode((String, Bool).self)
            thread.ids.append(id)
            if fromCustomer { thread.latestFromCustomer = id }
        }
        return thread
    }

    /// A mail claimed for sending.
    struct Claimed: Sendable {
        var id: UUID
        var sender: String
        var recipient: String
        var raw: String
        var attempts: Int
        var createdAt: Date
    }

    /// Leases up to `limit` due mails to `instance` for `lease`; another sender skips them until
    /// the lease runs out (a sender that died mid-send), so each mail has one sender at a time.
    static func claim(limit: Int, instance: String, lease: Duration, in transaction: Transaction) throws -> [Claimed] {
        // A claim lost in a crash is only a lease that was never taken: no need to wait for the flush.
        try transaction.query("SET LOCAL synchronous_commit = off")
        return try transaction.query(
            """
            UPDATE ticketing.mails
            SET leased_by = \(instance), lease_until = now() + make_interval(secs => \(Double(lease.components.seconds))), attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM ticketing.mails
                WHERE status = 'queued' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, sender, recipient, raw, attempts, created_at
            """
        ).map { row in
            let (id, sender, recipient, raw, attempts, createdAt) = try row.decode((UUID, String, String, String, Int, Date).self)
            return Claimed(id: id, sender: sender, recipient: recipient, raw: raw, attempts: attempts, createdAt: createdAt)
        }
    }

    /// A restarted process takes back at once what its previous life (same instance name) had leased.
    static func release(instance: String, in transaction: Transaction) throws -> Int {
        try transaction.query(
            "UPDATE ticketing.mails SET leased_by = NULL, lease_until = NULL WHERE leased_by = \(instance) AND status = 'queued'"
        ).affectedRows
    }

    /// What became of one attempt.
    enum Result: Sendable {
        case sent
        case retry(after: Duration, reason: String)
        case failed(reason: String)
    }

    /// Records what became of each attempt of a round.
    static func finish(_ results: [(UUID, Result)], instance: String, in transaction: Transaction) throws {
        // An outcome lost in a crash means the same mail is sent again (same bytes): the design's
        // worst case anyway, so the commit need not wait for the flush.
        try transaction.query("SET LOCAL synchronous_commit = off")
        for (id, result) in results {
            try finish(id, instance: instance, result, in: transaction)
            try announce(id, in: transaction)
        }
    }

    static func finish(_ id: UUID, instance: String, _ result: Result, in transaction: Transaction) throws {
        switch result {
        case .sent:
            try transaction.query(
                """
                UPDATE ticketing.mails SET status = 'sent', sent_at = now(), last_error = NULL, leased_by = NULL, lease_until = NULL
                WHERE id = \(id) AND leased_by = \(instance)
                """)
        case .retry(let delay, let reason):
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            try transaction.query(
                """
                UPDATE ticketing.mails SET next_attempt_at = now() + make_interval(secs => \(seconds)), last_error = \(reason),
                    leased_by = NULL, lease_until = NULL
                WHERE id = \(id) AND leased_by = \(instance)
                """)
        case .failed(let reason):
            try transaction.query(
                """
                UPDATE ticketing.mails SET status = 'failed', last_error = \(reason), leased_by = NULL, lease_until = NULL
                WHERE id = \(id) AND leased_by = \(instance)
                """)
        }
    }

    /// Every mail of a ticket with its delivery state, oldest first.
    /// The deliveries of a ticket's mails, oldest first: of those carrying `messageIDs`, or the latest 100.
    static func deliveries(_ ticket: UUID, messageIDs: [UUID]? = nil, in transaction: Transaction) throws -> [MailDelivery] {
        let ids = messageIDs
        return try transaction.query(
            """
            SELECT * FROM (
                SELECT message_id, status, attempts, last_error, CASE WHEN status = 'queued' THEN next_attempt_at END AS next_attempt_at,
                       sent_at, created_at
                FROM ticketing.mails
                WHERE ticket_id = \(ticket) AND (\(ids)::uuid[] IS NULL OR message_id = ANY(\(ids)::uuid[]))
                ORDER BY created_at DESC LIMIT 100
            ) latest ORDER BY created_at
            """
        ).map(delivery)
    }

    /// A delivery from a row with `message_id, status, attempts, last_error, next_attempt_at, sent_at`.
    static func delivery(_ row: PGRow) throws -> MailDelivery {
        MailDelivery(
            messageID: try row.decode("message_id"), status: MailDelivery.Status(rawValue: try row.decode("status")) ?? .queued,
            attempts: try row.decode("attempts"), lastError: try row.decode("last_error"), nextAttemptAt: try row.decode("next_attempt_at"),
            sentAt: try row.decode("sent_at"))
    }

    /// Appends `mail.updated` for the mail `id`, so open consoles show its new state at once.
    static func announce(_ id: UUID, in transaction: Transaction) throws {
        guard
            let row = try transaction.query(
                """
                SELECT m.message_id, m.status, m.attempts, m.last_error,
                       CASE WHEN m.status = 'queued' THEN m.next_attempt_at END AS next_attempt_at, m.sent_at, t.conversation_id
                FROM ticketing.mails m JOIN ticketing.tickets t ON t.id = m.ticket_id WHERE m.id = \(id)
                """
            ).first
        else { return }
        let conversationID: UUID = try row.decode("conversation_id")
        try transaction.appendEvent(
            TicketingEvents.MailUpdated.self, MailUpdate(conversationID: conversationID, delivery: try delivery(row)))
    }

    /// How many mails wait, for the log when nothing can send them.
    static func queuedCount(in transaction: Transaction) throws -> Int {
        try transaction.query("SELECT count(*) AS queued FROM ticketing.mails WHERE status = 'queued'")[0].decode("queued")
    }
}
