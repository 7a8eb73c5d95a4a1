import Foundation
import ServiceLifecycle
import Synchronization

/// A fixed number of threads for work that blocks the thread it runs on (libpq, curl, bcrypt):
/// such work never runs on Swift's cooperative threads or NIO's (two of each on this machine),
/// where one blocked call would stall every request.
///
/// A ServiceLifecycle `Service`, like postgres-nio's pool: the threads start in `run()`, never
/// in `init`, and work queued before that waits for them. Graceful shutdown, cancellation or
/// `close()` stops taking work; what is queued still runs, each thread ends its `State`, and
/// `run()` returns once every thread has ended.
///
/// Each thread keeps a `State` of its own (a database connection, a curl handle), made on that
/// thread when it starts and touched only by the jobs that thread runs, so it need not be
/// `Sendable`. The queue holds at most `queueLimit` jobs: past that `submit` refuses at once,
/// which a caller can answer "busy, try again" instead of waiting without end.
public final class BlockingExecutor<State>: Service, Sendable {
    /// One job: it runs on one of the threads, with that thread's state.
    public typealias Job = @Sendable (inout State) -> Void

    /// Names the threads (`<label>-0`, `<label>-1`, …) as a debugger or `top -H` shows them.
    public let label: String
    /// How many threads `run()` starts.
    public let threads: Int
    /// How many jobs may wait for a thread at once.
    public var queueLimit: Int { queue.limit }
    private let queue: BlockingQueue<State>
    private let makeState: @Sendable () -> State
    private let endState: @Sendable (inout State) -> Void
    private let lifecycle = Mutex(Lifecycle())

    private struct Lifecycle {
        var started = false
        var running = 0
        var ended: CheckedContinuation<Void, Never>?
    }

    /// - Parameters:
    ///   - makeState: runs on each thread as it starts.
    ///   - endState: runs on each thread after its last job (closes what `makeState` opened).
    public init(
        label: String, threads: Int, queueLimit: Int, makeState: @escaping @Sendable () -> State,
        endState: @escaping @Sendable (inout State) -> Void = { _ in }
    ) {
        self.label = label
        self.threads = max(1, threads)
        self.queue = BlockingQueue(limit: max(1, queueLimit))
        self.makeState = makeState
        self.endState = endState
    }

    /// Starts the threads and returns once they have all ended, after graceful shutdown,
    /// cancellation or `close()`, with every queued job run.
    public func run() async throws {
        let first = lifecycle.withLock { lifecycle in
            defer { lifecycle.started = true }
            if !lifecycle.started { lifecycle.running = threads }
            return !lifecycle.started
        }
        precondition(first, "\(label): run() is called once")
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "\(label)-\(index)"
            thread.start()
        }
        await withTaskCancellationOrGracefulShutdownHandler {
            await withCheckedContinuation { (ended: CheckedContinuation<Void, Never>) in
                let done = lifecycle.withLock { lifecycle in
                    if lifecycle.running == 0 { return true }
                    lifecycle.ended = ended
                    return false
                }
                if done { ended.resume() }
            }
        } onCancelOrGracefulShutdown: { [self] in
            close()
        }
    }

    /// Stops taking jobs; the threads run what is queued, then end.
    public func close() {
        queue.close()
    }

    /// Queues `job` for the next free thread. Throws `BlockingError` with `.full` when
    /// `queueLimit` jobs wait already, `.closed` once the executor stops.
    @discardableResult
    public func submit(_ job: @escaping Job) throws -> BlockingTicket {
        try queue.push(job)
    }

    /// Takes a job out of the queue before it starts (its caller gave up, so it should not hold
    /// a place or a thread); false when it has started already, or was never queued.
    @discardableResult
    public func withdraw(_ ticket: BlockingTicket) -> Bool {
        queue.withdraw(ticket)
    }

    /// How many jobs wait for a thread now.
    public var waiting: Int { queue.count }

    /// One thread: its state, every job it is given, then the state's end.
    private func work() {
        var state = makeState()
        while let job = queue.next() {
            job(&state)
        }
        endState(&state)
        let ended = lifecycle.withLock { lifecycle -> CheckedContinuation<Void, Never>? in
            lifecycle.running -= 1
            guard lifecycle.running == 0 else { return nil }
            defer { lifecycle.ended = nil }
            return lifecycle.ended
        }
        ended?.resume()
    }
}

/// A queued job, to `withdraw` it.
public struct BlockingTicket: Sendable, Hashable {
    let id: UInt64
}

/// Why the executor did not (or will not) run a call.
public struct BlockingError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The queue holds `queueLimit` jobs already: the work is refused, not queued.
        public static let full = Code(name: "full")
        /// The executor is shutting down and takes no more work.
        public static let closed = Code(name: "closed")
        /// The call's deadline passed before a thread took it.
        public static let deadline = Code(name: "deadline")
        /// The caller stopped waiting before a thread took it.
        public static let cancelled = Code(name: "cancelled")
        public var description: String { name }
    }

    /// What went wrong.
    public var code: Code
    /// Said for a person, naming the executor.
    public var message: String

    /// An error with `code`, explained by `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
