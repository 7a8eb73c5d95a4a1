/// The life of one database call, as a value: which outcome reaches the caller, and when a
/// statement must be cancelled on the server. `PoolJob` keeps one under a lock and does what
/// each transition's action says (resume the caller, send `PQcancel`) outside it; being pure,
/// it is tested without a database.
///
/// new → queued (attached to its caller) → running (on a connection, with that connection's
/// cancel handle; interrupted once the deadline passes or the caller is cancelled) → done.
/// Exactly one transition hands out the continuation, so the caller is resumed once.
struct PoolJobStateMachine<Continuation, CancelHandle> {
    enum State {
        case new
        case queued(Continuation)
        case running(Continuation, CancelHandle?, interrupted: DatabaseError.Code?)
        case done
    }

    private(set) var state: State = .new

    enum AttachAction {
        /// Queue the call.
        case queue
        /// The caller gave up before the call was queued: resume it with `.cancelled`.
        case failCancelled(Continuation)
    }

    mutating func attach(_ continuation: Continuation) -> AttachAction {
        guard case .new = state else { return .failCancelled(continuation) }
        state = .queued(continuation)
        return .queue
    }

    /// A connection's thread took the call: false when it is no longer wanted.
    mutating func start(cancel: CancelHandle?) -> Bool {
        guard case .queued(let continuation) = state else { return false }
        state = .running(continuation, cancel, interrupted: nil)
        return true
    }

    enum FinishAction {
        /// Resume with what the body returned; when it threw, with `interrupted` if set (the
        /// cancel request is what made it fail), else with its error. With `interrupted` set a
        /// cancel request may still be on its way: the connection must not run another call.
        case resume(Continuation, interrupted: DatabaseError.Code?)
        case none
    }

    /// The body returned or threw.
    mutating func finish() -> FinishAction {
        guard case .running(let continuation, _, let interrupted) = state else { return .none }
        state = .done
        return .resume(continuation, interrupted: interrupted)
    }

    enum FailAction {
        /// Resume with the error (no connection could be had).
        case resume(Continuation)
        case none
    }

    /// The call cannot start (no connection, or the pool refused it).
    mutating func fail() -> FailAction {
        guard case .queued(let continuation) = state else { return .none }
        state = .done
        return .resume(continuation)
    }

    enum InterruptAction {
        case none
        /// The call was still queued: resume with the code's error and take it out of the queue.
        case failQueued(Continuation)
        /// The statement runs: ask the server to cancel it; it fails when it returns.
        case cancelStatement(CancelHandle?)
    }

    /// The deadline passed (`.deadline`) or the caller was cancelled (`.cancelled`).
    mutating func interrupt(_ code: DatabaseError.Code) -> InterruptAction {
        switch state {
        case .new:
            state = .done
            return .none
        case .queued(let continuation):
            state = .done
            return .failQueued(continuation)
        case .running(let continuation, let cancel, nil):
            state = .running(continuation, cancel, interrupted: code)
            return .cancelStatement(cancel)
        case .running, .done:
            return .none
        }
    }
}
