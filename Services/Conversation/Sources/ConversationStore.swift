import Contracts
import Foundation
import Storage

/// The `conversation` schema. Every write that others react to appends its event in the same
/// transaction; message order is the conversation's own gap-free `seq`.
enum ConversationStore {
    static let messageColumns =
        "m.id, m.conversation_id, m.seq, m.author_kind, m.author_id, m.author_name, m.body, m.client_message_id, m.created_at"

    static func message(_ row: PGRow, from offset: Int = 0) throws -> Message {
        Message(
            id: try row.decode(at: offset), conversationID: try row.decode(at: offset + 1), seq: try row.decode(at: offset + 2),
            author: Author(
                kind: Author.Kind(rawValue: try row.decode(at: offset + 3)) ?? .system, id: try row.decode(at: offset + 4),
                name: try row.decode(at: offset + 5)
            ),
            body: try row.decode(at: offset + 6), clientMessageID: try row.decode(at: offset + 7), createdAt: try row.decode(at: offset + 8)
        )
    }

    /// The conversation with its customer and last message; `nil` when there is none.
    static func record(_ id: UUID, in transaction: Transaction) throws -> ConversationRecord? {
        try transaction.query(
            """
            SELECT c.id, c.channel, c.created_at, c.closed_at, u.id, u.name, u.email, u.visitor_id, \(messageColumns)
            FROM conversation.conversations c
            JOIN conversation.customers u ON u.id = c.customer_id
            LEFT JOIN conversation.messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
            WHERE c.id = $1
            """,
            [id]
        ).first.map(record)
    }

    /// A record from a row of the columns `record(_:in:)` selects (the last message's from 8 on).
    static func record(_ row: PGRow) throws -> ConversationRecord {
        let last: Message? = try row.decode(UUID?.self, at: 8) == nil ? nil : try message(row, from: 8)
        return ConversationRecord(
            id: try row.decode(at: 0), channel: ConversationChannel(rawValue: try row.decode(at: 1)) ?? .chat,
            customer: Customer(id: try row.decode(at: 4), name: try row.decode(at: 5), email: try row.decode(at: 6)),
            visitorID: try row.decode(at: 7), createdAt: try row.decode(at: 2), closedAt: try row.decode(at: 3), lastMessage: last
        )
    }

    /// Starts a conversation (or returns the one an earlier call with `key` started).
    ///
    /// Two statements: one writes the customer, the conversation, the greeting and the first
    /// message (`seq` 1 and 2 of a conversation nobody else can see yet), or nothing when `key`
    /// was used before; the other appends the events, encoded here from what the first returned.
    static func start(
        _ params: ConversationMethods.Start.Params, key: String?, in transaction: Transaction
    ) throws -> ConversationMethods.Start.Result {
        let name = params.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let id = params.conversationID ?? UUID()
        let rows = try transaction.query(
            """
            WITH existing AS (
                SELECT 1 FROM conversation.conversations WHERE idempotency_key = $5::text
            ), customer AS (
                INSERT INTO conversation.customers AS u (id, name, email, visitor_id)
                SELECT $1::uuid, $2::text, $3::text, $4::uuid WHERE NOT EXISTS (SELECT 1 FROM existing)
                ON CONFLICT (visitor_id) DO UPDATE SET name = EXCLUDED.name, email = coalesce(EXCLUDED.email, u.email)
                RETURNING u.id, u.name, u.email, u.visitor_id
            ), started AS (
                INSERT INTO conversation.conversations (id, channel, customer_id, idempotency_key, last_seq)
                SELECT $6::uuid, $7::text, customer.id, $5::text, CASE WHEN $10::text IS NULL THEN 1 ELSE 2 END FROM customer
                RETURNING id, channel, created_at, closed_at
            ), posted AS (
                INSERT INTO conversation.messages AS m (conversation_id, seq, id, author_kind, author_id, author_name, body, client_message_id)
                SELECT c.id, 1, $8::uuid, 'system', NULL::uuid, 'Switchboard', s.greeting_message, NULL::text FROM started c, conversation.settings s
                UNION ALL
                SELECT c.id, 2, $9::uuid, 'customer', u.id, $2::text, $10::text, $11::text FROM started c, customer u WHERE $10::text IS NOT NULL
                RETURNING \(messageColumns)
            )
            SELECT c.id, c.channel, c.created_at, c.closed_at, u.id, u.name, u.email, u.visitor_id, \(messageColumns)
            FROM started c, customer u, posted m ORDER BY m.seq
            """,
            [
                UUID(), name, params.email?.lowercased(), params.visitorID, key, id, params.channel.rawValue, UUID(), UUID(),
                params.message?.body, params.message?.clientMessageID,
            ]
        )
        guard let first = rows.first else {
            // `key` started one before: answer what that call answered.
            guard
                let earlier = try transaction.query("SELECT id FROM conversation.conversations WHERE idempotency_key = $1", [key])
                    .first?.decode(UUID.self, at: 0)
            else { throw RPCError.internalError("the conversation settings are missing") }
            return .init(
                conversation: try record(earlier, in: transaction)!,
                messages: try messages(.init(conversationID: earlier, limit: 10), in: transaction).items)
        }
        let posted = try rows.map { try message($0, from: 8) }
        var conversation = try record(first)
        conversation.lastMessage = posted.last
        try transaction.appendEvents(
            [try NewEvent(ConversationEvents.Started.self, conversation)]
                + (try posted.map { try NewEvent(ConversationEvents.MessageCreated.self, $0) }))
        return .init(conversation: conversation, messages: posted)
    }

    /// Outcome of posting, for the caller to turn into a reply.
    enum Posted {
        case message(Message, created: Bool)
        case notFound
        case closed
    }

    /// Posts in one transaction: the idempotency look-up, the closed check, the next `seq` (the
    /// row lock serialises writers of one conversation) and the message in one statement, then
    /// its `message.created` event, encoded from the row as stored.
    static func post(_ params: ConversationMethods.Post.Params, in transaction: Transaction) throws -> Posted {
        let rows = try transaction.query(
            """
            WITH existing AS (
                SELECT \(messageColumns) FROM conversation.messages m WHERE m.conversation_id = $1 AND m.client_message_id = $7
            ), next AS (
                UPDATE conversation.conversations SET last_seq = last_seq + 1
                WHERE id = $1 AND closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM existing)
                RETURNING last_seq
            ), inserted AS (
                INSERT INTO conversation.messages AS m (conversation_id, seq, id, author_kind, author_id, author_name, body, client_message_id)
                SELECT $1, next.last_seq, $2, $3, $4, $5, $6, $7 FROM next
                RETURNING \(messageColumns)
            )
            SELECT 'created', \(messageColumns) FROM inserted m
            UNION ALL SELECT 'existing', \(messageColumns) FROM existing m
            UNION ALL SELECT 'closed', NULL::uuid, NULL::uuid, NULL::bigint, NULL::text, NULL::uuid, NULL::text, NULL::text, NULL::text,
                NULL::timestamptz
            FROM conversation.conversations c
            WHERE c.id = $1 AND NOT EXISTS (SELECT 1 FROM existing) AND NOT EXISTS (SELECT 1 FROM inserted)
            """,
            [
                params.conversationID, UUID(), params.author.kind.rawValue, params.author.id, params.author.name, params.draft.body,
                params.draft.clientMessageID,
            ]
        )
        guard let row = rows.first else { return .notFound }
        switch try row.decode(String.self, at: 0) {
        case "created":
            let message = try message(row, from: 1)
            try transaction.appendEvent(ConversationEvents.MessageCreated.self, message)
            return .message(message, created: true)
        case "existing": return .message(try message(row, from: 1), created: false)
        default: return .closed
        }
    }

    /// A page of messages. The database stops reading once the bodies alone fill a page, so a
    /// page of long messages never reads many more than it returns.
    static func messages(_ params: ConversationMethods.Messages.Params, in transaction: Transaction) throws -> Page<Message> {
        let backwards = params.beforeSeq != nil
        let order = backwards ? "DESC" : "ASC"
        let rows = try transaction.query(
            """
            SELECT \(messageColumns) FROM (
                SELECT m.*, sum(octet_length(m.body)) OVER (ORDER BY m.seq \(order)) - octet_length(m.body) AS before_it
                FROM conversation.messages m
                WHERE m.conversation_id = $1 AND m.seq > $2 AND ($3::bigint IS NULL OR m.seq < $3)
                ORDER BY m.seq \(order) LIMIT $4
            ) m
            WHERE m.before_it < $5
            ORDER BY m.seq \(order)
            """,
            [params.conversationID, params.afterSeq, params.beforeSeq, params.limit + 1, Page<Message>.byteBudget]
        )
        let candidates = try rows.map { row in
            let message = try message(row)
            return (message, PageCursor(key: backwards ? -message.seq : message.seq))
        }
        var page = Page(candidates: candidates, limit: params.limit)
        if backwards { page.items.reverse() }
        return page
    }

    /// Closes it once; `nil` when there is no such conversation.
    static func close(_ id: UUID, by closer: OperatorRef?, in transaction: Transaction) throws -> ConversationRecord? {
        let closed =
            try transaction.query(
                "UPDATE conversation.conversations SET closed_at = now(), closed_by_id = $2, closed_by_name = $3 WHERE id = $1 AND closed_at IS NULL",
                [id, closer?.id, closer?.name]
            ).affectedRows == 1
        guard let record = try record(id, in: transaction) else { return nil }
        if closed {
            try transaction.appendEvent(ConversationEvents.Closed.self, record)
        }
        return record
    }
}

extension ConversationStore {
    /// Opens a closed conversation again; `nil` when there is no such conversation. Its hides go:
    /// the customer wrote again, so it is news to everyone once it closes again.
    static func reopen(_ id: UUID, in transaction: Transaction) throws -> ConversationRecord? {
        let reopened =
            try transaction.query(
                "UPDATE conversation.conversations SET closed_at = NULL, closed_by_id = NULL, closed_by_name = NULL WHERE id = $1 AND closed_at IS NOT NULL",
                [id]
            ).affectedRows == 1
        guard let record = try record(id, in: transaction) else { return nil }
        if reopened {
            try transaction.query("DELETE FROM conversation.hides WHERE conversation_id = $1", [id])
            try transaction.appendEvent(ConversationEvents.Reopened.self, record)
        }
        return record
    }

    /// Outcome of moving a chat to e-mail.
    enum Moved {
        case moved(ConversationRecord)
        case notFound
        case closed
    }

    /// Makes a live chat an e-mail conversation with the customer's address (once).
    static func moveToEmail(_ params: ConversationMethods.MoveToEmail.Params, in transaction: Transaction) throws -> Moved {
        guard let before = try record(params.conversationID, in: transaction) else { return .notFound }
        guard before.closedAt == nil else { return .closed }
        guard before.channel == .chat else { return .moved(before) }
        try transaction.query("UPDATE conversation.conversations SET channel = 'email' WHERE id = $1", [params.conversationID])
        try transaction.query(
            "UPDATE conversation.customers SET email = $2 WHERE id = $1", [before.customer.id, params.email.lowercased()])
        let after = try record(params.conversationID, in: transaction)!
        try transaction.appendEvent(ConversationEvents.MovedToEmail.self, after)
        return .moved(after)
    }

    /// A page of the Archive for one viewer, newest first.
    static func archive(
        _ params: ConversationMethods.Archive.Params, in transaction: Transaction
    ) throws -> ConversationMethods.Archive.Result {
        let cursor = params.page.position
        let query = params.query?.trimmingCharacters(in: .whitespacesAndNewlines)
        let rows = try transaction.query(
            """
            SELECT c.id, c.closed_by_id, c.closed_by_name, \(Keyset.micros("c.closed_at")),
                   EXISTS (SELECT 1 FROM conversation.hides h WHERE h.operator_id = $1 AND h.conversation_id = c.id) AS hidden
            FROM conversation.conversations c
            JOIN conversation.customers u ON u.id = c.customer_id
            WHERE c.closed_at IS NOT NULL
              AND ($2::uuid IS NULL OR c.closed_by_id = $2)
              AND ($3::timestamptz IS NULL OR c.closed_at >= $3)
              AND ($4::timestamptz IS NULL OR c.closed_at < $4)
              AND ($5::boolean OR NOT EXISTS (SELECT 1 FROM conversation.hides h WHERE h.operator_id = $1 AND h.conversation_id = c.id))
              AND ($6::text IS NULL
                   OR to_tsvector('simple', u.name || ' ' || coalesce(u.email, '')) @@ plainto_tsquery('simple', $6)
                   OR EXISTS (SELECT 1 FROM conversation.messages m
                              WHERE m.conversation_id = c.id AND to_tsvector('simple', m.body) @@ plainto_tsquery('simple', $6)))
              AND ($7::bigint IS NULL OR (c.closed_at, c.id) < (\(Keyset.instant(7)), $8::uuid))
            ORDER BY c.closed_at DESC, c.id DESC
            LIMIT $9
            """,
            [
                params.viewerID, params.closedByID, params.from, params.to, params.includeHidden, query?.isEmpty == false ? query : nil,
                cursor?.key, cursor?.id, params.page.limit + 1,
            ]
        )
        let candidates = try rows.compactMap { row -> (ConversationMethods.ArchiveEntry, PageCursor)? in
            let id: UUID = try row.decode(at: 0)
            let closerID: UUID? = try row.decode(at: 1)
            guard let conversation = try record(id, in: transaction) else { return nil }
            let entry = ConversationMethods.ArchiveEntry(
                conversation: conversation, closedBy: try closerID.map { OperatorRef(id: $0, name: try row.decode(at: 2)) },
                hidden: try row.decode(at: 4))
            return (entry, try Keyset.position(row, key: 3, id: 0))
        }
        return Page(candidates: candidates, limit: params.page.limit)
    }

    /// Moves the reading position forward; `false` when there is no such conversation.
    static func read(_ params: ConversationMethods.Read.Params, in transaction: Transaction) throws -> Bool {
        guard try record(params.conversationID, in: transaction) != nil else { return false }
        try transaction.query(
            """
            INSERT INTO conversation.reads (operator_id, conversation_id, seq) VALUES ($1, $2, $3)
            ON CONFLICT (operator_id, conversation_id) DO UPDATE SET seq = greatest(conversation.reads.seq, EXCLUDED.seq)
            """,
            [params.operatorID, params.conversationID, params.seq]
        )
        return true
    }

    /// The conversations asked for, in that order, each with the operator's unread count: one
    /// statement however many there are.
    static func overview(
        _ params: ConversationMethods.Overview.Params, in transaction: Transaction
    ) throws -> [ConversationMethods.Overview.Entry] {
        guard !params.conversationIDs.isEmpty else { return [] }
        let rows = try transaction.query(
            """
            SELECT c.id, c.channel, c.created_at, c.closed_at, u.id, u.name, u.email, u.visitor_id, \(messageColumns),
                   (SELECT count(*) FROM conversation.messages n
                    WHERE n.conversation_id = c.id
                      AND n.seq > coalesce((SELECT seq FROM conversation.reads WHERE operator_id = $1 AND conversation_id = c.id), 0)
                      AND NOT (n.author_kind = 'operator' AND n.author_id = $1)) AS unread
            FROM unnest($2::uuid[]) WITH ORDINALITY AS asked(id, position)
            JOIN conversation.conversations c ON c.id = asked.id
            JOIN conversation.customers u ON u.id = c.customer_id
            LEFT JOIN conversation.messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
            ORDER BY asked.position
            """,
            [params.operatorID, params.conversationIDs.map(\.postgresText!)]
        )
        return try rows.map { row in
            .init(conversation: try record(row), unread: try row.decode("unread"))
        }
    }

    static func settings(in transaction: Transaction) throws -> ConversationSettings {
        let row = try transaction.query("SELECT greeting_message, offline_message FROM conversation.settings")[0]
        return ConversationSettings(greetingMessage: try row.decode(at: 0), offlineMessage: try row.decode(at: 1))
    }

    static func save(_ settings: ConversationSettings, in transaction: Transaction) throws -> ConversationSettings {
        try transaction.query(
            "UPDATE conversation.settings SET greeting_message = $1, offline_message = $2",
            [settings.greetingMessage, settings.offlineMessage])
        return settings
    }

    /// A page of a customer's conversations, newest first.
    static func history(_ params: ConversationMethods.History.Params, in transaction: Transaction) throws -> Page<ConversationRecord> {
        let cursor = params.page.position
        let rows = try transaction.query(
            """
            SELECT c.id, \(Keyset.micros("c.created_at")) FROM conversation.conversations c
            JOIN conversation.customers u ON u.id = c.customer_id
            WHERE (($1::uuid IS NOT NULL AND u.visitor_id = $1) OR ($2::uuid IS NOT NULL AND u.id = $2))
              AND ($3::bigint IS NULL OR (c.created_at, c.id) < (\(Keyset.instant(3)), $4::uuid))
            ORDER BY c.created_at DESC, c.id DESC LIMIT $5
            """,
            [params.visitorID, params.customerID, cursor?.key, cursor?.id, params.page.limit + 1]
        )
        let candidates = try rows.compactMap { row -> (ConversationRecord, PageCursor)? in
            guard let record = try record(try row.decode(UUID.self, at: 0), in: transaction) else { return nil }
            return (record, try Keyset.position(row, key: 1, id: 0))
        }
        return Page(candidates: candidates, limit: params.page.limit)
    }

    /// Hides or shows one closed conversation in one operator's Archive; `false` if it is not closed.
    static func hide(_ params: ConversationMethods.Hide.Params, in transaction: Transaction) throws -> Bool {
        let closed = try transaction.query(
            "SELECT closed_at IS NOT NULL FROM conversation.conversations WHERE id = $1", [params.conversationID]
        ).first?.decode(Bool.self, at: 0)
        guard closed == true else { return false }
        if params.hidden {
            try transaction.query(
                "INSERT INTO conversation.hides (operator_id, conversation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [params.viewerID, params.conversationID])
        } else {
            try transaction.query(
                "DELETE FROM conversation.hides WHERE operator_id = $1 AND conversation_id = $2", [params.viewerID, params.conversationID])
        }
        return true
    }
}
