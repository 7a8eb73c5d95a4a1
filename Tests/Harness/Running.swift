import Logging
import ServiceLifecycle

/// Runs `services` in a service group, as a process does, while `body` runs; then shuts them
/// down gracefully (in reverse order) and returns once every one has stopped. A `Database`,
/// `Listener` or executor starts its threads only in `run()`, so a test that uses one directly
/// runs it here.
public func withRunning<T>(
    _ services: any Service..., logger: Logger = quietLogger, _ body: () async throws -> T
) async throws -> T {
    try await withRunning(services, logger: logger, body)
}

/// `withRunning` for a list made at run time.
public func withRunning<T>(
    _ services: [any Service], logger: Logger = quietLogger, _ body: () async throws -> T
) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.next()
        return try result.get()
    }
}

/// A logger for what the harness runs: only what would explain a failure.
public let quietLogger: Logger = {
    var logger = Logger(label: "harness")
    logger.logLevel = .critical
    return logger
}()
