import Contracts
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Tails the outbox for one named consumer and hands each batch to `handle`, saving the cursor
/// after the batch succeeds (or, for a consumer that starts at the present, keeping it in memory).
///
/// Woken by the NOTIFY after each commit, looking again after 3–48 ms (backing off) while an older
/// transaction holds newer events back, and polling slowly in any case so a lost NOTIFY only
/// delays. A failing batch is retried from the same cursor, so `handle` must be idempotent.
public struct OutboxConsumer: Service {
    /// Where a consumer begins.
    public enum Start: Sendable {
        /// Where this consumer's name last saved its cursor; progress is saved after every batch.
        case saved
        /// With what commits from now on; progress is kept in memory only.
        case present
    }

    public let name: String
    let beginning: Start
    let database: Database
    let listener: Listener
    let types: [EventKind]?
    /// Narrows `types` (`Database.readEvents`).
    var matching: EventNarrowing?
    let batchSize: Int
    let pollInterval: Duration
    let logger: Logger
    let handle: @Sendable ([OutboxEvent]) async throws -> Void
    /// Told where a consumer that starts at the present begins, before it reads anything.
    public var onStart: (@Sendable (EventCursor) -> Void)?
    /// The least time between two reads. While events keep coming, the NOTIFYs that arrive
    /// meanwhile make one read, not one each: a consumer that need not act at once (a mail, a
    /// notification row) reads and commits bigger batches, and every read has a fixed cost (the
    /// horizon, a transaction, the cursor). An idle consumer still reads at once.
    public var pace: Duration = .zero
    /// Set for a transactional consumer: handles events and saves the cursor with their effects.
    var handleAndSave: (@Sendable ([OutboxEvent]) async throws -> Turn)?

    /// How a transactional consumer's turn at a batch ended.
    enum Turn: Sendable {
        /// Every event's effects are committed with the cursor.
        case handled
        /// Another instance of the same consumer holds it now; handled up to this position.
        case busy(EventCursor?)
        /// Another instance got further: carry on from its position.
        case behind(EventCursor)
    }

    public init(
        name: String,
        database: Database,
        listener: Listener,
        types: [EventKind]? = nil,
        start: Start = .saved,
        batchSize: Int = 500,
        pollInterval: Duration = .seconds(1),
        logger: Logger,
        handle: @escaping @Sendable ([OutboxEvent]) async throws -> Void
    ) {
        self.name = name
        self.database = database
        self.listener = listener
        self.types = types
        self.beginning = start
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        var logger = logger
        logger[metadataKey: "outbox.consumer"] = "\(name)"
        self.logger = logger
        self.handle = handle
    }

    public func run() async throws {
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let pollInterval = pollInterval
        let notifications = listener.subscribe()
        await withDiscardingTaskGroup { group in
            group.addTask {
                // Only the outbox's NOTIFY (or a reconnect) means new events; a service's other channels do not.
                for await event in notifications {
                    if case .notification(let channel, _) = event, channel != Outbox.channel { continue }
                    wake.yield()
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    wake.yield()
                    try? await Task.sleep(for: pollInterval)
                }
            }
            var cursor: EventCursor?
            var retry = Self.firstRetry
            for await _ in wakeups.cancelOnGracefulShutdown() {
                do {
                    if cursor == nil {
                        if beginning == .saved {
                            cursor = try await database.loadCursor(consumer: name)
                        } else {
                            let start = try await database.settledEventCursor()
                            onStart?(start)
                            cursor = start
                        }
                    }
                    let (next, heldBack) = try await drain(from: cursor!)
                    cursor = next
                    if heldBack {
                        // An older transaction holds newer events back. If it appended events, its
                        // commit's NOTIFY wakes this loop; this later look is for one that did not.
                        // Backing off (3, 6, 12, 24, 48 ms) keeps a busy database from being polled
                        // hundreds of times a second by every reader.
                        let delay = retry
                        retry = min(retry * 2, Self.lastRetry)
                        group.addTask {
                            try? await Task.sleep(for: delay)
                            wake.yield()
                        }
                    } else {
                        retry = Self.firstRetry
                    }
                } catch {
                    logger.warning("outbox batch failed; will retry", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(500))
                    wake.yield()
                }
                if pace > .zero { try? await Task.sleep(for: pace) }
            }
            group.cancelAll()
        }
    }

    static let firstRetry: Duration = .milliseconds(3)
    static let lastRetry: Duration = .milliseconds(48)

    /// Reads and handles until caught up or held back; returns the new cursor, and whether an
    /// older open transaction held newer events back.
    private func drain(from start: EventCursor) async throws -> (EventCursor, heldBack: Bool) {
        var cursor = start
        let lag = Gauge(label: "outbox_lag_seconds", dimensions: [("consumer", name)])
        let consumed = Counter(label: "outbox_events_consumed_total", dimensions: [("consumer", name)])
        // A position past events of other types, not saved yet: saved once caught up, so a
        // consumer does not write for every read of events it does not want.
        var unsaved = false
        // Under a steady stream of events this loop may never catch up: it stops at a shutdown
        // too (what it handled is saved batch by batch; the rest is read by the next start).
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let batch = try await database.readEvents(
                after: cursor, limit: batchSize, types: types, matching: matching)
            if let last = batch.events.last {
                if let handleAndSave {
                    switch try await handleAndSave(batch.events) {
                    case .handled:
                        break
                    case .busy(let reached):
                        // Its holder reads on; this instance looks again at the next wake-up.
                        return (reached ?? cursor, false)
                    case .behind(let saved):
                        cursor = max(cursor, saved)
                        unsaved = false
                        continue
                    }
                } else {
                    try await handle(batch.events)
                    if beginning == .saved { try await database.saveCursor(last.cursor, consumer: name) }
                }
                consumed.increment(by: batch.events.count)
                lag.record(max(0, Date().timeIntervalSince(last.createdAt)))
            }
            if let position = batch.scannedThrough {
                // The position moves past the events of other types too, so they are not read again.
                unsaved = position != batch.events.last?.cursor
                cursor = position
            }
            if batch.heldBack { return (cursor, true) }
            if !batch.full {
                if unsaved, beginning == .saved {
                    // Only events nobody here wanted lie behind it: losing this write costs a re-read, no more.
                    try await database.transaction { [cursor, name] transaction in
                        transaction.send("SET LOCAL synchronous_commit = off")
                        transaction.saveCursor(cursor, consumer: name)
                    }
                }
                lag.record(0)
                return (cursor, false)
            }
        }
        return (cursor, false)
    }
}

extension OutboxConsumer {
    /// A consumer whose effects and progress commit together. `prepare` runs first, outside any
    /// transaction (it may ask other services); `apply` then writes in one transaction that also
    /// saves the cursor, so a batch is consumed exactly once.
    ///
    /// Every instance of a service runs the consumer; a transaction-scoped advisory lock on its
    /// name lets one of them write at a time, and each reads the saved cursor under that lock, so
    /// nothing is applied twice and nobody waits on another's row locks (a writer that waits
    /// keeps its transaction open, and an open transaction holds back every outbox reader).
    ///
    /// That transaction does not wait for its disk flush (`synchronous_commit = off`): what it
    /// writes is derived from events that are durable already, so a crash can lose only the
    /// latest batches, their effects and cursor together, and they are consumed again. This keeps
    /// the consumers from multiplying the flushes each durable write costs.
    ///
    /// Transactions are kept small (`transactionSize` events): while a transaction that has
    /// written is open, every outbox reader of the cluster waits (the xmin rule).
    public static let transactionSize = 32

    /// The first key of the consumers' advisory locks (the second is the name's hash).
    static let lockSpace = 0x5357

    public static func transactional<Prepared: Sendable>(
        name: String,
        database: Database,
        listener: Listener,
        types: [EventKind]? = nil,
        matching: EventNarrowing? = nil,
        pace: Duration = .zero,
        logger: Logger,
        prepare: @escaping @Sendable ([OutboxEvent]) async throws -> Prepared,
        apply: @escaping @Sendable (Prepared, Transaction) throws -> Void
    ) -> OutboxConsumer {
        var consumer = OutboxConsumer(name: name, database: database, listener: listener, types: types, logger: logger) { _ in }
        consumer.matching = matching
        consumer.pace = pace
        consumer.handleAndSave = { events in
            var reached: EventCursor?
            for start in stride(from: 0, to: events.count, by: Self.transactionSize) {
                let chunk = Array(events[start..<min(start + Self.transactionSize, events.count)])
                let first = chunk[0].cursor
                // Several instances run the same consumer: skip what another one has done already.
                let saved = try await database.loadCursor(consumer: name)
                if saved >= first { return .behind(saved) }
                let prepared = try await prepare(chunk)
                let turn = try await database.transaction { [reached] transaction -> Turn? in
                    // One instance at a time per consumer name; the others neither wait nor repeat its work.
                    // The cursor is read by a statement after the lock's: its snapshot sees the last holder's commit.
                    let replies = try transaction.query(all: [
                        "SELECT pg_try_advisory_xact_lock(\(Self.lockSpace)::int, hashtext(\(name)))", Database.loadCursor(name),
                    ])
                    guard try replies[0][0].decode(Bool.self, at: 0) else { return .busy(reached) }
                    let saved = try Database.savedCursor(replies[1])
                    if saved >= first { return .behind(saved) }
                    transaction.send("SET LOCAL synchronous_commit = off")
                    try apply(prepared, transaction)
                    transaction.saveCursor(chunk[chunk.count - 1].cursor, consumer: name)
                    return nil
                }
                if let turn { return turn }
                reached = chunk[chunk.count - 1].cursor
            }
            return .handled
        }
        return consumer
    }
}

/// Deletes outbox events past their retention, once an hour. Every process may run it: the
/// delete is the same whoever does it.
public struct OutboxRetention: Service {
    let database: Database
    let retention: Duration
    let interval: Duration
    let logger: Logger

    public init(database: Database, retention: Duration = .seconds(7 * 24 * 3600), interval: Duration = .seconds(3600), logger: Logger) {
        self.database = database
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let pruned = try await database.pruneEvents(olderThan: retention)
                if pruned > 0 { logger.info("pruned outbox events", metadata: ["outbox.pruned": "\(pruned)"]) }
            } catch {
                logger.warning("outbox pruning failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }
}
