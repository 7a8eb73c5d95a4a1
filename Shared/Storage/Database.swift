import Blocking
import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The bounded pool of PostgreSQL connections one process uses.
///
/// Each connection belongs to one thread of a `BlockingExecutor`: libpq blocks the calling
/// thread, so queries never run on Swift's cooperative threads or NIO's (two threads on this
/// machine). Calls queue when every connection is busy and wait their turn (at most
/// `queueLimit` of them; past that a call is refused at once as `.busy`); a call whose deadline
/// passes while queued fails and leaves the queue, and one whose deadline passes while running
/// is cancelled on the server (`PQcancel`). A connection found dead (the server restarted) is
/// replaced before the next call runs on it.
///
/// A `Service`, like postgres-nio's pool: the threads start in `run()`, and calls made before
/// wait for them. Graceful shutdown (or `close()`) stops taking calls; the queued ones still
/// run, every connection closes, and then `run()` returns.
public final class Database: Service, Sendable {
    /// The libpq connection string or URI.
    public let url: String
    /// How many connections (and threads) the pool holds.
    public let size: Int
    /// How long a call may take when the caller names no deadline.
    public let defaultTimeout: Duration
    let logger: Logger
    private let executor: BlockingExecutor<ConnectionSlot>
    let notifier: EventNotifier

    /// A pool of `size` connections to `url`; nothing connects before `run()`.
    public init(url: String, size: Int = 8, defaultTimeout: Duration = .seconds(30), queueLimit: Int = 10_000, logger: Logger) {
        self.url = url
        self.size = max(1, size)
        self.defaultTimeout = defaultTimeout
        self.logger = logger
        self.executor = BlockingExecutor(
            label: "postgres", threads: self.size, queueLimit: queueLimit,
            makeState: { ConnectionSlot(url: url, logger: logger) }, endState: { $0.close() })
        self.notifier = EventNotifier()
    }

    /// Opens the pool and keeps it open until graceful shutdown; returns once every connection
    /// has closed: exit's clean-up of libpq's TLS libraries races threads still closing theirs
    /// (a one-shot `migrate` crashed so now and then).
    public func run() async throws {
        try await executor.run()
    }

    /// Stops taking calls; the ones queued still run, then every connection closes.
    public func close() {
        executor.close()
    }

    /// Runs `body` on a pooled connection's thread and returns what it returns.
    public func withConnection<T: Sendable>(
        deadline: ContinuousClock.Instant? = nil,
        _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        let deadline = deadline ?? DatabaseDeadline.current ?? .now + defaultTimeout
        let job = PoolJob(body: body)
        let executor = executor
        let logger = logger
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard job.attach(continuation) else { return }
                // The timer first: a call that ends before it is set would leave it to fire.
                job.hold.timer = DeadlineTimer(at: deadline) { [weak executor] in job.interrupt(.deadline, executor: executor) }
                do {
                    job.hold.ticket = try executor.submit { slot in job.run(in: &slot, logger: logger) }
                } catch let error as BlockingError {
                    job.fail(
                        error.code == .full
                            ? DatabaseError(.busy, "\(executor.queueLimit) calls wait for a connection already")
                            : DatabaseError(.closed, "the database pool is closed"))
                } catch {
                    job.fail(DatabaseError(.closed, "\(error)"))
                }
            }
        } onCancel: {
            job.interrupt(.cancelled, executor: executor)
        }
    }

    /// One statement outside any transaction (it commits alone). Events are appended only in a
    /// `transaction`, which wakes the outbox readers once it commits.
    @discardableResult
    public func query(_ sql: SQL) async throws -> PGRows {
        try await withConnection { try $0.query(sql) }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// The body is synchronous on purpose: nothing can wait on the network inside a transaction.
    /// Events appended in it wake the outbox readers once the commit is done.
    public func transaction<T: Sendable>(
        deadline: ContinuousClock.Instant? = nil,
        _ body: @escaping @Sendable (Transaction) throws -> T
    ) async throws -> T {
        let (value, appended) = try await withConnection(deadline: deadline) { connection in
            let transaction = Transaction(connection: connection)
            do {
                let value = try body(transaction)
                try transaction.commit()
                return (value, transaction.eventsAppended > 0)
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
        if appended { notifier.signal(self) }
        return value
    }

    /// Whether the server answers right now (for health checks).
    public func isReachable(timeout: Duration = .seconds(2)) async -> Bool {
        (try? await withConnection(deadline: .now + timeout) { try $0.query("SELECT 1") }) != nil
    }
}

/// The deadline database calls made by the current task inherit (the RPC request's deadline).
public enum DatabaseDeadline {
    @TaskLocal public static var current: ContinuousClock.Instant?
}

/// The work of one transaction: a connection with a record of what was appended to the outbox.
///
/// Round trips are what a short transaction costs (each one a wake-up of this thread and of the
/// server's process): `BEGIN` goes with the first statement, and a write whose answer nobody
/// reads (`send`) goes with the statement after it or with the `COMMIT`, in one pipeline.
public final class Transaction {
    let connection: PGConnection
    var eventsAppended = 0
    /// Statements not sent yet, in order; `BEGIN` until the first statement went out.
    private var unsent: [SQL] = ["BEGIN"]
    private var began = false

    init(connection: PGConnection) {
        self.connection = connection
    }

    /// Runs `sql` now, after whatever waits to be sent, and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) throws -> PGRows {
        guard !unsent.isEmpty else { return try connection.query(sql) }
        return try query(all: [sql])[0]
    }

    /// Runs `statements` now, one after the other in one round trip, and returns their rows.
    /// Each is a statement of its own: it sees what the ones before it did and committed.
    public func query(all statements: [SQL]) throws -> [PGRows] {
        let waiting = unsent.count
        let all = unsent + statements
        unsent = []
        began = true
        return Array(try connection.pipeline(all).dropFirst(waiting))
    }

    /// Sends `sql` with the next statement or the commit: for a write whose rows and count
    /// nobody reads. It runs in order with the others; if it fails, the transaction fails there.
    public func send(_ sql: SQL) {
        unsent.append(sql)
    }

    /// Commits, with whatever waits to be sent. A body that ran nothing began nothing.
    func commit() throws {
        guard began || unsent.count > 1 else { return }
        let statements = unsent + ["COMMIT"]
        unsent = []
        began = true
        _ = try connection.pipeline(statements)
    }
}
