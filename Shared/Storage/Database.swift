import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The bounded pool of PostgreSQL connections one process uses.
///
/// Each connection belongs to its own thread: libpq blocks the calling thread, so queries never
/// run on Swift's cooperative threads or NIO's (two threads on this machine). Calls queue when
/// every connection is busy and wait their turn; a call whose deadline passes while queued fails,
/// and one whose deadline passes while running is cancelled on the server (`PQcancel`).
/// A connection found dead (the server restarted) is replaced before the next call runs on it.
///
/// Usable as soon as it is made; `run()` keeps it open until graceful shutdown and then closes
/// it, after everything queued has run.
public final class Database: Service, Sendable {
    /// The libpq connection string or URI.
    public let url: String
    public let size: Int
    /// How long a call may take when the caller names no deadline.
    public let defaultTimeout: Duration
    let logger: Logger
    private let queue: JobQueue
    let notifier: EventNotifier
    /// The connection threads, until each has closed its connection.
    private let workers = DispatchGroup()

    public init(url: String, size: Int = 8, defaultTimeout: Duration = .seconds(30), logger: Logger) {
        self.url = url
        self.size = max(1, size)
        self.defaultTimeout = defaultTimeout
        self.logger = logger
        self.queue = JobQueue()
        self.notifier = EventNotifier()
        for index in 0..<self.size {
            let worker = Worker(url: url, queue: queue, logger: logger)
            let workers = workers
            workers.enter()
            let thread = Thread {
                worker.run()
                workers.leave()
            }
            thread.name = "postgres-\(index)"
            thread.start()
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        close()
        // Returns once every connection has closed: exit's clean-up of libpq's TLS libraries
        // races threads still closing theirs (a one-shot `migrate` crashed so now and then).
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            workers.notify(queue: .global()) { done.resume() }
        }
    }

    /// Stops taking calls; the ones queued still run, then every connection closes.
    public func close() {
        queue.close()
    }

    /// Runs `body` on a pooled connection's thread and returns what it returns.
    public func withConnection<T: Sendable>(
        deadline: ContinuousClock.Instant? = nil,
        _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        let deadline = deadline ?? DatabaseDeadline.current ?? .now + defaultTimeout
        let job = PoolJob(body: body)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard job.attach(continuation) else { return }
                guard queue.push(job) else {
                    job.fail(DatabaseError(.closed, "the database pool is closed"))
                    return
                }
                let nanoseconds = Int(Deadline.nanoseconds(deadline - .now))
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
                    job.interrupt(.deadline)
                }
            }
        } onCancel: {
            job.interrupt(.cancelled)
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
            try connection.execute("BEGIN")
            let transaction = Transaction(connection: connection)
            do {
                let value = try body(transaction)
                try connection.execute("COMMIT")
                return (value, transaction.eventsAppended > 0)
            } catch {
                try? connection.execute("ROLLBACK")
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
public final class Transaction {
    public let connection: PGConnection
    var eventsAppended = 0

    init(connection: PGConnection) {
        self.connection = connection
    }

    @discardableResult
    public func query(_ sql: SQL) throws -> PGRows {
        try connection.query(sql)
    }
}

/// A thread that owns one connection and runs queued calls on it, one at a time.
private final class Worker: Sendable {
    let url: String
    let queue: JobQueue
    let logger: Logger

    init(url: String, queue: JobQueue, logger: Logger) {
        self.url = url
        self.queue = queue
        self.logger = logger
    }

    func run() {
        var connection: PGConnection?
        var cancelHandle: PGCancelHandle?
        while let job = queue.next() {
            if connection.map({ !$0.isAlive }) ?? true {
                if connection != nil { logger.warning("database connection lost; reconnecting") }
                connection = nil
                cancelHandle = nil
                do {
                    let fresh = try PGConnection(conninfo: url)
                    connection = fresh
                    cancelHandle = fresh.makeCancelHandle()
                } catch {
                    job.fail(error as? DatabaseError ?? DatabaseError(.connection, "\(error)"))
                    continue
                }
            }
            guard let live = connection, job.start(cancel: cancelHandle) else { continue }
            if job.run(on: live) {
                // A cancel request may still be in flight: on this connection it could cancel the
                // next caller's statement. Start the next call on a fresh connection instead.
                connection = nil
                continue
            }
            // A transaction must never outlive its call: an open one holds every outbox reader of
            // the cluster back (a cancel that landed on the ROLLBACK can leave one behind).
            if live.isInTransaction {
                logger.warning("a call left a transaction open; rolling it back")
                if (try? live.execute("ROLLBACK")) == nil || live.isInTransaction { connection = nil }
            }
        }
    }
}

/// What a worker sees of a queued call.
protocol QueuedJob: AnyObject, Sendable {
    func start(cancel: PGCancelHandle?) -> Bool
    func run(on connection: PGConnection) -> Bool
    func fail(_ error: DatabaseError)
}

/// One call waiting for, or running on, a connection. Exactly one outcome reaches the caller.
private final class PoolJob<T: Sendable>: QueuedJob {
    private enum State {
        case new
        case queued(CheckedContinuation<T, any Error>)
        case running(CheckedContinuation<T, any Error>, PGCancelHandle?, interrupted: DatabaseError.Code?)
        case done
    }

    private let state = Mutex(State.new)
    private let body: @Sendable (PGConnection) throws -> T

    init(body: @escaping @Sendable (PGConnection) throws -> T) {
        self.body = body
    }

    /// False when the caller already gave up before the call was queued.
    func attach(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let attached = state.withLock { state in
            guard case .new = state else { return false }
            state = .queued(continuation)
            return true
        }
        if !attached { continuation.resume(throwing: DatabaseError(.cancelled, Self.message(.cancelled))) }
        return attached
    }

    func start(cancel: PGCancelHandle?) -> Bool {
        state.withLock { state in
            guard case .queued(let continuation) = state else { return false }
            state = .running(continuation, cancel, interrupted: nil)
            return true
        }
    }

    /// Runs the call; `true` when a cancel request was sent for it, which may still be on its way
    /// to the server and would then cancel whatever the connection runs next.
    func run(on connection: PGConnection) -> Bool {
        let result = Result { try body(connection) }
        let outcome: (CheckedContinuation<T, any Error>, DatabaseError.Code?)? = state.withLock { state in
            guard case .running(let continuation, _, let interrupted) = state else { return nil }
            state = .done
            return (continuation, interrupted)
        }
        guard let (continuation, interrupted) = outcome else { return false }
        switch (result, interrupted) {
        case (.success(let value), _): continuation.resume(returning: value)
        case (.failure, .some(let code)): continuation.resume(throwing: DatabaseError(code, Self.message(code)))
        case (.failure(let error), nil): continuation.resume(throwing: error)
        }
        return interrupted != nil
    }

    /// Fails a call that has not started.
    func fail(_ error: DatabaseError) {
        let continuation: CheckedContinuation<T, any Error>? = state.withLock { state in
            guard case .queued(let continuation) = state else { return nil }
            state = .done
            return continuation
        }
        continuation?.resume(throwing: error)
    }

    /// The deadline passed or the caller was cancelled: a queued call fails now, a running one
    /// is cancelled on the server and fails when the statement returns.
    func interrupt(_ code: DatabaseError.Code) {
        let action: (() -> Void)? = state.withLock { state in
            switch state {
            case .new:
                state = .done
                return nil
            case .queued(let continuation):
                state = .done
                return { continuation.resume(throwing: DatabaseError(code, Self.message(code))) }
            case .running(let continuation, let cancel, nil):
                state = .running(continuation, cancel, interrupted: code)
                return { cancel?.cancel() }
            case .running, .done:
                return nil
            }
        }
        action?()
    }

    private static func message(_ code: DatabaseError.Code) -> String {
        code == .deadline ? "the call's deadline passed" : "the caller stopped waiting"
    }
}
