import Contracts
import Foundation
import Storage

/// The `conversation` schema. Every write that others react to appends its event in the same
/// transaction; message order is the conversation's own gap-free `seq`, which internal notes
/// share (so the customer's view, notes left out, may skip numbers). A conversation's
/// `last_message` is its last message that is not a note, for everyone.
enum ConversationStore {
    /// A message's columns of `conversation.messages m`, named `message_…` so they never meet
    /// a conversation's in one row.
    static let messageColumns: SQL = """
        m.id AS message_id, m.conversation_id AS message_conversation_id, m.seq AS message_seq, m.author_kind AS message_author_kind,
        m.author_id AS message_author_id, m.author_name AS message_author_name, m.body AS message_body,
        m.client_message_id AS message_client_message_id, m.created_at AS message_created_at, m.attachments AS message_attachments
        """

    /// A conversation's columns from `conversations c` and `customers u`, with its last message's
    /// from `m`; the desk's reading position and the rating are looked up by key.
    static let recordColumns: SQL = """
        c.id, c.channel, c.created_at, c.closed_at, c.close_reason, u.id AS customer_id, u.name AS customer_name, u.email AS customer_email,
        u.visitor_id, c.customer_read_seq,
        (SELECT coalesce(max(r.seq), 0) FROM conversation.reads r WHERE r.conversation_id = c.id) AS operator_read_seq,
        (SELECT g.score FROM conversation.ratings g WHERE g.conversation_id = c.id) AS rating_score,
        (SELECT g.comment FROM conversation.ratings g WHERE g.conversation_id = c.id) AS rating_comment,
        (SELECT g.created_at FROM conversation.ratings g WHERE g.conversation_id = c.id) AS rating_created_at,
        \(messageColumns)
        """

    /// The conversation `c`'s last message that is not a note, as `m`: notes take seqs too and
    /// are never anyone's `last_message` (read backwards on the primary key, skipping notes).
    static let lastMessage: SQL = """
        (SELECT * FROM conversation.messages x WHERE x.conversation_id = c.id AND x.author_kind <> 'note' ORDER BY x.seq DESC LIMIT 1) m
        """

    /// A message from a row with `messageColumns`.
    static func message(_ row: PGRow) throws -> Message {
        Message(
            id: try row.decode("message_id"), conversationID: try row.decode("message_conversation_id"), seq: try row.decode("message_seq"),
            author: Author(
                kind: Author.Kind(rawValue: try row.decode("message_author_kind")) ?? .system, id: try row.decode("message_author_id"),
                name: try row.decode("message_author_name")
            ),
            body: try row.decode("message_body"), clientMessageID: try row.decode("message_client_message_id"),
            createdAt: try row.decode("message_created_at"), attachments: try attachments(row)
        )
    }

    /// The conversation with its customer and last message; `nil` when there is none.
    static func record(_ id: UUID, in transaction: Transaction) throws -> ConversationRecord? {
        try transaction.query(
            """
            SELECT \(recordColumns)
            FROM conversation.conversations c
            JOIN conversation.customers u ON u.id = c.customer_id
            LEFT JOIN LATERAL \(lastMessage) ON true
            WHERE c.id = \(id)
            """
        ).first.map(record)
    }

    /// A record from a row with `recordColumns`.
    static func record(_ row: PGRow) throws -> ConversationRecord {
        let last: Message? = try row.decode("message_id", as: UUID?.self) == nil ? nil : try message(row)
        return ConversationRecord(
            id: try row.decode("id"), channel: ConversationChannel(rawValue: try row.decode("channel")) ?? .chat,
            customer: Customer(
                id: try row.decode("customer_id"), name: try row.decode("customer_name"), email: try row.decode("customer_email")),
            visitorID: try row.decode("visitor_id"), createdAt: try row.decode("created_at"), closedAt: try row.decode("closed_at"),
            lastMessage: last, closedReason: try row.decode("close_reason", as: String?.self).flatMap(CloseReason.init(rawValue:)),
            customerReadSeq: try row.decode("customer_read_seq"), operatorReadSeq: try row.decode("operator_read_seq"),
            rating: try rating(row)
        )
    }

    /// The rating of a row with `recordColumns`, if one was given.
    static func rating(_ row: PGRow) throws -> Rating? {
        guard let score = try row.decode("rating_score", as: Int?.self) else { return nil }
        return Rating(score: score, comment: try row.decode("rating_comment"), createdAt: try row.decode("rating_created_at"))
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
        let opening = params.message
        let rows = try transaction.query(
            """
            WITH existing AS (
                SELECT 1 FROM conversation.conversations WHERE idempotency_key = \(key)::text
            ), visitor_customer AS (
                INSERT INTO conversation.customers AS u (id, name, email, visitor_id)
                SELECT \(UUID())::uuid, \(name)::text, \(params.email?.lowercased())::text, \(params.visitorID)::uuid
                WHERE NOT EXISTS (SELECT 1 FROM existing) AND \(params.visitorID)::uuid IS NOT NULL
                ON CONFLICT (visitor_id) DO UPDATE SET name = EXCLUDED.name, email = coalesce(EXCLUDED.email, u.email)
                RETURNING u.id, u.name, u.email, u.visitor_id
            ), email_customer AS (
                -- Without a visitor, one customer per address: every mail from it is theirs.
                INSERT INTO conversation.customers AS u (id, name, email, visitor_id)
                SELECT \(UUID())::uuid, \(name)::text, \(params.email?.lowercased())::text, NULL::uuid
                WHERE NOT EXISTS (SELECT 1 FROM existing) AND \(params.visitorID)::uuid IS NULL
                ON CONFLICT ((lower(email))) WHERE visitor_id IS NULL DO UPDATE SET name = EXCLUDED.name
                RETURNING u.id, u.name, u.email, u.visitor_id
            ), customer AS (
                SELECT * FROM visitor_customer UNION ALL SELECT * FROM email_customer
            ), started AS (
                INSERT INTO conversation.conversations (id, channel, customer_id, idempotency_key, last_seq)
                SELECT \(id)::uuid, \(params.channel.rawValue)::text, customer.id, \(key)::text,
                       CASE WHEN \(opening?.body)::text IS NULL THEN 1 ELSE 2 END
                FROM customer
                RETURNING id, channel, created_at, closed_at, close_reason, customer_read_seq
            ), posted AS (
                INSERT INTO conversation.messages AS m (conversation_id, seq, id, author_kind, author_id, author_name, body, client_message_id)
                SELECT c.id, 1, \(UUID())::uuid, 'system', NULL::uuid, 'Switchboard', s.greeting_message, NULL::text
                FROM started c, conversation.settings s
                UNION ALL
                SELECT c.id, 2, \(UUID())::uuid, 'customer', u.id, \(name)::text, \(opening?.body)::text, \(opening?.clientMessageID)::text
                FROM started c, customer u WHERE \(opening?.body)::text IS NOT NULL
                RETURNING *
            )
            SELECT \(recordColumns)
            FROM started c, customer u, posted m ORDER BY m.seq
            """
        )
        guard let first = rows.first else {
            // `key` started one before: answer what that call answered.
            guard
                let earlier = try transaction.query("SELECT id FROM conversation.conversations WHERE idempotency_key = \(key)")
                    .first?.decode("id", as: UUID.self)
            else { throw RPCError.internalError("the conversation settings are missing") }
            return .init(
                conversation: try record(earlier, in: transaction)!,
                messages: try messages(.init(conversationID: earlier, limit: 10), in: transaction).items)
        }
        var posted = try rows.map(message)
        if let index = posted.firstIndex(where: { $0.author.kind == .customer }) {
            posted[index].attachments = try attachOpening(opening, to: posted[index], in: transaction)
        }
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
        /// The customer's visitor is blocked: they write nothing more.
        case blocked
        /// An attachment is not the author's upload in this conversation, or is attached already.
        case attachments(String)
        /// The visitor's writes are spent for now: room again in this many seconds.
        case overBudget(retryAfter: Int)
    }

    /// Posts in one transaction: the idempotency look-up, the closed check, the next `seq` (the
    /// row lock serialises writers of one conversation) and the message in one statement, then
    /// its `message.created` event, encoded from the row as stored. `blockChecked`: the caller
    /// has looked for a block on the visitor in this transaction already (`admit`).
    static func post(_ params: ConversationMethods.Post.Params, blockChecked: Bool = false, in transaction: Transaction) throws -> Posted {
        let conversation = params.conversationID
        let draft = params.draft
        // In the post's own transaction: a block is one indexed look-up, not a round of its own.
        if params.author.kind == .customer, !blockChecked, try isBlocked(conversation: conversation, in: transaction) {
            return .blocked
        }
        let attachments: [Attachment]
        switch try attachable(draft, author: params.author, conversation: conversation, in: transaction) {
        case .success(let found): attachments = found
        case .failure(let refusal): return .attachments(refusal.message)
        }
        let messageID = UUID()
        let rows = try transaction.query(
            """
            WITH existing AS (
                SELECT m.* FROM conversation.messages m WHERE m.conversation_id = \(conversation) AND m.client_message_id = \(draft.clientMessageID)
            ), next AS (
                UPDATE conversation.conversations SET last_seq = last_seq + 1
                WHERE id = \(conversation) AND closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM existing)
                RETURNING last_seq
            ), inserted AS (
                INSERT INTO conversation.messages AS m
                    (conversation_id, seq, id, author_kind, author_id, author_name, body, client_message_id, attachments)
                SELECT \(conversation), next.last_seq, \(messageID), \(params.author.kind.rawValue), \(params.author.id), \(params.author.name),
                       \(draft.body), \(draft.clientMessageID), \(try attachmentsDocument(attachments))::jsonb
                FROM next
                RETURNING *
            )
            SELECT 'created' AS outcome, \(messageColumns) FROM inserted m
            UNION ALL SELECT 'existing', \(messageColumns) FROM existing m
            UNION ALL SELECT 'closed', NULL::uuid, NULL::uuid, NULL::bigint, NULL::text, NULL::uuid, NULL::text, NULL::text, NULL::text,
                NULL::timestamptz, NULL::jsonb
            FROM conversation.conversations c
            WHERE c.id = \(conversation) AND NOT EXISTS (SELECT 1 FROM existing) AND NOT EXISTS (SELECT 1 FROM inserted)
            """
        )
        guard let row = rows.first else { return .notFound }
        switch try row.decode("outcome", as: String.self) {
        case "created":
            let message = try message(row)
            attach(attachments, to: message.id, in: transaction)
            try transaction.appendEvent(ConversationEvents.MessageCreated.self, message)
            return .message(message, created: true)
        case "existing": return .message(try message(row), created: false)
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
                SELECT m.*, sum(octet_length(m.body) + coalesce(octet_length(m.attachments::text), 0))
                    OVER (ORDER BY m.seq \(unescaped: order)) - octet_length(m.body) - coalesce(octet_length(m.attachments::text), 0) AS before_it
                FROM conversation.messages m
                WHERE m.conversation_id = \(params.conversationID) AND m.seq > \(params.afterSeq)
                  AND (\(params.includeNotes)::boolean OR m.author_kind <> 'note')
                  AND (\(params.beforeSeq)::bigint IS NULL OR m.seq < \(params.beforeSeq))
                ORDER BY m.seq \(unescaped: order) LIMIT \(params.limit + 1)
            ) m
            WHERE m.before_it < \(Page<Message>.byteBudget)
            ORDER BY m.seq \(unescaped: order)
            """
        )
        let candidates = try rows.map { row in
            let message = try message(row)
            return (message, PageCursor(key: backwards ? -message.seq : message.seq))
        }
        var page = Page(candidates: candidates, limit: params.limit)
        if backwards { page.items.reverse() }
        return page
    }

    /// Closes it once, saying why; `nil` when there is no such conversation.
    static func close(_ id: UUID, by closer: OperatorRef?, reason: CloseReason?, in transaction: Transaction) throws -> ConversationRecord?
    {
        let reason = reason ?? (closer == nil ? nil : .operator)
        let closed =
            try transaction.query(
                """
                UPDATE conversation.conversations
                SET closed_at = now(), closed_by_id = \(closer?.id), closed_by_name = \(closer?.name), close_reason = \(reason?.rawValue)
                WHERE id = \(id) AND closed_at IS NULL
                """
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
                """
                UPDATE conversation.conversations SET closed_at = NULL, closed_by_id = NULL, closed_by_name = NULL, close_reason = NULL
                WHERE id = \(id) AND closed_at IS NOT NULL
                """
            ).affectedRows == 1
        guard let record = try record(id, in: transaction) else { return nil }
        if reopened {
            try transaction.query("DELETE FROM conversation.hides WHERE conversation_id = \(id)")
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
        try transaction.query("UPDATE conversation.conversations SET channel = 'email' WHERE id = \(params.conversationID)")
        try transaction.query("UPDATE conversation.customers SET email = \(params.email.lowercased()) WHERE id = \(before.customer.id)")
        let after = try record(params.conversationID, in: transaction)!
        try transaction.appendEvent(ConversationEvents.MovedToEmail.self, after)
        return .moved(after)
    }

    /// A page of the Archive for one viewer, newest first.
    static func archive(
        _ params: ConversationMethods.Archive.Params, in transaction: Transaction
    ) throws -> ConversationMethods.Archive.Result {
        let trimmed = params.query?.trimmingCharacters(in: .whitespacesAndNewlines)
        let query = trimmed?.isEmpty == false ? trimmed : nil
        let hiddenForViewer: SQL =
            "EXISTS (SELECT 1 FROM conversation.hides h WHERE h.operator_id = \(params.viewerID) AND h.conversation_id = c.id)"
        let rows = try transaction.query(
            """
            SELECT c.id, c.closed_by_id, c.closed_by_name, \(Keyset.key("c.closed_at")), \(hiddenForViewer) AS hidden
            FROM conversation.conversations c
            JOIN conversation.customers u ON u.id = c.customer_id
            WHERE c.closed_at IS NOT NULL
              AND (\(params.closedByID)::uuid IS NULL OR c.closed_by_id = \(params.closedByID))
              AND (\(params.from)::timestamptz IS NULL OR c.closed_at >= \(params.from))
              AND (\(params.to)::timestamptz IS NULL OR c.closed_at < \(params.to))
              AND (\(params.includeHidden)::boolean OR NOT \(hiddenForViewer))
              AND (\(query)::text IS NULL
                   OR to_tsvector('simple', u.name || ' ' || coalesce(u.email, '')) @@ plainto_tsquery('simple', \(query))
                   OR EXISTS (SELECT 1 FROM conversation.messages m
                              WHERE m.conversation_id = c.id AND to_tsvector('simple', m.body) @@ plainto_tsquery('simple', \(query))))
              AND \(Keyset.after(params.page.position, column: "c.closed_at", id: "c.id", descending: true))
            ORDER BY c.closed_at DESC, c.id DESC
            LIMIT \(params.page.limit + 1)
            """
        )
        let candidates = try rows.compactMap { row -> (ConversationMethods.ArchiveEntry, PageCursor)? in
            let (id, closerID, closerName) = try row.decode((UUID, UUID?, String?).self)
            guard let conversation = try record(id, in: transaction) else { return nil }
            let entry = ConversationMethods.ArchiveEntry(
                conversation: conversation, closedBy: closerID.map { OperatorRef(id: $0, name: closerName ?? "") },
                hidden: try row.decode("hidden"))
            return (entry, try Keyset.position(row))
        }
        return Page(candidates: candidates, limit: params.page.limit)
    }

    /// Moves the reading position forward (never past the last message); `false` when there is
    /// no such conversation. When the desk's furthest position moves, the customer hears of it
    /// (`conversation.read`, side `operator`).
    static func read(_ params: ConversationMethods.Read.Params, in transaction: Transaction) throws -> Bool {
        let rows = try transaction.query(
            """
            WITH conversation AS (
                SELECT id, last_seq FROM conversation.conversations WHERE id = \(params.conversationID)
            ), before AS (
                SELECT coalesce(max(seq), 0) AS seq FROM conversation.reads WHERE conversation_id = \(params.conversationID)
            ), moved AS (
                INSERT INTO conversation.reads AS r (operator_id, conversation_id, seq)
                SELECT \(params.operatorID), c.id, least(\(params.seq), c.last_seq) FROM conversation c
                ON CONFLICT (operator_id, conversation_id) DO UPDATE SET seq = greatest(r.seq, EXCLUDED.seq)
                RETURNING r.seq
            )
            SELECT before.seq AS before, moved.seq AS after FROM before, moved
            """
        )
        guard let row = rows.first else { return false }
        let (before, after) = try row.decode((Int64, Int64).self)
        if after > before {
            try transaction.appendEvent(
                ConversationEvents.Read.self, ReadReceipt(conversationID: params.conversationID, side: .operator, seq: after))
        }
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
            SELECT \(recordColumns),
                   (SELECT count(*) FROM conversation.messages n
                    WHERE n.conversation_id = c.id
                      AND n.seq > coalesce(
                          (SELECT seq FROM conversation.reads WHERE operator_id = \(params.operatorID) AND conversation_id = c.id), 0)
                      AND NOT (n.author_kind IN ('operator', 'note') AND n.author_id = \(params.operatorID))) AS unread
            FROM unnest(\(params.conversationIDs)::uuid[]) WITH ORDINALITY AS asked(id, position)
            JOIN conversation.conversations c ON c.id = asked.id
            JOIN conversation.customers u ON u.id = c.customer_id
            LEFT JOIN LATERAL \(lastMessage) ON true
            ORDER BY asked.position
            """
        )
        return try rows.map { row in
            .init(conversation: try record(row), unread: try row.decode("unread"))
        }
    }

    static func settings(in transaction: Transaction) throws -> ConversationSettings {
        let (greeting, offline, idle) = try transaction.query(
            "SELECT greeting_message, offline_message, idle_close_minutes FROM conversation.settings"
        )[0].decode((String, String, Int?).self)
        return ConversationSettings(greetingMessage: greeting, offlineMessage: offline, idleCloseMinutes: idle)
    }

    static func save(_ settings: ConversationSettings, in transaction: Transaction) throws -> ConversationSettings {
        try transaction.query(
            """
            UPDATE conversation.settings SET greeting_message = \(settings.greetingMessage), offline_message = \(settings.offlineMessage),
                idle_close_minutes = \(settings.idleCloseMinutes)
            """)
        return settings
    }

    /// A page of a customer's conversations, newest first.
    static func history(_ params: ConversationMethods.History.Params, in transaction: Transaction) throws -> Page<ConversationRecord> {
        let rows = try transaction.query(
            """
            SELECT c.id, \(Keyset.key("c.created_at")) FROM conversation.conversations c
            JOIN conversation.customers u ON u.id = c.customer_id
            WHERE ((\(params.visitorID)::uuid IS NOT NULL AND u.visitor_id = \(params.visitorID))
                   OR (\(params.customerID)::uuid IS NOT NULL AND u.id = \(params.customerID)))
              AND \(Keyset.after(params.page.position, column: "c.created_at", id: "c.id", descending: true))
            ORDER BY c.created_at DESC, c.id DESC LIMIT \(params.page.limit + 1)
            """
        )
        let candidates = try rows.compactMap { row -> (ConversationRecord, PageCursor)? in
            guard let record = try record(try row.decode("id"), in: transaction) else { return nil }
            return (record, try Keyset.position(row))
        }
        return Page(candidates: candidates, limit: params.page.limit)
    }

    /// Hides or shows one closed conversation in one operator's Archive; `false` if it is not closed.
    static func hide(_ params: ConversationMethods.Hide.Params, in transaction: Transaction) throws -> Bool {
        let closed = try transaction.query(
            "SELECT closed_at IS NOT NULL AS closed FROM conversation.conversations WHERE id = \(params.conversationID)"
        ).first?.decode("closed", as: Bool.self)
        guard closed == true else { return false }
        if params.hidden {
            try transaction.query(
                """
                INSERT INTO conversation.hides (operator_id, conversation_id) VALUES (\(params.viewerID), \(params.conversationID))
                ON CONFLICT DO NOTHING
                """)
        } else {
            try transaction.query(
                "DELETE FROM conversation.hides WHERE operator_id = \(params.viewerID) AND conversation_id = \(params.conversationID)")
        }
        return true
    }
}
