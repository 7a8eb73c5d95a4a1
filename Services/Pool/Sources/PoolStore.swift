import Contracts
import Foundation
import Storage

/// The `pool` schema: waiting items, holders, availability, and the assignment audit.
enum PoolStore {
    /// How long an admission counts while its chat has not reached the Pool: longer than any
    /// start takes; a chat whose start failed without a withdraw stops counting then.
    static let admissionLifetime = 600

    enum Admission: Equatable {
        case admitted
        case full(retryAfter: Int)
    }

    /// `pool.admit`: serialized per origin by an advisory lock held to the commit, so concurrent
    /// admits count each other.
    static func admit(_ params: PoolMethods.Admit.Params, in transaction: Transaction) throws -> Admission {
        try transaction.query("SELECT pg_advisory_xact_lock(hashtextextended('pool.admit ' || $1, 0))", [params.origin])
        let waiting =
            try transaction.query(
                """
                SELECT (SELECT count(*) FROM pool.items WHERE origin = $1 AND status = 'waiting')
                    + (SELECT count(*) FROM pool.admissions a WHERE a.origin = $1 AND a.conversation_id <> $2
                         AND a.admitted_at > now() - make_interval(secs => $3)
                         AND NOT EXISTS (SELECT 1 FROM pool.items i WHERE i.conversation_id = a.conversation_id))
                """,
                [params.origin, params.conversationID, Double(admissionLifetime)]
            ).first?.decode(Int.self, at: 0) ?? 0
        guard waiting < params.limit else { return .full(retryAfter: 60) }
        try transaction.query(
            "INSERT INTO pool.admissions (conversation_id, origin) VALUES ($1, $2) ON CONFLICT (conversation_id) DO NOTHING",
            [params.conversationID, params.origin]
        )
        if UInt8.random(in: 0..<64) == 0 {
            try transaction.query(
                "DELETE FROM pool.admissions WHERE admitted_at < now() - make_interval(secs => $1)", [Double(admissionLifetime)])
        }
        return .admitted
    }

    /// `pool.withdraw`: the chat did not start.
    static func withdraw(_ conversationID: UUID, in transaction: Transaction) throws {
        try transaction.query("DELETE FROM pool.admissions WHERE conversation_id = $1", [conversationID])
    }

    static let columns = "conversation_id, kind, status, customer_name, preview, waiting_since, holder_id, holder_name"

    static func item(_ row: PGRow) throws -> PoolItem {
        let holderID: UUID? = try row.decode(at: 6)
        return PoolItem(
            conversationID: try row.decode(at: 0), kind: PoolItem.Kind(rawValue: try row.decode(at: 1)) ?? .chat,
            status: PoolItem.Status(rawValue: try row.decode(at: 2)) ?? .waiting, customerName: try row.decode(at: 3),
            preview: try row.decode(at: 4), waitingSince: try row.decode(at: 5),
            holder: try holderID.map { OperatorRef(id: $0, name: try row.decode(at: 7)) }
        )
    }

    /// A page of the Pool, oldest first.
    static func waiting(_ params: PoolMethods.Waiting.Params, in transaction: Transaction) throws -> Page<PoolItem> {
        try page(where: "status = 'waiting' AND ($1::text IS NULL OR kind = $1)", [params.kind?.rawValue], params.page, in: transaction)
    }

    /// A page of what an operator holds, oldest first.
    static func held(_ params: PoolMethods.Held.Params, in transaction: Transaction) throws -> Page<PoolItem> {
        try page(
            where: "status = 'assigned' AND holder_id = $1 AND ($2::text IS NULL OR kind = $2)",
            [params.operatorID, params.kind?.rawValue],
            params.page, in: transaction)
    }

    /// Items matching `condition` (whose parameters come first), in waiting order, after the
    /// page's position; with the count of all that match.
    private static func page(
        where condition: String, _ parameters: [any PostgresBindable], _ page: PageRequest, in transaction: Transaction
    ) throws -> Page<PoolItem> {
        let key = parameters.count + 1
        let position = page.position
        let rows = try transaction.query(
            """
            SELECT \(columns), \(Keyset.micros("waiting_since")) FROM pool.items
            WHERE \(condition)
              AND ($\(key)::bigint IS NULL OR (waiting_since, conversation_id) > (\(Keyset.instant(key)), $\(key + 1)::uuid))
            ORDER BY waiting_since, conversation_id LIMIT $\(key + 2)
            """,
            parameters + [position?.key, position?.id, page.limit + 1]
        )
        let total = try transaction.query("SELECT count(*) FROM pool.items WHERE \(condition)", parameters)[0].decode(Int.self, at: 0)
        return Page(
            candidates: try rows.map { (try item($0), try Keyset.position($0, key: 8, id: 0)) }, limit: page.limit, total: total)
    }

    static func item(_ id: UUID, in transaction: Transaction) throws -> PoolItem? {
        try transaction.query("SELECT \(columns) FROM pool.items WHERE conversation_id = $1", [id]).first.map(item)
    }

    /// "Take it on me": the item's row is locked, so of simultaneous takes one decides first and
    /// the rest see its result.
    static func take(_ params: PoolMethods.Take.Params, in transaction: Transaction) throws -> PoolItem {
        let rows = try transaction.query("SELECT \(columns) FROM pool.items WHERE conversation_id = $1 FOR UPDATE", [params.conversationID])
        guard let current = try rows.first.map(item) else { throw PoolRefusal.notFound }
        switch Assignment.decide(
            current, taker: params.taker, takeover: params.takeover, takerAvailable: try isAvailable(params.taker.id, in: transaction))
        {
        case .keep: return current
        case .refuse(let refusal): throw refusal
        case .assign(let how): return try hand(params.conversationID, from: current.holder, to: params.taker, how: how, in: transaction)
        }
    }

    /// Makes the item a ticket (once: `pool.changed` only when it changes); `nil` when there is none.
    static func markTicket(_ id: UUID, in transaction: Transaction) throws -> PoolItem? {
        let changed = try transaction.query(
            "UPDATE pool.items SET kind = 'ticket', updated_at = now() WHERE conversation_id = $1 AND kind <> 'ticket'", [id]
        ).affectedRows
        if changed == 1 {
            try transaction.appendEvent(PoolEvents.Changed.self, PoolChange(conversationID: id))
        }
        return try items([id], in: transaction).first
    }

    /// Gives a ticket to an available operator, whoever holds it now.
    static func assign(_ params: PoolMethods.Assign.Params, in transaction: Transaction) throws -> PoolItem {
        let rows = try transaction.query("SELECT \(columns) FROM pool.items WHERE conversation_id = $1 FOR UPDATE", [params.conversationID])
        guard let current = try rows.first.map(item) else { throw PoolRefusal.notFound }
        if current.status == .closed { throw PoolRefusal.closed }
        guard current.kind == .ticket else { throw PoolRefusal.notATicket }
        if current.holder?.id == params.to.id { return current }
        guard try isAvailable(params.to.id, in: transaction) else { throw PoolRefusal.colleagueUnavailable(params.to) }
        return try hand(params.conversationID, from: current.holder, to: params.to, how: .assign, in: transaction)
    }

    static func items(_ ids: [UUID], in transaction: Transaction) throws -> [PoolItem] {
        guard !ids.isEmpty else { return [] }
        return try transaction.query(
            "SELECT \(columns) FROM pool.items WHERE conversation_id = ANY($1::uuid[])", [ids.map { $0.uuidString.lowercased() }]
        ).map(item)
    }

    /// The holder hands it on to an available colleague.
    static func transfer(_ params: PoolMethods.Transfer.Params, in transaction: Transaction) throws -> PoolItem {
        let rows = try transaction.query("SELECT \(columns) FROM pool.items WHERE conversation_id = $1 FOR UPDATE", [params.conversationID])
        guard let current = try rows.first.map(item) else { throw PoolRefusal.notFound }
        if current.status == .closed { throw PoolRefusal.closed }
        guard current.holder?.id == params.from.id else { throw PoolRefusal.notHolder }
        if params.to.id == params.from.id { return current }
        guard try isAvailable(params.to.id, in: transaction) else { throw PoolRefusal.colleagueUnavailable(params.to) }
        return try hand(params.conversationID, from: params.from, to: params.to, how: .transfer, in: transaction)
    }

    /// Makes `to` the holder of the (locked) item, records the change and announces it; every way
    /// a conversation changes hands ends here.
    static func hand(
        _ id: UUID, from: OperatorRef?, to: OperatorRef, how: AssignmentChange.How, in transaction: Transaction
    ) throws -> PoolItem {
        let updated = try transaction.query(
            """
            UPDATE pool.items SET status = 'assigned', holder_id = $2, holder_name = $3, updated_at = now()
            WHERE conversation_id = $1 RETURNING \(columns)
            """,
            [id, to.id, to.name])
        try record(AssignmentChange(conversationID: id, from: from, to: to, how: how, at: Date()), in: transaction)
        return try item(updated[0])
    }

    private static func record(_ change: AssignmentChange, in transaction: Transaction) throws {
        try transaction.query("UPDATE pool.availability SET last_assigned_at = now() WHERE operator_id = $1", [change.to.id])
        try transaction.query(
            "INSERT INTO pool.audit (conversation_id, from_id, from_name, to_id, to_name, how) VALUES ($1, $2, $3, $4, $5, $6)",
            [change.conversationID, change.from?.id, change.from?.name, change.to.id, change.to.name, change.how.rawValue]
        )
        try transaction.appendEvents([
            try NewEvent(PoolEvents.Assigned.self, change),
            try NewEvent(PoolEvents.Changed.self, PoolChange(conversationID: change.conversationID)),
        ])
    }

    /// The latest `limit` changes of holder, oldest first.
    static func audit(_ params: PoolMethods.Audit.Params, in transaction: Transaction) throws -> [AssignmentChange] {
        try transaction.query(
            """
            SELECT * FROM (
                SELECT conversation_id, from_id, from_name, to_id, to_name, how, at, id FROM pool.audit
                WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2
            ) latest ORDER BY id
            """,
            [params.conversationID, params.limit]
        ).map { row in
            let fromID: UUID? = try row.decode(at: 1)
            return AssignmentChange(
                conversationID: try row.decode(at: 0), from: try fromID.map { OperatorRef(id: $0, name: try row.decode(at: 2)) },
                to: OperatorRef(id: try row.decode(at: 3), name: try row.decode(at: 4)),
                how: AssignmentChange.How(rawValue: try row.decode(at: 5)) ?? .take, at: try row.decode(at: 6)
            )
        }
    }

    static func settings(in transaction: Transaction) throws -> PoolSettings {
        let row = try transaction.query("SELECT auto_assign, max_chats_per_operator FROM pool.settings")[0]
        return PoolSettings(autoAssign: try row.decode(at: 0), maxChatsPerOperator: try row.decode(at: 1))
    }

    static func save(_ settings: PoolSettings, in transaction: Transaction) throws -> PoolSettings {
        try transaction.query(
            "UPDATE pool.settings SET auto_assign = $1, max_chats_per_operator = $2", [settings.autoAssign, settings.maxChatsPerOperator])
        return settings
    }

    /// Availability and load of these operators.
    static func staffing(_ operatorIDs: [UUID], in transaction: Transaction) throws -> [PoolMethods.Staffing.Entry] {
        try transaction.query(
            """
            SELECT o.operator_id, coalesce(a.available, false),
                   (SELECT count(*) FROM pool.items i WHERE i.holder_id = o.operator_id AND i.status = 'assigned')
            FROM unnest($1::uuid[]) AS o(operator_id)
            LEFT JOIN pool.availability a ON a.operator_id = o.operator_id
            """,
            [operatorIDs.map { $0.uuidString.lowercased() }]
        ).map { .init(operatorID: try $0.decode(at: 0), available: try $0.decode(at: 1), load: try $0.decode(at: 2)) }
    }

    static func availableCount(in transaction: Transaction) throws -> Int {
        try transaction.query("SELECT count(*) FROM pool.availability WHERE available")[0].decode(at: 0)
    }

    static func isAvailable(_ operatorID: UUID, in transaction: Transaction) throws -> Bool {
        try transaction.query("SELECT available FROM pool.availability WHERE operator_id = $1", [operatorID]).first?.decode(
            Bool.self, at: 0) ?? false
    }

    static func setAvailability(_ params: PoolMethods.SetAvailability.Params, in transaction: Transaction) throws {
        try transaction.query(
            """
            INSERT INTO pool.availability (operator_id, operator_name, available) VALUES ($1, $2, $3)
            ON CONFLICT (operator_id) DO UPDATE SET available = EXCLUDED.available, operator_name = EXCLUDED.operator_name, changed_at = now()
            """,
            [params.operatorID, params.operatorName, params.available]
        )
    }

    // MARK: Reactions to the conversation service's events

    /// Applies one outbox event; replaying it changes nothing more.
    static func apply(_ event: OutboxEvent, in transaction: Transaction) throws {
        switch event.kind {
        case ConversationEvents.Started.kind:
            let conversation = try event.decode(ConversationEvents.Started.self)
            let inserted = try transaction.query(
                """
                WITH admitted AS (DELETE FROM pool.admissions WHERE conversation_id = $1 RETURNING origin)
                INSERT INTO pool.items (conversation_id, kind, status, customer_name, preview, waiting_since, origin)
                VALUES ($1, $2, 'waiting', $3, $4, $5, (SELECT origin FROM admitted)) ON CONFLICT (conversation_id) DO NOTHING
                """,
                [
                    conversation.id, conversation.channel == .email ? "ticket" : "chat", conversation.customer.name,
                    preview(conversation.lastMessage), conversation.createdAt,
                ]
            ).affectedRows
            if inserted == 1 {
                try transaction.appendEvent(PoolEvents.Changed.self, PoolChange(conversationID: conversation.id))
                if conversation.channel == .chat { try autoAssign(conversation.id, in: transaction) }
            }
        case ConversationEvents.MessageCreated.kind:
            let message = try event.decode(ConversationEvents.MessageCreated.self)
            guard message.author.kind == .customer else { return }
            try transaction.query(
                "UPDATE pool.items SET preview = $2, updated_at = now() WHERE conversation_id = $1",
                [message.conversationID, preview(message)]
            )
        case ConversationEvents.Closed.kind:
            let closed = try transaction.query(
                "UPDATE pool.items SET status = 'closed', updated_at = now() WHERE conversation_id = $1 AND status <> 'closed'",
                [event.subject]
            ).affectedRows
            if closed == 1 { try transaction.appendEvent(PoolEvents.Changed.self, PoolChange(conversationID: event.subject)) }
        case ConversationEvents.Reopened.kind:
            try reopen(event.subject, in: transaction)
        case ConversationEvents.MovedToEmail.kind:
            _ = try markTicket(event.subject, in: transaction)
        default:
            return
        }
    }

    /// The conversation events the pool follows.
    static let followed = [
        ConversationEvents.Started.kind, ConversationEvents.MessageCreated.kind, ConversationEvents.Closed.kind,
        ConversationEvents.Reopened.kind, ConversationEvents.MovedToEmail.kind,
    ]

    /// A closed item opens again: back to its last holder when they are available, else into the Pool.
    static func reopen(_ id: UUID, in transaction: Transaction) throws {
        let rows = try transaction.query(
            """
            SELECT i.holder_id, i.holder_name, coalesce(a.available, false)
            FROM pool.items i LEFT JOIN pool.availability a ON a.operator_id = i.holder_id
            WHERE i.conversation_id = $1 AND i.status = 'closed' FOR UPDATE OF i
            """,
            [id])
        guard let row = rows.first else { return }
        let holderID: UUID? = try row.decode(at: 0)
        if let holderID, try row.decode(Bool.self, at: 2) {
            let holder = OperatorRef(id: holderID, name: try row.decode(at: 1))
            _ = try hand(id, from: nil, to: holder, how: .reopen, in: transaction)
        } else {
            try transaction.query(
                """
                UPDATE pool.items SET status = 'waiting', holder_id = NULL, holder_name = NULL, waiting_since = now(), updated_at = now()
                WHERE conversation_id = $1
                """,
                [id])
            try transaction.appendEvent(PoolEvents.Changed.self, PoolChange(conversationID: id))
        }
    }

    /// Gives a new chat to an operator when auto-assign is on and someone has room; else it waits.
    static func autoAssign(_ id: UUID, in transaction: Transaction) throws {
        let settings = try settings(in: transaction)
        guard settings.autoAssign else { return }
        let candidates = try transaction.query(
            """
            SELECT a.operator_id, a.operator_name, a.last_assigned_at,
                   (SELECT count(*) FROM pool.items i WHERE i.holder_id = a.operator_id AND i.status = 'assigned')
            FROM pool.availability a WHERE a.available
            """
        ).map { row in
            AutoAssign.Candidate(
                who: OperatorRef(id: try row.decode(at: 0), name: try row.decode(at: 1)), load: try row.decode(at: 3),
                lastAssigned: try row.decode(at: 2))
        }
        guard let chosen = AutoAssign.choose(candidates, maxChats: settings.maxChatsPerOperator) else { return }
        _ = try hand(id, from: nil, to: chosen, how: .auto, in: transaction)
    }

    /// The first line of a customer's message, short enough for a list.
    static func preview(_ message: Message?) -> String {
        guard let message, message.author.kind == .customer else { return "" }
        let line = message.body.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 140 ? String(line.prefix(139)) + "…" : line
    }
}
