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
        try transaction.query("SELECT pg_advisory_xact_lock(hashtextextended('pool.admit ' || \(params.origin), 0))")
        let waiting =
            try transaction.query(
                """
                SELECT (SELECT count(*) FROM pool.items WHERE origin = \(params.origin) AND status = 'waiting')
                    + (SELECT count(*) FROM pool.admissions a WHERE a.origin = \(params.origin) AND a.conversation_id <> \(params.conversationID)
                         AND a.admitted_at > now() - make_interval(secs => \(Double(admissionLifetime)))
                         AND NOT EXISTS (SELECT 1 FROM pool.items i WHERE i.conversation_id = a.conversation_id)) AS waiting
                """
            ).first?.decode("waiting", as: Int.self) ?? 0
        guard waiting < params.limit else { return .full(retryAfter: 60) }
        try transaction.query(
            """
            INSERT INTO pool.admissions (conversation_id, origin) VALUES (\(params.conversationID), \(params.origin))
            ON CONFLICT (conversation_id) DO NOTHING
            """)
        if UInt8.random(in: 0..<64) == 0 {
            try transaction.query(
                "DELETE FROM pool.admissions WHERE admitted_at < now() - make_interval(secs => \(Double(admissionLifetime)))")
        }
        return .admitted
    }

    /// `pool.withdraw`: the chat did not start.
    static func withdraw(_ conversationID: UUID, in transaction: Transaction) throws {
        try transaction.query("DELETE FROM pool.admissions WHERE conversation_id = \(conversationID)")
    }

    static let columns: SQL =
        "conversation_id, kind, status, customer_name, preview, waiting_since, holder_id, holder_name, customer_waiting_since"

    /// An item from a row of `columns`.
    static func item(_ row: PGRow) throws -> PoolItem {
        let holderID: UUID? = try row.decode("holder_id")
        return PoolItem(
            conversationID: try row.decode("conversation_id"), kind: PoolItem.Kind(rawValue: try row.decode("kind")) ?? .chat,
            status: PoolItem.Status(rawValue: try row.decode("status")) ?? .waiting, customerName: try row.decode("customer_name"),
            preview: try row.decode("preview"), waitingSince: try row.decode("waiting_since"),
            holder: try holderID.map { OperatorRef(id: $0, name: try row.decode("holder_name")) },
            customerWaitingSince: try row.decode("customer_waiting_since")
        )
    }

    /// A page of the Pool, oldest first.
    static func waiting(_ params: PoolMethods.Waiting.Params, in transaction: Transaction) throws -> Page<PoolItem> {
        try page(
            where: "status = 'waiting' AND (\(params.kind?.rawValue)::text IS NULL OR kind = \(params.kind?.rawValue))", params.page,
            in: transaction)
    }

    /// A page of what an operator holds, oldest first.
    static func held(_ params: PoolMethods.Held.Params, in transaction: Transaction) throws -> Page<PoolItem> {
        try page(
            where:
                "status = 'assigned' AND holder_id = \(params.operatorID) AND (\(params.kind?.rawValue)::text IS NULL OR kind = \(params.kind?.rawValue))",
            params.page, in: transaction)
    }

    /// Items matching `condition`, in waiting order, after the page's position; with the count
    /// of all that match.
    private static func page(where condition: SQL, _ page: PageRequest, in transaction: Transaction) throws -> Page<PoolItem> {
        let rows = try transaction.query(
            """
            SELECT \(columns), \(Keyset.key("waiting_since")) FROM pool.items
            WHERE \(condition) AND \(Keyset.after(page.position, column: "waiting_since", id: "conversation_id"))
            ORDER BY waiting_since, conversation_id LIMIT \(page.limit + 1)
            """)
        let total = try transaction.query("SELECT count(*) AS total FROM pool.items WHERE \(condition)")[0].decode("total", as: Int.self)
        return Page(
            candidates: try rows.map { (try item($0), try Keyset.position($0, id: "conversation_id")) }, limit: page.limit, total: total)
    }

    static func item(_ id: UUID, in transaction: Transaction) throws -> PoolItem? {
        try transaction.query("SELECT \(columns) FROM pool.items WHERE conversation_id = \(id)").first.map(item)
    }

    /// "Take it on me" and taking a colleague's job. A waiting item goes in one conditional UPDATE
    /// (`claim`); anything else is decided on the row as read, and under its lock only when it
    /// would change hands, so of simultaneous takes one decides first and the rest see its result.
    static func take(_ params: PoolMethods.Take.Params, at now: Date, in transaction: Transaction) throws -> PoolItem {
        if !params.takeover, let taken = try claim(params, at: now, in: transaction) { return taken }
        // Not waiting (any more), or a takeover: decided on what is there now, without a lock
        // when the answer is to keep or refuse (it was so when read).
        guard let seen = try items([params.conversationID], in: transaction).first else { throw PoolRefusal.notFound }
        switch try decide(seen, params, in: transaction) {
        case .keep: return seen
        case .refuse(let refusal): throw refusal
        case .assign:
            // A takeover, or it changed since it was read: decided again under the item's lock.
            let current = try locked(params.conversationID, in: transaction)
            switch try decide(current, params, in: transaction) {
            case .keep: return current
            case .refuse(let refusal): throw refusal
            case .assign(let how):
                return try hand(params.conversationID, from: current.holder, to: params.taker, how: how, at: now, in: transaction)
            }
        }
    }

    /// "Take it on me" on a waiting item, in one conditional UPDATE: the taker gets it if it
    /// still waits (a ticket only if they take tickets). Everyone clicking the same chat at once
    /// waits only for the first one's commit and then finds it taken: nobody queues on its lock
    /// behind the others. `nil` when it did not wait for this taker.
    static func claim(_ params: PoolMethods.Take.Params, at now: Date, in transaction: Transaction) throws -> PoolItem? {
        let taker = params.taker
        guard
            let row = try transaction.query(
                """
                WITH before AS (SELECT holder_id, holder_name FROM pool.items WHERE conversation_id = \(params.conversationID))
                UPDATE pool.items SET status = 'assigned', holder_id = \(taker.id), holder_name = \(taker.name), updated_at = now()
                WHERE conversation_id = \(params.conversationID) AND status = 'waiting'
                  AND (kind = 'chat' OR EXISTS (SELECT 1 FROM pool.operators WHERE operator_id = \(taker.id) AND tickets AND active))
                RETURNING \(columns), (SELECT holder_id FROM before) AS from_id, (SELECT holder_name FROM before) AS from_name
                """
            ).first
        else { return nil }
        let from = try row.decode("from_id", as: UUID?.self).map { OperatorRef(id: $0, name: try row.decode("from_name")) }
        try record(AssignmentChange(conversationID: params.conversationID, from: from, to: taker, how: .take, at: now), in: transaction)
        return try item(row)
    }

    /// `Assignment.decide` for this take, asking about the taker's availability only for a ticket.
    private static func decide(
        _ item: PoolItem, _ params: PoolMethods.Take.Params, in transaction: Transaction
    ) throws
        -> Assignment.Decision
    {
        Assignment.decide(
            item, taker: params.taker, takeover: params.takeover,
            takerAvailable: item.kind == .ticket ? try isAvailable(params.taker.id, for: .ticket, in: transaction) : true)
    }

    /// Makes the item a ticket (once: `pool.changed` only when it changes); `nil` when there is none.
    static func markTicket(_ id: UUID, in transaction: Transaction) throws -> PoolItem? {
        let changed = try transaction.query(
            "UPDATE pool.items SET kind = 'ticket', updated_at = now() WHERE conversation_id = \(id) AND kind <> 'ticket'"
        ).affectedRows
        if changed == 1 {
            try transaction.appendEvent(PoolEvents.Changed.self, PoolChange(conversationID: id))
        }
        return try items([id], in: transaction).first
    }

    /// Gives a ticket to an available operator, whoever holds it now.
    static func assign(_ params: PoolMethods.Assign.Params, at now: Date, in transaction: Transaction) throws -> PoolItem {
        let rows = try transaction.query("SELECT \(columns) FROM pool.items WHERE conversation_id = \(params.conversationID) FOR UPDATE")
        guard let current = try rows.first.map(item) else { throw PoolRefusal.notFound }
        if current.status == .closed { throw PoolRefusal.closed }
        guard current.kind == .ticket else { throw PoolRefusal.notATicket }
        if current.holder?.id == params.to.id { return current }
        guard try isAvailable(params.to.id, for: .ticket, in: transaction) else { throw PoolRefusal.colleagueUnavailable(params.to) }
        return try hand(params.conversationID, from: current.holder, to: params.to, how: .assign, at: now, in: transaction)
    }

    static func items(_ ids: [UUID], in transaction: Transaction) throws -> [PoolItem] {
        guard !ids.isEmpty else { return [] }
        return try transaction.query(
            "SELECT \(columns) FROM pool.items WHERE conversation_id = ANY(\(ids)::uuid[])"
        ).map(item)
    }

    /// The holder, or an admin, hands it on to a colleague available for its kind; whoever
    /// gave it up has room for another.
    static func transfer(_ params: PoolMethods.Transfer.Params, at now: Date, in transaction: Transaction) throws -> PoolItem {
        let current = try locked(params.conversationID, in: transaction)
        if current.status == .closed { throw PoolRefusal.closed }
        guard let holder = current.holder, holder.id == params.by.id || params.admin else { throw PoolRefusal.notHolder }
        if params.to.id == holder.id { return current }
        guard try isAvailable(params.to.id, for: current.kind, in: transaction) else { throw PoolRefusal.colleagueUnavailable(params.to) }
        let handed = try hand(
            params.conversationID, from: holder, to: params.to, how: .transfer, at: now, by: holder.id == params.by.id ? nil : params.by,
            in: transaction)
        try fill(at: now, in: transaction)
        return handed
    }

    /// The item, locked until the transaction ends; `not_found` when there is none.
    static func locked(_ id: UUID, in transaction: Transaction) throws -> PoolItem {
        let rows = try transaction.query("SELECT \(columns) FROM pool.items WHERE conversation_id = \(id) FOR UPDATE")
        guard let current = try rows.first.map(item) else { throw PoolRefusal.notFound }
        return current
    }

    /// Makes `to` the holder of the (locked) item, records the change and announces it; every way
    /// a conversation changes hands ends here.
    static func hand(
        _ id: UUID, from: OperatorRef?, to: OperatorRef, how: AssignmentChange.How, at now: Date, by: OperatorRef? = nil,
        in transaction: Transaction
    ) throws -> PoolItem {
        let updated = try transaction.query(
            """
            UPDATE pool.items SET status = 'assigned', holder_id = \(to.id), holder_name = \(to.name), updated_at = now()
            WHERE conversation_id = \(id) RETURNING \(columns)
            """)
        try record(AssignmentChange(conversationID: id, from: from, to: to, how: how, at: now, by: by), in: transaction)
        return try item(updated[0])
    }

    static func record(_ change: AssignmentChange, in transaction: Transaction) throws {
        if let to = change.to {
            transaction.send("UPDATE pool.operators SET last_assigned_at = now() WHERE operator_id = \(to.id)")
        }
        transaction.send(
            """
            INSERT INTO pool.audit (conversation_id, from_id, from_name, to_id, to_name, how, by_id, by_name, reason, at)
            VALUES (
                \(change.conversationID), \(change.from?.id), \(change.from?.name), \(change.to?.id), \(change.to?.name), \(change.how.rawValue),
                \(change.by?.id), \(change.by?.name), \(change.reason?.rawValue), \(change.at))
            """)
        let announced: NewEvent? =
            switch change.how {
            case .returned: try NewEvent(PoolEvents.Returned.self, change)
            case .dismissed: nil
            default: try NewEvent(PoolEvents.Assigned.self, change)
            }
        try transaction.appendEvents(
            [announced, try NewEvent(PoolEvents.Changed.self, PoolChange(conversationID: change.conversationID))].compactMap { $0 })
    }

    /// The latest `limit` changes of holder, oldest first.
    static func audit(_ params: PoolMethods.Audit.Params, in transaction: Transaction) throws -> [AssignmentChange] {
        try transaction.query(
            """
            SELECT * FROM (
                SELECT conversation_id, from_id, from_name, to_id, to_name, how, at, by_id, by_name, reason, id FROM pool.audit
                WHERE conversation_id = \(params.conversationID) ORDER BY id DESC LIMIT \(params.limit)
            ) latest ORDER BY id
            """
        ).map { row in
            AssignmentChange(
                conversationID: try row.decode("conversation_id"), from: try reference(row, "from"), to: try reference(row, "to"),
                how: AssignmentChange.How(rawValue: try row.decode("how")) ?? .take, at: try row.decode("at"), by: try reference(row, "by"),
                reason: try row.decode("reason", as: String?.self).flatMap(AssignmentChange.Reason.init(rawValue:))
            )
        }
    }

    /// The operator named by the columns `<prefix>_id` and `<prefix>_name`, if any.
    private static func reference(_ row: PGRow, _ prefix: String) throws -> OperatorRef? {
        try row.decode("\(prefix)_id", as: UUID?.self).map { OperatorRef(id: $0, name: try row.decode("\(prefix)_name")) }
    }

    static func settings(in transaction: Transaction) throws -> PoolSettings {
        let row = try transaction.query(
            """
            SELECT auto_assign, max_chats_per_operator, away_after_seconds, return_when_away, escalation_after_seconds,
                   escalation_admins_after_seconds
            FROM pool.settings
            """)[0]
        let (autoAssign, maxChats, awayAfter, returnWhenAway, after, adminsAfter) = try row.decode((Bool, Int, Int, Bool, Int?, Int?).self)
        return PoolSettings(
            autoAssign: autoAssign, maxChatsPerOperator: maxChats, awayAfterSeconds: awayAfter, returnWhenAway: returnWhenAway,
            escalation: after.flatMap { after in adminsAfter.map { .init(afterSeconds: after, adminsAfterSeconds: $0) } })
    }

    static func save(_ settings: PoolSettings, at now: Date, in transaction: Transaction) throws -> PoolSettings {
        try transaction.query(
            """
            UPDATE pool.settings SET auto_assign = \(settings.autoAssign), max_chats_per_operator = \(settings.maxChatsPerOperator),
                away_after_seconds = \(settings.awayAfterSeconds), return_when_away = \(settings.returnWhenAway),
                escalation_after_seconds = \(settings.escalation?.afterSeconds),
                escalation_admins_after_seconds = \(settings.escalation?.adminsAfterSeconds)
            """)
        // Switching auto-assign on (or raising the limit) gives the waiting chats out now.
        try fill(at: now, in: transaction)
        return settings
    }

    /// Availability, presence and load of these operators.
    static func staffing(_ operatorIDs: [UUID], in transaction: Transaction) throws -> [PoolMethods.Staffing.Entry] {
        try transaction.query(
            """
            SELECT o.operator_id, coalesce(a.chats, false) AS chats, coalesce(a.tickets, false) AS tickets,
                   \(presence) AS presence,
                   (SELECT count(*) FROM pool.items i WHERE i.holder_id = o.operator_id AND i.status = 'assigned') AS load
            FROM unnest(\(operatorIDs)::uuid[]) WITH ORDINALITY AS o(operator_id, position)
            LEFT JOIN pool.operators a ON a.operator_id = o.operator_id
            ORDER BY o.position
            """
        ).map(staffingEntry)
    }

    /// An operator's presence from their row in `pool.operators a` (absent: offline).
    static let presence: SQL = """
        CASE WHEN NOT coalesce(a.signed_in, false) OR a.seen_at IS NULL THEN 'offline'
             WHEN a.away_since IS NOT NULL THEN 'away' ELSE 'online' END
        """

    static func staffingEntry(_ row: PGRow) throws -> PoolMethods.Staffing.Entry {
        .init(
            operatorID: try row.decode("operator_id"),
            availability: Availability(chats: try row.decode("chats"), tickets: try row.decode("tickets")),
            presence: Presence(rawValue: try row.decode("presence")) ?? .offline, load: try row.decode("load"))
    }

    /// How many active operators take chats now (the widget's "someone is there").
    static func availableCount(in transaction: Transaction) throws -> Int {
        try transaction.query("SELECT count(*) AS available FROM pool.operators WHERE chats AND active")[0].decode("available")
    }

    /// Whether the operator takes this kind of work now.
    static func isAvailable(_ operatorID: UUID, for kind: PoolItem.Kind, in transaction: Transaction) throws -> Bool {
        try transaction.query(
            "SELECT CASE WHEN \(kind.rawValue) = 'chat' THEN chats ELSE tickets END AND active AS available FROM pool.operators WHERE operator_id = \(operatorID)"
        ).first?.decode("available", as: Bool.self) ?? false
    }

    /// Switches what they take; chats switched on may bring them waiting chats at once.
    static func setAvailability(
        _ params: PoolMethods.SetAvailability.Params, at now: Date, in transaction: Transaction
    ) throws -> Availability {
        let row = try transaction.query(
            """
            INSERT INTO pool.operators AS o (operator_id, operator_name, chats, tickets)
            VALUES (\(params.operatorID), \(params.operatorName), coalesce(\(params.chats), false), coalesce(\(params.tickets), false))
            ON CONFLICT (operator_id) DO UPDATE SET
                chats = coalesce(\(params.chats), o.chats), tickets = coalesce(\(params.tickets), o.tickets),
                operator_name = EXCLUDED.operator_name, changed_at = now(),
                away_switched_off = o.away_switched_off AND \(params.chats)::boolean IS NULL
            RETURNING chats, tickets
            """)[0]
        let availability = Availability(chats: try row.decode("chats"), tickets: try row.decode("tickets"))
        if params.chats == true { try fill(at: now, in: transaction) }
        return availability
    }

    // MARK: Reactions to the conversation service's events

    /// Applies a batch of events in order; each run of chat messages in it is one statement.
    /// Replaying a batch changes nothing more.
    static func apply(_ events: [OutboxEvent], at now: Date, in transaction: Transaction) throws {
        var run = MessageRun()
        for event in events {
            if event.is(ConversationEvents.MessageCreated.self) {
                run.add(try event.decode(ConversationEvents.MessageCreated.self))
                continue
            }
            apply(run, in: transaction)
            run = MessageRun()
            try apply(event, at: now, in: transaction)
        }
        apply(run, in: transaction)
    }

    /// A run of messages' previews and waiting times, one statement for all of its conversations.
    /// An item whose only change would be to stop a wait that is not running is left alone.
    static func apply(_ run: MessageRun, in transaction: Transaction) {
        guard !run.isEmpty else { return }
        var ids: [UUID] = []
        var previews: [String?] = []
        var waitings: [String] = []
        var instants: [Date?] = []
        for (conversation, effect) in run.effects {
            ids.append(conversation)
            previews.append(effect.preview)
            let (waiting, at): (String, Date?) =
                switch effect.waiting {
                case .unchanged: ("unchanged", nil)
                case .cleared: ("cleared", nil)
                case .since(let at): ("since", at)
                case .atLeast(let at): ("at_least", at)
                }
            waitings.append(waiting)
            instants.append(at)
        }
        transaction.send(
            """
            UPDATE pool.items i SET
                preview = coalesce(u.preview, i.preview),
                customer_waiting_since = CASE u.waiting
                    WHEN 'cleared' THEN NULL
                    WHEN 'since' THEN u.at
                    WHEN 'at_least' THEN coalesce(i.customer_waiting_since, u.at)
                    ELSE i.customer_waiting_since END,
                updated_at = CASE WHEN u.preview IS NULL THEN i.updated_at ELSE now() END
            FROM unnest(\(ids)::uuid[], \(previews)::text[], \(waitings)::text[], \(instants)::timestamptz[])
                AS u(conversation_id, preview, waiting, at)
            WHERE i.conversation_id = u.conversation_id AND (u.preview IS NOT NULL OR i.customer_waiting_since IS NOT NULL)
            """)
    }

    /// Applies one outbox event other than a message (those go in a `MessageRun`); replaying it
    /// changes nothing more.
    private static func apply(_ event: OutboxEvent, at now: Date, in transaction: Transaction) throws {
        switch event.kind {
        case ConversationEvents.Started.kind:
            let conversation = try event.decode(ConversationEvents.Started.self)
            let inserted = try transaction.query(
                """
                WITH admitted AS (DELETE FROM pool.admissions WHERE conversation_id = \(conversation.id) RETURNING origin)
                INSERT INTO pool.items (conversation_id, kind, status, customer_name, preview, waiting_since, origin)
                VALUES (
                    \(conversation.id), \(conversation.channel == .email ? "ticket" : "chat"), 'waiting', \(conversation.customer.name),
                    \(preview(conversation.lastMessage)), \(conversation.createdAt), (SELECT origin FROM admitted))
                ON CONFLICT (conversation_id) DO NOTHING
                """
            ).affectedRows
            if inserted == 1 {
                try transaction.appendEvent(PoolEvents.Changed.self, PoolChange(conversationID: conversation.id))
                if conversation.channel == .chat {
                    try fill(at: now, in: transaction)
                    try announce(conversation.id, at: now, in: transaction)
                }
            }
        case ConversationEvents.Closed.kind:
            let closed = try transaction.query(
                "UPDATE pool.items SET status = 'closed', updated_at = now() WHERE conversation_id = \(event.subject) AND status <> 'closed'"
            ).affectedRows
            if closed == 1 {
                try transaction.appendEvent(PoolEvents.Changed.self, PoolChange(conversationID: event.subject))
                // Its holder has room for another.
                try fill(at: now, in: transaction)
            }
        case ConversationEvents.Reopened.kind:
            try reopen(event.subject, at: now, in: transaction)
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
    static func reopen(_ id: UUID, at now: Date, in transaction: Transaction) throws {
        let rows = try transaction.query(
            """
            SELECT i.holder_id, i.holder_name, coalesce(CASE WHEN i.kind = 'chat' THEN a.chats ELSE a.tickets END AND a.active, false)
            FROM pool.items i LEFT JOIN pool.operators a ON a.operator_id = i.holder_id
            WHERE i.conversation_id = \(id) AND i.status = 'closed' FOR UPDATE OF i
            """)
        guard let row = rows.first else { return }
        let (holderID, holderName, available) = try row.decode((UUID?, String?, Bool).self)
        if let holderID, let holderName, available {
            let holder = OperatorRef(id: holderID, name: holderName)
            _ = try hand(id, from: nil, to: holder, how: .reopen, at: now, in: transaction)
        } else {
            try transaction.query(
                """
                UPDATE pool.items SET status = 'waiting', holder_id = NULL, holder_name = NULL, waiting_since = \(now), alerted = 0,
                    updated_at = now()
                WHERE conversation_id = \(id)
                """)
            try transaction.appendEvent(PoolEvents.Changed.self, PoolChange(conversationID: id))
        }
    }

    /// The first line of a customer's message, short enough for a list.
    static func preview(_ message: Message?) -> String {
        guard let message, message.author.kind == .customer else { return "" }
        let line = message.firstLine
        return line.count > 140 ? String(line.prefix(139)) + "…" : line
    }
}
