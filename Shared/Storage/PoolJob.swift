import Blocking
import Logging
import Synchronization

/// One call waiting for, or running on, a connection: `PoolJobStateMachine` decides, this does
/// what it says. Exactly one outcome reaches the caller, and the deadline's timer is cancelled
/// as soon as it is known.
final class PoolJob<T: Sendable>: Sendable {
    private typealias Machine = PoolJobStateMachine<CheckedContinuation<T, any Error>, PGCancelHandle>
    private let machine = Mutex(Machine())
    /// Its timer and place in the queue.
    let hold = CallHold()
    private let body: @Sendable (PGConnection) throws -> T

    init(body: @escaping @Sendable (PGConnection) throws -> T) {
        self.body = body
    }

    /// False when the caller already gave up before the call was queued.
    func attach(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        switch machine.withLock({ $0.attach(continuation) }) {
        case .queue:
            return true
        case .failCancelled(let continuation):
            continuation.resume(throwing: DatabaseError(.cancelled, Self.message(.cancelled)))
            return false
        }
    }

    /// On the connection's thread: connects when needed, runs the body, and leaves the
    /// connection fit for the next call (or drops it).
    func run(in slot: inout ConnectionSlot, logger: Logger) {
        let connection: PGConnection
        do {
            connection = try slot.connection()
        } catch {
            fail(error as? DatabaseError ?? DatabaseError(.connection, "\(error)"))
            return
        }
        guard machine.withLock({ $0.start(cancel: slot.cancelHandle) }) else { return }
        let result = Result { try body(connection) }
        guard case .resume(let continuation, let interrupted) = machine.withLock({ $0.finish() }) else { return }
        hold.timer?.cancel()
        switch (result, interrupted) {
        case (.success(let value), _): continuation.resume(returning: value)
        case (.failure, .some(let code)): continuation.resume(throwing: DatabaseError(code, Self.message(code)))
        case (.failure(let error), nil): continuation.resume(throwing: error)
        }
        if interrupted != nil {
            // A cancel request may still be in flight: on this connection it could cancel the
            // next caller's statement. Start the next call on a fresh connection instead.
            slot.drop()
            return
        }
        // A transaction must never outlive its call: an open one holds every outbox reader of
        // the cluster back (a cancel that landed on the ROLLBACK can leave one behind).
        if connection.isInTransaction {
            logger.warning("a call left a transaction open; rolling it back")
            if (try? connection.execute("ROLLBACK")) == nil || connection.isInTransaction { slot.drop() }
        }
    }

    /// Fails a call that has not started.
    func fail(_ error: DatabaseError) {
        guard case .resume(let continuation) = machine.withLock({ $0.fail() }) else { return }
        hold.timer?.cancel()
        continuation.resume(throwing: error)
    }

    /// The deadline passed or the caller was cancelled: a queued call fails now and leaves the
    /// queue, a running one is cancelled on the server and fails when the statement returns.
    func interrupt(_ code: DatabaseError.Code, executor: BlockingExecutor<ConnectionSlot>?) {
        switch machine.withLock({ $0.interrupt(code) }) {
        case .none:
            return
        case .failQueued(let continuation):
            hold.timer?.cancel()
            continuation.resume(throwing: DatabaseError(code, Self.message(code)))
            if let ticket = hold.ticket { executor?.withdraw(ticket) }
        case .cancelStatement(let cancel):
            cancel?.cancel()
        }
    }

    private static func message(_ code: DatabaseError.Code) -> String {
        code == .deadline ? "the call's deadline passed" : "the caller stopped waiting"
    }
}
