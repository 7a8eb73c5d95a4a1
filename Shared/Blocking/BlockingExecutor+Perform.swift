import Synchronization

extension BlockingExecutor {
    /// Runs `body` on one of the threads and returns what it returns.
    ///
    /// A caller that is cancelled, or whose `deadline` passes, while the call is still queued
    /// gets `BlockingError` (`.cancelled`, `.deadline`) at once and the job leaves the queue;
    /// once a thread runs it, the call finishes (what blocks here has time limits of its own).
    /// Throws `BlockingError` `.full` or `.closed` when the executor refuses the call.
    public func perform<T: Sendable>(
        deadline: ContinuousClock.Instant? = nil,
        _ body: @escaping @Sendable (inout State) throws -> T
    ) async throws -> T {
        let call = Call<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard call.attach(continuation) else { return }
                if let deadline {
                    call.hold.timer = DeadlineTimer(at: deadline) { [weak self] in self?.stop(call, .deadline) }
                }
                do {
                    call.hold.ticket = try submit { state in
                        guard call.start() else { return }
                        call.finish(Result { try body(&state) })
                    }
                } catch {
                    call.finish(.failure(error))
                }
            }
        } onCancel: {
            stop(call, .cancelled)
        }
    }

    private func stop<T>(_ call: Call<T>, _ code: BlockingError.Code) {
        guard call.stop(code, label: label), let ticket = call.hold.ticket else { return }
        withdraw(ticket)
    }
}

/// One `perform` call: exactly one outcome reaches its caller, and its timer is cancelled as
/// soon as that outcome is known.
private final class Call<T: Sendable>: Sendable {
    private enum Phase {
        case new
        case queued(CheckedContinuation<T, any Error>)
        case running(CheckedContinuation<T, any Error>)
        case done
    }

    private let phase = Mutex(Phase.new)
    /// Its timer and place in the queue.
    let hold = CallHold()

    /// False when the caller was cancelled before the call was queued (it is resumed here).
    func attach(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let attached = phase.withLock { phase in
            guard case .new = phase else { return false }
            phase = .queued(continuation)
            return true
        }
        if !attached { continuation.resume(throwing: BlockingError(.cancelled, "the caller stopped waiting")) }
        return attached
    }

    /// On the thread: whether the call is still wanted.
    func start() -> Bool {
        phase.withLock { phase in
            guard case .queued(let continuation) = phase else { return false }
            phase = .running(continuation)
            return true
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let continuation = phase.withLock { phase -> CheckedContinuation<T, any Error>? in
            switch phase {
            case .queued(let continuation), .running(let continuation):
                phase = .done
                return continuation
            case .new, .done:
                return nil
            }
        }
        guard let continuation else { return }
        hold.timer?.cancel()
        continuation.resume(with: result)
    }

    /// The deadline passed or the caller was cancelled: true when the call was still queued
    /// (and has now failed), so it should leave the queue.
    func stop(_ code: BlockingError.Code, label: String) -> Bool {
        let continuation = phase.withLock { phase -> CheckedContinuation<T, any Error>? in
            switch phase {
            case .new:
                phase = .done
                return nil
            case .queued(let continuation):
                phase = .done
                return continuation
            case .running, .done:
                return nil
            }
        }
        guard let continuation else { return false }
        hold.timer?.cancel()
        let message = code == .deadline ? "\(label): the deadline passed while queued" : "\(label): the caller stopped waiting"
        continuation.resume(throwing: BlockingError(code, message))
        return true
    }
}
