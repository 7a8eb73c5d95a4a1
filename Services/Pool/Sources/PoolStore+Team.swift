import Contracts
import Foundation
import Storage

/// The desk's people as the pool sees them: presence, giving work back, auto-assign whenever
/// someone has room, and the alerts for chats that wait.
extension PoolStore {
    // MARK: Presence

    /// Operators with a console open: online now. One who went away comes back with the chats
    /// availability going away switched off; newly present operators may be given waiting chats.
    /// A deactivated operator stays gone (only the roster, at their next login, makes them active).
    static func seen(_ operators: [RosterEntry], at now: Date, in transaction: Transaction) throws {
        guard !operators.isEmpty else { return }
        let arrived = try transaction.query(
            """
            WITH present AS (
                SELECT * FROM unnest(\(operators.map(\.id))::uuid[], \(operators.map(\.name))::text[], \(operators.map(\.role.rawValue))::text[])
                    AS p(operator_id, operator_name, role)
            ), before AS (
                SELECT o.operator_id, o.signed_in AND o.away_since IS NULL AS was_here
                FROM pool.operators o JOIN present USING (operator_id) FOR UPDATE OF o
            )
            INSERT INTO pool.operators AS o (operator_id, operator_name, role, chats, tickets, signed_in, seen_at)
            SELECT operator_id, operator_name, role, false, false, true, \(now) FROM present
            ON CONFLICT (operator_id) DO UPDATE SET
                operator_name = EXCLUDED.operator_name, role = EXCLUDED.role, signed_in = true,
                seen_at = greatest(o.seen_at, EXCLUDED.seen_at), away_since = NULL,
                chats = o.chats OR o.away_switched_off, away_switched_off = false
            -- A stream the gateway had not yet closed when its operator was deactivated: nobody is there.
            WHERE o.active
            RETURNING operator_id, NOT coalesce((SELECT was_here FROM before b WHERE b.operator_id = o.operator_id), false) AS arrived
            """
        ).filter { try $0.decode("arrived", as: Bool.self) }
        if !arrived.isEmpty { try fill(at: now, in: transaction) }
    }

    /// The roster as the gateway knows it: names and roles, and active (a deactivated operator
    /// logs in again only once reactivated).
    static func roster(_ operators: [RosterEntry], in transaction: Transaction) throws {
        guard !operators.isEmpty else { return }
        try transaction.query(
            """
            INSERT INTO pool.operators AS o (operator_id, operator_name, role, chats, tickets)
            SELECT * , false, false FROM unnest(\(operators.map(\.id))::uuid[], \(operators.map(\.name))::text[], \(operators.map(\.role.rawValue))::text[])
            ON CONFLICT (operator_id) DO UPDATE SET operator_name = EXCLUDED.operator_name, role = EXCLUDED.role, active = true
            """)
    }

    /// They logged out of their last session: offline. Their chats stay for `away_after_seconds`
    /// (counted from now), then go back as anyone's who is away.
    static func left(_ operatorIDs: [UUID], at now: Date, in transaction: Transaction) throws {
        try transaction.query(
            "UPDATE pool.operators SET signed_in = false, seen_at = \(now) WHERE operator_id = ANY(\(operatorIDs)::uuid[]) AND signed_in")
    }

    // MARK: Giving work back

    /// Everything the operator holds goes back to the Pool, and they take nothing more.
    static func release(_ params: PoolMethods.Release.Params, at now: Date, in transaction: Transaction) throws -> Int {
        try transaction.query(
            """
            INSERT INTO pool.operators AS o (operator_id, operator_name, chats, tickets, active)
            VALUES (\(params.operatorID), '', false, false, false)
            ON CONFLICT (operator_id) DO UPDATE SET chats = false, tickets = false, away_switched_off = false, active = false,
                signed_in = false
            """)
        let held = try transaction.query(
            """
            SELECT \(columns) FROM pool.items WHERE holder_id = \(params.operatorID) AND status = 'assigned'
            ORDER BY waiting_since FOR UPDATE
            """
        ).map(item)
        for item in held {
            try giveBack(item, reason: params.reason, by: params.by, at: now, in: transaction)
        }
        if !held.isEmpty { try fill(at: now, in: transaction) }
        return held.count
    }

    /// One conversation back to the Pool, by its holder or an admin.
    static func giveBack(_ params: PoolMethods.Return.Params, at now: Date, in transaction: Transaction) throws -> PoolItem {
        let current = try locked(params.conversationID, in: transaction)
        switch current.status {
        case .closed: throw PoolRefusal.closed
        case .waiting: return current
        case .assigned:
            guard current.holder?.id == params.by.id || params.admin else { throw PoolRefusal.notHolder }
            let returned = try giveBack(
                current, reason: nil, by: current.holder?.id == params.by.id ? nil : params.by, at: now, in: transaction)
            try fill(at: now, in: transaction)
            return returned
        }
    }

    /// Puts a (locked, assigned) item back at the end of the Pool, audited `returned`, and
    /// announces it to whoever is available, as a new arrival.
    @discardableResult
    static func giveBack(
        _ current: PoolItem, reason: AssignmentChange.Reason?, by: OperatorRef?, at now: Date, in transaction: Transaction
    ) throws -> PoolItem {
        let updated = try transaction.query(
            """
            UPDATE pool.items SET status = 'waiting', holder_id = NULL, holder_name = NULL, waiting_since = \(now), alerted = 0,
                updated_at = now()
            WHERE conversation_id = \(current.conversationID) RETURNING \(columns)
            """)
        try record(
            AssignmentChange(
                conversationID: current.conversationID, from: current.holder, to: nil, how: .returned, at: now, by: by, reason: reason),
            in: transaction)
        if current.kind == .chat { try announce(current.conversationID, at: now, in: transaction) }
        return try item(updated[0])
    }

    /// A waiting chat closed as spam from the Pool; the caller closes the conversation.
    static func dismiss(_ params: PoolMethods.Dismiss.Params, at now: Date, in transaction: Transaction) throws -> PoolItem {
        let current = try locked(params.conversationID, in: transaction)
        switch (current.status, current.kind) {
        case (.closed, _): throw PoolRefusal.closed
        case (.assigned, _): throw PoolRefusal.alreadyTaken(by: current.holder ?? params.by)
        case (.waiting, .ticket): throw PoolRefusal.notAChat
        case (.waiting, .chat):
            let updated = try transaction.query(
                "UPDATE pool.items SET status = 'closed', updated_at = now() WHERE conversation_id = \(params.conversationID) RETURNING \(columns)"
            )
            try record(
                AssignmentChange(conversationID: params.conversationID, from: nil, to: nil, how: .dismissed, at: now, by: params.by),
                in: transaction)
            return try item(updated[0])
        }
    }

    // MARK: Auto-assign

    /// With auto-assign on, gives waiting chats (oldest first) to available operators while any
    /// has room under `max_chats_per_operator`: each to the one with the most room (`AutoAssign`).
    ///
    /// Called wherever room may have appeared (a chat arrives or closes, one is returned or handed
    /// on, someone becomes available or comes back) and by every sweep, which catches a fill
    /// skipped here. Only one transaction fills at a time (a try-lock: one that finds it held
    /// skips, and never waits on a lock it could deadlock with); a chat another transaction has
    /// locked is skipped the same way.
    static func fill(at now: Date, in transaction: Transaction) throws {
        let settings = try settings(in: transaction)
        guard settings.autoAssign else { return }
        guard
            try transaction.query("SELECT pg_try_advisory_xact_lock(hashtextextended('pool.fill', 0)) AS locked")[0].decode(
                "locked", as: Bool.self)
        else { return }
        var candidates = try transaction.query(
            """
            SELECT o.operator_id, o.operator_name, o.last_assigned_at,
                   (SELECT count(*) FROM pool.items i WHERE i.holder_id = o.operator_id AND i.status = 'assigned' AND i.kind = 'chat') AS load
            FROM pool.operators o WHERE o.chats AND o.active
            """
        ).map { row in
            let (id, name, lastAssigned, load) = try row.decode((UUID, String, Date?, Int).self)
            return AutoAssign.Candidate(who: OperatorRef(id: id, name: name), load: load, lastAssigned: lastAssigned)
        }
        let room = candidates.reduce(0) { $0 + max(0, settings.maxChatsPerOperator - $1.load) }
        guard room > 0 else { return }
        let waiting = try transaction.query(
            """
            SELECT conversation_id FROM pool.items WHERE status = 'waiting' AND kind = 'chat'
            ORDER BY waiting_since, conversation_id LIMIT \(min(room, PageRequest.limits.upperBound)) FOR UPDATE SKIP LOCKED
            """
        ).map { try $0.decode("conversation_id", as: UUID.self) }
        for id in waiting {
            guard let chosen = AutoAssign.choose(candidates, maxChats: settings.maxChatsPerOperator),
                let index = candidates.firstIndex(where: { $0.who == chosen })
            else { return }
            _ = try hand(id, from: nil, to: chosen, how: .auto, at: now, in: transaction)
            candidates[index].load += 1
            candidates[index].lastAssigned = now
        }
    }

    // MARK: Alerts

    /// Tells every available operator that a chat waits, once per chat and level; nothing when
    /// it is not waiting (auto-assign gave it out) or nobody is available.
    static func announce(_ id: UUID, level: PoolAlert.Level = .new, at now: Date, in transaction: Transaction) throws {
        let rows = try transaction.query(
            """
            UPDATE pool.items SET alerted = \(level.rawValue)
            WHERE conversation_id = \(id) AND status = 'waiting' AND kind = 'chat' AND alerted < \(level.rawValue)
            RETURNING customer_name, waiting_since
            """)
        guard let row = rows.first else { return }
        let recipients: SQL =
            level == .admins
            ? "SELECT operator_id FROM pool.operators WHERE role = 'admin' AND active"
            : "SELECT operator_id FROM pool.operators WHERE chats AND active"
        let operators = try transaction.query("\(recipients) ORDER BY operator_id LIMIT \(PageRequest.limits.upperBound)").map {
            try $0.decode("operator_id", as: UUID.self)
        }
        guard !operators.isEmpty else { return }
        try transaction.appendEvent(
            PoolEvents.Alert.self,
            PoolAlert(
                conversationID: id, level: level, customerName: try row.decode("customer_name"),
                waitingSince: try row.decode("waiting_since"),
                recipients: operators))
    }

    // MARK: The sweep

    /// What one sweep did, for the log and the tests.
    struct Sweep: Equatable {
        var away = 0
        var returned = 0
        var alerted = 0
    }

    /// Once a second, on one pool instance at a time: operators whose consoles have been gone for
    /// `away_after_seconds` go away (their chats availability off, and with `return_when_away`
    /// their chats back to the Pool); chats waiting past the escalation thresholds are announced
    /// again; waiting chats are given out if auto-assign missed a moment. Bounded: at most a
    /// page of each per sweep; the next sweep goes on.
    static func sweep(at now: Date, in transaction: Transaction) throws -> Sweep {
        guard
            try transaction.query("SELECT pg_try_advisory_xact_lock(hashtextextended('pool.sweep', 0)) AS locked")[0].decode(
                "locked", as: Bool.self)
        else { return Sweep() }
        let settings = try settings(in: transaction)
        var sweep = Sweep()
        let gone = try transaction.query(
            """
            UPDATE pool.operators o SET away_since = \(now), away_switched_off = o.chats OR o.away_switched_off, chats = false
            WHERE o.operator_id IN (
                SELECT operator_id FROM pool.operators
                WHERE away_since IS NULL AND seen_at < \(now.addingTimeInterval(-Double(settings.awayAfterSeconds)))
                ORDER BY seen_at LIMIT \(PageRequest.limits.upperBound) FOR UPDATE SKIP LOCKED)
            RETURNING o.operator_id
            """
        ).map { try $0.decode("operator_id", as: UUID.self) }
        sweep.away = gone.count
        if settings.returnWhenAway, !gone.isEmpty {
            let held = try transaction.query(
                """
                SELECT \(columns) FROM pool.items
                WHERE holder_id = ANY(\(gone)::uuid[]) AND status = 'assigned' AND kind = 'chat'
                ORDER BY waiting_since LIMIT \(PageRequest.limits.upperBound) FOR UPDATE SKIP LOCKED
                """
            ).map(item)
            for item in held { try giveBack(item, reason: .away, by: nil, at: now, in: transaction) }
            sweep.returned = held.count
        }
        if let escalation = settings.escalation {
            for (level, seconds) in [(PoolAlert.Level.waiting, escalation.afterSeconds), (.admins, escalation.adminsAfterSeconds)] {
                let due = try transaction.query(
                    """
                    SELECT conversation_id FROM pool.items
                    WHERE status = 'waiting' AND kind = 'chat' AND alerted < \(level.rawValue)
                      AND waiting_since <= \(now.addingTimeInterval(-Double(seconds)))
                    ORDER BY waiting_since LIMIT \(PageRequest.limits.upperBound)
                    """
                ).map { try $0.decode("conversation_id", as: UUID.self) }
                for id in due { try announce(id, level: level, at: now, in: transaction) }
                sweep.alerted += due.count
            }
        }
        try fill(at: now, in: transaction)
        return sweep
    }

    // MARK: Reading

    /// A waiting chat's place in the Pool and the wait to expect.
    static func queue(_ id: UUID, at now: Date, in transaction: Transaction) throws -> QueuePlace? {
        let rows = try transaction.query(
            """
            SELECT (SELECT count(*) FROM pool.items w
                    WHERE w.status = 'waiting' AND w.kind = 'chat'
                      AND (w.waiting_since, w.conversation_id) <= (i.waiting_since, i.conversation_id)) AS position,
                   (SELECT count(*) FROM pool.audit a
                    WHERE a.how IN ('take', 'auto') AND a.at > \(now.addingTimeInterval(-QueueEstimate.window))) AS taken,
                   (SELECT count(*) FROM pool.operators o WHERE o.chats AND o.active) AS available
            FROM pool.items i WHERE i.conversation_id = \(id) AND i.status = 'waiting' AND i.kind = 'chat'
            """)
        guard let row = rows.first else { return nil }
        let (position, taken, available) = try row.decode((Int, Int, Int).self)
        return QueuePlace(
            position: position,
            estimatedWaitSeconds: QueueEstimate.seconds(position: position, recentlyTaken: taken, operatorsAvailable: available))
    }

    /// The Team screen's rows: staffing and the oldest open jobs of each operator.
    static func team(_ params: PoolMethods.Team.Params, in transaction: Transaction) throws -> [PoolMethods.Team.Member] {
        let staffing = try staffing(params.operatorIDs, in: transaction)
        let jobs = try transaction.query(
            """
            SELECT j.* FROM unnest(\(params.operatorIDs)::uuid[]) AS o(operator_id)
            CROSS JOIN LATERAL (
                SELECT \(columns) FROM pool.items i WHERE i.holder_id = o.operator_id AND i.status = 'assigned'
                ORDER BY i.waiting_since, i.conversation_id LIMIT \(params.jobs)
            ) j
            """
        ).map(item)
        let byHolder = Dictionary(grouping: jobs) { $0.holder?.id }
        return staffing.map { .init(staffing: $0, jobs: byHolder[$0.operatorID] ?? []) }
    }
}

/// The wait a customer can expect: the pure rule behind the widget's estimate.
enum QueueEstimate {
    /// How far back taken chats count towards the pace of the desk.
    static let window: TimeInterval = 3600

    /// At the pace chats were taken in the last `window`, how long until `position` is reached;
    /// `nil` when nobody is available, or too few chats were taken to tell a pace.
    static func seconds(position: Int, recentlyTaken: Int, operatorsAvailable: Int) -> Int? {
        guard operatorsAvailable > 0, recentlyTaken >= 3, position > 0 else { return nil }
        let perChat = window / Double(recentlyTaken)
        // Round up to whole minutes: an estimate that promises seconds is read as a promise.
        let seconds = perChat * Double(position)
        return Int((seconds / 60).rounded(.up)) * 60
    }
}
