import Logging
import ServiceLifecycle

/// Runs a service that drains on graceful shutdown, but only for so long: once `deadline` has
/// passed since the shutdown began, `cutShort` closes whatever it still holds open, and the
/// service is cancelled.
///
/// The HTTP server waits for every connection to finish, and a browser's pre-opened connection
/// (accepted, no request yet) never does: without a deadline a SIGTERM could outlast the
/// orchestrator's grace period and end in a SIGKILL.
public struct DrainDeadline<Wrapped: Service>: Service, CustomStringConvertible {
    let wrapped: Wrapped
    let deadline: Duration
    let cutShort: @Sendable () -> Int
    let logger: Logger

    /// `cutShort` closes what is still open and says how many it closed.
    public init(_ wrapped: Wrapped, deadline: Duration, logger: Logger, cutShort: @escaping @Sendable () -> Int) {
        self.wrapped = wrapped
        self.deadline = deadline
        self.cutShort = cutShort
        self.logger = logger
    }

    public var description: String { "\(type(of: wrapped))" }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await wrapped.run()
                return true
            }
            group.addTask {
                try await gracefulShutdown()
                try await Task.sleep(for: deadline)
                return false
            }
            // `wrapped` returning first is the normal end; the clock first means "cut it short".
            guard try await group.next() == false else {
                group.cancelAll()
                return
            }
            let closed = cutShort()
            logger.warning(
                "drain deadline reached; closed what was still open",
                metadata: ["drain.deadline": "\(deadline)", "drain.closed": "\(closed)"])
            group.cancelAll()
            do {
                _ = try await group.next()
            } catch {
                logger.debug("cut short", metadata: ["error": "\(error)"])
            }
        }
    }
}
