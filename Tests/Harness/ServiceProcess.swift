import Contracts
import Foundation
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// One real child process of the suite, started from the built executables, logging to a file.
public final class ServiceProcess: @unchecked Sendable {
    public let service: ServiceName
    public let instance: String
    /// The gateway's HTTP port; `nil` for back services.
    public let httpPort: Int?
    public let logPath: String
    public let socketPath: String
    let environment: [String: String]
    let executable: String
    /// Open files the process may have (soft and hard alike), when a test sets it.
    let fileLimit: Int?
    // Replaced on restart; guarded by the stack's lock in practice (tests drive one process at a time).
    private(set) var process: ChildProcess

    init(
        service: ServiceName, instance: String, httpPort: Int?, logPath: String, socketPath: String, executable: String,
        environment: [String: String], fileLimit: Int? = nil
    ) throws {
        self.service = service
        self.instance = instance
        self.httpPort = httpPort
        self.logPath = logPath
        self.socketPath = socketPath
        self.executable = executable
        self.environment = environment
        self.fileLimit = fileLimit
        self.process = try Self.launch(executable: executable, environment: environment, logPath: logPath, fileLimit: fileLimit)
    }

    private static func launch(
        executable: String, environment: [String: String], logPath: String, arguments: [String] = [], fileLimit: Int? = nil
    ) throws -> ChildProcess {
        guard let fileLimit else {
            return try ChildProcess(executable: executable, arguments: arguments, environment: environment, outputPath: logPath)
        }
        // util-linux's prlimit sets the limit and execs the executable: the same process id.
        return try ChildProcess(
            executable: "/usr/bin/prlimit", arguments: ["--nofile=\(fileLimit):\(fileLimit)", "--", executable] + arguments,
            environment: environment, outputPath: logPath)
    }

    public var pid: Int32 { process.pid }
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGTERM, SIGKILL, ...).
    public func send(_ signal: Int32) {
        process.send(signal)
    }

    /// Waits until the process exits; returns its exit status (or 128 + signal).
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await process.wait(timeout: timeout, what: "\(service.rawValue)/\(instance)")
    }

    /// Starts the same executable again with the same name and settings (after it exited).
    public func restart() throws {
        if process.isRunning { throw HarnessError("\(service.rawValue)/\(instance) is still running") }
        process = try Self.launch(executable: executable, environment: environment, logPath: logPath, fileLimit: fileLimit)
    }

    /// Waits until the back service answers `health` with its database reachable. Health gives the database 2 s, and
    /// while the whole suite starts one look may miss it: a service that stopped serving never answers yes.
    public func waitUntilHealthy(timeout: Duration = .seconds(120)) async throws {
        try await Poll.until("\(service.rawValue)/\(instance) reports its database reachable", timeout: timeout) {
            (try? await RPCClient.callOnce(SystemMethods.Health.self, Empty(), socketPath: socketPath))?.databaseReachable == true
        }
    }

    /// Everything the process wrote so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Runs the executable with other arguments (`migrate`, `health`) and returns its status and output.
    public static func runOnce(
        executable: String, arguments: [String], environment: [String: String], logPath: String, timeout: Duration = .seconds(60)
    ) async throws -> Int32 {
        let process = try launch(executable: executable, environment: environment, logPath: logPath, arguments: arguments)
        return try await process.wait(timeout: timeout, what: "\(executable) \(arguments.joined(separator: " "))")
    }
}

/// Waiting by polling with a deadline: the only way tests wait.
public enum Poll {
    /// Returns once `condition` holds; throws after `timeout`.
    public static func until(
        _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return }
            guard ContinuousClock.now < deadline else { throw HarnessError("timed out after \(timeout) waiting for \(what)") }
            try await Task.sleep(for: interval)
        }
    }
}
