import Contracts
import Foundation

/// The `platform.events` outbox: a write that others must react to appends an event in the
/// same transaction; readers tail the table by cursor.
///
/// `bigserial` order is not commit order: a transaction that took seq 10 may commit after one
/// that took seq 11. So each event records its transaction id, and a reader only takes events
/// whose transaction is older than the oldest one still running (the snapshot's xmin): nothing
/// can commit behind those any more. The cursor is `(xid, seq)`.
public enum Outbox {
    /// The NOTIFY channel that wakes readers after a commit that appended events.
    public static let channel = "switchboard_events"
}

/// Narrows what a reader is sent of one kind of event: `readEvents(matching:)`.
public struct EventNarrowing: Sendable, Hashable {
    /// The kind narrowed; every other kind passes.
    let kind: EventKind
    /// Of that kind, only the messages whose author's kind is one of these.
    let authors: [String]

    /// Every event but `message.created`, and of those only the messages of these authors.
    public static func messages(by authors: [Author.Kind]) -> EventNarrowing {
        EventNarrowing(kind: ConversationEvents.MessageCreated.kind, authors: authors.map(\.rawValue))
    }
}

/// One event as stored.
public struct OutboxEvent: Sendable, Hashable {
    public var cursor: EventCursor
    public var kind: EventKind
    /// What it is about (usually a conversation id); consumers key their idempotency on it.
    public var subject: UUID
    /// The event's JSON document.
    public var payload: String
    public var createdAt: Date

    /// Whether it is of kind `E`.
    public func `is`<E: Event>(_ event: E.Type) -> Bool { kind == E.kind }

    /// Its payload as `E`'s; an error if it is another kind or does not decode.
    public func decode<E: Event>(_ event: E.Type) throws -> E.Payload { try streamEvent.decode(E.self) }
}

extension Transaction {
    /// Saves a consumer's position in this transaction, with the effects of what it consumed.
    public func saveCursor(_ cursor: EventCursor, consumer: String) {
        send(Database.saveCursor(cursor, consumer: consumer))
    }
}

extension OutboxEvent {
    /// The event as the feed to the gateways carries it.
    public var streamEvent: StreamEvent { StreamEvent(cursor: cursor, kind: kind, subject: subject, payload: payload) }
}

/// What one read returned.
public struct OutboxBatch: Sendable {
    /// The events of the types asked for.
    public var events: [OutboxEvent]
    /// Newer events exist but an older transaction is still running: read again very soon.
    public var heldBack: Bool
    /// The last settled event looked at, of any type: where the next read starts.
    public var scannedThrough: EventCursor?
    /// How many settled events were looked at.
    public var scanned: Int
    /// It stopped at its limit or its byte budget: more may follow at once.
    public var full: Bool
}

extension Transaction {
    /// Appends an event of kind `E` to the outbox, committed (or not) with everything else in this
    /// transaction. The only way an event is written.
    public func appendEvent<E: Event>(_ event: E.Type, _ payload: E.Payload) throws {
        try appendEvents([.init(E.self, payload)])
    }

    /// Appends several events in one statement, in this order.
    public func appendEvents(_ events: [NewEvent]) throws {
        guard !events.isEmpty else { return }
        let rows = events.map { event -> SQL in "(\(event.kind.rawValue), \(event.subject), \(event.json)::jsonb)" }
        send("INSERT INTO platform.events (type, subject, payload) VALUES \(SQL.joined(rows))")
        eventsAppended += events.count
    }
}

/// An event about to be appended: its kind, subject and payload, encoded once.
public struct NewEvent: Sendable {
    let kind: EventKind
    let subject: UUID
    let json: PostgresJSON

    public init<E: Event>(_ event: E.Type, _ payload: E.Payload) throws {
        kind = E.kind
        subject = E.subject(of: payload)
        json = try PostgresJSON(payload)
    }
}

extension Database {
    /// Events after `cursor` whose transactions can no longer be overtaken, in cursor order: at
    /// most `limit` are looked at, and of those the ones of `types` are returned. The batch says
    /// how far it looked, so a reader of a few types moves past the others instead of reading
    /// them again every time.
    ///
    /// The horizon is not monotonic: a transaction of another database that ends between the
    /// snapshot and the look at `pg_stat_activity` cannot be placed and counts as ours, so for a
    /// moment the horizon can fall below events an earlier read already passed. A reader that
    /// catches up with another one (a replay meeting a live feed) passes `settledThrough`, the
    /// last event the other one delivered: everything up to it is known to have settled.
    ///
    /// The horizon's look at `pg_stat_activity` is the costly part of a read, so it is asked for
    /// (a lazily run sub-plan) only for an event newer than the snapshot's own xmin.
    ///
    /// `matching` narrows `types` further (an operator's messages, say): the reader is not sent
    /// the others, and moves past them as past other kinds.
    ///
    /// A batch also stops once the payloads it returns reach `maxBytes` (it returns at least one):
    /// however large events are, a batch fits a wire line. Past that point the database sends no
    /// payloads.
    ///
    /// The read is the function `platform.read_events` (`Migration.readEvents`): its plan is made
    /// once per connection and is always the index scan from the cursor.
    public func readEvents(
        after cursor: EventCursor, limit: Int = 500, types: [EventKind]? = nil, settledThrough: EventCursor? = nil,
        maxBytes: Int = Database.eventBatchBytes, matching: EventNarrowing? = nil
    ) async throws -> OutboxBatch {
        let floor = settledThrough ?? .start
        let kinds = types?.map(\.rawValue)
        let rows = try await query(
            """
            SELECT xid, seq, type, subject, payload, created_at, settled, within_budget
            FROM platform.read_events(
                \(String(cursor.xid))::text::xid8, \(cursor.seq)::bigint, \(String(floor.xid))::text::xid8, \(floor.seq)::bigint,
                \(kinds)::text[], \(matching?.kind.rawValue)::text, \(matching?.authors)::text[], \(maxBytes)::bigint,
                \(max(1, limit))::integer)
            """)
        var batch = OutboxBatch(events: [], heldBack: false, scannedThrough: nil, scanned: 0, full: rows.count == limit)
        for row in rows {
            guard try row.decode("settled", as: Bool.self) else {
                batch.heldBack = true
                batch.full = false
                break
            }
            guard try row.decode("within_budget", as: Bool.self) || batch.events.isEmpty else {
                batch.full = true
                break
            }
            let position = EventCursor(xid: try row.decode("xid"), seq: try row.decode("seq"))
            batch.scannedThrough = position
            batch.scanned += 1
            guard let payload = try row.decode("payload", as: String?.self) else { continue }
            batch.events.append(
                OutboxEvent(
                    cursor: position, kind: EventKind(rawValue: try row.decode("type")), subject: try row.decode("subject"),
                    payload: payload, createdAt: try row.decode("created_at")))
        }
        return batch
    }

    /// Most payload bytes one read returns: a quarter of a wire line.
    public static let eventBatchBytes = 256 * 1024

    /// A cursor before every event that may still commit: a reader starting here sees what
    /// commits from now on (and perhaps a few recent events again, never fewer).
    public func settledEventCursor() async throws -> EventCursor {
        let rows = try await query("SELECT platform.outbox_horizon()::text AS xmin")
        guard let row = rows.first else { return .start }
        return EventCursor(xid: try row.decode("xmin"), seq: 0)
    }

    /// The saved position of a named consumer (`.start` if it never saved one).
    public func loadCursor(consumer: String) async throws -> EventCursor {
        try Self.savedCursor(await query(Self.loadCursor(consumer)))
    }

    /// Saves a consumer's position; never moves it backwards (several instances may share a name).
    public func saveCursor(_ cursor: EventCursor, consumer: String) async throws {
        try await query(Self.saveCursor(cursor, consumer: consumer))
    }

    /// Deletes events older than `age`; returns how many.
    @discardableResult
    public func pruneEvents(olderThan age: Duration) async throws -> Int {
        let seconds = Double(age.components.seconds)
        return try await query("DELETE FROM platform.events WHERE created_at < now() - make_interval(secs => \(seconds))").affectedRows
    }

    static func saveCursor(_ cursor: EventCursor, consumer: String) -> SQL {
        """
        INSERT INTO platform.consumer_cursors (consumer, xid, seq) VALUES (\(consumer), \(String(cursor.xid))::text::xid8, \(cursor.seq))
        ON CONFLICT (consumer) DO UPDATE SET xid = EXCLUDED.xid, seq = EXCLUDED.seq, updated_at = now()
        WHERE (platform.consumer_cursors.xid, platform.consumer_cursors.seq) < (EXCLUDED.xid, EXCLUDED.seq)
        """
    }

    /// The position `loadCursor`'s rows hold (`.start` when none was saved).
    static func savedCursor(_ rows: PGRows) throws -> EventCursor {
        guard let row = rows.first else { return .start }
        return EventCursor(xid: try row.decode("xid"), seq: try row.decode("seq"))
    }

    static func loadCursor(_ consumer: String) -> SQL {
        "SELECT xid::text AS xid, seq FROM platform.consumer_cursors WHERE consumer = \(consumer)"
    }
}
